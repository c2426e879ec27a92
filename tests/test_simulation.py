"""Tests of the Monte Carlo and training simulations (numeric evidence)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima.errors import InvalidNumberError, ShapeError
from relu_minima.paper.dead_layers.outlier_data import outlier_dataset
from relu_minima.paper.dead_layers.outlier_training import train_outlier_networks
from relu_minima.paper.dead_layers.prop5_bounds import Law
from relu_minima.paper.dead_layers.simulation import (
    clopper_pearson,
    dead_layer_once,
    dead_layer_probability,
    estimate_all_positive,
    sample_law,
    wilson,
)


def test_intervals_by_hand():
    cp = clopper_pearson(0, 10, 0.9)
    assert cp.lower == 0 and cp.upper == pytest.approx(1 - 0.05 ** (1 / 10))
    w = wilson(5, 10, 0.95)
    assert w.lower < 0.5 < w.upper and w.estimate == 0.5


def test_vectorised_equals_per_sample_loop():
    X = outlier_dataset(6, 2).to_numpy()
    rng = np.random.default_rng(3)
    s = 300
    Ws = [rng.normal(size=(s, 2, 3))] + [rng.normal(size=(s, 3, 3)) for _ in range(3)]
    bs = [rng.normal(size=(s, 1, 3)) for _ in range(4)]
    loop = [dead_layer_once(X, [W[i] for W in Ws], [b[i] for b in bs]) for i in range(s)]
    act, dead = np.broadcast_to(X, (s, 6, 2)), np.zeros(s, bool)
    for j, (W, b) in enumerate(zip(Ws, bs, strict=True)):
        pre = act @ W + b
        if j:
            dead |= np.all(pre <= 0, axis=(1, 2))
        act = np.maximum(pre, 0)
    assert list(dead) == loop


@settings(max_examples=8, deadline=None)
@given(st.integers(1, 3), st.integers(2, 5), st.integers(0, 10**6))
def test_corrected_bound_below_monte_carlo(width, depth, seed):
    X = outlier_dataset(5, 2).to_numpy()
    est = dead_layer_probability(X, width, depth, Law.normal(0, 1), Law.uniform(-1, 1),
                                 2000, np.random.default_rng(seed), confidence=0.999)
    assert est.bound_consistent


def test_zero_bias_zero_input_layer_counts_as_dead():
    # x = 0 and b = 0: every pre-activation is exactly 0, so layer 2 is inactive always
    est = dead_layer_probability(np.zeros((1, 1)), 2, 2, Law.normal(0, 1), Law.point(0),
                                 200, np.random.default_rng(0))
    assert est.interval.successes == 200


def test_all_positive_estimate_and_progress():
    est = estimate_all_positive(2, 2, 1, 1, 1, 5000, np.random.default_rng(2))
    assert est.weights == 6 and est.consistent
    messages = []
    dead_layer_probability(np.ones((2, 1)), 2, 3, Law.normal(0, 1), Law.point(0), 50,
                           np.random.default_rng(0), batch=20, progress=messages.append)
    assert len(messages) == 3 and "50/50" in messages[-1]


def test_training_without_the_effect_can_fit():
    D = outlier_dataset(8, 2)
    r = train_outlier_networks(D.to_numpy(), D.y, D.outlier, 4, 1, 0.0, 1.0, 40, 400,
                               np.random.default_rng(1), learning_rate=0.5)
    assert r.others_min_errors is not None and r.others_min_errors < r.forced_errors


def test_bad_inputs():
    rng = np.random.default_rng(0)
    with pytest.raises(InvalidNumberError, match="hidden_layers=1"):
        dead_layer_probability(np.ones((2, 1)), 2, 1, Law.normal(), Law.point(), 10, rng)
    with pytest.raises(ShapeError, match="X has shape"):
        dead_layer_probability(np.ones(3), 2, 2, Law.normal(), Law.point(), 10, rng)
    with pytest.raises(InvalidNumberError, match="rng="):
        sample_law(42, Law.normal(), (2,))
    with pytest.raises(InvalidNumberError, match="samples=0"):
        clopper_pearson(0, 0)
    with pytest.raises(InvalidNumberError, match="outlier=9"):
        train_outlier_networks(np.ones((3, 1)), [0, 1, 1], 9, 2, 1, 0.0, 1.0, 2, 2, rng)
