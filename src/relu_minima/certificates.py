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
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from . import _linalg
from ._linalg import dot
from ._numbers import exact
from .datasets import Dataset
from .deep import DeepReLU
from .errors import ShapeError
from .kink_forms import KinkForm, SignDecision, decide_sign, decide_zero
from .networks import ShallowReLU, relu

__all__ = ["Descent", "LocalMinimumCertificate", "UnitReport", "verify_local_minimum"]

Vec = tuple[Fraction, ...]


@dataclass(frozen=True)
class UnitReport:
    """What the proof says about hidden unit j (0-based ``j``; printed 1-based)."""

    j: int
    v: Fraction
    active: tuple[int, ...]  # data indices with w_j . x_i + b_j > 0
    kink_inputs: tuple[Vec, ...]  # distinct inputs with pre-activation exactly 0
    kink_indices: tuple[tuple[int, ...], ...]  # the data indices at each of them
    decision: SignDecision

    @property
    def form(self) -> KinkForm:
        return self.decision.form

    @property
    def ok(self) -> bool:
        return self.decision.holds


@dataclass(frozen=True)
class Descent:
    """A move along which the loss strictly decreases (a proof that theta is not a minimum).

    kind: "bias" (move c), "unit" (move u_j = (w_j, b_j) along ``direction``, v_j != 0),
    "output" (move v_j away from 0), or "saddle" (v_j = 0: move u_j along ``direction``, then
    v_j; the decrease is of second order, proportional to the product of the two steps).
    """

    kind: str
    unit: int | None
    direction: Vec | None
    rate: Fraction  # the first-order (or mixed second-order) coefficient, < 0
    explanation: str


@dataclass(frozen=True)
class LocalMinimumCertificate:
    """The exact verdict on one parameter point, with its proof.

    ``str(cert)`` is the proof; ``cert.check()`` re-verifies it from ``params`` and
    ``dataset`` alone; ``cert.witness(radius)`` gives a strictly better nearby point when the
    verdict is negative.
    """

    params: ShallowReLU
    dataset: Dataset
    is_local_minimum: bool
    loss: Fraction
    residuals: Vec
    units: tuple[UnitReport, ...]
    radius: Fraction  # L >= loss on the max-norm ball of this radius (when a minimum)
    descent: Descent | None

    @property
    def status(self) -> str:
        return "local minimum" if self.is_local_minimum else "not a local minimum"

    @property
    def reason(self) -> str:
        if self.descent is None:
            return ("every first-order condition holds exactly, and then L(theta') - L(theta) "
                    f">= |F(theta') - F(theta)|^2 >= 0 within max-norm radius {self.radius}")
        return self.descent.explanation

    @property
    def kink_pairs(self) -> list[tuple[int, int]]:
        """(unit, data index) pairs with pre-activation exactly 0, 0-based."""
        return [(u.j, i) for u in self.units for ix in u.kink_indices for i in ix]

    # -- witnesses ---------------------------------------------------------------------------
    def witness(self, radius: Any = Fraction(1, 1000)) -> ShallowReLU | None:
        """A point within max-norm ``radius`` of params with strictly lower exact loss.

        ``None`` for a local minimum (then no such point exists for radius <= self.radius).
        """
        rad = exact(radius, "radius")
        if rad <= 0:
            raise ValueError(f"radius={rad} must be positive.")
        if self.descent is None:
            return None
        move = _move(self, rad)
        step = rad
        for _ in range(400):
            candidate = move(step)
            if candidate.loss(self.dataset) < self.loss:
                assert candidate.distance(self.params) <= rad
                return candidate
            step /= 2
        raise AssertionError(  # unreachable: the descent rate is negative (docs/method.md)
            "no decrease found along a proven descent move; please report this as a bug"
        )

    # -- re-verification ---------------------------------------------------------------------
    def check(self) -> None:
        """Re-verify every statement of the certificate from the raw params and dataset."""
        fresh = verify_local_minimum(self.params, self.dataset)
        assert fresh.is_local_minimum == self.is_local_minimum, "verdict differs"
        assert fresh.loss == self.loss == self.params.loss(self.dataset), "loss differs"
        assert fresh.residuals == self.residuals == tuple(self.params.residuals(self.dataset))
        assert fresh.radius == self.radius
        assert sum(self.residuals) == 0 or self.descent is not None
        for unit in self.units:
            unit.decision._check()
            if not unit.ok:
                assert not self.is_local_minimum
        if self.descent is not None:
            assert not self.is_local_minimum
            w = self.witness(Fraction(1, 1000))
            assert w is not None and w.loss(self.dataset) < self.loss
        else:
            assert self.is_local_minimum and all(u.ok for u in self.units)

    # -- presentation ------------------------------------------------------------------------
    def __str__(self) -> str:
        from ._proof_text import render

        return render(self)

    def to_json(self) -> dict[str, Any]:
        """The certificate with exact numbers as strings."""
        s = str
        return {
            "status": self.status,
            "is_local_minimum": self.is_local_minimum,
            "loss": s(self.loss),
            "radius": s(self.radius),
            "residuals": [s(r) for r in self.residuals],
            "params": self.params.to_json(),
            "dataset": self.dataset.to_json(),
            "kink_pairs": [{"unit": j + 1, "point": i + 1} for j, i in self.kink_pairs],
            "units": [
                {
                    "unit": u.j + 1,
                    "v": s(u.v),
                    "active_points": [i + 1 for i in u.active],
                    "kinks": [
                        {"input": [s(t) for t in x], "points": [i + 1 for i in ix],
                         "residual_sum": s(w)}
                        for x, ix, w in zip(u.kink_inputs, u.kink_indices, u.form.weights,
                                            strict=True)
                    ],
                    "p": [s(t) for t in u.form.p],
                    "condition": {1: "g >= 0", -1: "g <= 0", 0: "g == 0"}[u.decision.sigma],
                    "holds": u.ok,
                    "span_coefficients": None if u.decision.span_coefficients is None
                    else [s(t) for t in u.decision.span_coefficients],
                    "rays": [{"direction": [s(t) for t in r.direction], "g": s(r.value)}
                             for r in u.decision.rays],
                    "descent_direction": None if u.decision.descent is None
                    else [s(t) for t in u.decision.descent],
                    "convex_weights": None if u.decision.convex_weights is None
                    else [s(t) for t in u.decision.convex_weights],
                    "evidence": u.decision.to_dict(),
                }
                for u in self.units
            ],
            "descent": None if self.descent is None else {
                "kind": self.descent.kind,
                "unit": None if self.descent.unit is None else self.descent.unit + 1,
                "direction": None if self.descent.direction is None
                else [s(t) for t in self.descent.direction],
                "rate": s(self.descent.rate),
                "explanation": self.descent.explanation,
            },
        }


