"""The classification of failed digits-analogue runs (paper/experiments/digits_failures.py) on
toy problems: a run dead at step 0 snaps to the certified blind-spot minimum at the target mean
per output, proven bad; a live failed run is snapped only within the declared bound."""

from fractions import Fraction
from pathlib import Path

import numpy as np

from relu_minima import one_hot
from relu_minima.paper.experiments import digits_failures as DF
from relu_minima.paper.experiments.check_digits_failures import RULE
from relu_minima.train.protocol import InitLaw, Net, Protocol
from relu_minima.train.trainer import TrainData, init_params, train

X = [[1, 2], [2, 0], [0, 1], [3, 1], [1, 1], [2, 2]]
LABELS = [0, 1, 2, 1, 0, 2]
EXACT = one_hot([[Fraction(t) for t in row] for row in X], LABELS, 3)
FLOATS = TrainData.of("toy", np.array(X, dtype=float), LABELS)


def _run(mean: float, steps: int = 300) -> DF.DigitsRun:
    net = Net((2, 4, 3), "relu")
    law = InitLaw("normal", mean=mean, scale=0.1)
    p = Protocol("toy", loss="one_hot_squared", optimizer="adam", lr=0.01, steps=steps,
                 init=law)
    result = train(net, p, FLOATS, seed=3, indices=[0])
    initial, _ = init_params(net, law, 3, [0])
    return DF.DigitsRun("fig1", f"mu = {mean}", net, p, result, initial,
                        1.0 - result.final_errors / FLOATS.n)


def test_a_run_dead_at_step_0_is_the_certified_bad_blind_spot_minimum():
    run = _run(-1.0)
    DF.classify_failed(run, EXACT, FLOATS, [0])
    (failed,) = run.failed
    assert failed.step0_margin < 0 and failed.moved == ("b_2",)
    assert failed.kind == DF.CERTIFIED_BAD
    report = failed.report
    assert report.params.C == EXACT.target_mean and report.certificate.check()
    assert report.lower_point.loss(EXACT) == report.lower_loss < report.snapped_loss
    # the run's own point: the same constant-output valley, above its floor by N |C - ybar|^2
    assert report.trained.loss(EXACT) == report.snapped_loss + failed.run_excess
    assert 0 < failed.run_gap < Fraction(1, 100)


def test_live_failed_runs_are_snapped_only_within_the_bound():
    run = _run(0.0, steps=3)  # barely trained: fails, and is not a blind spot
    assert run.accuracy[0] <= 0.5
    DF.classify_failed(run, EXACT, FLOATS, [0])
    (failed,) = run.failed
    assert failed.step0_margin >= 0 and failed.kind == DF.NOT_CLASSIFIED
    assert "beyond this scale's bound" in failed.detail and failed.report is None
    budget = [1]
    run.failed.clear()
    DF.classify_failed(run, EXACT, FLOATS, budget)
    (failed,) = run.failed
    assert budget == [0] and failed.report is not None
    assert failed.kind in (DF.CERTIFIED_BAD, DF.CERTIFIED, DF.NOT_MINIMUM, DF.UNDECIDED)


def test_the_docs_state_the_frozen_rule_word_for_word():
    docs = Path(__file__).resolve().parents[1] / "docs" / "experiments.md"
    assert RULE in docs.read_text(encoding="utf-8").replace("\n", " ")
