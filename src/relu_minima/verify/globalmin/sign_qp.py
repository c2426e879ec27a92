"""Exact sign-constrained least squares on a Gram matrix (the pattern problem of docs/global.md).

Every activation pattern of :mod:`.global_min` is a convex quadratic program of one shape:

    minimise  q(z) = yy - 2 h.z + z.G z   over z in Q^p,  z_j >= 0 for j not in ``free``,

with G = M^T M (M the columns of the pattern, weighted by multiplicity) and h = M^T y. This
module solves it exactly (Lawson-Hanson active sets, every step in rational arithmetic, no
floats) and verifies a solution from its *passive set* alone, which is the compact evidence a
certificate stores:

    P is optimal  <=>  G_PP z_P = h_P has a solution with z_j >= 0 (j in P, constrained), and
                       w = h - G z satisfies w_j <= 0 for every constrained j outside P

(the Karush-Kuhn-Tucker conditions, sufficient for a convex problem). The optimum is then
q* = yy - h_P . z_P. Gram matrices here have integer entries (the caller scales the data), so
elimination is fraction-free (Bareiss) and only the final solution is a Fraction.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from ...errors import CertificateError, ReluMinimaError

__all__ = ["QPSolution", "QPStallError", "solve_nnls", "verify_passive_set"]

Matrix = Sequence[Sequence[int]]


class QPStallError(ReluMinimaError, RuntimeError):
    """The exact active-set method exceeded its iteration bound (a bug: please report it)."""


class QPSolution(tuple):
    """(value, z, passive): the optimum q*, the minimiser z (Fractions) and its passive set."""

    __slots__ = ()

    def __new__(cls, value: Fraction, z: tuple[Fraction, ...], passive: tuple[int, ...]):
        return super().__new__(cls, (value, z, passive))

    @property
    def value(self) -> Fraction:
        return self[0]

    @property
    def z(self) -> tuple[Fraction, ...]:
        return self[1]

    @property
    def passive(self) -> tuple[int, ...]:
        return self[2]


def _solve_sub(G: Matrix, h: Sequence[int], idx: Sequence[int]) -> list[Fraction] | None:
    """z_idx with G[idx, idx] z = h[idx] (Bareiss elimination), or None if singular."""
    k = len(idx)
    A = [[G[i][j] for j in idx] + [h[i]] for i in idx]
    prev = 1
    for c in range(k):
        piv = next((r for r in range(c, k) if A[r][c] != 0), None)
        if piv is None:
            return None
        if piv != c:
            A[c], A[piv] = A[piv], A[c]
        pc = A[c][c]
        for r in range(c + 1, k):
            arc = A[r][c]
            row_r, row_c = A[r], A[c]
            for j in range(c + 1, k + 1):
                row_r[j] = (row_r[j] * pc - arc * row_c[j]) // prev
            row_r[c] = 0
        prev = pc
    z = [Fraction(0)] * k
    for r in range(k - 1, -1, -1):
        s = Fraction(A[r][k])
        for j in range(r + 1, k):
            if A[r][j]:
                s -= A[r][j] * z[j]
        z[r] = s / A[r][r]
    return z


def _gradient(G: Matrix, h: Sequence[int], z: Sequence[Fraction], support: Sequence[int],
              j: int) -> Fraction:
    """w_j = h_j - (G z)_j, using only the support of z."""
    row = G[j]
    return h[j] - sum((row[i] * z[i] for i in support), Fraction(0))


def solve_nnls(G: Matrix, h: Sequence[int], yy: Fraction, free: Sequence[int]) -> QPSolution:
    """The exact minimum of q over {z : z_j >= 0 for j not in free} (Lawson-Hanson).

    ``free`` must index linearly independent columns (G restricted to them nonsingular). The
    passive columns stay linearly independent throughout: a column enters only when its
    gradient w_j > 0, and w is orthogonal to the span of the passive columns, so the entering
    column is outside it. Each outer step strictly lowers q, so no passive set repeats and the
    method ends after finitely many steps; the bound below only turns a bug into an error.
    """
    p = len(h)
    is_free = [False] * p
    for j in free:
        is_free[j] = True
    passive = list(free)
    z = [Fraction(0)] * p
    if passive:
        sub = _solve_sub(G, h, passive)
        if sub is None:
            raise QPStallError("the free columns of a pattern are linearly dependent (a bug)")
        for i, j in enumerate(passive):
            z[j] = sub[i]
    for _ in range(4 * p + 20):
        best_j, best_w = -1, Fraction(0)
        in_p = set(passive)
        for j in range(p):
            if j in in_p:
                continue
            w = _gradient(G, h, z, passive, j)
            if w > best_w:
                best_j, best_w = j, w
        if best_j < 0:
            value = yy - sum((h[j] * z[j] for j in passive), Fraction(0))
            return QPSolution(value, tuple(z), tuple(sorted(passive)))
        passive.append(best_j)
        for _ in range(p + 2):
            sub = _solve_sub(G, h, passive)
            if sub is None:
                raise QPStallError("a passive set became linearly dependent (a bug)")
            bad = [(i, j) for i, j in enumerate(passive) if not is_free[j] and sub[i] <= 0]
            if not bad:
                for i, j in enumerate(passive):
                    z[j] = sub[i]
                break
            alpha = min(z[j] / (z[j] - sub[i]) for i, j in bad)
            for i, j in enumerate(passive):
                z[j] += alpha * (sub[i] - z[j])
            passive = [j for j in passive if is_free[j] or z[j] > 0]
            for j in range(p):
                if j not in passive:
                    z[j] = Fraction(0)
        else:
            raise QPStallError("the inner loop of the active-set method did not end (a bug)")
    raise QPStallError(f"the active-set method did not end within {4 * p + 20} steps (a bug)")


def verify_passive_set(G: Matrix, h: Sequence[int], yy: Fraction, free: Sequence[int],
                       passive: Sequence[int]) -> Fraction:
    """The exact optimum q*, re-derived from a stored passive set by the KKT conditions.

    Independent of :func:`solve_nnls` (no search): raises :class:`CertificateError` when the
    passive set does not satisfy the optimality conditions stated in the module docstring.
    """
    p = len(h)
    passive = list(passive)
    if not set(free) <= set(passive) or len(set(passive)) != len(passive) or \
            not all(isinstance(j, int) and 0 <= j < p for j in passive):
        raise CertificateError(f"passive set {passive} must list distinct column indices in "
                               f"range({p}) and contain the free columns {list(free)}")
    sub = _solve_sub(G, h, passive) if passive else []
    if sub is None:
        raise CertificateError(f"the columns of passive set {passive} are linearly dependent")
    z = [Fraction(0)] * p
    for i, j in enumerate(passive):
        z[j] = sub[i]
    for j in passive:
        if j not in free and z[j] < 0:
            raise CertificateError(f"passive set {passive}: coefficient z_{j} = {z[j]} < 0")
    for j in range(p):
        if j not in passive and _gradient(G, h, z, passive, j) > 0:
            raise CertificateError(f"passive set {passive}: column {j} has positive gradient, so "
                                   "the point is not optimal")
    return yy - sum((h[j] * z[j] for j in passive), Fraction(0))
