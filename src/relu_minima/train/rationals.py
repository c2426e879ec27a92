"""Floats to exact rationals at the edge of the train layer, each by a stated rule.

Three conversions, and no other, turn a float into a ``Fraction`` here:

* ``binary``: the double's exact binary value (``Fraction(0.1)`` = 3602879701896397/2^55); this
  is where a trained point *is*, so distances are measured from it;
* ``decimal``: the shortest decimal that rounds to the same number in the array's own precision
  (``0.1`` -> 1/10, also for float32), i.e. what was printed or typed; the default for data;
* :func:`short_rational`: the simplest rational within a stated relative distance (the output
  weights v_j of a snapped point, and free coordinates of a least-squares problem).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InvalidArgument, InvalidNumberError, ShapeError
from ..exact.numbers import exact, long_integers

__all__ = ["DATA_RULES", "exact_array", "long_integers", "short_rational", "simplest_between",
           "to_exact"]

DATA_RULES = ("decimal", "binary")




def simplest_between(lo: Fraction, hi: Fraction) -> Fraction:
    """The rational of smallest denominator (then smallest numerator) in [lo, hi].

    The classical continued-fraction construction: an integer if the interval holds one,
    otherwise the common integer part plus 1 / (the simplest number between the reciprocals of
    the fractional parts). Run on integer numerators and denominators, the continued fraction
    kept as a 2 x 2 matrix (no Fraction, and so no gcd, per step).

    >>> simplest_between(Fraction(333, 1000), Fraction(334, 1000))
    Fraction(1, 3)
    """
    if lo > hi:
        raise InvalidArgument(f"lo={lo} > hi={hi}: the interval is empty.")
    if lo <= 0 <= hi:
        return Fraction(0)
    if hi < 0:
        return -simplest_between(-hi, -lo)
    a, b, c, d = lo.numerator, lo.denominator, hi.numerator, hi.denominator
    P, Q, R, S = 1, 0, 0, 1  # x = (P x' + Q) / (R x' + S), x' the current interval's answer
    while True:
        fl = a // b
        if fl * b == a or (fl + 1) * d <= c:  # an integer t in [a/b, c/d]: the simplest
            t = fl if fl * b == a else fl + 1
            return Fraction(P * t + Q, R * t + S)
        # a/b and c/d share the integer part fl: x = fl + 1 / x', x' in [d/(c - fl d),
        # b/(a - fl b)] (the reciprocals of the fractional parts, in increasing order)
        P, Q, R, S = P * fl + Q, P, R * fl + S, R
        a, b, c, d = d, c - fl * d, b, a - fl * b


def short_rational(value: float | Fraction, rel: float) -> Fraction:
    """The simplest rational within relative distance ``rel`` of ``value`` (0 stays 0).

    With 0 < rel < 1 the result is nonzero and has the sign of ``value``.

    >>> short_rational(0.33333334, 1e-6)
    Fraction(1, 3)
    """
    x = value if isinstance(value, Fraction) else Fraction(float(value))
    if x == 0:
        return x
    delta = abs(x) * Fraction(rel)
    return simplest_between(x - delta, x + delta)


def to_exact(value: Any, name: str, rule: str) -> Fraction:
    """One number: int/Fraction/string exactly, a float by ``rule`` ("decimal" or "binary")."""
    if isinstance(value, (float, np.floating)):
        f = float(value)
        if not math.isfinite(f):
            raise InvalidNumberError(f"{name}={value!r} is not finite; only finite numbers "
                                     "can be snapped (check the training run for divergence).")
        if rule == "binary":
            return Fraction(f)
        if isinstance(value, np.floating):
            return Fraction(np.format_float_positional(value, unique=True, trim="-"))
        return Fraction(repr(f))
    return exact(value, name)


def exact_array(values: Any, name: str, rule: str) -> np.ndarray:
    """A numpy object array of ``Fraction`` with the shape of ``values`` (rule for floats)."""
    if rule not in DATA_RULES:
        raise InvalidArgument(f"rule={rule!r} is not one of {', '.join(DATA_RULES)}.")
    arr = _as_array(values, name)
    if arr.dtype.kind == "f" and arr.size and bool(np.all(np.isfinite(arr))):
        # every entry a finite float: convert each distinct value once (trained data repeat
        # values: a few thousand distinct decimals among 10^4-10^5 entries), same rule
        distinct, inverse = np.unique(arr.ravel(), return_inverse=True)
        table = np.empty(len(distinct), dtype=object)
        table[:] = [to_exact(item, name, rule) for item in distinct]
        return table[inverse].reshape(arr.shape)
    out = np.empty(arr.shape, dtype=object)
    for idx in np.ndindex(arr.shape):
        where = name + "".join(f"[{k}]" for k in idx)
        item = arr[idx]
        if isinstance(item, (bool, np.bool_)):
            raise InvalidNumberError(f"{where}={item!r} is a bool, not a number.")
        out[idx] = to_exact(item.item() if isinstance(item, np.integer) else item, where, rule)
    return out


def _as_array(values: Any, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError, RuntimeError) as err:
        raise ShapeError(f"{name} could not be read as an array ({err}); pass numpy arrays, "
                         "nested lists of numbers, or CPU tensors without gradients.") from None
    if arr.dtype.kind == "c":
        raise InvalidNumberError(f"{name} holds complex numbers; only real numbers.")
    if arr.dtype.kind not in "biufO":
        raise InvalidNumberError(f"{name} has dtype {arr.dtype}, not numbers.")
    return arr
