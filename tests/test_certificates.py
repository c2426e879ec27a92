"""verify_local_minimum: soundness, witnesses, invariances, the radius claim, the proof text."""

from __future__ import annotations

import json
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima import Certificate, Dataset, ShallowReLU, verify_local_minimum

from .instances import instances, numpy_attack

# every decision test runs on both exact backends (pure Python, and python-flint if
# installed): `pip install .` users get the pure-Python path
pytestmark = pytest.mark.usefixtures("backend")


@settings(max_examples=120)
@given(instances())
def test_verdicts_are_sound(backend, problem):
    _sound(*problem)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 3).flatmap(lambda k: instances(max_m=2, max_n=5, k=k)))
def test_verdicts_are_sound_with_two_or_three_outputs(backend, problem):
    _sound(*problem)


def _sound(net, D):
    cert = verify_local_minimum(net, D)
    assert cert.loss == net.loss(D)
    if cert.is_local_minimum:
        # no float search, however biased towards kinks and saddles, finds a lower loss
        assert numpy_attack(net, D, trials=1500) > -1e-9
        assert cert.witness(Fraction(1, 100)) is None
    elif cert.is_local_minimum is False:
        radius = Fraction(1, 1000)
        w = cert.witness(radius)
        assert w.loss(D) < cert.loss
        assert w.distance(net) <= radius
    else:  # undecided happens only with several outputs, at a critical unit
        assert net.k > 1 and any(u.mode == "critical" for u in cert.units)


@settings(max_examples=60)
@given(st.integers(1, 3).flatmap(lambda k: instances(k=k)), st.integers(0, 2**32 - 1))
def test_radius_claim_holds_on_exact_random_points(problem, seed):
    """L(theta') >= L(theta) for exact rational theta' in the certified max-norm ball, with
    k = 1, 2, 3 outputs."""
    net, D = problem
    cert = verify_local_minimum(net, D)
    if not cert.is_local_minimum:
        return
    rng = random.Random(seed)
    rho = cert.radius

    def jitter(t):  # exact, within [-rho, rho], often exactly on the boundary
        return t + rho * Fraction(rng.choice([-1, 1, rng.randint(-8, 8)]), 8)

    for _ in range(25):
        other = net.with_parameters([jitter(t) for t in net.parameters()])
        assert other.distance(net) <= rho
        assert other.loss(D) >= cert.loss


@settings(max_examples=60)
@given(instances(), st.randoms(use_true_random=False),
       st.fractions(min_value=Fraction(1, 8), max_value=8, max_denominator=8))
@pytest.mark.slow
def test_symmetries_never_change_the_verdict(problem, rnd, a):
    net, D = problem
    cert = verify_local_minimum(net, D)
    order = list(range(net.m))
    rnd.shuffle(order)
    permuted = verify_local_minimum(net.permuted(order), D)
    j = rnd.randrange(net.m)
    rescaled = verify_local_minimum(net.rescaled(j, a), D)
    for other in (permuted, rescaled):
        assert other.is_local_minimum == cert.is_local_minimum
        assert other.loss == cert.loss


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3).flatmap(lambda k: instances(max_m=2, k=k)))
def test_check_re_verifies_and_json_is_exact(problem):
    net, D = problem
    cert = verify_local_minimum(net, D)
    cert.check()
    data = json.loads(cert.to_json())
    assert Fraction(data["loss"]) == cert.loss
    ev = data["evidence"]
    assert [tuple(map(Fraction, r)) if net.k > 1 else Fraction(r)
            for r in ev["residuals"]] == list(cert.residuals)
    assert data["is_local_minimum"] == cert.is_local_minimum
    assert len(ev["kink_pairs"]) == len(cert.kink_pairs)
    again = Certificate.from_json(cert.to_json())
    assert again == cert and again.check()
    text = str(cert)
    if cert.is_local_minimum is not None:
        assert ("LOCAL MINIMUM" in text) and (("NOT A LOCAL MINIMUM" in text)
                                             != cert.is_local_minimum)


def test_kinks_at_duplicate_inputs_are_one_hyperplane():
    # x = 0 twice on the kink with residuals +1 and -1: together they do not bend g
    D = Dataset([0, 0, 1, -1], [-1, 1, 1, 0])
    net = ShallowReLU([1], [0], [1], 0)
    cert = verify_local_minimum(net, D)
    assert cert.residuals == (1, -1, 0, 0)
    assert cert.units[0].kink_indices == ((0, 1),)
    assert cert.units[0].form.weights == (0,)
    assert cert.is_local_minimum


def test_bending_kink_sign_decides():
    """One point on the kink of a v > 0 unit: a minimum iff its residual is >= 0.

    With r = f - y at x = 0 positive, activating the unit there only raises f(0): worse.
    With r < 0, raising b lowers the loss at first order (rate 2 v r).
    """
    up = Dataset([0, 1, -1], [-1, 1, 1])  # residuals (1, 0, -1)
    down = Dataset([0, 1, -1], [1, 1, -1])  # residuals (-1, 0, 1)
    net = ShallowReLU([1], [0], [1], 0)
    assert verify_local_minimum(net, up).is_local_minimum
    cert = verify_local_minimum(net, down)
    assert not cert.is_local_minimum
    assert cert.descent.kind == "unit" and cert.descent.rate < 0
    assert cert.witness(Fraction(1, 10)).loss(down) < cert.loss


def test_negative_kink_weight_can_still_be_a_minimum():
    """g(delta) = |a| + |b| - |a + b|/2 style forms are >= 0 although one kink weight is < 0."""
    from relu_minima.verify.shallow.kink_forms import KinkForm, decide_sign

    F = Fraction
    # sum_H R_H max(0, n_H.delta) with n = e1, e2, e1 + e2 and -e1, -e2 (as p-shifted maxima)
    form = KinkForm((F(-1), F(-1)), ((F(1), F(0)), (F(0), F(1)), (F(1), F(1))),
                    (F(2), F(2), F(-1)))
    # g = 2max(0,a) - a + 2max(0,b) - b - max(0,a+b) = |a| + |b| - max(0, a+b) >= 0
    decision = decide_sign(form, 1)
    assert decision.holds
    decision._check()
    bad = KinkForm(form.p, form.normals, (F(2), F(2), F(-3)))
    fails = decide_sign(bad, 1)
    assert not fails.holds and bad(fails.descent) < 0
    fails._check()


@pytest.mark.parametrize("v", [0, 1, -1])
def test_unit_dead_on_all_data_never_matters(v):
    D = Dataset([1, 2, 3], [1, 2, 4])
    net = ShallowReLU([1, -1], [-1, -10], [1, v], 0)  # unit 2 is inactive everywhere
    cert = verify_local_minimum(net, D)
    base = verify_local_minimum(ShallowReLU([1], [-1], [1], 0), D)
    assert cert.is_local_minimum == base.is_local_minimum
    assert cert.units[1].ok
