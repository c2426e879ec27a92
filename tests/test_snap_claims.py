"""Every sentence of a snap report as sound as its verdict (issue 22, items 1-6)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relu_minima import Dataset, ShallowReLU, snap
from relu_minima.cli import main
from relu_minima.errors import InvalidNumberError, ShapeError
from relu_minima.paper.regression.examples import D1
from relu_minima.train.restricted_global import restricted_global_minimum
from relu_minima.verify.globalmin.search import global_minimum

D123 = ([1.0, 2.0, 3.0], [1.0, 1.0, 1.0])


# -- item 1: "bad" only against a point of the same parameterisation ------------------------------
def test_the_best_bias_free_point_is_not_called_bad():
    # x = 1, 2, 3, y = 1; no hidden bias, no output bias: the best is f = 3/7 x (loss 3/7),
    # which is the snapped point; main called it "BAD LOCAL MINIMUM, PROVEN" against c = 1
    state = {"0.weight": np.array([[0.4285714]]), "2.weight": np.array([[1.0]])}
    report = snap(state, D123)
    assert report.status == "local minimum" and report.snapped_loss == Fraction(3, 7)
    assert report.params.space.bias == (False, False)
    assert not report.bad_local_minimum and report.lower_point is None
    assert "BAD" not in "\n".join(report.summary())
    assert report.check()


def test_a_bias_free_bad_minimum_is_proven_by_a_bias_free_point():
    # the same data, a hidden bias but no output bias, one unit dead-ish at a worse point:
    # the lower point must have the trained network's bias flags
    state = {"0.weight": np.array([[1.0], [-1.0]]), "0.bias": np.array([-2.5, -4.0]),
             "2.weight": np.array([[2.0, 1.0]])}
    report = snap(state, ([1.0, 2.0, 3.0], [0.0, 0.0, 1.0]))
    if report.bad_local_minimum:
        assert report.lower_point.space.bias == report.params.space.bias == (True, False)
        assert report.lower_point.loss(report.dataset) == report.lower_loss < report.snapped_loss
    assert report.check()


def test_known_points_of_another_parameterisation_are_refused():
    state = {"0.weight": np.array([[0.4285714]]), "2.weight": np.array([[1.0]])}
    with pytest.raises(ShapeError, match="parameterisation"):
        snap(state, D123, known_points=[ShallowReLU([0], [0], [1], 1)])


@pytest.mark.parametrize("m", [1, 2])
def test_the_restricted_search_agrees_with_global_minimum_in_the_full_space(m):
    point, _ = restricted_global_minimum(D1, m, (True, True), 5000)
    assert point.loss(D1) == global_minimum(D1, hidden=m).value


@st.composite
def restricted_problems(draw):
    """Small datasets and bias flags, with the exact optimum over that parameterisation."""
    n = draw(st.integers(2, 5))
    X = draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n))
    y = draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n))
    bias = draw(st.sampled_from([(False, False), (False, True), (True, False)]))
    return Dataset(X, y), draw(st.integers(1, 2)), bias


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(restricted_problems(), st.randoms(use_true_random=False))
def test_restricted_optima_are_points_of_the_parameterisation_and_nothing_beats_them(case, rnd):
    D, m, bias = case
    best, _ = restricted_global_minimum(D, m, bias, 10_000)
    assert best.space.bias == bias and best.m == m
    L = best.loss(D)
    assert L >= global_minimum(D, hidden=m).value  # never below the full space's optimum
    for _ in range(30):  # random points of the same parameterisation are never lower
        W = [[Fraction(rnd.randint(-8, 8), 4)] for _ in range(m)]
        b = [Fraction(rnd.randint(-8, 8), 4) if bias[0] else 0 for _ in range(m)]
        v = [Fraction(rnd.randint(-8, 8), 4) for _ in range(m)]
        c = Fraction(rnd.randint(-8, 8), 4) if bias[1] else 0
        assert ShallowReLU(W, b, v, c, bias=bias).loss(D) >= L


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(restricted_problems())
def test_snapping_the_restricted_optimum_never_claims_bad(case):
    """The generator that found item 1: a global optimum *inside* a restricted
    parameterisation, trained to (its floats), must never be called bad."""
    D, m, bias = case
    best, _ = restricted_global_minimum(D, m, bias, 10_000)
    state = {"0.weight": np.array([[float(w[0])] for w in best.W])}
    if bias[0]:
        state["0.bias"] = np.array([float(t) for t in best.b])
    state["2.weight"] = np.array([[float(t) for t in best.v]])
    if bias[1]:
        state["2.bias"] = np.array([float(best.c)])
    report = snap(state, D, max_patterns=10_000)
    if report.bad_local_minimum:
        assert report.lower_point.space.bias == bias
        assert report.lower_loss < report.snapped_loss
    if report.snapped_loss is not None and report.snapped_loss <= best.loss(D):
        assert not report.bad_local_minimum
    assert report.check()


# -- item 5: the gradient norm over the moving parameters ----------------------------------------
def test_the_gradient_norm_counts_only_the_parameters_the_model_has():
    state = {"0.weight": np.array([[0.4285714]]), "2.weight": np.array([[1.0]])}
    report = snap(state, D123)
    # at a = 3/7 the derivatives in w and v vanish; the missing biases' would be 1.2
    assert report.gradient_norm < 1e-5


# -- item 6: NaN / inf in a 0-d array ------------------------------------------------------------
@pytest.mark.parametrize("c", [np.array(np.nan), np.array(np.inf), np.float64("-inf")])
def test_a_non_finite_output_bias_is_refused_by_name(c):
    with pytest.raises(InvalidNumberError, match=r"params\['c'\]"):
        snap({"W": [1.0], "b": [0.0], "v": [1.0], "c": c}, D1)


def test_the_cli_exits_2_on_a_nan_output_bias(tmp_path, capsys):
    np.savez(tmp_path / "t.npz", W=np.ones((1, 1)), b=np.zeros(1), v=np.ones(1),
             c=np.array(np.nan))
    np.savez(tmp_path / "d.npz", X=np.array([5.0, 4, 3, 1, -1]), y=np.array([2.0, 1, 0, -3, 3]))
    assert main(["snap", str(tmp_path / "t.npz"), str(tmp_path / "d.npz")]) == 2
    err = capsys.readouterr().err
    assert "bad input" in err and "Traceback" not in err and "'c'" in err
