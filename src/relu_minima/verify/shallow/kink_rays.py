"""The rays of Lemma A (docs/method.md) in integer arithmetic: the exact decision for small
kink sets, with no LP and no float.

Lemma A decides sigma g >= 0 by the value of g on both orientations of every line of the
arrangement of the kink hyperplanes inside V = span(normals): the lines V cap {n_s . delta = 0,
s in S} for sets S of r - 1 independent normals (r = dim V). ``kink_forms._lines`` finds each by
a rational null space in a basis of V; here each normal is scaled to a primitive integer vector
u_H (g keeps its values: R_H max(0, c u . delta) = c R_H max(0, u . delta) for c > 0), and the
line of S is the generalised cross product of the D - 1 integer rows {u_s : s in S} and a basis
of the orthogonal complement of V: the vector of signed maximal minors, nonzero exactly when the
rows are independent, orthogonal to every row, hence in V and on every n_s^perp. g is then
evaluated in integers over one common denominator. The result is the same set of rays
(primitive, first nonzero entry positive, each with its negation) as ``kink_forms._rays``, so
the stored evidence is the ``rays`` proof that ``SignDecision._check`` already re-verifies.

The cost is C(K, r - 1) subsets of K bending kinks, each D determinants of order D - 1: cheap
for the small kink sets of small networks, hopeless for hundreds of kinks in R^5 (which the
zonotope search of Lemma D handles). :attr:`IntegerRays.subsets` is what the caller compares
with its threshold before choosing this path.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from operator import mul

from ...exact import linalg

__all__ = ["IntegerRays"]

Vec = tuple[Fraction, ...]
IVec = tuple[int, ...]


def _primitive_int(vec: Sequence[Fraction]) -> tuple[IVec, Fraction]:
    """(u, c): coprime integers u and c > 0 with vec = c u."""
    den = math.lcm(*(t.denominator for t in vec))
    ints = [int(t * den) for t in vec]
    g = math.gcd(*ints)
    return tuple(t // g for t in ints), Fraction(g, den)


def _det(rows: list[list[int]]) -> int:
    """Determinant of a square integer matrix (Bareiss: fraction-free, exact)."""
    n = len(rows)
    if n == 0:
        return 1
    if n == 1:
        return rows[0][0]
    if n == 2:
        return rows[0][0] * rows[1][1] - rows[0][1] * rows[1][0]
    if n == 3:
        (a, b, c), (d, e, f), (g, h, i) = rows
        return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    M = [list(r) for r in rows]
    sign, prev = 1, 1
    for k in range(n - 1):
        if M[k][k] == 0:
            swap = next((i for i in range(k + 1, n) if M[i][k] != 0), None)
            if swap is None:
                return 0
            M[k], M[swap] = M[swap], M[k]
            sign = -sign
        for i in range(k + 1, n):
            for j in range(k + 1, n):
                M[i][j] = (M[i][j] * M[k][k] - M[i][k] * M[k][j]) // prev
        prev = M[k][k]
    return sign * M[n - 1][n - 1]


def _cross(rows: list[IVec], dim: int) -> IVec:
    """The signed maximal minors of a (dim - 1) x dim integer matrix: orthogonal to every row,
    and zero exactly when the rows are dependent."""
    if dim == 2:
        (a, b), = rows
        return (-b, a)
    if dim == 3:
        (a1, a2, a3), (b1, b2, b3) = rows
        return (a2 * b3 - a3 * b2, a3 * b1 - a1 * b3, a1 * b2 - a2 * b1)
    return tuple((-1) ** k * _det([[r[c] for c in range(dim) if c != k] for r in rows])
                 for k in range(dim))


def _oriented(vec: IVec) -> IVec | None:
    """The primitive vector of the line, first nonzero entry positive (None for 0)."""
    g = math.gcd(*vec)
    if g == 0:
        return None
    first = next(t for t in vec if t != 0)
    g = g if first > 0 else -g
    return tuple(t // g for t in vec)


class IntegerRays:
    """The kink form g = p . delta + sum_H w_H max(0, n_H . delta) (bending kinks only: every
    w_H != 0 and n_H != 0) over integers, with its lines and its values on them."""

    def __init__(self, p: Sequence[Fraction], normals: Sequence[Vec],
                 weights: Sequence[Fraction]) -> None:
        self.dim = len(p)
        scaled = [_primitive_int(n) for n in normals]
        self.units = [u for u, _ in scaled]
        coef = [w * c for w, (_, c) in zip(weights, scaled, strict=True)]
        self.den = math.lcm(*(t.denominator for t in (*p, *coef)))
        self.P = [int(t * self.den) for t in p]
        self.C = [int(t * self.den) for t in coef]
        # a basis of the orthogonal complement of V = span(normals); r = dim V
        self.complement = ([_primitive_int(v)[0] for v in linalg.nullspace(list(normals),
                                                                           self.dim)]
                           if normals else [])
        self.rank = self.dim - len(self.complement) if normals else 0
        # the (r - 1)-subsets of the K normals that :meth:`lines` visits
        self.subsets = math.comb(len(self.units), self.rank - 1) if normals else 0

    def products(self, delta: IVec) -> list[int]:
        """u_H . delta for every bending kink H."""
        return [sum(map(mul, u, delta)) for u in self.units]

    def value(self, delta: IVec, products: list[int] | None = None) -> int:
        """den * g(delta) for an integer direction (den > 0: the sign of g)."""
        t = self.products(delta) if products is None else products
        return sum(map(mul, self.P, delta)) + sum(
            c * x for c, x in zip(self.C, t, strict=True) if x > 0)

    def lines(self) -> Iterator[IVec]:
        """Each line of the arrangement inside V once, as an oriented primitive vector."""
        if not self.units:
            return
        seen: set[IVec] = set()
        for subset in itertools.combinations(range(len(self.units)), self.rank - 1):
            rows = [self.units[s] for s in subset] + self.complement
            line = _oriented(_cross(rows, self.dim))
            if line is not None and line not in seen:
                seen.add(line)
                yield line

    def search(self, violates: Callable[[int], bool], candidates: Sequence[Vec]
               ) -> tuple[list[tuple[IVec, int, tuple[int, ...]]], IVec | None]:
        """(rays visited as (direction, den * g, sides), the first violating direction or
        None): ``violates`` takes den * g. The candidates (+-p, +-n_H, primitive) are tried
        first; then both orientations of every line, in the order of ``kink_forms._rays`` (each
        line before its negation, lines sorted) when none violates."""
        for cand in candidates:
            delta = tuple(int(t) for t in cand)
            if violates(self.value(delta)):
                return [], delta
        rays = []
        for line in self.lines():
            t = self.products(line)
            linear = sum(map(mul, self.P, line))
            up = linear + sum(c * x for c, x in zip(self.C, t, strict=True) if x > 0)
            sides = tuple((x > 0) - (x < 0) for x in t)
            rays.append((line, up, sides))
            if violates(up):
                return rays, line
            # g(-line) = -p . line + sum_H C_H max(0, -t_H)
            down = -linear - sum(c * x for c, x in zip(self.C, t, strict=True) if x < 0)
            minus = tuple(-x for x in line)
            rays.append((minus, down, tuple(-x for x in sides)))
            if violates(down):
                return rays, minus
        rays.sort(key=lambda ray: (_oriented(ray[0]), ray[0][next(
            k for k, x in enumerate(ray[0]) if x != 0)] < 0))
        return rays, None
