"""Reduction for reference 001's search: remove a correctly classified point from a dataset
while tracking its strict local minimum (issue 29; used with search_ref001_deadlock.py).

The weight of point i in the loss is lowered from 1 to 0 in steps while Newton's method tracks
the critical point; whenever its Hessian nears singularity (relative smallest eigenvalue below
1e-6, or a step that loses the minimum) the other points are moved by finite-difference ascent
of that eigenvalue, keeping every misclassified point misclassified. If the minimum survives to
weight 0, the point is dropped: a strict minimum on n - 1 points with one correct point fewer.
``reduce`` repeats this depth first (best-classified point first). Float evidence only: what it
reaches is then certified by ``certify_candidate`` (inputs rounded to 1/100, ...).

``FIRST_NINE`` is the 9-point strict minimum (accuracy 5/9, squared loss; from an exploratory
run of the "pairs" family) that reduces to the library's 8-point case ``n8-squared``.

Run:  python benchmarks/ref001_reduction.py                  (reduce FIRST_NINE; ~4 minutes)
      python benchmarks/ref001_reduction.py --state s.json   (every minimum a search recorded)
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from search_ref001_deadlock import THRESHOLD, accuracy, certify_candidate, derivatives
from threadpoolctl import threadpool_limits


# -- removing a correctly classified point by continuation ---------------------------
def critical(theta: np.ndarray, X: np.ndarray, y: np.ndarray, loss: str,
             weights: np.ndarray | None = None, iters: int = 25
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Newton's method to the nearby critical point: (theta, Hessian eigenvalues, outputs)."""
    X1 = np.c_[X, np.ones(len(X))]
    for _ in range(iters):
        _, g, H, _ = derivatives(theta[None], X1, y, loss, weights)
        if not np.all(np.isfinite(g)) or not np.all(np.isfinite(H)):
            return None
        if np.abs(g).max() < 1e-13:
            break
        try:
            step = -np.linalg.solve(H[0], g[0])
        except np.linalg.LinAlgError:
            return None
        theta = theta + step * min(1.0, 0.3 / max(np.abs(step).max(), 1e-300))
    _, g, H, f = derivatives(theta[None], X1, y, loss, weights)
    if not np.all(np.isfinite(g)) or np.abs(g).max() > 1e-10:
        return None
    return theta, np.linalg.eigvalsh(H[0]), f[0]


def _margins(f: np.ndarray, y: np.ndarray, loss: str) -> np.ndarray:
    return (f - THRESHOLD[loss]) * (2 * y - 1)


def _rel(e: np.ndarray) -> float:
    return float(e[0] / max(1.0, e[-1]))


def _keeps(r: tuple | None, theta: np.ndarray, y: np.ndarray, loss: str, wrong: list[int]
           ) -> bool:
    """A strict minimum, finite, near the previous one, still wrong on the ``wrong`` points."""
    return (r is not None and _rel(r[1]) > 1e-9 and np.abs(r[0]).max() < 40
            and np.abs(r[0] - theta).max() < 1 and all(_margins(r[2], y, loss)[wrong] < 0))


def _adjust(X, y, theta, loss, weights, movable, wrong, steps=15, h=1e-6):
    """Move the ``movable`` points (finite-difference ascent) to raise the relative smallest
    Hessian eigenvalue of the tracked minimum, keeping the ``wrong`` points wrong."""
    r = critical(theta, X, y, loss, weights)
    theta, cur = r[0], _rel(r[1])
    for _ in range(steps):
        grad = np.zeros_like(X)
        for i in movable:
            for k in range(2):
                Xp = X.copy()
                Xp[i, k] += h
                rp = critical(theta, Xp, y, loss, weights, iters=8)
                if rp is not None:
                    grad[i, k] = (_rel(rp[1]) - cur) / h
        top, eta, moved = np.abs(grad).max(), 0.02, False
        while top > 0 and eta > 1e-4:
            Xn = X + eta * grad / top
            rn = critical(theta, Xn, y, loss, weights)
            if (rn is not None and _rel(rn[1]) > cur and np.abs(rn[0]).max() < 40
                    and all(_margins(rn[2], y, loss)[wrong] < 0)):
                X, theta, cur, moved = Xn, rn[0], _rel(rn[1]), True
                break
            eta /= 2
        if not moved:
            break
    return X, theta


