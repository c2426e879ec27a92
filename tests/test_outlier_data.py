"""Tests of the Appendix B.1 dataset constructor."""

import dataclasses

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima.errors import InvalidArgument, InvalidNumberError, ShapeError
from relu_minima.paper.dead_layers.outlier_data import outlier_dataset


@settings(max_examples=10, deadline=None)
@given(st.integers(4, 12), st.integers(1, 3), st.sampled_from(["population", "sample"]))
def test_properties_hold_for_many_sizes(n, d, convention):
    if n < d + 1:
        return
    D = outlier_dataset(n, d, convention=convention)  # _check() runs on creation
    div = n if convention == "population" else n - 1
    for col in range(d):
        assert sympy.simplify(sum(r[col] ** 2 for r in D.X) / div) == 1
    assert D.y[D.outlier] == 1 and len(set(D.y)) == 2


def test_hand_example_population_std():
    # raw negatives (-1, -1), (-2, -3), (-3, -2): x* = (6, 6); column 0 values -1,-2,-3,6:
    # sum of squares 1 + 4 + 9 + 36 = 50, population variance 50/4, scale 5/sqrt(2)
    D = outlier_dataset(4, 2, raw=[[-1, -1], [-2, -3], [-3, -2]])
    assert D.scales[0] == 5 / sympy.sqrt(2)
    assert sympy.simplify(D.X[3][0] - 6 * sympy.sqrt(2) / 5) == 0
    # x* . x_0 = 6 * (-1) / (25/2) + 6 * (-1) / (25/2) = -24/25 > -1: not bias robust
    assert D.outlier_products()[0] == sympy.Rational(-24, 25)
    assert not D.bias_robust


def test_tampering_is_caught():
    D = outlier_dataset(5, 2)
    bad_x = (D.X[0], D.X[1], D.X[2], (D.X[3][0], -D.X[3][1]), D.X[4])
    # a library error naming the property, also under python -O (no bare assert)
    with pytest.raises(InvalidArgument, match=r"X\[3\]\[1\]=.* must be negative"):
        dataclasses.replace(D, X=bad_x)
    with pytest.raises(InvalidArgument, match="the N - 1 points need both labels"):
        dataclasses.replace(D, y=(0, 0, 0, 0, 1))


def test_bad_inputs():
    with pytest.raises(InvalidNumberError, match="n=2"):
        outlier_dataset(2, 1)
    with pytest.raises(ShapeError, match="n=3"):
        outlier_dataset(3, 3)
    with pytest.raises(InvalidArgument, match="convention='biased'"):
        outlier_dataset(5, 2, convention="biased")
    with pytest.raises(InvalidNumberError, match=r"raw\[1\]\[0\]"):
        outlier_dataset(3, 1, raw=[[-1], [2]])
    with pytest.raises(ShapeError, match="span"):
        outlier_dataset(4, 2, raw=[[-1, -1], [-2, -2], [-3, -3]])
