"""The exact linear algebra agrees with sympy's, on every backend."""

from __future__ import annotations

from fractions import Fraction

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima.exact import linalg as _linalg

small = st.fractions(min_value=-5, max_value=5, max_denominator=4)


def matrices(max_rows=4, max_cols=4):
    return st.integers(1, max_cols).flatmap(
        lambda c: st.lists(st.lists(small, min_size=c, max_size=c), min_size=1, max_size=max_rows)
    )


def _sympy(rows):
    return sympy.Matrix([[sympy.Rational(t.numerator, t.denominator) for t in r] for r in rows])


@settings(max_examples=60, deadline=None)
@given(matrices())
def test_rank_and_nullspace_match_sympy(backend, rows):
    M = _sympy(rows)
    assert _linalg.rank(rows) == M.rank()
    basis = _linalg.nullspace(rows, len(rows[0]))
    assert len(basis) == len(rows[0]) - M.rank()
    for vec in basis:
        assert all(_linalg.dot(r, vec) == 0 for r in rows)


@settings(max_examples=60, deadline=None)
@given(matrices(), st.lists(small, min_size=4, max_size=4))
def test_solve_is_exact_or_proves_inconsistency(backend, rows, rhs):
    rhs = rhs[: len(rows)]
    x = _linalg.solve(rows, rhs)
    augmented = [[*r, b] for r, b in zip(rows, rhs, strict=False)]
    consistent = _sympy(rows).rank() == _sympy(augmented).rank()
    assert (x is not None) == consistent
    if x is not None:
        assert [_linalg.dot(r, x) for r in rows] == list(rhs)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3).flatmap(lambda d: st.tuples(
    st.lists(st.lists(small, min_size=d, max_size=d), min_size=1, max_size=5),
    st.lists(st.lists(small, min_size=d + 1, max_size=d + 1), min_size=1, max_size=4))))
def test_affine_products_match_direct_sums(backend, data):
    X, U = data
    z = _linalg.affine_products(X, U)
    for i, x in enumerate(X):
        for j, u in enumerate(U):
            lifted = (*x, Fraction(1))
            assert z[i][j] == sum((a * b for a, b in zip(u, lifted, strict=True)), Fraction(0))


@given(st.lists(st.fractions(max_denominator=50), max_size=30))
def test_grouped_sums_equal_plain_sums(values):
    from relu_minima.exact.linalg import exact_sum, sum_of_squares

    assert exact_sum(values) == sum(values, Fraction(0))
    assert sum_of_squares(values) == sum((v * v for v in values), Fraction(0))
