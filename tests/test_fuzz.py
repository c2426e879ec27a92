"""Neighbourhood search: finds descents where they exist, never claims one that is not there."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings

from relu_minima import strategies as rms
from relu_minima import verify_local_minimum
from relu_minima.errors import InexactNumberError, InvalidNumberError, ShapeError
from relu_minima.exact.datasets import Dataset
from relu_minima.exact.deep_relu import DeepReLU
from relu_minima.exact.shallow_relu import ShallowReLU
from relu_minima.numeric.fuzz import kink_pairs, search_neighbourhood

D1 = Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])
PROP1 = ShallowReLU([1], [-3], [1], 0)
QUICK = {"n_random": 300, "n_kink": 4, "descent_runs": 6, "descent_steps": 8}


def test_proposition1_point_has_no_descent_and_says_it_is_evidence():
    res = search_neighbourhood(PROP1, D1, Fraction(1, 10), seed=3)
    assert not res.found_descent
    assert res.base_loss == 18 and res.decrease <= 0
    assert res.kink_count == 1 and res.tried > 2000
    text = str(res)
    assert "EVIDENCE, NOT A CERTIFICATE" in text and "no lower loss found" in text


def test_shifted_bias_descent_is_found_and_exact():
    # by hand: c = 1/2 adds 1/2 to all five residuals of Proposition 1's point (sum 0),
    # L = 18 + 5/4 = 77/4, and dL/dc = 2 * 5/2 = 5 > 0, so lowering c lowers the loss
    net = ShallowReLU([1], [-3], [1], Fraction(1, 2))
    res = search_neighbourhood(net, D1, Fraction(1, 100), seed=0, **QUICK)
    assert res.found_descent
    assert isinstance(res.best, ShallowReLU)
    assert res.best.distance(net) <= Fraction(1, 100) and res.distance == res.best.distance(net)
    assert res.best_loss == res.best.loss(D1) < net.loss(D1) == Fraction(77, 4)
    assert res.decrease == Fraction(77, 4) - res.best_loss
    assert "LOWER LOSS FOUND" in str(res)


def test_seeded_search_is_reproducible():
    net = ShallowReLU([1], [-3], [1], Fraction(1, 2))
    a = search_neighbourhood(net, D1, "1/100", seed=7, **QUICK)
    b = search_neighbourhood(net, D1, "1/100", seed=7, **QUICK)
    assert a.best == b.best and a.tried == b.tried


def test_kink_pairs_are_exact():
    assert kink_pairs(PROP1, D1) == ((0, 0, 2),)  # unit 1 at x = 3 (0-based point 2)
    net = ShallowReLU([1], [Fraction(-3) + Fraction(1, 10**30)], [1], 0)
    assert kink_pairs(net, D1) == ()


def test_deep_networks_are_searched():
    deep = DeepReLU([[[1], [-1]], [[1, 1]]], [[-3, 1], [1]])  # |x|-like net, c shifted
    res = search_neighbourhood(deep, D1, "1/50", seed=0, **QUICK)
    assert isinstance(res.best, DeepReLU)
    assert res.best_loss == res.best.loss(D1)
    if res.found_descent:
        assert res.best.distance(deep) <= Fraction(1, 50)


def test_corrected_proposition2_minimum_and_printed_typo():
    D2 = Dataset([-1, 0, 1, 10, 11, 12], [5, 0, -1, -3, -4, -5])
    good = ShallowReLU([-3, 1], [Fraction(13, 3), -10], [1, -1], -3)
    assert not search_neighbourhood(good, D2, "1/100", seed=0).found_descent
    printed = ShallowReLU([-3, -1], [Fraction(13, 3), -10], [1, -1], -3)
    assert search_neighbourhood(printed, D2, "1/100", seed=0).found_descent


def test_bad_arguments():
    with pytest.raises(InvalidNumberError, match="radius=0"):
        search_neighbourhood(PROP1, D1, 0)
    with pytest.raises(InvalidNumberError, match="n_random=-1"):
        search_neighbourhood(PROP1, D1, 1, n_random=-1)
    with pytest.raises(ShapeError, match="params="):
        search_neighbourhood("net", D1, 1)
    with pytest.raises(InexactNumberError, match=r"radius=0\.01 .*'1/100'"):
        search_neighbourhood(PROP1, D1, 0.01)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rms.datasets(max_n=5, max_d=1).flatmap(
    lambda D: rms.shallow_relu(dataset=D, max_m=2, kinks=True).map(lambda p: (p, D))))
def test_never_finds_descent_inside_a_certified_ball(problem):
    # soundness cross-check with the exact certificate: inside the radius where the
    # certificate proves L >= L(theta), the search (with exact re-evaluation) finds nothing
    net, D = problem
    cert = verify_local_minimum(net, D)
    # radius is certified only at a minimum (None otherwise)
    radius = min(cert.radius, Fraction(1, 10)) if cert.radius else Fraction(1, 10)
    res = search_neighbourhood(net, D, radius, seed=0, **QUICK)
    if cert.is_local_minimum:
        assert not res.found_descent
    if res.found_descent:
        assert res.best_loss == res.best.loss(D) < cert.loss
