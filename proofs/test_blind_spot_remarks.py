"""The two blind-spot remarks, checked by hand (docs/errata.md).

Before Proposition 2: "they [blind spots] can be completely absent in local optima, at the same
time existing in a global solution!" Verified with certified points of the library's own.

Section 3.2: "for any regression dataset a rectifier model has at least one local minimum
with a large basin of attraction ... a blind spot that corresponds to a region in parameter
space of same dimensionality (codimension 0)". Erratum: the region is open, but its minima
are only its points with output = mean (codimension 1).
"""

from fractions import Fraction

from relu_minima import verify_local_minimum
from relu_minima.exact.datasets import Dataset
from relu_minima.exact.deep_relu import DeepReLU
from relu_minima.paper.dead_layers.check_basins import blind_spot_ball_radius, exact_gradient
from relu_minima.paper.regression.check_propositions import (
    NO_BLIND_SPOT_D2,
    NO_BLIND_SPOT_D3,
    PERFECT_FIT_D3,
    blind_spots,
)
from relu_minima.paper.regression.examples import D2, D3, PROP3_BETTER
from relu_minima.verify.deep.rules import verify_deep_local_minimum


def test_d2_local_minimum_without_blind_spot():
    # by hand: unit 1 = relu(10/3 - 3x) = 19/3, 10/3, 1/3, 0, 0, 0; unit 2 = relu(x - 9) =
    # 0, 0, 0, 1, 2, 3; outputs -2 + u1 - u2 = 13/3, 4/3, -5/3, -3, -4, -5 (the LS line
    # 4/3 - 3x on x <= 1, exact on x >= 10)
    z = NO_BLIND_SPOT_D2.preactivations(D2)
    assert all(max(row) > 0 for row in z)
    assert NO_BLIND_SPOT_D2.outputs(D2) == [Fraction(13, 3), Fraction(4, 3), Fraction(-5, 3),
                                           -3, -4, -5]
    cert = verify_local_minimum(NO_BLIND_SPOT_D2, D2)
    assert cert.is_local_minimum is True and cert.loss == Fraction(8, 3) > 0
    cert.check()


def test_d3_local_minimum_without_blind_spot_and_a_perfect_fit():
    assert all(max(row) > 0 for row in NO_BLIND_SPOT_D3.preactivations(D3))
    cert = verify_local_minimum(NO_BLIND_SPOT_D3, D3)
    # region II fitted by its least-squares line: residuals 1/6, -1/3, 1/6
    assert cert.is_local_minimum is True and cert.loss == Fraction(1, 6)
    assert PERFECT_FIT_D3.outputs(D3) == list(D3.y)  # so 1/6 is not the global minimum
    # the paper's better Proposition 3 minimum has a strict blind spot at x3 = 1:
    # -3/2 + 1, -3/2, 3/2 - 79/6 are all negative
    assert blind_spots(PROP3_BETTER, D3) == {"strict": [2], "weak": []}


def test_blind_spot_region_is_open_but_its_minima_need_the_mean():
    D = Dataset([0, 1, 3], [1, 5, 0])  # mean 2
    net = DeepReLU([[[1]], [[1]]], [[-5], [0]])  # x - 5 < 0 on the data: margin 2
    r = blind_spot_ball_radius(net, D)
    assert r == Fraction(2, 2 * (1 + 3))  # margin / (2 (1 + max |x|))
    for dw in (-r, r):
        for db in (-r, r):
            moved = DeepReLU([[[1 + dw]], [[7]]], [[-5 + db], [3]])
            assert all(t < 0 for row in moved.preactivations(D)[0] for t in row)
    assert verify_deep_local_minimum(net, D).is_local_minimum is False  # output 0 != 2
    at_mean = DeepReLU([[[1]], [[1]]], [[-5], [2]])
    assert verify_deep_local_minimum(at_mean, D).is_local_minimum is True
    # the exact gradient moves the output bias only: 2 N (C - ybar) = 2 * 3 * (0 - 2)
    assert exact_gradient(net, D) == (0, 0, 0, -12)
