"""``snap`` / ``from_state_dict`` / ``from_arrays`` for networks with k outputs (issue 27, stage 2):
a ``Linear(m, k)`` head, one-hot targets, the blind-spot snap per output, "bad, proven" only
against an explicit point of the same parameterisation, the command line."""

from collections import OrderedDict
from fractions import Fraction
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima import DeepReLU, ShallowReLU, one_hot, verify_local_minimum
from relu_minima.cli import main
from relu_minima.errors import DimensionMismatch, InvalidArgument, ShapeError
from relu_minima.train import snap
from relu_minima.train.affine_points import coordinate_network
from relu_minima.train.state_dict import UnsupportedModelError, from_arrays, from_state_dict


def _blind(seed, k, m=4, d=3, n=12, depth=2):
    """A state_dict whose first layer is strictly dead on every (non-negative) input, the output
    bias near the targets' mean, and one-hot targets of k classes."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 5, size=(n, d)).astype(float)
    labels = np.arange(n) % k  # every class present
    Y = np.eye(k)[labels]
    state = OrderedDict()
    widths = (d, *([m] * (depth - 1)), k)
    for layer, (i, o) in enumerate(pairwise(widths)):
        W = rng.normal(size=(o, i))
        b = np.zeros(o)
        if layer == 0:
            W, b = -np.abs(W) - 0.1, -0.5 * np.ones(o)  # dead on every x >= 0
        state[f"{2 * layer}.weight"], state[f"{2 * layer}.bias"] = W, b
    # off the mean by more than the rounding to short rationals (relative 1e-6) could repair
    state[f"{2 * (depth - 1)}.bias"] = Y.mean(axis=0) + 1e-3
    return state, X, Y


# -- exact copies -------------------------------------------------------------------------------
def test_a_linear_m_k_head_is_read_as_k_outputs():
    state, _, _ = _blind(0, 3)
    net = from_state_dict(state)
    assert isinstance(net, ShallowReLU) and net.k == 3 and net.m == 4
    assert net.V[2][1] == Fraction(state["2.weight"][2, 1])
    assert net.C[0] == Fraction(state["2.bias"][0])
    same = from_arrays([state["0.weight"], state["2.weight"]], [state["0.bias"], state["2.bias"]])
    assert same == net
    named = from_state_dict({"W": state["0.weight"], "b": state["0.bias"],
                             "v": state["2.weight"], "c": state["2.bias"]})
    assert named == net
    deep = from_state_dict(_blind(0, 2, depth=3)[0])
    assert isinstance(deep, DeepReLU) and deep.widths == (3, 4, 4, 2)


def test_k_output_shapes_that_do_not_fit_are_refused_by_name():
    state, X, Y = _blind(0, 3)
    with pytest.raises(ShapeError, match=r"\['v'\].*\['c'\] 2 entries"):
        from_state_dict({"W": state["0.weight"], "b": state["0.bias"], "v": state["2.weight"],
                         "c": [0.0, 0.0]})
    with pytest.raises(DimensionMismatch,
                       match=r"k=3 output.*k=1 entries.*one_hot\(X, labels, 3\)"):
        snap(state, (X, np.arange(len(X)) % 3))
    with pytest.raises(DimensionMismatch, match=r"k=3 output.*k=2 entries"):
        snap(state, (X, Y[:, :2]))
    with pytest.raises(UnsupportedModelError, match="sigmoid network with 3 outputs"):
        snap(state, (X, Y), activation="sigmoid")
    free = OrderedDict((k, v) for k, v in state.items() if k != "0.bias")
    with pytest.raises(InvalidArgument, match="bias-free"):
        snap(free, (X, Y))


# -- the snap ------------------------------------------------------------------------------------
@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("depth", [2, 3])
def test_a_blind_spot_snaps_to_the_certified_minimum_at_the_mean_per_output(k, depth):
    state, X, Y = _blind(k, k, depth=depth)
    report = snap(state, (X, Y))
    data = one_hot(X.astype(int).tolist(), list(np.argmax(Y, axis=1)), k)
    assert report.status == "local minimum" and report.certificate.is_local_minimum
    point = report.params
    assert isinstance(point, ShallowReLU if depth == 2 else DeepReLU)
    # the output bias is the exact target mean, output by output, and the loss is that of the
    # constant mean: n times the mean's variance, summed over outputs
    assert tuple(point.output_rows(data)[0] if depth > 2 else point(data.X[0])) \
        == data.target_mean
    assert report.snapped_loss == sum((t - m) ** 2 for row in data.Y
                                      for t, m in zip(row, data.target_mean, strict=True))
    assert report.certificate.check()
    # "bad, proven" only by a point of the same shape and parameterisation, whose exact loss is
    # recomputed here
    assert report.bad_local_minimum
    lower = report.lower_point
    assert type(lower) is type(point) and lower.space == point.space
    assert lower.loss(data) == report.lower_loss < report.snapped_loss
    assert any("not available for k=" in a for a in report.attempts) or depth > 2


def test_the_blind_spot_needs_the_mean_per_output():
    """The snap's output bias is what makes the blind spot a minimum: the same dead layer with
    the output bias moved off the mean in one output is not one (the test above could not pass
    with a snap that kept the trained bias)."""
    state, X, Y = _blind(1, 3)
    point = snap(state, (X, Y)).params
    C = list(point.C)
    C[1] += Fraction(1, 10)
    moved = ShallowReLU(point.W, point.b, point.V, C)
    assert verify_local_minimum(moved, snap(state, (X, Y)).dataset).is_local_minimum is False


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 3))
def test_random_blind_spots_with_k_outputs_are_certified(seed, k):
    state, X, Y = _blind(seed, max(k, 2), m=3, d=2, n=8)
    if k == 1:  # the one-output head of the same network
        state["2.weight"], state["2.bias"] = state["2.weight"][:1], state["2.bias"][:1]
        Y = Y[:, 0]
    report = snap(state, (X, Y))
    assert report.status == "local minimum"
    assert report.params.k == k


def test_a_trained_two_output_network_is_snapped_and_decided():
    """A 1-3-2 network trained by gradient descent on two-output targets: the snap solves the
    output layer exactly and the verdict is proved either way (the certificate re-checks)."""
    X = np.linspace(-1, 1, 7)[:, None]
    Y = np.column_stack([np.abs(X[:, 0]), X[:, 0] ** 2])
    rng = np.random.default_rng(3)
    W, b = rng.normal(size=(3, 1)), rng.normal(size=3) * 0.1
    V, c = rng.normal(size=(2, 3)) * 0.1, np.zeros(2)
    for _ in range(20000):
        Z = X @ W.T + b
        H = np.maximum(Z, 0)
        R = H @ V.T + c - Y
        gV, gc = 2 * R.T @ H, 2 * R.sum(0)
        G = (2 * R @ V) * (Z > 0)
        gW, gb = G.T @ X, G.sum(0)
        for p, g in ((W, gW), (b, gb), (V, gV), (c, gc)):
            p -= 0.01 * g
    report = snap({"W": W, "b": b, "v": V, "c": c}, (X, Y), max_distance=1.0)
    assert report.status in ("local minimum", "not a local minimum")
    assert report.certificate.check()
    point, data = report.params, report.dataset
    assert point.k == 2
    # the output layer is exactly stationary: the residuals sum to zero in every output and are
    # orthogonal to every unit's activation
    res = [[f - y for f, y in zip(point(x), row, strict=True)] for x, row in zip(data.X, data.Y,
                                                                                 strict=True)]
    table = point.preactivation_table(data)
    for out in range(2):
        assert sum(r[out] for r in res) == 0
        for j in range(point.m):
            assert sum(r[out] * max(table.value(i, j), 0) for i, r in enumerate(res)) == 0


def test_coordinate_network_is_a_point_of_the_same_shape_with_its_stated_loss():
    data = one_hot([[0, 1], [1, 0], [2, 2], [3, 1], [0, 0]], [0, 1, 2, 1, 0], 3)
    for like in (ShallowReLU([[1, 0]] * 3, [0] * 3, [[0] * 3] * 3, [0] * 3),
                 DeepReLU([[[1, 0]] * 3, [[1, 0, 0]] * 2, [[0, 0]] * 3],
                          [[0] * 3, [0] * 2, [0] * 3])):
        point = coordinate_network(like, data)
        assert type(point) is type(like)
        shape = (point.d, point.m, point.k) if isinstance(point, ShallowReLU) else point.widths
        assert shape == ((2, 3, 3) if isinstance(like, ShallowReLU) else (2, 3, 2, 3))
        constant = sum((t - m) ** 2 for row in data.Y
                       for t, m in zip(row, data.target_mean, strict=True))
        assert point.loss(data) < constant  # the inputs explain some of the labels
    assert coordinate_network(ShallowReLU([[1, 0]], [0], [[1], [0], [0]], None,
                                          bias=(True, False)), data) is None


# -- files and the command line ------------------------------------------------------------------
def test_the_command_line_snaps_a_k_output_file(tmp_path, capsys):
    state, X, Y = _blind(2, 3)
    trained, dataset = tmp_path / "trained.npz", tmp_path / "data.npz"
    np.savez(trained, **state)
    np.savez(dataset, X=X, y=Y)
    assert main(["snap", str(trained), str(dataset)]) == 0
    out = capsys.readouterr().out
    assert "LOCAL MINIMUM" in out and "BAD LOCAL MINIMUM, PROVEN" in out


def test_a_torch_linear_m_k_head():
    torch = pytest.importorskip("torch")
    state, X, Y = _blind(4, 3)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(),
                                torch.nn.Linear(4, 3)).double()  # float64, as the state
    with torch.no_grad():
        for key, value in state.items():
            model.state_dict()[key].copy_(torch.tensor(value))
    assert from_state_dict(model) == from_state_dict(state)
    assert snap(model, (X, Y)).status == "local minimum"


class Linear:  # the names a torch module's layers have (torch itself is not needed)
    def __init__(self, W, b):
        self.weight, self.bias = W, b

    def children(self):
        return iter(())


class ReLU(Linear):
    def __init__(self):
        pass


class Sequential:
    def __init__(self, *layers):
        self.layers = layers

    def children(self):
        return iter(self.layers)

    def named_modules(self):
        yield "", self
        for n, layer in enumerate(self.layers):
            yield str(n), layer

    def state_dict(self):
        return OrderedDict((f"{n}.{kind}", getattr(layer, kind))
                           for n, layer in enumerate(self.layers) if isinstance(layer, Linear)
                           and not isinstance(layer, ReLU) for kind in ("weight", "bias"))


def test_a_module_with_a_linear_m_k_head_without_torch():
    """The module route (named_modules, state_dict()) with a k-output head, on stand-in
    classes named as torch's are (the reader looks only at class names and arrays)."""
    state, X, Y = _blind(5, 3)
    model = Sequential(Linear(state["0.weight"], state["0.bias"]), ReLU(),
                       Linear(state["2.weight"], state["2.bias"]))
    assert from_state_dict(model) == from_state_dict(state)
    report = snap(model, (X, Y))
    assert report.status == "local minimum" and report.params.k == 3


