"""Rigorous ball arithmetic for smooth objectives: enclosures, Krawczyk, positive definiteness.

The numbers here are python-flint ``arb`` balls (midpoint and radius, outward-rounded at every
operation): a ball computed from balls contains the exact result for every choice of points in
the inputs. So evaluating a gradient or a Hessian with the parameters set to the *box*
``centre +- radius`` encloses its range over the whole box. On top of that, three tests:

* :func:`krawczyk`: the Krawczyk operator K(X) = c - Y g(c) + (I - Y H(X)) (X - c), for the
  gradient g and an enclosure H(X) of its Jacobian (the Hessian) over the box X. If
  K(X) lies in the interior of X, then X holds exactly one zero of g (Krawczyk 1969,
  Moore 1977, Rump 1983), and that zero lies in K(X). Y is any matrix (a float inverse of the
  midpoint Hessian): it only affects whether the test succeeds, never its soundness.
* :func:`positive_definite`: every symmetric matrix in a ball matrix H is positive definite if
  B = Q^T H Q passes the Gershgorin test (positive diagonal lower bounds larger than the upper
  bounds of the off-diagonal absolute row sums). Q is any square matrix (float eigenvectors
  scaled so that B is near the identity); Q^T H Q positive definite for a singular Q is
  impossible, so no separate check of Q is needed (Sylvester's law of inertia).
* :func:`quadratic_form`: an enclosure of u^T H u for an exact direction u (negative curvature).

Preconditioners (Y, Q) are exact matrices: float64 ones first, then (when the test fails with
them, e.g. for a Hessian with condition number beyond 1e13) ones computed at the working
precision (:func:`arb_inverse`, :func:`cholesky_congruence`); the proofs hold for any of them.

python-flint is optional for the library (``pip install "relu-minima[smooth]"``); this module
raises :class:`IntervalBackendMissing` when it is needed and absent.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Protocol

import numpy as np

from ...errors import MissingDependency
from ...exact.enclosure import decimal_str

__all__ = [
    "DEFAULT_PRECISION",
    "BoxObjective",
    "IntervalBackendMissing",
    "KrawczykResult",
    "PDResult",
    "arb_inverse",
    "ball",
    "box_balls",
    "cholesky_congruence",
    "decimal_down",
    "decimal_str",
    "decimal_up",
    "flint_module",
    "fraction_of",
    "krawczyk",
    "lower_fraction",
    "positive_definite",
    "precision",
    "quadratic_form",
    "sci",
    "taylor_enclosure",
    "upper_fraction",
]

DEFAULT_PRECISION = 128  # bits of the ball midpoints (about 38 decimal digits)


class IntervalBackendMissing(MissingDependency):
    """python-flint (rigorous ball arithmetic) is needed for smooth-network certificates."""


def flint_module() -> Any:
    """The ``flint`` module, or :class:`IntervalBackendMissing` with the install command."""
    try:
        import flint
    except ImportError:
        raise IntervalBackendMissing(
            "certificates for sigmoid/tanh networks use python-flint's rigorous ball "
            "arithmetic (arb), which is not installed; run pip install \"relu-minima[smooth]\" "
            "(or pip install python-flint); see docs/smooth.md."
        ) from None
    return flint


@contextmanager
def precision(bits: int) -> Iterator[Any]:
    """Run the block with flint's working precision set to ``bits`` (restored afterwards)."""
    flint = flint_module()
    old = flint.ctx.prec
    flint.ctx.prec = bits
    try:
        yield flint
    finally:
        flint.ctx.prec = old


# -- conversions (exact in both directions) --------------------------------------------------
def ball(value: Fraction | int) -> Any:
    """The ball of the current precision containing the exact rational ``value``."""
    flint = flint_module()
    q = Fraction(value)
    return flint.arb(flint.fmpq(q.numerator, q.denominator))


def _round_up_float(q: Fraction) -> float:
    f = float(q)
    return f if Fraction(f) >= q else math.nextafter(f, math.inf)


