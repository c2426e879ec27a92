"""Exact rational numbers at the edge of the library.

Everything that enters relu_minima goes through :func:`exact`, which returns a
:class:`fractions.Fraction` or raises an error naming the argument and its position. Inside
the library all arithmetic stays in that one domain (the rationals); floats appear only in
the numeric backend and in output explicitly labelled as evidence.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..errors import InexactNumberError, InvalidNumberError, ShapeError

__all__ = ["brief", "describe_object", "exact", "exact_matrix", "exact_rows", "exact_vector",
           "latex", "literal", "long_integers", "mean", "pretty_as_repr", "short", "show", "sign"]

# how a refused float's message offers the opt-in (require_dataset words it for a pair (X, y))
FLOAT_OPT_IN = "allow_float=True to take the float's exact binary value"
BRIEF_LIMIT = 60  # characters of a value an error message quotes before describing it instead


def describe_object(value: Any) -> str:
    """What kind of object ``value`` is, in a few words (never its numbers: an error message
    must not print a 30-row array)."""
    shape = getattr(value, "shape", None)
    if shape is not None:
        return f"a {type(value).__name__} of shape {tuple(shape)}"
    if isinstance(value, (list, tuple, str, bytes)):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"a {type(value).__name__}"


def brief(value: Any) -> str:
    """``repr(value)`` when it is short and one line, else ``<describe_object(value)>``: the
    value an error message quotes (``X[0][0]=[0, 2]`` but ``X[0][0]=<a list of length 50>``).
    """
    if isinstance(value, (list, tuple, str, bytes)) and len(value) > BRIEF_LIMIT:
        return f"<{describe_object(value)}>"  # not even formatted: it could be a million rows
    text = repr(value)
    if len(text) <= BRIEF_LIMIT and "\n" not in text:
        return text
    return f"<{describe_object(value)}>"


def _float_advice(name: str, value: float, offered: bool) -> str:
    binary = Fraction(value)
    try:
        printed = Fraction(repr(value))  # the decimal Python prints for the float
    except (ValueError, OverflowError):
        printed = None
    small = None if printed is None else printed.limit_denominator(1000)
    if printed is None:
        hint = "Pass a Fraction or a string such as '13/3'"
    elif small == printed and len(str(small)) <= 30:  # a short fraction is exactly that decimal
        hint = f"Pass Fraction({small.numerator}, {small.denominator}) or the string '{small}'"
    else:  # the decimal itself, as a string, is exact; a "nearby" fraction would not be
        hint = f"Pass the string '{value!r}' (exactly that decimal)"
    if binary == printed:
        what = (f"{name}={value!r} is a float; floats are refused wherever relu_minima "
                "promises exactness, so that no value is ever rounded silently.")
    else:
        shown = str(binary) if len(str(binary)) <= 60 else f"{float(binary)!r} only to 17 digits"
        what = (f"{name}={value!r} is a binary float, and its exact value is {shown}, not the "
                "decimal you typed.")
    opt_in = f", or {FLOAT_OPT_IN}" if offered else ""
    return (f"{what} {hint}{opt_in}. (A network and data from training: relu_minima.snap("
            "model, (X, y)) finds exact points near them by a stated rule.)")


def sign(t: Fraction) -> int:
    """-1, 0 or 1: the sign of an exact number."""
    return (t > 0) - (t < 0)


def mean(values: Any) -> Fraction:
    """M(A) = (a_1 + ... + a_L) / L, the paper's mean (before Definition 1), exactly."""
    items = list(values)
    if not items:
        raise ShapeError("mean of no values: M(A) needs at least one number.")
    return sum(items, Fraction(0)) / len(items)


