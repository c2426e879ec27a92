'''Corollary 1, as printed:

    "If for any 1 <= j <= k there holds W_n h_(n-1) < -b_n for all i-s then, after the
    training, the model M will output (y_1 + ... + y_N)/N."

Erratum. For n = k (inside the printed range) the condition only says every output is
negative, and the statement is false: below, a point with all outputs negative has loss 0,
is a global minimum (training stays there) and does not output the mean.
Corrected statement (certified): if a HIDDEN layer n (1 <= n <= k-1) is strictly inactive on
every data point, gradient training never changes layers 1..n (zero gradient on a
neighbourhood), the outputs on the data stay one constant C, and every local minimum reached
in that region has C = mean of the targets (d L / d b_k = 2 N (C - ybar)).
'''

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima.exact.datasets import Dataset
from relu_minima.exact.deep_relu import DeepReLU
from relu_minima.paper.dead_layers.check_theorem1 import check_cor1
from relu_minima.paper.registry import Context, Status
from relu_minima.verify.deep.rules import blind_spot_gradient_vanishes, verify_deep_local_minimum


def test_printed_range_n_equals_k_is_false():
    D = Dataset([1, 2], [-1, -2])
    net = DeepReLU([[[1]], [[-1]]], [[0], [0]])  # M(x) = -relu(x): -1, -2, both < 0
    assert net.outputs(D) == [-1, -2]
    assert net.loss(D) == 0  # a global minimum: training does not move it
    cert = verify_deep_local_minimum(net, D)
    assert cert.is_local_minimum is True
    cert.check()
    assert set(net.outputs(D)) != {Fraction(-3, 2)}  # not the mean


def _exact_gradient_step(net, D, lr):
    from relu_minima.verify.deep.rules import loss_germ
    g = []
    for p in range(net.n_params):
        u = [0] * net.n_params
        u[p] = 1
        germ = loss_germ(net, D, u)
        g.append(germ[1] if len(germ) > 1 else Fraction(0))
    return net.with_parameters([a - lr * t for a, t in zip(net.parameters(), g, strict=True)])


def test_exact_gradient_descent_keeps_the_dead_layer_and_approaches_the_mean():
    D = Dataset([0, 1, 3], [1, 5, 0])  # mean 2
    net = DeepReLU([[[1], [-1]], [[-1, -1]], [[2]]], [[1, 1], [-1], [0]])  # layer 2 dead
    first = net.weights[:2], net.biases[:2]
    gaps = []
    for _ in range(6):
        net = _exact_gradient_step(net, D, Fraction(1, 20))
        assert (net.weights[:2], net.biases[:2]) == first  # layers 1..2 never move
        gaps.append(abs(net.outputs(D)[0] - 2))
    # by hand: only b_3 moves; C <- C - (1/20) * 2 * 3 * (C - 2), so |C - 2| = 2 (7/10)^t
    assert gaps == [2 * Fraction(7, 10) ** t for t in range(1, 7)]


@settings(max_examples=20, deadline=None)
@given(st.integers(-3, 3), st.integers(-3, 3), st.integers(1, 2))
def test_hidden_blind_spot_minimum_iff_mean(w, c, n):
    D = Dataset([0, 2, 5], [3, -1, 1])  # mean 1
    W = [[[w], [1]], [[1, w]], [[w]]]
    b = [[0, 0], [0], [c]]
    b[n - 1] = [-100] * len(b[n - 1])  # layer n strictly dead on the data
    net = DeepReLU(W, b)
    assert blind_spot_gradient_vanishes(net, D)
    cert = verify_deep_local_minimum(net, D)
    assert cert.is_local_minimum == (net.outputs(D)[0] == 1)


def test_registered_status(tmp_path):
    assert check_cor1(Context(tmp_path, quick=True)).status is Status.ERRATUM
