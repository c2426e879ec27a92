"""The numeric backend and the neighbourhood search with k outputs (summed squared loss):
batched losses, gradients and Hessians against the exact model and its loss germs."""

from __future__ import annotations

import random
from fractions import Fraction as F

import numpy as np
import pytest

from relu_minima import Dataset, DeepReLU, ShallowReLU
from relu_minima.errors import ShapeError
from relu_minima.exact.germs import loss_germ
from relu_minima.exact.params import ParameterSpace
from relu_minima.numeric import backend as numeric
from relu_minima.numeric.fuzz import search_neighbourhood


def _point(rng, widths):
    """A random exact point with no pre-activation at 0 (so the loss is smooth there) and
    random vector targets."""
    space = ParameterSpace(widths)
    while True:
        W, B = space.unflatten([F(rng.randint(-6, 6), 4) for _ in range(space.size)])
        net = DeepReLU(W, B)
        X = [[F(rng.randint(-3, 3), 2) + F(1, 7) for _ in range(widths[0])] for _ in range(4)]
        D = Dataset(X, [[rng.randint(-2, 2) for _ in range(widths[-1])] for _ in range(4)])
        if all(t != 0 for z in net.preactivations(D)[:-1] for r in z for t in r):
            return net, D


@pytest.mark.parametrize("widths", [(1, 2, 2), (2, 3, 3), (1, 2, 2, 2), (2, 2, 3, 4)])
def test_losses_gradients_and_hessians_with_several_outputs(widths):
    rng = random.Random(sum(widths))
    net, D = _point(rng, widths)
    theta = numeric.to_vector(net)
    exact = net.loss(D)
    assert numeric.exact_loss(net, D) == exact  # the same algorithm, exactly
    assert numeric.losses(net, theta, D)[0] == pytest.approx(float(exact), rel=1e-12)
    g = numeric.gradients(net, theta, D)[0]
    H = numeric.hessians(net, theta, D)[0]
    for _ in range(5):  # along u: L(eps) = L + g . u eps + (u^T H u / 2) eps^2 + ...
        u = [F(rng.randint(-2, 2)) for _ in range(net.n_params)]
        germ = loss_germ(net, D, u)
        uf = np.array([float(t) for t in u])
        first = float(germ[1]) if len(germ) > 1 else 0.0
        second = float(germ[2]) if len(germ) > 2 else 0.0
        assert g @ uf == pytest.approx(first, rel=1e-9, abs=1e-9)
        assert uf @ H @ uf / 2 == pytest.approx(second, rel=1e-7, abs=1e-7)


def test_a_shallow_point_with_two_outputs_has_its_architecture():
    net = ShallowReLU([1], [0], [[1], [2]], [0, 0])
    arch = numeric.architecture(net)
    assert arch.widths == (1, 1, 2) and arch.outputs == 2
    back = numeric.from_vector(numeric.to_vector(net), net, allow_float=True)
    assert back == net
    D = Dataset([1, 2], [0, 1])  # one target per point: refused by name
    with pytest.raises(ShapeError, match="2 output"):
        numeric.NumericObjective(net, D)


def test_the_neighbourhood_search_finds_the_second_order_descent():
    # docs/method.md, "Several outputs": every first-order condition holds, yet a move of
    # (w, b) with v turned towards output 2 lowers the loss at order eps^2
    net = ShallowReLU([1], [0], [[1], [0]], [0, 0])
    D = Dataset([-1, 1, 2], [[0, -1], [1, 2], [2, -1]])
    found = search_neighbourhood(net, D, "1/10", seed=1)
    assert found.found_descent and found.best.loss(D) < net.loss(D)
    ok = search_neighbourhood(net, Dataset([0, 1, -1], [[-1, 0], [1, 0], [1, 0]]), "1/100")
    assert not ok.found_descent
