"""A proven interval of exact rationals: what a certificate states when a value is not rational.

The loss of a sigmoid/tanh network at a rational point is (in general) irrational, so its
certificates state an :class:`Enclosure` [lower, upper] with exact rational ends, proven to
contain the value; the loss of a ReLU network is an exact :class:`~fractions.Fraction`. Both
print themselves and compare with :func:`strictly_below`, so that code reading a certificate
("the witness's loss is below the point's") is one code for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..errors import ShapeError

__all__ = ["Enclosure", "decimal_str", "lower_end", "strictly_below", "upper_end"]


def decimal_str(q: Fraction) -> str:
    """A decimal rational written exactly, e.g. 1.25E-7 (any other rational as a fraction)."""
    if q == 0:
        return "0"
    k = 0
    while (q * 10**k).denominator != 1:
        k += 1
        if k > 400:
            return str(q)  # not a decimal: keep the exact fraction
    digits = str(abs(int(q * 10**k)))
    exponent = len(digits) - 1 - k
    mantissa = (digits[0] + "." + digits[1:]).rstrip("0").rstrip(".")
    return f"{'-' if q < 0 else ''}{mantissa}E{exponent:+d}"


@dataclass(frozen=True)
class Enclosure:
    """The closed interval [lower, upper] of exact rationals, proven to contain a value."""

    lower: Fraction
    upper: Fraction

    def __post_init__(self) -> None:
        if not (isinstance(self.lower, Fraction) and isinstance(self.upper, Fraction)):
            raise ShapeError(f"Enclosure({self.lower!r}, {self.upper!r}): both ends must be "
                             "Fractions.")
        if self.lower > self.upper:
            raise ShapeError(f"Enclosure [{self.lower}, {self.upper}] is empty: lower > upper.")

    def __str__(self) -> str:
        return f"[{decimal_str(self.lower)}, {decimal_str(self.upper)}]"

    @classmethod
    def parse(cls, text: str) -> Enclosure:
        """Inverse of ``str``: "[lower, upper]"."""
        parts = str(text).strip().strip("[]").split(",")
        if len(parts) != 2:
            raise ShapeError(f"{text!r} is not an enclosure '[lower, upper]'.")
        try:
            return cls(Fraction(parts[0].strip()), Fraction(parts[1].strip()))
        except ValueError:
            raise ShapeError(f"{text!r} is not an enclosure of two exact numbers.") from None

    @property
    def width(self) -> Fraction:
        return self.upper - self.lower

    def __contains__(self, value: object) -> bool:
        if isinstance(value, Enclosure):
            return self.lower <= value.lower and value.upper <= self.upper
        return isinstance(value, (int, Fraction)) and self.lower <= value <= self.upper


def lower_end(value: Fraction | Enclosure) -> Fraction:
    """The least value ``value`` may be: itself, or an enclosure's lower end."""
    return value.lower if isinstance(value, Enclosure) else Fraction(value)


def upper_end(value: Fraction | Enclosure) -> Fraction:
    """The largest value ``value`` may be: itself, or an enclosure's upper end."""
    return value.upper if isinstance(value, Enclosure) else Fraction(value)


def strictly_below(a: Fraction | Enclosure, b: Fraction | Enclosure) -> bool:
    """Proven a < b: every value a may be lies below every value b may be."""
    return upper_end(a) < lower_end(b)
