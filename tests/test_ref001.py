"""Reference 001's conjecture: the smallest dataset that deadlocks a sigmoid 2-2-1 network
(issue 29; ``relu_minima.paper.references``).

The fixed cases are re-certified from their stored starts (certificate, accuracy over the
certified box, accuracy at the explicit point, JSON round trip); the accuracy counts are
checked exactly on points whose outputs are known in closed form; the claim's status follows
from what is certified. Break-tests run by hand are listed in docs/errata.md.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima.errors import InvalidArgument, ReluMinimaError
from relu_minima.exact.smooth_net import SmoothNet
from relu_minima.paper import Context, Status
from relu_minima.paper.claims import _CLAIMS
from relu_minima.paper.references import deadlock
from relu_minima.paper.references.check_ref001 import (
    check_ref001_deadlock,
    yun_accuracy,
)
from relu_minima.paper.references.deadlock import (
    FOUND,
    NEAREST,
    Accuracy,
    DeadlockCase,
    recertify,
    rigorous_accuracy,
    targets,
)
from relu_minima.verify.certificate import Certificate, Verdict

pytest.importorskip("flint")  # the certificates use python-flint's ball arithmetic

X4 = [[0, 0], [1, 0], [0, 1], [1, 1]]


def constant(c) -> SmoothNet:
    """f = c exactly (both output weights 0)."""
    return SmoothNet([[1, 0], [0, 1]], [0, 0], [0, 0], c)


# -- the accuracy counts ---------------------------------------------------------------------
def test_a_tie_is_predicted_zero():
    # f = 1/2 exactly: squared loss predicts 0 (1 iff f > 1/2), so only the 0-labelled are right
    acc = rigorous_accuracy(constant(Fraction(1, 2)), X4, [0, 1, 1, 0], "squared")
    assert acc == Accuracy(2, 2, 4) and acc.exact == Fraction(1, 2)
    assert rigorous_accuracy(constant(0), X4, [1, 1, 1, 0], "logistic") == Accuracy(1, 1, 4)


def test_a_box_across_the_threshold_decides_nothing():
    # f in [1/2 - 1/10, 1/2 + 1/10] over the box: no point is proven right or wrong
    acc = rigorous_accuracy(constant(Fraction(1, 2)), X4, [0, 1, 1, 0], "squared",
                            radius=Fraction(1, 10))
    assert acc == Accuracy(0, 4, 4) and acc.exact is None
    assert str(acc) == "between 0/4 and 4/4"


def test_outputs_of_a_known_network():
    # f(x) = 3 s(x_1) - 1: s(0) = 1/2 gives 1/2 (a tie), s(1) > 2/3 gives f > 1
    net = SmoothNet([[1, 0], [0, 1]], [0, 0], [3, 0], -1)
    assert rigorous_accuracy(net, X4, [0, 1, 0, 1], "squared") == Accuracy(4, 4, 4)
    assert rigorous_accuracy(net, X4, [1, 0, 1, 0], "squared") == Accuracy(0, 0, 4)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-40, 40), min_size=9, max_size=9),
       st.lists(st.integers(0, 1), min_size=4, max_size=4),
       st.sampled_from(["squared", "logistic"]))
def test_the_proven_counts_bracket_the_float_count(weights, labels, loss):
    w = [Fraction(t, 8) for t in weights]
    net = SmoothNet([w[0:2], w[2:4]], w[4:6], w[6:8], w[8])
    X = np.array(X4, dtype=float)
    W = np.array([[float(t) for t in r] for r in net.W])
    f = (1 / (1 + np.exp(-(X @ W.T + np.array([float(t) for t in net.b]))))) @ \
        np.array([float(t) for t in net.v]) + float(net.c)
    thr = 0.5 if loss == "squared" else 0.0
    right = int(sum(((f[i] > thr) == (labels[i] == 1)) for i in range(4)
                    if abs(f[i] - thr) > 1e-9))  # float decides only away from the threshold
    ties = int(sum(abs(f[i] - thr) <= 1e-9 for i in range(4)))
    acc = rigorous_accuracy(net, X4, labels, loss)
    assert acc.lower <= right + ties and right <= acc.upper


def test_bad_input_names_the_argument():
    with pytest.raises(InvalidArgument, match=r"labels\[1\]=2"):
        targets(X4[:2], [0, 2], "squared")
    with pytest.raises(ReluMinimaError, match=r"labels\[0\]"):
        rigorous_accuracy(constant(0), X4[:1], [0.5], "squared")  # a float is refused
    with pytest.raises(InvalidArgument, match="loss='hinge'"):
        rigorous_accuracy(constant(0), X4, [0, 1, 1, 0], "hinge")
    assert targets(X4, [0, 1, 1, 0], "logistic").y == (-1, 1, 1, -1)


# -- Yun, Sra and Jadbabaie's data -----------------------------------------------------------
def test_yun_minimum_is_right_on_two_of_three_points():
    yun = yun_accuracy()
    assert yun["outputs_third"] and yun["at_minimum"] == Fraction(2, 3)
    assert yun["at_minimum_neighbour"] == Accuracy(2, 2, 3)
    assert yun["at_better"] == Accuracy(3, 3, 3)
    assert yun["meets"] is False  # 2/3 > (1/2) x 1


# -- the fixed cases -------------------------------------------------------------------------
CASES = [*FOUND, *NEAREST]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_fixed_case_recertifies(case):
    ev = recertify(case)
    assert ev.certificate.verdict is Verdict.MINIMUM
    assert ev.check()
    again = Certificate.from_json(ev.certificate.to_json())
    assert again.check() and again.params == ev.certificate.params
    assert ev.deadlocked is (case in FOUND)
    assert DeadlockCase.from_json(case.to_json()) == case


def test_a_wrong_count_is_caught():
    ev = recertify(CASES[0])
    wrong = dataclasses.replace(ev, at_better=Accuracy(0, 0, ev.case.n))
    with pytest.raises(ReluMinimaError, match="explicit point's accuracy"):
        wrong.check()
    lied = dataclasses.replace(ev, at_minimum=Accuracy(0, 0, ev.case.n))
    with pytest.raises(ReluMinimaError, match="certified box"):
        lied.check()


def test_the_condition_is_at_most_half():
    ev = recertify(FOUND[0])
    assert (ev.at_minimum, ev.at_better) == (Accuracy(4, 4, 8), Accuracy(8, 8, 8))
    assert ev.deadlocked and ev.lower_loss
    for at_min, at_better, expected in [((4, 4), (8, 8), True), ((5, 5), (8, 8), False),
                                        ((4, 4), (7, 7), False), ((3, 4), (8, 8), True),
                                        ((4, 5), (8, 8), False), ((4, 4), (7, 8), False)]:
        other = dataclasses.replace(ev, at_minimum=Accuracy(*at_min, 8),
                                    at_better=Accuracy(*at_better, 8))
        assert other.deadlocked is expected, (at_min, at_better)
    # no certified minimum, no deadlock (whatever the counts say)
    unproven = dataclasses.replace(ev, certificate=dataclasses.replace(
        ev.certificate, verdict=Verdict.UNDECIDED))
    assert not unproven.deadlocked and not unproven.lower_loss


def test_the_accuracy_at_a_minimum_is_counted_over_its_whole_box():
    ev = recertify(FOUND[0])
    wide = dataclasses.replace(ev.certificate, radius=Fraction(1, 2))
    acc = deadlock._accuracy_on_box(wide, ev.case)  # a box of half-width 1/2 decides little
    assert acc.lower < 4 < acc.upper


def test_claim_status_follows_from_the_certified_cases(tmp_path: Path):
    # the check itself (the registry's path, run_check, is exercised by
    # proofs/test_claim_statuses.py and tests/test_check_mutations.py)
    result = check_ref001_deadlock(Context(tmp_path, quick=True))
    smallest = min((c.n for c in FOUND), default=None)
    assert result.data["smallest_deadlocked_n"] == smallest
    assert result.status is (Status.ERRATUM if smallest is not None and smallest < 10
                             else Status.UNDECIDED)
    assert result.status is not Status.VERIFIED
    assert deadlock.SEARCH_RECORD["summary"] in result.details


def test_the_claim_is_quoted_from_reference_001():
    text = next((f for up in Path(__file__).resolve().parents
                 for f in sorted(up.glob("shared/reference/001_*.txt"))), None)
    said = _CLAIMS["ref001-deadlock"].paper_says
    assert said.startswith("In Theorem 1 they construct what they conjecture to be the smallest")
    if text is not None:  # the reference material sits beside the checkout
        assert said in text.read_text(encoding="utf-8")
