"""The certificate of a decision *at the given point* of a sigmoid/tanh network (kind
"smooth-point"): what ``verify_local_minimum(SmoothNet(...), D)`` returns (docs/smooth.md).

The loss of a sigmoid/tanh network at a rational point is irrational, and its critical points
are (in general) irrational too: a rational point given by a user is essentially never exactly
critical. So the honest answers about *that* point are:

* "not a local minimum", by one of two rules, each re-verified by ``check()``:

  - *gradient*: an exact direction u with grad L(params) . u <= ``slope`` < 0 (ball
    enclosure at params): L(params + t u) < L(params) for every small t > 0;
  - *curvature*: an exact u with u^T H u <= ``curvature`` < 0 at every point of the box
    params +- ``radius``: t -> L(params + t u) is strictly concave near 0, so one of
    L(params +- t u) is below L(params) for every small t != 0, whatever the gradient is
    (a saddle, a maximum, or a point near one);

  either way with an exact ``lower_point`` of proven lower loss (``witness(r)`` gives one
  within any radius, where the decrease is above the resolution of the enclosures);
* "undecided", with the verified bound |grad L(params)|_inf <= ``gradient_bound`` (every
  coordinate's enclosure contains 0: balls cannot tell the gradient from 0) and, when one was
  found, the ``nearby`` box certificate (:class:`~.box_certificate.SmoothCertificate`, verdict
  "local minimum"): a strict local minimum theta* lies within max-norm distance
  |params - centre| + radius of params. params is a local minimum only if it is theta*, which
  no enclosure can decide at a rational point. Or an exact flat direction of the data
  (``flat_kind``), or the float search's ``notes`` (a record, labelled as such).

It never says "local minimum": what ``snap`` reports for a trained smooth network is the
nearby certified minimum, *as such* (the box certificate).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from ...errors import require
from ...exact.datasets import Dataset
from ...exact.enclosure import Enclosure
from ...exact.smooth_net import SmoothNet
from ..certificate import WITNESS_HINT, Certificate, Verdict, register_certificate
from .box_certificate import LossEnclosure, SmoothCertificate
from .derivatives import SmoothObjective
from .flatness import structural_flatness
from .intervals import ball, precision, quadratic_form, upper_fraction
from .proof_text import at_most, exact_radius

__all__ = ["SmoothPointCertificate"]


def _fmt(q: Fraction | None) -> str | None:
    return None if q is None else str(q)


@register_certificate
@dataclass(frozen=True)
class SmoothPointCertificate(Certificate):
    """The decision at ``params`` itself (see the module docstring)."""

    kind: ClassVar[str] = "smooth-point"
    # the witness is proven from the stored evidence; at a fixed tiny radius the decrease may
    # lie below the resolution of the loss enclosure
    witness_check_radii: ClassVar[tuple[Fraction, ...]] = ()
    params: SmoothNet
    dataset: Dataset
    verdict: Verdict
    loss: LossEnclosure  # L(params)
    objective: str = "squared"
    precision: int = 128
    direction: tuple[Fraction, ...] | None = None
    slope: Fraction | None = None  # gradient rule: grad L . u <= slope < 0
    radius: Fraction | None = None  # curvature rule: the box params +- radius
    curvature: Fraction | None = None  # u^T H u <= curvature < 0 on the box
    lower_point: tuple[Fraction, ...] | None = None
    lower_loss: LossEnclosure | None = None
    gradient_bound: Fraction | None = None  # undecided: |grad L(params)|_inf <= this
    nearby: SmoothCertificate | None = None  # undecided: a certified strict minimum near
    flat_kind: str | None = None
    flat_vector: tuple[Fraction, ...] | None = None
    notes: str | None = None

    def _objective(self) -> Any:
        return SmoothObjective.of(self.params, self.dataset, self.objective)

    @property
    def rule(self) -> str | None:
        """"gradient" or "curvature" for a non-minimum, else None."""
        if self.verdict is not Verdict.NOT_MINIMUM:
            return None
        return "gradient" if self.slope is not None else "curvature"

    @property
    def nearby_distance(self) -> Fraction | None:
        """A bound on the max-norm distance from params to the nearby minimum theta*: theta*
        lies in the Krawczyk image K(X), within ``krawczyk_bound`` of the box centre, and in the
        inner box when there is one (both re-verified by the nearby certificate's check)."""
        nb = self.nearby
        if nb is None:
            return None
        bounds = [t for t in (nb.krawczyk_bound, nb.inner_radius) if t is not None]
        return self.params.distance(nb.params) + min(bounds)

    # -- witnesses ---------------------------------------------------------------------------
    def _witness(self, radius: Fraction) -> SmoothNet | None:
        require(self.direction is not None, "a 'not a local minimum' certificate without "
                "a direction")
        obj = self._objective()
        p = obj.coords(self.params)
        if self.lower_point is not None and max(
                abs(a - b) for a, b in zip(self.lower_point, p, strict=True)) <= radius:
            return obj.network(self.lower_point)
        top = max(abs(t) for t in self.direction)
        t = radius / top
        signs = (1,) if self.rule == "gradient" else (1, -1)
        with precision(self.precision):
            for _ in range(60):
                for s in signs:
                    point = tuple(a + s * t * u for a, u in zip(p, self.direction, strict=True))
                    if upper_fraction(obj.ball_loss(point)) < self.loss.lower:
                        return obj.network(point)
                t /= 2
        return None  # the decrease is below the resolution of the stored loss enclosure

    def loss_at(self, point: SmoothNet) -> LossEnclosure:
        obj = SmoothObjective.of(point, self.dataset, self.objective)
        with precision(self.precision):
            return LossEnclosure.of_ball(obj.ball_loss(obj.coords(point)))

    # -- re-verification ---------------------------------------------------------------------
    def _check_loss(self) -> None:
        require(isinstance(self.params, SmoothNet), "params is not a SmoothNet")
        require(isinstance(self.loss, Enclosure), f"loss {self.loss!r} is not an enclosure")

    def _check_evidence(self) -> None:
        obj = self._objective()
        p = obj.coords(self.params)
        require(all(len(vec) == obj.n for vec in (self.direction, self.lower_point)
                    if vec is not None), "stored vectors do not have one entry per moving "
                "coordinate")
        with precision(self.precision):
            value, grad, _ = obj.ball_derivatives(p, Fraction(0), order=1)
            require(self.loss.contains_ball(value),
                    f"stored loss {self.loss} does not contain the loss of params")
            if self.verdict is Verdict.NOT_MINIMUM:
                self._check_descent(obj, p, grad)
            else:
                require(self.verdict is Verdict.UNDECIDED, "a smooth point decision never "
                        "proves a local minimum (docs/smooth.md)")
                self._check_undecided(obj, grad)

    def _check_descent(self, obj: Any, p: tuple[Fraction, ...], grad: Any) -> None:
        require(self.direction is not None and any(self.direction), "no direction stored")
        require(all(getattr(self, k) is None for k in ("gradient_bound", "nearby", "flat_kind",
                                                       "flat_vector", "notes")),
                "a descent certificate carries an undecided one's evidence")
        if self.slope is not None:
            require(self.radius is None and self.curvature is None and self.slope < 0,
                    "the gradient rule stores a negative slope and no box")
            q = sum((grad[k, 0] * ball(a) for k, a in enumerate(self.direction)), ball(0))
            require(q.is_finite() and upper_fraction(q) <= self.slope,
                    f"grad L(params) . u is not <= the stored slope {self.slope}")
        else:
            require(self.radius is not None and self.radius > 0 and self.curvature is not None
                    and self.curvature < 0, "the curvature rule stores a box and a negative "
                    "curvature")
            _, _, HX = obj.ball_derivatives(p, self.radius, order=2)
            require(upper_fraction(quadratic_form(HX, self.direction)) <= self.curvature,
                    f"u^T H u is not <= the stored {self.curvature} over the box")
        if self.lower_point is None:  # the gradient rule may have no resolvable lower point
            require(self.lower_loss is None and self.slope is not None,
                    "no point of proven lower loss")
            return
        require(self.lower_loss is not None and self.lower_loss.upper < self.loss.lower,
                "no point of proven lower loss")
        require(self.lower_loss.contains_ball(obj.ball_loss(self.lower_point)),
                "stored loss of the lower point does not contain its enclosure")

    def _check_undecided(self, obj: Any, grad: Any) -> None:
        require(all(getattr(self, k) is None for k in ("direction", "slope", "radius",
                                                       "curvature", "lower_point",
                                                       "lower_loss")),
                "an undecided certificate carries a decision's evidence")
        if obj.n == 0:
            require(self.gradient_bound is None and self.nearby is None and self.notes is None
                    and self.flat_kind is None, "no parameter moves: nothing else to say")
            return
        entries = [grad[k, 0] for k in range(obj.n)]
        if self.gradient_bound is None:
            require(not all(g.is_finite() for g in entries) and self.notes is not None
                    and self.nearby is None and self.flat_kind is None,
                    "no gradient bound stored, but the gradient enclosure is finite")
            return
        require(all(g.is_finite() and g.contains(0) for g in entries),
                "the gradient enclosure at params excludes 0 in some coordinate: the point is "
                "decidable (not a local minimum)")
        require(max(upper_fraction(abs(g)) for g in entries) <= self.gradient_bound,
                f"|grad L(params)|_inf is not <= the stored {self.gradient_bound}")
        reasons = [x is not None for x in (self.nearby, self.flat_kind, self.notes)]
        require(sum(reasons) <= 1, "more than one reason stored")
        if self.nearby is not None:
            nb = self.nearby
            require(isinstance(nb, SmoothCertificate) and nb.verdict is Verdict.MINIMUM
                    and nb.dataset == self.dataset and nb.objective == self.objective
                    and nb.params.space == self.params.space
                    and nb.params.activation == self.params.activation,
                    "the nearby certificate is not a minimum of the same problem")
            nb.check()
        if self.flat_kind is not None:
            found = structural_flatness(self.params, self.dataset)
            require(self.params.space.is_full and found is not None
                    and (self.flat_kind, self.flat_vector) == found[:2],
                    f"the stored flat direction ({self.flat_kind}) is not an exact flat "
                    "direction of these data")

    # -- JSON ----------------------------------------------------------------------------------
    def _evidence(self) -> dict[str, Any]:
        def vec(values: tuple[Fraction, ...] | None) -> list[str] | None:
            return None if values is None else [str(t) for t in values]

        return {
            "objective": self.objective, "precision_bits": self.precision,
            "direction": vec(self.direction), "slope": _fmt(self.slope),
            "radius": _fmt(self.radius), "curvature": _fmt(self.curvature),
            "lower_point": vec(self.lower_point),
            "lower_loss": None if self.lower_loss is None else str(self.lower_loss),
            "gradient_bound": _fmt(self.gradient_bound),
            "nearby": None if self.nearby is None else self.nearby.to_dict(),
            "flat_kind": self.flat_kind, "flat_vector": vec(self.flat_vector),
            "notes": self.notes,
        }

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> SmoothPointCertificate:
        ev = data["evidence"]

        def q(text: str | None) -> Fraction | None:
            return None if text is None else Fraction(text)

        def vec(values: list[str] | None) -> tuple[Fraction, ...] | None:
            return None if values is None else tuple(Fraction(t) for t in values)

        nearby = ev["nearby"]
        return cls(
            params=SmoothNet.from_json(data["params"]),
            dataset=Dataset.from_json(data["dataset"]), verdict=Verdict(data["verdict"]),
            loss=LossEnclosure.parse(data["loss"]), objective=ev["objective"],
            precision=int(ev["precision_bits"]), direction=vec(ev["direction"]),
            slope=q(ev["slope"]), radius=q(ev["radius"]), curvature=q(ev["curvature"]),
            lower_point=vec(ev["lower_point"]),
            lower_loss=None if ev["lower_loss"] is None else LossEnclosure.parse(
                ev["lower_loss"]),
            gradient_bound=q(ev["gradient_bound"]),
            nearby=None if nearby is None else Certificate.from_json(nearby),
            flat_kind=ev["flat_kind"], flat_vector=vec(ev["flat_vector"]), notes=ev["notes"],
        )

    # -- derived texts -------------------------------------------------------------------------
    def _reason(self) -> str:
        if self.rule == "gradient":
            return ("not a local minimum: the gradient at params is not zero (grad L(params) . u "
                    f"<= {at_most(self.slope)} < 0 for an exact direction u), so the loss "
                    "decreases along u from params")
        if self.rule == "curvature":
            return ("not a local minimum: u^T H u <= "
                    f"{at_most(self.curvature)} < 0 at every point of the box params +- "
                    f"{exact_radius(self.radius)} for an exact direction u, so the loss is "
                    "strictly concave along u there and one of params +- t u is lower for "
                    "every small t")
        net = self.params
        if self._objective().n == 0:
            return f"no parameter moves ({net.space.describe()}): there is nothing to decide"
        if self.gradient_bound is None:
            return f"{self.notes} (so nothing is proven about params)"
        head = (f"|grad L(params)|_inf <= {at_most(self.gradient_bound)} and every coordinate's "
                "enclosure contains 0, so ball arithmetic cannot tell the gradient from 0 (a "
                "rational point of a sigmoid/tanh network is essentially never exactly critical)")
        if self.nearby is not None:
            return (f"{head}; a strict local minimum theta* lies within max-norm distance <= "
                    f"{at_most(self.nearby_distance)} of params (the nearby certificate); "
                    "params is a local minimum only if it is theta* itself, which no "
                    "enclosure can decide")
        if self.flat_kind is not None:
            found = structural_flatness(self.params, self.dataset)
            return f"{head}; {found[2] if found else 'flat direction'}"
        return (f"{head}; {self.notes} [the float64 search's record: evidence, not a proof, "
                "and not re-verified by check()]")

    def _proof_lines(self) -> list[str]:
        net = self.params
        shape = f"{net.d}-{net.m}-1 {net.activation} network"
        lines = [f"{self.status.upper()}: the given point params of a {shape}, "
                 f"{self.objective} loss on {self.dataset.n} points (ball arithmetic, "
                 f"{self.precision}-bit midpoints).", f"L(params) in {self.loss}."]
        if not net.space.is_full:
            lines.append(f"Parameterisation: {net.space.describe()}; only the moving "
                         "coordinates are varied.")
        if self.rule == "gradient":
            lines += [f"1. Gradient: for the exact direction u (stored), the enclosure of "
                      f"grad L(params) . u lies below {at_most(self.slope)} < 0, so "
                      "L(params + t u) < L(params) for every small t > 0: params is not a "
                      "local minimum.",
                      f"2. The exact point params + t u (stored) has loss in {self.lower_loss}, "
                      "strictly lower." if self.lower_point is not None else
                      f"2. The decrease is below the resolution of {self.precision}-bit "
                      "enclosures: no lower point is stored, and witness(r) may find none.",
                      WITNESS_HINT]
        elif self.rule == "curvature":
            lines += [f"1. Curvature: the exact direction u (stored) has u^T H u <= "
                      f"{at_most(self.curvature)} < 0 at every point of the box params +- "
                      f"{exact_radius(self.radius)} (Hessian enclosure over the box), so "
                      "phi(t) = L(params + t u) is strictly concave near 0: phi(t) + phi(-t) < "
                      "2 phi(0), and params is not a local minimum, whatever its gradient.",
                      f"2. The exact point params + t u (stored, u signed) has loss in "
                      f"{self.lower_loss}, strictly lower.", WITNESS_HINT]
        lines.append(f"Reason: {self.reason}")
        if self.nearby is not None:
            lines += ["", "The nearby certificate (about theta*, not about params):",
                      *self.nearby.render().splitlines()]
        return lines
