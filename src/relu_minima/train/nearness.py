"""When is an exact point "near" the trained one? (docs/snap.md, "max_distance").

The answer of ``snap`` is about the point the user trained, so an exact point only counts when
it is near it. The rule is a judgment, stated in the report, never part of a proof:

* ``max_distance=D`` (a number): the max-norm distance of the flat parameter vectors is <= D;
* by default, *per unit*: coordinate k may move at most ``REL_DISTANCE`` times the scale of its
  unit (the largest absolute weight or bias of the row of its layer, at least 1; the output
  bias counts as the row of the output unit). So one large weight (a big dead unit) does not
  loosen the rule for every other coordinate (issue 22, item 2), and a realistic L-BFGS stop a
  few thousandths away from its critical point is accepted (issue 25, item 3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..exact.deep_relu import DeepReLU
from ..exact.params import ParameterSpace
from ..exact.shallow_relu import ShallowReLU

__all__ = ["REL_DISTANCE", "Nearness", "nearness", "suggested_max_distance"]

REL_DISTANCE = Fraction(1, 100)


def _layered(net: Any) -> Any:
    if isinstance(net, ShallowReLU):
        return DeepReLU.from_shallow(net)
    if not isinstance(net, DeepReLU):  # a SmoothNet: the same flat layout (W, b, v, c)
        return DeepReLU([net.W, [net.v]], [net.b, [net.c]])
    return net


def _scales(trained: Any) -> list[Fraction]:
    """Per flat coordinate: the scale of its unit (max |row|, |bias|, at least 1)."""
    weights, biases = [], []
    for W, b in zip(trained.weights, trained.biases, strict=True):
        rows = [max([Fraction(1), *(abs(t) for t in row), abs(bj)]) for row, bj in zip(W, b,
                                                                                    strict=True)]
        weights.append([[s] * len(row) for s, row in zip(rows, W, strict=True)])
        biases.append(rows)
    return list(ParameterSpace(trained.widths).flatten(weights, biases))


@dataclass(frozen=True)
class Nearness:
    """``near`` (the rule holds), the max-norm ``distance``, ``ratio`` (how far, in units of the
    rule: <= 1 is near), the ``worst`` coordinate's name and the ``rule`` in words."""

    near: bool
    distance: Fraction
    ratio: Fraction
    worst: str
    rule: str


def nearness(point: Any, trained: Any, max_distance: float | None) -> Nearness:
    """The rule of the module docstring for two exact points of the same shape."""
    a, b = _layered(point), _layered(trained)
    pa, pb = a.parameters(), b.parameters()
    gaps = [abs(x - y) for x, y in zip(pa, pb, strict=True)]
    names = ParameterSpace(a.widths).names
    distance = max(gaps)
    if max_distance is not None:
        limit = Fraction(max_distance)
        ratios = [g / limit for g in gaps]
        rule = f"max_distance={max_distance:g} (max norm)"
    else:
        scales = _scales(b)
        ratios = [g / (REL_DISTANCE * s) for g, s in zip(gaps, scales, strict=True)]
        rule = (f"the default: each coordinate within {float(REL_DISTANCE):g} x its unit's scale "
                "(the largest |weight| or |bias| of the unit, at least 1)")
    k = max(range(len(ratios)), key=ratios.__getitem__)
    return Nearness(ratios[k] <= 1, distance, ratios[k], names[k], rule)


def suggested_max_distance(distance: Fraction) -> float:
    """A short round number at or above ``distance`` (one significant digit rounded up, else
    two; checked exactly: for 3/10 the double 0.3 lies below, so 0.31)."""
    d = float(distance)
    if d <= 0:
        return 1e-12
    for digits in (1, 2, 3):
        e = math.floor(math.log10(d)) - digits + 1
        for k in (math.ceil(d / 10**e), math.ceil(d / 10**e) + 1):
            value = float(f"{k}e{e}")
            if Fraction(value) >= distance:
                return value
    return math.nextafter(d, math.inf) * 2
