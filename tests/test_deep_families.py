"""The deep families (all-zero, zero layer, blind spot, depth 2) against a brute-force exact check.

A brute-force descent (tests/deep_brute.py: exact losses on a grid of nearby points) is a
proof of "not a minimum"; so every "minimum" verdict must survive it, and every "not a
minimum" verdict must come with an exactly lower witness.
"""

import json
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima import Certificate, Dataset, DeepReLU
from relu_minima.errors import CertificateError
from relu_minima.verify.deep.families import (
    all_zero_decision,
    ramp_feature,
    zero_layer_decision,
)
from relu_minima.verify.deep.rules import verify_deep_local_minimum

from .deep_brute import brute_descent, numpy_attack_deep

small = st.integers(-2, 2)


def zero_net(widths, c):
    k = len(widths) - 1
    W = [[[0] * widths[n] for _ in range(widths[n + 1])] for n in range(k)]
    b = [[0] * widths[n + 1] for n in range(k)]
    b[-1] = [c]
    return DeepReLU(W, b)


@st.composite
def datasets(draw, n_min=2, n_max=5):
    xs = draw(st.lists(st.integers(-2, 2), min_size=n_min, max_size=n_max))
    ys = draw(st.lists(st.integers(-3, 3), min_size=len(xs), max_size=len(xs)))
    return Dataset(xs, ys)


def mean(D):
    return sum(D.y, Fraction(0)) / D.n


def agrees_with_brute_force(net, D, cert):
    if cert.is_local_minimum is True:
        assert brute_descent(net, D) is None
    elif cert.is_local_minimum is False:
        for rad in (Fraction(1), Fraction(1, 1000)):
            w = cert.witness(rad)
            assert w.loss(D) < net.loss(D) and w.distance(net) <= rad
        assert brute_descent(net, D) is not None  # the grid holds the family's moves


def test_the_issue_example_is_not_a_minimum_at_once():
    # the all-zero 1-3-3-3-1 network with output bias = mean of targets (zero initialisation)
    D = Dataset([0, 1, 2, 3], [0, 1, 3, 4])
    net = zero_net((1, 3, 3, 3, 1), mean(D))
    cert = verify_deep_local_minimum(net, D, max_directions=1)
    assert cert.is_local_minimum is False and cert.case == "family: all-zero"
    order = next(i for i, t in enumerate(cert.germ) if i and t)
    assert order == 4 and cert.germ[order] < 0  # the path through 4 layers: order eps^4
    assert cert.witness(Fraction(1, 100)).loss(D) < net.loss(D)
    cert.check()


@settings(max_examples=12)
@given(datasets(), st.sampled_from([(1, 1, 1, 1)]), st.booleans())
def test_all_zero_family_against_brute_force(D, widths, at_mean):
    net = zero_net(widths, mean(D) if at_mean else mean(D) + 1)
    cert = verify_deep_local_minimum(net, D)
    cert.check()
    if at_mean:
        assert cert.case == "family: all-zero"
        decent = any(sum(D.y[i] for i in g) != mean(D) * len(g) for g in D.groups().values())
        assert cert.is_local_minimum is (not decent)
    else:
        assert cert.is_local_minimum is False
    agrees_with_brute_force(net, D, cert)


@settings(max_examples=10)
@given(datasets(n_min=3), st.sampled_from([(1, 2, 3, 1), (2, 1, 1, 1, 1), (1, 4, 4, 4, 1)]))
def test_all_zero_family_any_widths(D, widths):
    if widths[0] == 2:
        D = Dataset([[x[0], y] for x, y in zip(D.X, D.y, strict=False)], D.y)
    net = zero_net(widths, mean(D))
    fam = all_zero_decision(net, D)
    cert = verify_deep_local_minimum(net, D)
    assert cert.case == "family: all-zero" and cert.is_local_minimum is fam.minimum
    if not fam.minimum:
        assert cert.witness(Fraction(1, 10**6)).loss(D) < net.loss(D)


@st.composite
def zero_layer_points(draw):
    D = draw(datasets(n_min=3))
    n = draw(st.sampled_from([0, 1]))  # which hidden layer of a 1-1-1-1 net is zero
    W = [[[draw(small)]] for _ in range(3)]
    b = [[draw(small)] for _ in range(3)]
    W[n], b[n] = [[0]], [0]
    net = DeepReLU(W, b)
    b[2] = [b[2][0] + mean(D) - net.outputs(D)[0]]  # constant output = mean of targets
    return DeepReLU(W, b), D


