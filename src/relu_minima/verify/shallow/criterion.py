"""Exact local-minimum certificates for one-hidden-layer ReLU regression (Equation (1)).

``verify_local_minimum(params, dataset)`` decides, in exact rational arithmetic, whether
``params`` is a local minimum of L = sum_i (f(x_i) - y_i)^2, for every ShallowReLU point:
kinks, zero output weights, units dead on all data, duplicate inputs, non-strict minima.
The criterion (proved in docs/method.md, Theorem 1 there):

    theta is a local minimum  <=>  sum_i r_i = 0, and for every unit j the kink form g_j
    satisfies  g_j >= 0 if v_j > 0,   g_j <= 0 if v_j < 0,   g_j == 0 if v_j = 0,

and then L(theta') >= L(theta) for every theta' within max-norm distance ``radius``.
When the criterion fails, the failing condition gives an explicit descent move, and
:meth:`LocalMinimumCertificate.witness` returns an exact point with strictly lower loss.

For a restricted parameterisation (``params.space``: bias-free layers, frozen coordinates) the
same decision runs on the moving coordinates only (docs/method.md, Theorem 2): the residual sum
is dropped when c is fixed, each kink form is restricted to the moving coordinates of its unit
(and dropped when v_j is held at 0), and r . relu(z_j) = 0 is required of every moving v_j.

A network with k > 1 outputs is decided by Theorem 3 of docs/method.md
(:mod:`.several_decision`): the same first-order conditions with vector residuals, and a cone
condition per unit that makes them survive the moves of v_j; where it fails, a second-order
test finds a descent or the point is "undecided" (the only undecided one-hidden-layer points).

The two-slope activation h(t) = t (t >= 0), s t (t < 0) (``params.negative_slope`` = s, torch's
LeakyReLU; s = 1 is the identity) is decided by the same criterion: h(z) = s z + (1 - s) relu(z),
so each kink form keeps its shape with p_j over every point (the inactive ones with slope s) and
kink weights (1 - s) R_jH (docs/activations.md; :mod:`.units` computes them).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar

from ...errors import CertificateError, ShapeError, require
from ...exact import linalg
from ...exact.datasets import Dataset, require_dataset
from ...exact.deep_relu import DeepReLU
from ...exact.germs import germ_sign, loss_germ
from ...exact.linalg import dot
from ...exact.numbers import sign
from ...exact.shallow_relu import ShallowReLU, activation
from ..certificate import (
    Certificate,
    Verdict,
    fraction_list,
    parse_fractions,
    register_certificate,
    witness_along,
)
from .kink_forms import SignDecision, decide_sign, decide_zero
from .proof_text import TITLE, proof_lines
from .units import (
    Descent,
    UnitReport,
    embed,
    moves_c,
    moves_v,
    place_unit_step,
    safe_radius,
    unit_evidence,
    unit_moving,
)

if TYPE_CHECKING:  # the several-output modules load with the first k > 1 problem (issue 30)
    from .second_order import SecondOrder

__all__ = ["Descent", "LocalMinimumCertificate", "UnitReport", "verify_shallow"]

Vec = tuple[Fraction, ...]


@register_certificate
@dataclass(frozen=True)
class LocalMinimumCertificate(Certificate):
    """The exact verdict on one one-hidden-layer point (Equation (1)), with its proof.

    ``str(cert)`` is the proof; ``cert.check()`` re-verifies the stored evidence (residuals,
    every unit's kink form and its sign decision, the radius, the descent direction) against
    ``params`` and ``dataset``; ``cert.witness(radius)`` gives a strictly better nearby point
    when the verdict is negative. ``radius`` is None unless the point is a minimum.
    """

    kind: ClassVar[str] = "shallow-relu"
    title: ClassVar[tuple[str, ...]] = TITLE

    params: ShallowReLU
    dataset: Dataset
    verdict: Verdict
    loss: Fraction
    residuals: Vec
    units: tuple[UnitReport, ...]
    radius: Fraction | None  # L >= loss on the max-norm ball of this radius (minimum only)
    descent: Descent | None
    direction: Vec | None  # the descent as a flat direction (exact.params layout)
    # r . relu(z_j) per unit: the derivative in v_j, a condition of its own when v_j moves but
    # u_j cannot move along itself (restricted parameterisations; implied otherwise)
    output_rates: Vec | None = None
    # k > 1 outputs: what the second-order test did (a unit's cone condition failed)
    second_order: SecondOrder | None = None

    @property
    def case(self) -> str:
        """Which condition decided: "kink criterion" (a minimum), the descent's kind, or
        "undecided" (k > 1 outputs only)."""
        if self.verdict is Verdict.UNDECIDED:
            return "undecided"
        return "kink criterion" if self.descent is None else self.descent.kind

    @property
    def kink_pairs(self) -> list[tuple[int, int]]:
        """(unit, data index) pairs with pre-activation exactly 0, 0-based."""
        return [(u.j, i) for u in self.units for ix in u.kink_indices for i in ix]

    def _reason(self) -> str:
        over = ("" if self.params.space.is_full
                else f" (parameterisation: {self.params.space.describe()})")
        if self.descent is not None:
            return self.descent.explanation + over
        if self.verdict is Verdict.UNDECIDED:
            from .several_decision import undecided_reason

            return undecided_reason(self.second_order) + over
        return ("every first-order condition holds exactly, and then L(theta') - L(theta) "
                f">= |F(theta') - F(theta)|^2 >= 0 within max-norm radius {self.radius}" + over)

    def _proof_lines(self) -> list[str]:
        if self.params.k > 1:
            from .several_proof import several_proof_lines

            return several_proof_lines(self)
        return proof_lines(self)

    def _witness(self, radius: Fraction) -> ShallowReLU:
        if self.direction is None:
            raise CertificateError("a 'not a local minimum' certificate without a direction")
        return witness_along(DeepReLU.from_shallow(self.params), self.dataset, self.direction,
                             radius, convert=lambda net: net.to_shallow())

    # -- re-verification of the stored evidence ---------------------------------------------
    def _check_evidence(self) -> None:
        p, D = self.params, self.dataset
        require(isinstance(p, ShallowReLU) and isinstance(D, Dataset),
                "params must be a ShallowReLU and dataset a Dataset")
        if p.k > 1:
            from .several_decision import check_several

            check_several(self)
            if self.verdict is Verdict.NOT_MINIMUM:
                self._check_flat_descent()
            return
        require(self.second_order is None and all(isinstance(u, UnitReport) for u in self.units),
                "k-output evidence on a one-output point")
        fresh = unit_evidence(p, D)
        require(self.residuals == fresh.residuals, "stored residuals are not params' residuals")
        require(len(self.units) == p.m, f"{len(self.units)} unit reports for m = {p.m} units")
        for u, (active, kinks, form) in zip(self.units, fresh.units, strict=True):
            name = f"unit {u.j + 1}"
            require(u.j == self.units.index(u), f"{name}: units out of order")
            require(u.v == p.v[u.j], f"{name}: stored v is not params' v")
            require(u.active == active, f"{name}: stored active points are not params'")
            require((u.kink_inputs, u.kink_indices) == (tuple(kinks), tuple(
                tuple(ix) for ix in kinks.values())), f"{name}: stored kinks are not params'")
            require(u.form == form, f"{name}: stored kink form is not the one of params")
            require(u.decision.sigma == sign(u.v), f"{name}: decides the wrong condition")
            u.decision._check()
        total = linalg.exact_sum(self.residuals)
        space = p.space
        require(self.output_rates is None or self.output_rates == fresh.rates,
                "stored r . relu(z_j) are not params'")
        if self.verdict is Verdict.MINIMUM:
            require(total == 0 or not moves_c(space),
                    f"sum of residuals {total} != 0 at a claimed minimum where c moves")
            require(all(u.ok for u in self.units), "a unit's condition fails at a claimed minimum")
            require(all(a == 0 for j, a in enumerate(fresh.rates) if moves_v(space, j)),
                    "r . relu(z_j) != 0 for a moving v_j at a claimed minimum")
            require(self.radius == safe_radius(p, p.preactivation_table(D), fresh.lifted),
                    "stored radius is not the one the proof gives")
            require(self.direction is None and self.descent is None,
                    "a claimed minimum carries a descent")
        elif self.verdict is Verdict.NOT_MINIMUM:
            self._check_flat_descent()
            require(self.radius is None, "a point that is not a minimum has no certified radius")
            self._check_descent(fresh.rates)
        else:
            raise CertificateError("one-output one-hidden-layer points are always decided")

    def _check_flat_descent(self) -> None:
        """The stored flat direction moves only moving coordinates and the exact loss germ
        along it decreases."""
        p, D = self.params, self.dataset
        require(self.direction is not None and len(self.direction) == p.space.size,
                "a 'not a local minimum' certificate needs a flat descent direction")
        moved = p.space.moved_fixed(self.direction)
        require(not moved, f"the descent moves fixed parameter(s) {moved}")
        germ = loss_germ(DeepReLU.from_shallow(p), D, self.direction)
        require(germ_sign((Fraction(0), *germ[1:])) < 0,
                "the loss does not decrease along the stored direction")

    def _check_descent(self, rates: Vec) -> None:
        """The stored descent and flat direction are the ones the verified unit evidence
        gives (so the explanation, rate and directions printed are derived, not stored); for a
        saddle, moving v_j the other way is an ascent (so "a saddle" is proven)."""
        p, D = self.params, self.dataset
        table = p.preactivation_table(D)
        descent = _first_descent(p, self.residuals, list(self.units), table, rates)
        require(descent is not None and self.descent == descent,
                "the stored descent (kind, unit, direction, rate, explanation) is not the one "
                "the verified unit evidence gives")
        require(self.direction == _flat_direction(p, D, self.residuals, list(self.units),
                                                  table, descent),
                "the stored flat direction is not the descent's")
        if descent.kind == "saddle":
            up = list(self.direction)
            v_pos = p.space.weight_index(2, 1, descent.unit + 1)
            up[v_pos] = -up[v_pos]
            germ = loss_germ(DeepReLU.from_shallow(p), D, tuple(up))
            require(germ_sign((Fraction(0), *germ[1:])) > 0,
                    "moving v the other way does not raise the loss: not proven a saddle")

    # -- JSON ----------------------------------------------------------------------------------
    def _evidence(self) -> dict[str, Any]:
        s = str
        several = self.params.k > 1
        return {
            "case": self.case,
            "radius": None if self.radius is None else s(self.radius),
            "residuals": [[s(t) for t in r] if several else s(r) for r in self.residuals],
            "kink_pairs": [{"unit": j + 1, "point": i + 1} for j, i in self.kink_pairs],
            "units": [_unit_json(u, several) for u in self.units],
            "descent": None if self.descent is None else {
                "kind": self.descent.kind,
                "unit": None if self.descent.unit is None else self.descent.unit + 1,
                "unit_direction": fraction_list(self.descent.direction),
                "rate": s(self.descent.rate),
                "explanation": self.descent.explanation,
            },
            "direction": fraction_list(self.direction),
            "parameterisation": self.params.space.describe(),
            **({} if self.output_rates is None else {
                "output_rates": fraction_list(self.output_rates)}),
            **({"second_order": None if self.second_order is None
                else self.second_order.to_dict()} if several else {}),
        }

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> LocalMinimumCertificate:
        ev = data["evidence"]
        params = ShallowReLU.from_json(data["params"])
        stated = ev.get("parameterisation", params.space.describe())
        if stated != params.space.describe():
            raise CertificateError(f"the evidence states the parameterisation {stated!r} but "
                                   f"params has {params.space.describe()!r}")
        several = params.k > 1
        if several:
            from .several import unit_from_dict
        units: list[Any] = []
        for u in ev["units"]:
            if several:
                units.append(unit_from_dict(u, int(u["unit"]) - 1))
                continue
            units.append(UnitReport(
                int(u["unit"]) - 1, Fraction(u["v"]),
                tuple(int(i) - 1 for i in u["active_points"]),
                tuple(tuple(Fraction(t) for t in k["input"]) for k in u["kinks"]),
                tuple(tuple(int(i) - 1 for i in k["points"]) for k in u["kinks"]),
                SignDecision.from_dict(u["decision"])))
        d = ev["descent"]
        descent = None if d is None else Descent(
            d["kind"], None if d["unit"] is None else int(d["unit"]) - 1,
            parse_fractions(d["unit_direction"]), Fraction(d["rate"]), d["explanation"])
        residuals = tuple(tuple(Fraction(t) for t in r) if several else Fraction(r)
                          for r in ev["residuals"])
        return cls(params, Dataset.from_json(data["dataset"]),
                   Verdict(data["verdict"]), Fraction(data["loss"]), residuals, tuple(units),
                   None if ev["radius"] is None else Fraction(ev["radius"]), descent,
                   parse_fractions(ev["direction"]), parse_fractions(ev.get("output_rates")),
                   _second_order_from(ev.get("second_order")))


def _unit_json(u: Any, several: bool) -> dict[str, Any]:
    s = str
    out = {
        "unit": u.j + 1,
        "v": [s(t) for t in u.v] if several else s(u.v),
        "active_points": [i + 1 for i in u.active],
        "kinks": [{"input": [s(t) for t in x], "points": [i + 1 for i in ix]}
                  for x, ix in zip(u.kink_inputs, u.kink_indices, strict=True)],
    }
    if not several:
        return {**out, "decision": u.decision.to_dict()}
    return {**out, "decision": None if u.sign is None else u.sign.to_dict(),
            "outputs": u.to_dict()}


def _second_order_from(data: Any) -> SecondOrder | None:
    if data is None:
        return None
    from .second_order import SecondOrder

    return SecondOrder(
        tuple(int(j) - 1 for j in data["critical_units"]), int(data["joint_size"]),
        str(data["joint"]),
        tuple((int(r["unit"]) - 1, None if r["least_q"] is None else Fraction(r["least_q"]))
              for r in data["rays"]),
        parse_fractions(data["direction"]),
        None if data["value"] is None else Fraction(data["value"]))


def verify_shallow(params: ShallowReLU, dataset: Dataset) -> LocalMinimumCertificate:
    """Decide exactly whether the one-hidden-layer point ``params`` is a local minimum of
    Equation (1) on ``dataset`` (docs/method.md, Theorem 1 there). Always decided.

    >>> from relu_minima import Dataset, ShallowReLU
    >>> D1 = Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])
    >>> verify_shallow(ShallowReLU(W=[1], b=[-3], v=[1], c=0), D1).radius
    Fraction(1, 10)
    """
    dataset = require_dataset(dataset)
    if not isinstance(params, ShallowReLU):
        raise ShapeError(f"params of type {type(params).__name__} must be a ShallowReLU.")
    return _verify_shallow(params, dataset)


def _verify_shallow(params: ShallowReLU, dataset: Dataset) -> LocalMinimumCertificate:
    if params.k > 1:  # Theorem 3 of docs/method.md
        from .several_decision import decide_several

        verdict, residuals, units_k, radius, descent_k, direction_k, record = decide_several(
            params, dataset)
        loss_k = linalg.sum_of_squares([t for r in residuals for t in r])
        return LocalMinimumCertificate(params, dataset, verdict, loss_k, residuals, units_k,
                                       radius, descent_k, direction_k, None, record)
    ev = unit_evidence(params, dataset)
    residuals = ev.residuals
    loss = linalg.sum_of_squares(residuals)
    units = []
    for j, (active, kinks, form) in enumerate(ev.units):
        vj = params.v[j]
        if form.dim == 0:  # nothing of u_j moves: the unit's kink condition is empty
            decision = SignDecision(True, sign(vj), form, (), (), None)
        else:
            decision = decide_zero(form) if vj == 0 else decide_sign(form, sign(vj))
        units.append(UnitReport(j, vj, active, tuple(kinks),
                                tuple(tuple(ix) for ix in kinks.values()), decision))
    table = params.preactivation_table(dataset)
    rates = None if params.space.is_full else ev.rates
    descent = _first_descent(params, residuals, units, table, ev.rates)
    if descent is None:
        radius = safe_radius(params, table, ev.lifted)
        return LocalMinimumCertificate(params, dataset, Verdict.MINIMUM, loss, residuals,
                                       tuple(units), radius, None, None, rates)
    direction = _flat_direction(params, dataset, residuals, units, table, descent)
    return LocalMinimumCertificate(params, dataset, Verdict.NOT_MINIMUM, loss, residuals,
                                   tuple(units), None, descent, direction, rates)


def _flat_direction(params: ShallowReLU, dataset: Dataset, residuals: Vec,
                    units: list[UnitReport], table: linalg.AffineTable,
                    descent: Descent) -> Vec:
    """The descent as one straight line in parameter space (docs/method.md, Lemma 2).

    bias: c against sum r. output: v_j against r . relu(z_j). unit: (w_j, b_j) along delta.
    saddle (v_j = 0, r . relu(z_j) = 0): (w_j, b_j) along delta and v_j by -sign(g) tau at
    once; the loss then changes by eps^2 (2 tau (-|g(delta)|) + tau^2 A) + O(eps^3) with
    A = sum_i relu(z_ij)^2, negative for tau = min(1, |g(delta)| / A).
    """
    space = params.space
    entries: dict[int, Fraction] = {}
    if descent.kind == "bias":
        entries[space.bias_index(2, 1)] = Fraction(-sign(linalg.exact_sum(residuals)))
        return space.unit_vector(entries)
    j = descent.unit
    if j is None:
        raise CertificateError(f"descent of kind {descent.kind!r} without a unit")
    phi = [activation(table.value(i, j), params.negative_slope) for i in range(dataset.n)]
    v_pos = space.weight_index(2, 1, j + 1)
    if descent.kind == "output":
        entries[v_pos] = Fraction(-sign(dot(residuals, phi)))
        return space.unit_vector(entries)
    delta = place_unit_step(space, entries, j, descent.direction, descent.kind)
    if descent.kind == "saddle":
        keep = (tuple(range(params.d + 1)) if space.is_full
                else unit_moving(space, j, params.v[j]))
        g = units[j].form(tuple(delta[k] for k in keep))
        A = sum((a * a for a in phi), Fraction(0))
        tau = Fraction(1) if A == 0 else min(Fraction(1), abs(g) / A)
        entries[v_pos] = -sign(g) * tau
    return space.unit_vector(entries)


def _first_descent(params: ShallowReLU, residuals: Vec, units: list[UnitReport],
                   table: linalg.AffineTable, rates: Vec) -> Descent | None:
    total = linalg.exact_sum(residuals)
    space = params.space
    h = "relu" if params.negative_slope == 0 else "h"  # the activation's name in the texts
    if total != 0 and moves_c(space):
        return Descent("bias", None, None, -abs(total),
                       f"the output bias c is not optimal: sum of residuals = {total} != 0, so "
                       f"dL/dc = {2 * total} and moving c by {'-' if total > 0 else '+'}s "
                       "lowers L for small s > 0")
    for u in units:
        name = f"unit {u.j + 1}"
        if u.ok:
            if moves_v(space, u.j) and rates[u.j] != 0:
                # only reachable when u_j cannot move along itself (restricted spaces)
                return Descent("output", u.j, None, -abs(rates[u.j]),
                               f"{name}: dL/dv = 2 r . {h}(z) = {2 * rates[u.j]} != 0")
            continue
        keep = unit_moving(space, u.j, u.v) if not space.is_full else tuple(range(params.d + 1))
        d = embed(u.decision.descent, keep, params.d + 1)
        g_d = u.form(u.decision.descent)
        if u.v != 0:
            return Descent("unit", u.j, d, u.v * g_d,
                           f"{name} (v = {u.v}): moving (w, b) along {_vec(d)} changes L at rate "
                           f"2 v g(delta) = {2 * u.v * g_d} < 0")
        first = rates[u.j]
        if first != 0:
            return Descent("output", u.j, None, -abs(first),
                           f"{name} has v = 0 but dL/dv = 2 r . {h}(z) = {2 * first} != 0")
        return Descent("saddle", u.j, d, -abs(g_d),
                       f"{name} has v = 0 and its kink form is not identically zero: "
                       f"g({_vec(d)}) = {g_d}; moving (w, b) by eps delta and v by "
                       "-sign(g) tau eps changes L by eps^2 (-2 tau |g| + tau^2 A) + O(eps^3) "
                       f"< 0 for 0 < tau < 2 |g| / A (A = sum_i {h}(z_i)^2), and moving v the "
                       "other way raises it by eps^2 (2 tau |g| + tau^2 A) + O(eps^3) > 0: "
                       "neither a local minimum nor a local maximum (a saddle)")
    return None


def _vec(v: Vec | None) -> str:
    return "(" + ", ".join(str(t) for t in (v or ())) + ")"