def box_balls(centre: Sequence[Fraction], radius: Fraction) -> list[Any]:
    """Balls containing the box centre_k +- radius (max norm), one per coordinate."""
    flint = flint_module()
    if radius == 0:
        return [ball(c) for c in centre]
    spread = flint.arb(0, _round_up_float(Fraction(radius)))
    return [ball(c) + spread for c in centre]


def fraction_of(x: Any) -> Fraction:
    """The exact value of an exact ball (radius 0), e.g. ``x.mid()`` or ``x.upper()``."""
    man, exp = x.man_exp()
    man, exp = int(man), int(exp)
    return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)


def upper_fraction(x: Any) -> Fraction:
    """An exact rational >= every point of the ball ``x`` (which must be finite)."""
    _finite(x)
    return fraction_of(x.upper())


def lower_fraction(x: Any) -> Fraction:
    """An exact rational <= every point of the ball ``x`` (which must be finite)."""
    _finite(x)
    return fraction_of(x.lower())


def _finite(x: Any) -> None:
    if not x.is_finite():
        raise ArithmeticError(f"the ball {x} is not finite: the enclosure blew up")


def decimal_up(q: Fraction, digits: int = 30) -> Fraction:
    """The least decimal with ``digits`` significant digits that is >= q (for storage)."""
    return -decimal_down(-q, digits)


def decimal_down(q: Fraction, digits: int = 30) -> Fraction:
    """The greatest decimal with ``digits`` significant digits that is <= q (for storage)."""
    if q == 0:
        return Fraction(0)
    e = math.floor(math.log10(abs(q.numerator)) - math.log10(q.denominator)) - digits + 1
    scale = Fraction(10) ** e
    return Fraction(math.floor(q / scale)) * scale


def sci(q: Fraction, digits: int = 3) -> str:
    """``q`` in scientific notation with ``digits`` decimals, for messages: never a float
    conversion, so a bound of 10^400 (a test that blew up) prints instead of overflowing.
    Not rounded outward: proof texts use :mod:`.proof_text`'s ``at_most`` / ``at_least``."""
    q = Fraction(q)
    if q == 0:
        return f"{0:.{digits}e}"
    e = math.floor(math.log10(abs(q.numerator)) - math.log10(q.denominator))
    mantissa = float(q / Fraction(10) ** e)  # in [1, 10) up to the logarithm's rounding
    if abs(mantissa) >= 10:
        mantissa, e = mantissa / 10, e + 1
    elif abs(mantissa) < 1:
        mantissa, e = mantissa * 10, e - 1
    if abs(float(f"{mantissa:.{digits}f}")) >= 10:  # 9.9999 shown as 1.000e+01, not 10.000
        mantissa, e = mantissa / 10, e + 1
    return f"{mantissa:.{digits}f}e{e:+03d}"


