"""The cell certificate (issue 30): a local minimum proved without writing it down.

The exact route (the exact minimiser of the trained cell, decided by the complete criterion)
and the cell route (a short centre, the minimiser enclosed by exact integer arithmetic) must
agree wherever both apply: the exact point lies within the cell certificate's stated distance
of its centre, its exact loss inside the stated enclosure, both say "local minimum". A cell
whose minimiser leaves the cell is never certified; every stored bound is re-verified.
"""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relu_minima import Dataset, InvalidArgument, ShallowReLU, snap, verify_local_minimum
from relu_minima.errors import ReluMinimaError
from relu_minima.verify.certificate import Certificate
from relu_minima.verify.shallow.cell_certificate import certify_cell_minimum

pytest.importorskip("flint")

D4 = Dataset([0, 1, 2, 3], [1, 2, 3, 5])
CENTRE = ShallowReLU([["2001/1000"]], ["-5/2"], [1], "3/2")  # the minimiser: w 2, b -5/2, c 3/2
# G of this cell has determinant 12: R G = I is impossible with a dyadic R, so alpha > 0
D5 = Dataset([0, 1, 2, 3, 4], [1, 2, 3, 5, "13/2"])
CENTRE5 = ShallowReLU([["1751/1000"]], ["-23/12"], [1], "3/2")


def problem(seed: int, d: int = 2, m: int = 4, n: int = 40, noise: float = 1e-3):
    """A teacher network with 2-decimal weights, inputs kept 0.05 from its kinks, targets with
    noise (6 decimals), and the teacher plus 1e-6 as the 'trained' point."""
    rng = np.random.default_rng(seed)
    W = np.round(rng.normal(size=(m, d)), 2)
    b = np.round(rng.uniform(-0.5, 0.5, size=m), 2)
    v = np.round(rng.choice([-1, 1], size=m) * rng.uniform(0.5, 1.5, size=m), 2)
    X = np.round(rng.uniform(-1, 1, size=(40 * n, d)), 2)
    X = X[np.all(np.abs(X @ W.T + b) > 0.05, axis=1)][:n]
    y = np.round(np.maximum(X @ W.T + b, 0) @ v + 0.3 + noise * rng.normal(size=len(X)), 6)
    trained = {"W": W + 1e-6 * rng.normal(size=W.shape), "b": b, "v": v, "c": 0.3}
    return trained, (X, y)


@pytest.mark.parametrize("seed", range(4))
def test_the_cell_route_agrees_with_the_exact_route(seed):
    trained, data = problem(seed)
    exact = snap(trained, data, method="exact", max_patterns=None)
    cell = snap(trained, data, method="cell", max_patterns=None)
    assert exact.check() and cell.check()
    cert = cell.certificate
    if cert is None or cert.kind != "shallow-relu-cell":
        assert exact.kink_pairs or cell.status == exact.status  # fell back to the exact route
        return
    assert exact.status == cell.status == "local minimum", (exact.attempts, cell.attempts)
    p, q = exact.params, cell.params
    if not cert.fixed and not cert.merged_columns:
        # theta* is the unique minimiser of the cell: within the stated distance of the centre
        # (up to the rescaling (w, b, v) -> (a w, a b, v / a) of Remark 1: compare v (w, b))
        for j in range(p.m):
            for a, b in zip(p.unit(j), q.unit(j), strict=True):
                assert abs(p.v[j] * a - q.v[j] * b) <= cert.t_radius
        assert abs(p.c - q.c) <= cert.t_radius
    # every minimiser of the cell has the same outputs P t* (the projection of y), and the
    # centre's are within eps |row of P|_1 of them: |P (t* - t_c)|_i <= eps sum_k |P_ik|
    D = cell.dataset
    on = [[z > 0 for z in row] for row in q.preactivations(D)]
    for i, (fp, fq) in enumerate(zip(p.outputs(D), q.outputs(D), strict=True)):
        row = 1 + sum(on[i][j] for j in range(q.m)) * (1 + sum(abs(t) for t in D.X[i]))
        assert abs(fp - fq) <= cert.t_radius * row
    assert cert.loss.lower <= exact.snapped_loss <= cert.loss.upper


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6), st.integers(1, 3), st.integers(2, 5))
def test_agreement_on_random_snapped_points(seed, d, m):
    trained, data = problem(seed, d=d, m=m, n=12 * (d + 1) * m)
    cell = snap(trained, data, method="cell", max_patterns=None)
    if cell.certificate is None or cell.certificate.kind != "shallow-relu-cell":
        return  # the cell route did not apply (a kink, a singular cell): nothing to compare
    exact = verify_local_minimum(snap(trained, data, method="exact",
                                      max_patterns=None).params, cell.dataset)
    cert = cell.certificate
    assert exact.is_local_minimum
    assert cert.loss.lower <= exact.loss <= cert.loss.upper
    assert cert.check()


