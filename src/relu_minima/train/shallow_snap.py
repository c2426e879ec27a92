"""Snapping a trained one-hidden-layer network to an exact critical point (docs/snap.md).

For f(x) = c + sum_j v_j relu(w_j . x + b_j) and a fixed activation pattern (A_j = the points
where unit j is on), the coordinates (u_j, beta_j) = v_j (w_j, b_j) make the outputs linear:
f(x_i) = c + sum_{j : i in A_j} (u_j . x_i + beta_j). On the closure of the pattern's cell the
loss is a convex quadratic, and a local minimum of L lying in that closure minimises it there
(a local minimum of a convex function on a convex set is a global one). So the snap solves

    minimise |Psi theta - y|^2  subject to  u_j . x_i + beta_j = 0  for the kink pairs (j, i),

exactly (:mod:`.exact_lsq`), and maps back with w_j = u_j / v_j, b_j = beta_j / v_j, each v_j a
short rational near the trained value (the rescaling symmetry of Remark 1 leaves f unchanged).

Kink pairs: those whose trained pre-activation is within ``tol`` |(w_j, b_j)| |(x_i, 1)| of 0,
then, in floats, the primal active-set search of :mod:`.cell_qp` for the lowest point of the
trained cell's closure: pairs the solution runs into are added, pairs whose Lagrange multiplier
has the wrong sign (the loss wants them off the kink, into their own side) are dropped.

Units dead on every point keep short rational (w_j, b_j) with the same strict signs; units
whose output is negligible (|v_j| |(w_j, b_j)| |(x, 1)| within
``tol`` of the targets' scale) get v_j = 0 exactly, or (w_j, b_j) = 0 exactly when that factor
is the smaller one (the nearer of the two exact points).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ..exact import linalg
from ..exact.datasets import Dataset
from ..exact.shallow_relu import ShallowReLU
from .active_set import CellProblem, Pair, cell_minimum
from .exact_lsq import least_squares
from .rationals import short_rational
from .state_dict import FloatNet

__all__ = ["ShallowSnap", "kink_pairs", "snap_shallow"]

@dataclass
class ShallowSnap:
    """The outcome: the chosen exact point (or None), its certificate, and how it was found."""

    params: ShallowReLU | None
    certificate: Any | None
    kink_pairs: tuple[Pair, ...]
    attempts: list[str] = field(default_factory=list)
    # the exact points of the plans, in order, with how each was found (not yet certified)
    candidates: list[tuple[ShallowReLU, str]] = field(default_factory=list)


def _integers(values: Iterable[Fraction]) -> tuple[list[int], int]:
    vals = list(values)
    den = math.lcm(*(t.denominator for t in vals)) if vals else 1
    return [int(t * den) for t in vals], den


def _problem(net: FloatNet, dataset: Dataset, tol: float, rel: float,
             zero_as_live: bool) -> CellProblem:
    W, b = net.weights[0], net.biases[0]
    v, c = net.weights[1][0], float(net.biases[1][0])
    n, d = dataset.n, dataset.d
    flat, Lx = _integers([t for x in dataset.X for t in (*x, Fraction(1))])
    Xi = np.array(flat, dtype=object).reshape(n, d + 1)
    Y_list, Ly = _integers(dataset.y)
    Xf1 = np.array([[float(t) for t in (*x, 1)] for x in dataset.X])
    yf = np.array([float(t) for t in dataset.y])
    Z = Xf1[:, :d] @ W.T + b
    unorm = np.linalg.norm(np.column_stack([W, b]), axis=1)
    nnorm = np.linalg.norm(Xf1, axis=1)
    near = np.abs(Z) <= tol * np.outer(nnorm, unorm)
    first: dict[tuple[Fraction, ...], int] = {}
    group = [first.setdefault(x, i) for i, x in enumerate(dataset.X)]
    yscale = float(np.max(np.abs(yf))) or 1.0
    dead = [j for j in range(W.shape[0]) if np.all((Z[:, j] < 0) & ~near[:, j])]
    contrib = np.abs(v) * unorm * float(np.max(nnorm))
    zero = [] if zero_as_live else [j for j in range(W.shape[0])
                                    if j not in dead and contrib[j] <= tol * yscale]
    live = [j for j in range(W.shape[0]) if j not in dead and j not in zero]
    return CellProblem(dataset, W, b, v, c, Xf1, Xi, Lx, np.array(Y_list, dtype=object), Ly, yf,
                    group, Z > 0, near, live, zero, dead, rel)


def _kink_rows(pr: CellProblem, K: frozenset[Pair], j: int) -> list[int]:
    """One representative point per distinct input on unit j's kink."""
    return sorted({pr.group[i] for (jj, i) in K if jj == j})