def exact(value: Any, name: str = "value", *, allow_float: bool | None = None) -> Fraction:
    """Convert one number to an exact ``Fraction``.

    Accepts int, Fraction, Decimal, sympy Integer/Rational, numpy integers, and strings that
    ``Fraction`` parses (``"13/3"``, ``"-0.25"``, ``" 7 "``). A Python or numpy float is refused
    (``InexactNumberError``) unless ``allow_float=True``, which takes its exact binary value;
    ``allow_float=False`` (the caller offers the opt-in) makes the error mention it, ``None``
    (no opt-in where this number is used) does not.
    NaN, infinities, booleans and irrational sympy numbers are refused (``InvalidNumberError``).

    >>> exact("13/3")
    Fraction(13, 3)
    >>> exact(-0.25, allow_float=True)
    Fraction(-1, 4)
    """
    if isinstance(value, bool):
        raise InvalidNumberError(f"{name}={value!r} is a bool, not a number; pass 0 or 1.")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            result = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise InvalidNumberError(
                f"{name}={brief(value)} is not a finite rational number; "
                "use forms such as '13/3', '-0.25' or '7'."
            ) from None
        return result
    if isinstance(value, float) or _is_numpy_float(value):
        f = float(value)
        if not math.isfinite(f):
            raise InvalidNumberError(f"{name}={value!r} is not finite; only finite rationals.")
        if not allow_float:
            raise InexactNumberError(_float_advice(name, f, allow_float is False))
        return Fraction(f)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidNumberError(f"{name}={value!r} is not finite; only finite rationals.")
        return Fraction(value)
    sympy_value = _from_sympy(value, name)
    if sympy_value is not None:
        return sympy_value
    if isinstance(value, numbers.Integral):  # numpy integers and other integral types
        return Fraction(int(value))
    if isinstance(value, numbers.Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    raise InvalidNumberError(
        f"{name}={brief(value)} of type {type(value).__name__} is not a number relu_minima "
        "accepts; use int, Fraction, a sympy Rational or a string such as '13/3'."
    )


def _is_numpy_float(value: Any) -> bool:
    mod = type(value).__module__
    return mod == "numpy" and isinstance(value, numbers.Real) and not isinstance(
        value, numbers.Integral
    )


def _from_sympy(value: Any, name: str) -> Fraction | None:
    if not type(value).__module__.startswith("sympy"):
        return None
    import sympy

    if isinstance(value, sympy.Rational):
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, sympy.Float):
        raise InexactNumberError(
            f"{name}={value!r} is a sympy Float (binary, inexact); pass sympy.Rational(...) "
            "or a string such as '13/3'."
        )
    if isinstance(value, sympy.Basic):
        raise InvalidNumberError(
            f"{name}={value!r} is not a rational number (relu_minima decides exactly over "
            "the rationals); pass a rational approximation explicitly if that is meant."
        )
    return None


def exact_vector(
    values: Any, name: str, *, length: int | None = None, allow_float: bool | None = None
) -> tuple[Fraction, ...]:
    """Convert a sequence of numbers; errors name ``name[i]``."""
    items = _as_sequence(values, name)
    if length is not None and len(items) != length:
        raise ShapeError(f"{name} has {len(items)} entries but {length} are needed.")
    return tuple(exact(v, f"{name}[{i}]", allow_float=allow_float) for i, v in enumerate(items))


def exact_matrix(
    rows: Any,
    name: str,
    *,
    n_rows: int | None = None,
    n_cols: int | None = None,
    allow_float: bool | None = None,
) -> tuple[tuple[Fraction, ...], ...]:
    """Convert a list of rows; errors name ``name[i][k]`` and ragged rows."""
    items = _as_sequence(rows, name)
    if n_rows is not None and len(items) != n_rows:
        raise ShapeError(f"{name} has {len(items)} rows but {n_rows} are needed.")
    out: list[tuple[Fraction, ...]] = []
    for i, row in enumerate(items):
        row_items = _as_sequence(row, f"{name}[{i}]")
        width = n_cols if n_cols is not None else (len(out[0]) if out else None)
        if width is not None and len(row_items) != width:
            raise ShapeError(
                f"{name}[{i}] has {len(row_items)} entries but {width} are needed "
                "(rows must all have the same length)."
            )
        out.append(
            tuple(
                exact(v, f"{name}[{i}][{k}]", allow_float=allow_float)
                for k, v in enumerate(row_items)
            )
        )
    return tuple(out)