def remove_point(X, y, theta, loss, i, wrong):
    """Lower point i's weight from 1 to 0 while tracking the minimum (moving the other points
    when its Hessian nears singularity); (X, y, theta) without point i, or None."""
    n, w, step = len(y), np.ones(len(y)), 0.05
    movable = [k for k in range(n) if k != i]
    while w[i] > 0:
        wn = w.copy()
        wn[i] = max(0.0, w[i] - step)
        r = critical(theta, X, y, loss, wn)
        if _keeps(r, theta, y, loss, wrong):
            w, theta = wn, r[0]
            if _rel(r[1]) < 1e-6:
                X, theta = _adjust(X, y, theta, loss, w, movable, wrong)
            continue
        X2, theta2 = _adjust(X, y, theta, loss, w, movable, wrong)
        if np.allclose(X2, X):
            step /= 2
            if step < 1e-3:
                return None
        X, theta = X2, theta2
    r = critical(theta, X[movable], y[movable], loss)
    if r is None or _rel(r[1]) <= 1e-9:
        return None
    return X[movable], y[movable], r[0]


def reduce(X: np.ndarray, y: np.ndarray, theta: np.ndarray, loss: str) -> list[dict]:
    """Remove correctly classified points one at a time (best classified first, depth first),
    keeping the misclassified ones wrong: every smaller strict minimum reached."""
    r = critical(theta, X, y, loss)
    if r is None:
        return []
    theta, _, f = r
    m = _margins(f, y, loss)
    wrong = [k for k in range(len(y)) if m[k] < 0]
    for i in (k for k in np.argsort(-m) if m[k] > 0):
        out = remove_point(X, y, theta, loss, int(i), wrong)
        if out is None or out[1].min() == out[1].max():
            continue
        X2, y2, th2 = out
        f2 = critical(th2, X2, y2, loss)[2]
        found = {"n": len(y2), "X": X2.tolist(), "labels": y2.tolist(), "theta": th2.tolist(),
                 "loss": loss, "accuracy": float(accuracy(f2, y2, loss))}
        return [found, *reduce(X2, y2, th2, loss)]
    return []


# The 9-point strict minimum the n = 8 case of the library was reduced from (found by an
# exploratory run of the "pairs" family; accuracy 5/9): reduced again when run without --state.
FIRST_NINE = {
    "X": [[0.5556346975488886, 1.2716230012281236], [0.531243359183418, 1.242570964685995],
          [0.49763906471351277, 2.7172347105373484], [0.49522648003970876, 2.7774785803186015],
          [1.8770859394322224, 1.695913748759873], [0.49344206427514536, 1.4007529602929023],
          [1.7995691269622798, 2.0591491627207854], [1.9063096100797725, 0.9128444398865477],
          [1.7481321168561725, 2.5978237424562156]],
    "labels": [0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0],
    "theta": [-0.1098265123565176, -7.946355756765502, 4.769689647652012, 7.672816226957209,
              10.85239690115733, -22.413549524365823, -1.6610163730306502, -1.6526688843799269,
              1.6519821222001083],
    "loss": "squared",
}


def reproduce(rec: dict, starts: int) -> None:
    """Reduce a strict minimum point by point and certify what it reaches."""
    t0 = time.perf_counter()
    with threadpool_limits(1):
        found = reduce(np.array(rec["X"]), np.array(rec["labels"]), np.array(rec["theta"]),
                       rec["loss"])
        for m in found:
            out = certify_candidate(np.array(m["X"]), np.array(m["labels"]), m["loss"],
                                    m["theta"], np.random.default_rng(29), starts)
            print(f"n = {m['n']}: float accuracy {m['accuracy']:.3f}; "
                  + ("no certificate" if out is None else out["summary"]))
            if out is not None:
                print(json.dumps(out["case"]))
    print(f"{len(found)} reduction(s) in {time.perf_counter() - t0:.0f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--state", type=Path, help="a search state file: reduce its minima")
    ap.add_argument("--starts", type=int, default=160, help="starts for the explicit point")
    args = ap.parse_args()
    records = [FIRST_NINE]
    if args.state is not None:
        records = [{"X": m["X"], "labels": m["labels"], "theta": m["theta"], "loss": m["loss"]}
                   for m in json.loads(args.state.read_text())["minima"] if m["accuracy"] < 1]
    for rec in records:
        reproduce(rec, args.starts)


if __name__ == "__main__":
    main()