@pytest.mark.slow  # over ~2 s on a loaded 2-core machine: left to the full suite
@settings(max_examples=15)
@given(zero_layer_points())
def test_zero_layer_family_against_brute_force(problem):
    net, D = problem
    cert = verify_deep_local_minimum(net, D)
    cert.check()
    fam = zero_layer_decision(net, D)
    if fam is not None and cert.case.startswith("family"):
        assert cert.is_local_minimum is fam.minimum
    if cert.is_local_minimum is True:
        assert brute_descent(net, D) is None
    elif cert.is_local_minimum is False:
        w = cert.witness(Fraction(1, 1000))
        assert w.loss(D) < net.loss(D)


@settings(max_examples=10)
@given(datasets(n_min=3), st.integers(-2, 2), st.integers(-3, -1))
def test_blind_spot_family_against_brute_force(D, c, dead):
    # layer 2 strictly dead on every input: f = c on a neighbourhood
    net = DeepReLU([[[1]], [[1]], [[1]]], [[0], [dead - 3], [c]])
    cert = verify_deep_local_minimum(net, D)
    assert cert.case == "blind spot" and cert.is_local_minimum is (c == mean(D))
    agrees_with_brute_force(net, D, cert) if c == mean(D) else cert.check()


@settings(max_examples=10)
@given(datasets(n_min=3), small, small, small, small)
def test_depth_two_is_the_shallow_decision(D, w, b, v, c):
    net = DeepReLU([[[w]], [[v]]], [[b], [c]])
    ybar = mean(D)
    net = net.replace_layer(1, b=[c + ybar - mean(Dataset(D.X, net.outputs(D)))])
    cert = verify_deep_local_minimum(net, D)
    assert cert.case in ("depth-2 criterion", "blind spot", "output bias", "class-mean bound")
    cert.check()
    if cert.is_local_minimum:
        assert brute_descent(net, D) is None


def test_family_proof_round_trip_and_tampering():
    D = Dataset([0, 0, 1, 1], [1, 3, 0, 4])  # both input groups have the mean 2: not decent
    net = zero_net((1, 2, 2, 1), 2)
    cert = verify_deep_local_minimum(net, D)
    assert cert.is_local_minimum is True and cert.case == "family: all-zero"
    back = Certificate.from_json(cert.to_json())
    assert back == cert and back.family == cert.family
    back.check()
    data = json.loads(cert.to_json())
    for field, value in (("mean", "3"), ("groups", [[1, 2, 3], [4]]), ("family", "zero layer"),
                         ("layer", 1)):
        bad = json.loads(json.dumps(data))
        bad["evidence"]["family"][field] = value
        with pytest.raises(CertificateError):
            Certificate.from_json(bad).check()
    moved = json.loads(json.dumps(data))
    moved["params"]["weights"][0][0][0] = "1"  # no longer all-zero
    with pytest.raises(CertificateError):
        Certificate.from_json(moved).check()
    gone = json.loads(json.dumps(data))
    gone["evidence"]["family"] = None
    with pytest.raises(CertificateError):
        Certificate.from_json(gone).check()


def test_zero_layer_minimum_proof():
    D = Dataset([0, 0, 1, 1], [1, 3, 0, 4])
    net = DeepReLU([[[1]], [[0]], [[2]]], [[1], [0], [2]])
    cert = verify_deep_local_minimum(net, D)
    assert cert.case == "family: zero layer" and cert.is_local_minimum is True
    assert cert.family.layer == 2
    Certificate.from_json(cert.to_json()).check()


def test_ramp_feature_exists_exactly_when_some_group_is_off_the_mean():
    X = [[0], [1], [2]]
    assert ramp_feature(X, [Fraction(t) for t in (1, -2, 1)]) is not None
    assert ramp_feature(X, [Fraction(0)] * 3) is None
    # convex residuals: every ramp relu(+-(x - t)) has S >= 0 in one dimension
    _v, _theta, S = ramp_feature(X, [Fraction(t) for t in (1, -2, 1)], want=1)
    assert S > 0
    assert ramp_feature(X, [Fraction(t) for t in (1, -2, 1)], want=-1) is None


