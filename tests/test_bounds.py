"""Unit and property tests of relu_minima.paper.dead_layers.bounds (Propositions 4 and 5)."""

from fractions import Fraction

import mpmath
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima.errors import InexactNumberError, InvalidArgument, InvalidNumberError, ShapeError
from relu_minima.paper.dead_layers import bounds, prop5_bounds
from relu_minima.paper.dead_layers.prop5_bounds import Law


@given(st.integers(1, 5), st.integers(1, 6), st.integers(1, 6))
def test_exponent_matches_a_layer_by_layer_sum(d_in, width, layers):
    shapes = [(d_in, width)] + [(width, width)] * (layers - 1) + [(width, 1)]
    assert bounds.prop4_exponent(d_in, width, layers) == sum(p * q for p, q in shapes)


@settings(max_examples=25, deadline=None)
@given(st.fractions(0, 3), st.fractions(0, 3), st.integers(1, 50), st.integers(1, 4))
def test_prop4_probability_increases_with_mean(m1, m2, width, layers):
    lo, hi = sorted((m1, m2))
    p_lo = bounds.prop4_probability(lo, "lecun", 2, width, layers, dps=20)
    p_hi = bounds.prop4_probability(hi, "lecun", 2, width, layers, dps=20)
    assert p_lo <= p_hi


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(bounds.INIT_SCHEMES), st.integers(1, 2000), st.integers(1, 20),
       st.fractions(min_value=sympy.Rational(1, 100), max_value=sympy.Rational(999, 1000)))
def test_required_mean_really_inverts(scheme, width, layers, p):
    r = bounds.required_mean(p, scheme, 2, width, layers, digits=8, dps=30)
    with mpmath.workdps(30):
        target = mpmath.mpf(p.numerator) / p.denominator
        assert bounds.prop4_probability(r.upper, scheme, 2, width, layers) >= target
        assert bounds.prop4_probability(r.lower, scheme, 2, width, layers) < target
        assert r.upper - r.lower <= mpmath.mpf(10) ** -8


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(2, 30))
def test_corrected_bound_monotone_in_depth_and_width(width, depth):
    w, b = Law.normal(0, 1), Law.uniform(-1, 3)
    here = prop5_bounds.prop5_value(width, depth, w, b)
    assert prop5_bounds.prop5_value(width, depth + 1, w, b) >= here
    assert prop5_bounds.prop5_value(width + 1, depth, w, b) <= here


def test_widths_form_agrees_with_uniform_form():
    w, b = Law.normal(0, 2), Law.normal(0, 1)
    expr = prop5_bounds.prop5_corrected().subs({bounds.a: w.cdf0(), bounds.c: b.cdf0(),
                                          bounds.h: 2, bounds.k: 4})
    assert sympy.simplify(prop5_bounds.prop5_corrected_widths([2, 2, 2, 2], w, b) - expr) == 0
    # 1 - (1 - 2^-6)^3 by hand
    assert sympy.nsimplify(expr) == 1 - (1 - sympy.Rational(1, 64)) ** 3


def test_law_cdfs():
    assert Law.uniform(-1, 3).cdf0() == sympy.Rational(1, 4)
    assert Law.uniform(1, 3).cdf0() == 0
    assert Law.point(-2).cdf0() == 1 and Law.point(2).cdf0() == 0
    assert sympy.N(Law.normal(1, 1).cdf0(), 15) == pytest.approx(0.15865525393145707)


def test_printed_alt_reading_is_the_corrected_bound():
    assert sympy.simplify(prop5_bounds.prop5_printed_alt() - prop5_bounds.prop5_corrected()) == 0


def test_bad_inputs_name_the_argument():
    with pytest.raises(InvalidNumberError, match="width=0"):
        bounds.prop4_exponent(2, 0, 3)
    with pytest.raises(InvalidArgument, match="scheme='he'"):
        bounds.init_stds("he", 2, 3, 1)
    with pytest.raises(InvalidNumberError, match="p="):
        bounds.required_mean(1, "lecun", 2, 3, 1)
    with pytest.raises(InexactNumberError, match=r"mean=0\.5"):
        bounds.prop4_probability(0.5, "lecun", 2, 3, 1)
    with pytest.raises(InvalidNumberError, match="variance=0"):
        Law.normal(0, 0)
    with pytest.raises(ShapeError, match="widths"):
        prop5_bounds.prop5_corrected_widths([3], Law.normal(), Law.point())
    with pytest.raises(InvalidNumberError, match="hidden_layers=1"):
        prop5_bounds.prop5_value(2, 1, Law.normal(), Law.point())
    with pytest.raises(InvalidNumberError, match="a_value"):
        prop5_bounds.prop5_limit(2, 1, sympy.Rational(1, 2))


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(bounds.INIT_SCHEMES), st.integers(1, 4), st.integers(1, 40),
       st.integers(1, 5), st.fractions(Fraction(1, 50), 2, max_denominator=50))
def test_prop4_probability_is_the_exact_expression_evaluated(scheme, d_in, width, layers, mean):
    # the fast path (variances merged, square roots in mpmath) against the sympy product of
    # Phi(mu / std)^count over the layers, evaluated by sympy itself
    expr = bounds.prop4_expression(scheme, d_in, width, layers, fixed_std="1/10")
    value = sympy.N(expr.subs(bounds.mu, sympy.Rational(mean.numerator, mean.denominator)), 30)
    got = bounds.prop4_probability(mean, scheme, d_in, width, layers, fixed_std="1/10", dps=30)
    with mpmath.workdps(30):
        assert abs(mpmath.mpf(str(value)) - got) <= mpmath.mpf(10) ** -25 * abs(got)