# -- one exact candidate ---------------------------------------------------------------------------
def _exact_candidate(pr: CellProblem, K: frozenset[Pair], start: tuple[dict[int, np.ndarray], float]
                     | None = None) -> tuple[ShallowReLU | None, set[Pair], str]:
    """The exact minimiser for kink set K, mapped back; or None and the pairs that flipped.

    When the minimisers form an affine set (flat directions: units on at the same points,
    fewer points than unknowns), the one chosen is near ``start`` (the float search's point in
    (u, beta), c coordinates), else near the trained point."""
    d, n = pr.d, len(pr.yf)
    cols, bases, guess = [], [], []
    for j in pr.live:
        rows = _kink_rows(pr, K, j)
        lifted = [(*pr.dataset.X[i], Fraction(1)) for i in rows]
        N = linalg.nullspace(lifted, d + 1) if rows else [
            tuple(Fraction(int(a == k)) for a in range(d + 1)) for k in range(d + 1)]
        on = {i for (jj, i) in K if jj == j}
        mask = np.array([pr.side[i, j] and i not in on for i in range(n)])
        Nf = np.array([[float(t) for t in vec] for vec in N]).reshape(len(N), d + 1)
        for vec in N:
            col = pr.Xi.dot(np.array([int(t) for t in vec], dtype=object))
            cols.append(np.where(mask, col, 0))
        bases.append(N)
        if N:
            near = pr.trained_u(j) if start is None else start[0][j]
            guess.extend(np.linalg.lstsq(Nf.T, near, rcond=None)[0])
    cols.append(np.full(n, pr.Lx, dtype=object))
    guess.append(pr.c if start is None else start[1])
    P = np.column_stack(cols).astype(object)
    sol = least_squares(P, pr.Lx, pr.Y, pr.Ly, np.array(guess, dtype=float), pr.rel)
    t, pos = sol.t, 0
    W = [[Fraction(a) for a in row] for row in pr.W.tolist()]
    b = [Fraction(a) for a in pr.b.tolist()]
    v = [Fraction(a) for a in pr.v.tolist()]
    for j, N in zip(pr.live, bases, strict=True):
        # N is mostly zeros (the identity when unit j has no kink pair): skip them, since each
        # Fraction operation on thousands-of-digit numbers costs a gcd
        u = [sum((t[pos + k] * N[k][a] for k in range(len(N)) if N[k][a] != 0), Fraction(0))
             for a in range(d + 1)]
        pos += len(N)
        v[j] = short_rational(float(pr.v[j]), pr.rel)
        W[j] = [a / v[j] for a in u[:d]]
        b[j] = u[d] / v[j]
    c = t[pos]
    for j in pr.dead:
        W[j], b[j] = _dead_unit(pr, j)
        v[j] = short_rational(float(pr.v[j]), pr.rel)
    for j in pr.zero:
        # a unit whose output is negligible: zero the smaller factor (the nearer exact point)
        if np.max(np.abs(np.append(pr.W[j], pr.b[j]))) < abs(pr.v[j]):
            W[j], b[j] = [Fraction(0)] * d, Fraction(0)
            v[j] = short_rational(float(pr.v[j]), pr.rel)
        else:
            W[j], b[j] = _zero_output_unit(pr, j)
            v[j] = Fraction(0)
    net = ShallowReLU(W, b, v, c)
    flipped = _flipped(pr, net, K)
    note = (f"least squares rank {sol.rank} of {P.shape[1]} unknowns"
            + (f", {len(sol.free)} free coordinate(s) set near the trained values"
               if sol.free else "") + f" ({sol.method})")
    return (None if flipped else net), flipped, note


def _flipped(pr: CellProblem, net: ShallowReLU, K: frozenset[Pair]) -> set[Pair]:
    """Pairs of live units whose exact pre-activation crossed to the other side."""
    table = net.preactivation_table(pr.dataset)
    out = set()
    for j in pr.live:
        for i in range(len(pr.yf)):
            a = table.num[i][j]
            if (pr.side[i, j] and a < 0) or (not pr.side[i, j] and a > 0):
                out.add((j, i))
    return out - K


