"""DeepReLU: exact forward pass and loss (Equation (2)), input rules, serialisation."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima.errors import DimensionMismatch, InexactNumberError, InvalidNumberError, ShapeError
from relu_minima.exact.datasets import Dataset
from relu_minima.exact.deep_relu import DeepReLU
from relu_minima.exact.shallow_relu import ShallowReLU

ABS = DeepReLU([[[1], [-1]], [[1, 1]]], [[0, 0], [0]])  # |x|


def test_shape_properties():
    net = DeepReLU([[[1, 2], [3, 4], [5, 6]], [[1, 0, 1]], [[2]]], [[0, 0, 0], [1], [-1]])
    assert net.depth == 3 and net.widths == (2, 3, 1, 1) and net.d == 2
    assert net.n_params == 6 + 3 + 3 + 1 + 1 + 1
    assert isinstance(net.weights[0][0][0], Fraction) and isinstance(net.biases[2][0], Fraction)
    net._check()


def test_forward_by_hand():
    net = DeepReLU([[[1, 2], [3, 4], [5, 6]], [[1, 0, 1]], [[2]]], [[0, -20, 0], [1], [-1]])
    # x = (1, 1): layer 1 = (3, 7 - 20, 11) -> (3, 0, 11); layer 2 = 3 + 11 + 1 = 15; out 29
    assert net([1, 1]) == 29 and net.forward(["1/2", 0]) == 2 * (Fraction(1, 2) + Fraction(5, 2)
                                                                 + 1) - 1
    assert ABS(-3) == 3 and ABS("-7/2") == Fraction(7, 2)


def test_dataset_methods():
    D = Dataset([-2, 1, 3], [1, 1, 1])
    assert ABS.outputs(D) == [2, 1, 3]
    assert ABS.residuals(D) == [1, 0, 2]
    assert ABS.loss(D) == 5
    pre = ABS.preactivations(D)
    assert pre[0] == ((-2, 2), (1, -1), (3, -3)) and [r[0] for r in pre[1]] == [2, 1, 3]
    assert ABS.hidden_activations(D) == (((0, 2), (1, 0), (3, 0)),)


def test_one_forward_pass_per_point_and_dataset(monkeypatch):
    """A deep decision reads the forward pass of its point many times (every rule, the move
    search, the blind-spot and class tests); it is computed once per dataset object."""
    from relu_minima.exact import deep_relu
    from relu_minima.verify.deep.rules import verify_deep_local_minimum

    layers = []
    real = deep_relu.linalg.affine_products
    monkeypatch.setattr(deep_relu.linalg, "affine_products",
                        lambda X, U: layers.append(1) or real(X, U))
    net = DeepReLU([[[1], [-1]], [[1, 1]], [[1]]], [[0, 0], [0], [0]])
    D = Dataset([0, 1, 3, 4], [1, 1, 3, 3])  # sum of residuals 0: the output bias passes
    cert = verify_deep_local_minimum(net, D)
    assert cert.case == "descent direction"  # the walk went through every rule and the search
    assert len(layers) == net.depth  # one pass: one product per layer
    assert net.with_space(bias=False).preactivations(D) is net.preactivations(D)
    # identity, not equality, of the dataset: other data is never served the cached pass
    other = Dataset([0, 1, 3, 4], [0, 0, 0, 0])
    assert net.loss(other) == 0 + 1 + 9 + 16 and len(layers) == 2 * net.depth
    assert net.outputs(D) == [0, 1, 3, 4]  # one slot, as ShallowReLU: the last dataset's


def test_depth_one_is_linear():
    net = DeepReLU([[[2, -1]]], [[3]])
    assert net.widths == (2, 1) and net([1, 5]) == 0


def test_json_roundtrip_and_replace():
    net = DeepReLU([[["1/3"], [-1]], [[1, "2/7"]]], [[0, 1], [5]])
    data = net.to_json()
    assert data["weights"][0][0] == ["1/3"] and data["biases"][1] == ["5"]
    assert DeepReLU.from_json(data) == net
    assert net.replace_layer(1, b=[0]).biases[1] == (0,)
    assert net.replace(biases=[[0, 0], [0]]).weights == net.weights
    assert net.with_parameters(net.parameters()) == net
    assert net.distance(net.replace_layer(0, b=[0, 3])) == 2


def test_from_shallow_same_function():
    sh = ShallowReLU(W=[[1, -1], [2, 0]], b=[-1, 1], v=[3, -2], c=1)
    deep = DeepReLU.from_shallow(sh)
    D = Dataset([[0, 0], [1, 2], [3, -1], [-2, 5]], [0, 0, 0, 0])
    assert deep.outputs(D) == sh.outputs(D) and deep.loss(D) == sh.loss(D)
    assert deep.to_shallow() == sh


@pytest.mark.parametrize(
    ("weights", "biases", "error", "text"),
    [
        ([[[1], [0.5]], [[1, 1]]], [[0, 0], [0]], InexactNumberError, r"weights\[0\]\[1\]\[0\]"),
        ([[[1], [1]], [[1, 1, 1]]], [[0, 0], [0]], ShapeError,
         "weights\\[1\\] has 3 columns but layer 0 has 2 units"),
        ([[[1], [1]], [[1, 1]]], [[0, 0], [0, 1]], ShapeError, r"biases\[1\] has 2 entries"),
        ([[[1], [1]], [[1, 1]]], [[0, 0]], ShapeError, "one bias vector per layer"),
        ([], [], ShapeError, "at least one layer"),
        ([[1, 2], [[1, 1]]], [[0, 0], [0]], ShapeError, r"weights\[0\]\[0\]=1 is a number"),
        ([[[1], ["nan"]], [[1, 1]]], [[0, 0], [0]], InvalidNumberError, r"weights\[0\]\[1\]\[0\]"),
        ([[[1], [1]], [[1, 1]]], [[0, 0], [float("inf")]], InvalidNumberError, r"biases\[1\]\[0\]"),
        ([[[1, 2], [1]], [[1, 1]]], [[0, 0], [0]], ShapeError, r"weights\[0\]\[1\] has 1"),
    ],
)
def test_bad_input(weights, biases, error, text):
    with pytest.raises(error, match=text):
        DeepReLU(weights, biases)


def test_bad_evaluation_input():
    with pytest.raises(DimensionMismatch):
        ABS([1, 2])
    with pytest.raises(DimensionMismatch, match="weights\\[0\\]"):
        ABS.loss(Dataset([[1, 2]], [0]))
    with pytest.raises(InexactNumberError, match="x"):
        ABS(0.5)
    with pytest.raises(ShapeError):
        ABS.distance(DeepReLU([[[1]], [[1]]], [[0], [0]]))
    assert DeepReLU([[[1], [1]], [[1, 1]]], [[0, 0], [0]], allow_float=True)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=9, max_size=9), st.integers(-5, 5))
def test_forward_matches_an_independent_formula(p, x):
    # 1-2-2-1 network written out by hand
    net = DeepReLU([[[p[0]], [p[1]]], [[p[2], p[3]], [p[4], p[5]]], [[p[6], p[7]]]],
                   [[1, -1], [0, p[8]], [2]])
    r = lambda t: max(t, 0)  # noqa: E731
    a, b = r(p[0] * x + 1), r(p[1] * x - 1)
    c, d = r(p[2] * a + p[3] * b), r(p[4] * a + p[5] * b + p[8])
    assert net(x) == p[6] * c + p[7] * d + 2
