"""Exact global minima of the paper's regression examples (Section 3.1.3), and what they prove.

The paper calls its points "not global" (Proposition 1), "global" and "local" (Proposition 2),
"better" and "worse" (Proposition 3). With the exact global minimum L* of each problem
(``global_minimum``, docs/global.md) every certified local minimum with L > L* is a *bad local
minimum, proven*. Found here (each value: a point attaining it, and a certificate that nothing
is lower, re-checked; for m <= 3 also the brute force over every activation pattern):

    D1: m = 1: L* = 14     m = 2: L* = 1/14
    D2: m = 1: L* = 14/3   m = 2: L* = 0
    D3: m = 1: L* = 16/3   m = 2: L* = 1/6    m = 3: L* = 0    m = 4: L* = 0

Proven bad: the Proposition 1 point (L = 18 > 14), the sign-corrected Proposition 2 local
minimum (8/3 > 0) and both Proposition 3 points (1/6 and 2/3 > 0). The Appendix B.4
comparison point (-7, -4, 1, 0) is itself a global minimum for m = 1 (L = 14 = L*). The printed
Proposition 2 points are not local minima (docs/errata.md), so they are neither.
"""

from fractions import Fraction

import pytest

from relu_minima import Certificate, ShallowReLU, global_minimum, prove_bad, verify_local_minimum
from relu_minima.paper.regression import examples as ex
from relu_minima.paper.regression.check_propositions import PERFECT_FIT_D3
from relu_minima.paper.regression.global_optima import (
    PROP2_GLOBAL_CORRECTED,
    PROP2_LOCAL_CORRECTED,
    global_optima,
    named_point_gaps,
)

OPTIMA = {
    ("D1", 1): Fraction(14), ("D1", 2): Fraction(1, 14),
    ("D2", 1): Fraction(14, 3), ("D2", 2): Fraction(0),
    ("D3", 1): Fraction(16, 3), ("D3", 2): Fraction(1, 6),
    ("D3", 3): Fraction(0), ("D3", 4): Fraction(0),
}
DATA = {"D1": ex.D1, "D2": ex.D2, "D3": ex.D3}


@pytest.mark.parametrize("key", sorted(OPTIMA))
def test_global_optimum(key):
    name, m = key
    cert = global_optima()[key]
    assert cert.value == OPTIMA[key]
    assert cert.point.m == m and cert.point.loss(DATA[name]) == OPTIMA[key]  # attained
    assert cert.check()
    assert Certificate.from_json(cert.to_json()).check()


@pytest.mark.parametrize("key", [k for k in sorted(OPTIMA) if k[1] <= 3])
def test_brute_force_over_every_pattern_agrees(key):
    """The same value with no pruning at all: every activation pattern solved exactly."""
    name, m = key
    brute = global_minimum(DATA[name], hidden=m, prune=False)
    assert brute.value == OPTIMA[key] and brute.patterns_pruned == 0 and brute.check()


def test_by_hand_points_attaining_the_optima():
    """Points anyone can evaluate by hand (residuals listed), attaining each L*."""
    # D1, m = 1: the Appendix B.4 comparison point, residuals 2, 1, 0, -3, 0
    assert [r * r for r in ex.PROP1_COMPARISON.residuals(ex.D1)] == [4, 1, 0, 9, 0]
    # D1, m = 2: relu(-121/28 x + 121/28) - relu(-19/14 x + 44/7) + 2
    p = ShallowReLU(["-121/28", "-19/14"], ["121/28", "44/7"], [1, -1], 2)
    assert list(p.residuals(ex.D1)) == [0, Fraction(1, 7), Fraction(-3, 14), Fraction(1, 14), 0]
    # D2, m = 1: relu(-3x + 16/3) - 4; D3, m = 1: relu(-2x + 5) - 13/3
    assert ShallowReLU([-3], ["16/3"], [1], -4).loss(ex.D2) == Fraction(14, 3)
    assert ShallowReLU([-2], [5], [1], "-13/3").loss(ex.D3) == Fraction(16, 3)
    # D3, m = 2: Proposition 3's 'better' point with its two region-I units merged into one
    # (relu(-3x/2 + 1) + relu(-3x/2) = relu(-3x + 1) on x = -1, 0, 1; both off on region II)
    merged = ShallowReLU([-3, "3/2"], [1, "-79/6"], [1, -1], -1)
    assert merged.outputs(ex.D3) == ex.PROP3_BETTER.outputs(ex.D3)
    assert merged.loss(ex.D3) == Fraction(1, 6)
    # perfect fits: L* = 0 since L >= 0 (m = 4: a dead fourth unit)
    assert PROP2_GLOBAL_CORRECTED.loss(ex.D2) == 0 and PERFECT_FIT_D3.loss(ex.D3) == 0


def test_more_units_never_do_worse():
    for name, top in (("D1", 2), ("D2", 2), ("D3", 4)):
        values = [OPTIMA[name, m] for m in range(1, top + 1)]
        assert values == sorted(values, reverse=True)


def _gaps():
    return {g.name: g for g in named_point_gaps()}


def test_proposition1_point_is_a_bad_local_minimum_proven():
    proof = prove_bad(verify_local_minimum(ex.PROP1_POINT, ex.D1))
    assert proof is not None and (proof.value, proof.loss, proof.gap) == (14, 18, 4)
    assert proof.line.startswith("bad local minimum, proven: global optimum L* = 14 < L = 18")


def test_appendix_b4_comparison_point_is_a_global_minimum_for_one_unit():
    cert = verify_local_minimum(ex.PROP1_COMPARISON, ex.D1)
    assert cert.is_local_minimum is True and cert.loss == OPTIMA["D1", 1]
    assert prove_bad(cert) is None


def test_proposition2_corrected_local_minimum_is_bad_and_printed_points_are_not_minima():
    proof = prove_bad(verify_local_minimum(PROP2_LOCAL_CORRECTED, ex.D2))
    assert proof is not None and (proof.value, proof.loss) == (0, Fraction(8, 3))
    for printed in (ex.PROP2_GLOBAL_PRINTED, ex.PROP2_LOCAL_PRINTED):
        cert = verify_local_minimum(printed, ex.D2)
        assert cert.is_local_minimum is False and prove_bad(cert) is None
    assert ex.PROP2_GLOBAL_PRINTED.loss(ex.D2) == 29  # 'global (with perfect fit)' as printed


def test_both_proposition3_points_are_bad_local_minima_proven():
    for point, loss in ((ex.PROP3_BETTER, Fraction(1, 6)), (ex.PROP3_WORSE, Fraction(2, 3))):
        proof = prove_bad(verify_local_minimum(point, ex.D3))
        assert proof is not None and (proof.value, proof.loss) == (0, loss)


def test_named_point_table():
    gaps = _gaps()
    bad = {name for name, g in gaps.items() if g.proven_bad}
    assert bad == {"Proposition 1 point (w, b, v, c) = (1, -3, 1, 0)",
                   "Proposition 2 'local' point, w_2 = +1 (corrected)",
                   "Proposition 3 'better' local minimum", "Proposition 3 'worse' local minimum"}
    for g in gaps.values():
        assert g.gap == g.loss - g.optimum >= 0
        assert g.proven_bad == (g.local_minimum and g.loss > g.optimum)