def verify_local_minimum(params: Any, dataset: Dataset) -> Any:
    """Decide exactly whether ``params`` is a local minimum of the squared loss on ``dataset``.

    ``params`` is a :class:`ShallowReLU` (decided for every point) or a ``DeepReLU`` (decided
    where exact first/second-order reasoning settles it, otherwise ``undecided``).

    >>> from relu_minima import Dataset, ShallowReLU
    >>> D1 = Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])
    >>> cert = verify_local_minimum(ShallowReLU(W=[1], b=[-3], v=[1], c=0), D1)
    >>> cert.is_local_minimum, cert.loss
    (True, Fraction(18, 1))
    """
    if not isinstance(dataset, Dataset):
        raise ShapeError(
            f"dataset={dataset!r} must be a relu_minima.Dataset; build one with Dataset(X, y)."
        )
    if not isinstance(params, ShallowReLU):
        if isinstance(params, DeepReLU):
            from .blind_spots import verify_deep_local_minimum  # it imports this module

            return verify_deep_local_minimum(params, dataset)
        raise ShapeError(
            f"params of type {type(params).__name__} is not a network relu_minima knows; "
            "use ShallowReLU(W, b, v, c) or DeepReLU(weights, biases)."
        )
    return _verify_shallow(params, dataset)


def _verify_shallow(params: ShallowReLU, dataset: Dataset) -> LocalMinimumCertificate:
    table = params.preactivation_table(dataset)  # checks dimensions
    outputs = table.relu_combination(params.v, params.c)
    residuals = tuple(f - y for f, y in zip(outputs, dataset.y, strict=True))
    loss = sum((r * r for r in residuals), Fraction(0))
    lifted = [(*x, Fraction(1)) for x in dataset.X]
    weighted = [tuple(r * t for t in x) for r, x in zip(residuals, lifted, strict=True)]
    n, num = dataset.n, table.num

    actives = [tuple(i for i in range(n) if num[i][j] > 0) for j in range(params.m)]
    ps = _linalg.group_sums(weighted, actives)
    units = []
    for j in range(params.m):
        kinks: dict[Vec, list[int]] = {}
        for i in range(n):
            if num[i][j] == 0:
                kinks.setdefault(dataset.X[i], []).append(i)
        form = KinkForm(
            ps[j],
            tuple((*x, Fraction(1)) for x in kinks),
            tuple(sum((residuals[i] for i in ix), Fraction(0)) for ix in kinks.values()),
        )
        vj = params.v[j]
        decision = decide_zero(form) if vj == 0 else decide_sign(form, 1 if vj > 0 else -1)
        units.append(UnitReport(j, vj, actives[j], tuple(kinks),
                                tuple(tuple(ix) for ix in kinks.values()), decision))

    radius = _safe_radius(params, table, lifted)
    descent = _first_descent(params, residuals, units, table)
    return LocalMinimumCertificate(params, dataset, descent is None, loss, residuals,
                                   tuple(units), radius, descent)


