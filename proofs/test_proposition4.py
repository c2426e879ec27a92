"""Proposition 4 (Section 3.2, Appendix B.1, Eq. (3)), checked exactly.

Proposition 4 (as printed): "There exists a normalized (whitened) dataset satisfying: Given an
arbitrary feed forward rectifier network with weights initialized from a normal distribution
and biases initialized to 0 and an arbitrary eps in [0, 1), with probability at least 1 - eps,
gradient based techniques using log loss never achieve 0 training error nor they ever
converge. Furthermore, this dataset can have full rank covariance matrix and be linearly
separable."

Appendix B.1 bound: P(W, v > 0) = (int_0^oo N(mu, sigma^2))^(dh + h) (one hidden layer) and
(int_0^oo N(mu, sigma^2))^(dh + (k-2)h^2 + h) for a "k-layer deep network (W_n)_{n=1}^k".

Verdict: erratum. As printed (an arbitrary normal law, an arbitrary eps in [0, 1)) it is
false: for EVERY normal law, a network with two hidden layers (the first of width 2) has a
positive-probability event E on which layer 2 is strictly inactive on the data, so gradient
descent moves only the output bias and converges: eps = 0 is impossible for every law, and a
fixed law fails every eps < P(E). Amended (certified): for every architecture and every
eps in (0, 1) the mean mu_min = sigma Phi^-1((1 - eps)^(1/E)) gives probability >= 1 - eps
that every weight is positive, and the Appendix B.1 argument applies (k = number of weight
layers in the printed exponent; with k hidden layers it misses one h x h layer).
"""

import mpmath
import numpy as np
import sympy

from relu_minima.exact.datasets import Dataset
from relu_minima.exact.deep_relu import DeepReLU
from relu_minima.paper.dead_layers import bounds
from relu_minima.paper.dead_layers.outlier_data import outlier_dataset
from relu_minima.paper.dead_layers.outlier_training import train_outlier_networks
from relu_minima.paper.dead_layers.prop4 import amended_mean, converging_event
from relu_minima.verify.deep.rules import find_blind_spot, loss_germ


def test_exponent_counted_layer_by_layer():
    # 2-3-3-1: 2*3 + 3*3 + 3*1 = 18 weights, counted by hand
    assert bounds.prop4_exponent(2, 3, 2) == 18
    # the printed exponent with k = 3 weight layers gives 18 too, with k = 2 it gives 9
    printed = 2 * 3 + (bounds.k - 2) * 9 + 3
    assert printed.subs(bounds.k, 3) == 18
    assert printed.subs(bounds.k, 2) == 9 != 18


def test_eq3_at_mean_zero_is_two_to_minus_exponent():
    expr = bounds.prop4_expression("fixed", 2, 3, 1, fixed_std="1/100")
    assert sympy.simplify(expr.subs(bounds.mu, 0)) == sympy.Rational(1, 2**9)


def test_any_eps_is_reached_by_a_large_mean():
    # 1 - eps = 0.999999 for a 2-10-10-1 net with sigma = 1: the bracket is certified
    r = bounds.required_mean("0.999999", "fixed", 2, 10, 2, fixed_std=1, digits=10)
    assert r.p_at_upper >= mpmath.mpf("0.999999") > r.p_at_lower
    # independent closed form: mu = Phi^-1(p^(1/E)) with E = 2*10 + 100 + 10 = 130
    with mpmath.workdps(50):
        y = mpmath.mpf("0.999999") ** (mpmath.mpf(1) / 130)
        closed = mpmath.sqrt(2) * mpmath.erfinv(2 * y - 1)
        assert abs(closed - r.upper) < mpmath.mpf(10) ** -9


def test_dataset_is_whitened_full_rank_separable_exactly():
    D = outlier_dataset(6, 2)
    for col in range(2):
        values = [row[col] for row in D.X]
        assert sympy.simplify(sum(values)) == 0
        assert sympy.simplify(sum(v**2 for v in values) / 6) == 1  # population convention
    assert all(v.is_negative for i, row in enumerate(D.X) if i != D.outlier for v in row)
    assert all(v.is_positive for v in D.X[D.outlier])
    cov = sympy.Matrix(2, 2, lambda p, q: sum(r[p] * r[q] for r in D.X) / 6)
    assert sympy.simplify(cov.det()) != 0
    assert D.bias_robust  # x* . x_i <= -1: trained biases cannot wake the N - 1 points


