"""Small exact one-hidden-layer points with k outputs, built to be hard (as tests/instances.py
is for one output): kinks on data points, zero output vectors, duplicate inputs, and residual
matrices designed so that some, all or none of the conditions of Theorem 3 hold.

The residuals r (n x k) are drawn from the null space of a random choice of linear conditions
on them: the residual sum; per unit, every output's moments P_j = 0 and kink sums R_jH = 0
("full"), or only the first-order ones of the unit's own output vector (v_j . P_j = 0,
v_j . R_jH = 0, P_j u_j = 0: the *critical* case of a unit whose v_j-component is flat), or
nothing. Then y = f(x) - r. Everything is exact and seeded.
"""

from __future__ import annotations

import random
from fractions import Fraction as F

from relu_minima import Dataset, ShallowReLU
from relu_minima.exact.linalg import nullspace


def _lifted(x):
    return (*x, F(1))


def random_instance(rng: random.Random, k: int, max_d: int = 2, max_m: int = 2,
                    max_n: int = 5, restricted: bool = False) -> tuple[ShallowReLU, Dataset]:
    """One point and dataset; ``restricted`` also draws a parameterisation (a bias-free layer,
    frozen coordinates)."""
    bias = (rng.random() > 0.3, rng.random() > 0.3) if restricted else (True, True)
    d = rng.randint(1, max_d)
    m = rng.randint(1, max_m)
    n = rng.randint(2, max_n)
    X = [[F(rng.randint(-2, 2)) for _ in range(d)] for _ in range(n)]
    if rng.random() < 0.3:
        X[-1] = list(X[0])
    W, b = [], []
    for _ in range(m):
        w = [F(rng.randint(-2, 2), rng.randint(1, 2)) for _ in range(d)]
        W.append(w)
        if not bias[0]:
            b.append(F(0))
        elif rng.random() < 0.7:
            i = rng.randrange(n)
            b.append(-sum((a * t for a, t in zip(w, X[i], strict=True)), F(0)))
        else:
            b.append(F(rng.randint(-2, 2)))
    V = [[F(rng.choice([-2, -1, 0, 0, 1, 2])) for _ in range(m)] for _ in range(k)]
    if rng.random() < 0.3:  # a unit with v_j = 0 in every output
        j = rng.randrange(m)
        for row in V:
            row[j] = F(0)
    c = [F(rng.randint(-2, 2)) if bias[1] else F(0) for _ in range(k)]
    net = ShallowReLU(W, b, V, c, bias=bias)
    if restricted and rng.random() < 0.6:
        names = [nm for p, nm in enumerate(net.space.names) if net.space.moving[p]]
        net = net.with_space(bias=bias, frozen=[nm for nm in names if rng.random() < 0.25])
    blank = Dataset(X, [[0] * k] * n)
    outputs = net.output_rows(blank)
    z = net.preactivations(blank)
    rows = _conditions(rng, net, X, z, k)
    r = [[F(0)] * k for _ in range(n)]
    for vec in nullspace(rows, n * k) if rows else [
            tuple(F(int(q == p)) for q in range(n * k)) for p in range(n * k)]:
        a = F(rng.randint(-2, 2), rng.randint(1, 2))
        for i in range(n):
            for o in range(k):
                r[i][o] += a * vec[i * k + o]
    Y = [[f - t for f, t in zip(fr, rr, strict=True)] for fr, rr in zip(outputs, r, strict=True)]
    return net, Dataset(X, Y)


def _conditions(rng, net, X, z, k):
    """Linear conditions on the flat residual vector (point i, output o) -> i * k + o."""
    n, m = len(X), net.m
    rows = []

    def row(coef):  # coef: dict (i, o) -> value
        out = [F(0)] * (n * k)
        for (i, o), t in coef.items():
            out[i * k + o] += t
        return out

    if rng.random() < 0.85:
        rows += [row({(i, o): F(1) for i in range(n)}) for o in range(k)]
    for j in range(m):
        kind = rng.choice(["full", "full", "first", "first", "none"])
        active = [i for i in range(n) if z[i][j] > 0]
        kinks: dict[tuple, list[int]] = {}
        for i in range(n):
            if z[i][j] == 0:
                kinks.setdefault(tuple(X[i]), []).append(i)
        vj = net.v_of(j)
        u = (*net.W[j], net.b[j])
        if kind == "full":
            for o in range(k):
                for q in range(len(u)):
                    rows.append(row({(i, o): _lifted(X[i])[q] for i in active}))
                for ix in kinks.values():
                    rows.append(row({(i, o): F(1) for i in ix}))
        elif kind == "first":
            for q in range(len(u)):
                rows.append(row({(i, o): vj[o] * _lifted(X[i])[q] for i in active
                                 for o in range(k)}))
            for ix in kinks.values():
                if rng.random() < 0.5:
                    rows.append(row({(i, o): vj[o] for i in ix for o in range(k)}))
            zu = [sum((a * t for a, t in zip(u, _lifted(X[i]), strict=True)), F(0))
                  for i in range(n)]
            for o in range(k):
                rows.append(row({(i, o): zu[i] for i in active}))
    return rows
