"""Breaking the fact a check relies on changes its status (issue 9).

For every registered check, the core function it relies on is replaced by one that returns a
wrong answer; the check must then report *failed* -- never silently its usual status, and
never *verified*. One test repeats this under ``python -O`` (which strips ``assert``): the
checks use ``require``, so the result is the same.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap

import mpmath
import pytest
import sympy

# what each check reports when nothing is broken (asserted in proofs/test_claim_statuses.py)
from proofs.statuses import EXPECTED
from relu_minima.errors import ClaimCheckError
from relu_minima.paper import Context, Status, all_claims, run_check
from relu_minima.paper.dead_layers import bounds as paper_bounds
from relu_minima.paper.dead_layers import check_basins as basins
from relu_minima.paper.dead_layers import check_misprints as misprints
from relu_minima.paper.dead_layers import check_theorem1 as deep
from relu_minima.paper.dead_layers import prop5_bounds
from relu_minima.paper.experiments import check_analogues as analogue_checks
from relu_minima.paper.experiments import check_digits_failures as digits_checks
from relu_minima.paper.experiments import check_mechanisms as mechanisms
from relu_minima.paper.experiments import check_review as review_checks
from relu_minima.paper.experiments import check_table1 as table1_checks
from relu_minima.paper.experiments import check_table1_sentences as sentence_checks
from relu_minima.paper.experiments import table1 as table1_module
from relu_minima.paper.references import check_critique as critique
from relu_minima.paper.references import check_ref001
from relu_minima.paper.references import check_yun as yun
from relu_minima.paper.references import check_yun_leaky as yun_leaky
from relu_minima.paper.references.deadlock import Accuracy
from relu_minima.paper.registry import judge, judge_figure
from relu_minima.paper.regression import check_bad_minima as optima
from relu_minima.paper.regression import check_propositions as regression
from relu_minima.paper.regression import examples
from relu_minima.paper.regression.repairs import Repair
from relu_minima.train import classify as train_classify
from relu_minima.verify import dispatch as verify_dispatch


class Flipped:
    """A certificate whose verdict is the opposite of the real one (every other member kept)."""

    def __init__(self, cert):
        self._cert = cert

    def __getattr__(self, name):
        return getattr(self._cert, name)

    @property
    def is_local_minimum(self):
        return not self._cert.is_local_minimum

    def __str__(self):
        return str(self._cert)


def flip(function):
    return lambda *args, **kwargs: Flipped(function(*args, **kwargs))


def _shifted_required_mean(original):
    def wrong(*args, **kwargs):
        r = original(*args, **kwargs)
        # a bracket one unit too low: its upper end no longer reaches the probability
        return type(r)(**{**r.__dict__, "lower": r.lower - 1, "upper": r.upper - 1})
    return wrong


# claim key -> (object to patch, attribute, factory of the wrong function from the original)
MUTATIONS = {
    "prop1": (regression, "verify_local_minimum", flip),
    "remark1": (regression, "remark1_level_set",
                lambda f: lambda: (f()[0], f()[1] + 1)),  # L on the orbit off by one
    "no-blind-spots": (regression, "verify_local_minimum", flip),
    "prop2": (regression, "verify_local_minimum", flip),
    "prop2-blind-spot": (regression, "prop2_repairs",  # "repaired" to the printed point
                         lambda f: lambda: ([Repair("none", examples.PROP2_GLOBAL_PRINTED)],
                                            f()[1])),
    "prop3": (regression, "verify_local_minimum", flip),
    "prop3-regions": (regression, "least_squares_line",
                      lambda f: lambda pts: (f(pts)[0] + 1, f(pts)[1])),
    "fig4": (verify_dispatch, "verify_local_minimum", flip),
    "prop4": (paper_bounds, "required_mean", _shifted_required_mean),
    "fig6-sentence": (paper_bounds, "prop4_probability",
                      lambda f: lambda *a, **k: mpmath.mpf(1)),
    "fig6": (paper_bounds, "prop4_probability", lambda f: lambda *a, **k: mpmath.mpf(0)),
    "prop5": (prop5_bounds, "prop5_printed", lambda f: prop5_bounds.prop5_corrected),
    "large-basin": (basins, "verify_deep_local_minimum", flip),
    "lemma1": (deep, "verify_deep_local_minimum", flip),
    "lemma2": (deep, "blind_spot_gradient_vanishes", lambda f: lambda *a: False),
    "cor1": (deep, "verify_deep_local_minimum", flip),
    "thm1-i": (deep, "verify_deep_local_minimum", flip),
    "thm1-ii": (deep, "theorem1_point_printed", lambda f: deep.theorem1_point),
    "yun-sigmoid": (yun, "lower_bound_identity", lambda f: lambda: False),
    # the "lower" point is the minimum itself: nothing lower is shown
    "yun-leaky": (yun_leaky, "lower_point",
                  lambda f: lambda D, m, s: yun_leaky.local_minimum_point(D, m, s)),
    # every certified minimum read as above L*: a "counterexample" without a correction
    "yun-deep-linear": (yun_leaky, "is_global_minimum", lambda f: lambda *a: False),
    # the explicit point's accuracy reported as 0: the evidence no longer re-checks
    "ref001-deadlock": (check_ref001, "recertify",
                        lambda f: lambda case, **k: dataclasses.replace(
                            f(case, **k), at_better=Accuracy(0, 0, case.n))),
    "bad-minima": (optima, "named_point_gaps",  # every L* moved up to L: nothing proven bad
                   lambda f: lambda: tuple(dataclasses.replace(g, optimum=g.loss, gap=0,
                                                               proven_bad=False) for g in f())),
    "table1": (table1_checks, "rate_rows", lambda f: lambda run, *a: f(run, *a)[:-1]),
    "table1-gd4": (table1_checks, "clopper_pearson", lambda f: lambda k, n: (1.0, 0.0)),
    "table1-adam": (table1_checks, "_fisher", lambda f: lambda a, b: (0.0, 0.0)),
    "table1-sgd": (table1_checks, "_fisher", lambda f: lambda a, b: (0.0, 0.0)),
    "fig3": (train_classify, "regions", lambda f: lambda net, X: (1, 0)),
    # the analogues' decision rules read their thresholds and comparisons at run time
    "fig1": (analogue_checks, "SUCCEEDS", lambda f: 0.0),  # rules: success below failure
    "fig1-permuted": (analogue_checks.A, "_labelled",  # "permuted" labels left as they are
                      lambda f: lambda name, X, y, labels, seed: f(name, X, y, "real", seed)),
    "fig2": (analogue_checks, "SUCCEEDS", lambda f: 0.0),
    "fig2-review": (analogue_checks.A, "init_patterns_invariant", lambda f: lambda *a: False),
    # the reviewer rules' thresholds read at run time: a "change" of 0 decides nothing
    "fig2-review-time": (review_checks, "FLAT", lambda f: 0.0),
    "fig2-review-eps": (review_checks, "GAIN", lambda f: 0.0),
    # a "rigorous" bound below the computed pre-activations
    "fig1-stuck": (analogue_checks, "strict_blind_spot_margin", lambda f: lambda *a: -1.0),
    "digits-failures": (digits_checks, "strict_blind_spot_margin",
                        lambda f: lambda *a: -1.0),
    "jellyfish-relu": (table1_checks, "_fisher", lambda f: lambda a, b: (0.0, 0.0)),
    "typo-table-ref": (sentence_checks, "PAPER_TABLES", lambda f: ("1", "3.1.2")),
    "hamey-xor": (table1_module.Table1Run, "class_counts", lambda f: lambda self, key: {}),
    "prop3-no-blind-spot": (regression, "verify_local_minimum", flip),
    # the printed signs, blocks and indices "confirmed": nothing is refuted
    "typo-b1-sign": (misprints, "b1_gradient_signs",
                     lambda f: lambda: {k: -v for k, v in f().items()}),
    "typo-b2-dead-layer": (misprints, "b2_layer_outputs",
                           lambda f: lambda: (*f()[:2], [tuple(f()[0].biases[1])] * 3)),
    "typo-b2-complement": (misprints, "b2_complement_values",
                           lambda f: lambda: [{**r, "printed": r["lhs"]} for r in f()]),
    "typo-thm1-index": (misprints, "INDEX_POINT",
                        lambda f: f.replace_layer(0, b=[-2])),  # layer 1 dead: no typo seen
    "b3-from-cor1": (misprints, "verify_deep_local_minimum", flip),
    "zero-init": (critique, "gd_step", lambda f: lambda net, D, eta: f(net, D, 0 * eta)),
    "fig5": (analogue_checks.A, "zigzag_interpolant",  # the lower point misses a data point
             lambda f: lambda ds, h: f(ds, h).with_parameters(
                 [*f(ds, h).parameters()[:-1], f(ds, h).c + 1])),
    # a certified mean one unit too high: the bound it claims no longer holds
    "fig1-blind-spot": (mechanisms, "certified_mean",
                        lambda f: lambda *a, **k: f(*a, **k) + 1),
    # a "curve" that never reaches one region: the non-zero-bias case is not established
    "fig2-regions": (mechanisms, "one_layer_region_curve",
                     lambda f: lambda *a: dataclasses.replace(
                         f(*a), counts=tuple(c + 1 for c in f(*a).counts))),
}
CHECKED = [c for c in all_claims() if c.check is not None]


def test_every_check_has_a_mutation():
    assert {c.key for c in CHECKED} == set(MUTATIONS)


@pytest.mark.slow
@pytest.mark.parametrize("claim", CHECKED, ids=lambda c: c.key)
def test_breaking_the_core_function_changes_the_status(claim, monkeypatch, tmp_path):
    target, name, wrong = MUTATIONS[claim.key]
    monkeypatch.setattr(target, name, wrong(getattr(target, name)))
    result, _ = run_check(claim, Context(tmp_path, quick=True))
    assert result.status is not EXPECTED[claim.key]
    assert result.status is Status.FAILED, result.established
    assert result.established.startswith("Failed")


@pytest.mark.slow
def test_python_minus_O_cannot_make_a_broken_check_verified(tmp_path):
    script = textwrap.dedent(f"""
        import pathlib
        from relu_minima.paper import Context, all_claims, run_check
        from relu_minima.paper.regression import check_propositions as regression
        real = regression.verify_local_minimum

        class Flipped:
            def __init__(self, cert): self._cert = cert
            def __getattr__(self, name): return getattr(self._cert, name)
            is_local_minimum = property(lambda self: not self._cert.is_local_minimum)

        regression.verify_local_minimum = lambda *a: Flipped(real(*a))
        claim = {{c.key: c for c in all_claims()}}["prop1"]
        result, _ = run_check(claim, Context(pathlib.Path({str(tmp_path)!r}), quick=True))
        print(__debug__, result.status.value)
    """)
    out = subprocess.run([sys.executable, "-O", "-c", script], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "failed"]  # -O was on, and the broken check failed


@pytest.mark.parametrize(("flags", "status"), [
    ({"proved": True}, Status.VERIFIED),
    ({"counterexample": True, "corrected": True}, Status.ERRATUM),
    ({"proved": True, "proof_refuted": True, "proof_corrected": True}, Status.PROOF_ERRATUM),
    ({"counterexample": True, "corrected": True, "proof_refuted": True,
      "proof_corrected": True}, Status.ERRATUM),  # a false statement is the finding
    ({"proved": True, "proof_refuted": True}, None),  # refuted proof, nothing in its place
    ({"proved": True, "proof_corrected": True}, None),  # a correction of nothing refuted
    ({"proof_refuted": True, "proof_corrected": True}, None),  # the statement not certified
    ({"proved": True, "proof_refuted": 1, "proof_corrected": True}, None),
    ({}, None),  # nothing established: no status
    ({"counterexample": True}, None),  # refuted, nothing certified in its place
    ({"proved": True, "counterexample": True, "corrected": True}, None),  # contradiction
    ({"proved": 1}, None),  # a truthy non-bool is not a computed fact
    ({"proved": sympy.true}, None),
])
def test_judge_gives_a_status_only_for_what_was_established(flags, status):
    if status is None:
        with pytest.raises(ClaimCheckError):
            judge(claim="test", **flags)
    else:
        assert judge(claim="test", **flags) is status


def test_a_figure_is_undecided_only_if_its_recomputation_held():
    assert judge_figure(True, claim="test") is Status.UNDECIDED
    with pytest.raises(ClaimCheckError, match="did not hold"):
        judge_figure(False, claim="test")
