'''Lemma 2, as printed:

    "If there holds W_1 x_i < -b_1 for all i-s, then the model M has a constant output.
    Moreover, applying local optimization does not change the values of W_1, b_1."

Verified, with "constant output" read on the data points: the loss is locally constant in
(W_1, b_1), so every one-sided directional derivative in them is exactly 0 and gradient
training never moves them. Off the data the network need not be constant (tested below).
'''


from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima.exact.datasets import Dataset
from relu_minima.exact.deep_relu import DeepReLU
from relu_minima.paper.dead_layers.check_theorem1 import check_lemma2
from relu_minima.paper.registry import Context, Status
from relu_minima.verify.deep.rules import blind_spot_gradient_vanishes, find_blind_spot, loss_germ

D = Dataset([[0, 1], [1, 0], [2, 2]], [1, -2, 4])


def test_dead_first_layer_gives_one_output_and_zero_gradient():
    # W_1 x + b_1 at the three points: unit 1: -1, -1, -2 - 1 ... all < 0 (by hand)
    net = DeepReLU([[[-1, 0], [0, -1]], [[3, 1]]], [[-1, -2], [5]])
    assert find_blind_spot(net, D).layer == 1 and find_blind_spot(net, D).strict
    assert net.outputs(D) == [5, 5, 5]
    assert blind_spot_gradient_vanishes(net, D)
    # the output bias does move the loss: d/db_2 of sum (5 + t - y)^2 = 2 (4 + 7 + 1) = 24
    u = [0] * (net.n_params - 1) + [1]
    assert loss_germ(net, D, u)[1] == 24


def test_constant_only_on_the_data():
    net = DeepReLU([[[-1, 0]], [[3]]], [[-1], [5]])
    assert net([-4, 0]) == 5 + 3 * 3  # relu(4 - 1) = 3 away from the data


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=4, max_size=4), st.integers(-3, 3))
def test_gradient_training_never_moves_a_dead_first_layer(w, c):
    W1 = [[w[0], w[1]], [w[2], w[3]]]
    # shift the biases so that both units are strictly negative on all three points
    top = [max(r[0] * x[0] + r[1] * x[1] for x in D.X) for r in W1]
    net = DeepReLU([W1, [[1, -2]], [[c]]], [[-t - 1 for t in top], [1], [0]])
    assert len(set(net.outputs(D))) == 1
    assert blind_spot_gradient_vanishes(net, D)


def test_not_a_blind_spot_is_reported():
    net = DeepReLU([[[1, 1]], [[1]]], [[0], [0]])
    assert not blind_spot_gradient_vanishes(net, D)


def test_registered_status(tmp_path):
    result = check_lemma2(Context(tmp_path, quick=True))
    assert result.status is Status.VERIFIED and result.data["checked"] > 0
