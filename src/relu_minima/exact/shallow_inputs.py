"""Reading the arguments of a one-hidden-layer network (:class:`~.shallow_relu.ShallowReLU`):
the output matrix ``v`` (k x m, one row per output; a flat list is one output), the output bias
``c`` (a number, or k numbers), and the signs that ``W`` was given transposed (d x m).
Every refusal names the argument and says what to write instead.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..errors import ShapeError
from .numbers import _as_sequence, _is_row, exact, exact_matrix, exact_vector

__all__ = ["has_rows", "looks_transposed", "output_bias", "output_matrix"]


def output_matrix(v: Any, m: int, allow_float: bool) -> tuple[tuple[Fraction, ...], ...]:
    """v as k rows of m numbers: a flat list of m numbers is one output (k = 1); a list of k
    rows of m numbers is k outputs."""
    items = _as_sequence(v, "v")
    if not any(_is_row(t) for t in items):
        return (exact_vector(items, "v", length=m, allow_float=allow_float),)
    if len(items) == 0 or not all(_is_row(t) for t in items):
        raise ShapeError(f"v={v!r} mixes numbers and rows; give m numbers (one output) or k "
                         f"rows of m numbers (k outputs, one row per output).")
    rows = exact_matrix(items, "v", allow_float=allow_float)
    if len(rows[0]) != m:
        flipped = len(rows) == m
        raise ShapeError(
            f"v has rows of {len(rows[0])} entries but the network has m={m} hidden units: v is "
            "k x m, one row per output (row l holds the weights of every unit into output l)."
            + (f" v looks transposed: for {len(rows[0])} outputs write its {len(rows[0])} "
               "columns as rows." if flipped else ""))
    return rows


def output_bias(c: Any, k: int, allow_float: bool) -> Any:
    """c as a number (k = 1) or k numbers (k > 1)."""
    if k == 1:
        if _is_row(c):
            items = exact_vector(c, "c", allow_float=allow_float)
            if len(items) != 1:
                raise ShapeError(f"c has {len(items)} entries but the network has one output "
                                 "(v is one row): give c as one number.")
            return items[0]
        return exact(c, "c", allow_float=allow_float)
    if not _is_row(c):
        raise ShapeError(f"c={c!r} is one number but the network has k={k} outputs (v has {k} "
                         f"rows): give c as {k} numbers, one per output.")
    return exact_vector(c, "c", length=k, allow_float=allow_float)


def looks_transposed(W: tuple[tuple[Fraction, ...], ...], b: Any) -> bool:
    """b (one entry per unit) matches W's columns, not its rows: W was given as d x m."""
    try:
        return len(W) != len(W[0]) == len(b) and len(W[0]) > 1
    except TypeError:
        return False


def has_rows(W: Any) -> bool:
    items = W.tolist() if hasattr(W, "tolist") else list(W)
    return any(_is_row(t) for t in items)
