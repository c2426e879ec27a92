"""Adversarial edits of a cell certificate (issue 30, issue 22 item 12): each tampered file is
refused, by the guard named in the test, even when the forger makes every other field
consistent with the edit (the loss enclosure recomputed for the edited centre, the derived
fields written anew), so that only the one guard can catch it.

The guards of :mod:`relu_minima.verify.shallow.cell_certificate`: the contraction and the
residual bound (``_check_evidence``), the loss (``_check_loss``), the cell (``check_cell``:
no pre-activation exactly 0, no live unit with v = 0), the margin, what the argument covers
(``_not_covered``) and the stored bounds' form (``_bound``).
"""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction

import pytest

from relu_minima import Dataset, ShallowReLU, snap
from relu_minima.errors import ReluMinimaError
from relu_minima.exact.enclosure import Enclosure
from relu_minima.verify.certificate import Certificate
from relu_minima.verify.shallow import cell_certificate as cc

pytest.importorskip("flint")

D5 = Dataset([0, 1, 2, 3, 4], [1, 2, 3, 5, "13/2"])
# unit 1 live at x >= 2 (z = 1751/1000 x - 23/12), unit 2 dead at every point (z = -x - 1)
CENTRE = ShallowReLU([["1751/1000"], [-1]], ["-23/12", -1], [1, 1], "3/2")


@pytest.fixture(scope="module")
def cert():
    found = cc.certify_cell_minimum(CENTRE, D5)
    assert found is not None and found.check() and len(found._cell().dead) == 1
    return found


def forged(cert, params=None, dataset=None, **fields) -> str:
    """The certificate with ``params``/``dataset``/``fields`` edited and its loss enclosure
    recomputed for the edit (as a forger would), as JSON."""
    params = params or cert.params
    dataset = dataset or cert.dataset
    new = dataclasses.replace(cert, params=params, dataset=dataset, **fields)
    if "loss" not in fields:
        cell, eq, _ = cc.enclose(params, dataset, fixed=new.fixed)
        loss = cc._loss_enclosure(cc._centre_loss(cell, params), new.t_radius,
                                  cc.gram_sum(eq.G, cell.Lx))
        new = dataclasses.replace(new, loss=loss)
    return new.to_json()


def refused(text: str | dict, why: str) -> None:
    with pytest.raises(ReluMinimaError, match=why):
        Certificate.from_json(text).check()


def test_the_untouched_certificate_is_accepted(cert):
    assert Certificate.from_json(cert.to_json()).check()


def test_a_shifted_centre_is_refused(cert):
    # the centre moved by 1/100 in c: the stored eps no longer bounds |t* - t_c|
    shifted = ShallowReLU(CENTRE.W, CENTRE.b, CENTRE.v, CENTRE.c + Fraction(1, 100))
    refused(forged(cert, params=shifted), "exceeds the stored t_radius")


def test_a_shrunk_radius_is_refused(cert):
    refused(forged(cert, t_radius=cert.t_radius / 10), "exceeds the stored t_radius")


def test_a_smaller_contraction_is_refused(cert):
    refused(forged(cert, contraction=Fraction(1, 10**12)), "exceeds the stored contraction")


@pytest.mark.parametrize("edit", ["raise-lower", "lower-upper", "widen"])
def test_a_wrong_loss_enclosure_is_refused(cert, edit):
    lo, up = cert.loss.lower, cert.loss.upper
    tiny = Fraction(1, 10**40)
    loss = {"raise-lower": Enclosure(lo + tiny, up), "lower-upper": Enclosure(lo, up - tiny),
            "widen": Enclosure(lo - 1, up + 1)}[edit]
    refused(forged(cert, loss=loss), "is not the enclosure the proof gives")


def test_a_flipped_cell_sign_is_refused(cert):
    # b_1 = -17/10: unit 1 now also active at x = 1 (another cell, whose minimiser is far)
    flipped = ShallowReLU(CENTRE.W, [Fraction(-17, 10), CENTRE.b[1]], CENTRE.v, CENTRE.c)
    assert flipped.preactivation_table(D5).num[1][0] > 0 > CENTRE.preactivation_table(
        D5).num[1][0]
    refused(forged(cert, params=flipped), "exceeds the stored t_radius")


def test_a_revived_dead_unit_is_refused(cert):
    revived = ShallowReLU(CENTRE.W, [CENTRE.b[0], 10], CENTRE.v, CENTRE.c)
    refused(forged(cert, params=revived), "exceeds the stored t_radius|singular|no float")


def test_a_unit_at_a_kink_is_refused(cert):
    data = json.loads(cert.to_json())
    data["params"]["b"][0] = "-1751/1000"  # z = 0 exactly at x = 1
    refused(data, "is exactly 0: the point is on a kink")


def test_a_silent_live_unit_is_refused(cert):
    data = json.loads(cert.to_json())
    data["params"]["v"][0] = "0"
    refused(data, "has v = 0")


def test_a_margin_below_the_radius_is_refused(cert):
    # a (true, weak) radius larger than the cell's margin: theta* might leave the cell
    big = cert.margin * 2
    refused(forged(cert, t_radius=big), "margin of the cell is not above t_radius")


@pytest.mark.parametrize("field, value", [("t_radius", "-1/100"), ("t_radius", "x"),
                                          ("contraction", "-1"), ("contraction", 0.001),
                                          ("contraction", "3/2")])
