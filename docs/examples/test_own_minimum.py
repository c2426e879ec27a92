"""How a researcher checks their own claimed local minimum (run by the test suite).

Copy this file next to your tests. The fixtures ``local_minimum_checker`` and
``fuzz_neighbourhood`` come from relu_minima's pytest plugin, loaded automatically.
"""

from fractions import Fraction

from hypothesis import given, settings

from relu_minima import strategies as rms
from relu_minima.exact.datasets import Dataset
from relu_minima.exact.shallow_relu import ShallowReLU
from relu_minima.testing.assertions import assert_local_minimum, assert_not_local_minimum

# My data and the point my training run converged to (exact rationals, not floats).
DATA = Dataset([-1, 0, 1, 10, 11, 12], [5, 0, -1, -3, -4, -5])  # D2 of Proposition 2
MY_POINT = ShallowReLU(W=[-3, 1], b=[Fraction(13, 3), -10], v=[1, -1], c=-3)


def test_my_point_is_a_local_minimum():
    cert = assert_local_minimum(MY_POINT, DATA)  # exact proof, or a failure with a witness
    assert cert.loss == Fraction(8, 3)


def test_the_printed_point_is_not(local_minimum_checker):
    printed = ShallowReLU(W=[-3, -1], b=[Fraction(13, 3), -10], v=[1, -1], c=-3)
    local_minimum_checker.assert_not_local_minimum(printed, DATA)


def test_no_numeric_descent_nearby(fuzz_neighbourhood):
    # evidence only (a search); it fails with the best perturbation if it finds a lower loss
    fuzz_neighbourhood(MY_POINT, DATA, radius=Fraction(1, 100), n_random=500)


@settings(max_examples=10, deadline=None)
@given(rms.perturbations(MY_POINT, Fraction(1, 1000), nonzero=True))
def test_nearby_points_are_not_better(nearby):
    assert nearby.loss(DATA) >= MY_POINT.loss(DATA)


def test_moving_the_output_bias_breaks_it():
    assert_not_local_minimum(MY_POINT.replace(c=Fraction(-29, 10)), DATA)


def test_held_output_bias(local_minimum_checker):
    net = ShallowReLU([1], [0], [1], 0)
    local_minimum_checker.assert_local_minimum(net, ([1, 2, -1], [1, 2, 5]), frozen=["b_2[1]"])
