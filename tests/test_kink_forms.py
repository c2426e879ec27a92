"""decide_sign / decide_zero against the exhaustive reference: every ray of the arrangement.

The decision stops at the first violating direction (cheap candidates +-p, +-n_H first, then
the lines of the arrangement generated lazily); the reference evaluates g on every ray of
``_rays`` (rational null spaces, kink_forms) after the lineality test, as in docs/method.md.
They must always agree, on each of decide_sign's two paths: the integer enumeration of the
rays (kink_rays: cross products of integer normals; small kink sets) and the zonotope
decisions with float proposals (Lemmas C and D; large ones), each forced by ``max_subsets``.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima.errors import CertificateError
from relu_minima.verify.shallow.kink_forms import (
    KinkForm,
    _lineality_violation,
    _lines,
    _rays,
    decide_sign,
    decide_zero,
)
from relu_minima.verify.shallow.kink_rays import IntegerRays

# every decision test runs on both exact backends (pure Python, and python-flint if
# installed): `pip install .` users get the pure-Python path
pytestmark = pytest.mark.usefixtures("backend")

small = st.integers(-3, 3).map(Fraction)


@st.composite
def kink_forms(draw):
    dim = draw(st.integers(1, 3))
    K = draw(st.integers(0, 6))
    normals = tuple(tuple(draw(small) for _ in range(dim)) for _ in range(K))
    normals = tuple(n for n in normals if any(t != 0 for t in n))
    weights = tuple(draw(small) for _ in normals)
    if normals and draw(st.booleans()):
        # p in the span of the normals (the interesting case: the lineality test passes)
        coeffs = [draw(small) for _ in normals]
        p = tuple(sum((c * n[k] for c, n in zip(coeffs, normals, strict=True)), Fraction(0))
                  for k in range(dim))
    else:
        p = tuple(draw(small) for _ in range(dim))
    return KinkForm(p, normals, weights)


def _reference(form: KinkForm, ok) -> bool:
    ess = form.essential()
    _, off = _lineality_violation(ess)
    if off is not None:
        return ok(form(off)) and ok(form(tuple(-t for t in off)))
    return all(ok(form(delta)) for delta in _rays(ess))


# max_subsets: None = the default threshold, 0 = always Lemmas C/D, 10**9 = always the rays
PATHS = (None, 0, 10**9)


@settings(max_examples=300, deadline=None)
@given(kink_forms(), st.sampled_from([1, -1]))
def test_decide_sign_agrees_with_every_ray(form, sigma):
    expected = _reference(form, lambda value: sigma * value >= 0)
    for path in PATHS:
        decision = decide_sign(form, sigma, max_subsets=path)
        assert decision.holds == expected, f"max_subsets={path}"
        decision._check()
        if path == 10**9 and decision.descent is None:
            assert decision.rays or not form.essential().normals  # the rays proof, all of it
    if decision.holds:
        # and, independently of the ray argument, at random rational directions
        rng = random.Random(0)
        for _ in range(50):
            delta = tuple(Fraction(rng.randint(-20, 20), rng.randint(1, 5))
                          for _ in range(form.dim))
            assert sigma * form(delta) >= 0


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 5).flatmap(lambda dim: st.lists(
    st.tuples(*[st.integers(-3, 3)] * dim), min_size=1, max_size=7)))
def test_integer_lines_are_the_rational_lines(rows):
    # kink_rays' cross products of integer normals (Bareiss minors for d + 1 > 3) give the
    # same lines as kink_forms' rational null spaces, scaled normals included
    normals = tuple(tuple(Fraction(t, 1 + k % 3) for t in r) for k, r in enumerate(rows)
                    if any(r))
    if not normals:
        return
    weights = tuple(Fraction(1) for _ in normals)
    form = KinkForm((Fraction(0),) * len(normals[0]), normals, weights)
    lines = {tuple(map(Fraction, line)) for line in IntegerRays(
        form.p, normals, weights).lines()}
    assert lines == set(_lines(form))


@settings(max_examples=300, deadline=None)
@given(kink_forms())
def test_decide_zero_agrees_with_every_ray(form):
    decision = decide_zero(form)
    assert decision.holds == _reference(form, lambda value: value == 0)
    decision._check()


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 2).flatmap(lambda d: st.lists(
    st.tuples(*[small] * d), min_size=0, max_size=6, unique=True)), st.data())
def test_lemma_b_zero_iff_p_and_every_weight_vanish(inputs, data):
    # a unit's kink form: normals (x_H, 1) of distinct inputs (Lemma B of docs/method.md)
    normals = tuple((*x, Fraction(1)) for x in inputs)
    dim = len(normals[0]) if normals else 2
    weights = tuple(data.draw(small) for _ in normals)
    p = tuple(data.draw(small) for _ in range(dim))
    form = KinkForm(p, normals, weights)
    decision = decide_zero(form)
    decision._check()
    assert decision.holds == (all(t == 0 for t in p) and all(w == 0 for w in weights))


def test_parallel_kinks_can_cancel():
    one, two = (Fraction(1),), (Fraction(2),)
    form = KinkForm((Fraction(0),), (one, two), (Fraction(1), Fraction(-1, 2)))
    cancels = decide_zero(form)  # max(0, t) - max(0, 2t)/2 == 0
    assert cancels.holds and {r.value for r in cancels.rays} == {0}
    cancels._check()
    fails = decide_zero(KinkForm((Fraction(0),), (one, two), (Fraction(1), -one[0])))
    assert not fails.holds
    fails._check()


def test_a_unit_on_the_kink_of_every_point_fails_fast():
    # w = b = 0 with mixed residuals in R^5: the arrangement has C(60, 4) ~ 490,000 subsets,
    # but a cheap direction (+-p, +-n_H) or an early ray already fails
    rng = random.Random(3)
    normals = tuple((*(Fraction(rng.randint(-5, 5)) for _ in range(4)), Fraction(1))
                    for _ in range(60))
    weights = tuple(Fraction(rng.randint(-5, 5)) for _ in normals)
    form = KinkForm((Fraction(0),) * 5, normals, weights)
    decision = decide_sign(form, 1)
    assert not decision.holds and form(decision.descent) < 0
    decision._check()


def test_convex_forms_are_decided_by_a_zonotope_point():
    # g = p . delta + 2 max(0, a) + 2 max(0, b): g >= 0 iff -p in [0, 2] x [0, 2] (Lemma C)
    F = Fraction
    normals, weights = ((F(1), F(0)), (F(0), F(1))), (F(2), F(2))
    form = KinkForm((F(-1), F(-1)), normals, weights)
    inside = decide_sign(form, 1, max_subsets=0)  # above the threshold: Lemma C
    assert inside.holds and inside.convex_weights == (F(1, 2), F(1, 2)) and not inside.rays
    inside._check()
    # at its size (2 kinks) the default is the rays of Lemma A, in integers: no LP
    small = decide_sign(form, 1)
    assert small.holds and small.convex_weights is None and len(small.rays) == 4
    small._check()
    outside = KinkForm((F(-3), F(0)), normals, weights)
    for path in PATHS:
        fails = decide_sign(outside, 1, max_subsets=path)
        assert not fails.holds and outside(fails.descent) < 0
        fails._check()
    # a forged lambda must not pass the re-check
    from dataclasses import replace

    import pytest

    with pytest.raises(CertificateError):
        replace(inside, convex_weights=(F(1), F(1, 2)))._check()  # -p != sum
    # parallel kinks: lambda = (2, 1/2) meets -p = sum lambda_H R_H n_H but leaves [0, 1]
    par = decide_sign(KinkForm((F(-3),), ((F(1),), (F(2),)), (F(1), F(1))), 1, max_subsets=0)
    assert par.holds and par.convex_weights == (F(1), F(1))
    with pytest.raises(CertificateError):
        replace(par, convex_weights=(F(2), F(1, 2)))._check()


def test_many_kinks_on_one_plane_with_one_sign_are_fast():
    # the auditor's case: K points on the kink plane of w = (0, 0, 1), b = 0, all residual +1,
    # and one active point: p != 0, every R_H > 0; the arrangement has C(K, 2) lines
    rng = random.Random(1)
    pts = set()
    while len(pts) < 150:
        pts.add((Fraction(rng.randint(-20, 20)), Fraction(rng.randint(-20, 20)), Fraction(0)))
    normals = tuple((*x, Fraction(1)) for x in sorted(pts))
    weights = tuple(Fraction(1) for _ in normals)
    p = tuple(-sum((n[k] for n in normals[:3]), Fraction(0)) / 2 for k in range(4))
    decision = decide_sign(KinkForm(p, normals, weights), 1)
    assert decision.holds and decision.convex_weights is not None
    decision._check()
