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
    """The exact points found (not yet certified, except the deep rounding's), their kink
    pairs, and what was tried."""

    params: Any | None
    certificate: Any | None
    kink_pairs: tuple[Pair, ...] = ()
    attempts: list[str] = field(default_factory=list)
    candidates: list[tuple[Any, str]] = field(default_factory=list)


@dataclass
class _Cell:
    """The trained pattern of a one-hidden-layer network with bias flags (hb, ob)."""

    net: FloatNet
    dataset: Dataset
    lifted: list[tuple[Fraction, ...]]  # (x, 1) or x: the unit's input
    Xi: np.ndarray  # integers, Lx * lifted
    Lx: int
    Y: np.ndarray
    Ly: int
    side: np.ndarray  # (n, m): trained pre-activation > 0
    near: np.ndarray  # (n, m): within the kink tolerance
    dead: list[int]
    zero: list[int]  # negligible output |v_j| |u_j| |x| <= tol |y|: v_j = 0 or u_j = 0 exactly
    live: list[int]
    rel: float

    @property
    def flags(self) -> tuple[bool, ...]:
        return self.net.bias_flags

    @property
    def U(self) -> np.ndarray:
        W, b = self.net.weights[0], self.net.biases[0]
        return np.column_stack([W, b]) if self.flags[0] else W


def _cell(net: FloatNet, dataset: Dataset, tol: float, rel: float) -> _Cell:
    hb = net.bias_flags[0]
    W, b, v = net.weights[0], net.biases[0], net.weights[1][0]
    lifted = [(*x, Fraction(1)) if hb else tuple(x) for x in dataset.X]
    Lx = math.lcm(*(t.denominator for row in lifted for t in row))
    Xi = np.array([[int(t * Lx) for t in row] for row in lifted], dtype=object)
    Ly = math.lcm(*(t.denominator for t in dataset.y))
    Y = np.array([int(t * Ly) for t in dataset.y], dtype=object)
    Xf = np.array([[float(t) for t in row] for row in lifted])
    U = np.column_stack([W, b]) if hb else W
    Z = Xf @ U.T
    unorm = np.linalg.norm(U, axis=1)
    near = np.abs(Z) <= tol * np.outer(np.linalg.norm(Xf, axis=1), unorm)
    m = W.shape[0]
    dead = [j for j in range(m) if np.all((Z[:, j] < 0) & ~near[:, j])]
    yscale = float(np.max(np.abs([float(t) for t in dataset.y]))) or 1.0
    contrib = np.abs(v) * unorm * float(np.max(np.linalg.norm(Xf, axis=1)))
    zero = [j for j in range(m) if j not in dead and contrib[j] <= tol * yscale]
    live = [j for j in range(m) if j not in dead and j not in zero]
    return _Cell(net, dataset, lifted, Xi, Lx, Y, Ly, Z > 0, near, dead, zero, live, rel)


def _solve(cell: _Cell, K: set[Pair]) -> tuple[Any, str]:
    """The exact least squares over the moving coordinates with the pairs K on their kinks,
    mapped back to (W, b, v, c): the live units' u_j = v_j (w_j, b_j), then w_j = u_j / v_j."""
    net, rel, n = cell.net, cell.rel, cell.dataset.n
    ob = cell.flags[1]
    e = len(cell.lifted[0])
    v, c = net.weights[1][0], float(net.biases[1][0])
    cols, bases, guess = [], [], []
    for j in cell.live:
        rows = sorted({cell.lifted[i] for (jj, i) in K if jj == j})
        N = linalg.nullspace(list(rows), e) if rows else [
            tuple(Fraction(int(a == k)) for a in range(e)) for k in range(e)]
        mask = np.array([bool(cell.side[i, j]) and (j, i) not in K for i in range(n)])
        # integer columns: each basis vector scaled by its denominators' lcm
        scaled = [tuple(t * math.lcm(*(s.denominator for s in vec)) for t in vec) for vec in N]
        for vec in scaled:
            cols.append(np.where(mask, cell.Xi.dot(np.array([int(t) for t in vec],
                                                            dtype=object)), 0))
        bases.append(scaled)
        if scaled:
            Nf = np.array([[float(t) for t in vec] for vec in scaled])
            guess.extend(np.linalg.lstsq(Nf.T, v[j] * cell.U[j], rcond=None)[0])
    if ob:
        cols.append(np.full(n, cell.Lx, dtype=object))
        guess.append(c)
    P = np.column_stack(cols).astype(object) if cols else np.zeros((n, 0), dtype=object)
    sol = least_squares(P, cell.Lx, cell.Y, cell.Ly, np.array(guess, dtype=float), rel)
    return _mapped(cell, bases, sol.t), f"least squares rank {sol.rank} of {P.shape[1]} unknowns"