def exact_rows(
    values: Any, name: str, *, what: str, allow_float: bool | None = None
) -> tuple[tuple[Fraction, ...], ...]:
    """A non-empty list of equal rows of at least one number; a flat list means rows of one.

    Used for data inputs X (``what="points"``) and weight matrices W (``what="units"``).
    """
    items = _as_sequence(values, name)
    if len(items) == 0:
        raise ShapeError(f"{name} is empty: at least one of the {what} is needed.")
    if all(not _is_row(r) for r in items):
        return tuple((exact(t, f"{name}[{i}]", allow_float=allow_float),)
                     for i, t in enumerate(items))
    for i, r in enumerate(items):
        if not _is_row(r):
            raise ShapeError(
                f"{name}[{i}]={r!r} is a number but other rows are sequences; give every "
                "row as a list of numbers (or a flat list of numbers for one column)."
            )
    rows = exact_matrix(items, name, allow_float=allow_float)
    if len(rows[0]) == 0:
        raise ShapeError(f"{name}[0] is empty: rows need at least one entry.")
    return rows


def _is_row(value: Any) -> bool:
    return not isinstance(value, (str, bytes)) and hasattr(value, "__iter__")


def _as_sequence(values: Any, name: str) -> Sequence[Any]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ShapeError(f"{name}={brief(values)} must be a sequence (a list or tuple).")
    if hasattr(values, "tolist"):  # numpy arrays: go through Python objects, never floats
        values = values.tolist()
    return list(values)


# -- printing: exact numbers as sympy prints them ------------------------------------------------
def show(value: Any) -> str:
    """An exact number, or nested lists/tuples of them, as sympy prints it: ``-2``, ``11/10``,
    ``[[-2], [11/10]]`` (for people: proofs, messages, reports).

    >>> show(Fraction(11, 10)), show((Fraction(-2), (Fraction(1, 3),)))
    ('11/10', '[-2, [1/3]]')
    """
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show(t) for t in value) + "]"
    return str(value)


def pretty_as_repr(self: Any, printer: Any, cycle: bool) -> None:
    """``_repr_pretty_`` of the exact objects: hypothesis (its falsifying examples) and IPython
    print ``repr(self)``, which pastes back, instead of walking a dataclass's fields (tuples of
    ``Fraction(...)`` and a ``ParameterSpace``)."""
    printer.text(repr(self))


def literal(value: Any) -> str:
    """Like :func:`show`, but a Python literal that :func:`exact` reads back: integers bare,
    other rationals as strings (``[[-2], ['11/10']]``); used by the reprs, which round-trip.

    >>> literal((Fraction(-2), Fraction(11, 10)))
    "[-2, '11/10']"
    """
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(t) for t in value) + "]"
    if isinstance(value, Fraction) and value.denominator != 1:
        return f"'{value}'"
    return str(value)


def short(value: Any, digits: int = 6) -> str:
    """A short decimal first, the exact value after it when they differ: ``~0.333333 (= 1/3)``,
    ``2``; a long fraction is not printed before its size is known.

    >>> short(Fraction(1, 3)), short(Fraction(5, 2)), short(Fraction(-2))
    ('~0.333333 (= 1/3)', '2.5 (= 5/2)', '-2')
    """
    q = exact(value, "value", allow_float=True)
    if q.denominator == 1:
        return str(q)
    try:
        approx = f"{float(q):.{digits}g}"
    except OverflowError:
        return str(q)
    sign = "" if Fraction(approx) == q else "~"
    return f"{sign}{approx} (= {q})"


def latex(value: Any) -> str:
    r"""An exact number in LaTeX, as sympy writes it: ``-2``, ``\frac{11}{10}``, ``- \frac{1}{3}``.

    >>> latex(Fraction(-1, 3))
    '- \\frac{1}{3}'
    """
    q = exact(value, "value")
    if q.denominator == 1:
        return str(q)
    sign = "- " if q < 0 else ""
    return f"{sign}\\frac{{{abs(q.numerator)}}}{{{q.denominator}}}"


@contextmanager
def long_integers() -> Iterator[None]:
    """Lift Python's limit on int <-> str conversion (4300 digits) for the duration.

    The exact critical point of a noisy least-squares problem with hundreds of unknowns has
    numerators and denominators of thousands of digits (Cramer's rule); certificates and reports
    print them. The limit guards parsing untrusted text, which happens nowhere inside."""
    get = getattr(sys, "get_int_max_str_digits", None)
    if get is None:  # pragma: no cover - Python < 3.11 has no limit
        yield
        return
    old = get()
    sys.set_int_max_str_digits(0)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(old)
