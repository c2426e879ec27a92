"""The status of every registered claim, asserted (quick mode; exact parts are unchanged).

Each status is computed by the claim's check from what it established (see
``relu_minima.paper.registry.judge``); this table is what the library establishes today, and
docs/errata.md argues every status that is not *verified*. A new claim must be added here:
the last test fails otherwise.
"""

import pytest

from relu_minima.paper import Context, Status, all_claims, run_check

EXPECTED = {
    # Section 3.1: Figures 1, 2 and 5 as labelled analogues (quick scale: digits, Zig-Zag
    # stand-in); the reviewer's points on Figure 2
    "fig1": Status.UNDECIDED, "fig1-permuted": Status.EVIDENCE_FOR,
    "fig2": Status.UNDECIDED, "fig2-review": Status.EVIDENCE_FOR, "fig5": Status.UNDECIDED,
    # Table 1 and Figure 3: empirical; the quick scale (tests) gives no verdict by design
    "table1": Status.UNDECIDED, "fig3": Status.UNDECIDED, "table1-gd4": Status.UNDECIDED,
    "table1-adam": Status.UNDECIDED, "table1-sgd": Status.UNDECIDED,
    # Section 3.1.3: exact certificates
    "prop1": Status.VERIFIED, "remark1": Status.VERIFIED,
    "no-blind-spots": Status.VERIFIED,
    "prop2": Status.ERRATUM, "prop2-blind-spot": Status.VERIFIED,
    "prop3": Status.VERIFIED, "prop3-regions": Status.VERIFIED,
    "bad-minima": Status.ERRATUM,  # exact global minima (issue 14)
    # figures whose images the reference text lacks
    "fig4": Status.UNDECIDED, "fig6": Status.UNDECIDED,
    # Section 3.2
    "prop4": Status.ERRATUM, "fig6-sentence": Status.ERRATUM, "prop5": Status.ERRATUM,
    "large-basin": Status.ERRATUM,
    "lemma1": Status.VERIFIED, "lemma2": Status.VERIFIED, "cor1": Status.ERRATUM,
    "thm1-i": Status.ERRATUM, "thm1-ii": Status.ERRATUM,
    # reference 003: Yun, Sra and Jadbabaie's sigmoid/tanh counterexample (issue 13)
    "yun-sigmoid": Status.VERIFIED,
    # reference 001: the earlier version's "smallest deadlocked dataset (10 points)"; a
    # certified 8-point dataset deadlocks the network (issue 29)
    "ref001-deadlock": Status.ERRATUM,
    # Section 3.1.1: the mechanisms of Figures 1 and 2 (issue 17)
    "fig1-blind-spot": Status.VERIFIED, "fig2-regions": Status.UNDECIDED,
}


@pytest.mark.parametrize("claim", all_claims(), ids=lambda c: c.key)
def test_status_of_every_claim(claim, tmp_path):
    result, crash = run_check(claim, Context(tmp_path, quick=True))
    assert crash == "", crash
    assert result.status is EXPECTED[claim.key], result.established


def test_every_registered_claim_has_an_expected_status():
    assert {c.key for c in all_claims()} == set(EXPECTED)