def _mapped(cell: _Cell, bases: list[list[tuple[Fraction, ...]]], t: Any) -> ShallowReLU:
    net, rel, d = cell.net, cell.rel, cell.dataset.d
    hb, ob = cell.flags
    W, b, v = net.weights[0], net.biases[0], net.weights[1][0]
    Wx = [[Fraction(float(a)) for a in row] for row in W]
    bx = [Fraction(float(a)) if hb else Fraction(0) for a in b]
    vx = [short_rational(float(a), rel) for a in v]
    pos = 0
    for j, N in zip(cell.live, bases, strict=True):
        u = [sum((t[pos + k] * N[k][a] for k in range(len(N))), Fraction(0))
             for a in range(len(cell.lifted[0]))]
        pos += len(N)
        if vx[j] != 0:
            Wx[j] = [a / vx[j] for a in u[:d]]
            if hb:
                bx[j] = u[d] / vx[j]
    for j in cell.dead:
        w_j = [short_rational(float(a), rel) for a in W[j]]
        b_j = short_rational(float(b[j]), rel) if hb else Fraction(0)
        if all(sum((p * q for p, q in zip(w_j, x, strict=True)), b_j) < 0
               for x in cell.dataset.X):
            Wx[j], bx[j] = w_j, b_j
    for j in cell.zero:
        # negligible output: zero the smaller factor exactly (the nearer exact point, item 4);
        # the other keeps its trained (binary) value
        if float(np.max(np.abs(cell.U[j]))) < abs(float(v[j])):
            Wx[j], bx[j] = [Fraction(0)] * d, Fraction(0)
        else:
            vx[j] = Fraction(0)
    cx = t[pos] if ob else Fraction(0)
    return ShallowReLU(Wx, bx, vx, cx, bias=cell.flags)


def snap_bias_free(net: FloatNet, dataset: Dataset, *, tol: float, rel: float,
                   budget: int) -> RestrictedSnap:
    """Exact points of ``net`` (with at least one bias-free layer) over its parameters: the
    candidate of the trained pattern (one hidden layer), or the rounded point (deeper)."""
    from ..verify.dispatch import verify_local_minimum

    if net.depth != 2:
        Ws = [[[short_rational(float(t), rel) for t in row] for row in W] for W in net.weights]
        bs = [[short_rational(float(t), rel) for t in b] for b in net.biases]
        point = DeepReLU(Ws, bs, bias=net.bias_flags)
        cert = verify_local_minimum(point, dataset)
        return RestrictedSnap(point, cert, (), [
            f"depth {net.depth} with bias-free layers: no exact critical point is searched; the "
            f"trained point rounded to short rationals (relative {rel:g}) is decided as it is: "
            f"{cert.status}"])
    out = RestrictedSnap(None, None)
    cell = _cell(net, dataset, tol, rel)
    K = {(j, i) for j in cell.live for i in range(dataset.n) if cell.near[i, j]}
    for attempt in range(1, budget + 1):
        point, note = _solve(cell, K)
        table = point.preactivation_table(dataset)
        flipped = {(j, i) for j in cell.live for i in range(dataset.n)
                   if (j, i) not in K and (table.num[i][j] > 0) != bool(cell.side[i, j])}
        head = (f"candidate {attempt} (bias-free snap): {len(K)} kink pair(s), "
                f"{len(cell.dead)} dead unit(s), {len(cell.zero)} unit(s) with zero output; "
                f"{note}")
        if flipped:
            out.attempts.append(f"{head}: {len(flipped)} pair(s) left the pattern; put on "
                                "their kinks")
            K |= flipped
            continue
        out.candidates.append((point, head))
        return out
    return out
