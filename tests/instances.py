"""Small exact instances for the soundness tests, and a numpy adversary that attacks them.

Instances are built to be hard: kinks placed on data points, zero output weights, duplicate
inputs, and targets chosen so that the residuals satisfy some or all of the local-minimum
conditions (random targets would almost never give a minimum).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from relu_minima import Dataset, ShallowReLU
from relu_minima.exact.linalg import nullspace

small_int = st.integers(-3, 3)


@st.composite
def instances(draw, max_d: int = 2, max_m: int = 3, max_n: int = 6, k: int = 1):
    """(params, dataset) with kinks, zero weights and designed residuals; shrinks to tiny ones.
    ``k`` outputs: each output's residual column is designed on its own (k = 1 draws exactly
    what it always drew)."""
    d = draw(st.integers(1, max_d))
    m = draw(st.integers(1, max_m))
    n = draw(st.integers(2, max_n))
    X = [[Fraction(draw(small_int)) for _ in range(d)] for _ in range(n)]
    if draw(st.booleans()):
        X[-1] = list(X[0])  # a duplicate input
    W, b = [], []
    for _ in range(m):
        w = [Fraction(draw(st.integers(-2, 2)), draw(st.integers(1, 2))) for _ in range(d)]
        W.append(w)
        if draw(st.integers(0, 3)) > 0:  # put this unit's kink on a data point
            i = draw(st.integers(0, n - 1))
            b.append(-sum((a * t for a, t in zip(w, X[i], strict=False)), Fraction(0)))
        else:
            b.append(Fraction(draw(small_int)))
    V = [[Fraction(draw(st.sampled_from([-2, -1, 0, 0, 1, 2]))) for _ in range(m)]
         for _ in range(k)]
    C = [Fraction(draw(small_int)) for _ in range(k)]
    net = ShallowReLU(W, b, V[0], C[0]) if k == 1 else ShallowReLU(W, b, V, C)
    blank = Dataset(X, [0] * n if k == 1 else [[0] * k] * n)
    outputs = net.output_rows(blank)
    z = net.preactivations(blank)
    columns = [_designed_residuals(draw, X, z, d, m, n) for _ in range(k)]
    Y = [[f - col[i] for f, col in zip(outputs[i], columns, strict=True)] for i in range(n)]
    return net, Dataset(X, [y[0] for y in Y] if k == 1 else Y)


def _designed_residuals(draw, X, z, d, m, n):
    """Residuals in the null space of some of the conditions: sum r = 0, p_j = 0, R_jH = 0."""
    rows = [[Fraction(1)] * n] if draw(st.integers(0, 5)) > 0 else []
    for j in range(m):
        if draw(st.integers(0, 3)) > 0:
            active = [i for i in range(n) if z[i][j] > 0]
            for k in range(d + 1):
                rows.append([(*X[i], Fraction(1))[k] if i in active else Fraction(0)
                             for i in range(n)])
    r = [Fraction(0)] * n
    for vec in nullspace(rows, n):
        a = Fraction(draw(st.integers(-2, 2)), draw(st.integers(1, 2)))
        r = [ri + a * t for ri, t in zip(r, vec, strict=False)]
    return r


def _batch_loss(W, b, V, c, X, Y):
    """Losses of a batch: W (B, m, d), b (B, m), V (B, k, m), c (B, k), X (n, d), Y (n, k)."""
    Z = np.einsum("bmd,nd->bnm", W, X) + b[:, None, :]
    out = c[:, None, :] + np.einsum("bnm,bkm->bnk", np.maximum(Z, 0), V)
    return ((out - Y) ** 2).sum(axis=(1, 2))


def numpy_attack(net: ShallowReLU, D: Dataset, *, seed: int = 0, trials: int = 3000) -> float:
    """Most negative loss change found near ``net`` by a float search (evidence, not proof).

    Random directions at two scales; directions that push every kink pair to one side on
    purpose; and mixed moves (v_j small, u_j moved further) that expose saddles at v_j = 0.
    """
    rng = np.random.default_rng(seed)
    W = np.array([[float(t) for t in r] for r in net.W])
    b = np.array([float(t) for t in net.b])
    V = np.array([[float(t) for t in r] for r in net.V])
    c = np.array([float(t) for t in net.C])
    X = np.array([[float(t) for t in r] for r in D.X])
    Y = np.array([[float(t) for t in r] for r in D.Y])
    base = _batch_loss(W[None], b[None], V[None], c[None], X, Y)[0]
    best = 0.0
    for scale in (1e-3, 1e-5):
        dW = rng.uniform(-1, 1, (trials, *W.shape)) * scale
        db = rng.uniform(-1, 1, (trials, *b.shape)) * scale
        dV = rng.uniform(-1, 1, (trials, *V.shape)) * scale
        dc = rng.uniform(-1, 1, (trials, *c.shape)) * scale
        # flip kinks on purpose: a bias step of fixed sign per unit, larger than the weight step
        flip = rng.choice([-1.0, 1.0], (trials, *b.shape)) * scale * 3
        best = min(best, float((_batch_loss(W + dW, b + db, V + dV, c + dc, X, Y) - base).min()))
        best = min(best, float((_batch_loss(W + dW, b + flip, V + dV, c + dc, X, Y)
                                - base).min()))
        # saddle probes: u moved by ~scale, v by ~scale^2
        dV2 = rng.uniform(-1, 1, (trials, *V.shape)) * scale * scale * 10
        best = min(best, float((_batch_loss(W + dW, b + db, V + dV2, c + dc * scale, X, Y)
                                - base).min()))
    return best / max(1.0, base)
