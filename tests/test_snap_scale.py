"""snap at scale (issue 30): lower points against an enclosed loss, the other candidates'
exact losses, the route option and the progress bar's steps."""

from __future__ import annotations

import importlib
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima import ShallowReLU, snap
from relu_minima.paper.regression.examples import D1, PROP1_POINT
from relu_minima.verify.globalmin.search import global_minimum

from .test_cell_certificate import problem

LOWER = importlib.import_module("relu_minima.train.lower_points")


def test_other_candidates_are_compared_by_their_exact_loss():
    # the snap's other exact points carry no certificate: their exact loss is computed (an
    # AttributeError on None before issue 30)
    lower = global_minimum(D1, hidden=1).point
    attempts: list[str] = []
    found = LOWER.lower_point(PROP1_POINT, Fraction(18), D1, (), [(lower, None)], None,
                              attempts)
    assert found[0] == lower and found[1] == lower.loss(D1) == 14


def test_a_lower_point_is_proven_below_an_enclosed_loss_only():
    pytest.importorskip("flint")
    trained, data = problem(0)
    report = snap(trained, data, method="cell", max_patterns=None)
    enc = report.snapped_loss
    assert report.certificate.kind == "shallow-relu-cell" and not report.bad_local_minimum
    m, d = report.params.m, report.params.d
    # a point of the same shape whose loss is known to be below the enclosure: the constant
    # mean of y is not (it is worse); the same centre is inside the enclosure, not below it
    inside = LOWER.lower_point(report.params, enc, report.dataset, [report.params], [], None, [])
    assert inside == (None, None, None)
    below = ShallowReLU([[0] * d] * m, [0] * m, [0] * m, 0)
    assert below.loss(report.dataset) > enc.upper  # the zero network is worse: not "lower"
    assert LOWER.lower_point(report.params, enc, report.dataset, [below], [], None, []) == \
        (None, None, None)


def test_a_bad_cell_minimum_is_proven_with_its_enclosure():
    pytest.importorskip("flint")
    trained, data = problem(2, m=2, noise=1e-4)
    teacher = ShallowReLU([[Fraction(float(t)) for t in row] for row in trained["W"]],
                          [Fraction(float(t)) for t in trained["b"]],
                          [Fraction(float(t)) for t in trained["v"]], "3/10")
    stuck = dict(trained, b=trained["b"] - [10, 0])  # unit 1 dead at every point
    report = snap(stuck, data, method="cell", max_patterns=None, known_points=[teacher],
                  max_distance=5)
    assert report.certificate.kind == "shallow-relu-cell", report.attempts
    assert report.bad_local_minimum and report.check()
    assert report.lower_loss < report.snapped_loss.lower
    text = "\n".join(report.summary())
    assert "BAD LOCAL MINIMUM, PROVEN" in text and "the lower end of the enclosure" in text
    # the dead unit goes to the cell route, and the route says so (not silently)
    assert any("1 dead unit(s), kept dead" in a for a in report.attempts), report.attempts


def test_method_exact_keeps_the_exact_point():
    trained, data = problem(1)
    report = snap(trained, data, method="exact", max_patterns=None)
    assert report.certificate.kind == "shallow-relu"
    assert isinstance(report.snapped_loss, Fraction) and report.check()


def test_the_progress_bar_names_the_steps(capsys):
    pytest.importorskip("flint")
    trained, data = problem(2)
    snap(trained, data, method="cell", max_patterns=None, progress=True)
    err = capsys.readouterr().err
    for step in ("exact points", "float search of the trained cell", "cell certificate",
                 "contraction (I - R G exactly", "loss enclosure", "lower points"):
        assert step in err, step


def _simplest_reference(lo: Fraction, hi: Fraction) -> Fraction:
    """The recursive definition (the code before issue 30): an integer if [lo, hi] holds one,
    else the common integer part plus 1 / (the simplest between the reciprocals)."""
    if lo <= 0 <= hi:
        return Fraction(0)
    if hi < 0:
        return -_simplest_reference(-hi, -lo)
    floor = lo.numerator // lo.denominator
    if floor == lo or floor + 1 <= hi:
        return Fraction(floor if floor == lo else floor + 1)
    return floor + 1 / _simplest_reference(1 / (hi - floor), 1 / (lo - floor))


@settings(max_examples=200, deadline=None)
@given(st.fractions(max_denominator=10**12), st.fractions(0, 10, max_denominator=10**12))
def test_simplest_between_is_the_recursive_definition(lo, width):
    from relu_minima.train.rationals import simplest_between

    assert simplest_between(lo, lo + width) == _simplest_reference(lo, lo + width)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 62), st.integers(1, 40),
       st.integers(0, 2**32))
def test_diag_minus_product_is_exact_or_declines(q, k, abits, bbits, seed):
    import numpy as np

    from relu_minima.exact.intmat import diag_minus_product

    rng = np.random.default_rng(seed)
    A = rng.integers(-(2**abits) + 1, 2**abits, size=(q, k), dtype=np.int64)
    B = rng.integers(-(2**bbits) + 1, 2**bbits, size=(k, q), dtype=np.int64)
    d = [int(t) for t in rng.integers(-(2**62), 2**62, size=q)]
    want = -A.astype(object).dot(B.astype(object))
    for i in range(q):
        want[i, i] += d[i]
    got = diag_minus_product(d, A, B)
    fits = all(-(2**63) <= int(t) < 2**63 for t in want.ravel())
    if got is None:
        assert not fits or int(np.max(np.abs(A.astype(object)))) * int(
            np.max(np.abs(B.astype(object)))) * k >= 2**93  # declined: beyond int64 or the bound
    else:
        assert got.dtype == np.int64 and [int(t) for t in got.ravel()] == \
            [int(t) for t in want.ravel()]


@settings(max_examples=100, deadline=None)
@given(st.fractions(min_value=Fraction(1, 10**30), max_value=10**30))
def test_printed_bounds_are_rounded_up(q):
    from relu_minima.train.cell_snap import up3

    printed = Fraction(up3(q))
    assert q <= printed <= q * Fraction(101, 100)  # up, by less than one unit in the third digit


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 3), st.integers(1, 8), st.data())
def test_the_affine_fit_loss_in_integers_is_the_exact_loss(d, n, data):
    from relu_minima import Dataset

    q = st.fractions(-5, 5, max_denominator=50)
    X = [[data.draw(q) for _ in range(d)] for _ in range(n)]
    y = [data.draw(q) for _ in range(n)]
    a = [data.draw(st.fractions(max_denominator=10**6)) for _ in range(d)]
    a0 = data.draw(st.fractions(max_denominator=10**6))
    want = sum((sum((w * t for w, t in zip(a, x, strict=True)), Fraction(0)) + a0 - yy) ** 2
               for x, yy in zip(X, y, strict=True))
    assert LOWER._affine_loss(Dataset(X, y), a, a0) == want


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 3), st.integers(1, 6), st.data())
def test_the_quick_span_test_agrees_with_row_reduction(d, n, data):
    # exact/linalg.has_rank (the quick test of verify/globalmin/search): True only when the
    # rows have rank d (floats only pick the rows; the rank is shown exactly), so the dataset
    # is not reduced wrongly
    from relu_minima.exact import linalg
    from relu_minima.exact.linalg import has_rank as _spans

    q = st.sampled_from([Fraction(k, 4) for k in range(-4, 5)])
    rows = [[data.draw(q) for _ in range(d)] for _ in range(n)]
    rank = len(linalg.rref(rows)[1])
    assert not _spans(rows, d) or rank == d
