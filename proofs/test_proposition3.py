"""Proposition 3 (Section 3.1.3), checked exactly.

As printed: "Let us consider a dataset D3 with d = 1, given by points (-1, 3), (0, 0),
(1, -1), (10, -3), (11, -4), (12, -6), then a rectifier network with m = 3 hidden units
parametrized with w = (-1.5, -1.5, 1.5), b = (1, 0, -13 - 1/6), v = (1, 1, -1), c = -1 is a
better local minimum according to a squared error loss than the local minimum obtained for
w = (-2, 1, 1), b = (3 + 2/3, -10, -11), v = (1, -1, -1), c = -3."
And after it: region I = (-inf, 6), region II = [6, inf); "both solutions ... have the best fit
for the points assigned to any given region"; the local optimum uses two neurons on region II,
the better one two neurons on region I.

Verdict: all hold exactly. Both points have kinks on data points (x = 0 for unit 2 of the
better point; x = 10 and x = 11 for the worse), handled exactly by the certificates.
"""

from fractions import Fraction

from relu_minima import verify_local_minimum
from relu_minima.paper.regression.check_propositions import least_squares_line, region_report
from relu_minima.paper.regression.examples import D3, PROP3_BETTER, PROP3_WORSE


def test_better_point():
    cert = verify_local_minimum(PROP3_BETTER, D3)
    assert cert.is_local_minimum is True
    # by hand: perfect on x = -1, 0, 1; on 10, 11, 12 the line -13/3 - 3/2 (x - 11)
    assert list(cert.residuals) == [0, 0, 0, Fraction(1, 6), Fraction(-1, 3), Fraction(1, 6)]
    assert cert.loss == Fraction(1, 6)
    assert (1, 1) in cert.kink_pairs  # unit 2 at x = 0
    cert.check()


def test_worse_point():
    cert = verify_local_minimum(PROP3_WORSE, D3)
    assert cert.is_local_minimum is True
    # by hand: the line 2/3 - 2x on x = -1, 0, 1; perfect on 10, 11, 12
    assert list(cert.residuals) == [Fraction(-1, 3), Fraction(2, 3), Fraction(-1, 3), 0, 0, 0]
    assert cert.loss == Fraction(2, 3)
    assert {(1, 3), (2, 4)} <= set(cert.kink_pairs)  # x = 10 and x = 11 on kinks
    cert.check()


def test_better_is_better():
    assert PROP3_BETTER.loss(D3) < PROP3_WORSE.loss(D3)


def test_least_squares_lines_by_hand():
    pts = [(Fraction(x), Fraction(y)) for x, y in ((-1, 3), (0, 0), (1, -1))]
    assert least_squares_line(pts) == (-2, Fraction(2, 3))
    pts = [(Fraction(x), Fraction(y)) for x, y in ((10, -3), (11, -4), (12, -6))]
    slope, icpt = least_squares_line(pts)
    assert slope == Fraction(-3, 2) and slope * 11 + icpt == Fraction(-13, 3)


def test_regions_are_fitted_optimally_with_the_stated_unit_counts():
    better, worse = region_report(PROP3_BETTER, D3), region_report(PROP3_WORSE, D3)
    assert better["I"]["perfect"] and better["II"]["least_squares"]
    assert worse["I"]["least_squares"] and worse["II"]["perfect"]
    assert (len(better["I"]["units"]), len(better["II"]["units"])) == (2, 1)
    assert (len(worse["I"]["units"]), len(worse["II"]["units"])) == (1, 2)
