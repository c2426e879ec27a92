"""The certificate of a sigmoid/tanh network decision (kind "smooth"), and its re-verification.

A smooth certificate speaks about the *box* X = params +- radius (max norm) around its exact
rational centre ``params``, because the loss of a sigmoid/tanh network at a rational point is
not rational and the critical point itself is (in general) irrational:

* "local minimum": X holds exactly one critical point theta* of the loss (Krawczyk test), the
  Hessian is positive definite at every point of X (Gershgorin on a congruent form), so theta*
  is a strict local minimum (indeed the unique minimiser of L on X, which is convex there),
  and L(theta*) lies in the stored enclosure ``loss``;
* "not a local minimum": X holds exactly one critical point theta*, and an exact direction u
  has u^T H u < 0 at every point of X, so the loss decreases along u from theta* (a saddle or
  a local maximum: which one is not decided, and not claimed); ``lower_point`` is an exact
  point whose loss is proved (by balls) below L(theta*);
* "undecided": the reason says why: no moving parameter, an exact flat direction (re-verified),
  or the float search's record ``notes`` (a numerically singular Hessian, no critical point
  near the start, a box too large), which is evidence, not a proof, and is printed as such.

``check()`` recomputes every ball enclosure from the stored box, precision, dataset and loss
(the preconditioners Y and Q are recomputed: any matrices would do, they only decide whether
the test succeeds) and compares with the stored evidence; it never re-runs the search. The
reason and the proof text are derived from the evidence (they are not stored).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from ...errors import require
from ...exact.datasets import Dataset
from ...exact.enclosure import Enclosure
from ...exact.smooth_net import SmoothNet
from ..certificate import Certificate, Verdict, register_certificate
from .derivatives import SmoothObjective
from .flatness import structural_flatness
from .intervals import (
    decimal_down,
    decimal_str,
    decimal_up,
    krawczyk,
    lower_fraction,
    positive_definite,
    precision,
    quadratic_form,
    sci,
    taylor_enclosure,
    upper_fraction,
)
from .proof_text import at_most, proof_lines

__all__ = ["LossEnclosure", "SmoothCertificate"]


@dataclass(frozen=True)
class LossEnclosure(Enclosure):
    """An :class:`~relu_minima.exact.enclosure.Enclosure` of a loss, made from a ball."""

    @classmethod
    def of_ball(cls, x: Any, digits: int = 30) -> LossEnclosure:
        """Outward decimal rounding of a ball (``digits`` significant digits)."""
        return cls(decimal_down(lower_fraction(x), digits), decimal_up(upper_fraction(x), digits))

    def contains_ball(self, x: Any) -> bool:
        return self.lower <= lower_fraction(x) and upper_fraction(x) <= self.upper


def _fmt(q: Fraction | None) -> str | None:
    return None if q is None else decimal_str(q) if _is_decimal(q) else str(q)


def _is_decimal(q: Fraction) -> bool:
    den = q.denominator
    for p in (2, 5):
        while den % p == 0:
            den //= p
    return den == 1


@register_certificate
@dataclass(frozen=True)
class SmoothCertificate(Certificate):
    """The decision on a one-hidden-layer sigmoid/tanh network (see the module docstring)."""

    kind: ClassVar[str] = "smooth"
    # the witness of a "not a local minimum" box is proven from its own stored evidence
    # (``lower_point``, ``lower_loss``); at a fixed tiny radius it may lie below the
    # resolution of the loss enclosure
    witness_check_radii: ClassVar[tuple[Fraction, ...]] = ()
    params: SmoothNet
    dataset: Dataset
    verdict: Verdict
    loss: LossEnclosure
    objective: str = "squared"
    precision: int = 128
    radius: Fraction | None = None
    inner_radius: Fraction | None = None
    start: SmoothNet | None = None
    krawczyk_bound: Fraction | None = None
    contraction: Fraction | None = None
    pd_margin: Fraction | None = None
    eigen_lower: Fraction | None = None
    direction: tuple[Fraction, ...] | None = None
    curvature: Fraction | None = None
    lower_point: tuple[Fraction, ...] | None = None
    lower_loss: LossEnclosure | None = None
    flat_kind: str | None = None
    flat_vector: tuple[Fraction, ...] | None = None
    notes: str | None = None  # undecided: the float search's record (evidence, not a proof)

    # -- helpers ---------------------------------------------------------------------------
    def _objective(self) -> Any:
        """The loss over the moving coordinates of ``params.space`` (all of them by default)."""
        return SmoothObjective.of(self.params, self.dataset, self.objective)

    @property
    def box(self) -> tuple[tuple[Fraction, Fraction], ...] | None:
        """The box as exact (lower, upper) pairs per moving coordinate, or None (the fixed
        coordinates of a restricted parameterisation stay at params' values)."""
        if self.radius is None:
            return None
        return tuple((t - self.radius, t + self.radius)
                     for t in self._objective().coords(self.params))

    # -- witnesses ---------------------------------------------------------------------------
    def _witness(self, radius: Fraction) -> SmoothNet | None:
        """An exact point within ``radius`` of the centre with loss proved below L(theta*)."""
        require(self.direction is not None and self.lower_point is not None,
                "a 'not a local minimum' certificate without a direction")
        obj = self._objective()
        centre = obj.coords(self.params)
        if max(abs(a - b) for a, b in zip(self.lower_point, centre, strict=True)) <= radius:
            return obj.network(self.lower_point)
        top = max(abs(t) for t in self.direction)
        t = radius / top
        signs = (1, -1) if self.concave else (1,)
        with precision(self.precision):
            for _ in range(40):
                for sgn in signs:
                    point = tuple(a + sgn * t * u
                                  for a, u in zip(centre, self.direction, strict=True))
                    if upper_fraction(obj.ball_loss(point)) < self.loss.lower:
                        return obj.network(point)
                t /= 2
        return None  # the descent is below the resolution of the stored loss enclosure

    def loss_at(self, point: SmoothNet) -> LossEnclosure:
        """An enclosure of another point's loss (balls at the certificate's precision)."""
        obj = SmoothObjective.of(point, self.dataset, self.objective)
        with precision(self.precision):
            return LossEnclosure.of_ball(obj.ball_loss(obj.coords(point)))

    # -- re-verification ---------------------------------------------------------------------
    def _check_loss(self) -> None:
        """The loss is an enclosure; which value it must contain depends on the verdict and is
        checked with the rest of the evidence."""
        require(isinstance(self.params, SmoothNet), "params is not a SmoothNet")
        require(isinstance(self.loss, Enclosure), f"loss {self.loss!r} is not an enclosure")

    def _check_evidence(self) -> None:
        """Recompute the ball enclosures from the stored box and compare with the evidence."""
        obj = self._objective()
        centre = obj.coords(self.params)
        require(all(len(vec) == obj.n for vec in (self.direction, self.lower_point)
                    if vec is not None), "stored vectors do not have one entry per moving "
                "coordinate")
        with precision(self.precision):
            if self.verdict is Verdict.UNDECIDED:
                require(self.loss.contains_ball(obj.ball_loss(centre)),
                        f"stored loss {self.loss} does not contain the loss of params")
                self._check_undecided(obj)
                return
            require(self.notes is None and self.flat_kind is None,
                    "a decided certificate carries an undecided one's evidence")
            require(self.radius is not None and self.radius > 0, "no box in the certificate")
            if self.concave:
                self._check_concave(obj, centre)
                return
            require(self.krawczyk_bound is not None and self.krawczyk_bound < self.radius,
                    "the stored Krawczyk image is not inside the box")
            kr = krawczyk(obj, centre, self.radius)
            require(kr.inside and kr.image_bound <= self.krawczyk_bound,
                    f"Krawczyk test fails: |K(X) - centre| <= {sci(kr.image_bound)}, "
                    f"stored {sci(self.krawczyk_bound)}, radius {sci(self.radius)}")
            require(self.contraction is not None and kr.contraction <= self.contraction,
                    f"||I - Y H(X)||_inf <= {sci(kr.contraction)} over the box is not "
                    f"below the stored {self.contraction}")
            at_min = taylor_enclosure(kr.value, kr.gradient, kr.hessian, kr.offsets)
            if self.inner_radius is not None:
                # a smaller box with a Krawczyk image inside holds a critical point, which is
                # the unique one of the big box: its enclosure of L(theta*) is the tight one
                require(0 < self.inner_radius < self.radius, "inner box not inside the box")
                small = krawczyk(obj, centre, self.inner_radius)
                require(small.inside, "Krawczyk test fails on the stored inner box")
                at_min = taylor_enclosure(small.value, small.gradient, small.hessian,
                                          small.offsets)
            require(self.loss.contains_ball(at_min),
                    f"stored loss {self.loss} does not contain the enclosure {at_min} of "
                    "L at the critical point")
            if self.verdict is Verdict.MINIMUM:
                self._check_minimum(kr.hessian)
            else:
                self._check_descent(obj, kr.hessian)

    def _check_minimum(self, HX: Any) -> None:
        pd = positive_definite(HX)
        require(self.pd_margin is not None and self.pd_margin > 0
                and self.eigen_lower is not None, "no positive Gershgorin margin stored")
        require(pd.positive and pd.margin >= self.pd_margin,
                f"Hessian positive definiteness fails over the box (margin "
                f"{sci(pd.margin)}, stored {sci(self.pd_margin)})")
        require(pd.eigen_lower >= self.eigen_lower,
                "stored eigenvalue bound is not implied by the Gershgorin test")
        require(self.direction is None and self.curvature is None and self.lower_point is None
                and self.lower_loss is None, "a claimed minimum carries a descent")

    def _check_descent(self, obj: Any, HX: Any) -> None:
        require(self.direction is not None and self.curvature is not None
                and self.curvature < 0, "no negative curvature stored")
        require(self.pd_margin is None and self.eigen_lower is None,
                "a descent certificate carries a minimum's evidence")
        q = quadratic_form(HX, self.direction)
        require(upper_fraction(q) <= self.curvature,
                f"u^T H u <= {sci(upper_fraction(q))} over the box, not <= "
                f"stored {sci(self.curvature)}")
        require(self.lower_point is not None and self.lower_loss is not None
                and self.lower_loss.upper < self.loss.lower,
                "no point of proven lower loss stored")
        require(self.lower_loss.contains_ball(obj.ball_loss(self.lower_point)),
                "stored loss of the lower point does not contain its enclosure")

    def _check_concave(self, obj: Any, centre: tuple[Fraction, ...]) -> None:
        """The concavity rule (no Krawczyk box): u^T H u <= curvature < 0 over the whole box,
        so no point of the box is a local minimum; the loss is that of the centre."""
        require(self.verdict is Verdict.NOT_MINIMUM and self.inner_radius is None
                and self.contraction is None and self.pd_margin is None
                and self.eigen_lower is None, "a concavity certificate carries other evidence")
        require(self.loss.contains_ball(obj.ball_loss(centre)),
                f"stored loss {self.loss} does not contain the loss of params")
        _, _, HX = obj.ball_derivatives(centre, self.radius, order=2)
        self._check_descent(obj, HX)

    @property
    def concave(self) -> bool:
        """"Not a local minimum" by concavity over the box (no Krawczyk test, no theta*)."""
        return self.verdict is Verdict.NOT_MINIMUM and self.krawczyk_bound is None

    def _check_undecided(self, obj: Any) -> None:
        """Exactly one reason: no moving parameter, an exact flat direction (re-verified), or
        the float search's notes (a record, printed as such)."""
        require(all(getattr(self, name) is None for name in (
            "radius", "inner_radius", "krawczyk_bound", "contraction", "pd_margin",
            "eigen_lower", "direction", "curvature", "lower_point", "lower_loss")),
            "an undecided certificate carries a decision's evidence")
        if obj.n == 0:
            require(self.flat_kind is None and self.notes is None,
                    "no parameter moves: nothing else can be the reason")
        elif self.flat_kind is not None:
            require(self.notes is None, "a flat direction and notes: two reasons")
            self._check_flat()
        else:
            require(bool(self.notes), "an undecided certificate gives no reason")

    def _check_flat(self) -> str:
        """The stored flat direction is the exact one of these data; returns its reason."""
        found = structural_flatness(self.params, self.dataset)
        what = ("the data do not lie on the stored hyperplane a . x = beta"
                if self.flat_kind == "affine-data" else
                "the data have at least m + 1 distinct inputs, or lie on a hyperplane")
        require(self.params.space.is_full and found is not None
                and (self.flat_kind, self.flat_vector) == found[:2],
                f"the stored flat direction ({self.flat_kind}) is not an exact flat direction "
                f"of these data: {what}")
        return found[2]

    # -- JSON ----------------------------------------------------------------------------------
    def _evidence(self) -> dict[str, Any]:
        def vec(values: tuple[Fraction, ...] | None) -> list[str] | None:
            return None if values is None else [str(t) for t in values]

        return {
            "objective": self.objective,
            "precision_bits": self.precision,
            "radius": _fmt(self.radius),
            "inner_radius": _fmt(self.inner_radius),
            "start": None if self.start is None else self.start.to_json(),
            "krawczyk_bound": _fmt(self.krawczyk_bound),
            "contraction": _fmt(self.contraction),
            "pd_margin": _fmt(self.pd_margin),
            "eigen_lower": _fmt(self.eigen_lower),
            "direction": vec(self.direction),
            "curvature": _fmt(self.curvature),
            "lower_point": vec(self.lower_point),
            "lower_loss": None if self.lower_loss is None else str(self.lower_loss),
            "flat_kind": self.flat_kind,
            "flat_vector": vec(self.flat_vector),
            **({} if self.notes is None else {"notes": self.notes}),
        }

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> SmoothCertificate:
        ev = data["evidence"]

        def net(j: dict[str, Any]) -> SmoothNet:
            return SmoothNet.from_json(j)

        def q(text: str | None) -> Fraction | None:
            return None if text is None else Fraction(text)

        def vec(values: list[str] | None) -> tuple[Fraction, ...] | None:
            return None if values is None else tuple(Fraction(t) for t in values)

        def enclosure(text: str | None) -> LossEnclosure | None:
            return None if text is None else LossEnclosure.parse(text)

        verdict, params = Verdict(data["verdict"]), net(data["params"])
        notes = ev.get("notes")
        if (notes is None and data["schema_version"] == 1 and verdict is Verdict.UNDECIDED
                and ev["flat_kind"] is None and any(params.space.moving)):
            notes = data["reason"]  # version 1 stored the float search's notes as the reason
        return cls(
            params=params, dataset=Dataset.from_json(data["dataset"]),
            verdict=verdict, loss=enclosure(data["loss"]),
            objective=ev["objective"], precision=int(ev["precision_bits"]),
            radius=q(ev["radius"]), inner_radius=q(ev.get("inner_radius")),
            start=None if ev["start"] is None else net(ev["start"]),
            krawczyk_bound=q(ev["krawczyk_bound"]), contraction=q(ev["contraction"]),
            pd_margin=q(ev["pd_margin"]), eigen_lower=q(ev["eigen_lower"]),
            direction=vec(ev["direction"]), curvature=q(ev["curvature"]),
            lower_point=vec(ev["lower_point"]), lower_loss=enclosure(ev["lower_loss"]),
            flat_kind=ev["flat_kind"], flat_vector=vec(ev["flat_vector"]), notes=notes,
        )

    # -- derived texts -------------------------------------------------------------------------
    def _reason(self) -> str:
        net = self.params
        if self.verdict is Verdict.MINIMUM:
            return ("strict local minimum: one critical point in the box, positive definite "
                    "Hessian on the whole box" + ("" if net.space.is_full else
                    f" (over the moving parameters; {net.space.describe()})"))
        if self.concave:
            return ("not a local minimum anywhere inside the box: u^T H u <= "
                    f"{at_most(self.curvature)} < 0 at every point of it for an exact "
                    "direction u, so the loss is strictly concave along u there and no interior "
                    "point of the box (in particular no critical point in it) is a local "
                    "minimum")
        if self.verdict is Verdict.NOT_MINIMUM:
            return ("not a local minimum: the only critical point theta* in the box has "
                    f"u^T H u <= {at_most(self.curvature)} < 0 over the whole box for an "
                    "exact direction u, so the loss decreases along u from theta*")
        if self._objective().n == 0:
            return f"no parameter moves ({net.space.describe()}): there is nothing to decide"
        if self.flat_kind is not None:
            return self._check_flat()
        return (f"{self.notes} [the float64 search's record: evidence, not a proof, and not "
                "re-verified by check()]")

    def _proof_lines(self) -> list[str]:
        return proof_lines(self)
