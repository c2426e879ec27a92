"""The decision of Theorem 3 (docs/method.md, "Several outputs") for a one-hidden-layer point
with k > 1 outputs, and its re-verification.

:func:`decide_several` computes the unit evidence (:mod:`.several`), returns the first
failing first-order condition as a descent (:mod:`.several_descent`), a minimum when every
unit's cone condition holds (with the radius of Theorem 3), and otherwise the second-order
test (:mod:`.second_order`): a descent, or "undecided". :func:`check_several` re-verifies a
stored certificate of such a point without deciding anything that is not deterministic.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Protocol

from ...errors import CertificateError, require
from ...exact import linalg
from ...exact.datasets import Dataset
from ...exact.shallow_relu import ShallowReLU
from ..certificate import Verdict
from .second_order import SecondOrder, second_order_test
from .several import (
    UnitReportK,
    check_unit,
    decide_unit,
    moving_outputs,
    unit_bounds,
    vector_evidence,
)
from .several_descent import first_descent_k, flat_direction_k
from .units import Descent, safe_radius

__all__ = ["SeveralFields", "check_several", "decide_several", "second_order_descent"]

Vec = tuple[Fraction, ...]


class SeveralCert(Protocol):
    params: ShallowReLU
    dataset: Dataset
    verdict: Verdict
    residuals: Any
    units: Any
    radius: Fraction | None
    descent: Descent | None
    direction: Vec | None
    second_order: SecondOrder | None


SeveralFields = tuple[Verdict, tuple[Vec, ...], tuple[UnitReportK, ...], Fraction | None,
                      Descent | None, Vec | None, SecondOrder | None]


def _units(params: ShallowReLU, ev: Any) -> list[UnitReportK]:
    space = params.space
    return [decide_unit(j, params.v_of(j), active, kinks, form, ev.rates[j],
                        moving_outputs(space, j))
            for j, (active, kinks, form) in enumerate(ev.units)]


def second_order_descent(record: SecondOrder) -> Descent:
    """The descent record of a second-order move found by the test."""
    j = record.critical[0]
    return Descent("second order", j, None, record.value,
                   f"every first-order condition holds, but unit {j + 1} has a critical "
                   "direction (v . G = 0 while G != 0 in a moving output), and the loss along "
                   f"the stored direction is L + eps^2 Q + O(eps^3) with Q = {record.value} < 0 "
                   "(a second-order descent)")


def decide_several(params: ShallowReLU, dataset: Dataset) -> SeveralFields:
    """(verdict, residuals, units, radius, descent, direction, second_order) of the point."""
    ev = vector_evidence(params, dataset)
    units = _units(params, ev)
    descent = first_descent_k(params, ev.residuals, units)
    if descent is not None:
        direction = flat_direction_k(params, dataset, units, ev.residuals, descent)
        return (Verdict.NOT_MINIMUM, ev.residuals, tuple(units), None, descent, direction,
                None)
    if not any(u.mode == "critical" for u in units):
        radius = safe_radius(params, params.preactivation_table(dataset), ev.lifted,
                             unit_bounds(units, params.k))
        return Verdict.MINIMUM, ev.residuals, tuple(units), radius, None, None, None
    loss = linalg.sum_of_squares([t for r in ev.residuals for t in r])
    record = second_order_test(params, dataset, units, loss)
    if record.direction is None:
        return Verdict.UNDECIDED, ev.residuals, tuple(units), None, None, None, record
    return (Verdict.NOT_MINIMUM, ev.residuals, tuple(units), None,
            second_order_descent(record), record.direction, record)


def check_several(cert: SeveralCert) -> None:
    """Re-verify the evidence of a k-output certificate (raises CertificateError)."""
    p, D = cert.params, cert.dataset
    ev = vector_evidence(p, D)
    require(cert.residuals == ev.residuals, "stored residuals are not params' residuals")
    require(len(cert.units) == p.m and all(isinstance(u, UnitReportK) for u in cert.units),
            f"{len(cert.units)} unit reports for m = {p.m} units")
    space = p.space
    for j, (u, fresh) in enumerate(zip(cert.units, ev.units, strict=True)):
        require(u.j == j, f"unit {j + 1}: units out of order")
        check_unit(u, fresh, p.v_of(j), ev.rates[j], moving_outputs(space, j))
    units = list(cert.units)
    descent = first_descent_k(p, ev.residuals, units)
    critical = any(u.mode == "critical" for u in units)
    if cert.verdict is Verdict.MINIMUM:
        require(descent is None and not critical, "a condition of Theorem 3 fails at a "
                "claimed minimum")
        require(cert.radius == safe_radius(p, p.preactivation_table(D), ev.lifted,
                                           unit_bounds(units, p.k)),
                "stored radius is not the one the proof gives")
        require(cert.direction is None and cert.descent is None and cert.second_order is None,
                "a claimed minimum carries a descent")
        return
    require(cert.radius is None, "a point that is not proven a minimum has no radius")
    if descent is not None:
        require(cert.descent == descent and cert.second_order is None,
                "the stored descent is not the one the verified unit evidence gives")
        require(cert.direction == flat_direction_k(p, D, units, ev.residuals, descent),
                "the stored flat direction is not the descent's")
        require(cert.verdict is Verdict.NOT_MINIMUM, "a first-order descent is not undecided")
        return
    require(critical, "every cone condition holds: the point is a minimum, not undecided")
    loss = linalg.sum_of_squares([t for r in ev.residuals for t in r])
    again = second_order_test(p, D, units, loss)  # deterministic and exact
    require(cert.second_order == again, "the stored second-order record is not what the test "
            "gives at params")
    if again.direction is None:
        require(cert.verdict is Verdict.UNDECIDED and cert.descent is None
                and cert.direction is None, "no second-order descent, but a verdict")
    else:
        require(cert.verdict is Verdict.NOT_MINIMUM and cert.direction == again.direction
                and cert.descent == second_order_descent(again),
                "the stored second-order descent is not the test's")


def undecided_reason(record: SecondOrder) -> str:
    """Why a k-output point is undecided: what the second-order test tried."""
    if record is None:  # pragma: no cover - guarded by check()
        raise CertificateError("an undecided one-hidden-layer point without its record")
    units = ", ".join(str(j + 1) for j in record.critical)
    joint = (f"the joint second-order form on {record.joint_size} variables is "
             f"{record.joint}" if record.joint != "skipped" else
             f"the joint second-order form ({record.joint_size} variables) was skipped as too "
             "large")
    rays = "; ".join(f"unit {j + 1}'s critical ray: least Q = {q}" for j, q in record.rays)
    return (f"every first-order condition holds, but unit(s) {units} have a critical direction "
            "(v . G = 0 while G != 0 in a moving output), so moving v across its own direction "
            f"is not controlled at first order; {joint}" + (f"; {rays}" if rays else "")
            + ", and no tried move lowers the exact loss germ. Q >= 0 there proves neither a "
            "minimum (degenerate directions remain) nor a descent: a complete second-order "
            "criterion for k outputs is not implemented")
