"""Deep ReLU networks with k outputs (summed squared loss): blind spots with the output bias at
the target mean per output, the output-bias rule, the all-zero and zero-layer families, the
class-mean bound, depth 2 through Theorem 3, the move search, and what stays undecided.
Checked against the exact brute force of tests/deep_brute.py (its own forward pass)."""

from __future__ import annotations

import json
import random
from fractions import Fraction as F

import pytest

from relu_minima import Certificate, Dataset, DeepReLU, verify_local_minimum
from relu_minima.exact.datasets import one_hot
from relu_minima.exact.params import ParameterSpace

from .deep_brute import brute_descent, numpy_attack_deep

# three classes on 1-D inputs, one-hot targets: mean target (1/2, 1/4, 1/4)
DIGITS = one_hot([0, 1, 2, 3], [0, 0, 1, 2])


def _shifted(c):
    """A 1-2-2-3 network whose first layer is switched off on every input (the 'shifted'
    initialisation of Figure 1's analogues: a large negative bias), output bias c."""
    return DeepReLU([[[1], [2]], [[1, -1], [2, 1]], [[1, 0], [0, 1], [1, 1]]],
                    [[-10, -20], [-1, -2], c])


def _round_trip(cert):
    again = Certificate.from_json(cert.to_json())
    assert again.check() and str(again) == str(cert)
    return again


def test_a_blind_spot_at_the_mean_of_one_hot_targets_is_a_minimum():
    cert = verify_local_minimum(_shifted(["1/2", "1/4", "1/4"]), DIGITS)
    assert (cert.status, cert.case) == ("local minimum", "blind spot")
    assert cert.target_mean == cert.constant_output == (F(1, 2), F(1, 4), F(1, 4))
    assert "(1/2, 1/4, 1/4)" in str(cert)
    data = json.loads(_round_trip(cert).to_json())
    assert data["evidence"]["target_mean"] == ["1/2", "1/4", "1/4"]
    # and no exact move of the brute force lowers the loss
    net = _shifted(["1/2", "1/4", "1/4"])
    assert brute_descent(net, DIGITS, limit=2000) is None


def test_a_blind_spot_off_the_mean_descends_along_the_output_bias():
    net = _shifted([1, 0, 0])
    cert = verify_local_minimum(net, DIGITS)
    assert (cert.status, cert.case) == ("not a local minimum", "blind spot")
    S = (F(2), F(-1), F(-1))  # N (C - ybar) = 4 ((1, 0, 0) - (1/2, 1/4, 1/4))
    space = net.space
    assert [cert.direction[space.bias_index(3, o + 1)] for o in range(3)] == [-1, F(1, 2),
                                                                              F(1, 2)]
    assert "S = sum_i r_i = N (C - ybar) = (2, -1, -1)" in str(cert)
    assert sum(S) == 0
    better = cert.witness(F(1, 100))
    assert better.loss(DIGITS) < cert.loss
    _round_trip(cert)


def test_the_output_bias_rule_with_vector_residuals():
    net = DeepReLU([[[1]], [[1]], [[1], [0]]], [[0], [0], [0, 5]])
    D = Dataset([0, 1, 2], [[0, 5], [1, 5], [2, 6]])  # output 2 is off by 1 at x = 2
    cert = verify_local_minimum(net, D)
    assert (cert.status, cert.case) == ("not a local minimum", "output bias")
    assert "sum of residuals (0, -1)" in cert.reason
    _round_trip(cert)


def test_all_zero_networks_with_two_outputs():
    zero = DeepReLU([[[0]], [[0]], [[0], [0]]], [[0], [0], [1, 1]])
    flat = Dataset([0, 0, 1, 1], [[0, 1], [2, 1], [1, 0], [1, 2]])  # every group at the mean
    ok = verify_local_minimum(zero, flat)
    assert (ok.status, ok.case) == ("local minimum", "family: all-zero")
    assert ok.family.mean == (1, 1)
    _round_trip(ok)
    decent = Dataset([0, 0, 1, 1], [[1, 0], [1, 0], [1, 2], [1, 2]])  # output 2 only
    cert = verify_local_minimum(zero, decent)
    assert (cert.status, cert.case) == ("not a local minimum", "family: all-zero")
    space = zero.space
    assert cert.direction[space.weight_index(3, 2, 1)] != 0  # the path ends in output 2
    assert cert.direction[space.weight_index(3, 1, 1)] == 0
    assert cert.witness(F(1, 100)).loss(decent) < cert.loss
    _round_trip(cert)


def test_a_zero_hidden_layer_with_two_outputs():
    net = DeepReLU([[[1]], [[0]], [[2], [-1]]], [[0], [0], [1, 1]])
    D = Dataset([0, 1, 2], [[0, 2], [1, 1], [2, 0]])  # mean (1, 1): outputs (1, 1) = mean
    cert = verify_local_minimum(net, D)
    assert (cert.status, cert.case) == ("not a local minimum", "family: zero layer")
    assert "D = (2, -1)" in str(cert)
    assert cert.witness(F(1, 100)).loss(D) < cert.loss
    _round_trip(cert)