def _safe_radius(params: ShallowReLU, table: _linalg.AffineTable, lifted: list[Vec]) -> Fraction:
    """Half the largest max-norm radius on which no nonzero pre-activation and no v_j changes sign.

    |delta_u . n_i| <= |delta_u|_inf |n_i|_1, so |delta_u|_inf < |z_ij| / |n_i|_1 keeps z_ij's
    sign; |delta_v_j| < |v_j| keeps v_j's sign. Halving makes the bound strict on a closed ball.
    """
    bounds = [abs(vj) for vj in params.v if vj != 0]
    for row, rd, x in zip(table.num, table.row_den, lifted, strict=True):
        best = None  # min over j of |num| / col_den, compared by cross-multiplication
        for a, cd in zip(row, table.col_den, strict=True):
            if a != 0 and (best is None or abs(a) * best[1] < best[0] * cd):
                best = (abs(a), cd)
        if best is not None:
            norm1 = sum((abs(t) for t in x), Fraction(0))
            bounds.append(Fraction(best[0], best[1] * rd) / norm1)
    return min(bounds) / 2 if bounds else Fraction(1)


def _first_descent(params: ShallowReLU, residuals: Vec, units: list[UnitReport],
                   table: _linalg.AffineTable) -> Descent | None:
    total = sum(residuals, Fraction(0))
    if total != 0:
        return Descent("bias", None, None, -abs(total),
                       f"the output bias c is not optimal: sum of residuals = {total} != 0, so "
                       f"dL/dc = {2 * total} and moving c by {'-' if total > 0 else '+'}s "
                       "lowers L for small s > 0")
    for u in units:
        if u.ok:
            continue
        d = u.decision.descent
        g_d = u.form(d)
        name = f"unit {u.j + 1}"
        if u.v != 0:
            return Descent("unit", u.j, d, u.v * g_d,
                           f"{name} (v = {u.v}): moving (w, b) along {_vec(d)} changes L at rate "
                           f"2 v g(delta) = {2 * u.v * g_d} < 0")
        activation = tuple(relu(table.value(i, u.j)) for i in range(len(residuals)))
        first = dot(residuals, activation)
        if first != 0:
            return Descent("output", u.j, None, -abs(first),
                           f"{name} has v = 0 but dL/dv = 2 r . relu(z) = {2 * first} != 0")
        return Descent("saddle", u.j, d, -abs(g_d),
                       f"{name} has v = 0 and its kink form is not identically zero: "
                       f"g({_vec(d)}) = {g_d}; moving (w, b) by eta*delta and v by "
                       f"-sign(g) s changes L by -2 eta s |g| + O(s^2) < 0 (a saddle)")
    return None


def _move(cert: LocalMinimumCertificate, rad: Fraction):
    """The one-parameter family of points along the certificate's descent move."""
    params, desc = cert.params, cert.descent
    assert desc is not None
    if desc.kind == "bias":
        sign = 1 if sum(cert.residuals) > 0 else -1
        return lambda s: params.replace(c=params.c - sign * s)
    j = desc.unit
    assert j is not None
    if desc.kind == "output":
        table = params.preactivation_table(cert.dataset)
        activation = [relu(table.value(i, j)) for i in range(cert.dataset.n)]
        sign = 1 if dot(cert.residuals, activation) > 0 else -1
        return lambda s: _with_unit(params, j, v=params.v[j] - sign * s)
    direction = _unit_max_norm(desc.direction)
    if desc.kind == "unit":
        return lambda s: _with_unit(params, j, delta=tuple(s * t for t in direction))
    # saddle: move u_j a fixed small amount eta, then shrink the output step s
    eta = min(rad, cert.radius)
    sign = 1 if cert.units[j].form(direction) > 0 else -1
    shifted = tuple(eta * t for t in direction)
    return lambda s: _with_unit(params, j, delta=shifted, v=-sign * s)


def _with_unit(params: ShallowReLU, j: int, delta: Vec | None = None,
               v: Fraction | None = None) -> ShallowReLU:
    W = [list(r) for r in params.W]
    b = list(params.b)
    vv = list(params.v)
    if delta is not None:
        W[j] = [w + t for w, t in zip(W[j], delta[:-1], strict=True)]
        b[j] = b[j] + delta[-1]
    if v is not None:
        vv[j] = v
    return params.replace(W=W, b=b, v=vv)


def _unit_max_norm(vec: Vec | None) -> Vec:
    assert vec is not None
    top = max(abs(t) for t in vec)
    return tuple(t / top for t in vec)


def _vec(v: Vec | None) -> str:
    return "(" + ", ".join(str(t) for t in (v or ())) + ")"
