"""Exact sympy models of sigmoid/tanh networks, and the numeric backend's agreement."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima.errors import InexactNumberError, InvalidArgument
from relu_minima.exact.datasets import Dataset
from relu_minima.exact.smooth_net import SmoothNet
from relu_minima.numeric import backend as numeric


def test_hand_values_are_exact():
    # w = 0, b = 0: sigmoid(0) = 1/2, so f = c + v/2 = 1/2 and L = (1/2 - 1)^2 = 1/4
    net = SmoothNet([0], [0], [1], 0, activation="sigmoid")
    assert net.loss_expression(Dataset([0], [1])) == sympy.Rational(1, 4)
    # f(1) = sigmoid(1) = 1/(1 + e^-1) exactly; squared loss against 0 is its square
    net = SmoothNet([1], [0], [1], 0, activation="sigmoid")
    expected = (1 / (1 + sympy.exp(-1))) ** 2
    assert sympy.simplify(net.loss_expression(Dataset([1], [0])) - expected) == 0
    # logistic loss with f = 0: log 2 per point
    net = SmoothNet([1], [0], [0], 0, activation="tanh")
    assert sympy.simplify(net.loss_expression(Dataset([1, 2], [1, -1]), "logistic")
                          - 2 * sympy.log(2)) == 0


def test_any_precision():
    net = SmoothNet([1], [0], [1], 0, activation="tanh")
    value = net.loss(Dataset([1], [0]), dps=40)
    with mpmath.workdps(45):
        assert abs(value - mpmath.tanh(1) ** 2) < mpmath.mpf(10) ** -38


def test_floats_refused():
    with pytest.raises(InexactNumberError, match=r"W\[0\]=0.5"):
        SmoothNet([0.5], [0], [1], 0)
    with pytest.raises(InvalidArgument, match="activation='relu'"):
        SmoothNet([1], [0], [1], 0, activation="relu")


halves = st.integers(-6, 6).map(lambda k: Fraction(k, 2))


@settings(max_examples=8, deadline=None)
@given(st.sampled_from(["sigmoid", "tanh"]), st.sampled_from(["squared", "logistic"]),
       st.lists(halves, min_size=7, max_size=7), st.lists(halves, min_size=3, max_size=3))
@pytest.mark.slow
def test_numeric_agrees_with_sympy(activation, loss, p, xs):
    net = SmoothNet([[p[0]], [p[1]]], p[2:4], p[4:6], p[6], activation=activation)
    D = Dataset(xs, [1, -1, 1])
    exact_value = net.loss(D, loss, dps=30)
    got = numeric.losses(net, numeric.to_vector(net), D, loss=loss)[0]
    # stated bound: float64 evaluation of < 20 smooth terms, relative 1e-12
    assert abs(got - float(exact_value)) <= 1e-12 * (1 + abs(float(exact_value)))
    mp = numeric.losses(net, [list(net.parameters())], D, loss=loss,
                        ctx=numeric.mp_context(30))[0]
    assert abs(mp - exact_value) < mpmath.mpf(10) ** -25
    g_sym = np.array(net.gradient(D, loss, dps=20), dtype=float)
    g_num = numeric.gradients(net, numeric.to_vector(net), D, loss=loss)[0]
    assert np.allclose(g_num, g_sym, rtol=1e-10, atol=1e-12)
