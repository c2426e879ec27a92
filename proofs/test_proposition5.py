"""Proposition 5 (Section 3.2, Appendix B.2), checked exactly.

Proposition 5 (as printed): "For every dataset, every feed forward rectifier network built for
it, and every distribution used to initialize both weights and biases such that E[w] = 0,
E[b] = 0, Var[w] > 0, Var[b] >= 0, the probability that the gradient based training of any
loss function will lead to a trivial model (predicting the same label for all datapoints) goes
to 1 as the number of hidden layers go to infinity."

Appendix B.2 (as printed, garbled): P(Learning fails with k hidden layers) >=
1 - (1 - (cdf_b(0))^h cdf_W(0))^{h^2})^{k-1}.

Verdict: erratum. Read as 1 - ((1 - cdf_b(0)^h cdf_W(0))^(h^2))^(k-1) (the reviewer's reading)
the bound is false: 15/16 where the truth is 7/16. The corrected bound
1 - (1 - P(w <= 0)^(h^2) P(b <= 0)^h)^(k-1) holds and tends to 1 for fixed width; with width
growing with depth it tends to 1 iff (k-1) P(w<=0)^(h^2) P(b<=0)^h -> oo, i.e. roughly iff h
grows slower than sqrt(log2 k).
"""

import mpmath
import numpy as np
import sympy

from relu_minima.paper.dead_layers import bounds, prop5_bounds
from relu_minima.paper.dead_layers.prop5_bounds import Law
from relu_minima.paper.dead_layers.simulation import dead_layer_probability

HALF = sympy.Rational(1, 2)


def test_printed_bound_exceeds_the_truth():
    # w ~ N(0, 1) (P(w <= 0) = 1/2), b = 0 (P(b <= 0) = 1), h = 2 units, k = 2 hidden layers
    printed = prop5_bounds.prop5_printed().subs({bounds.a: HALF, bounds.c: 1, bounds.h: 2,
                                           bounds.k: 2})
    assert printed == 1 - (1 - HALF) ** 4 == sympy.Rational(15, 16)
    # the event of the proof for the single layer j = 2: 4 weights <= 0, 2 biases <= 0
    assert prop5_bounds.prop5_corrected_widths([2, 2], Law.normal(0, 1), Law.point(0)) == HALF**4
    # exact truth on the dataset {x = 1}, d = 1: u = relu(w1) is 0 with prob 1/4 (then layer
    # 2 is dead); otherwise u >= 0, u != 0 and each unit's w.u is symmetric: dead w.p. 1/4
    truth = HALF**2 + (1 - HALF**2) * HALF**2
    assert truth == sympy.Rational(7, 16) < printed


def test_monte_carlo_matches_the_exact_seven_sixteenths_evidence():
    est = dead_layer_probability(np.array([[1.0]]), 2, 2, Law.normal(0, 1), Law.point(0),
                                 20_000, np.random.default_rng(1))
    assert 7 / 16 in est.interval and not est.printed_consistent


def test_corrected_bound_with_biases_and_its_fixed_width_limit():
    a_w = Law.normal(0, 3).cdf0()
    c_b = Law.normal(0, 1).cdf0()
    assert a_w == HALF and c_b == HALF  # zero-mean symmetric laws: cdf(0) = 1/2
    assert Law.point(0).cdf0() == 1  # Var[b] = 0 means b = 0 and P(b <= 0) = 1
    expr = prop5_bounds.prop5_corrected().subs({bounds.a: a_w, bounds.c: c_b, bounds.h: 3})
    assert sympy.limit(expr, bounds.k, sympy.oo) == 1
    assert expr.subs(bounds.k, 2) == HALF**12  # 9 weights and 3 biases of layer 2


def test_width_growing_with_depth_boundary():
    lim = prop5_bounds.prop5_limit
    assert lim(5, HALF, HALF).bound_limit == 1
    assert lim(sympy.sqrt(sympy.log(bounds.k, 2)) - 1, HALF, HALF).bound_limit == 1
    assert lim(sympy.sqrt(sympy.log(bounds.k, 2)), HALF, HALF).bound_limit == 0
    assert lim(prop5_bounds.critical_width(bounds.k, HALF, HALF), HALF, HALF).bound_limit == \
        1 - sympy.exp(-1)
    # at k = 1025, h*(h*+1) = log2(1024) = 10: h* = (sqrt(41) - 1)/2 by hand
    hstar = prop5_bounds.critical_width(1025, HALF, HALF)
    assert sympy.simplify(hstar - (sympy.sqrt(41) - 1) / 2) == 0


def test_bound_is_useless_at_moderate_width():
    # h = 4, N(0,1) weights and biases: one layer is dead by the proof's event w.p. 2^-20;
    # a million hidden layers give only 1 - (1 - 2^-20)^(10^6) ~ 0.615
    v = prop5_bounds.prop5_value(4, 10**6 + 1, Law.normal(0, 1), Law.normal(0, 1), dps=40)
    with mpmath.workdps(40):  # independently: 1 - (1 - 2^-20)^(10^6) by mpmath's power
        direct = 1 - (1 - mpmath.mpf(2) ** -20) ** (10**6)
        assert abs(v - direct) < mpmath.mpf(10) ** -30
    assert mpmath.mpf("0.61") < v < mpmath.mpf("0.62")