def test_positive_start_keeps_one_shared_output_evidence():
    """Evidence (floats): full-batch GD, biases trained, 1 hidden layer of 3 units."""
    D = outlier_dataset(8, 2)
    r = train_outlier_networks(D.to_numpy(), D.y, D.outlier, 3, 1, 1.0, 1.0, 60, 300,
                               np.random.default_rng(0), learning_rate=0.5)
    assert r.positive_start > 0
    assert r.max_negative_preactivation < 0 and r.max_output_spread == 0.0
    # the N - 1 points have 4 ones and 3 zeros (by construction): 3 errors are forced
    assert sum(D.y[:-1]) == 4 and r.forced_errors == 3 and r.min_errors >= 3
    # floor (N-1)/N * H(4/7) in nats, by hand; the loss stays above it
    floor = 7 / 8 * -(4 / 7 * np.log(4 / 7) + 3 / 7 * np.log(3 / 7))
    assert abs(r.loss_floor - floor) < 1e-12 and r.min_loss >= floor * (1 - 1e-12)


def test_counterexample_event_has_positive_probability_for_every_law_tried():
    ev = converging_event(outlier_dataset(8, 2))
    assert ev.W1 == ((1, 0), (-1, 0)) and ev.radius == sympy.Rational(1, 4)
    assert all(m.is_positive for m in ev.margins)
    for mean, std in ((0, 1), (1, 1), ("0.24", "0.01"), (10, 1), (-3, 2)):
        assert ev.probability(mean, std) > 0
    # by hand at N(0, 1): four box factors Phi(1.25) - Phi(0.75) (twice), Phi(.25) - Phi(-.25)
    # (twice), times P(W_2 < 0) = 2^-4
    with mpmath.workdps(30):
        f1 = mpmath.ncdf(1.25) - mpmath.ncdf(0.75)
        f0 = mpmath.ncdf(0.25) - mpmath.ncdf(-0.25)
        assert abs(ev.probability(0, 1) - f1**2 * f0**2 / 16) < mpmath.mpf(10) ** -25
    assert ev.labels == (3, 5) and ev.limit == sympy.log(sympy.Rational(5, 3))


def test_on_the_event_only_the_output_bias_moves_exactly():
    """A rational stand-in for the mechanism: inputs with both signs of x_1, first layer
    (1, 0; -1, 0) plus a box-size perturbation, W_2 < 0: layer 2 strictly dead, and the exact
    gradient is zero in every coordinate but the output bias."""
    D = Dataset([[-2, -1], [-1, -3], [3, 4]], [0, 1, 1])
    net = DeepReLU([[[1, "1/8"], [-1, "-1/8"]], [[-1, -2], [-3, "-1/2"]], [[5, 7]]],
                   [[0, 0], [0, 0], [0]])
    spot = find_blind_spot(net, D)
    assert spot.layer == 2 and spot.strict
    for p in range(net.n_params - 1):
        for s in (1, -1):
            u = [0] * net.n_params
            u[p] = s
            germ = loss_germ(net, D, u)
            assert len(germ) == 1  # the squared loss is constant along it; any loss of the
            # (constant) outputs is too
    u = [0] * (net.n_params - 1) + [1]
    assert loss_germ(net, D, u)[1] != 0  # the output bias does move


def test_eps_zero_is_refused_and_the_amended_mean_is_certified():
    import pytest

    from relu_minima.errors import ClaimCheckError
    with pytest.raises(ClaimCheckError, match="eps=0"):
        amended_mean(0, 2, 3, 1)
    a = amended_mean("1/100", 2, 3, 2)
    assert a.certified and a.weights == 18
    with mpmath.workdps(40):  # closed form by hand: Phi^-1(0.99^(1/18))
        y = mpmath.mpf("0.99") ** (mpmath.mpf(1) / 18)
        assert abs(mpmath.sqrt(2) * mpmath.erfinv(2 * y - 1) - a.upper) < mpmath.mpf(10) ** -9
