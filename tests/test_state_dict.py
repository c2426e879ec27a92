"""Reading trained networks: PyTorch-shaped state_dicts as plain dicts of numpy arrays
(weight (out, in), bias (out,)), (weights, biases) pairs, and exact copies with a stated
rational approximation (``from_arrays``, ``from_state_dict``). torch is never imported."""

from __future__ import annotations

from collections import OrderedDict
from fractions import Fraction
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from relu_minima import (
    DeepReLU,
    InvalidNumberError,
    ShallowReLU,
    ShapeError,
    from_arrays,
    from_state_dict,
    snap,
)
from relu_minima.errors import InvalidType
from relu_minima.paper.regression.examples import D1
from relu_minima.train.state_dict import UnsupportedModelError, read_network


def _sequential(widths, seed=0, dtype=np.float64, names=None):
    """A state_dict as nn.Sequential(Linear, ReLU, Linear, ...) stores it: keys "0.weight",
    "0.bias", "2.weight", ... (the ReLUs at odd indices hold no parameters)."""
    rng = np.random.default_rng(seed)
    state = OrderedDict()
    for n, (i, o) in enumerate(pairwise(widths)):
        name = names[n] if names else str(2 * n)
        state[f"{name}.weight"] = rng.normal(size=(o, i)).astype(dtype)
        state[f"{name}.bias"] = rng.normal(size=(o,)).astype(dtype)
    return state


def test_one_hidden_layer_state_dict_is_a_shallow_relu_with_exact_binary_values():
    state = _sequential((2, 3, 1))
    net = from_state_dict(state)
    assert isinstance(net, ShallowReLU) and (net.d, net.m) == (2, 3)
    assert net.W[1][0] == Fraction(float(state["0.weight"][1, 0]))
    assert net.b == tuple(Fraction(float(t)) for t in state["0.bias"])
    assert net.v == tuple(Fraction(float(t)) for t in state["2.weight"][0])
    assert net.c == Fraction(float(state["2.bias"][0]))


def test_deep_state_dicts_named_layers_and_float32():
    state = _sequential((1, 4, 3, 1), dtype=np.float32, names=["inp", "hid", "out"])
    net = from_state_dict(state)
    assert isinstance(net, DeepReLU) and net.widths == (1, 4, 3, 1)
    assert net.weights[1][2][1] == Fraction(float(state["hid.weight"][2, 1]))


def test_an_object_with_state_dict_method_is_asked_for_it():
    state = _sequential((1, 2, 1))

    class Module:
        def state_dict(self):
            return state

    assert from_state_dict(Module()) == from_state_dict(state)


@given(st.integers(1, 3), st.integers(1, 4), st.integers(0, 2**16), st.integers(1, 1000))
def test_max_denominator_is_the_closest_rational_with_that_bound(d, m, seed, max_den):
    state = _sequential((d, m, 1), seed=seed)
    net = from_state_dict(state, max_denominator=max_den)
    for row, wrow in zip(net.W, state["0.weight"], strict=True):
        for t, f in zip(row, wrow, strict=True):
            assert t.denominator <= max_den
            assert t == Fraction(float(f)).limit_denominator(max_den)


def test_from_arrays_and_the_shallow_names_agree():
    W, b, v, c = [[0.5], [-1.0]], [0.25, 0.0], [2.0, 0.3333333], -1.5
    a = from_arrays([W, [v]], [b, [c]], max_denominator=100)
    assert a == ShallowReLU([["1/2"], [-1]], ["1/4", 0], [2, "1/3"], "-3/2")
    assert read_network({"W": W, "b": b, "v": v, "c": c}).widths == (1, 2, 1)


def test_snapping_a_state_dict_equals_snapping_its_arrays():
    W, b, v, c = [[1.0000002]], [-3.0000005], [0.9999998], 1e-7
    state = {"0.weight": np.array(W), "0.bias": np.array(b), "2.weight": np.array([v]),
             "2.bias": np.array([c])}
    assert snap(state, D1).params == snap({"W": W, "b": b, "v": v, "c": c}, D1).params


# -- refused -------------------------------------------------------------------------------
def test_layers_other_than_linear_and_relu_are_refused():
    bn = _sequential((1, 2, 1))
    bn = OrderedDict([*list(bn.items())[:2], ("1.weight", np.ones(2)), ("1.bias", np.zeros(2)),
                      ("1.running_mean", np.zeros(2)), *list(bn.items())[2:]])
    with pytest.raises(UnsupportedModelError, match="running_mean"):
        from_state_dict(bn)
    norm = OrderedDict([("0.weight", np.ones((2, 1))), ("0.bias", np.zeros(2)),
                        ("1.weight", np.ones(2)), ("1.bias", np.zeros(2)),
                        ("2.weight", np.ones((1, 2))), ("2.bias", np.zeros(1))])
    with pytest.raises(UnsupportedModelError, match=r"'1.weight'.*not a Linear layer"):
        from_state_dict(norm)
    conv = {"0.weight": np.ones((2, 1, 3, 3)), "0.bias": np.zeros(2)}
    with pytest.raises(UnsupportedModelError, match="not a Linear layer"):
        from_state_dict(conv)
    # a Linear layer without a bias key is a bias-free layer (issue 18), not an error
    net = from_state_dict({"0.weight": np.ones((2, 1)), "2.weight": np.ones((1, 2)),
                           "2.bias": np.zeros(1)})
    assert net.space.bias == (False, True)


def test_shapes_that_do_not_chain_and_bad_numbers_are_refused():
    state = _sequential((1, 2, 1))
    with pytest.raises(ShapeError, match="do not form a network"):
        from_state_dict({**state, "2.weight": np.ones((1, 3))})
    with pytest.raises(ShapeError, match=r"'0.bias'.*must be \(2,\)"):
        from_state_dict({**state, "0.bias": np.zeros(3)})
    # a Linear(2, 2) head is read (k = 2 outputs), but its bias must have one entry per row
    with pytest.raises(ShapeError, match=r"'2.bias'.*must be \(2,\)"):
        from_state_dict({**state, "2.weight": np.ones((2, 2))})
    with pytest.raises(ShapeError, match="empty"):
        from_state_dict({})
    with pytest.raises(InvalidNumberError, match=r"state_dict\['0.weight'\]\[1, 0\].*not finite"):
        from_state_dict({**state, "0.weight": np.array([[1.0], [np.nan]])})
    with pytest.raises(InvalidNumberError, match="complex"):
        from_state_dict({**state, "0.bias": np.zeros(2, dtype=complex)})
    with pytest.raises(InvalidNumberError, match="max_denominator=0"):
        from_state_dict(state, max_denominator=0)
    with pytest.raises(InvalidType, match="str"):
        from_state_dict("0.weight")
