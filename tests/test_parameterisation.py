"""The user's own parameterisation (issue 18): bias-free layers, a fixed output bias, frozen
parameters; the restricted exact decision (docs/method.md, Theorem 2) and everything that
carries the parameterisation (JSON, CLI, helpers, strategies, snap)."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relu_minima import Certificate, Dataset, DeepReLU, ShallowReLU, verify_local_minimum
from relu_minima import strategies as rms
from relu_minima.errors import CertificateError, InvalidArgument, ShapeError
from relu_minima.exact.io import parse_problem
from relu_minima.testing.assertions import (
    assert_local_minimum,
    assert_no_descent_found,
    assert_not_local_minimum,
)

FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# f = relu(x) fits x = 1, 2 exactly; x = -1 (y = 5) is dead, so sum r = -5 != 0 (c not optimal)
D_BIAS = Dataset([1, 2, -1], [1, 2, 5])
NET_BIAS = ShallowReLU([1], [0], [1], 0)
# unit 2 (v = 0) sits on its kink at x = 1: a saddle (second-order descent through v_2)
D_SADDLE = Dataset([-2, -1, 1, -2], [-2, 0, 2, 0])
NET_SADDLE = ShallowReLU([-1, 1], [-2, -1], [1, 0], 0)
# the unit (v = -2) has its kink at x = 0 with R = 2: g(delta) = 2 max(0, delta_b) > 0 wants b up
D_KINK = Dataset([0, -1], [-3, 1])
NET_KINK = ShallowReLU([2], [0], [-2], -1)


def _decide(net, D):
    cert = verify_local_minimum(net, D)
    assert cert.check()
    again = Certificate.from_json(cert.to_json())
    assert again.check() and again.params == net
    return cert


# -- fixed examples -------------------------------------------------------------------------------
@pytest.mark.parametrize("restricted", [
    NET_BIAS.with_space(frozen=["b_2[1]"]),          # c held at its value
    NET_BIAS.with_space(bias=(True, False)),          # no output bias at all (c = 0)
])
def test_minimum_with_fixed_output_bias_but_not_with_a_free_one(restricted):
    full = _decide(NET_BIAS, D_BIAS)
    assert full.is_local_minimum is False and full.case == "bias"
    cert = _decide(restricted, D_BIAS)
    assert cert.is_local_minimum is True
    assert "no condition: c is not a parameter here" in str(cert)
    assert restricted.space.describe() in str(cert)
    assert json.loads(cert.to_json())["params"] == restricted.to_json()


def test_no_converse_minimum_over_more_parameters_is_minimum_over_fewer():
    # the converse (a minimum with c free that is not one with c fixed) cannot exist: the fixed
    # set is a subset through theta. Checked on the Proposition 1 point of D1.
    D1 = Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])
    net = ShallowReLU([1], [-3], [1], 0)
    assert _decide(net, D1).is_local_minimum is True
    for frozen in (["b_2[1]"], ["W_1[1,1]"], ["b_1[1]", "W_2[1,1]"]):
        assert _decide(net.with_space(frozen=frozen), D1).is_local_minimum is True


def test_frozen_output_weight_turns_a_saddle_into_a_minimum():
    full = _decide(NET_SADDLE, D_SADDLE)
    assert full.is_local_minimum is False and full.case == "saddle"
    held_v = _decide(NET_SADDLE.with_space(frozen=["W_2[1,2]"]), D_SADDLE)
    assert held_v.is_local_minimum is True
    held_u = _decide(NET_SADDLE.with_space(frozen=["W_1[2,1]", "b_1[2]"]), D_SADDLE)
    assert held_u.is_local_minimum is True
    # freezing only the weight leaves the bias direction, along which g != 0: still a saddle
    held_w = _decide(NET_SADDLE.with_space(frozen=["W_1[2,1]"]), D_SADDLE)
    assert held_w.is_local_minimum is False and held_w.case == "saddle"
    assert held_w.direction[NET_SADDLE.space.index("W_1[2,1]")] == 0


def test_frozen_bias_removes_the_kink_direction():
    full = _decide(NET_KINK, D_KINK)
    assert full.is_local_minimum is False and full.case == "unit"
    held = _decide(NET_KINK.with_space(frozen=["b_1[1]"]), D_KINK)
    assert held.is_local_minimum is True
    assert "moving coordinates only: W_1[1,1]" in str(held)


def test_moving_output_weight_needs_its_own_condition():
    # u_1 fully frozen, v_1 free: dL/dv_1 = 2 r . relu(z_1) != 0 is the descent
    D = Dataset([1, 2], [3, 3])
    net = ShallowReLU([1], [0], [1], 0, frozen=["W_1[1,1]", "b_1[1]", "b_2[1]"])
    cert = _decide(net, D)
    assert cert.is_local_minimum is False and cert.case == "output"
    w = cert.witness(Fraction(1, 100))
    assert w.space == net.space and (w.W, w.b, w.c) == (net.W, net.b, net.c)


def test_tampered_parameterisation_is_refused():
    data = json.loads(_decide(NET_BIAS, D_BIAS).to_json())  # descent along c
    data["params"]["frozen"] = ["b_2[1]"]
    with pytest.raises(CertificateError, match="states the parameterisation"):
        Certificate.from_json(data)
    data["evidence"]["parameterisation"] = "held fixed: b_2[1]"  # consistent, still caught
    with pytest.raises(CertificateError, match="fixed parameter"):
        Certificate.from_json(data).check()
    stated = json.loads(_decide(NET_KINK.with_space(frozen=["b_1[1]"]), D_KINK).to_json())
    stated["evidence"]["parameterisation"] = "every weight and bias is a parameter"
    with pytest.raises(CertificateError, match="states the parameterisation"):
        Certificate.from_json(stated)
    mini = json.loads(_decide(NET_BIAS.with_space(frozen=["b_2[1]"]), D_BIAS).to_json())
    del mini["params"]["frozen"]  # the same evidence now claims a minimum over every parameter
    with pytest.raises(CertificateError):
        Certificate.from_json(mini).check()


# -- hypothesis ---------------------------------------------------------------------------------
@st.composite
def _problems(draw):
    D = draw(rms.datasets(max_n=5, max_d=2, min_value=-3, max_value=3))
    net = draw(rms.shallow_relu(dataset=D, max_m=2, min_value=-2, max_value=2, kinks=True,
                                zero_output_weights=draw(st.integers(0, 1))))
    return D, net


@FAST
@given(_problems())
def test_output_rates_are_r_dot_relu_z(problem):
    """The decision computes r . relu(z_j) (dL/dv_j / 2) as (w_j, b_j) . ps_j; it must equal
    the sum over all points."""
    from relu_minima.verify.shallow.units import unit_evidence

    D, net = problem
    ev = unit_evidence(net, D)
    table = net.preactivation_table(D)
    direct = tuple(sum((r * max(table.value(i, j), Fraction(0))
                        for i, r in enumerate(ev.residuals)), Fraction(0))
                   for j in range(net.m))
    assert ev.rates == direct


@FAST
@given(_problems())
def test_bias_free_layer_on_lifted_inputs_agrees_with_the_biased_layer(problem):
    """(x, 1) inputs and a bias-free hidden layer: the same function class and the same
    parameter map as a layer with biases on x, so the exact decisions must agree."""
    D, net = problem
    lifted = Dataset([(*x, 1) for x in D.X], D.y)
    bias_free = ShallowReLU([(*w, b) for w, b in zip(net.W, net.b, strict=True)], None, net.v,
                            net.c, bias=(False, True))
    a, b = _decide(net, D), _decide(bias_free, lifted)
    assert a.verdict is b.verdict
    assert a.loss == b.loss
    # and with the output bias fixed on both sides
    a2 = _decide(net.with_space(frozen=["b_2[1]"]), D)
    b2 = _decide(bias_free.with_space(bias=(False, False)) if net.c == 0 else
                 bias_free.with_space(bias=(False, True), frozen=["b_2[1]"]), lifted)
    assert a2.verdict is b2.verdict


@FAST
@given(_problems(), st.data())
def test_restricting_is_monotone_and_never_moves_a_fixed_parameter(problem, data):
    D, net = problem
    frozen = data.draw(st.lists(st.sampled_from(net.space.names), unique=True, max_size=4))
    restricted = net.with_space(frozen=frozen)
    full, part = _decide(net, D), _decide(restricted, D)
    if full.is_local_minimum:
        assert part.is_local_minimum
    if part.is_local_minimum is False:
        assert full.is_local_minimum is False
        assert not restricted.space.moved_fixed(part.direction)
        w = part.witness(Fraction(1, 1000))
        assert all(w.parameters()[p] == net.parameters()[p]
                   for p in restricted.space.fixed_positions)


@FAST
@given(_problems(), st.data())
def test_restricted_minimum_survives_perturbations_of_the_moving_parameters(problem, data):
    D, net = problem
    net = data.draw(rms.shallow_relu(dataset=D, max_m=2, min_value=-2, max_value=2,
                                     kinks=True, frozen="random"))
    cert = verify_local_minimum(net, D)
    if not cert.is_local_minimum:
        return
    q = data.draw(rms.perturbations(net, cert.radius))
    assert all(q.parameters()[p] == net.parameters()[p] for p in net.space.fixed_positions)
    assert q.loss(D) >= cert.loss


# -- deep -----------------------------------------------------------------------------------------
def test_deep_points_under_a_restricted_parameterisation():
    D = Dataset([0, 1, 2], [0, 2, 1])
    two = DeepReLU([[[1]], [[1]]], None, bias=False)
    cert = _decide(two, D)
    assert cert.kind == "restricted-deep" and cert.is_local_minimum is False
    assert cert.witness().space == two.space
    three = DeepReLU([[[1]], [[1]], [[1]]], [[0], [0], [1]], frozen=["b_3[1]"])
    cert = _decide(three, D)
    assert cert.kind == "restricted-deep"
    if cert.is_local_minimum is False:
        assert not three.space.moved_fixed(cert.direction)
    dead = DeepReLU([[[1]], [[1]], [[1]]], [[-5], [0], [0]], frozen=["b_3[1]"])
    cert = _decide(dead, Dataset([0, 1], [0, 2]))  # full space: the output bias moves
    assert cert.is_local_minimum is False and "b_2[1] increasing" in cert.reason  # b_3 frozen
    # bias-free and dead in layer 1: the output is 0 near theta whatever moves; a minimum that
    # the full space (where b_3 could move to the mean) does not have
    gone = DeepReLU([[[-1], [-2]], [[1, 1]], [[1]]], None, bias=False)
    D3 = Dataset([1, 2], [1, 3])
    cert = _decide(gone, D3)
    assert cert.is_local_minimum is True and cert.route == "dead layer, later biases fixed"
    assert verify_local_minimum(gone.with_space(), D3).is_local_minimum is False
    data = json.loads(cert.to_json())
    data["params"]["weights"][0] = [["1"], ["-2"]]  # layer 1 alive at the data: no longer dead
    data["loss"] = str(DeepReLU.from_json(data["params"]).loss(D3))
    with pytest.raises(CertificateError, match="dead layer"):
        Certificate.from_json(data).check()
    # a moving later bias could revive the chain: not this route
    alive = DeepReLU([[[-1], [-2]], [[1, 1]], [[1]]], [None, [0], None], bias=(False, True, False))
    assert _decide(alive, D3).route != "dead layer, later biases fixed"
    from relu_minima.verify.deep.rules import verify_deep_local_minimum

    with pytest.raises(InvalidArgument, match="restricted parameterisation"):
        verify_deep_local_minimum(dead, D)


# -- bad input ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"frozen": ["W_1[3,1]"]}, ShapeError, "frozen name 'W_1\\[3,1\\]' does not exist"),
    ({"frozen": ["c"]}, ShapeError, "frozen name 'c' does not exist.*b_2\\[1\\]"),
    ({"bias": [True, True, False]}, ShapeError, "3 flag\\(s\\) but widths .* have 2 layer"),
    ({"bias": "no"}, InvalidArgument, "bias='no'"),
    ({"bias": (False, True), "frozen": ["b_1[1]"]}, InvalidArgument, "has no bias"),
])
def test_bad_parameterisations_are_refused(kwargs, error, message):
    with pytest.raises(error, match=message):
        ShallowReLU([[1, 0], [0, 1]], [0, 0], [1, 1], 0, **kwargs)


def test_nonzero_bias_on_a_bias_free_layer_is_refused():
    with pytest.raises(InvalidArgument, match="layer 1 has no bias"):
        ShallowReLU([1], [2], [1], 0, bias=(False, True))
    with pytest.raises(ShapeError, match="b=None but layer 1 has a bias"):
        ShallowReLU([1], None, [1], 0)


def test_json_problem_format_and_cli(tmp_path, capsys):
    from relu_minima.cli import main

    text = json.dumps({"dataset": D_BIAS.to_json(),
                       "params": {"W": ["1"], "v": ["1"], "b": ["0"], "bias": [True, False]}})
    params, _ = parse_problem(text)
    assert params == NET_BIAS.with_space(bias=(True, False))
    path = tmp_path / "p.json"
    path.write_text(text)
    assert main(["verify", str(path)]) == 0
    assert "layer 2 has no bias" in capsys.readouterr().out
    full = tmp_path / "full.json"
    full.write_text(json.dumps({"dataset": D_BIAS.to_json(), "params": NET_BIAS.to_json()}))
    assert main(["verify", str(full)]) == 1
    assert main(["verify", str(full), "--frozen", "b_2[1]"]) == 0
    capsys.readouterr()
    assert main(["verify", str(full), "--frozen", "b_9[1]"]) == 2
    assert "frozen name 'b_9[1]' does not exist" in capsys.readouterr().err
    bad = json.loads(text)
    bad["params"]["bias"] = [True, False, True]
    with pytest.raises(ShapeError, match="has 3 flag"):
        parse_problem(json.dumps(bad))


def test_pytest_helpers_take_the_parameterisation():
    assert_local_minimum(NET_BIAS, D_BIAS, frozen=["b_2[1]"])
    assert_not_local_minimum(NET_BIAS, D_BIAS)
    with pytest.raises(AssertionError, match="held fixed: b_2"):
        assert_not_local_minimum(NET_BIAS, D_BIAS, frozen=["b_2[1]"])
    result = assert_no_descent_found(NET_BIAS, D_BIAS, frozen=["b_2[1]"], seed=0, n_random=200)
    assert not result.found_descent


def test_permuted_units_carry_their_frozen_names():
    net = NET_SADDLE.with_space(frozen=["W_2[1,2]", "b_1[1]"])
    p = net.permuted([1, 0])
    assert p.space.frozen == ("b_1[2]", "W_2[1,1]")
    assert verify_local_minimum(p, D_SADDLE).verdict is verify_local_minimum(net, D_SADDLE).verdict


# -- snap -----------------------------------------------------------------------------------------
def test_state_dict_without_bias_keys_is_bias_free_and_read_in_stored_order():
    from relu_minima.train.state_dict import from_state_dict

    sd = {"input_layer.weight": np.array([[1.0, 2.0], [3.0, -1.0]]),
          "output_layer.weight": np.array([[0.5, -1.0]])}
    net = from_state_dict(sd)
    assert net == ShallowReLU([[1, 2], [3, -1]], None, [Fraction(1, 2), -1], None, bias=False)
    sd["output_layer.bias"] = np.array([0.25])
    assert from_state_dict(sd).space.bias == (False, True)


def test_snap_of_a_trained_bias_free_network():
    from relu_minima.train.snap import snap

    X = np.array([[x, 1.0] for x in (-2.0, -1.0, 0.5, 1.0, 2.0)])
    y = np.array([0.0, 0.0, 1.0, 2.0, 3.0])
    W1 = np.array([[1.0, 0.5], [-0.3, -1.0]])  # unit 2 dead on every point
    v = np.array([[1.0, 0.2]])
    for _ in range(4000):  # plain gradient descent, no biases anywhere
        Z = X @ W1.T
        H = np.maximum(Z, 0)
        r = H @ v[0] - y
        gv = 2 * r @ H
        gW = 2 * ((r[:, None] * (Z > 0)) * v[0]).T @ X
        v[0] -= 0.01 * gv
        W1 -= 0.01 * gW
    report = snap({"0.weight": W1, "2.weight": v}, (X.tolist(), y.tolist()))
    assert report.params.space.bias == (False, False)
    assert report.status == "local minimum", report.attempts
    assert report.certificate.check()
    with pytest.raises(InvalidArgument, match="frozen parameters"):
        snap(report.params.with_space(bias=False, frozen=["W_2[1,1]"]), report.dataset)


# -- smooth (interval) certificates ---------------------------------------------------------------
def test_smooth_certificate_over_the_moving_parameters():
    pytest.importorskip("flint")
    from relu_minima.exact.smooth_net import SmoothNet
    from relu_minima.verify.smooth.certify import certify_smooth_minimum

    D = Dataset([-2, -1, 0, 1, 2, 3], ["-0.9", "-0.5", "0.1", "0.6", "0.8", "1.1"])
    # float minimiser of the loss over (w, b, v) with c held at -1/8 (scipy BFGS, rounded)
    start = SmoothNet([["0.41523"]], ["0.15343"], ["1.3352"], Fraction(-1, 8), activation="tanh",
                      frozen=["b_2[1]"])
    cert = certify_smooth_minimum(start, D)
    assert cert.is_local_minimum is True and cert.params.c == Fraction(-1, 8)
    assert len(cert.box) == 3 and "held fixed: b_2[1]" in str(cert)
    again = Certificate.from_json(cert.to_json())
    assert again.check() and again.params.space.frozen == ("b_2[1]",)
    data = json.loads(cert.to_json())
    del data["params"]["frozen"]  # over all four coordinates the centre is not critical in c
    with pytest.raises(CertificateError):
        Certificate.from_json(data).check()
    nothing = start.with_space(frozen=start.space.names)
    assert certify_smooth_minimum(nothing, D).is_local_minimum is None