def test_known_points_with_k_outputs():
    """A known point of the same shape and parameterisation proves "bad" when it is lower; one
    with another number of outputs is refused by name."""
    state, X, Y = _blind(6, 3)
    data = snap(state, (X, Y)).dataset
    lower = coordinate_network(from_state_dict(state), data)
    report = snap(state, (X, Y), known_points=[lower], max_patterns=None)
    assert report.bad_local_minimum and report.lower_loss == lower.loss(data)
    two = ShallowReLU(lower.W, lower.b, lower.V[:2], lower.C[:2])
    with pytest.raises(ShapeError, match=r"known_points\[0\].*\(3, 4, 2\).*\(3, 4, 3\)"):
        snap(state, (X, Y), known_points=[two])


def test_a_far_k_output_point_is_not_near_and_claims_nothing():
    """An untrained network: the exact output layer is far from the trained one, so nothing is
    certified and the report says how far, and what to pass to decide it anyway."""
    state, X, Y = _blind(7, 3)
    rng = np.random.default_rng(7)
    state["0.weight"], state["0.bias"] = rng.normal(size=(4, 3)), rng.normal(size=4)
    report = snap(state, (X, Y))
    assert report.status == "not near a stationary point" and report.certificate is None
    assert "pass max_distance=" in report.attempts[-1]
    assert report.is_local_minimum is None and report.check()
