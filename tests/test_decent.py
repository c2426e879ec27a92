"""Definition 1 and the Theorem 1 (ii) constructions: fixed cases by hand and fuzzing."""

from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from relu_minima.errors import InvalidType, ShapeError
from relu_minima.exact.datasets import Dataset
from relu_minima.paper.dead_layers.theorem1 import (
    NotDecentError,
    better_point_few_units,
    blind_spot_loss,
    decent_index,
    is_decent,
    separating_vector,
    theorem1_point,
    theorem1_point_printed,
)


def test_is_decent_by_hand():
    assert not is_decent(Dataset([0, 0, 1, 1], [1, -1, 2, -2]))  # both groups average 0
    assert not is_decent(Dataset([[1, 1]] * 3, [1, 2, 3]))  # one input only
    assert is_decent(Dataset([0, 0, 1], [1, 1, 1 - 3]))
    assert decent_index(Dataset([0, 1, 2], [0, 0, 3])) == 0  # group {0} mean 0 != 1
    with pytest.raises(InvalidType, match="dataset=<a list of length 2>"):
        is_decent([1, 2])


def test_blind_spot_loss_by_hand():
    assert blind_spot_loss(Dataset([0, 1, 2], [0, 0, 3])) == 1 + 1 + 4


def test_separating_vector():
    deltas = [(1, -1, 0), (2, -2, 0), (0, 0, 1), (1, 0, 0)]
    v = separating_vector(deltas)
    for dl in deltas:
        assert abs(sum(a * b for a, b in zip(v, dl, strict=True))) > 2
    with pytest.raises(ShapeError):
        separating_vector([(0, 0)])


def test_corrected_point_by_hand():
    D = Dataset([[0, 0], [1, 0], [0, 1], [0, 0]], [4, 0, 1, 2])  # x_r = (0, 0): nu = 3
    p = theorem1_point(D, (2, 3, 1))
    assert (p.nu, p.mu) == (3, Fraction(1, 2))
    assert p.params.outputs(D) == [3, Fraction(1, 2), Fraction(1, 2), 3]
    assert p.loss == 1 + Fraction(1, 4) + Fraction(1, 4) + 1


def test_bad_widths():
    D = Dataset([0, 1], [0, 1])
    for widths, text in [((1, 1), "no hidden layer"), ((2, 3, 1), "d=1"),
                         ((1, 3, 2), "ending in 1"), ((1, 0, 1), "positive"), ("13", "sequence")]:
        with pytest.raises(ShapeError, match=text):
            theorem1_point(D, widths)
    with pytest.raises(NotDecentError):
        theorem1_point_printed(Dataset([0, 0], [1, -1]), (1, 3, 1))
    with pytest.raises(NotDecentError):
        better_point_few_units(Dataset([0, 1], [1, 1]), (1, 1, 1))


num = st.integers(-4, 4)
entry = st.one_of(num.map(Fraction), st.builds(Fraction, num, st.integers(1, 6)))


@st.composite
def datasets(draw):
    d = draw(st.integers(1, 4))
    X = draw(st.lists(st.lists(entry, min_size=d, max_size=d), min_size=2, max_size=5))
    X += [X[0]] * draw(st.integers(0, 2))
    y = draw(st.lists(entry, min_size=len(X), max_size=len(X)))
    return Dataset(X, y)


@settings(max_examples=50, deadline=None)
@given(datasets(), st.integers(2, 5), st.data())
def test_fuzz_constructions(D, k, data):
    assume(is_decent(D))
    h1 = data.draw(st.integers(1, 4))
    widths = (D.d, h1, *[data.draw(st.integers(1, 3)) for _ in range(k - 2)], 1)
    S = blind_spot_loss(D)
    one = better_point_few_units(D, widths)
    one.check()
    assert one.loss < S and one.params.widths == widths
    if h1 >= 3:
        fixed = theorem1_point(D, widths)
        fixed.check()
        assert fixed.loss < S
        xr = D.X[fixed.r]
        for x, out in zip(D.X, fixed.params.outputs(D), strict=True):
            assert out == (fixed.nu if x == xr else fixed.mu)
        printed = theorem1_point_printed(D, widths)
        expect_ok = k == 2 or min(printed.mu, printed.nu) >= 0
        if expect_ok:
            assert printed.beats_blind_spot


@settings(max_examples=30, deadline=None)
@given(datasets())
def test_is_decent_matches_an_independent_definition(D):
    ybar = sum(D.y) / D.n
    direct = any(
        sum(D.y[p] for p in range(D.n) if D.X[p] == D.X[r])
        != ybar * sum(1 for p in range(D.n) if D.X[p] == D.X[r])
        for r in range(D.n))
    assert is_decent(D) == direct
