"""Blind spots and the class-mean bound of a deep point (Section 3.2: Lemma 2, Corollary 1).

A hidden layer whose pre-activations are all < 0 at every data point (a *strict blind spot*)
outputs 0 on a whole neighbourhood of theta, because strict inequalities persist: Lemma 2 and
Corollary 1 say the layers up to it then never move, and every output is one number.
:func:`find_blind_spot` finds such a layer (or a non-strict one, <= 0 with zeros);
:func:`blind_spot_gradient_vanishes` checks Lemma 2 / Corollary 1 exactly.

The same persistence joins data points into *classes* that share one output near theta
(equal inputs, or a hidden layer strictly negative in every unit at both points):
:func:`class_bound` is the least loss any point near theta can have, the sum over classes
of the within-class squared deviation. The rules of :mod:`relu_minima.verify.deep.rules`
read both; the certificate's ``check()`` recomputes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ...exact.datasets import Dataset
from ...exact.deep_relu import DeepReLU
from ...exact.germs import loss_germ, trim
from ...exact.params import ParameterSpace
from .tails import classes_before

__all__ = ["BlindSpot", "blind_spot_gradient_vanishes", "class_bound", "find_blind_spot",
           "output_classes"]


@dataclass(frozen=True)
class BlindSpot:
    """Hidden layer ``layer`` (paper's index n, 1-based; weights[n-1]) inactive on all data.

    ``strict``: every pre-activation of the layer is < 0 at every data point; otherwise all are
    <= 0 and ``zeros`` lists the (point, unit) pairs (0-based) where one is exactly 0.
    """

    layer: int
    strict: bool
    zeros: tuple[tuple[int, int], ...]


def find_blind_spot(params: DeepReLU, dataset: Dataset) -> BlindSpot | None:
    """The first strictly inactive hidden layer, else the first non-strict one, else None."""
    pre = params.preactivations(dataset)[:-1]
    weak = None
    for n, z in enumerate(pre, start=1):
        if all(t < 0 for row in z for t in row):
            return BlindSpot(n, True, ())
        if weak is None and all(t <= 0 for row in z for t in row):
            zeros = tuple((i, j) for i, row in enumerate(z) for j, t in enumerate(row) if t == 0)
            weak = BlindSpot(n, False, zeros)
    return weak


def blind_spot_gradient_vanishes(params: DeepReLU, dataset: Dataset) -> bool:
    """Lemma 2 / Corollary 1, exactly: at a strict blind spot in layer n, the directional
    derivative of L along every coordinate of layers 1..n is 0 (in fact L is locally
    constant in them), so gradient-based training never moves those layers.

    Returns False when there is no strict blind spot.
    """
    spot = find_blind_spot(params, dataset)
    if spot is None or not spot.strict:
        return False
    space = ParameterSpace(params.widths)
    count = space.layers[spot.layer - 1].stop  # layers 1..n
    base = params.loss(dataset)
    for p in range(count):
        for s in (1, -1):
            if loss_germ(params, dataset, space.unit_vector({p: s})) != trim([base]):
                return False
    return True


def output_classes(params: DeepReLU, dataset: Dataset) -> list[list[int]]:
    """Points (0-based, each class in order, classes by their first point) that share one
    output on a whole neighbourhood of params: equal inputs, or some hidden layer strictly
    negative in every unit at both (:func:`~relu_minima.verify.deep.tails.classes_before`
    the output layer)."""
    return classes_before(params, dataset, params.depth)


def class_bound(params: DeepReLU, dataset: Dataset) -> Fraction:
    """B = sum over :func:`output_classes` of sum_(i in class) |y_i - class mean|^2: no point
    near params has a lower loss, since each class shares one output (vector) there."""
    total = Fraction(0)
    Y = dataset.Y  # rows: with several outputs the deviations are summed over every output
    for cls in output_classes(params, dataset):
        m = dataset.mean_of(cls)
        total += sum(((Y[i][o] - m[o]) ** 2 for i in cls for o in range(dataset.k)),
                     Fraction(0))
    return total
