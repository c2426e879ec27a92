"""Proposition 1 and Remark 1 (Section 3.1.3, Appendix B.4), checked exactly.

Proposition 1 (as printed): "For the dataset D1 and L defined in Equation (1) the point
v = 1, b = -3, w = 1, c = 0 is a local minimum of L which is not a global minimum."
Appendix B.4: "L(1, -3, 1, 0) = 0+0+0+9+9 = 18, and L(-7, -4, 1, 0) = 4+1+0+9+0 = 14".

Remark 1 (as printed): "The point (1, -3, 1, 0) is a minimum, but it is not a 'strict'
minimum - it is not isolated, but lies on a 1-dimensional manifold at which L = 18."

Verdict: both hold exactly.
"""

from fractions import Fraction

import sympy

from relu_minima import ShallowReLU, verify_local_minimum
from relu_minima.paper.regression.check_propositions import remark1_level_set
from relu_minima.paper.regression.examples import D1, PROP1_COMPARISON, PROP1_POINT


def test_data_and_point_are_as_printed():
    assert [x[0] for x in D1.X] == [5, 4, 3, 1, -1]
    assert list(D1.y) == [2, 1, 0, -3, 3]
    assert (PROP1_POINT.W, PROP1_POINT.b, PROP1_POINT.v, PROP1_POINT.c) == (((1,),), (-3,), (1,), 0)


def test_losses_match_appendix_b4_term_by_term():
    # by hand: relu(x - 3) = 2, 1, 0, 0, 0 against y = 2, 1, 0, -3, 3
    assert [r * r for r in PROP1_POINT.residuals(D1)] == [0, 0, 0, 9, 9]
    # relu(-7x - 4) = 0, 0, 0, 0, 3 against the same targets
    assert [r * r for r in PROP1_COMPARISON.residuals(D1)] == [4, 1, 0, 9, 0]


def test_point_is_a_certified_local_minimum_but_not_global():
    cert = verify_local_minimum(PROP1_POINT, D1)
    assert cert.is_local_minimum is True
    assert cert.loss == 18
    assert PROP1_COMPARISON.loss(D1) == 14 < cert.loss
    assert cert.kink_pairs == [(0, 2)]  # x3 = 3 sits on the kink, as in B.4's two cases
    cert.check()


def test_certificate_radius_is_honest_on_a_grid():
    """Every rational point of a grid in the certified ball has L >= 18 (exact)."""
    cert = verify_local_minimum(PROP1_POINT, D1)
    rho = cert.radius
    steps = [-rho, -rho / 2, 0, rho / 2, rho]
    for dw in steps:
        for db in steps:
            for dv in steps:
                for dc in steps:
                    p = ShallowReLU([1 + dw], [-3 + db], [1 + dv], dc)
                    assert p.loss(D1) >= 18


def test_comparison_point_is_itself_a_local_minimum():
    """Not claimed by the paper, but true: L = 14 at (-7, -4, 1, 0) is also a local minimum."""
    assert verify_local_minimum(PROP1_COMPARISON, D1).is_local_minimum is True


def test_remark1_the_level_set_is_the_rescaling_curve():
    sols, loss_on_orbit = remark1_level_set()
    w = sympy.Symbol("w", real=True)
    b, v = sympy.Symbol("b", real=True), sympy.Symbol("v", real=True)
    assert len(sols) == 1
    assert sympy.simplify(sols[0][b] + 3 * w) == 0 and sympy.simplify(sols[0][v] - 1 / w) == 0
    assert loss_on_orbit == 18
    # and exactly, at rational points of the curve, L = 18
    for a in (Fraction(1, 3), Fraction(9, 10), 2, 7):
        assert verify_local_minimum(PROP1_POINT.rescaled(0, a), D1).loss == 18


def test_remark1_not_strict_and_no_other_direction_is_flat():
    """Within the radius L - 18 = |Delta|^2, because every first-order term vanishes."""
    cert = verify_local_minimum(PROP1_POINT, D1)
    unit = cert.units[0]
    assert sum(cert.residuals) == 0
    assert unit.form.p == (0, 0) and unit.form.weights == (0,)
    moved = ShallowReLU([1], [-3], [1], Fraction(1, 20))  # off the curve: c != 0
    assert moved.loss(D1) > 18