def test_depth_two_goes_through_theorem_three():
    # the first-order point of docs/method.md ("Several outputs"), as a DeepReLU
    net = DeepReLU([[[1]], [[1], [0]]], [[0], [0, 0]])
    D = Dataset([-1, 1, 2], [[0, -1], [1, 2], [2, -1]])
    cert = verify_local_minimum(net, D)
    assert (cert.status, cert.case) == ("not a local minimum", "depth-2 criterion")
    assert cert.shallow.descent.kind == "second order"
    _round_trip(cert)


def test_an_undecided_depth_two_point_goes_on_to_the_move_search():
    net = DeepReLU([[[2]], [[0], [1]]], [[2], [0, 2]])
    D = Dataset([-1, 0, 2], [[2, 2], [-3, 4], [1, 8]])
    cert = verify_local_minimum(net, D, max_directions=200)
    assert cert.status == "undecided" and cert.shallow.status == "undecided"
    assert "at depth 2 the one-hidden-layer criterion leaves the point undecided" in cert.reason
    assert cert.search is not None
    _round_trip(cert)


def _random_deep_points(seed: int, count: int) -> int:
    """Every "local minimum" has no exact grid descent and no float descent (re-scored
    exactly); every "not a local minimum" has an exact witness. Returns how many were
    decided."""
    rng = random.Random(seed)
    decided = 0
    for _ in range(count):
        k = rng.choice([2, 3])
        space = ParameterSpace((1, rng.randint(1, 2), rng.randint(1, 2), k))
        W, B = space.unflatten([F(rng.randint(-2, 2)) for _ in range(space.size)])
        n = rng.randint(2, 4)
        D = Dataset([rng.randint(-2, 2) for _ in range(n)],
                    [[rng.randint(-2, 2) for _ in range(k)] for _ in range(n)])
        net = DeepReLU(W, B)
        if rng.random() < 0.6:  # the output bias at the residuals' mean, per output
            B = [list(b) for b in B]
            rows = net.residual_rows(D)
            B[-1] = [b - sum(r[o] for r in rows) / n for o, b in enumerate(B[-1])]
            net = DeepReLU(W, B)
        cert = verify_local_minimum(net, D, max_directions=300)
        assert cert.check()
        if cert.is_local_minimum:
            assert brute_descent(net, D, limit=1500) is None
            assert numpy_attack_deep(net, D, trials=100) >= 0
        elif cert.is_local_minimum is False:
            assert cert.witness(F(1, 1000)).loss(D) < cert.loss
        decided += cert.is_local_minimum is not None
    return decided


def test_random_deep_points_with_several_outputs_against_the_brute_force():
    assert _random_deep_points(27, 16) >= 12


@pytest.mark.slow
@pytest.mark.sweep  # pytest --run-sweeps; the default run has the 16 points above
def test_more_random_deep_points_with_several_outputs():
    assert _random_deep_points(2727, 120) >= 90


def test_the_blind_spot_needs_the_mean_in_every_output():
    # C = (1/2, 1/2, 0) is the mean (1/2, 1/4, 1/4) in output 1 only
    net = _shifted(["1/2", "1/2", 0])
    cert = verify_local_minimum(net, DIGITS)
    assert (cert.status, cert.case) == ("not a local minimum", "blind spot")
    assert brute_descent(net, DIGITS, limit=200) is not None


def test_a_bias_free_dead_layer_with_two_outputs_is_a_restricted_minimum():
    # layer 1 is strictly negative on both points and no bias moves: the outputs stay at the
    # fixed output bias (0, 0) near theta, whatever the targets
    net = DeepReLU([[[-1], [-2]], [[1, 1]], [[1], [2]]], None, bias=False)
    D = Dataset([1, 2], [[1, 0], [3, -1]])
    cert = verify_local_minimum(net, D)
    assert (cert.status, cert.route) == ("local minimum", "dead layer, later biases fixed")
    assert "b_3 = (0, 0) is fixed" in str(cert)
    _round_trip(cert)
    full = verify_local_minimum(net.with_space(), D)  # with every coordinate free: not
    assert full.status == "not a local minimum"


def test_the_heading_of_a_deep_certificate_names_its_outputs():
    """The heading printed (d, ..., 1) for q outputs too: a false sentence beside the verdict."""
    net = DeepReLU([[[1]], [[1], [2]]], [[0], [0, 0]])
    D = Dataset([[0], [1], [2]], [[0, 1], [1, 0], [2, 2]])
    lines = verify_local_minimum(net, D).render().splitlines()
    assert "Widths (d, h_1, ..., h_(k-1), q) = (1, 1, 2), depth k = 2, q = 2 outputs;" in lines[2]
    assert "sum_i |M(x_i) - y_i|^2 (summed over the outputs) = 9" in lines[3]
