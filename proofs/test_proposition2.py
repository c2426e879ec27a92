"""Proposition 2 (Section 3.1.3), checked exactly: an erratum.

As printed: "Let us consider a dataset D2 with d = 1, given by points (-1, 5), (0, 0),
(1, -1), (10, -3), (11, -4), (12, -5), then a rectifier network with m = 2 hidden units
parametrized with w = (-5, -1), b = (1, -8), v = (1, -1), c = -1 is a global minimum (with
perfect fit) and the local one according to squared error loss is obtained for w = (-3, -1),
b = (4 + 1/3, -10), v = (1, -1), c = -3."

Verdict: false as printed (both points). With w_2 = +1 in both points (a sign typo), the first
is a perfect fit and the second is a certified local minimum with L = 8/3 (docs/errata.md).
The text after it: "the global solution now has a blind spot since all neurons deactivate in
x3" holds for the corrected global point.
"""

from fractions import Fraction

from relu_minima import ShallowReLU, verify_local_minimum
from relu_minima.paper.regression.check_propositions import prop2_repairs
from relu_minima.paper.regression.examples import D2, PROP2_GLOBAL_PRINTED, PROP2_LOCAL_PRINTED

GLOBAL_FIXED = ShallowReLU([-5, 1], [1, -8], [1, -1], -1)
LOCAL_FIXED = ShallowReLU([-3, 1], ["13/3", -10], [1, -1], -3)


def test_printed_global_point_is_not_a_perfect_fit():
    # by hand: relu(-5x + 1) - relu(-x - 8) - 1 = 5, 0, -1, -1, -1, -1; targets end -3, -4, -5
    assert PROP2_GLOBAL_PRINTED.residuals(D2) == [0, 0, 0, 2, 3, 4]
    assert PROP2_GLOBAL_PRINTED.loss(D2) == 29


def test_printed_local_point_is_not_a_local_minimum():
    cert = verify_local_minimum(PROP2_LOCAL_PRINTED, D2)
    assert cert.is_local_minimum is False
    # by hand: unit 2 is dead on D2, unit 1 fits 13/3, 4/3, -5/3 on x <= 1; c = -3 elsewhere
    expected = [Fraction(-2, 3), Fraction(4, 3), Fraction(-2, 3), 0, 1, 2]
    assert list(cert.residuals) == expected and sum(expected) == 3
    assert cert.descent.kind == "bias"
    witness = cert.witness(Fraction(1, 100))
    assert witness.loss(D2) < cert.loss == Fraction(23, 3)


def test_sign_corrected_points_are_what_the_paper_meant():
    assert GLOBAL_FIXED.loss(D2) == 0
    cert = verify_local_minimum(LOCAL_FIXED, D2)
    assert cert.is_local_minimum is True
    # by hand: least-squares line on x = -1, 0, 1 is 4/3 - 3x, residuals -2/3, 4/3, -2/3
    assert cert.loss == Fraction(4, 9) + Fraction(16, 9) + Fraction(4, 9) == Fraction(8, 3)
    assert cert.loss > GLOBAL_FIXED.loss(D2)  # so it is a local, not a global, minimum
    cert.check()


def test_the_library_finds_exactly_these_repairs():
    glob, loc = prop2_repairs()
    assert [r.params for r in glob] == [GLOBAL_FIXED]
    assert LOCAL_FIXED in [r.params for r in loc]


def test_blind_spot_of_the_global_solution():
    z = GLOBAL_FIXED.preactivations(D2)[2]  # x3 = 1
    assert z == [-4, -7]
