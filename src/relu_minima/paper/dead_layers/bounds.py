"""Exact probability bounds of Proposition 4 (Appendix B.1, Eq. (3)) and Proposition 5
(Appendix B.2), their corrections, the Figure 6 inverse (smallest mean mu for probability p),
and the limit analysis of Proposition 5 when the width grows with the depth.

Every bound is a sympy expression; numbers come from mpmath at a stated precision
(``dps`` decimal digits). Conventions (docs/bounds.md explains and proves them):

* A 2-h-...-h-1 network with ``hidden_layers = K`` hidden layers of width h has K + 1 weight
  matrices: d x h, then K - 1 matrices h x h, then h x 1; so d*h + (K-1)*h**2 + h weights.
  The paper's exponent d*h + (k-2)*h**2 + h uses k = number of weight layers = K + 1.
* Proposition 5: k = number of hidden layers (widths h_1..h_k); the layers j > 1 are j = 2..k,
  i.e. k - 1 of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from typing import Any

import mpmath
import sympy

from ...errors import InvalidArgument, InvalidNumberError, ShapeError
from ...exact.numbers import exact

__all__ = [
    "INIT_SCHEMES",
    "Law",
    "Prop5Limit",
    "RequiredMean",
    "a",
    "c",
    "critical_width",
    "d",
    "h",
    "init_stds",
    "k",
    "mu",
    "phi",
    "prop4_exponent",
    "prop4_expression",
    "prop4_printed",
    "prop4_probability",
    "prop5_corrected",
    "prop5_corrected_widths",
    "prop5_limit",
    "prop5_printed",
    "prop5_printed_alt",
    "prop5_value",
    "required_mean",
    "sigma",
    "to_mpf",
]

mu, sigma = sympy.symbols("mu sigma", real=True)
d, h, k = sympy.symbols("d h k", positive=True, integer=True)
# a = cdf_W(0) = P(w <= 0), c = cdf_b(0) = P(b <= 0)
a, c = sympy.symbols("a c", positive=True)


def phi(x: sympy.Expr) -> sympy.Expr:
    """The standard normal cdf as an exact sympy expression: (1 + erf(x/sqrt 2)) / 2."""
    return (1 + sympy.erf(x / sympy.sqrt(2))) / 2


# --- Proposition 4 -----------------------------------------------------------------------

def prop4_printed() -> sympy.Expr:
    """Appendix B.1, deep case, as printed: (int_0^oo N(mu, sigma^2))^(dh + (k-2)h^2 + h)."""
    return phi(mu / sigma) ** (d * h + (k - 2) * h**2 + h)


def _positive_int(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            as_int = int(value) if exact(value, name) == int(value) else None
        except (TypeError, ValueError):
            as_int = None
        if as_int is None:
            raise InvalidNumberError(f"{name}={value!r} must be an integer >= {minimum}.")
        value = as_int
    if value < minimum:
        raise InvalidNumberError(f"{name}={value!r} must be an integer >= {minimum}.")
    return value


def prop4_exponent(d_in: int, width: int, hidden_layers: int) -> int:
    """Number of weights of a d-h-...-h-1 network with ``hidden_layers`` hidden layers.

    Counted layer by layer: d*h (input to first hidden), (K-1)*h*h (hidden to hidden),
    h (last hidden to the output).

    >>> prop4_exponent(2, 3, 1)
    9
    >>> prop4_exponent(2, 10_000, 100) == 2 * 10_000 + 99 * 10_000**2 + 10_000
    True
    """
    d_in = _positive_int(d_in, "d_in")
    width = _positive_int(width, "width")
    hidden_layers = _positive_int(hidden_layers, "hidden_layers")
    return d_in * width + (hidden_layers - 1) * width * width + width


INIT_SCHEMES = ("lecun", "lecun-fan-in", "xavier", "fixed")


def _layer_shapes(d_in: int, width: int, hidden_layers: int) -> list[tuple[int, int]]:
    return [(d_in, width)] + [(width, width)] * (hidden_layers - 1) + [(width, 1)]


def init_stds(
    scheme: str, d_in: int, width: int, hidden_layers: int, fixed_std: Any = Fraction(1, 100)
) -> tuple[tuple[sympy.Expr, int], ...]:
    """Exact (standard deviation, number of weights) per weight layer for an init scheme.

    ``lecun``: variance 1/h for every layer (Figure 6 caption, N(mu, 1/h));
    ``lecun-fan-in``: variance 1/fan_in (LeCun et al. 1998 as usually implemented);
    ``xavier``: variance 2/(fan_in + fan_out) per layer (Glorot & Bengio 2010; caption);
    ``fixed``: the given standard deviation (default 1/100) everywhere.
    Layers with the same standard deviation are merged.
    """
    return tuple((sympy.sqrt(sympy.Rational(var.numerator, var.denominator)), count)
                 for var, count in _variances(scheme, d_in, width, hidden_layers, fixed_std))


def _variances(scheme: str, d_in: int, width: int, hidden_layers: int, fixed_std: Any
               ) -> tuple[tuple[Fraction, int], ...]:
    """(variance, number of weights) per distinct variance (see :func:`init_stds`)."""
    if scheme not in INIT_SCHEMES:
        raise InvalidArgument(f"scheme={scheme!r} is not one of {INIT_SCHEMES}.")
    d_in = _positive_int(d_in, "d_in")
    width = _positive_int(width, "width")
    hidden_layers = _positive_int(hidden_layers, "hidden_layers")
    std_fixed = exact(fixed_std, "fixed_std")
    if std_fixed <= 0:
        raise InvalidNumberError(f"fixed_std={fixed_std!r} must be positive.")
    # Layers are merged by the denominator q that fixes their variance, before any Fraction
    # or square root: sympy.sqrt and Fraction hashing per layer dominated the Figure 6 sweeps.
    denominator: Callable[[int, int], int] = {
        "lecun": lambda fan_in, fan_out: width,
        "lecun-fan-in": lambda fan_in, fan_out: fan_in,
        "xavier": lambda fan_in, fan_out: fan_in + fan_out,
    }.get(scheme, lambda fan_in, fan_out: 1)
    merged: dict[int, int] = {}
    for fan_in, fan_out in _layer_shapes(d_in, width, hidden_layers):
        q = denominator(fan_in, fan_out)
        merged[q] = merged.get(q, 0) + fan_in * fan_out
    numerator = {"lecun": 1, "lecun-fan-in": 1, "xavier": 2}
    return tuple((Fraction(numerator[scheme], q) if scheme in numerator else std_fixed**2, count)
                 for q, count in merged.items())


def prop4_expression(
    scheme: str, d_in: int, width: int, hidden_layers: int, fixed_std: Any = Fraction(1, 100)
) -> sympy.Expr:
    """P(every weight > 0) as an exact sympy expression in ``mu`` (product over layers)."""
    out = sympy.Integer(1)
    for std, count in init_stds(scheme, d_in, width, hidden_layers, fixed_std):
        out *= phi(mu / std) ** count
    return out


def to_mpf(value: Any, name: str) -> mpmath.mpf:
    """An exact number (int, Fraction, string, sympy) as an mpmath number; floats refused."""
    if isinstance(value, mpmath.mpf):
        return value
    if isinstance(value, sympy.Basic) and not isinstance(value, sympy.Rational):
        if not value.is_real or value.free_symbols:
            raise InvalidNumberError(f"{name}={value!r} is not a real number.")
        return mpmath.mpf(sympy.N(value, mpmath.mp.dps + 10))
    q = exact(value, name)
    return mpmath.mpf(q.numerator) / q.denominator


def _log_prob_positive(mean: mpmath.mpf, variances: Sequence[tuple[Fraction, int]]
                       ) -> mpmath.mpf:
    """log P(every weight > 0) = sum over layers of count * log Phi(mean / std), with the
    standard deviations taken in mpmath (no sympy: the inner loop of the width sweeps)."""
    total = mpmath.mpf(0)
    for var, count in variances:
        s = mpmath.sqrt(mpmath.mpf(var.numerator) / var.denominator)
        total += count * mpmath.log1p(-mpmath.ncdf(-mean / s))
    return total


def prop4_probability(
    mean: Any,
    scheme: str,
    d_in: int,
    width: int,
    hidden_layers: int,
    *,
    fixed_std: Any = Fraction(1, 100),
    dps: int = 50,
) -> mpmath.mpf:
    """P(every weight > 0) at mean ``mean``, to ``dps`` digits (Appendix B.1, Eq. (3))."""
    with mpmath.workdps(_dps(dps)):
        m = to_mpf(mean, "mean")
        variances = _variances(scheme, d_in, width, hidden_layers, fixed_std)
        return +mpmath.exp(_log_prob_positive(m, variances))


def _dps(dps: Any) -> int:
    return _positive_int(dps, "dps", minimum=5)


@dataclass(frozen=True)
class RequiredMean:
    """Smallest mean mu with P(every weight > 0) >= p (Figure 6, middle panels).

    ``lower < mu_min <= upper``, ``upper - lower <= 10**-digits``; ``p_at_upper >= p`` and
    ``p_at_lower < p`` are re-checked at ``dps`` digits (so the bracket is certified to that
    precision, P being strictly increasing in mu).
    """

    scheme: str
    d_in: int
    width: int
    hidden_layers: int
    p: Fraction
    weights: int
    lower: mpmath.mpf
    upper: mpmath.mpf
    p_at_lower: mpmath.mpf
    p_at_upper: mpmath.mpf
    digits: int
    dps: int

    @property
    def value(self) -> mpmath.mpf:
        return self.upper

    def __str__(self) -> str:
        return (
            f"{self.scheme}: d={self.d_in}, h={self.width}, {self.hidden_layers} hidden layers "
            f"({self.weights} weights): mu_min in ({mpmath.nstr(self.lower, self.digits)}, "
            f"{mpmath.nstr(self.upper, self.digits)}] for p={self.p}"
        )


def required_mean(
    p: Any,
    scheme: str,
    d_in: int,
    width: int,
    hidden_layers: int,
    *,
    fixed_std: Any = Fraction(1, 100),
    digits: int = 12,
    dps: int = 50,
) -> RequiredMean:
    """The smallest mu with P(all weights > 0) >= p, bracketed to 10**-digits by bisection.

    P is strictly increasing in mu (each factor Phi(mu/sigma) is), so bisection is exact up to
    the working precision; the bracket is re-evaluated at the end.

    >>> r = required_mean("0.99", "fixed", 2, 10_000, 100, digits=6)
    >>> print(mpmath.nstr(r.upper, 4))
    0.07032
    """
    q = exact(p, "p")
    if not 0 < q < 1:
        raise InvalidNumberError(f"p={p!r} must lie strictly between 0 and 1.")
    digits = _positive_int(digits, "digits")
    dps = _dps(dps)
    if digits + 5 > dps:
        raise InvalidNumberError(f"digits={digits} needs dps >= digits + 5 (dps={dps}).")
    variances = _variances(scheme, d_in, width, hidden_layers, fixed_std)
    with mpmath.workdps(dps):
        target = mpmath.log(mpmath.mpf(q.numerator) / q.denominator)
        lo, hi = mpmath.mpf(-1), mpmath.mpf(1)  # mu_min < 0 when 2^-E >= p already
        while _log_prob_positive(hi, variances) < target:
            hi *= 2
        while _log_prob_positive(lo, variances) >= target:
            lo *= 2
        tol = mpmath.mpf(10) ** (-digits)
        while hi - lo > tol:
            mid = (lo + hi) / 2
            if _log_prob_positive(mid, variances) >= target:
                hi = mid
            else:
                lo = mid
        p_lo = mpmath.exp(_log_prob_positive(lo, variances))
        p_hi = mpmath.exp(_log_prob_positive(hi, variances))
        if not (_log_prob_positive(hi, variances) >= target > _log_prob_positive(lo, variances)):
            raise InvalidArgument(f"dps={dps} is too low to bracket the mean for p={p} "
                                  f"(bisection bracket lost): increase dps")
    return RequiredMean(scheme, d_in, width, hidden_layers, q,
                        sum(n for _, n in variances), lo, hi, p_lo, p_hi, digits, dps)


# --- Distributions of Proposition 5 ------------------------------------------------------

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
