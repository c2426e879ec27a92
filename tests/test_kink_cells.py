"""The mixed-sign decision (Lemma D of docs/method.md) against the exhaustive ray reference.

decide_sign answers mixed-sign forms by zonotope containment: Z_N (negative kinks and 2L)
inside Z_P (positive kinks), closed by exact leaves over sign vectors of the negative
generators. Here it is compared with every ray of the arrangement (Lemma A) on small forms,
with and without the float proposals; forged certificates must be refused; inputs far outside
the float range must work.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima import Dataset, ShallowReLU, verify_local_minimum
from relu_minima.errors import CertificateError
from relu_minima.verify.shallow.kink_forms import KinkForm, _lineality_violation, _rays, decide_sign
from relu_minima.verify.shallow.zonotope import (
    CellBranch,
    CellLeaf,
    IntegerForm,
    phi,
    verify_certificate,
    zonotope_generators,
)
from relu_minima.verify.shallow.zonotope_lp import exact_feasible
from relu_minima.verify.shallow.zonotope_search import decide_mixed

F = Fraction
small = st.integers(-3, 3).map(Fraction)


def reference(form: KinkForm, sigma: int) -> bool:
    """Lemma A: p in span(normals) and sigma g >= 0 on every ray of the arrangement."""
    ess = form.essential()
    _, off = _lineality_violation(ess)
    if off is not None:
        return False
    return all(sigma * form(d) >= 0 for d in _rays(ess))


@st.composite
def mixed_forms(draw):
    """Small forms with mixed kink weights, often nonnegative: p is taken from the Lemma C
    zonotope of the positive kinks, so only the negative kinks can break the sign."""
    dim = draw(st.integers(1, 4))
    K = draw(st.integers(2, 6))
    normals = [tuple(draw(small) for _ in range(dim)) for _ in range(K)]
    normals = tuple(n for n in normals if any(n))
    weights = tuple(F(draw(st.integers(-2, 4))) for _ in normals)
    lam = [F(draw(st.integers(0, 4)), 4) for _ in normals]
    p = tuple(-sum((t * w * n[k] for t, w, n in zip(lam, weights, normals, strict=True)
                    if w > 0), F(0)) for k in range(dim))
    return KinkForm(p, normals, weights)


@settings(max_examples=100, deadline=None)
@given(mixed_forms(), st.sampled_from([1, -1]))
def test_decide_sign_agrees_with_the_rays(backend, form, sigma):
    # each path of decide_sign: the default, the zonotope decision (max_subsets=0) and the
    # integer rays (max_subsets=10**9), against the rational rays of the reference
    expected = reference(form, sigma)
    for path in (None, 0, 10**9):
        decision = decide_sign(form, sigma, max_subsets=path)
        assert decision.holds == expected, f"max_subsets={path}"
        decision._check()
        json.dumps(decision.to_dict())
        if decision.holds and any(sigma * w < 0 for w in form.weights):
            if path == 0:
                assert decision.zonotope is not None or decision.convex_weights is not None
            elif path == 10**9:
                assert decision.rays and decision.zonotope is None


@settings(max_examples=60, deadline=None)
@given(mixed_forms(), st.sampled_from([1, -1]))
def test_exact_path_without_floats_agrees_with_the_rays(backend, form, sigma):
    # proposals=False: every node is split down to the rational simplex (Lemma D's leaves)
    ess = form.essential()
    if len(ess.normals) > 5:
        return
    cert, descent = decide_mixed(ess.p, ess.normals, ess.weights, sigma, proposals=False)
    assert (cert is not None) == reference(form, sigma)
    if cert is not None:
        verify_certificate(ess.p, ess.normals, ess.weights, sigma, cert)
    else:
        assert sigma * form(descent) < 0


@settings(max_examples=100, deadline=None)
@given(mixed_forms(), st.lists(small, min_size=4, max_size=4))
def test_phi_is_twice_the_smaller_of_g_at_plus_minus_delta(form, raw):
    # the identity behind Lemma D, and the integer evaluator, at rational directions
    delta = tuple(raw[: form.dim])
    for sigma in (1, -1):
        pos, neg = zonotope_generators(form.p, form.normals, form.weights, sigma)
        minus = tuple(-t for t in delta)
        assert phi(pos, neg, delta) == 2 * min(sigma * form(delta), sigma * form(minus))
    assert IntegerForm(form.p, form.normals, form.weights)(delta) == form(delta)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 3).flatmap(lambda m: st.tuples(
    st.lists(st.lists(small, min_size=m, max_size=m), min_size=0, max_size=5),
    st.lists(small, min_size=m, max_size=m))), st.data())
def test_rational_simplex_returns_a_solution_or_a_farkas_vector(backend, system, data):
    cols, rhs = [tuple(c) for c in system[0]], tuple(system[1])
    upper = [data.draw(st.sampled_from([None, F(1), F(2), F(0)])) for _ in cols]
    x, y = exact_feasible(cols, upper, rhs)
    if x is not None:
        assert all(t >= 0 and (u is None or t <= u) for t, u in zip(x, upper, strict=True))
        assert all(sum((t * c[k] for t, c in zip(x, cols, strict=True)), F(0)) == rhs[k]
                   for k in range(len(rhs)))
    else:
        yb = sum((a * b for a, b in zip(y, rhs, strict=True)), F(0))
        bound = F(0)
        for c, u in zip(cols, upper, strict=True):
            yc = sum((a * b for a, b in zip(y, c, strict=True)), F(0))
            if u is None:
                assert yc <= 0
            else:
                bound += max(F(0), yc) * u
        assert yb > bound


# -- a form that needs the branch and bound ---------------------------------------------------
POS = [(4, -3, 0), (4, 0, -2), (-2, 1, -4), (4, 0, 1)]
NEG = [(1, 1, 3), (4, -1, 2), (1, 4, -4)]


def branching_form(c: Fraction) -> KinkForm:
    """Positive kinks of weight 1 and negative kinks of weight -c, p making L = 0; the
    containment is tight at c = 39/64 and the root relaxation (one LP) cannot prove it."""
    normals = tuple(tuple(F(t) for t in v) for v in POS + NEG)
    weights = tuple([F(1)] * len(POS) + [-c] * len(NEG))
    p = tuple(-sum((w * n[k] for w, n in zip(weights, normals, strict=True)), F(0)) / 2
              for k in range(3))
    return KinkForm(p, normals, weights)


def test_a_tight_containment_is_closed_by_branching(backend):
    form = branching_form(F(39, 64))
    decision = decide_sign(form, 1, max_subsets=0)  # 7 kinks: the rays' size by default
    assert decision.holds and reference(form, 1)
    assert isinstance(decision.zonotope.tree, CellBranch) and decision.zonotope.leaves > 1
    decision._check()
    worse = branching_form(F(40, 64))
    fails = decide_sign(worse, 1, max_subsets=0)
    assert not fails.holds and not reference(worse, 1) and worse(fails.descent) < 0
    fails._check()


def test_forged_certificates_are_refused():
    form = branching_form(F(39, 64))
    decision = decide_sign(form, 1, max_subsets=0)
    cert = decision.zonotope

    def forged(**changes):
        return replace(decision, zonotope=replace(cert, **changes))

    # one leaf where the tree needs a branch: the root relaxation does not hold
    leaf = CellLeaf(tuple((j, ()) for j in range(len(cert.neg))), (), ())
    with pytest.raises(CertificateError):
        forged(tree=leaf)._check()
    # a generator list that is not the form's
    with pytest.raises(CertificateError):
        forged(neg=cert.neg[1:])._check()
    # every leaf perturbed in turn: any changed coefficient breaks an identity or a bound

    def leaves(node, path=()):
        if isinstance(node, CellLeaf):
            yield path, node
        else:
            yield from leaves(node.plus, (*path, "plus"))
            yield from leaves(node.minus, (*path, "minus"))

    def put(node, path, new):
        if not path:
            return new
        head, rest = path[0], path[1:]
        return replace(node, **{head: put(getattr(node, head), rest, new)})

    for path, lf in leaves(cert.tree):
        for field in ("columns", "beta", "mu"):
            entries = getattr(lf, field)
            if not entries:
                continue
            if field == "columns":
                j, col = entries[0]
                if not col:
                    continue
                bad = ((j, ((col[0][0], col[0][1] + F(1, 7)), *col[1:])), *entries[1:])
            else:
                i, t = entries[0]
                bad = ((i, t + F(1, 7)), *entries[1:])
            tree = put(cert.tree, path, replace(lf, **{field: bad}))
            with pytest.raises(CertificateError):
                forged(tree=tree)._check()
    # stripped of its evidence, a holding verdict is refused
    with pytest.raises(CertificateError):
        replace(decision, zonotope=None, convex_weights=None, rays=())._check()


# -- the issue's cases and inputs far outside the float range -----------------------------------
def jensen_points(d: int, centres: list[tuple[int, ...]]) -> dict[tuple[int, ...], int]:
    pts: dict[tuple[int, ...], int] = {}
    for q in centres:
        pts[q] = pts.get(q, 0) - 2 * d
        for k in range(d):
            for s in (1, -1):
                x = list(q)
                x[k] += s
                pts[tuple(x)] = pts.get(tuple(x), 0) + 1
    return pts


def test_issue_table_case_zero_unit_d3_is_a_minimum():
    # w = 0, b = 0, 6 disjoint Jensen groups in R^3: 42 points, mixed residuals, nonnegative
    rng = random.Random(10)
    centres = sorted({tuple(3 * rng.randint(-6, 6) for _ in range(3)) for _ in range(6)})
    pts = jensen_points(3, centres)
    D = Dataset([list(x) for x in pts], [-r for r in pts.values()])  # f = 0, so y = -r
    cert = verify_local_minimum(ShallowReLU([[0, 0, 0]], [0], [1], 0), D)
    assert cert.is_local_minimum and cert.units[0].decision.zonotope is not None
    cert.check()
    assert "Lemma D" in str(cert)
    ev = json.loads(cert.to_json())["evidence"]
    assert ev["units"][0]["decision"]["proof"] == "zonotope"
    # the opposite sign of v needs g <= 0, which fails: a witness exists
    flipped = verify_local_minimum(ShallowReLU([[0, 0, 0]], [0], [-1], 0), D)
    assert not flipped.is_local_minimum
    assert flipped.witness().loss(D) < flipped.loss


@pytest.mark.parametrize("scale", [F(10) ** 400, F(1, 10 ** 400)])
def test_numbers_beyond_floats_do_not_overflow(backend, scale):
    pts = jensen_points(2, [(0, 0), (6, 3)])
    normals = tuple((F(x) * scale, F(y) * scale, scale) for x, y in pts)
    weights = tuple(F(w) * scale for w in pts.values())
    form = KinkForm((F(0),) * 3, normals, weights)
    decision = decide_sign(form, 1, max_subsets=0)
    assert decision.holds and decision.zonotope is not None
    decision._check()
    by_rays = decide_sign(form, 1)  # 10 kinks: integer rays, whatever the magnitudes
    assert by_rays.holds and by_rays.rays
    by_rays._check()
    for path in (0, None):
        fails = decide_sign(form, -1, max_subsets=path)
        assert not fails.holds and form(fails.descent) > 0
        fails._check()
    # mixed magnitudes: one tiny positive kink among huge ones changes nothing
    mixed = KinkForm(form.p, (*normals, (F(1), F(0), F(1, 10 ** 400))),
                     (*weights, F(1, 10 ** 400)))
    for path in (0, None):
        decision = decide_sign(mixed, 1, max_subsets=path)
        assert decision.holds
        decision._check()


def test_a_leaf_over_budget_is_refused():
    # exact identities N_j = sum_i gamma_ij P_i but sum_j |gamma_ij| > 1 for some i: the root
    # of the tight form cannot be closed (its tree branches), so any such leaf is over budget
    from relu_minima.exact import linalg as _linalg

    form = branching_form(F(39, 64))
    decision = decide_sign(form, 1, max_subsets=0)
    pos, neg = decision.zonotope.pos, decision.zonotope.neg
    columns = []
    for j, n in enumerate(neg):
        rows = [[v[k] for v in pos] for k in range(3)]
        gamma = _linalg.solve(rows, list(n))
        columns.append((j, tuple((i, t) for i, t in enumerate(gamma) if t != 0)))
    leaf = CellLeaf(tuple(columns), (), ())
    with pytest.raises(CertificateError, match="used more than once"):
        replace(decision, zonotope=replace(decision.zonotope, tree=leaf))._check()
