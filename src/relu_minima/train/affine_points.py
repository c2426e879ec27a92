"""An explicit point of lower loss for networks with k outputs (docs/snap.md, "Several outputs").

"Bad local minimum, proven" needs a point *of the same shape and parameterisation* whose exact
loss is strictly lower. With one output the snap uses the best affine fit, relu(t) - relu(-t) = t
in two units. With k outputs the affine fit is a k x d matrix, which two units cannot carry, so
the point built here is the best affine fit of the targets in r = min(d, narrowest hidden layer)
input coordinates:

* first hidden layer: unit j < r computes relu(x_(l_j) + 1 - min_i x_(i, l_j)) = x_(l_j) + const
  on every data point (its pre-activation is >= 1 there); the other units have weights 0 and
  bias -1 (they output 0);
* later hidden layers: unit j < r passes unit j of the layer below (weight 1, bias 0: its input
  is >= 1, so relu is the identity on it); the others output 0 as above;
* output layer: the exact least-squares fit of the targets, output by output, on those r
  activations and the constant.

The coordinates are the r with the largest spread of the inputs (floats only choose them; the
loss is exact). The point is a true point of the parameterisation whatever is chosen, so its
exact loss, when strictly below a certified minimum's, proves that minimum is not global.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from ..exact.datasets import Dataset
from ..exact.deep_relu import DeepReLU
from ..exact.shallow_relu import ShallowReLU
from .exact_lsq import least_squares

__all__ = ["coordinate_network"]


def _coordinates(data: Dataset, r: int) -> list[int]:
    """The r input coordinates of largest spread (max - min), lowest index first on ties."""
    spread = [max(x[a] for x in data.X) - min(x[a] for x in data.X) for a in range(data.d)]
    order = sorted(range(data.d), key=lambda a: (-spread[a], a))
    return sorted(order[:r])


def _output_fit(H: list[list[Fraction]], data: Dataset) -> tuple[list[list[Fraction]],
                                                                  list[Fraction]]:
    """The exact least-squares output layer on activations H (n x r): k rows of r, k biases."""
    rows = [[*h, Fraction(1)] for h in H]
    L = math.lcm(*(t.denominator for r in rows for t in r))
    P = np.array([[int(t * L) for t in r] for r in rows], dtype=object)
    weights, biases = [], []
    for out in range(data.k):
        column = [row[out] for row in data.Y]
        Ly = math.lcm(*(t.denominator for t in column))
        Y = np.array([int(t * Ly) for t in column], dtype=object)
        t = least_squares(P, L, Y, Ly, np.zeros(len(rows[0])), 1e-9).t
        weights.append(list(t[:-1]))
        biases.append(t[-1])
    return weights, biases


def coordinate_network(like: Any, data: Dataset) -> ShallowReLU | DeepReLU | None:
    """The point of the module docstring, of ``like``'s shape (a full parameterisation with k
    outputs); None when ``like`` is restricted (bias-free or frozen coordinates)."""
    if not like.space.is_full:
        return None
    widths = (like.d, like.m, like.k) if isinstance(like, ShallowReLU) else tuple(like.widths)
    hidden = widths[1:-1]
    r = min(data.d, *hidden)
    coords = _coordinates(data, r)
    shift = [1 - min(x[a] for x in data.X) for a in coords]
    weights, biases = [], []
    for n, (h_in, h_out) in enumerate(zip(widths[:-2], hidden, strict=True)):
        rows, bias = [], []
        for j in range(h_out):
            if j < r:
                at = coords[j] if n == 0 else j
                rows.append([Fraction(int(a == at)) for a in range(h_in)])
                bias.append(shift[j] if n == 0 else Fraction(0))
            else:
                rows.append([Fraction(0)] * h_in)
                bias.append(Fraction(-1))
        weights.append(rows)
        biases.append(bias)
    H = [[x[a] + s for a, s in zip(coords, shift, strict=True)] for x in data.X]
    V, C = _output_fit(H, data)
    V = [row + [Fraction(0)] * (hidden[-1] - r) for row in V]
    point = DeepReLU([*weights, V], [*biases, C])
    return point.to_shallow() if isinstance(like, ShallowReLU) else point
