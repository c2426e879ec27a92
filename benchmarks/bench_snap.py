"""Benchmark: snap and certify trained networks (issue 12).

Two runs, each trained here (the training time is not part of the figure):

- 2-16-1 on 200 points (goal: snap + certify < 1 s);
- 8-64-1 on 1,000 points (goal: < 5 s).

Data: a teacher network with 3-decimal weights whose every kink cuts the data, inputs with 3
decimals kept at least 0.05 from every teacher kink, targets = teacher + noise (sd 1e-4),
rounded to 6 decimals (read by snap's default rule: the shortest decimal). Training: scipy's
L-BFGS on the summed squared loss (float64) from the teacher plus noise (sd 1e-3), at most
``MAXITER`` iterations. L-BFGS does not reach gradient norm 0 on this nonsmooth, ill-
conditioned loss (flat directions of units active together), so the snap is given
``max_distance=MAX_DISTANCE`` and the distance it moved is printed.

Each figure is printed beside the time of the exact loss alone at the snapped point (one exact
forward pass, ``ShallowReLU.loss``), measured in the same run, and their ratio. The exact global
search (``max_patterns``, default 2000) is refused by its size check at these sizes; its cost
is inside the snap figure.

Run:  python benchmarks/bench_snap.py [--small]   (--small: the 2-16-1 run only)
"""

from __future__ import annotations

import sys
import time

import numpy as np
from scipy.optimize import minimize

from relu_minima import snap

GOALS = {(2, 16, 200): 1.0, (8, 64, 1000): 5.0}
MAXITER = 3000
MAX_DISTANCE = 0.1


def make_data(d: int, m: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, teacher + noise as the initial flat parameters)."""
    rng = np.random.default_rng(seed)
    W = np.round(rng.normal(size=(m, d)), 3)
    b = np.round(rng.uniform(-0.3, 0.3, size=m) * np.linalg.norm(W, axis=1), 3)
    v = np.round(rng.normal(size=m), 3)
    X = np.round(rng.uniform(-1, 1, size=(20 * n, d)), 3)
    X = X[np.all(np.abs(X @ W.T + b) > 0.05, axis=1)][:n]
    if len(X) < n:  # pragma: no cover - the seeds below give enough points
        raise SystemExit(f"only {len(X)} points kept; change the seed")
    y = np.round(np.maximum(X @ W.T + b, 0) @ v + 0.1 + 1e-4 * rng.normal(size=n), 6)
    theta = np.concatenate([W.ravel(), b, v, [0.1]])
    return X, y, theta + 1e-3 * rng.normal(size=theta.size)


def train(X: np.ndarray, y: np.ndarray, m: int, theta0: np.ndarray
          ) -> tuple[dict[str, np.ndarray], float]:
    d = X.shape[1]
    cuts = np.cumsum([m * d, m, m])

    def split(t):
        W, b, v, c = np.split(t, cuts)
        return W.reshape(m, d), b, v, c[0]

    def loss_and_gradient(t):
        W, b, v, c = split(t)
        Z = X @ W.T + b
        A = np.maximum(Z, 0.0)
        r = A @ v + c - y
        G = 2.0 * (r[:, None] * (Z > 0)) * v[None, :]
        grad = np.concatenate([(G.T @ X).ravel(), G.sum(0), 2.0 * A.T @ r, [2.0 * r.sum()]])
        return float(r @ r), grad

    res = minimize(loss_and_gradient, theta0, jac=True, method="L-BFGS-B",
                   options={"maxiter": MAXITER, "maxfun": 2 * MAXITER, "gtol": 1e-12, "ftol": 0})
    W, b, v, c = split(res.x)
    return {"W": W, "b": b, "v": v, "c": c}, float(np.linalg.norm(res.jac))


def main() -> int:
    sizes = [(2, 16, 200), (8, 64, 1000)]
    if "--small" in sys.argv:
        sizes = sizes[:1]
    print(f"{'net':>7} {'n':>5} {'grad':>8} {'status':>28} {'distance':>9} {'snap s':>7} "
          f"{'loss s':>7} {'ratio':>6} {'goal s':>6}")
    for d, m, n in sizes:
        X, y, theta0 = make_data(d, m, n, seed=d)
        params, grad = train(X, y, m, theta0)
        t = time.perf_counter()
        report = snap(params, (X, y), max_distance=MAX_DISTANCE)
        t_snap = time.perf_counter() - t
        point = report.params if report.params is not None else report.trained
        t = time.perf_counter()
        point.loss(report.dataset)
        t_loss = time.perf_counter() - t
        dist = "-" if report.distance is None else f"{float(report.distance):.1e}"
        print(f"{f'{d}-{m}-1':>7} {n:>5} {grad:>8.1e} {report.status:>28} {dist:>9} "
              f"{t_snap:>7.3f} {t_loss:>7.4f} {t_snap / t_loss:>6.0f} {GOALS[(d, m, n)]:>6}")
        for line in report.attempts:
            print("        -", line if len(line) < 200 else line[:197] + "...")
    return 0


if __name__ == "__main__":
    sys.exit(main())
