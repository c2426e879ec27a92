"""Benchmark: snap and certify trained networks (issue 12).

Two runs, each trained here with scipy's L-BFGS on the summed squared loss (float64, fixed
seeds; the training time is not part of the figure):

- 2-16-1 on 200 points (goal: snap + certify < 1 s);
- 8-64-1 on 1,000 points (goal: < 5 s).

Each figure is printed beside the time of the exact loss alone at the snapped point (one exact
forward pass, ``ShallowReLU.loss``), measured in the same run, and their ratio. The exact global
search is skipped by its size check (``GlobalSearchTooLarge``) at these sizes; its cost is
included in the snap figure.

Run:  python benchmarks/bench_snap.py
"""

from __future__ import annotations

import sys
import time

import numpy as np
from scipy.optimize import minimize

from relu_minima import Dataset, snap

GOALS = {(2, 16, 200): 1.0, (8, 64, 1000): 5.0}


def make_data(d: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs with 3 decimals in [-1, 1]^d, targets a smooth function plus noise (3 decimals)."""
    rng = np.random.default_rng(seed)
    X = np.round(rng.uniform(-1, 1, size=(n, d)), 3)
    y = np.round(np.sin(2 * X[:, 0]) + X[:, -1] ** 2 + 0.1 * rng.normal(size=n), 3)
    return X, y


def train(X: np.ndarray, y: np.ndarray, m: int, seed: int) -> tuple[dict[str, np.ndarray], float]:
    n, d = X.shape
    rng = np.random.default_rng(seed)
    sizes = [m * d, m, m, 1]

    def split(t):
        W, b, v, c = np.split(t, np.cumsum(sizes)[:-1])
        return W.reshape(m, d), b, v, c[0]

    def fg(t):
        W, b, v, c = split(t)
        Z = X @ W.T + b
        A = np.maximum(Z, 0.0)
        r = A @ v + c - y
        G = 2.0 * (r[:, None] * (Z > 0)) * v[None, :]
        grad = np.concatenate([(G.T @ X).ravel(), G.sum(0), 2.0 * A.T @ r, [2.0 * r.sum()]])
        return float(r @ r), grad

    t0 = np.concatenate([rng.normal(size=m * d) / np.sqrt(d), rng.normal(size=m) * 0.5,
                         rng.normal(size=m) / np.sqrt(m), [0.0]])
    res = minimize(fg, t0, jac=True, method="L-BFGS-B",
                   options={"maxiter": 20000, "maxfun": 40000, "gtol": 1e-13, "ftol": 0})
    W, b, v, c = split(res.x)
    return {"W": W, "b": b, "v": v, "c": c}, float(np.linalg.norm(res.jac))


def main() -> int:
    sizes = [(2, 16, 200), (8, 64, 1000)]
    if "--small" in sys.argv:
        sizes = sizes[:1]
    print(f"{'net':>10} {'n':>5} {'grad':>8} {'status':>28} {'distance':>9} {'snap s':>7} "
          f"{'loss s':>7} {'ratio':>6} {'goal':>5}")
    for d, m, n in sizes:
        X, y = make_data(d, n, seed=d)
        params, grad = train(X, y, m, seed=m)
        dataset = Dataset(X.tolist() if d > 1 else X[:, 0].tolist(), y.tolist()) \
            if False else None  # floats go through snap's stated rule (shortest decimal)
        t = time.perf_counter()
        report = snap(params, (X, y))
        t_snap = time.perf_counter() - t
        dataset = report.dataset
        point = report.params if report.params is not None else report.trained
        t = time.perf_counter()
        point.loss(dataset)
        t_loss = time.perf_counter() - t
        dist = "-" if report.distance is None else f"{float(report.distance):.1e}"
        print(f"{f'{d}-{m}-1':>10} {n:>5} {grad:>8.1e} {report.status:>28} {dist:>9} "
              f"{t_snap:>7.3f} {t_loss:>7.3f} {t_snap / t_loss:>6.1f} {GOALS[(d, m, n)]:>5}")
        for line in report.attempts:
            print("      ", line[:160])
    return 0


if __name__ == "__main__":
    sys.exit(main())
