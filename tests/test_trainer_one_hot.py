"""The trainer's "one_hot_squared" loss (k outputs against one-hot rows of integer labels): the
summed squared loss of the exact models divided by the number of points, and its gradient."""

from fractions import Fraction

import numpy as np
import pytest

from relu_minima import one_hot
from relu_minima.errors import ShapeError
from relu_minima.train.protocol import InitLaw, Net, Protocol
from relu_minima.train.state_dict import from_arrays
from relu_minima.train.trainer import TrainData, errors, forward, init_params, loss, train

X = np.array([[0.0, 1.0], [1.0, 0.5], [2.0, -1.0], [-1.0, 0.25], [0.5, 0.5]])
LABELS = np.array([0, 2, 1, 2, 0])
PROTOCOL = Protocol("demo", loss="one_hot_squared", optimizer="gd", lr=0.05, steps=50,
                    init=InitLaw("normal", scale=0.5))


def test_the_loss_is_the_exact_summed_squared_loss_over_the_points():
    net = Net((2, 4, 3), "relu")
    params, _ = init_params(net, PROTOCOL.init, seed=1, indices=[0])
    data = TrainData.of("demo", X, LABELS)
    value = loss(net, PROTOCOL, params, data)[0]
    W1, b1 = params[0][0][0], params[0][1][0]
    W2, b2 = params[1][0][0], params[1][1][0]
    exact = from_arrays([W1, W2], [b1, b2])  # the trainer stores W as (out, in), as torch
    dataset = one_hot([[Fraction(t) for t in row] for row in X], LABELS, 3)
    assert value == pytest.approx(float(exact.loss(dataset)) / len(X), rel=1e-12)
    out, _ = forward(net, params, X)
    assert errors(PROTOCOL, out, LABELS)[0] == int(np.sum(np.argmax(out[0], axis=1) != LABELS))


def test_training_lowers_it_and_one_output_is_refused():
    data = TrainData.of("demo", X, LABELS)
    r = train(Net((2, 8, 3), "relu"), PROTOCOL.replace(steps=300), data, seed=2, indices=[0])
    assert r.trace_loss[-1, 0] < r.trace_loss[0, 0]
    with pytest.raises(ShapeError, match="one-hot squared loss need k >= 2"):
        train(Net((2, 3, 1), "relu"), PROTOCOL, data, seed=0, indices=[0])
