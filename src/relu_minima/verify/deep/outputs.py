"""Outputs of a deep point as numbers (one output, Equation (2)) or k-vectors (several outputs).

The deep rules read a few quantities that are numbers for one output and vectors for k: the
residual sum S = sum_i r_i, the target mean ybar, a constant output C. They are kept as a
``Fraction`` for k = 1 (so one-output certificates, texts and JSON are unchanged) and as a tuple
of k numbers otherwise; these helpers compute, compare, print and serialise both.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ...exact.datasets import Dataset
from ...exact.deep_relu import DeepReLU
from ...exact.params import ParameterSpace

__all__ = ["bias_direction", "is_zero", "parse_value", "residual_sum", "row", "show", "unrow",
           "value_json"]

Value = Any  # Fraction (one output) or tuple[Fraction, ...] (k outputs)


def row(value: Value) -> tuple[Fraction, ...]:
    """A value as a tuple of its k entries."""
    return value if isinstance(value, tuple) else (value,)


def unrow(entries: Any) -> Value:
    """k entries as a value: the number itself when k = 1, else the tuple."""
    entries = tuple(entries)
    return entries[0] if len(entries) == 1 else entries


def residual_sum(params: DeepReLU, dataset: Dataset) -> Value:
    """S = sum_i (f(x_i) - y_i): a number for one output, a k-vector otherwise."""
    rows = params.residual_rows(dataset)
    k = params.outputs_count
    S = tuple(sum((r[o] for r in rows), Fraction(0)) for o in range(k))
    return S[0] if k == 1 else S


def is_zero(value: Value) -> bool:
    return all(t == 0 for t in row(value))


def show(value: Value) -> str:
    """A number as itself, a vector as (a, b, ...)."""
    return str(value) if not isinstance(value, tuple) else "(" + ", ".join(map(str, value)) + ")"


def value_json(value: Value) -> Any:
    """JSON: a string for a number, a list of strings for a vector, None kept."""
    if value is None:
        return None
    return [str(t) for t in value] if isinstance(value, tuple) else str(value)


def parse_value(data: Any) -> Value:
    """Inverse of :func:`value_json`."""
    if data is None:
        return None
    return tuple(Fraction(t) for t in data) if isinstance(data, list) else Fraction(data)


def bias_direction(params: DeepReLU, S: Value) -> tuple[Fraction, ...]:
    """The output bias moved against the residual sum S: by -sign(S) for one output, by
    -S / |S|_inf for k outputs (first order 2 t S . u < 0)."""
    space = ParameterSpace(params.widths)
    entries = row(S)
    top = max(abs(t) for t in entries)
    return space.unit_vector({space.bias_index(params.depth, o + 1): -t / top
                              for o, t in enumerate(entries) if t != 0})
