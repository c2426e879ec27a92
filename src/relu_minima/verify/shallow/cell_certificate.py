"""The certificate of a cell minimum enclosed around a short centre (kind "shallow-relu-cell").

``certify_cell_minimum(centre, dataset)`` proves that the exact minimiser theta* of the loss
on the activation cell of ``centre`` (every pre-activation of ``centre`` nonzero) is a local
minimum of Equation (1), within a stated max-norm distance of ``centre``, with its loss
enclosed: the argument of :mod:`.cell_box`, in exact integer arithmetic, without writing
theta* down (its numbers have thousands of digits on a network of a few hundred parameters).
It returns None when the argument does not apply or its test does not pass (a point on a kink,
a live unit with v = 0, a singular or too ill-conditioned cell, or theta* possibly outside the
cell): then decide an exact point with ``verify_local_minimum``.

The verdict is about theta*, not about ``centre`` (which is in general not critical), as the
box certificates of sigmoid networks (docs/smooth.md). ``check()`` recomputes everything from
``params`` (the centre), ``dataset`` and three stored inputs: ``contraction`` (alpha, an
upper bound of ||I - R G||_inf for a float inverse R that check() computes afresh: any R would
do) and ``t_radius`` (eps, a bound on |t* - t_c|_inf), both *verified bounds* (a larger
stored value that still passes is a true, weaker statement), and ``fixed`` (columns of a
singular cell's design, each re-proved an exact combination of the others). Everything else
printed is derived from them: the loss enclosure, the distance bound, the radius of the
neighbourhood.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

import numpy as np

from ...errors import CertificateError, ShapeError, require
from ...exact import intmat
from ...exact.datasets import Dataset, require_dataset
from ...exact.enclosure import Enclosure, decimal_str
from ...exact.shallow_relu import ShallowReLU
from ..certificate import Certificate, Verdict, register_certificate
from .cell_box import (
    Cell,
    NormalEquations,
    centre_coordinates,
    check_cell,
    dependencies_hold,
    design,
    distinct_columns,
    enclose,
    gram_sum,
)

__all__ = ["CellMinimumCertificate", "cell_attempt", "certify_cell_minimum"]

TITLE = ("Cell-minimum certificate (exact integer arithmetic; the minimiser is enclosed, not "
         "written down)", "=" * 76)


def _decimal(q: Fraction, digits: int, up: bool) -> Fraction:
    """The nearest decimal with ``digits`` significant digits above (``up``) or below q."""
    if q == 0:
        return Fraction(0)
    a = abs(q)
    e = len(str(a.numerator)) - len(str(a.denominator)) - digits
    while Fraction(10) ** (e + digits) <= a:  # make 10^(e+digits-1) <= a < 10^(e+digits)
        e += 1
    while Fraction(10) ** (e + digits - 1) > a:
        e -= 1
    scale = Fraction(10) ** e
    k = q / scale
    n = -((-k.numerator) // k.denominator) if up else k.numerator // k.denominator
    return n * scale


def _fmt(q: Fraction) -> str:
    return decimal_str(q) if len(str(q)) > 12 else str(q)


def _loss_enclosure(centre_loss: Fraction, eps: Fraction, gsum: Fraction) -> Enclosure:
    return Enclosure(_decimal(centre_loss - eps * eps * gsum, 30, up=False),
                     _decimal(centre_loss, 30, up=True))


def _centre_loss(cell: Cell, params: ShallowReLU) -> Fraction:
    """F(t_c) = L(params), exactly, through the integer design (n values, no fractions)."""
    T, D = centre_coordinates(params, cell)
    P = design(cell)
    PT = intmat.matvec(P, T) if P.dtype != object else \
        [int(s) for s in P.dot(np.array(T, dtype=object))]
    total = sum((cell.Ly * a - cell.Lx * D * y) ** 2 for a, y in zip(PT, cell.Y, strict=True))
    return Fraction(total, (cell.Lx * D * cell.Ly) ** 2)


@register_certificate
@dataclass(frozen=True)
class CellMinimumCertificate(Certificate):
    """The exact minimiser theta* of ``params``' cell is a local minimum (module docstring)."""

    kind: ClassVar[str] = "shallow-relu-cell"
    title: ClassVar[tuple[str, ...]] = TITLE
    witness_check_radii: ClassVar[tuple[Fraction, ...]] = ()

    params: ShallowReLU  # the centre
    dataset: Dataset
    verdict: Verdict
    loss: Enclosure  # of L(theta*)
    contraction: Fraction  # alpha >= ||I - R G||_inf, < 1
    t_radius: Fraction  # eps >= |t* - t_c|_inf
    fixed: tuple[int, ...] = ()  # design columns shown to be combinations of the others

    # -- derived values (from params, dataset and eps; cached) ---------------------------------
    def _cell(self) -> Cell:
        cached = self.__dict__.get("_cell_cache")
        if cached is None:
            from .cell_box import cell_of

            cached = cell_of(self.params, self.dataset)
            object.__setattr__(self, "_cell_cache", cached)
        return cached

    @property
    def merged_columns(self) -> int:
        """Columns of P equal to an earlier one, merged into it (:func:`.cell_box.
        distinct_columns`): units active at the same points, or at every point (with c)."""
        cached = self.__dict__.get("_merged")
        if cached is None:
            owner = distinct_columns(design(self._cell()))
            cached = len(owner) - len(set(owner))
            object.__setattr__(self, "_merged", cached)
        return cached

    @property
    def distance_bound(self) -> Fraction:
        """max-norm |theta* - params| <= eps max(1, 1 / min |v_j| over live units)."""
        cell = self._cell()
        vmin = min((abs(self.params.v[j]) for j in cell.live), default=Fraction(1))
        return self.t_radius * max(Fraction(1), 1 / vmin)

    @property
    def radius(self) -> Fraction:
        """L >= L(theta*) on the max-norm ball of this radius around theta* (no pre-activation
        changes sign there: :meth:`.cell_box.Cell.radius`)."""
        r = self._cell().radius(self.params.v, self.t_radius)
        require(r is not None, "the centre is on a kink: no cell")
        return r

    @property
    def margin(self) -> Fraction:
        """min over live units j of |v_j| min_i |z_ij| / |(x_i, 1)|_1 at the centre."""
        m = self._cell().margin(self.params.v)
        require(m is not None, "the centre is on a kink or has a live unit with v = 0")
        return m

    # -- texts ---------------------------------------------------------------------------------
    def _reason(self) -> str:
        return ("the exact minimiser theta* of the loss on params' activation cell lies inside "
                f"the cell (|t* - t_c|_inf <= {_fmt(self.t_radius)}), so L >= L(theta*) within "
                f"max-norm {_fmt(self.radius)} of theta*, which is within max-norm "
                f"{_fmt(self.distance_bound)} of params: a local minimum (about theta*, not "
                "params)")

    def _proof_lines(self) -> list[str]:
        cell, p = self._cell(), self.params
        merged = (f"{self.merged_columns} column(s) of P equal an earlier one (units active "
                  "at the same points, or at every point, with c): F depends on each group "
                  "only through its sum, the argument runs in the sums s, and t* keeps the "
                  "centre's other coordinates. " if self.merged_columns else "")
        if self.fixed:
            merged += (f"Columns {', '.join(str(k + 1) for k in self.fixed)} of P (in the "
                       "order of t) are exact rational combinations of the other distinct "
                       "columns B (checked in integers: P_B z_k = p_k), so range(P_B) = "
                       "range(P) and min F is attained with those coordinates at the "
                       "centre's values; the argument runs in t_B, G = P_B^T P_B. ")
        lines = [
            "Claim: the exact minimiser theta* of the loss on the activation cell of params "
            "is a local minimum of L (Equation (1)), within max-norm "
            f"{_fmt(self.distance_bound)} of params, with L(theta*) in {self.loss}.",
            f"Setting: m = {p.m} unit(s), d = {p.d}, n = {self.dataset.n} point(s). Every "
            "pre-activation z_ij = w_j . x_i + b_j of params is nonzero (checked exactly); "
            f"{len(cell.live)} live unit(s) (z_ij > 0 at some point, v_j != 0), "
            f"{len(cell.dead)} dead unit(s) (z_ij < 0 at every point).",
            "On the cell (every z_ij keeping its sign) f(x_i) = (P t)_i in the q = "
            f"{cell.unknowns} coordinates t = phi(theta) = (v_j w_j, v_j b_j for the live "
            "units; c), so L = F(phi(theta)) with F(t) = |P t - y|^2 convex, t_c = "
            "phi(params). " + merged,
            "1. Enclosure (Rump's test for a linear system). C = I - R G, G = P^T P, for a "
            f"float inverse R, computed exactly: ||C||_inf <= alpha = {_fmt(self.contraction)}"
            " < 1. So R G = I - C is invertible, hence G, and F has the unique minimiser t* "
            "with G t* = P^T y. For e = t* - t_c, e = R (P^T y - G t_c) + C e, so |e|_inf <= "
            "|R (P^T y - G t_c)|_inf / (1 - alpha) <= eps = "
            f"{_fmt(self.t_radius)} (the residual P^T y - G t_c is exact).",
            "2. theta* := (w*_j, b*_j) = u*_j / v_j for the live units (u*_j their block of t*"
            "), c* from t*, every v_j and the dead units as in params; phi(theta*) = t*. For "
            "a live unit, |z*_ij - z_ij| <= |(x_i, 1)|_1 eps / |v_j| < |z_ij|, since min over "
            f"live (j, i) of |z_ij| |v_j| / |(x_i, 1)|_1 = {_fmt(self.margin)} > eps: theta* "
            "lies in the same open cell, and L(theta*) = F(t*) = min F.",
            "3. |theta* - params|_inf <= eps max(1, 1 / min |v_j| over live units) = "
            f"{_fmt(self.distance_bound)}.",
            f"4. Let rho = {_fmt(self.radius)}: half of min over units j of (min_i |z_ij| / "
            "|(x_i, 1)|_1, less eps / |v_j| for a live unit). For theta' within max-norm rho "
            "of theta*, |z'_ij - z*_ij| <= rho |(x_i, 1)|_1 < |z*_ij|: theta' is in the same "
            "cell, so L(theta') = F(phi(theta')) >= min F = L(theta*). So theta* is a local "
            "minimum; not a strict one (the rescaling (w_j, b_j, v_j) -> (w_j / a, b_j / a, "
            "a v_j) of Remark 1 keeps L).",
            f"5. L(theta*) in {self.loss}: F(t_c) = F(t*) + e^T G e (t* minimises F), 0 <= "
            "e^T G e <= eps^2 sum_kl |G_kl|, and F(t_c) = L(params) (params is in the cell); "
            "the ends are rounded outward to 30 digits.",
            "VERDICT: LOCAL MINIMUM, about theta* (the exact minimiser of the cell), not about "
            "params.",
        ]
        return [part for line in lines for part in
                textwrap.wrap(line, 96, subsequent_indent="   ", break_on_hyphens=False)]

    def _witness(self, radius: Fraction) -> Any:
        raise CertificateError("a cell certificate states a local minimum: it has no witness")

    # -- re-verification -----------------------------------------------------------------------
    def _check_loss(self) -> None:
        require(isinstance(self.loss, Enclosure), "the loss of a cell certificate is an "
                "enclosure")
        cell, eq, _ = self._evidence_now()
        fresh = _loss_enclosure(_centre_loss(cell, self.params), self.t_radius,
                                gram_sum(eq.G, cell.Lx))
        require(self.loss == fresh, f"stored loss {self.loss} is not the enclosure the proof "
                f"gives ({fresh})")

    def _evidence_now(self) -> tuple[Cell, NormalEquations, Any]:
        """The cell, normal equations and contraction, computed from params and dataset by
        check() (once per check: not shared with the decision, which made its own)."""
        cached = self.__dict__.get("_checking")
        if cached is None:
            require(isinstance(self.params, ShallowReLU) and isinstance(self.dataset, Dataset),
                    "params must be a ShallowReLU and dataset a Dataset")
            why = _not_covered(self.params, self.dataset)
            require(why is None, f"{why}")
            cell, eq, enc = enclose(self.params, self.dataset, fixed=self.fixed)
            check_cell(cell)
            require(eq is not None, "the cell has no normal equations")
            require(dependencies_hold(cell, self.fixed), f"the fixed columns "
                    f"{[k + 1 for k in self.fixed]} are not shown to be exact combinations of "
                    "the other columns of the design")
            cached = (cell, eq, enc)
            object.__setattr__(self, "_checking", cached)
        return cached

    def _check_evidence(self) -> None:
        require(isinstance(self.params, ShallowReLU) and isinstance(self.dataset, Dataset),
                "params must be a ShallowReLU and dataset a Dataset")
        require(self.verdict is Verdict.MINIMUM, "a cell certificate only states a minimum")
        require(0 <= self.contraction < 1, f"contraction {self.contraction} is not below 1")
        cell, _, enc = self._evidence_now()
        require(enc is not None, "G has no float inverse: no contraction can be shown")
        require(enc.alpha <= self.contraction, f"||I - R G||_inf = {float(enc.alpha):.3g} "
                f"exceeds the stored contraction {self.contraction}")
        require(enc.beta <= self.t_radius * (1 - self.contraction), "|R (P^T y - G t_c)|_inf "
                "/ (1 - alpha) exceeds the stored t_radius")
        margin = cell.margin(self.params.v)
        require(margin is not None and margin > self.t_radius,
                "the margin of the cell is not above t_radius: theta* may leave the cell")
        radius = cell.radius(self.params.v, self.t_radius)
        require(radius is not None and radius > 0, "no neighbourhood radius")

    # -- JSON ----------------------------------------------------------------------------------
    def _evidence(self) -> dict[str, Any]:
        cell = self._cell()
        return {"contraction": str(self.contraction), "t_radius": str(self.t_radius),
                "unknowns": cell.unknowns, "merged_columns": self.merged_columns,
                "fixed_columns": [k + 1 for k in self.fixed],
                "live_units": [j + 1 for j in cell.live],
                "margin": str(self.margin),
                "distance_bound": str(self.distance_bound), "radius": str(self.radius)}

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> CellMinimumCertificate:
        ev = data["evidence"]
        require(data["verdict"] == Verdict.MINIMUM.value, f"verdict {data['verdict']!r}: a "
                "cell certificate only states a local minimum")
        loss = Enclosure.parse(data["loss"])
        alpha, eps = _bound(ev, "contraction"), _bound(ev, "t_radius")
        require(alpha < 1, f"evidence.contraction={ev['contraction']!r} must be below 1 (the "
                "contraction test proves nothing otherwise)")
        fixed = ev.get("fixed_columns", [])
        require(isinstance(fixed, list) and all(type(k) is int and k >= 1 for k in fixed)
                and fixed == sorted(set(fixed)), f"evidence.fixed_columns={fixed!r} must be "
                "increasing column numbers of the design (1-based)")
        return cls(ShallowReLU.from_json(data["params"]), Dataset.from_json(data["dataset"]),
                   Verdict(data["verdict"]), loss, alpha, eps, tuple(k - 1 for k in fixed))


