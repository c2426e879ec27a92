"""Rigorous certificates for sigmoid/tanh networks (issue 13): known minima, refusals,
soundness against an independent mpmath evaluation, and mutations of the two core tests."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima import Dataset, SmoothNet, verify_local_minimum
from relu_minima.cli import main
from relu_minima.errors import CertificateError, InvalidArgument
from relu_minima.exact.io import dump_problem, parse_problem
from relu_minima.numeric import backend as numeric
from relu_minima.testing.assertions import assert_local_minimum, assert_not_local_minimum
from relu_minima.verify.certificate import Certificate, Verdict
from relu_minima.verify.smooth import certify as smooth_decision
from relu_minima.verify.smooth import intervals
from relu_minima.verify.smooth.box_certificate import LossEnclosure
from relu_minima.verify.smooth.certify import (
    certify_smooth_minimum,
    prove_bad_minimum,
    smooth_loss_enclosure,
    snap_smooth,
)
from relu_minima.verify.smooth.derivatives import SmoothObjective

flint = pytest.importorskip("flint")

# A 2-2-1 sigmoid teacher on 20 points of the grid (1/4)Z^2, targets its outputs rounded to
# 1/64: a strict minimum near the teacher, loss about 3.8e-4 (the rounding residual).
X20 = [["3/2", "1/2"], ["0", "-1"], ["-3/4", "-2"], ["-7/4", "-2"], ["-3/2", "5/4"],
       ["3/4", "7/4"], ["0", "1/2"], ["2", "1"], ["1/2", "1/4"], ["1/4", "7/4"], ["-1", "5/4"],
       ["3/4", "-2"], ["-1/2", "3/2"], ["1/4", "-2"], ["5/4", "1"], ["3/2", "-3/2"],
       ["-7/4", "3/2"], ["-2", "1/4"], ["-7/4", "-3/4"], ["0", "-1/4"]]
Y20 = ["-87/64", "-73/64", "-1", "-75/64", "-123/64", "-27/16", "-51/32", "-89/64", "-93/64",
       "-7/4", "-119/64", "-25/32", "-117/64", "-27/32", "-3/2", "-51/64", "-125/64", "-117/64",
       "-97/64", "-89/64"]
D20 = Dataset(X20, Y20)
TEACHER = SmoothNet([["-1/8", "11/8"], ["-5/8", "3/8"]], ["7/8", "1/8"], ["-3/4", "-7/8"],
                    "-1/2", activation="sigmoid")
# a 2-1-1 tanh network on the same data: Newton from here reaches a saddle (index 1)
SADDLE_START = SmoothNet([["17/100", "117/20"]], ["27/5"], ["-37/100"], "-129/100",
                         activation="tanh")


@pytest.fixture(scope="module")
def teacher_cert():
    return certify_smooth_minimum(TEACHER, D20)


# -- hand-known minima through the building blocks ---------------------------------------------
class Quadratic:
    """F(x) = x^T A x / 2 - b^T x: minimum at A^{-1} b, exactly."""

    def __init__(self, A, b):
        self.A = [[Fraction(t) for t in row] for row in A]
        self.b = [Fraction(t) for t in b]
        self.n = len(b)

    def float_derivatives(self, theta):
        A = np.array(self.A, dtype=float)
        g = A @ theta - np.array(self.b, dtype=float)
        return float(theta @ A @ theta / 2 - np.array(self.b, dtype=float) @ theta), g, A

    def ball_derivatives(self, centre, radius, order=2):
        x = intervals.box_balls(centre, radius)
        A = flint.arb_mat([[intervals.ball(t) for t in row] for row in self.A])
        xv = flint.arb_mat([[t] for t in x])
        g = A * xv - flint.arb_mat([[intervals.ball(t)] for t in self.b])
        value = (xv.transpose() * A * xv)[0, 0] / 2 - sum(
            (intervals.ball(bi) * xi for bi, xi in zip(self.b, x, strict=True)), flint.arb(0))
        return value, g, (A if order >= 2 else None)


def _s1(t):  # sigmoid' = sech^2(t/2)/4 and its two derivatives, as balls
    a = (t / 2).sech() ** 2 / 4
    a1 = -(t / 2).sech() ** 2 * (t / 2).tanh() / 4
    return a, a1, a * (1 - 6 * a)


class SigmoidProduct:
    """F(x, y) = -16 s(x) s(-x) s(y) s(-y) = -16 s'(x) s'(y): minimum -1 at (0, 0), Hessian
    -16 s'''(0) s'(0) I = I / 2 there (s'(0) = 1/4, s''(0) = 0, s'''(0) = -1/8)."""

    n = 2

    def float_derivatives(self, theta):
        def a(t):
            q = 1 / np.cosh(t / 2) ** 2 / 4
            return q, -q * np.tanh(t / 2), q * (1 - 6 * q)
        (ax, bx, cx), (ay, by, cy) = a(theta[0]), a(theta[1])
        return (-16 * ax * ay, -16 * np.array([bx * ay, ax * by]),
                -16 * np.array([[cx * ay, bx * by], [bx * by, ax * cy]]))

    def ball_derivatives(self, centre, radius, order=2):
        x, y = intervals.box_balls(centre, radius)
        (ax, bx, cx), (ay, by, cy) = _s1(x), _s1(y)
        g = flint.arb_mat([[-16 * bx * ay], [-16 * ax * by]])
        H = flint.arb_mat([[-16 * cx * ay, -16 * bx * by], [-16 * bx * by, -16 * ax * cy]])
        return -16 * ax * ay, g, (H if order >= 2 else None)


def _certify_box(objective, centre, radius):
    """Krawczyk, then the Hessian test on the same box: the two proofs of a strict minimum."""
    with intervals.precision(128):
        kr = intervals.krawczyk(objective, centre, radius)
        pd = intervals.positive_definite(kr.hessian) if kr.inside else None
        value = intervals.taylor_enclosure(kr.value, kr.gradient, kr.hessian, kr.offsets)
    return kr, pd, value


def test_positive_definite_quadratic():
    A, b = [[4, 1, 0], [1, 3, 1], [0, 1, 2]], [1, 2, 3]
    q = Quadratic(A, b)
    exact = np.linalg.solve(np.array(A, dtype=float), np.array(b, dtype=float))
    star = [Fraction(int(t.p), int(t.q)) for t in sympy.Matrix(A).LUsolve(sympy.Matrix(b))]
    assert np.allclose([float(t) for t in star], exact)
    centre = [s + Fraction(1, 1000) for s in star]  # off by 1e-3: the box must still hold it
    kr, pd, value = _certify_box(q, centre, Fraction(1, 100))
    assert kr.inside and pd.positive
    for off, c, s in zip(kr.offsets, centre, star, strict=True):  # x* - c lies in K(X) - c
        assert (off - intervals.ball(s - c)).contains(0)
    minimum = -sum(bi * s for bi, s in zip(q.b, star, strict=True)) / 2
    assert intervals.lower_fraction(value) <= minimum <= intervals.upper_fraction(value)
    # the exact smallest eigenvalue of A is 2 - ..., > 1: the certified bound is below it
    assert 0 < pd.eigen_lower <= min(np.linalg.eigvalsh(np.array(A, dtype=float)))


def test_product_of_sigmoids_minimum_at_the_origin():
    kr, pd, value = _certify_box(SigmoidProduct(), [Fraction(1, 50), Fraction(-1, 30)],
                                 Fraction(1, 10))
    assert kr.inside and pd.positive
    assert intervals.lower_fraction(value) <= -1 <= intervals.upper_fraction(value)
    assert float(value.rad()) < 1e-2
    assert all((off - intervals.ball(-c)).contains(0)
               for off, c in zip(kr.offsets, [Fraction(1, 50), Fraction(-1, 30)], strict=True))
    # a box that also holds points where F is concave in x (|x| > 2 ln(2 + sqrt 3) ~ 2.63)
    kr, pd, _ = _certify_box(SigmoidProduct(), [Fraction(0), Fraction(0)], Fraction(3))
    assert not (kr.inside and pd.positive)


# -- networks: minimum, saddle, refusals ---------------------------------------------------
def test_teacher_network_certified_minimum(teacher_cert):
    cert = teacher_cert
    assert cert.verdict is Verdict.MINIMUM and cert.is_local_minimum is True
    assert cert.check() is True
    assert cert.radius > 0 and cert.krawczyk_bound < cert.radius and cert.pd_margin > 0
    assert 0 < cert.loss.lower <= cert.loss.upper < Fraction(4, 10000)
    assert cert.loss.width < Fraction(1, 10**25)
    assert "strict local minimum" in cert.reason and "Krawczyk" in cert.proof_text
    again = Certificate.from_json(cert.to_json())
    assert again.check() is True and again.to_dict() == cert.to_dict()
    # the one entry point decides the point it is GIVEN (issue 22, item 7): TEACHER is not
    # critical, so it is not a local minimum, with a witness; the minimum is near it, as such
    point = verify_local_minimum(TEACHER, D20)
    assert point.is_local_minimum is False and point.kind == "smooth-point"
    assert point.check() and assert_not_local_minimum(TEACHER, D20).is_local_minimum is False
    with pytest.raises(AssertionError):
        assert_local_minimum(TEACHER, D20)
    assert cert.start == TEACHER and cert.params != TEACHER


def test_saddle_is_not_a_minimum_with_a_lower_point():
    cert = certify_smooth_minimum(SADDLE_START, D20)
    assert cert.verdict is Verdict.NOT_MINIMUM, cert.reason
    assert cert.curvature < 0 and cert.lower_loss.upper < cert.loss.lower
    assert cert.check() is True
    w = cert.witness(Fraction(1, 10))
    assert w is not None and w.distance(cert.params) <= Fraction(1, 10)
    assert smooth_loss_enclosure(w, D20).upper < cert.loss.lower
    assert Certificate.from_json(cert.to_json()).check() is True
    assert assert_not_local_minimum(SADDLE_START, D20).is_local_minimum is False
    with pytest.raises(AssertionError, match="loss in"):
        assert_local_minimum(SADDLE_START, D20)


def test_flat_direction_refused():
    # duplicate the teacher's unit 1 with half its output weight each: units 1 and 2 coincide
    cert = certify_smooth_minimum(TEACHER, D20)
    net = cert.params
    twin = SmoothNet([net.W[0], net.W[0], net.W[1]], [net.b[0], net.b[0], net.b[1]],
                     [net.v[0] / 2, net.v[0] / 2, net.v[1]], net.c, activation="sigmoid")
    # a split unit is a flat family of critical points, and here a saddle: besides the zero
    # eigenvalue (the split ratio) the Hessian has a negative one (about -2.4e-3). No Krawczyk
    # box exists (singular Hessian), but strict concavity along an exact u over a box proves
    # that no point inside it is a local minimum (issue 22, item 10; before: "undecided")
    found = certify_smooth_minimum(twin, D20)
    assert found.verdict is Verdict.NOT_MINIMUM and found.concave, found.reason
    assert found.krawczyk_bound is None and found.curvature < 0
    assert found.check() is True and Certificate.from_json(found.to_json()).check()
    w = found.witness(Fraction(1, 100))
    assert w is not None and smooth_loss_enclosure(w, D20).upper < found.loss.lower


def test_structural_refusals_are_exact_and_rechecked():
    on_line = Dataset([[1, 0], [0, 1], ["1/2", "1/2"]], [0, 0, 1])
    cert = certify_smooth_minimum(SmoothNet([[0, 0]], [0], [1], 0), on_line)
    assert cert.verdict is Verdict.UNDECIDED and cert.flat_kind == "affine-data"
    assert cert.flat_vector == (1, 1, 1) and cert.check() is True
    data = cert.to_dict()
    data["dataset"]["X"][2] = ["1", "1"]  # off the line x1 + x2 = 1: the evidence must fail
    data["dataset"]["y"][2] = "1"
    with pytest.raises(CertificateError, match="hyperplane"):
        Certificate.from_json(json.dumps(data)).check()
    few = Dataset([[0, 0], [1, 0], [0, 1]], [0, 1, 1])
    wide = SmoothNet([[1, 0], [0, 1], [1, 1]], [0, 0, 0], [1, 1, 1], 0)
    cert = certify_smooth_minimum(wide, few)
    assert cert.flat_kind == "output-layer" and "m + 1 = 4" in cert.reason


def test_huge_box_refused():
    cert = certify_smooth_minimum(TEACHER, D20, radius=1)
    assert cert.verdict is Verdict.UNDECIDED and "box too large" in cert.reason
    assert cert.check() is True


def test_minimum_at_infinity_refused():
    separable = Dataset([-2, -1, 1, 2], [-1, -1, 1, 1])
    cert = certify_smooth_minimum(SmoothNet([1], [0], [3], 0, activation="tanh"), separable,
                                  loss="logistic")
    assert cert.verdict is Verdict.UNDECIDED and "minimum at infinity" in cert.reason


def test_trained_floats_snap_to_the_same_minimum(teacher_cert):
    rng = np.random.default_rng(3)
    theta = np.array([float(t) for t in teacher_cert.params.parameters()])
    theta += rng.normal(scale=1e-6, size=theta.size)  # what an optimiser stopped at
    cert = snap_smooth(theta[:4].reshape(2, 2), theta[4:6], theta[6:8], theta[8], D20)
    assert cert.verdict is Verdict.MINIMUM
    assert cert.params.distance(teacher_cert.params) < teacher_cert.radius
    assert cert.start.W[0][0] == Fraction(float(theta[0]))  # exact binary value, no rounding
    with pytest.raises(InvalidArgument, match="not finite"):
        snap_smooth([[np.nan, 0], [0, 0]], [0, 0], [0, 0], 0.0, D20)


def test_bad_minimum_proven(teacher_cert):
    # a second strict minimum of the same 2-2-1 network, found by trust-region training from a
    # random start: loss about 1.2e-3, proven above the teacher minimum's 3.8e-4
    worse = SmoothNet([["-0.019", "-3.697"], ["-0.286", "0.508"]], ["4.989", "0.272"],
                      ["-0.159", "-2.342"], "0.029", activation="sigmoid")
    bad = prove_bad_minimum(worse, D20, teacher_cert.params)
    assert bad.proven and bad.certificate.verdict is Verdict.MINIMUM, bad.reason
    assert bad.gap > Fraction(8, 10000) and "bad local minimum" in bad.reason
    assert bad.check() is True
    # the other way round: the teacher is no *bad* minimum
    assert not prove_bad_minimum(TEACHER, D20, bad.certificate.params).proven


def test_problem_file_and_cli(tmp_path, capsys):
    params, dataset = parse_problem(dump_problem(TEACHER, D20))
    assert params == TEACHER and dataset == D20
    path = tmp_path / "teacher.json"
    path.write_text(dump_problem(TEACHER, D20))
    # verify decides the point in the file: TEACHER is not critical (exit 1, with a witness)
    assert main(["verify", str(path)]) == 1
    assert "NOT A LOCAL MINIMUM: the given point" in capsys.readouterr().out
    path.write_text(dump_problem(SADDLE_START, D20))
    assert main(["verify", str(path), "--json", "--witness", "1/10"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "smooth-point" and out["witness_within_radius"]["radius"] == "1/10"
    assert Certificate.from_json(out).check() is True


# -- soundness -----------------------------------------------------------------------------------
def _mp_loss(net, D, dps=40, loss="squared"):
    """The loss computed independently: mpmath at ``dps`` digits, no balls."""
    return numeric.losses(net, [list(net.parameters())], D, loss=loss,
                          ctx=numeric.mp_context(dps))[0]


def test_loss_never_below_the_certified_enclosure(teacher_cert):
    cert, rng = teacher_cert, np.random.default_rng(0)
    centre, rho = cert.params.parameters(), cert.radius
    obj = SmoothObjective.of(cert.params, D20)
    for _ in range(40):
        point = [c + rho * Fraction(int(k), 2**20)
                 for c, k in zip(centre, rng.integers(-2**20, 2**20 + 1, len(centre)),
                                 strict=True)]
        value = _mp_loss(obj.network(point), D20)
        with mpmath.workdps(40):
            assert value >= mpmath.mpf(cert.loss.lower.numerator) / cert.loss.lower.denominator


def test_gradient_enclosure_at_the_certified_point_contains_zero(teacher_cert):
    cert = teacher_cert
    obj = SmoothObjective.of(cert.params, D20)
    with intervals.precision(cert.precision):
        for rho in (cert.radius, cert.inner_radius):
            _, g, _ = obj.ball_derivatives(cert.params.parameters(), rho, order=1)
            assert all(g[i, 0].contains(0) for i in range(obj.n))


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(["sigmoid", "tanh"]), st.sampled_from(["squared", "logistic"]),
       st.lists(st.integers(-8, 8), min_size=9, max_size=9),
       st.integers(0, 10))
def test_ball_enclosures_contain_the_mpmath_values(activation, loss, ks, r):
    theta = [Fraction(k, 4) for k in ks]
    D = Dataset([[1, 0], [0, -1], ["1/2", "3/2"], [-1, 2]], [1, -1, 1, -1])
    obj = SmoothObjective(2, 2, activation, D, loss)
    net = obj.network(theta)
    with intervals.precision(96):
        value, g, H = obj.ball_derivatives(theta, Fraction(r, 2**12))
        thin, _, _ = obj.ball_derivatives(theta, Fraction(0))
    exact_value = _mp_loss(net, D, dps=50, loss=loss)  # independent: mpmath, 50 digits, no balls
    with mpmath.workdps(50):
        slack = mpmath.mpf(10) ** -40 * (1 + abs(exact_value))  # mpmath's own rounding
        lo, hi = intervals.lower_fraction(thin), intervals.upper_fraction(thin)
        assert mpmath.mpf(lo.numerator) / lo.denominator - slack <= exact_value
        assert exact_value <= mpmath.mpf(hi.numerator) / hi.denominator + slack
    assert value.contains(thin)
    _, gf, Hf = obj.float_derivatives(np.array([float(t) for t in theta]))
    for i in range(obj.n):  # float derivatives at the centre lie in the enclosures (+ rounding)
        assert abs(float(g[i, 0].mid()) - gf[i]) <= float(g[i, 0].rad()) + 1e-9 * (1 + abs(gf[i]))
        for j in range(obj.n):
            assert (abs(float(H[i, j].mid()) - Hf[i, j])
                    <= float(H[i, j].rad()) + 1e-9 * (1 + abs(Hf[i, j])))


# -- deliberate errors in the two tests must be caught -------------------------------------------
def _krawczyk_refuses_three_zeros():
    """F = x^4/4 - x^2/200 has critical points 0 and +-1/10: no box holding all three may pass."""
    class Quartic:
        n = 1

        def float_derivatives(self, t):
            x = float(t[0])
            return x**4 / 4 - x**2 / 200, np.array([x**3 - x / 100]), np.array([[3 * x**2 - 0.01]])

        def ball_derivatives(self, centre, radius, order=2):
            (x,) = intervals.box_balls(centre, radius)
            H = flint.arb_mat([[3 * x * x - flint.arb(1) / 100]])
            return (x**4 / 4 - x * x / 200, flint.arb_mat([[x**3 - x / 100]]), H)

    with intervals.precision(128):
        kr = intervals.krawczyk(Quartic(), [Fraction(1, 10)], Fraction(1, 4),
                                Y=np.array([[50.0]]))
    assert not kr.inside, "Krawczyk passed on a box with three critical points"


def _hessian_test_refuses_indefinite():
    with intervals.precision(128):
        H = flint.arb_mat([[2, 3], [3, 2]])  # eigenvalues 5 and -1
        assert not intervals.positive_definite(H).positive, "indefinite matrix passed"
        near = flint.arb_mat([[1, 0], [0, flint.arb(0, 1) / 10]])  # holds diag(1, -0.05)
        assert not intervals.positive_definite(near, Q=np.eye(2)).positive


def test_krawczyk_and_hessian_tests_refuse():
    _krawczyk_refuses_three_zeros()
    _hessian_test_refuses_indefinite()


def test_a_broken_krawczyk_test_is_caught(monkeypatch):
    real = intervals.krawczyk

    def newton_step_only(objective, centre, radius, Y=None):
        # the classic mistake: a small Newton step taken for uniqueness (no (I - Y H(X)) term)
        r = real(objective, centre, radius, Y)
        step = max(intervals.upper_fraction(abs(r.gradient[i, 0])) for i in range(objective.n))
        return type(r)(**{**r.__dict__, "inside": step * 50 < radius})

    monkeypatch.setattr(intervals, "krawczyk", newton_step_only)
    with pytest.raises(AssertionError, match="three critical points"):
        _krawczyk_refuses_three_zeros()


def test_a_broken_hessian_test_is_caught(monkeypatch):
    def diagonal_only(H, Q=None):
        # the classic mistake: positive diagonal taken for positive definiteness
        ok = all(H[i, i].lower() > 0 for i in range(H.nrows()))
        return intervals.PDResult(ok, Fraction(1 if ok else -1), Fraction(0))

    monkeypatch.setattr(intervals, "positive_definite", diagonal_only)
    with pytest.raises(AssertionError, match="indefinite matrix passed"):
        _hessian_test_refuses_indefinite()


def test_check_rejects_a_tampered_minimum(teacher_cert):
    data = teacher_cert.to_dict()
    data["evidence"]["radius"] = "1"  # a box too large for the stored Krawczyk image
    with pytest.raises(CertificateError, match="Krawczyk"):
        Certificate.from_json(data).check()
    hi = teacher_cert.loss.upper
    cut = dataclasses.replace(teacher_cert, loss=LossEnclosure(hi, hi))
    with pytest.raises(CertificateError, match="does not contain"):
        cut.check()  # a loss "enclosure" of one point: L(theta*) is irrational
    flipped = dataclasses.replace(teacher_cert, verdict=Verdict.NOT_MINIMUM)
    with pytest.raises(CertificateError, match="negative curvature"):
        flipped.check()


def test_decision_uses_the_module_tests(monkeypatch):
    # the decision calls the Hessian test through its module: a broken test changes the verdict
    monkeypatch.setattr(smooth_decision, "positive_definite",
                        lambda H, Q=None: intervals.PDResult(False, Fraction(-1), Fraction(0)))
    assert certify_smooth_minimum(TEACHER, D20).verdict is Verdict.UNDECIDED


@pytest.mark.parametrize(("activation", "loss"), [
    ("sigmoid", "squared"), pytest.param("tanh", "logistic", marks=pytest.mark.slow)])
def test_model_derivatives_match_sympy_and_finite_differences(activation, loss):
    # the hand-written gradient against sympy's; the Hessian against differences of it
    net = SmoothNet([["1/2", "-1"], ["3/4", "1/4"]], ["-1/4", "1/2"], ["3/2", "-1"], "1/4",
                    activation=activation)
    D = Dataset([[1, 0], [0, -1], ["1/2", "3/2"], [-1, 2], [2, 1]], [1, -1, 1, -1, -1])
    obj = SmoothObjective.of(net, D, loss)
    theta = np.array([float(t) for t in net.parameters()])
    _, g, H = obj.float_derivatives(theta)
    assert np.allclose(g, np.array(net.gradient(D, loss, dps=20), dtype=float), atol=1e-12)
    h = 1e-6
    for k in range(obj.n):
        e = np.zeros(obj.n)
        e[k] = h
        up, down = obj.float_derivatives(theta + e)[1], obj.float_derivatives(theta - e)[1]
        column = (up - down) / (2 * h)
        assert np.allclose(H[:, k], column, atol=1e-7)
    assert np.allclose(H, H.T)


def test_clear_error_without_python_flint(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "flint", None)  # "import flint" now raises ImportError
    with pytest.raises(intervals.IntervalBackendMissing, match=r"relu-minima\[smooth\]"):
        certify_smooth_minimum(TEACHER, D20)
    with pytest.raises(ImportError):  # it is an ImportError too, and a ReluMinimaError
        verify_local_minimum(TEACHER, D20)


def test_ill_conditioned_minimum_needs_working_precision_preconditioners():
    # F = x^T A x / 2 - b^T x with A the 12 x 12 Hilbert matrix (condition number ~1.7e16):
    # a float64 inverse cannot prove the critical point, the working-precision one can
    n = 12
    A = [[Fraction(1, i + j + 1) for j in range(n)] for i in range(n)]
    b = [Fraction(1)] * n
    q = Quadratic(A, b)
    star = [Fraction(int(t.p), int(t.q)) for t in sympy.Matrix(A).LUsolve(sympy.Matrix(b))]
    with intervals.precision(128):
        H = flint.arb_mat([[intervals.ball(t) for t in row] for row in A])
        Yf = np.linalg.inv(np.array(A, dtype=float))
        assert not intervals.krawczyk(q, star, Fraction(1, 2**40), Y=Yf).inside
        kr = intervals.krawczyk(q, star, Fraction(1, 2**40))
        assert kr.inside
        assert intervals.positive_definite(H).positive
        # the working-precision Cholesky congruence proves it on its own, nearly optimally
        Q = intervals.cholesky_congruence(H)
        B = Q.transpose() * H * Q
        assert all(abs(float(B[i, i].mid()) - 1) < 1e-20 for i in range(n))
        assert intervals.cholesky_congruence(flint.arb_mat([[1, 2], [2, 1]])) is None


def test_check_is_independent_of_a_broken_decision(monkeypatch):
    # the decision's own tests replaced by ones that always pass: it now claims a minimum on a
    # box far too large, and check() (which recomputes with the real tests) refuses it
    real = intervals.krawczyk

    def always_inside(*args, **kwargs):
        r = real(*args, **kwargs)
        return type(r)(**{**r.__dict__, "inside": True, "image_bound": Fraction(0)})

    monkeypatch.setattr(smooth_decision, "krawczyk", always_inside)
    monkeypatch.setattr(smooth_decision, "positive_definite",
                        lambda H, Q=None: intervals.PDResult(True, Fraction(1), Fraction(1)))
    wrong = certify_smooth_minimum(TEACHER, D20, radius=Fraction(1, 64))
    assert wrong.verdict is Verdict.MINIMUM
    with pytest.raises(CertificateError):
        wrong.check()


def test_logistic_minima_of_tanh_and_sigmoid_agree():
    # inputs -2..3 with both labels (counts below): the logistic loss has a finite strict
    # minimum. sigmoid(t) = (1 + tanh(t/2))/2, so both activations span the same functions
    # (w, b doubled, v halved): their certified minimum losses must overlap.
    xs, ys = [], []
    for x, (pos, neg) in zip(range(-2, 4), [(1, 3), (1, 2), (1, 1), (2, 1), (3, 1), (2, 1)],
                             strict=True):
        xs += [x] * (pos + neg)
        ys += [1] * pos + [-1] * neg
    D = Dataset(xs, ys)
    tanh = certify_smooth_minimum(SmoothNet(["0.89"], ["0.17"], ["1.04"], "-0.11",
                                            activation="tanh"), D, loss="logistic")
    sig = certify_smooth_minimum(SmoothNet(["1.77"], ["0.33"], ["2.08"], "-1.15",
                                           activation="sigmoid"), D, loss="logistic")
    assert tanh.verdict is Verdict.MINIMUM and sig.verdict is Verdict.MINIMUM
    assert tanh.check() and sig.check()
    assert max(tanh.loss.lower, sig.loss.lower) <= min(tanh.loss.upper, sig.loss.upper)
    w_t, w_s = tanh.params.W[0][0], sig.params.W[0][0]
    assert abs(2 * w_t - w_s) <= 2 * tanh.radius + sig.radius  # the same critical point
