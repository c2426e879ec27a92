"""Exact bounds of Proposition 5 (Appendix B.2): the distributions of weights and biases
(:class:`Law`), the printed bound and its correction, their values at given widths, and the
limit analysis when the width grows with the depth (docs/bounds.md proves each).

Conventions as in :mod:`.bounds`: k = number of hidden layers (widths h_1..h_k); the layers
j > 1 are j = 2..k, i.e. k - 1 of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from typing import Any

import mpmath
import sympy

from ...errors import InvalidArgument, InvalidNumberError, ShapeError
from ...exact.numbers import exact
from .bounds import _dps, _positive_int, a, c, h, k, phi, to_mpf

__all__ = [
    "Law",
    "Prop5Limit",
    "critical_width",
    "prop5_corrected",
    "prop5_corrected_widths",
    "prop5_limit",
    "prop5_printed",
    "prop5_printed_alt",
    "prop5_value",
]


@dataclass(frozen=True)
class Law:
    """A one-dimensional distribution with exact parameters: normal, uniform, or a point mass.

    ``variance`` for normal laws, ``low``/``high`` for uniform ones, ``value`` for point masses.
    """

    kind: str
    mean: Fraction = Fraction(0)
    variance: Fraction = Fraction(0)
    low: Fraction = Fraction(0)
    high: Fraction = Fraction(0)

    @staticmethod
    def normal(mean: Any = 0, variance: Any = 1) -> Law:
        m, v = exact(mean, "mean"), exact(variance, "variance")
        if v <= 0:
            raise InvalidNumberError(f"variance={variance!r} must be > 0 for a normal law.")
        return Law("normal", m, v)

    @staticmethod
    def uniform(low: Any, high: Any) -> Law:
        lo, hi = exact(low, "low"), exact(high, "high")
        if not lo < hi:
            raise InvalidNumberError(f"low={low!r} must be < high={high!r}.")
        return Law("uniform", (lo + hi) / 2, (hi - lo) ** 2 / 12, lo, hi)

    @staticmethod
    def point(value: Any = 0) -> Law:
        v = exact(value, "value")
        return Law("point", v, Fraction(0), v, v)

    def cdf0(self) -> sympy.Expr:
        """P(X <= 0), exactly."""
        if self.kind == "normal":
            return phi(-_rat(self.mean) / sympy.sqrt(_rat(self.variance)))
        if self.kind == "uniform":
            frac = (-self.low) / (self.high - self.low)
            return _rat(min(max(frac, Fraction(0)), Fraction(1)))
        if self.kind == "point":
            return sympy.Integer(1 if self.mean <= 0 else 0)
        raise InvalidArgument(f"kind={self.kind!r} is not normal, uniform or point.")

    def __str__(self) -> str:
        if self.kind == "normal":
            return f"N({self.mean}, {self.variance})"
        if self.kind == "uniform":
            return f"U({self.low}, {self.high})"
        return f"delta({self.mean})"


def _rat(q: Fraction) -> sympy.Rational:
    return sympy.Rational(q.numerator, q.denominator)


# --- Proposition 5 -----------------------------------------------------------------------

def prop5_printed() -> sympy.Expr:
    """Appendix B.2 as printed, read as the reviewer reads it (the stray parenthesis closes
    ``(1 - cdf_b(0)^h cdf_W(0))``): 1 - ((1 - c^h a)^(h^2))^(k-1)."""
    return 1 - ((1 - c**h * a) ** (h**2)) ** (k - 1)


def prop5_printed_alt() -> sympy.Expr:
    """The other way to balance the printed parentheses: 1 - (1 - c^h a^(h^2))^(k-1).

    It coincides with :func:`prop5_corrected` (the missing parenthesis is before cdf_W)."""
    return 1 - (1 - c**h * a ** (h**2)) ** (k - 1)


def prop5_corrected() -> sympy.Expr:
    """Corrected bound (proved in docs/bounds.md), biases included, k hidden layers of width h:

    P(some hidden layer j in 2..k is inactive on every input) >= 1 - (1 - a^(h^2) c^h)^(k-1),
    a = P(w <= 0), c = P(b <= 0)."""
    return 1 - (1 - a ** (h**2) * c**h) ** (k - 1)


def prop5_corrected_widths(widths: Sequence[int], weight: Law, bias: Law) -> sympy.Expr:
    """The corrected bound for hidden widths h_1..h_k (any widths), exactly:

    1 - prod_{j=2..k} (1 - a^(h_{j-1} h_j) c^(h_j)).

    >>> prop5_corrected_widths([2, 2], Law.normal(0, 1), Law.point(0))
    1/16
    """
    ws = [_positive_int(w, f"widths[{i}]") for i, w in enumerate(_seq(widths, "widths"))]
    if len(ws) < 2:
        raise ShapeError(f"widths={list(widths)!r} needs at least 2 hidden layers.")
    aw, cb = weight.cdf0(), bias.cdf0()
    prod = sympy.Integer(1)
    for prev, cur in pairwise(ws):
        prod *= 1 - aw ** (prev * cur) * cb**cur
    return sympy.simplify(1 - prod) if prod.is_Rational else 1 - prod


def prop5_value(width: int, hidden_layers: int, weight: Law, bias: Law, *,
                printed: bool = False, dps: int = 30) -> mpmath.mpf:
    """The corrected (or, with ``printed=True``, the printed) bound as an mpmath number at
    ``dps`` digits, without expanding huge rational powers: 1 - exp((k-1) log1p(-q)).

    >>> print(mpmath.nstr(prop5_value(2, 2, Law.normal(0, 1), Law.point(0)), 10))
    0.0625
    """
    hw = _positive_int(width, "width")
    kk = _positive_int(hidden_layers, "hidden_layers", minimum=2)
    with mpmath.workdps(_dps(dps)):
        aw = to_mpf(weight.cdf0(), "cdf_W(0)")
        cb = to_mpf(bias.cdf0(), "cdf_b(0)")
        if printed:
            expo = (kk - 1) * hw * hw * mpmath.log1p(-(cb**hw) * aw)
        else:
            expo = (kk - 1) * mpmath.log1p(-(aw ** (hw * hw)) * cb**hw)
        return +(-mpmath.expm1(expo))


def _seq(values: Any, name: str) -> list[Any]:
    if isinstance(values, (str, bytes)):
        raise ShapeError(f"{name}={values!r} must be a sequence of integers.")
    try:
        return list(values)
    except TypeError:
        raise ShapeError(f"{name}={values!r} must be a sequence of integers.") from None


def critical_width(k_value: sympy.Expr, a_value: Any, c_value: Any) -> sympy.Expr:
    """The width h*(k) at which (k-1) a^(h^2) c^h = 1 (positive root of a quadratic in h):

    h* = (-ln(1/c) + sqrt(ln(1/c)^2 + 4 ln(1/a) ln(k-1))) / (2 ln(1/a)),  ~ sqrt(log_{1/a} k).
    """
    A = sympy.log(1 / sympy.sympify(a_value))
    C = sympy.log(1 / sympy.sympify(c_value))
    L = sympy.log(sympy.sympify(k_value) - 1)
    return (-C + sympy.sqrt(C**2 + 4 * A * L)) / (2 * A)


@dataclass(frozen=True)
class Prop5Limit:
    """Limit of the corrected bound along a width schedule h(k) as the depth k -> oo.

    ``exponent_limit`` is lim (ln(k-1) + h(k)^2 ln a + h(k) ln c), i.e. lim ln((k-1) q(h(k)))
    with q = a^(h^2) c^h; the bound tends to 1 - exp(-exp(exponent_limit)) (1 if +oo, 0 if -oo).
    """

    width: sympy.Expr
    a: sympy.Expr
    c: sympy.Expr
    exponent_limit: sympy.Expr
    bound_limit: sympy.Expr | None  # None: undecided (sympy could not find the limit)
    reason: str


def prop5_limit(width: Any, a_value: Any, c_value: Any) -> Prop5Limit:
    """The limit of 1 - (1 - a^(h^2) c^h)^(k-1) as k -> oo with h = width(k) (a sympy expr in k).

    Proof in docs/bounds.md: if h(k) is bounded the bound -> 1 (q bounded away from 0 along
    the sequence); otherwise q -> 0, ln(1 - q) ~ -q, and the bound's limit is
    1 - exp(-lim (k-1) q).

    >>> prop5_limit(3, sympy.Rational(1, 2), sympy.Rational(1, 2)).bound_limit
    1
    >>> prop5_limit(sympy.log(k), sympy.Rational(1, 2), sympy.Rational(1, 2)).bound_limit
    0
    """
    hk = sympy.sympify(width)
    av, cv = sympy.sympify(a_value), sympy.sympify(c_value)
    if not (av.is_positive and (av < 1) == sympy.true):
        raise InvalidNumberError(f"a_value={a_value!r} must satisfy 0 < a < 1.")
    if not (cv.is_positive and (cv <= 1) == sympy.true):
        raise InvalidNumberError(f"c_value={c_value!r} must satisfy 0 < c <= 1.")
    expo = sympy.log(k - 1) + hk**2 * sympy.log(av) + hk * sympy.log(cv)
    try:
        simple = sympy.simplify(expo)  # the critical schedule makes it constant (0)
        lim = simple if not simple.has(k) else sympy.limit(expo, k, sympy.oo)
    except (NotImplementedError, ValueError) as exc:  # sympy gives up on some schedules
        return Prop5Limit(hk, av, cv, sympy.nan, None, f"undecided: sympy limit failed ({exc})")
    if lim is sympy.oo:
        return Prop5Limit(hk, av, cv, lim, sympy.Integer(1),
                          "(k-1) q(h(k)) -> oo, so (1 - q)^(k-1) -> 0")
    if lim is -sympy.oo:
        return Prop5Limit(hk, av, cv, lim, sympy.Integer(0),
                          "(k-1) q(h(k)) -> 0, so (1 - q)^(k-1) -> 1")
    if lim.is_real and lim.is_finite:
        return Prop5Limit(hk, av, cv, lim, 1 - sympy.exp(-sympy.exp(lim)),
                          "(k-1) q(h(k)) -> exp(limit), a Poisson-type limit")
    return Prop5Limit(hk, av, cv, lim, None, f"undecided: the exponent's limit is {lim}")
