"""The exact minimiser of an activation cell, enclosed without being written down (issue 30).

For a one-hidden-layer point theta = (w, b, v, c) whose pre-activations z_ij = w_j . x_i + b_j
are all nonzero, fix its activation pattern S (A_j = {i : z_ij > 0}). A unit with an active
point is *live*; the others are *dead* (z_ij < 0 at every point). With the pattern fixed the
coordinates t = (u_j = v_j (w_j, b_j) for the live units; c) make every output linear,
f(x_i) = c + sum_{j live, i in A_j} u_j . (x_i, 1) = (P t)_i, so on the cell

    L(theta) = F(phi(theta)),   F(t) = |P t - y|^2,   phi(theta) = (v_j (w_j, b_j); c),

and this holds whatever the signs of the v_j. F is a convex quadratic; when G = P^T P is
invertible its minimiser t* solves G t* = P^T y. The exact t* of a large problem has
numerators and denominators of thousands of digits; this module proves, in exact integer
arithmetic, a bound |t* - t_c|_inf <= eps for the short rational t_c = phi(theta):

Equal columns of P (units active at the same points, or a unit active at every point, whose b
column is c's) are merged first: F depends on t only through the sums s of the coordinates of
equal columns, F(t) = |P_S s - y|^2, and the argument below runs in s (with t* := the
centre's coordinates except that each merged group's first one takes s*: one of the minimisers
of F, which form an affine set). Columns still dependent (units with complementary active
sets, say) are *fixed*: each is proved an exact rational combination of the others B
(:func:`dependencies_hold`), so range(P_B) = range(P) and min F is attained with the fixed
coordinates at the centre's values; the argument then runs in t_B.

* with R any matrix (a float inverse of G), C = I - R G is computed exactly; if
  alpha = ||C||_inf < 1, then G is invertible (R G = I - C is) and from
  e = t* - t_c = R G e + C e, |e|_inf <= |R (G t* - G t_c)|_inf / (1 - alpha), where
  G t* - G t_c = P^T y - G t_c is an exact residual (Rump's verification of a linear system).

Then theta* = (u*_j / v_j for each live unit, the dead units and every v_j as in theta, c*) is
within max-norm eps max(1, 1 / |v_j|) of theta, and each pre-activation of a live unit moves
by at most eps |(x_i, 1)|_1 / |v_j| (z*_ij - z_ij = (x_i, 1) . (u*_j - u_j) / v_j): if that is
below |z_ij|, theta* has the pattern S, so L(theta*) = F(t*) = min F <= L(theta') for every
theta' of the same pattern, in particular on the max-norm ball where no pre-activation changes
sign: theta* is a local minimum. Its loss lies in [F(t_c) - eps^2 sum_kl |G_kl|, F(t_c)]
(F(t_c) = F(t*) + e^T G e, and F(t_c) = L(theta)).

The integer forms: the inputs and targets are scaled to integers, X1 = (x, 1) Lx and Y = y Ly;
P_int = P Lx, G_int = P_int^T P_int = G Lx^2, h_int = P_int^T Y = P^T y Lx Ly; t_c = T / D.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ...errors import require
from ...exact import intmat
from ...exact.datasets import Dataset
from ...exact.shallow_relu import ShallowReLU

__all__ = ["Cell", "Enclosed", "cell_of", "contraction", "dependencies_hold",
           "distinct_columns", "enclose", "find_fixed", "normal_equations"]

R_BITS = 40  # bits kept of each row of the float inverse R (only its quality depends on it)


@dataclass
class Cell:
    """The activation cell of a point: pattern, live and dead units, and the integer data."""

    pattern: np.ndarray  # (n, m) bool, z_ij > 0
    live: list[int]
    dead: list[int]
    zero_at: tuple[int, int] | None  # a pair (unit, point) with z_ij = 0 exactly, if any
    silent: int | None  # a live unit with v_j = 0, if any (the cell argument needs v_j != 0)
    X1: np.ndarray  # (n, d + 1) integers, (x_i, 1) Lx
    Lx: int
    Y: list[int]  # y Ly
    Ly: int
    reach: list[Fraction]  # per unit j: min_i |z_ij| / |(x_i, 1)|_1 ([] on a kink)

    @property
    def unknowns(self) -> int:
        return len(self.live) * self.X1.shape[1] + 1

    def margin(self, v: tuple[Fraction, ...]) -> Fraction | None:
        """min over live units of reach_j |v_j|: theta* stays in the cell when eps is below."""
        return min((self.reach[j] * abs(v[j]) for j in self.live), default=None) \
            if self.reach else None

    def radius(self, v: tuple[Fraction, ...], eps: Fraction) -> Fraction | None:
        """Half of min_j (reach_j - eps / |v_j| for a live unit): on the max-norm ball of this
        radius around theta* no pre-activation changes sign (None on a kink)."""
        if not self.reach:
            return None
        live = set(self.live)
        return min(r - (eps / abs(v[j]) if j in live else 0)
                   for j, r in enumerate(self.reach)) / 2


def _integers(values: list[Fraction]) -> tuple[list[int], int]:
    den = math.lcm(*(t.denominator for t in values)) if values else 1
    return [t.numerator * (den // t.denominator) for t in values], den


def _column_minima(nums: np.ndarray, dens: np.ndarray) -> list[Fraction]:
    """min_i nums[i, j] / dens[i, j] for every column j (positive integers, object arrays),
    exactly: floats (each quotient correctly rounded, within a factor 1 +- 2^-52 of the true
    one) choose the few candidates of each column, which are then compared as fractions."""
    approx = np.array([a / b for a, b in zip(nums.ravel().tolist(), dens.ravel().tolist(),
                                             strict=True)]).reshape(nums.shape)
    out = []
    for j in range(nums.shape[1]):
        col = approx[:, j]
        near = np.flatnonzero(col <= float(np.min(col)) * (1 + 2.0**-48))
        out.append(min(Fraction(int(nums[i, j]), int(dens[i, j])) for i in near))
    return out


def cell_of(params: ShallowReLU, dataset: Dataset) -> Cell:
    """The cell of ``params`` (module docstring), its integer data and its margins."""
    table = params.preactivation_table(dataset)
    num = np.array(table.num, dtype=object).reshape(dataset.n, params.m)
    pattern = num > 0
    zero = np.argwhere(num == 0)
    live = [j for j in range(params.m) if pattern[:, j].any()]
    dead = [j for j in range(params.m) if not pattern[:, j].any()]
    flat, Lx = _integers([t for x in dataset.X for t in (*x, Fraction(1))])
    X1 = np.array(flat, dtype=object).reshape(dataset.n, dataset.d + 1)
    if intmat.max_abs(X1) < intmat.INT_SAFE:
        X1 = X1.astype(np.int64)
    Y, Ly = _integers(list(dataset.y))
    silent = next((j for j in live if params.v[j] == 0), None)
    zero_at = (int(zero[0][1]), int(zero[0][0])) if len(zero) else None
    reach: list[Fraction] = []
    if zero_at is None and silent is None:
        # |z_ij| / |(x_i, 1)|_1 = |num_ij| Lx / (row_den_i |X1_i|_1 col_den_j)
        norm1 = np.array([int(s) for s in np.abs(X1).sum(axis=1)], dtype=object)
        rows = np.array(table.row_den, dtype=object) * norm1
        cols = np.array(table.col_den, dtype=object)
        reach = _column_minima(np.abs(num) * Lx, rows[:, None] * cols[None, :])
    return Cell(pattern, live, dead, zero_at, silent, X1, Lx, Y, Ly, reach)


def design(cell: Cell) -> np.ndarray:
    """P_int: for each live unit its columns X1 masked by its active points, then Lx (c)."""
    n = cell.X1.shape[0]
    blocks = [cell.X1 * cell.pattern[:, j:j + 1] for j in cell.live]
    ones = np.full((n, 1), cell.Lx, dtype=cell.X1.dtype)
    return np.concatenate([*blocks, ones], axis=1) if blocks else ones


def centre_coordinates(params: ShallowReLU, cell: Cell) -> tuple[list[int], int]:
    """(T, D) with t_c = phi(params) = T / D: (v_j w_j, v_j b_j) per live unit, then c."""
    t = [params.v[j] * a for j in cell.live for a in params.unit(j)] + [params.c]
    return _integers(t)


def distinct_columns(P: np.ndarray) -> list[int]:
    """owner[k]: the first column of P equal to column k. Equal columns (units active at the
    same points; a unit active at every point, whose b column is c's) make G singular; they
    are merged: F depends on t only through s_k = sum of t over the columns k owns."""
    first: dict[bytes | tuple[int, ...], int] = {}
    cols = np.ascontiguousarray(P.T)
    return [first.setdefault(col.tobytes() if P.dtype != object else tuple(col.tolist()), k)
            for k, col in enumerate(cols)]


@dataclass(frozen=True)
class NormalEquations:
    """In the coordinates s_B: the columns B of P that are neither merged into an equal one
    (:func:`distinct_columns`) nor ``fixed`` (exact combinations of the others,
    :func:`dependencies_hold`): G_int = P_B^T P_B, h_int = P_B^T Y and the exact residual
    rho = Lx D h_int - Ly P_B^T (P_int T) (= (Lx^2 Ly D) times P_B^T (y - P t_c))."""

    G: np.ndarray
    h: list[int]
    rho: list[int]
    scale: int  # Ly D: G_int (s*_B - s_c,B) = rho / scale
    merged: int  # columns merged into an equal one
    fixed: tuple[int, ...] = ()  # design columns kept at the centre's value (0-based)


def _matvec(A: np.ndarray, x: list[int]) -> list[int]:
    return intmat.matvec(A, x) if A.dtype != object else \
        [int(s) for s in A.dot(np.array(x, dtype=object))]


def normal_equations(cell: Cell, T: list[int], D: int, fixed: tuple[int, ...] = ()
                     ) -> NormalEquations:
    """The normal equations of the centre T / D in the columns B (class docstring); ``fixed``
    must be columns that own their group of equal columns."""
    P = design(cell)
    owner = distinct_columns(P)
    owners = set(owner)
    require(all(k in owners for k in fixed), f"fixed columns {[k + 1 for k in fixed]} are not "
            "all distinct columns of the design")
    keep = sorted(owners - set(fixed))
    PT = _matvec(P, T)  # P_int T = P t_c (Lx D), whatever is merged or fixed
    PB = np.ascontiguousarray(P[:, keep])
    G = intmat.gram(PB)
    PBt = np.ascontiguousarray(PB.T)
    h = _matvec(PBt, cell.Y)
    GT = _matvec(PBt, PT)
    rho = [cell.Lx * D * a - cell.Ly * b for a, b in zip(h, GT, strict=True)]
    return NormalEquations(G, h, rho, cell.Ly * D, len(owner) - len(owners), tuple(fixed))


def find_fixed(cell: Cell) -> tuple[int, ...]:
    """Distinct design columns that floats find to be combinations of the others (QR with
    column pivoting; only a guess: :func:`dependencies_hold` proves it or not)."""
    import scipy.linalg  # only for a singular cell

    P = design(cell)
    owners = sorted(set(distinct_columns(P)))
    Pf = P[:, owners].astype(np.float64)
    Pf /= np.maximum(np.linalg.norm(Pf, axis=0), 1e-300)
    _, R, piv = scipy.linalg.qr(Pf, mode="economic", pivoting=True)
    diag = np.abs(np.diag(R))
    rank = int(np.sum(diag > 1e-9 * max(float(diag[0]) if len(diag) else 0.0, 1e-300)))
    return tuple(sorted(owners[k] for k in piv[rank:]))


def dependencies_hold(cell: Cell, fixed: tuple[int, ...]) -> bool:
    """Every fixed column p_k of the design is exactly P_B z_k (B the distinct columns not
    fixed), for rational z_k found by floats and checked in integers: then range(P_B) =
    range(P), and min F is attained with the fixed coordinates at any value."""
    if not fixed:
        return True
    P = design(cell)
    keep = sorted(set(distinct_columns(P)) - set(fixed))
    PB = np.ascontiguousarray(P[:, keep])
    Z = np.linalg.lstsq(PB.astype(np.float64), P[:, list(fixed)].astype(np.float64),
                        rcond=None)[0]
    for col, k in enumerate(fixed):
        z = [Fraction(float(a)).limit_denominator(10**6) for a in Z[:, col]]
        den = math.lcm(*(t.denominator for t in z))
        lhs = _matvec(PB, [t.numerator * (den // t.denominator) for t in z])
        if any(a != den * int(b) for a, b in zip(lhs, P[:, k].tolist(), strict=True)):
            return False
    return True


def _float_inverse(G: np.ndarray) -> np.ndarray | None:
    """A float inverse of G (any matrix would do: it only decides whether the test passes)."""
    try:
        Gf = G.astype(np.float64)
        R = np.linalg.inv(Gf)
    except (np.linalg.LinAlgError, OverflowError):
        return None
    return R if np.all(np.isfinite(R)) else None


def _scaled_rows(R: np.ndarray) -> tuple[np.ndarray, list[int]] | None:
    """R_int and exponents E >= 0 with R ~ diag(2^-E) R_int, |R_int| < 2^R_BITS per row (more
    for a row of R beyond 2^R_BITS; None beyond 2^61: G is then numerically singular)."""
    top = np.max(np.abs(R), axis=1)
    top[top == 0] = 1.0
    if float(np.max(top)) >= 2.0**61:
        return None
    E = [max(0, R_BITS - int(math.frexp(float(t))[1])) for t in top]
    scaled = np.ldexp(R, np.array(E)[:, None])
    return np.rint(scaled).astype(np.int64), E


def _row_abs_sums(C: np.ndarray) -> list[int]:
    """sum_k |C_ik| per row, exactly: in int64 when every entry and sum fits (the usual case:
    C = diag(2^E) - R G is small), else in Python integers."""
    q = C.shape[1]
    try:
        small = C.astype(np.int64)
    except OverflowError:
        small = None
    if small is not None and q * intmat.max_abs(small) < intmat.INT_SAFE:
        return [int(s) for s in np.abs(small).sum(axis=1)]
    return [sum(abs(int(a)) for a in row) for row in C.tolist()]


@dataclass(frozen=True)
class Enclosed:
    """alpha = ||I - R G||_inf and beta = |R rho / scale|_inf, exact; |t* - t_c|_inf <=
    beta / (1 - alpha) when alpha < 1."""

    alpha: Fraction
    beta: Fraction


def contraction(eq: NormalEquations) -> Enclosed | None:
    """The exact alpha and beta of :class:`Enclosed` for a float inverse R of G (None when
    G has no float inverse)."""
    R = _float_inverse(eq.G)
    scaled = None if R is None else _scaled_rows(R)
    if scaled is None:
        return None
    R_int, E = scaled
    C = None  # diag(2^E) - R_int G, exactly
    if eq.G.dtype != object:
        C = intmat.diag_minus_product([1 << e for e in E], R_int, eq.G)
    if C is None:
        C = -intmat.matmul(R_int, eq.G).astype(object)
        for i, e in enumerate(E):
            C[i, i] = int(C[i, i]) + (1 << e)
    sums = _row_abs_sums(C)
    alpha = max((Fraction(s, 1 << e) for s, e in zip(sums, E, strict=True)),
                default=Fraction(0))
    Rrho = intmat.matvec(R_int, eq.rho)
    beta = max((Fraction(abs(a), 1 << e) for a, e in zip(Rrho, E, strict=True)),
               default=Fraction(0)) / eq.scale
    return Enclosed(alpha, beta)


def enclose(params: ShallowReLU, dataset: Dataset,
            step: Callable[[str], None] = lambda text: None,
            fixed: tuple[int, ...] | None = ()
            ) -> tuple[Cell, NormalEquations | None, Enclosed | None]:
    """The cell of ``params``, its normal equations and their contraction (None where the
    cell is not one this argument covers: a zero pre-activation, a live unit with v_j = 0).
    ``fixed`` None: when G is singular or too ill-conditioned, look for columns to fix
    (:func:`find_fixed`; the caller proves them with :func:`dependencies_hold`). ``step`` is
    told each step (a progress bar's text)."""
    step("the cell and its margins")
    cell = cell_of(params, dataset)
    if not cell.reach:
        return cell, None, None
    step("normal equations")
    T, D = centre_coordinates(params, cell)
    eq = normal_equations(cell, T, D, fixed or ())
    step(f"contraction (I - R G exactly, q = {eq.G.shape[0]})")
    enc = contraction(eq)
    if fixed is None and (enc is None or enc.alpha >= Fraction(1, 16)):
        found = find_fixed(cell)
        if found:
            step(f"contraction with {len(found)} dependent column(s) fixed")
            eq = normal_equations(cell, T, D, found)
            enc = contraction(eq)
    return cell, eq, enc


def gram_sum(G: np.ndarray, Lx: int) -> Fraction:
    """sum_kl |G_kl| of G = G_int / Lx^2, exactly."""
    total = int(np.abs(G).sum()) if G.dtype != object else sum(abs(int(a)) for a in G.ravel())
    return Fraction(total, Lx * Lx)


def check_cell(cell: Cell) -> None:
    require(cell.zero_at is None, f"pre-activation (unit {1 + (cell.zero_at or (0, 0))[0]}, "
            f"point {1 + (cell.zero_at or (0, 0))[1]}) is exactly 0: the point is on a kink, "
            "which the cell argument does not cover")
    require(cell.silent is None, f"unit {1 + (cell.silent or 0)} is active on some point but "
            "has v = 0: the cell argument needs v_j != 0 for every live unit")
