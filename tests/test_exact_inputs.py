"""Bad input gets a clear error naming the argument and position; nothing is rounded."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima import (
    Dataset,
    DimensionMismatch,
    InexactNumberError,
    InvalidNumberError,
    ReluMinimaError,
    ShallowReLU,
    ShapeError,
    verify_local_minimum,
)
from relu_minima.errors import InvalidType
from relu_minima.exact.numbers import exact

# every decision test runs on both exact backends (pure Python, and python-flint if
# installed): `pip install .` users get the pure-Python path
pytestmark = pytest.mark.usefixtures("backend")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, Fraction(3)),
        (Fraction(13, 3), Fraction(13, 3)),
        ("13/3", Fraction(13, 3)),
        ("-0.25", Fraction(-1, 4)),
        (" 7 ", Fraction(7)),
        (sympy.Rational(13, 3), Fraction(13, 3)),
        (sympy.Integer(-4), Fraction(-4)),
        (Decimal("0.1"), Fraction(1, 10)),
        (np.int64(5), Fraction(5)),
    ],
)
def test_exact_accepts_exact_numbers(value, expected):
    assert exact(value) == expected
    assert isinstance(exact(value), Fraction)


def test_float_is_refused_with_advice():
    with pytest.raises(InexactNumberError) as info:
        exact(4.333, "y[3]", allow_float=False)  # False: the caller offers the opt-in
    message = str(info.value)
    assert "y[3]=4.333" in message and "'4333/1000'" in message and "allow_float=True" in message
    assert f"exact value is {Fraction(4.333)}" in message  # the binary value, not 4333/1000
    assert isinstance(info.value, TypeError) and isinstance(info.value, ReluMinimaError)


def test_numpy_and_sympy_floats_are_refused():
    with pytest.raises(InexactNumberError):
        exact(np.float64(0.5), "x")
    with pytest.raises(InexactNumberError):
        exact(sympy.Float(0.5), "x")


def test_float_opt_in_takes_the_exact_binary_value():
    assert exact(0.1, allow_float=True) == Fraction(3602879701896397, 36028797018963968)
    assert Dataset([0.5], [0.25], allow_float=True).y == (Fraction(1, 4),)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), "nan", "inf", "1/0",
                                 "abc", "", True, None, sympy.sqrt(2), Decimal("NaN"), 1j])
def test_non_rationals_are_refused(bad):
    with pytest.raises(ReluMinimaError) as info:
        exact(bad, "c")
    assert "c=" in str(info.value)


def test_dataset_errors_name_the_position():
    with pytest.raises(InexactNumberError, match=r"X\[1\]\[0\]=0\.5"):
        Dataset([[1, 2], [0.5, 1]], [0, 0])
    with pytest.raises(InvalidNumberError, match=r"y\[2\]"):
        Dataset([1, 2, 3], [0, 0, float("nan")])
    with pytest.raises(ShapeError, match=r"X\[1\] has 1 entries but 2"):
        Dataset([[1, 2], [3]], [0, 0])
    with pytest.raises(ShapeError, match=r"y has 2 entries but X has 3 rows"):
        Dataset([1, 2, 3], [0, 0])
    with pytest.raises(ShapeError, match="X is empty"):
        Dataset([], [])
    with pytest.raises(ShapeError, match=r"X\[1\]=3 is a number"):
        Dataset([[1], 3], [0, 0])
    with pytest.raises(ShapeError, match="must be a sequence"):
        Dataset(5, [0])


def test_network_errors_name_the_argument():
    with pytest.raises(ShapeError, match=r"b has 1 entries but 2"):
        ShallowReLU([1, 2], [0], [1, 1], 0)
    with pytest.raises(ShapeError, match=r"v has 3 entries but 2"):
        ShallowReLU([1, 2], [0, 0], [1, 1, 1], 0)
    with pytest.raises(ShapeError, match=r"W\[1\] has 1 entries but 2"):
        ShallowReLU([[1, 2], [3]], [0, 0], [1, 1], 0)
    with pytest.raises(InexactNumberError, match=r"c=0\.1"):
        ShallowReLU([1], [0], [1], 0.1)
    with pytest.raises(ShapeError, match="W is empty"):
        ShallowReLU([], [], [], 0)


def test_dimension_mismatch_is_reported():
    net = ShallowReLU([[1, 2]], [0], [1], 0)
    with pytest.raises(DimensionMismatch, match=r"d=2.*d=1"):
        verify_local_minimum(net, Dataset([1, 2], [0, 0]))
    with pytest.raises(InvalidType, match=r"dataset=<a list of length 1> must be a relu_minima\."):
        verify_local_minimum(net, [[1, 2]])
    with pytest.raises(ShapeError, match="not a network"):
        verify_local_minimum("net", Dataset([1], [0]))


def test_attributes_are_exact_and_round_trip_through_str():
    net = ShallowReLU([["13/3", -1]], ["-0.25"], [sympy.Rational(1, 3)], Fraction(2, 7))
    for value in (*net.W[0], *net.b, *net.v, net.c):
        assert Fraction(str(value)) == value
    assert net.W[0][0] == Fraction(13, 3) and net.b[0] == Fraction(-1, 4)
    assert ShallowReLU.from_json(net.to_json()) == net
    net._check()
    D = Dataset([[1, 2], [1, 2]], ["1/3", 2])
    assert Dataset.from_json(D.to_json()) == D
    D._check()
    assert D.groups() == {(Fraction(1), Fraction(2)): (0, 1)}


def test_rescale_and_permute_validate_arguments():
    net = ShallowReLU([1, 2], [0, 0], [1, 1], 0)
    with pytest.raises(ValueError, match="a=0 must be positive"):
        net.rescaled(0, 0)
    with pytest.raises(ShapeError, match="permutation"):
        net.permuted([0, 0])
    with pytest.raises(ValueError, match="radius"):
        verify_local_minimum(net, Dataset([1], [5])).witness(0)
    with pytest.raises(ShapeError, match=r"j=2 must be a unit index in range\(2\)"):
        net.rescaled(2, 3)
    with pytest.raises(TypeError, match=r"unknown parameter.*C"):
        net.replace(C=5)  # a typo must not return the point unchanged


def test_float_errors_offer_allow_float_only_where_it_exists():
    with pytest.raises(InexactNumberError) as info:
        ShallowReLU([1], [0], [1], 0.5)
    message = str(info.value)
    assert "'1/2'" in message and "allow_float=True" in message
    assert "exact value" not in message  # 0.5 is a dyadic: nothing to explain about rounding
    with pytest.raises(InexactNumberError) as info:
        verify_local_minimum(ShallowReLU([1], [0], [1], 0), Dataset([1], [5])).witness(0.001)
    message = str(info.value)
    assert "radius=0.001" in message and "'1/1000'" in message
    assert "allow_float" not in message and "exact value is" in message
    assert ShallowReLU([1], [0], [1], 0).replace(c=0.5, allow_float=True).c == Fraction(1, 2)


def test_a_flat_W_for_one_unit_is_explained():
    with pytest.raises(ShapeError, match=r"W=\[1, 1\] is a flat list.*W=\[\[1, 1\]\]"):
        ShallowReLU(W=[1, 1], b=[0], v=[1], c=0)


def test_a_json_float_is_refused_with_its_position():
    from relu_minima.exact.io import parse_problem

    text = ('{"dataset": {"X": [[1], [2]], "y": ["1", 4.333]}, '
            '"params": {"W": [[1]], "b": [0], "v": [1], "c": 0}}')
    with pytest.raises(InexactNumberError, match=r'dataset\.y\[1\]=4\.333 .*"4\.333"'):
        parse_problem(text)
    deep = ('{"dataset": {"X": [1], "y": [1]}, '
            '"params": {"weights": [[[1]], [[0.5]]], "biases": [[0], [0]]}}')
    with pytest.raises(InexactNumberError, match=r"params\.weights\[1\]\[0\]\[0\]=0\.5"):
        parse_problem(deep)
    ok = text.replace("4.333", '"4.333"')
    assert parse_problem(ok)[1].y[1] == Fraction(4333, 1000)


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_a_refused_float_is_never_met_with_a_wrong_suggestion(value):
    """The message suggests a value equal to the decimal Python prints for the float (never a
    nearby fraction such as Fraction(229, 418) for 0.5478467492858172), and names the opt-in."""
    import re

    with pytest.raises(InexactNumberError) as err:
        Dataset([0], [value])
    text = str(err.value)
    assert "allow_float=True" in text and "snap(" in text
    suggested = re.search(r"Pass (?:Fraction\((-?\d+), (\d+)\)|the string '([^']+)')", text)
    assert suggested is not None, text
    num, den, string = suggested.groups()
    proposed = Fraction(int(num), int(den)) if num is not None else Fraction(string)
    assert proposed == Fraction(repr(value))


def test_the_float_advice_of_the_issue():
    with pytest.raises(InexactNumberError) as err:
        Dataset([0.5478467492858172], [1])
    assert "229" not in str(err.value) and "'0.5478467492858172'" in str(err.value)