def _bound(evidence: dict[str, Any], name: str) -> Fraction:
    """A stored bound: a nonnegative rational written as a string (refused otherwise, by name,
    before check() runs)."""
    text = evidence.get(name)
    try:
        value = Fraction(text) if isinstance(text, str) else None
    except (ValueError, ZeroDivisionError):
        value = None
    require(value is not None and value >= 0, f"evidence.{name}={text!r} must be a "
            "nonnegative rational written as a string, e.g. '1/1000'")
    return value


def _stored_contraction(alpha: Fraction) -> Fraction | None:
    """A short bound above alpha with room for check()'s own float inverse: 1/1000 for a
    good inverse, else a decimal a little above; None when alpha is too close to 1."""
    for bound in (Fraction(1, 1000), Fraction(1, 10), Fraction(1, 2)):
        if 8 * alpha <= bound:
            return bound
    return None


def certify_cell_minimum(centre: ShallowReLU, dataset: Any) -> CellMinimumCertificate | None:
    """The certificate of the module docstring, or None when the argument does not apply or
    its test fails (then decide an exact point with ``verify_local_minimum``; why:
    :func:`cell_attempt`).

    >>> from relu_minima import Dataset, ShallowReLU
    >>> D = Dataset([0, 1, 2, 3], [1, 2, 3, 5])
    >>> cert = certify_cell_minimum(ShallowReLU([["13/10"]], ["3/10"], [1], "1/2"), D)
    >>> cert.status, cert.loss.lower <= Fraction(3, 10) <= cert.loss.upper
    ('local minimum', True)
    """
    return cell_attempt(centre, dataset)[0]


