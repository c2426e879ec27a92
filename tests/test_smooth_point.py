"""Smooth (sigmoid/tanh) decisions say what they prove about the point they are given
(issue 22, items 7-10): a non-stationary point is "not a local minimum" with a witness, a nearby
certified minimum is reported as such, crashes and slow roundings are gone, clear saddles are
decided with a witness along the negative direction."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relu_minima import Certificate, Dataset, SmoothNet, verify_local_minimum
from relu_minima.testing.assertions import assert_local_minimum

flint = pytest.importorskip("flint")

from relu_minima.verify.certificate import Verdict  # noqa: E402
from relu_minima.verify.smooth.certify import (  # noqa: E402
    certify_smooth_minimum,
    smooth_loss_enclosure,
)
from relu_minima.verify.smooth.derivatives import SmoothObjective  # noqa: E402
from relu_minima.verify.smooth.intervals import precision  # noqa: E402
from relu_minima.verify.smooth.newton import refine  # noqa: E402

D6 = Dataset([-2, -1, 0, 1, 2, 3], ["5/8", "7/8", "5/4", "7/4", "17/8", "19/8"])
ITEM7 = SmoothNet(["479/200"], ["263/250"], ["1831/500"], "1919/1000")


def _lower(cert, radius):
    w = cert.witness(radius)
    assert w is not None and w.distance(cert.params) <= Fraction(radius)
    assert smooth_loss_enclosure(w, cert.dataset, cert.objective).upper < cert.loss.lower
    return w


# -- item 7: the point given is the point decided ------------------------------------------------
def test_a_point_of_loss_52_is_not_a_local_minimum():
    cert = verify_local_minimum(ITEM7, D6)
    assert cert.params == ITEM7 and cert.verdict is Verdict.NOT_MINIMUM
    assert Fraction(52) < cert.loss.lower < cert.loss.upper < Fraction(53)  # L(params), 52.6
    assert cert.rule == "gradient" and cert.slope < 0 and "gradient" in cert.reason
    assert cert.check() and Certificate.from_json(cert.to_json()).check()
    _lower(cert, Fraction(1, 1000))
    with pytest.raises(AssertionError):
        assert_local_minimum(ITEM7, D6)


def test_the_nearby_minimum_is_what_the_box_decision_reports_as_such():
    box = certify_smooth_minimum(ITEM7, D6)
    assert box.verdict is Verdict.MINIMUM and box.start == ITEM7
    assert box.loss.upper < Fraction(5, 10000) and box.params.distance(ITEM7) > 1
    assert "theta* in the box below, not of its centre" in box.proof_text.splitlines()[0]


def test_the_box_centre_is_decided_or_undecided_with_the_nearby_minimum():
    box = certify_smooth_minimum(SmoothNet([1], ["-1/2"], [2], "1/2"), D6)
    # at 128 bits the centre's gradient (about 1e-32) is proven nonzero: not a local minimum,
    # truly; the decrease is below the resolution, so no lower point is stored
    sharp = verify_local_minimum(box.params, D6)
    assert sharp.verdict is Verdict.NOT_MINIMUM and sharp.rule == "gradient"
    assert sharp.lower_point is None and sharp.check()
    # at 64 bits the gradient cannot be told from 0: undecided, with the minimum near it
    cert = verify_local_minimum(box.params, D6, precision=64)
    assert cert.verdict is Verdict.UNDECIDED and cert.nearby is not None
    assert cert.nearby.verdict is Verdict.MINIMUM and cert.nearby_distance < Fraction(1, 10**12)
    assert "within max-norm distance" in cert.reason and cert.gradient_bound < Fraction(1, 10**15)
    assert cert.check() and Certificate.from_json(cert.to_json()).check()


def _grid() -> list[SmoothNet]:
    """96 starts around the certified minimum near ITEM7 (none of them critical)."""
    centre = certify_smooth_minimum(ITEM7, D6).params.parameters()
    out = []
    for k in range(4):
        for s in (-1, 1):
            for e in (Fraction(1, 10), Fraction(1, 100), Fraction(1, 1000), Fraction(1, 10**4),
                      Fraction(1, 10**5), Fraction(1, 10**6)):
                for scale in (e, 2 * e):
                    theta = list(centre)
                    theta[k] += s * scale
                    out.append(SmoothNet([theta[0]], [theta[1]], [theta[2]], theta[3]))
    return out


@pytest.mark.slow
def test_no_start_of_a_perturbation_grid_is_called_a_local_minimum():
    # the review found 44 of 96 such non-stationary starts called "local minimum"
    starts = _grid()
    assert len(starts) == 96
    for net in starts:
        cert = verify_local_minimum(net, D6)
        assert cert.verdict is Verdict.NOT_MINIMUM, (net, cert.reason)
        assert cert.params == net and cert.check()


# -- item 8: no crash ------------------------------------------------------------------------------
CRASHES = [
    (SmoothNet([10], [0], [0], 0, activation="tanh"), Dataset([-4, 0, 6], [2, -3, 3])),
    (SmoothNet([1, 2], [0, 1], [0, 0], "1/6"), Dataset([-2, -1, 0, 1, 2, 3], [1, -1, 0, 2, -2, 1])),
]


@pytest.mark.parametrize("net, D", CRASHES)
def test_the_overflowing_cases_are_decided(net, D):
    point = verify_local_minimum(net, D)
    assert point.verdict is Verdict.NOT_MINIMUM and point.check()
    box = certify_smooth_minimum(net, D)  # OverflowError in float(kr.image_bound) before
    assert box.check() and box.verdict is not Verdict.MINIMUM
    json.loads(box.to_json())


# -- item 9: the centre's digits are bounded -----------------------------------------------------
class _Toy:
    """L(x, y) = x^2 + x^3 + y^4: Newton converges quadratically in x (to 0) and linearly in
    y, so the refinement runs all its iterations while x shrinks like 10^(-26 * 2^k)."""

    n = 2

    def ball_derivatives(self, centre, radius, order=2):
        x, y = (flint.arb(flint.fmpq(t.numerator, t.denominator)) for t in centre)
        g = flint.arb_mat([[2 * x + 3 * x * x], [4 * y**3]])
        H = flint.arb_mat([[2 + 6 * x, 0], [0, 12 * y * y]])
        return x * x + x**3 + y**4, g, H


def test_refine_keeps_the_centre_on_a_bounded_grid():
    with precision(128):
        centre = refine(_Toy(), np.array([1e-26, 1e-3]))
    assert all(len(str(t.denominator)) <= 40 for t in centre), centre
    assert abs(centre[0]) < Fraction(1, 10**30)


def test_a_tiny_output_weight_network_is_decided_quickly():
    # 1-2-1 tanh, output weights about 1e-26 on a near-critical point (item 9)
    net = SmoothNet(["1/3", 0], ["-1/2", 1], ["1e-26", "-2e-26"], sum(D6.y) / 6,
                    activation="tanh")
    cert = verify_local_minimum(net, D6)
    assert cert.check() and cert.verdict is not Verdict.MINIMUM
    box = certify_smooth_minimum(net, D6)
    assert all(len(str(t.denominator)) <= 60 for t in box.params.parameters())


# -- item 10: saddles ----------------------------------------------------------------------------
def _eigenvalues(net, D):
    obj = SmoothObjective.of(net, D)
    _, g, H = obj.float_derivatives(np.array([float(t) for t in net.parameters()]))
    return np.linalg.eigvalsh(H), g


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_a_clear_saddle_is_not_a_local_minimum_with_a_witness(activation):
    # w = 0, v = 0, c = mean(y) is exactly critical for any b (dL/dv = s(b) sum(c - y) = 0);
    # the Hessian has eigenvalues about (-2.7, 0, 2.5, 16.8) (sigmoid): a saddle with a flat
    # direction, which the review saw called "a possible flat minimum"
    net = SmoothNet([0], ["1/2"], [0], sum(D6.y) / 6, activation=activation)
    lam, g = _eigenvalues(net, D6)
    assert lam[0] < -1 and abs(lam[1]) < 1e-12 and np.max(np.abs(g)) < 1e-15
    cert = verify_local_minimum(net, D6)
    assert cert.verdict is Verdict.NOT_MINIMUM and cert.rule == "curvature", cert.reason
    assert "precision" not in cert.reason
    assert cert.check() and Certificate.from_json(cert.to_json()).check()
    _lower(cert, Fraction(1, 100))
    box = certify_smooth_minimum(net, D6)
    assert box.verdict is Verdict.NOT_MINIMUM and "precision" not in box.reason
    assert box.check()


# -- the generators that found these (issue 22, "Done when") ------------------------------------
_small = st.fractions(min_value=-2, max_value=2, max_denominator=4)


@st.composite
def smooth_saddles(draw):
    """Exact critical points with a unit switched off: w_j = 0, v_j = 0, c = mean(y), on data
    whose residuals are correlated with x (so the Hessian has a negative eigenvalue)."""
    n = draw(st.integers(3, 6))
    X = draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n, unique=True))
    y = draw(st.lists(_small, min_size=n, max_size=n))
    b = draw(_small)
    act = draw(st.sampled_from(["sigmoid", "tanh"]))
    D = Dataset(X, y)
    return SmoothNet([0], [b], [0], sum(D.y) / n, activation=act), D


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(smooth_saddles())
def test_saddles_of_smooth_nets_are_never_minima_and_clear_ones_are_decided(case):
    net, D = case
    cert = verify_local_minimum(net, D)
    assert cert.verdict is not Verdict.MINIMUM and cert.check()
    lam, _ = _eigenvalues(net, D)
    if lam[0] < -1e-3 * max(1.0, abs(lam[-1])):
        assert cert.verdict is Verdict.NOT_MINIMUM, (net, D, cert.reason)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fractions(min_value=-1, max_value=1, max_denominator=100), min_size=4,
                max_size=4), st.sampled_from(["sigmoid", "tanh"]))
def test_verify_never_calls_a_rational_point_a_local_minimum(theta, activation):
    net = SmoothNet([theta[0]], [theta[1]], [theta[2]], theta[3], activation=activation)
    cert = verify_local_minimum(net, D6)
    assert cert.verdict is not Verdict.MINIMUM and cert.params == net and cert.check()


@st.composite
def split_units(draw):
    """A certified 1-1-1 minimum with its unit split in two: w and b copied, v = a v + (1 - a) v
    (a line of critical points: a flat direction, saddles for some a)."""
    a = draw(st.fractions(min_value=-1, max_value=2, max_denominator=8))
    act = draw(st.sampled_from(["sigmoid", "tanh"]))
    start = SmoothNet(["1/2"], ["-1/4"], [1], "3/2", activation=act) if act == "tanh" else \
        SmoothNet([1], ["-1/2"], [2], "1/2")
    return start, a


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(split_units())
def test_split_units_are_never_certified_minima(case):
    start, a = case
    centre = certify_smooth_minimum(start, D6).params
    w, b, v = centre.W[0], centre.b[0], centre.v[0]
    split = SmoothNet([w, w], [b, b], [a * v, (1 - a) * v], centre.c,
                      activation=centre.activation)
    for cert in (verify_local_minimum(split, D6), certify_smooth_minimum(split, D6)):
        assert cert.verdict is not Verdict.MINIMUM and cert.check(), cert.reason
