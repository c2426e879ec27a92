"""The faster paths of check-paper (issue 10) against the paths they replaced.

Proposition 4's training with pruning equals the full training bit for bit; the Figure 6
width search by interval bounds equals the every-integer scan, and its bound is below the exact
log-probability at every width it covers; the Monte Carlo that shares samples across depths
and stops drawing decided networks estimates the same probabilities.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima.errors import InvalidArgument, InvalidNumberError
from relu_minima.paper.dead_layers import bounds
from relu_minima.paper.dead_layers.outlier_data import outlier_dataset
from relu_minima.paper.dead_layers.outlier_training import train_outlier_networks
from relu_minima.paper.dead_layers.prop5_bounds import Law
from relu_minima.paper.dead_layers.simulation import (
    dead_layer_probabilities,
    dead_layer_probability,
)
from relu_minima.paper.dead_layers.width_search import (
    smallest_width_for,
    smallest_width_for_scan,
    width_interval_lower_bound,
)


@pytest.mark.parametrize("layers, lr, mean", [(1, 0.5, 1.0), (2, 0.2, 1.0), (1, 0.5, 0.0)])
def test_pruned_training_equals_full_training(layers, lr, mean):
    D = outlier_dataset(8, 2)
    runs = [train_outlier_networks(D.to_numpy(), D.y, D.outlier, 3, layers, mean, 1.0, 150,
                                   60, np.random.default_rng(7), learning_rate=lr, prune=p)
            for p in (True, False)]
    assert runs[0] == runs[1]
    assert runs[0].others_min_errors == 0  # the pruning did happen (others reached 0 errors)


SCHEMES = st.sampled_from(bounds.INIT_SCHEMES)
MEANS = st.sampled_from(["0.05", "0.1", "0.24", "1/2", "0", "-1/10"])


@settings(max_examples=15, deadline=None)
@given(SCHEMES, MEANS, st.integers(1, 4), st.integers(1, 120))
def test_interval_search_equals_the_scan(scheme, mean, hidden, top):
    assert smallest_width_for(mean, scheme, hidden, top) == smallest_width_for_scan(
        mean, scheme, hidden, top)


@settings(max_examples=20, deadline=None)
@given(SCHEMES, MEANS, st.integers(1, 4), st.integers(1, 60), st.integers(0, 20))
def test_interval_bound_is_below_every_width_it_covers(scheme, mean, hidden, h1, extra):
    h2 = h1 + extra
    low = width_interval_lower_bound(mean, scheme, 2, h1, h2, hidden, dps=30)
    with mpmath.workdps(30):
        for h in range(h1, h2 + 1):
            exact = mpmath.log(bounds.prop4_probability(mean, scheme, 2, h, hidden, dps=30))
            assert low <= exact + mpmath.mpf(10) ** -25, (h, low, exact)


def test_paper_widths_and_a_counter():
    calls = [0]
    assert smallest_width_for("0.24", "lecun", 100, 10_000, counter=calls) == 676
    assert 0 < calls[0] < 200  # not one evaluation per width
    assert smallest_width_for("0.24", "xavier", 100, 10_000) == 712
    # the scan agrees where it is cheap: below 800 (the quick mode's range)
    assert smallest_width_for_scan("0.24", "lecun", 100, 800) == 676
    # top + 1 when the top itself fails, 1 when every width passes
    assert smallest_width_for("0.07", "lecun", 100, 10_000) == 10_001
    assert smallest_width_for("0.3", "fixed", 1, 50) == 1


def test_width_search_bad_inputs():
    with pytest.raises(InvalidArgument, match="top=0"):
        smallest_width_for("0.24", "lecun", 100, 0)
    with pytest.raises(InvalidArgument, match="scheme='he'"):
        width_interval_lower_bound("0.24", "he", 2, 1, 2, 3)
    with pytest.raises(InvalidArgument, match="h1=3, h2=2"):
        width_interval_lower_bound("0.24", "lecun", 2, 3, 2, 3)


def test_shared_depths_without_pruning_equal_separate_runs():
    # one batch: the first k layers drawn for depth K are the draws of a depth-k run
    X = outlier_dataset(6, 2).to_numpy()
    law = Law.normal(0, 1)
    depths = (2, 3, 5)
    shared = dead_layer_probabilities(X, 2, depths, law, law, 3000,
                                      np.random.default_rng(1), prune=False)
    for k, est in zip(depths, shared, strict=True):
        alone = dead_layer_probability(X, 2, k, law, law, 3000, np.random.default_rng(1),
                                       prune=False)
        assert est.interval.successes == alone.interval.successes
        assert est.hidden_layers == k


def test_pruned_monte_carlo_estimates_the_same_probabilities():
    X = outlier_dataset(6, 2).to_numpy()
    law = Law.normal(0, 1)
    depths = (2, 3, 6)
    kw = {"confidence": 0.9999}
    pruned = dead_layer_probabilities(X, 2, depths, law, law, 20_000,
                                      np.random.default_rng(2), **kw)
    full = dead_layer_probabilities(X, 2, depths, law, law, 20_000,
                                    np.random.default_rng(3), prune=False, **kw)
    counts = [e.interval.successes for e in pruned]
    assert counts == sorted(counts)  # deeper networks are dead at least as often
    for a, b in zip(pruned, full, strict=True):
        # two independent 99.99% intervals of one probability overlap
        assert a.interval.lower <= b.interval.upper and b.interval.lower <= a.interval.upper


def test_exact_case_one_point():
    # x = 1, h = 2, k = 2, w ~ N(0, 1), b = 0: P(layer 2 dead) = 1/4 + 3/4 * 1/4 = 7/16
    est = dead_layer_probabilities(np.array([[1.0]]), 2, (2,), Law.normal(0, 1), Law.point(0),
                                   40_000, np.random.default_rng(0), confidence=0.9999)[0]
    assert 7 / 16 in est.interval
    with pytest.raises(InvalidNumberError, match="depths is empty"):
        dead_layer_probabilities(np.ones((1, 1)), 2, (), Law.normal(), Law.point(), 10,
                                 np.random.default_rng(0))


def test_default_outlier_dataset_is_built_once():
    assert outlier_dataset(8, 2) is outlier_dataset(8, 2)
    raw = [[-1, -2], [-2, -1], [-3, -1]]
    assert outlier_dataset(4, 2, raw=raw) is not outlier_dataset(4, 2, raw=raw)
    with pytest.raises(InvalidNumberError, match="n=2"):
        outlier_dataset(2, 2)
