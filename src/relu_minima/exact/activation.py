"""The hidden activation of the ReLU models: h(t) = t (t > 0), s t (t <= 0), ``negative_slope``
= s (torch.nn.LeakyReLU's name; 0 the ReLU, 1 the identity; docs/activations.md), and how a
model writes its slope (repr, str, JSON: nothing for the ReLU, so ReLU output is unchanged).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .numbers import exact, literal, show

__all__ = ["activation", "activation_name", "exact_slope", "slope_json", "slope_suffix"]


def activation(t: Fraction, negative_slope: Fraction) -> Fraction:
    """The two-slope activation h(t) = t for t >= 0, ``negative_slope`` * t for t < 0
    (torch.nn.LeakyReLU's name): the ReLU for slope 0, the identity for slope 1. It equals
    s t + (1 - s) relu(t) for s = ``negative_slope`` (docs/activations.md)."""
    return t if t > 0 else negative_slope * t


def exact_slope(value: Any, allow_float: bool = False) -> Fraction:
    """``negative_slope`` as an exact rational (any rational: 0 is the ReLU, 1 the identity)."""
    return exact(value, "negative_slope", allow_float=allow_float)


def slope_suffix(negative_slope: Fraction, *, pasteable: bool = True) -> str:
    """", negative_slope=..." for a repr or str; empty for the ReLU (slope 0), so a ReLU
    network prints as it always did."""
    if negative_slope == 0:
        return ""
    return f", negative_slope={literal(negative_slope) if pasteable else show(negative_slope)}"


def slope_json(negative_slope: Fraction) -> dict[str, str]:
    """{"negative_slope": "1/10"} for JSON; empty for the ReLU (its JSON is unchanged)."""
    return {} if negative_slope == 0 else {"negative_slope": str(negative_slope)}


def activation_name(negative_slope: Fraction) -> str:
    """"relu", "identity" or "leaky relu (negative slope s)"."""
    if negative_slope == 0:
        return "relu"
    if negative_slope == 1:
        return "identity"
    return f"leaky relu (negative slope {negative_slope})"
