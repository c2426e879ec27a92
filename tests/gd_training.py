"""Plain numpy gradient descent on one-hidden-layer ReLU networks, for the snap tests.

Full-batch gradient descent on the summed squared loss of Equation (1), with relu'(0) = 0 (as
PyTorch), fixed seeds, and a step size from the data's scale. A run "converged" when the
gradient norm fell below ``tol``; the trained point is returned as float arrays.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from relu_minima import Dataset
from relu_minima.paper.regression.examples import D1, D2, D3


def _random_dataset(seed: int, n: int, d: int) -> Dataset:
    rng = np.random.default_rng(seed)
    X = rng.integers(-4, 5, size=(n, d)).tolist()
    y = rng.integers(-4, 5, size=n).tolist()
    return Dataset([x[0] for x in X] if d == 1 else X, y)


DATASETS = {"D1": D1, "D2": D2, "D3": D3, "R1": _random_dataset(1, 7, 1),
            "R2": _random_dataset(2, 6, 2)}


def arrays(dataset: Dataset) -> tuple[np.ndarray, np.ndarray]:
    X = np.array([[float(t) for t in x] for x in dataset.X])
    return X, np.array([float(t) for t in dataset.y])


def train(dataset: Dataset, m: int, seed: int, *, steps: int = 40_000, tol: float = 1e-9,
          init: dict[str, np.ndarray] | None = None) -> tuple[dict[str, np.ndarray], float]:
    """(trained {"W", "b", "v", "c"}, final gradient norm)."""
    X, y = arrays(dataset)
    n, d = X.shape
    rng = np.random.default_rng(seed)
    p = init or {"W": rng.normal(size=(m, d)), "b": rng.normal(size=m),
                 "v": rng.normal(size=m), "c": np.zeros(())}
    W, b, v, c = (np.array(p[k], dtype=float) for k in ("W", "b", "v", "c"))
    lr = 0.2 / (n * (1.0 + float(np.max(np.abs(X)))) ** 2)
    gn = np.inf
    for _ in range(steps):
        Z = X @ W.T + b
        A = np.maximum(Z, 0.0)
        r = A @ v + c - y
        G = 2.0 * (r[:, None] * (Z > 0)) * v[None, :]
        gW, gb, gv, gc = G.T @ X, G.sum(axis=0), 2.0 * A.T @ r, 2.0 * r.sum()
        gn = float(np.sqrt((gW ** 2).sum() + (gb ** 2).sum() + (gv ** 2).sum() + gc ** 2))
        if gn < tol:
            break
        W, b, v, c = W - lr * gW, b - lr * gb, v - lr * gv, c - lr * gc
    return {"W": W, "b": b, "v": v, "c": c}, gn


@cache
def trained_run(name: str, m: int, seed: int) -> tuple[dict[str, np.ndarray], float]:
    return train(DATASETS[name], m, seed)
