"""Exact probability bounds of Proposition 4 (Appendix B.1, Eq. (3)), its correction, and the
Figure 6 inverse (smallest mean mu for probability p); the symbols and helpers that the bounds
of Proposition 5 (:mod:`.prop5_bounds`) share.

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
from typing import Any

import mpmath
import sympy

from ...errors import InvalidArgument, InvalidNumberError
from ...exact.numbers import exact

__all__ = [
    "INIT_SCHEMES",
    "RequiredMean",
    "a",
    "c",
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