def _dead_unit(pr: CellProblem, j: int) -> tuple[list[Fraction], Fraction]:
    """Short rationals near (w_j, b_j), still strictly negative on every point."""
    w = [short_rational(float(a), pr.rel) for a in pr.W[j]]
    bj = short_rational(float(pr.b[j]), pr.rel)
    if all(row[0] < 0 for row in linalg.affine_products(pr.dataset.X, [(*w, bj)])):
        return w, bj
    return [Fraction(float(a)) for a in pr.W[j]], Fraction(float(pr.b[j]))


def _zero_output_unit(pr: CellProblem, j: int) -> tuple[list[Fraction], Fraction]:
    """(w_j, b_j) for v_j = 0: the near pairs put exactly on the kink, other signs kept."""
    d = pr.d
    rows = sorted({pr.group[i] for i in np.where(pr.near[:, j])[0]})
    trained = np.append(pr.W[j], pr.b[j])
    if rows:
        N = linalg.nullspace([(*pr.dataset.X[i], Fraction(1)) for i in rows], d + 1)
        if N:
            Nf = np.array([[float(t) for t in vec] for vec in N])
            coef = [short_rational(a, pr.rel)
                    for a in np.linalg.lstsq(Nf.T, trained, rcond=None)[0]]
            u = [sum((coef[k] * N[k][a] for k in range(len(N))), Fraction(0))
                 for a in range(d + 1)]
            z = linalg.affine_products(pr.dataset.X, [tuple(u)])
            if all((z[i][0] == 0) if pr.near[i, j] else ((z[i][0] > 0) == pr.side[i, j])
                   for i in range(len(pr.yf))):
                return u[:d], u[d]
    w = [short_rational(float(a), pr.rel) for a in pr.W[j]]
    bj = short_rational(float(pr.b[j]), pr.rel)
    z = linalg.affine_products(pr.dataset.X, [(*w, bj)])
    if all((z[i][0] > 0) == pr.side[i, j] and z[i][0] != 0 for i in range(len(pr.yf))):
        return w, bj
    return [Fraction(float(a)) for a in pr.W[j]], Fraction(float(pr.b[j]))


# -- the candidates, in order ---------------------------------------------------------------
def snap_shallow(net: FloatNet, dataset: Dataset, *, tol: float, rel: float, budget: int,
                 enough: Callable[[ShallowReLU], bool] = lambda point: False) -> ShallowSnap:
    """The exact points of the plans, in the documented order (docs/snap.md), within ``budget``
    exact solves; one per plan. Nothing is certified here: the caller decides the point nearest
    the trained one (issue 22, item 2). A plan whose point satisfies ``enough`` (very near the
    trained point) ends the search early."""
    out = ShallowSnap(None, None, ())
    plans: list[tuple[str, bool, bool]] = [("tolerance + cell search", False, True),
                                           ("tolerance only", False, False)]
    first_pr = _problem(net, dataset, tol, rel, zero_as_live=False)
    if first_pr.zero:
        plans.append(("negligible output weights kept live", True, True))
    tried: set[tuple[frozenset[Pair], bool]] = set()
    solves = 0
    for label, zero_live, refine in plans:
        pr = first_pr if not zero_live else _problem(net, dataset, tol, rel, zero_as_live=True)
        K = frozenset((j, i) for j in pr.live for i in np.where(pr.near[:, j])[0].tolist())
        how, start = "no refinement", None
        if refine:
            K, how, start = cell_minimum(pr, K, max_iter=20 * budget + len(K))
        while solves < budget and (K, zero_live) not in tried:
            tried.add((K, zero_live))
            solves += 1
            point, flipped, note = _exact_candidate(pr, K, start)
            head = (f"candidate {solves} ({label}; {how}): {len(K)} kink pair(s), "
                    f"{len(pr.dead)} dead unit(s), {len(pr.zero)} unit(s) with zero output; {note}")
            if point is None:
                shown = ", ".join(f"(unit {j + 1}, point {i + 1})" for j, i in sorted(flipped)[:8])
                out.attempts.append(f"{head}: the exact point leaves the pattern at {shown}"
                                    f"{' ...' if len(flipped) > 8 else ''}; next: put them "
                                    "on their kinks")
                K = K | frozenset(flipped)
                how = "pairs that left the pattern added"
                continue
            out.candidates.append((point, head))
            if enough(point):
                return out
            break
    return out


def kink_pairs(net: Any, dataset: Dataset) -> tuple[Pair, ...]:
    """The (unit, point) pairs of a one-hidden-layer point exactly on a kink (0-based); ()
    for other models."""
    if not isinstance(net, ShallowReLU):
        return ()
    table = net.preactivation_table(dataset)
    return tuple((j, i) for j in range(net.m) for i in range(dataset.n) if table.num[i][j] == 0)