# -- the objectives the tests run on --------------------------------------------------------
class BoxObjective(Protocol):
    """A C^2 function of n variables with float derivatives and ball enclosures over boxes."""

    n: int

    def float_derivatives(self, theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """(value, gradient, Hessian) in float64 at ``theta`` (evidence for preconditioners)."""
        ...

    def ball_derivatives(self, centre: Sequence[Fraction], radius: Fraction, order: int = 2
                         ) -> tuple[Any, Any, Any]:
        """Enclosures (value, gradient as n x 1 arb_mat, Hessian as n x n arb_mat or None for
        order < 2) over the box centre +- radius, at the current flint precision."""
        ...


def _arb_matrix(A: np.ndarray) -> Any:
    """A float matrix as an exact arb_mat (floats are dyadic rationals)."""
    flint = flint_module()
    return flint.arb_mat([[flint.arb(float(t)) for t in row] for row in np.asarray(A)])


def _mid_floats(M: Any) -> np.ndarray:
    rows, cols = M.nrows(), M.ncols()
    return np.array([float(e.mid()) for e in M.entries()], dtype=float).reshape(rows, cols)


# -- Krawczyk --------------------------------------------------------------------------------
@dataclass(frozen=True)
class KrawczykResult:
    """The outcome of one Krawczyk test on the box centre +- radius.

    ``offsets[k]`` encloses K(X)_k - centre_k; ``image_bound`` >= max_k |K(X)_k - centre_k|
    (exact rational, rounded up); ``inside`` means image_bound < radius, so the box holds
    exactly one zero of the gradient. ``contraction`` >= ||I - Y H(X)||_inf, ``step`` >=
    ||Y g(centre)||_inf.
    """

    inside: bool
    image_bound: Fraction
    contraction: Fraction
    step: Fraction
    offsets: tuple[Any, ...]
    hessian: Any
    value: Any
    gradient: Any


def newton_preconditioner(H: np.ndarray) -> np.ndarray | None:
    """A float inverse of ``H`` (None if it is singular to working accuracy)."""
    try:
        Y = np.linalg.inv(H)
    except np.linalg.LinAlgError:
        return None
    return Y if np.all(np.isfinite(Y)) else None


def arb_inverse(M: Any) -> Any | None:
    """An exact matrix close to the inverse of mid(M), computed at the working precision (for
    Hessians too ill-conditioned for a float inverse); None if mid(M) is not invertible."""
    try:
        return M.mid().inv().mid()
    except (ZeroDivisionError, ValueError):
        return None


def krawczyk(objective: BoxObjective, centre: Sequence[Fraction], radius: Fraction,
             Y: np.ndarray | None = None) -> KrawczykResult:
    """The Krawczyk test for a zero of the gradient in the box ``centre +- radius``.

    Run inside :func:`precision`. ``Y`` defaults to the float inverse of the Hessian enclosure's
    midpoint, then (if the test fails with it) to its inverse at the working precision. The
    result's ``hessian`` is the enclosure H(X) over the box (reused by the positive-definiteness
    test); ``value``/``gradient`` are the thin enclosures at the centre.
    """
    value, grad, _ = objective.ball_derivatives(centre, Fraction(0), order=1)
    _, _, HX = objective.ball_derivatives(centre, radius, order=2)
    inf = Fraction(10**9)
    failed = KrawczykResult(False, inf, inf, inf, (), HX, value, grad)
    if Y is not None:
        return _krawczyk_with(_arb_matrix(Y), radius, value, grad, HX)
    Yf = newton_preconditioner(_mid_floats(HX))
    result = failed if Yf is None else _krawczyk_with(_arb_matrix(Yf), radius, value, grad, HX)
    if result.inside:
        return result
    Yh = arb_inverse(HX)
    return result if Yh is None else _krawczyk_with(Yh, radius, value, grad, HX)


def _krawczyk_with(Yb: Any, radius: Fraction, value: Any, grad: Any, HX: Any) -> KrawczykResult:
    flint = flint_module()
    n = HX.nrows()
    step = Yb * grad
    residual = flint.arb_mat(n, n)
    YH = Yb * HX
    for i in range(n):
        for j in range(n):
            residual[i, j] = (1 if i == j else 0) - YH[i, j]
    spread = flint.arb(0, _round_up_float(Fraction(radius)))
    offsets = []
    for i in range(n):
        row_sum = sum((residual[i, j].abs_upper() for j in range(n)), flint.arb(0))
        offsets.append(-step[i, 0] + row_sum * spread)
    try:
        image = max(upper_fraction(abs(o)) for o in offsets)
        contraction = max(upper_fraction(sum((residual[i, j].abs_upper() for j in range(n)),
                                             flint.arb(0))) for i in range(n))
        step_bound = max(upper_fraction(abs(step[i, 0])) for i in range(n))
    except ArithmeticError:
        inf = Fraction(10**9)
        return KrawczykResult(False, inf, inf, inf, tuple(offsets), HX, value, grad)
    return KrawczykResult(image < radius, image, contraction, step_bound, tuple(offsets), HX,
                          value, grad)


# -- positive definiteness ------------------------------------------------------------------
@dataclass(frozen=True)
class PDResult:
    """Gershgorin test on Q^T H Q: ``margin`` <= min_i (B_ii - sum_{k != i} |B_ik|) over the
    ball matrix B (exact rational, rounded down); positive means every symmetric matrix in
    H is positive definite. ``eigen_lower`` <= lambda_min(H) for every such matrix
    (margin / ||Q||_F^2, valid when margin > 0)."""

    positive: bool
    margin: Fraction
    eigen_lower: Fraction


def congruence_preconditioner(H: np.ndarray) -> np.ndarray | None:
    """Float Q with Q^T H Q close to the identity (eigenvectors over sqrt |eigenvalue|)."""
    if not np.all(np.isfinite(H)):
        return None
    lam, V = np.linalg.eigh((H + H.T) / 2)
    if np.any(lam == 0):
        return None
    return V / np.sqrt(np.abs(lam))


def positive_definite(H: Any, Q: np.ndarray | None = None) -> PDResult:
    """Prove every symmetric matrix in the ball matrix ``H`` positive definite, or fail.

    Run inside :func:`precision`. ``Q`` defaults to :func:`congruence_preconditioner` of the
    midpoint of ``H``, then (if the test fails with it) to the inverse transpose of a Cholesky
    factor of mid(H) computed at the working precision (:func:`cholesky_congruence`).
    """
    if Q is not None:
        return _gershgorin(H, _arb_matrix(Q))
    Qf = congruence_preconditioner(_mid_floats(H))
    result = PDResult(False, Fraction(-1), Fraction(0))
    if Qf is not None:
        result = _gershgorin(H, _arb_matrix(Qf))
    if result.positive:
        return result
    Qh = cholesky_congruence(H)
    return result if Qh is None else _gershgorin(H, Qh)


def cholesky_congruence(H: Any) -> Any | None:
    """Exact Q = L^-T for an approximate Cholesky factor L of mid(H) at the working precision,
    so that Q^T H Q is near the identity; None if a pivot is not positive (then mid(H) is not
    positive definite to working accuracy). Any Q would do for soundness."""
    flint = flint_module()
    n = H.nrows()
    M = H.mid()
    L = [[flint.arb(0)] * n for _ in range(n)]
    for j in range(n):
        pivot = M[j, j] - sum((L[j][k] * L[j][k] for k in range(j)), flint.arb(0))
        if not pivot > 0:
            return None
        L[j][j] = pivot.sqrt().mid()
        for i in range(j + 1, n):
            dot = sum((L[i][k] * L[j][k] for k in range(j)), flint.arb(0))
            L[i][j] = ((M[i, j] - dot) / L[j][j]).mid()
    Linv = arb_inverse(flint.arb_mat(L))
    return None if Linv is None else Linv.transpose()


def _gershgorin(H: Any, Qb: Any) -> PDResult:
    flint = flint_module()
    n = H.nrows()
    B = Qb.transpose() * H * Qb
    margins = []
    for i in range(n):
        off = sum((B[i, k].abs_upper() for k in range(n) if k != i), flint.arb(0))
        margins.append(B[i, i] - off)
    try:
        margin = min(lower_fraction(m) for m in margins)
    except ArithmeticError:
        return PDResult(False, Fraction(-1), Fraction(0))
    if margin <= 0:
        return PDResult(False, margin, Fraction(0))
    frob = sum((e * e for e in Qb.entries()), flint.arb(0))
    return PDResult(True, margin, lower_fraction(ball(margin) / frob))


def quadratic_form(H: Any, u: Sequence[Fraction]) -> Any:
    """An enclosure of u^T H u over every matrix in the ball matrix ``H`` (exact u)."""
    flint = flint_module()
    ub = flint.arb_mat([[ball(t)] for t in u])
    return (ub.transpose() * H * ub)[0, 0]


def taylor_enclosure(value: Any, grad: Any, HX: Any, offsets: Sequence[Any]) -> Any:
    """Enclose F(x*) from F(c), grad F(c) and H(X), for any x* with x* - c in ``offsets``.

    F(x*) = F(c) + g(c).D + D^T H(xi) D / 2 with xi on the segment [c, x*] (Lagrange
    remainder); the segment lies in the box X when both ends do, so H(xi) is in H(X).
    """
    flint = flint_module()
    n = len(offsets)
    D = flint.arb_mat([[o] for o in offsets])
    linear = sum((grad[i, 0] * offsets[i] for i in range(n)), flint.arb(0))
    return value + linear + (D.transpose() * HX * D)[0, 0] / 2
