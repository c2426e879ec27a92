"""Benchmark: snap and certify trained networks, beside their own training (issues 12, 30).

Runs, each trained here by scipy's L-BFGS (the baseline, timed in the same run):

- 2-16-1 on 200 points (goal: snap + certify < 1 s; the exact route);
- 8-64-1 on 1,000 points (goal, issue 30: snap + certify < 1.5 s, i.e. about the training
  time, 1.6 s on an idle machine);
- with --large: 16-128-1 on 4,000 points (goal: < 60 s, with a progress bar; training 83 s).

Data: a teacher network with 3-decimal weights whose every kink cuts the data, inputs with 3
decimals kept at least 0.05 from every teacher kink, targets = teacher + noise (sd 1e-4),
rounded to 6 decimals (read by snap's default rule: the shortest decimal). Training: scipy's
L-BFGS on the summed squared loss (float64) from the teacher plus noise (sd 1e-3), at most
``MAXITER`` iterations. L-BFGS does not reach gradient norm 0 on this nonsmooth, ill-
conditioned loss (flat directions of units active together), so the snap is given
``max_distance=MAX_DISTANCE`` and the distance it moved is printed.

Both training and snap run with one BLAS thread (threadpoolctl): the machine is shared, and
the ratio is what is compared. Each is timed in wall-clock and in CPU seconds (the CPU ratio
is the steadier one on a loaded machine). The snap's route is "auto" (the cell certificate
from 100 unknowns on, docs/snap.md); --exact adds the exact route (``method="exact"``, the
code before issue 30) for the runs up to 8-64-1, as a second baseline. ``check()`` (the
report re-verified from scratch) is timed apart.

Run:  python benchmarks/bench_snap.py [--small] [--large] [--exact]
"""

from __future__ import annotations

import datetime
import os
import platform
import sys
import time

import numpy as np
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from relu_minima import snap

GOALS = {(2, 16, 200): 1.0, (8, 64, 1000): 1.5, (16, 128, 4000): 60.0}
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


def timed(fn, *args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def header() -> None:
    print(f"# bench_snap: {datetime.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (1 min) at start, "
          "one BLAS thread")
    print(f"{'net':>9} {'n':>5} {'grad':>8} {'route':>6} {'status':>14} {'dist':>8} "
          f"{'train s':>8} {'snap s':>8} {'ratio':>6} {'cpu tr':>7} {'cpu sn':>7} "
          f"{'ratio':>6} {'check s':>8} {'goal s':>6}")


def run(d: int, m: int, n: int, exact: bool) -> None:
    X, y, theta0 = make_data(d, m, n, seed=d)
    (params, grad), t_train, c_train = timed(train, X, y, m, theta0)
    methods = ["auto"] + (["exact"] if exact and m * (d + 1) < 1000 else [])
    for method in methods:
        report, t_snap, c_snap = timed(snap, params, (X, y), max_distance=MAX_DISTANCE,
                                       method=method)
        _, t_check, _ = timed(report.check)
        kind = getattr(report.certificate, "kind", "-")
        route = {"shallow-relu-cell": "cell", "shallow-relu": "exact"}.get(kind, kind)
        dist = "-" if report.distance is None else f"{float(report.distance):.1e}"
        print(f"{f'{d}-{m}-1':>9} {n:>5} {grad:>8.1e} {route:>6} {report.status[:14]:>14} "
              f"{dist:>8} {t_train:>8.2f} {t_snap:>8.2f} {t_snap / t_train:>6.2f} "
              f"{c_train:>7.2f} {c_snap:>7.2f} {c_snap / c_train:>6.2f} {t_check:>8.2f} "
              f"{GOALS[(d, m, n)] if method == 'auto' else 'base':>6}", flush=True)
    print(f"# load average {os.getloadavg()[0]:.1f} after {d}-{m}-1", flush=True)


def main() -> int:
    sizes = [(2, 16, 200), (8, 64, 1000)]
    if "--small" in sys.argv:
        sizes = sizes[:1]
    if "--large" in sys.argv:
        sizes.append((16, 128, 4000))
    header()
    with threadpool_limits(1):
        for d, m, n in sizes:
            run(d, m, n, "--exact" in sys.argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
