'''Lemma 1 (Constant input), as printed:

    "If x_1 = ... = x_N, then the solution to regression (2) has a constant output
    M = (y_1 + ... + y_N)/N (the mean of the values in data)."

Verified: with one input every network outputs one number c on the data, and
L = N (c - ybar)^2 + sum_i (y_i - ybar)^2; any point with c != ybar is certified not a local
minimum (the output bias lowers L), and a point with c = ybar attains the least loss.
'''

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima.exact.datasets import Dataset
from relu_minima.exact.deep_relu import DeepReLU
from relu_minima.paper.dead_layers.check_theorem1 import check_lemma1
from relu_minima.paper.registry import Context, Status
from relu_minima.verify.deep.rules import verify_deep_local_minimum

D = Dataset([[2, -1]] * 4, [3, -1, 0, 5])  # mean 7/4; sum of squared deviations 91/4


def test_mean_output_attains_the_least_loss():
    # by hand: (3-7/4)^2 + (-1-7/4)^2 + (0-7/4)^2 + (5-7/4)^2 = (25 + 121 + 49 + 169)/16
    net = DeepReLU([[[1, 1], [0, 1]], [[1, -1]], [[2]]], [[0, 0], [0], [Fraction(-1, 4)]])
    # h_1 = (relu(1), relu(-1)) = (1, 0); h_2 = relu(1 - 0) = 1; M = 2 - 1/4 = 7/4
    assert net.outputs(D) == [Fraction(7, 4)] * 4
    assert net.loss(D) == Fraction(364, 16)
    cert = verify_deep_local_minimum(net, D)
    assert cert.is_local_minimum is True
    cert.check()


def test_other_constant_is_not_a_minimum():
    net = DeepReLU([[[1, 1]], [[2]]], [[0], [0]])  # output 2 * relu(1) = 2 != 7/4
    cert = verify_deep_local_minimum(net, D)
    assert cert.is_local_minimum is False
    better = cert.witness(Fraction(1, 10))
    assert better.loss(D) < net.loss(D) and better.distance(net) <= Fraction(1, 10)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(-2, 2), min_size=3, max_size=3), st.integers(-3, 3))
def test_every_network_is_at_least_the_mean_loss(w, c):
    net = DeepReLU([[w[:2]], [[w[2]]]], [[1], [c]])
    assert net.loss(D) >= Fraction(364, 16)
    cert = verify_deep_local_minimum(net, D)
    assert cert.is_local_minimum == (net.outputs(D)[0] == Fraction(7, 4))


def test_registered_status(tmp_path):
    assert check_lemma1(Context(tmp_path, quick=True)).status is Status.VERIFIED
