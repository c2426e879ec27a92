"""The Figure 1, 2, 5 analogues' building blocks (relu_minima.paper.experiments.analogues)."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima import Dataset
from relu_minima.errors import InvalidArgument, ShapeError
from relu_minima.paper.experiments import analogues as A
from relu_minima.train.protocol import InitLaw, Net, Protocol
from relu_minima.train.trainer import TrainData, train


def test_zigzag_stand_in_is_twenty_exact_points_with_five_teeth():
    D = A.zigzag(Fraction(1, 100))
    assert D.n == 20 and D.X[0] == (Fraction(-1, 100),) and D.X[-1] == (Fraction(1, 100),)
    assert list(D.y[:4]) == [0, Fraction(1, 2), 1, Fraction(1, 2)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.fractions(-10, 10), min_size=2, max_size=8, unique=True),
       st.data())
def test_the_interpolant_fits_any_increasing_one_dimensional_data_exactly(xs, data):
    xs = sorted(xs)
    ys = data.draw(st.lists(st.fractions(-5, 5), min_size=len(xs), max_size=len(xs)))
    D = Dataset([[x] for x in xs], ys)
    extra = data.draw(st.integers(0, 3))
    net = A.zigzag_interpolant(D, len(xs) - 1 + extra)
    assert net.loss(D) == 0
    assert A.zigzag_interpolant(D, len(xs) - 2) is None  # too few units: none claimed


def test_regression_training_lowers_the_mean_squared_error():
    D = A.zigzag()
    data = TrainData.regression("zz", [[float(x[0])] for x in D.X], [float(t) for t in D.y])
    p = Protocol("t", loss="mse", optimizer="adam", lr=1e-2, steps=300, batch_size=10,
                 init=InitLaw("glorot_uniform", bias_std=0.1), success="loss_below",
                 success_tol=1e-3)
    r = train(Net((1, 30, 1), "relu"), p, data, seed=0, indices=range(3))
    assert np.all(r.trace_loss[-1] < r.trace_loss[0])
    assert r.final_errors.shape == (3,)


def test_regression_data_are_checked():
    with pytest.raises(ShapeError, match="one target per row"):
        TrainData.regression("bad", [[0.0], [1.0]], [0.0])
    with pytest.raises(InvalidArgument, match="finite"):
        TrainData.regression("bad", [[0.0], [1.0]], [0.0, float("nan")])


def test_zero_bias_patterns_do_not_move_with_the_scale_but_random_biases_do():
    X = np.random.default_rng(0).random((60, 5))  # non-negative, as image pixels
    net = Net((5, 16, 3), "relu")
    assert A.init_patterns_invariant(net, InitLaw("glorot_uniform"), X, (1, 1e-2, 1e-5))
    assert not A.init_patterns_invariant(net, InitLaw("glorot_uniform", bias_std=0.5), X,
                                         (1, 1e-5))


@pytest.mark.slow
def test_permuted_labels_are_a_permutation():
    pytest.importorskip("sklearn")
    real, perm = A.digits(), A.digits("permuted")
    assert np.array_equal(np.sort(real.labels), np.sort(perm.labels))
    assert not np.array_equal(real.labels, perm.labels)
    with pytest.raises(InvalidArgument, match="labels="):
        A.digits("shuffled")


@pytest.mark.slow
def test_the_step_budget_is_the_users(tmp_path, capsys):
    from relu_minima.cli import main
    from relu_minima.report import run_claims

    with pytest.raises(InvalidArgument, match="steps=0"):
        run_claims(tmp_path, keys=["fig5"], steps=0)
    with pytest.raises(SystemExit):
        main(["check-paper", "--steps", "-3", "-o", str(tmp_path)])
    assert "not a positive integer" in capsys.readouterr().err
    report = run_claims(tmp_path, keys=["fig5"], quick=True, steps=50)
    assert "50 steps per network" in report.outcomes[0].established