def test_a_cell_whose_minimiser_leaves_it_is_not_certified():
    # unit active at x = 2, 3 only; c fits x = 0, 1 (mean 1) and the unit would need
    # u . (2, 1) = -1 < 0 at x = 2: the minimiser of the cell lies outside it
    data = Dataset([0, 1, 2, 3], [1, 1, 0, 3])
    assert certify_cell_minimum(ShallowReLU([1], ["-3/2"], [1], 1), data) is None


def test_points_the_argument_does_not_cover_are_not_certified():
    on_kink = ShallowReLU([1], [-2], [1], "3/2")  # z = 0 at x = 2
    silent = ShallowReLU([1], ["-5/2"], [0], "3/2")  # active at x = 3 with v = 0
    singular = ShallowReLU([1], ["-5/2"], [1], 1)  # active at x = 3 only: w, b columns parallel
    for point in (on_kink, silent, singular):
        assert certify_cell_minimum(point, D4) is None


def test_equal_columns_are_merged():
    # a unit active at every point: its b column is c's; the minimisers form a line (b + c
    # fixed), and the one with the centre's c is certified: f = 1.3 x + 0.8, loss 3/10
    cert = certify_cell_minimum(ShallowReLU([["13/10"]], ["3/10"], [1], "1/2"), D4)
    assert cert is not None and cert.check() and Fraction(3, 10) in cert.loss
    assert "1 column(s) of P equal an earlier one" in cert.proof_text
    assert certify_cell_minimum(CENTRE.with_space(frozen=["b_2[1]"]), D4) is None


def test_the_certificate_round_trips_and_states_what_it_proves():
    cert = certify_cell_minimum(CENTRE, D4)
    assert cert.status == "local minimum" and cert.check()
    assert Fraction(1, 2) in cert.loss  # L(theta*) = 1/2: (3/2 - 1)^2 + (3/2 - 2)^2
    assert cert.distance_bound >= Fraction(1, 1000)  # theta* has w = 2, the centre 2.001
    back = Certificate.from_json(cert.to_json())
    assert back.check() and back.proof_text == cert.proof_text
    assert "about theta*" in cert.reason and "not params" in cert.reason


@pytest.mark.parametrize("field, value, why", [
    ("t_radius", "1E-30", "exceeds the stored t_radius"),
    ("contraction", "1E-30", "exceeds the stored contraction"),
    ("contraction", "1", "below 1")])
def test_stored_bounds_are_re_verified(field, value, why):
    import dataclasses

    from relu_minima.verify.shallow import cell_certificate as cc

    cert = certify_cell_minimum(CENTRE5, D5)
    assert cert.check()
    forged = dataclasses.replace(cert, **{field: Fraction(value)})
    cell, eq, _ = cc.enclose(CENTRE5, D5)  # the loss made consistent with the edited radius
    loss = cc._loss_enclosure(cc._centre_loss(cell, CENTRE5), forged.t_radius,
                              cc.gram_sum(eq.G, cell.Lx))
    forged = dataclasses.replace(forged, loss=loss)
    with pytest.raises(ReluMinimaError, match=why):
        Certificate.from_json(forged.to_json()).check()


def test_a_forged_loss_or_point_is_refused():
    text = certify_cell_minimum(CENTRE, D4).to_json()
    for edit in ("loss", "params"):
        data = json.loads(text)
        if edit == "loss":
            data["loss"] = "[0, 1E-3]"
        else:
            data["params"]["b"] = ["-1/2"]  # another cell: active everywhere (singular)
        with pytest.raises(ReluMinimaError):
            Certificate.from_json(data).check()


@pytest.mark.slow
def test_every_field_of_a_cell_certificate_is_verified_or_derived():
    from .test_certificate_fields import _survivors

    bounds = ("evidence.contraction", "evidence.t_radius", "evidence.fixed_columns")
    trained, data = problem(3)  # a singular cell: dependent columns fixed
    fixed = snap(trained, data, method="cell", max_patterns=None).certificate
    assert fixed.fixed
    for cert in (certify_cell_minimum(CENTRE, D4), fixed):
        bad = [s for s in _survivors(cert, per_pattern=1)
               if not s.startswith(bounds) and not s.startswith(("params", "dataset"))]
        assert bad == []


def test_snap_reports_the_cell_verdict_about_the_minimiser():
    trained, data = problem(1)
    report = snap(trained, data, method="cell", max_patterns=None)
    assert report.certificate.kind == "shallow-relu-cell" and report.check()
    about = [line for line in report.summary() if line.startswith("About: ")]
    assert about and "not about either point" in about[0]
    assert report.snapped_loss.lower <= report.snapped_loss.upper  # an enclosure


def test_method_is_checked():
    with pytest.raises(InvalidArgument, match="method='fast'"):
        snap({"W": [1.0], "b": [-3.0], "v": [1.0], "c": 0.0}, D4, method="fast")
