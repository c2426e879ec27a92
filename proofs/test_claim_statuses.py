"""The status of every registered claim, asserted: in quick mode (unmarked, fast) and in the
default run of ``relu-minima check-paper`` (marked slow: the whole default run, once per
session).

Each status is computed by the claim's check from what it established (see
``relu_minima.paper.registry.judge``); these tables are what the library establishes today, and
docs/errata.md argues every status that is not *verified*. The default-run statuses of the
empirical claims are deterministic: their runs use the fixed judging seeds
(``relu_minima.paper.experiments.rules.judging_seed``). A new claim must be added to both
tables: the last tests fail otherwise.
"""

from __future__ import annotations

import pytest

from relu_minima.paper import Context, all_claims, run_check

from .statuses import DEFAULT, EXPECTED


# the quick runs of the training claims take seconds each: the full suite runs them (and the
# default run below), the quick loop (pytest -m "not slow") the others
TRAINING = {"fig1", "fig1-permuted", "fig1-stuck", "fig2", "fig2-regions", "fig2-review",
            "fig2-review-eps", "fig2-review-time", "fig3", "fig5", "fig6", "table1", "table1-gd4",
            "digits-failures"}


@pytest.mark.parametrize("claim", [pytest.param(c, marks=pytest.mark.slow) if c.key in TRAINING
                                   else c for c in all_claims()], ids=lambda c: c.key)
def test_status_of_every_claim(claim, tmp_path):
    result, crash = run_check(claim, Context(tmp_path, quick=True))
    assert crash == "", crash
    assert result.status is EXPECTED[claim.key], result.established


def test_every_registered_claim_has_an_expected_status():
    assert {c.key for c in all_claims()} == set(EXPECTED) == set(DEFAULT)


@pytest.fixture(scope="module")
def default_report(tmp_path_factory):
    """The whole default run of check-paper, once per session (about a minute on 2 cores,
    several under load)."""
    from relu_minima.report import run_claims

    return run_claims(tmp_path_factory.mktemp("default-report"))


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(DEFAULT))
def test_default_run_status(default_report, key):
    outcome = next(o for o in default_report.outcomes if o.claim.key == key)
    assert outcome.crash == "", outcome.crash
    assert outcome.result.status is DEFAULT[key], outcome.established


@pytest.mark.slow
def test_default_run_has_no_failure_and_every_claim(default_report):
    assert default_report.failed == []
    assert {o.claim.key for o in default_report.outcomes} == set(DEFAULT)