def test_malformed_bounds_are_refused_on_reading(cert, field, value):
    data = json.loads(cert.to_json())
    data["evidence"][field] = value
    with pytest.raises(ReluMinimaError, match=f"evidence.{field}="):
        Certificate.from_json(data)


def test_other_parameterisations_and_outputs_are_refused(cert):
    bias_free = ShallowReLU(CENTRE.W, [0, 0], CENTRE.v, CENTRE.c, bias=(False, True))
    data = json.loads(cert.to_json())
    data["params"] = bias_free.to_json()
    refused(data, "restricted")
    two = Dataset([[x] for x in range(5)], [[y, 0] for y in D5.y])
    data = json.loads(cert.to_json())
    data["dataset"] = two.to_json()
    refused(data, "outputs|k=2")
    assert cc.cell_attempt(CENTRE, two)[0] is None
    assert "k=2 outputs" in cc.cell_attempt(CENTRE, two)[1]


def test_a_cell_verdict_other_than_minimum_is_refused(cert):
    data = json.loads(cert.to_json())
    data["verdict"] = "not a local minimum"
    with pytest.raises(ReluMinimaError):
        Certificate.from_json(data)


def test_a_lower_point_inside_the_enclosure_is_not_bad():
    # 'bad, proven' needs a loss below the lower end of L(theta*)'s enclosure: the exact
    # minimiser's own loss lies inside it (below the upper end, the centre's loss), and a
    # comparison with the upper end would call the minimum bad against itself
    from .test_cell_certificate import problem
    from .test_snap_scale import LOWER

    trained, data = problem(1)
    cell = snap(trained, data, method="cell", max_patterns=None)
    exact = snap(trained, data, method="exact", max_patterns=None)
    enc = cell.snapped_loss
    assert cell.certificate.kind == "shallow-relu-cell" and exact.status == "local minimum"
    assert enc.lower <= exact.snapped_loss < enc.upper
    found = LOWER.lower_point(cell.params, enc, cell.dataset, [exact.params], [], None, [])
    assert found == (None, None, None)


def test_routes_say_why_a_point_is_not_sent_to_the_cell_certificate():
    data = Dataset([0, 1, 2, 3], [1, 1, 0, 3])
    on_kink = snap({"W": [[1.0], [1.0]], "b": [-1.5, -10.0], "v": [1.0, 1.0], "c": 1.0}, data,
                   method="cell", max_distance=10)
    assert any(a.startswith("cell certificate not tried") and "on a kink" in a
               for a in on_kink.attempts), on_kink.attempts
    assert on_kink.certificate.kind == "shallow-relu" and on_kink.check()


def test_no_smt_sentence_is_claimed_for_a_cell_certificate(cert):
    from relu_minima.verify.smt.sentence import UnsupportedCertificate

    with pytest.raises(UnsupportedCertificate, match="without writing down"):
        cert.to_smtlib()


def test_method_cell_on_a_network_it_does_not_cover_says_so():
    # a bias-free hidden layer (issue 22, item 1: only its own parameterisation compares)
    data = Dataset([1, 2, 3], [1, 1, 1])
    bias_free = {"0.weight": [[0.5]], "2.weight": [[0.8]]}  # a state_dict without biases
    report = snap(bias_free, data, method="cell")
    assert report.attempts[0].startswith("method='cell' not taken"), report.attempts
    assert getattr(report.certificate, "kind", None) != "shallow-relu-cell"


# -- a singular cell: columns fixed at the centre's values (exact combinations of the others) ---
@pytest.fixture(scope="module")
def fixed_cert():
    from .test_cell_certificate import problem

    trained, data = problem(3)  # units with complementary active sets: P has dependent columns
    found = snap(trained, data, method="cell", max_patterns=None).certificate
    assert found.kind == "shallow-relu-cell" and found.fixed and found.check()
    assert "exact rational combinations" in " ".join(found.proof_text.split())
    return found


def test_a_singular_cell_is_certified_with_its_dependent_columns_fixed(fixed_cert):
    assert Certificate.from_json(fixed_cert.to_json()).check()
    assert json.loads(fixed_cert.to_json())["evidence"]["fixed_columns"] == \
        [k + 1 for k in fixed_cert.fixed]


def test_an_independent_fixed_column_is_refused(fixed_cert):
    # fixing one more column leaves range(P_B) smaller than range(P): the restricted
    # minimiser need not minimise F, so some fixed column is not a combination of the rest
    extra = next(k for k in range(fixed_cert._cell().unknowns) if k not in fixed_cert.fixed)
    text = forged(fixed_cert, fixed=tuple(sorted((*fixed_cert.fixed, extra))))
    refused(text, "not shown to be exact combinations")


def test_dropping_the_fixed_columns_is_refused(fixed_cert):
    refused(forged(fixed_cert, fixed=()), "float inverse|contraction|t_radius")


@pytest.mark.parametrize("value", [[0], ["7"], [9, 7], [7, 7], "7"])
def test_malformed_fixed_columns_are_refused_on_reading(fixed_cert, value):
    data = json.loads(fixed_cert.to_json())
    data["evidence"]["fixed_columns"] = value
    with pytest.raises(ReluMinimaError, match="fixed_columns"):
        Certificate.from_json(data)
