"""Snapping a trained network that has bias-free layers (docs/parameterisation.md).

A network trained with ``Linear(..., bias=False)`` lives in a smaller parameter space: a
bias-free layer's bias is 0 and not a parameter. The snap of :mod:`.shallow_snap` would look
for a critical point over *every* bias, a different question, so bias-free one-hidden-layer
networks are snapped here by the same argument restricted to the moving coordinates: with the
trained activation pattern fixed and the near-kink pairs held on their kinks, the outputs are
linear in u_j = v_j w_j (and v_j b_j, c when those layers have biases), and the exact least
squares over those coordinates (:mod:`.exact_lsq`) gives the critical point of the pattern's
cell. Pairs the exact point pushes across their kink are put on it and the solve repeated
(``budget`` times). The result is certified by the restricted decision
(:mod:`relu_minima.verify.shallow.criterion`, docs/method.md Theorem 2).

Deeper bias-free networks are not snapped: their exact copy is rounded (short rationals within
``rel``) and decided as it is, which is reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ..exact import linalg
from ..exact.datasets import Dataset
from ..exact.deep_relu import DeepReLU
from ..exact.shallow_relu import ShallowReLU
from .exact_lsq import least_squares
from .rationals import short_rational
from .state_dict import FloatNet

__all__ = ["RestrictedSnap", "snap_bias_free"]

Pair = tuple[int, int]


@dataclass
class RestrictedSnap:
    """The exact point (or None), its certificate, its kink pairs, and what was tried."""

    params: Any | None
    certificate: Any | None
    kink_pairs: tuple[Pair, ...] = ()
    attempts: list[str] = field(default_factory=list)


def snap_bias_free(net: FloatNet, dataset: Dataset, *, tol: float, rel: float,
                   budget: int) -> RestrictedSnap:
    """Snap ``net`` (with at least one bias-free layer) and certify it over its parameters."""
    from ..verify.dispatch import verify_local_minimum

    flags = net.bias_flags
    if net.depth != 2:
        Ws = [[[short_rational(float(t), rel) for t in row] for row in W] for W in net.weights]
        bs = [[short_rational(float(t), rel) for t in b] for b in net.biases]
        point = DeepReLU(Ws, bs, bias=flags)
        cert = verify_local_minimum(point, dataset)
        return RestrictedSnap(point, cert, (), [
            f"depth {net.depth} with bias-free layers: no exact critical point is searched; the "
            f"trained point rounded to short rationals (relative {rel:g}) is decided as it is: "
            f"{cert.status}"])
    out = RestrictedSnap(None, None)
    hb, ob = flags
    W, b = net.weights[0], net.biases[0]
    v, c = net.weights[1][0], float(net.biases[1][0])
    n, d, m = dataset.n, dataset.d, W.shape[0]
    e = d + 1 if hb else d  # coordinates of a unit's lifted input
    lifted = [(*x, Fraction(1)) if hb else tuple(x) for x in dataset.X]
    Lx = math.lcm(*(t.denominator for row in lifted for t in row))
    Xi = np.array([[int(t * Lx) for t in row] for row in lifted], dtype=object)
    Ly = math.lcm(*(t.denominator for t in dataset.y))
    Y = np.array([int(t * Ly) for t in dataset.y], dtype=object)
    Xf = np.array([[float(t) for t in row] for row in lifted])
    U = np.column_stack([W, b]) if hb else W
    Z = Xf @ U.T
    near = np.abs(Z) <= tol * np.outer(np.linalg.norm(Xf, axis=1), np.linalg.norm(U, axis=1))
    side = Z > 0
    dead = [j for j in range(m) if np.all((Z[:, j] < 0) & ~near[:, j])]
    live = [j for j in range(m) if j not in dead]
    K = {(j, i) for j in live for i in range(n) if near[i, j]}
    for attempt in range(1, budget + 1):
        cols, bases, guess = [], [], []
        for j in live:
            rows = sorted({lifted[i] for (jj, i) in K if jj == j})
            N = linalg.nullspace(list(rows), e) if rows else [
                tuple(Fraction(int(a == k)) for a in range(e)) for k in range(e)]
            mask = np.array([bool(side[i, j]) and (j, i) not in K for i in range(n)])
            for vec in N:
                col = Xi.dot(np.array([int(t * math.lcm(*(s.denominator for s in vec)))
                                       for t in vec], dtype=object))
                cols.append(np.where(mask, col, 0))
            # integer columns: the basis vectors were scaled by their denominators' lcm
            scaled = [tuple(t * math.lcm(*(s.denominator for s in vec)) for t in vec)
                      for vec in N]
            bases.append(scaled)
            if scaled:
                Nf = np.array([[float(t) for t in vec] for vec in scaled])
                guess.extend(np.linalg.lstsq(Nf.T, v[j] * U[j], rcond=None)[0])
        if ob:
            cols.append(np.full(n, Lx, dtype=object))
            guess.append(c)
        P = (np.column_stack(cols).astype(object) if cols
             else np.zeros((n, 0), dtype=object))
        sol = least_squares(P, Lx, Y, Ly, np.array(guess, dtype=float), rel)
        t, pos = sol.t, 0
        Wx = [[Fraction(float(a)) for a in row] for row in W]
        bx = [Fraction(float(a)) if hb else Fraction(0) for a in b]
        vx = [short_rational(float(a), rel) for a in v]
        for j, N in zip(live, bases, strict=True):
            u = [sum((t[pos + k] * N[k][a] for k in range(len(N))), Fraction(0))
                 for a in range(e)]
            pos += len(N)
            if vx[j] == 0:
                continue
            Wx[j] = [a / vx[j] for a in u[:d]]
            if hb:
                bx[j] = u[d] / vx[j]
        cx = t[pos] if ob else Fraction(0)
        for j in dead:
            w_j = [short_rational(float(a), rel) for a in W[j]]
            b_j = short_rational(float(b[j]), rel) if hb else Fraction(0)
            if all(sum((p * q for p, q in zip(w_j, x, strict=True)), b_j) < 0
                   for x in dataset.X):
                Wx[j], bx[j] = w_j, b_j
        point = ShallowReLU(Wx, bx, vx, cx, bias=flags)
        table = point.preactivation_table(dataset)
        flipped = {(j, i) for j in live for i in range(n)
                   if (j, i) not in K and (table.num[i][j] > 0) != bool(side[i, j])}
        head = (f"candidate {attempt} (bias-free snap): {len(K)} kink pair(s), {len(dead)} dead "
                f"unit(s); least squares rank {sol.rank} of {P.shape[1]} unknowns")
        if flipped:
            out.attempts.append(f"{head}: {len(flipped)} pair(s) left the pattern; put on "
                                "their kinks")
            K |= flipped
            continue
        cert = verify_local_minimum(point, dataset)
        out.attempts.append(f"{head}: exact point, verdict: {cert.status}")
        out.params, out.certificate = point, cert
        out.kink_pairs = tuple((j, i) for j in range(m) for i in range(n)
                               if table.num[i][j] == 0)
        return out
    return out
