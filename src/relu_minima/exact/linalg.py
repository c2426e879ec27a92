"""Exact linear algebra over Q, written once against two backends.

``python``: integers and ``Fraction`` only (always available). ``flint``: python-flint's
``fmpq_mat`` in C (optional; install ``relu-minima[fast]``). Both return plain ``Fraction``
values, so callers never see which one ran; the test suite runs over every available backend.
Matrices are small here (at most n x (d+1)), so clarity wins over cleverness.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction

from ..errors import InvalidArgument

__all__ = [
    "AffineTable",
    "affine_products",
    "affine_table",
    "available_backends",
    "exact_sum",
    "get_backend",
    "group_sums",
    "has_rank",
    "nullspace",
    "rank",
    "set_backend",
    "solve",
    "sum_of_squares",
    "using_backend",
]

Vector = tuple[Fraction, ...]

try:  # python-flint is optional; without it the "flint" backend is a stub that says so
    import flint as _flint
except ImportError:  # pragma: no cover - depends on the environment
    _flint = None

_BACKEND = "flint" if _flint is not None else "python"


def available_backends() -> list[str]:
    """The backends usable in this environment, pure Python first."""
    return ["python", "flint"] if _flint is not None else ["python"]


def get_backend() -> str:
    """The backend in use."""
    return _BACKEND


def set_backend(name: str) -> None:
    """Select ``"python"`` or ``"flint"`` for all exact linear algebra."""
    global _BACKEND
    if name not in ("python", "flint"):
        raise InvalidArgument(f"backend={name!r} is not known; use 'python' or 'flint'.")
    if name == "flint" and _flint is None:
        raise InvalidArgument(
            "backend='flint' needs python-flint, which is not installed; "
            "pip install 'relu-minima[fast]' or use backend='python'."
        )
    _BACKEND = name


@contextlib.contextmanager
def using_backend(name: str) -> Iterator[None]:
    """Temporarily select a backend."""
    old = _BACKEND
    set_backend(name)
    try:
        yield
    finally:
        set_backend(old)


def _lcm_denominator(values: Sequence[Fraction]) -> int:
    return math.lcm(*(v.denominator for v in values)) if values else 1


class AffineTable:
    """z[i][j] = U[j] . (X[i], 1), kept as integers: z = num[i][j] / (row_den[i] col_den[j]).

    One common denominator per input row and per unit turns the n x m x (d+1) products into
    integer arithmetic; Fractions are made only where a value leaves the table.
    """

    __slots__ = ("col_den", "num", "row_den")

    def __init__(self, num: list[list[int]], row_den: list[int], col_den: list[int]) -> None:
        self.num = num
        self.row_den = row_den
        self.col_den = col_den

    def value(self, i: int, j: int) -> Fraction:
        return Fraction(self.num[i][j], self.row_den[i] * self.col_den[j])

    def fractions(self) -> list[list[Fraction]]:
        return [[Fraction(a, rd * cd) for a, cd in zip(row, self.col_den, strict=True)]
                for row, rd in zip(self.num, self.row_den, strict=True)]

    def relu_combination(self, weights: Sequence[Fraction], offset: Fraction,
                         slope: Fraction = Fraction(0)) -> list[Fraction]:
        """offset + sum_j weights[j] h(z[i][j]) for every row i, exactly, where h is the ReLU
        (``slope`` 0) or the two-slope activation h(t) = t (t >= 0), slope * t (t < 0)."""
        scaled = [w / cd for w, cd in zip(weights, self.col_den, strict=True)]
        den = _lcm_denominator(scaled)
        ints = [int(t * den) for t in scaled]
        out = []
        for row, rd in zip(self.num, self.row_den, strict=True):
            total = sum(a * w for a, w in zip(row, ints, strict=True) if a > 0)
            if slope:
                below = sum(a * w for a, w in zip(row, ints, strict=True) if a < 0)
                out.append(offset + Fraction(total, den * rd) + slope * Fraction(below, den * rd))
            else:
                out.append(offset + Fraction(total, den * rd))
        return out


def _integer_rows(rows: Sequence[Sequence[Fraction]]) -> tuple[list[list[int]], list[int]]:
    dens = [_lcm_denominator(r) for r in rows]
    # t * d is an integer: t.numerator * (d // t.denominator), without a Fraction and its gcd
    return [[t.numerator * (d // t.denominator) for t in r] for r, d in zip(rows, dens,
                                                                           strict=True)], dens


def affine_table(X: Sequence[Sequence[Fraction]], U: Sequence[Sequence[Fraction]]) -> AffineTable:
    """Every pre-activation U[j] . (X[i], 1) of a layer, exactly, as an :class:`AffineTable`."""
    xs, row_den = _integer_rows([(*x, Fraction(1)) for x in X])
    us, col_den = _integer_rows(U)
    if _BACKEND == "flint" and xs and us:
        C = _flint.fmpz_mat(xs) * _flint.fmpz_mat([list(col) for col in zip(*us, strict=True)])
        num = [[int(t) for t in row] for row in C.tolist()]
    else:
        num = [[sum(a * b for a, b in zip(xi, uj, strict=True)) for uj in us] for xi in xs]
    return AffineTable(num, row_den, col_den)


def affine_products(X: Sequence[Sequence[Fraction]], U: Sequence[Sequence[Fraction]]) -> list[
    list[Fraction]
]:
    """z[i][j] = U[j] . (X[i], 1): every pre-activation of a layer, exactly."""
    return affine_table(X, U).fractions()


def exact_sum(values: Iterable[Fraction]) -> Fraction:
    """sum(values), exactly, adding numerators over each distinct denominator first.

    Exact points of large problems have residuals with thousands of digits but few distinct
    denominators; adding Fractions one by one pays a gcd of huge numbers per term, this pays
    one per distinct denominator."""
    groups: dict[int, int] = {}
    for v in values:
        q = Fraction(v)
        groups[q.denominator] = groups.get(q.denominator, 0) + q.numerator
    return sum((Fraction(n, d) for d, n in groups.items()), Fraction(0))


def sum_of_squares(values: Iterable[Fraction]) -> Fraction:
    """sum(v * v for v in values), exactly, grouped by denominator like :func:`exact_sum`
    (n/d squared is n^2/d^2 in lowest terms: no gcd per term)."""
    groups: dict[int, int] = {}
    for v in values:
        q = Fraction(v)
        groups[q.denominator] = groups.get(q.denominator, 0) + q.numerator * q.numerator
    return sum((Fraction(n, d * d) for d, n in groups.items()), Fraction(0))


def group_sums(rows: Sequence[Sequence[Fraction]], groups: Sequence[Sequence[int]]) -> list[
    tuple[Fraction, ...]
]:
    """For each group of row indices, the exact sum of those rows (integer arithmetic inside)."""
    width = len(rows[0]) if rows else 0
    den = math.lcm(*(_lcm_denominator(r) for r in rows)) if rows else 1
    ints = [[int(t * den) for t in r] for r in rows]
    out = []
    for g in groups:
        if not g:
            out.append((Fraction(0),) * width)
            continue
        cols = zip(*(ints[i] for i in g), strict=True)
        out.append(tuple(Fraction(sum(c), den) for c in cols))
    return out


def _fq(t: Fraction):
    return _flint.fmpq(t.numerator, t.denominator)


def _from_fq(q) -> Fraction:
    return Fraction(int(q.p), int(q.q))


def rref(rows: Sequence[Sequence[Fraction]]) -> tuple[list[list[Fraction]], list[int]]:
    """Reduced row echelon form and pivot columns of a matrix given by rows."""
    rows = [list(r) for r in rows]
    if not rows:
        return [], []
    ncols = len(rows[0])
    if _BACKEND == "flint":
        M = _flint.fmpq_mat(len(rows), ncols, [_fq(Fraction(t)) for r in rows for t in r])
        R, rk = M.rref()
        out = [[_from_fq(R[i, j]) for j in range(ncols)] for i in range(rk)]
        pivots = [next(j for j in range(ncols) if out[i][j] != 0) for i in range(rk)]
        return out, pivots
    M = [[Fraction(t) for t in r] for r in rows]
    pivots: list[int] = []
    r = 0
    for col in range(ncols):
        piv = next((i for i in range(r, len(M)) if M[i][col] != 0), None)
        if piv is None:
            continue
        M[r], M[piv] = M[piv], M[r]
        inv = 1 / M[r][col]
        M[r] = [t * inv for t in M[r]]
        for i in range(len(M)):
            if i != r and M[i][col] != 0:
                f = M[i][col]
                M[i] = [a - f * b for a, b in zip(M[i], M[r], strict=True)]
        pivots.append(col)
        r += 1
        if r == len(M):
            break
    return M[:r], pivots


def rank(rows: Sequence[Sequence[Fraction]]) -> int:
    """Rank of a matrix given by rows."""
    return len(rref(rows)[1])


def nullspace(rows: Sequence[Sequence[Fraction]], ncols: int) -> list[Vector]:
    """A basis of {x : rows . x = 0} in Q^ncols (integer-scaled vectors)."""
    R, pivots = rref(rows) if rows else ([], [])
    free = [j for j in range(ncols) if j not in pivots]
    basis = []
    for f in free:
        vec = [Fraction(0)] * ncols
        vec[f] = Fraction(1)
        for i, p in enumerate(pivots):
            vec[p] = -R[i][f]
        basis.append(primitive(vec))
    return basis


def solve(rows: Sequence[Sequence[Fraction]], rhs: Sequence[Fraction]) -> Vector | None:
    """One exact solution x of rows . x = rhs, or None when there is none."""
    if not rows:
        return () if all(t == 0 for t in rhs) else None
    ncols = len(rows[0])
    aug = [[*r, b] for r, b in zip(rows, rhs, strict=True)]
    R, pivots = rref(aug)
    if ncols in pivots:
        return None
    x = [Fraction(0)] * ncols
    for i, p in enumerate(pivots):
        x[p] = R[i][ncols]
    return tuple(x)


def primitive(vec: Sequence[Fraction]) -> Vector:
    """The same line, scaled to coprime integers (for readable, comparable directions)."""
    den = _lcm_denominator(vec)
    ints = [int(t * den) for t in vec]
    g = math.gcd(*ints) or 1
    return tuple(Fraction(t // g) for t in ints)




def dot(a: Sequence[Fraction], b: Sequence[Fraction]) -> Fraction:
    """Exact dot product."""
    return sum((x * y for x, y in zip(a, b, strict=True)), Fraction(0))


def has_rank(rows: Sequence[Sequence[Fraction]], d: int) -> bool:
    """True when the rows (of length d) have rank d, shown exactly on d of them that floats
    pick (greedy Gram-Schmidt): a quick test before a full row reduction of many rows. False
    means "not shown" (then :func:`rref` of all rows decides)."""
    import numpy as np  # floats only pick the rows
    if d == 0 or len(rows) < d:
        return False
    R = np.array([[float(t) for t in r] for r in rows])
    picked: list[int] = []
    for _ in range(d):
        norms = np.einsum("ij,ij->i", R, R)
        k = int(np.argmax(norms))
        if not norms[k] > 0:
            return False
        picked.append(k)
        u = R[k] / np.sqrt(norms[k])
        R = R - np.outer(R @ u, u)
    _, pivots = rref([list(rows[k]) for k in picked])
    return len(pivots) == d