def test_affine_tail_minimum_against_brute_force():
    # layer 1 zero; the tail -2 relu(2 h + 1) + 8/3 is affine near h = 0 with gradient -4 < 0,
    # and the residuals (1, -2, 1)/3 are convex, so every ramp has S >= 0: no move helps
    D = Dataset([0, 1, 2], [1, 0, 1])
    net = DeepReLU([[[0]], [[2]], [[-2]]], [[0], [1], ["8/3"]])
    cert = verify_deep_local_minimum(net, D)
    assert cert.case == "family: affine tail" and cert.is_local_minimum is True
    assert cert.family.tail == (-4,)
    assert brute_descent(net, D) is None
    Certificate.from_json(cert.to_json()).check()
    # the same tail with the opposite sign can use a ramp: not a minimum
    flipped = DeepReLU([[[0]], [[2]], [[2]]], [[0], [1], ["-4/3"]])
    other = verify_deep_local_minimum(flipped, D)
    assert other.is_local_minimum is False
    assert brute_descent(flipped, D) is not None
    tampered = json.loads(cert.to_json())
    tampered["evidence"]["family"]["tail"] = ["4"]
    with pytest.raises(CertificateError):
        Certificate.from_json(tampered).check()


@st.composite
def switched_off_first_layer(draw):
    D = draw(datasets(n_min=3))
    w = draw(st.integers(-2, 2))
    b1 = -max(w * x[0] for x in D.X)  # layer 1 <= 0 on the data, 0 at its largest point
    W = [[[w]], [[draw(small)]], [[draw(small)]]]
    b = [[b1], [draw(small)], [0]]
    net = DeepReLU(W, b)
    b[2] = [mean(D) - net.outputs(D)[0]]
    return DeepReLU(W, b), D


@pytest.mark.slow
@settings(max_examples=25)
@given(switched_off_first_layer())
def test_affine_tail_family_against_brute_force(problem):
    net, D = problem
    cert = verify_deep_local_minimum(net, D)
    cert.check()
    if cert.case in ("family: affine tail", "family: monotone tail"):
        assert cert.is_local_minimum is True
        assert brute_descent(net, D) is None


def test_affine_tail_in_a_later_layer_with_tied_inputs():
    # layer 2 is <= 0, on its kink at the two points with input 2 (targets 3 and -2, a class
    # of residual sum 1), and the output weight is -2: the class can only be moved down
    net = DeepReLU([[["-2"], ["1"], ["2"]], [["-2", "0", "2"]], [["-2"]]],
                   [["2", "-2", "-4"], ["0"], ["0"]])
    D = Dataset([-2, 2, 2, 0], [1, 3, -2, -2])
    cert = verify_deep_local_minimum(net, D)
    assert cert.case == "family: affine tail" and cert.family.layer == 2
    assert numpy_attack_deep(net, D, trials=600) >= 0
    Certificate.from_json(cert.to_json()).check()
    # the opposite output weight moves the class up, which the residuals want
    flipped = verify_deep_local_minimum(net.replace_layer(2, W=[[2]]), D)
    assert flipped.is_local_minimum is False


@pytest.mark.parametrize("params, data, layer", [
    # layer 2 off, the tail's only live route to the output is a kink unit behind a weight -1
    ({"weights": [[["0"], ["1"], ["0"]], [["0", "-1", "-1"]], [["1"], ["-1"]], [["0", "-1"]]],
      "biases": [["-1", "2", "-1"], ["0"], ["-1", "0"], ["7/4"]]},
     {"X": [["-2"], ["-2"], ["-2"], ["-1"]], "y": ["-2", "3", "3", "3"]}, 2),
    # layer 1 off; a zero weight into an active and a kink unit is dominated by the slope 2
    ({"weights": [[["-2"]], [["-2"], ["0"], ["0"]], [["-1", "0", "1"]]],
      "biases": [["-4"], ["1", "1", "0"], ["-1/3"]]},
     {"X": [["0"], ["1"], ["-2"], ["-1"], ["-1"], ["-2"]],
      "y": ["-2", "-2", "-1", "-3", "3", "-3"]}, 1),
])
def test_monotone_tail_minima_survive_an_exact_attack(params, data, layer):
    net, D = DeepReLU.from_json(params), Dataset.from_json(data)
    cert = verify_deep_local_minimum(net, D, max_directions=10)
    assert cert.case == "family: monotone tail" and cert.family.layer == layer
    assert numpy_attack_deep(net, D, trials=600) >= 0
    back = Certificate.from_json(cert.to_json())
    back.check()
    bad = json.loads(cert.to_json())
    bad["evidence"]["family"]["tail"] = ["-1"]
    with pytest.raises(CertificateError):
        Certificate.from_json(bad).check()
    # flipping the sign of the output layer lets the class move the way it wants
    W = [list(M) for M in net.weights]
    W[-1] = [[-t for t in W[-1][0]]]
    flipped = DeepReLU(W, net.biases)
    assert verify_deep_local_minimum(flipped, D).case != "family: monotone tail"