def _not_covered(centre: ShallowReLU, dataset: Dataset) -> str | None:
    """Why the cell argument does not apply to ``centre`` (before any arithmetic), or None."""
    if not centre.space.is_full:
        return (f"the parameterisation is restricted ({centre.space.describe()}); the cell "
                "argument covers the full one")
    if getattr(dataset, "k", 1) != 1:
        return f"the dataset has k={dataset.k} outputs; the cell argument is written for one"
    return None


def cell_attempt(centre: ShallowReLU, dataset: Any,
                 step: Callable[[str], None] = lambda text: None
                 ) -> tuple[CellMinimumCertificate | None, str]:
    """(the certificate, "") or (None, why not: the point is on a kink, a live unit has v = 0,
    the cell is singular or too ill-conditioned, or its minimiser may leave it). ``step`` is
    told each long step (a progress bar's text)."""
    dataset = require_dataset(dataset)
    if not isinstance(centre, ShallowReLU):
        raise ShapeError(f"centre of type {type(centre).__name__} must be a ShallowReLU.")
    why = _not_covered(centre, dataset)
    if why is not None:
        return None, why
    cell, eq, enc = enclose(centre, dataset, step, fixed=None)
    if cell.zero_at is not None:
        j, i = cell.zero_at
        return None, (f"the pre-activation of unit {j + 1} at point {i + 1} is exactly 0: the "
                      "point is on a kink, which the cell argument does not cover")
    if cell.silent is not None:
        return None, (f"unit {cell.silent + 1} is active on some point but has v = 0: the "
                      "cell argument needs v_j != 0 for every live unit")
    margin = cell.margin(centre.v)
    if margin is None:
        return None, "no unit is active on any point (the exact route decides such a point)"
    if eq is not None and eq.fixed and not dependencies_hold(cell, eq.fixed):
        return None, (f"the cell's design has {len(eq.fixed)} column(s) that floats find "
                      "dependent on the others, but no exact combination was found")
    if eq is None or enc is None:
        return None, ("the cell's Gram matrix G has no float inverse (a singular cell: some "
                      "column of the design is a combination of others)")
    alpha = _stored_contraction(enc.alpha)
    if alpha is None:
        return None, (f"||I - R G||_inf = {float(enc.alpha):.3g} for a float inverse R: the "
                      "cell is too ill-conditioned for the contraction test")
    eps = _decimal(2 * enc.beta / (1 - alpha), 2, up=True)
    if eps == 0:
        eps = Fraction(1, 10**30)  # t_c is the minimiser; a positive radius keeps the text
    if not margin > eps:
        return None, (f"the minimiser may leave the cell: |t* - t_c|_inf <= {_fmt(eps)} is "
                      f"not below the cell's margin {float(margin):.3g}")
    step("loss enclosure")
    loss = _loss_enclosure(_centre_loss(cell, centre), eps, gram_sum(eq.G, cell.Lx))
    cert = CellMinimumCertificate(centre, dataset, Verdict.MINIMUM, loss, alpha, eps, eq.fixed)
    object.__setattr__(cert, "_cell_cache", cell)  # a function of params and dataset
    if cert.radius <= 0:  # pragma: no cover - margin > eps makes every term positive
        raise CertificateError("internal: a cell certificate without a neighbourhood")
    return cert, ""
