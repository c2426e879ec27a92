"""The certificate of a sigmoid/tanh network decision (kind "smooth"), and its re-verification.

A smooth certificate speaks about the *box* X = params +- radius (max norm) around its exact
rational centre ``params``, because the loss of a sigmoid/tanh network at a rational point is
not rational and the critical point itself is (in general) irrational:

* "local minimum": X holds exactly one critical point theta* of the loss (Krawczyk test), the
  Hessian is positive definite at every point of X (Gershgorin on a congruent form), so theta*
  is a strict local minimum (indeed the unique minimiser of L on X, which is convex there),
  and L(theta*) lies in the stored enclosure ``loss``;
* "not a local minimum": X holds exactly one critical point theta*, and an exact direction u
  has u^T H u < 0 at every point of X, so theta* is a saddle; ``lower_point`` is an exact point
  whose loss is proved (by balls) below L(theta*);
* "undecided": ``reason`` says why (an exact flat direction, a numerically singular Hessian,
  no critical point near the start, a box too large).

``check()`` recomputes every ball enclosure from the stored box, precision, dataset and loss
(the preconditioners Y and Q are recomputed: any matrices would do, they only decide whether
the test succeeds) and compares with the stored evidence; it never re-runs the search.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from ...errors import CertificateError, require
from ...exact.datasets import Dataset
from ...exact.smooth_net import SmoothNet
from ..certificate import SCHEMA, SCHEMA_VERSION, Certificate, Verdict, register_certificate
from .derivatives import SmoothObjective
from .intervals import (
    decimal_str,
    krawczyk,
    lower_fraction,
    positive_definite,
    precision,
    quadratic_form,
    taylor_enclosure,
    upper_fraction,
)

__all__ = ["LossEnclosure", "SmoothCertificate"]


@dataclass(frozen=True)
class LossEnclosure:
    """A closed interval [lower, upper] of exact rationals proven to contain a loss value."""

    lower: Fraction
    upper: Fraction

    def __str__(self) -> str:
        return f"[{decimal_str(self.lower)}, {decimal_str(self.upper)}]"

    @classmethod
    def parse(cls, text: str) -> LossEnclosure:
        lo, hi = text.strip().strip("[]").split(",")
        return cls(Fraction(lo.strip()), Fraction(hi.strip()))

    @classmethod
    def of_ball(cls, x: Any, digits: int = 30) -> LossEnclosure:
        """Outward decimal rounding of a ball (``digits`` significant digits)."""
        from .intervals import decimal_down, decimal_up

        return cls(decimal_down(lower_fraction(x), digits), decimal_up(upper_fraction(x), digits))

    def contains_ball(self, x: Any) -> bool:
        return self.lower <= lower_fraction(x) and upper_fraction(x) <= self.upper

    @property
    def width(self) -> Fraction:
        return self.upper - self.lower


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
    params: SmoothNet
    dataset: Dataset
    verdict: Verdict
    loss: LossEnclosure
    reason: str
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
        with precision(self.precision):
            for _ in range(40):
                point = tuple(a + t * u for a, u in zip(centre, self.direction, strict=True))
                if upper_fraction(obj.ball_loss(point)) < self.loss.lower:
                    return obj.network(point)
                t /= 2
        return None  # the descent is below the resolution of the stored loss enclosure

    # -- re-verification ---------------------------------------------------------------------
    def check(self) -> bool:
        """Recompute the ball enclosures from the stored box and compare with the evidence."""
        require(isinstance(self.verdict, Verdict), f"verdict={self.verdict!r} is not a Verdict")
        require(isinstance(self.params, SmoothNet), "params is not a SmoothNet")
        require(bool(self.reason), "the certificate gives no reason")
        require(self.loss.lower <= self.loss.upper, f"loss {self.loss} is an empty interval")
        obj = self._objective()
        centre = obj.coords(self.params)
        require(all(len(vec) == obj.n for vec in (self.direction, self.lower_point)
                    if vec is not None), "stored vectors do not have one entry per moving "
                "coordinate")
        with precision(self.precision):
            if self.verdict is Verdict.UNDECIDED:
                require(self.loss.contains_ball(obj.ball_loss(centre)),
                        f"stored loss {self.loss} does not contain the loss of params")
                self._check_flat()
                return True
            require(self.radius is not None and self.radius > 0, "no box in the certificate")
            require(self.krawczyk_bound is not None and self.krawczyk_bound < self.radius,
                    "the stored Krawczyk image is not inside the box")
            kr = krawczyk(obj, centre, self.radius)
            require(kr.inside and kr.image_bound <= self.krawczyk_bound,
                    f"Krawczyk test fails: |K(X) - centre| <= {float(kr.image_bound):.3e}, "
                    f"stored {float(self.krawczyk_bound):.3e}, radius {float(self.radius):.3e}")
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
                pd = positive_definite(kr.hessian)
                require(self.pd_margin is not None and self.pd_margin > 0,
                        "no positive Gershgorin margin stored")
                require(pd.positive and pd.margin >= self.pd_margin,
                        f"Hessian positive definiteness fails over the box (margin "
                        f"{float(pd.margin):.3e}, stored {float(self.pd_margin):.3e})")
                require(self.eigen_lower is None or pd.eigen_lower >= self.eigen_lower,
                        "stored eigenvalue bound is not implied by the Gershgorin test")
            else:
                require(self.direction is not None and self.curvature is not None
                        and self.curvature < 0, "no negative curvature stored")
                q = quadratic_form(kr.hessian, self.direction)
                require(upper_fraction(q) <= self.curvature,
                        f"u^T H u <= {float(upper_fraction(q)):.3e} over the box, not <= "
                        f"stored {float(self.curvature):.3e}")
                require(self.lower_point is not None and self.lower_loss is not None
                        and self.lower_loss.upper < self.loss.lower,
                        "no point of proven lower loss stored")
                require(self.lower_loss.contains_ball(obj.ball_loss(self.lower_point)),
                        "stored loss of the lower point does not contain its enclosure")
        return True

    def _check_flat(self) -> None:
        if self.flat_kind is None:
            return
        if self.flat_kind == "affine-data":
            a = self.flat_vector
            require(a is not None and len(a) == self.dataset.d + 1 and any(a[:-1]),
                    "the stored flat direction is not a vector (a, beta) with a != 0")
            for i, x in enumerate(self.dataset.X):
                require(sum((s * t for s, t in zip(a, x, strict=False)), Fraction(0)) == a[-1],
                        f"a . x_{i + 1} != beta: the data do not lie on the stored hyperplane")
        elif self.flat_kind == "output-layer":
            require(len(self.dataset.groups()) < self.params.m + 1,
                    "the data have at least m + 1 distinct inputs")
        else:
            raise CertificateError(f"unknown flat_kind={self.flat_kind!r}")

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
        }

    def to_dict(self) -> dict[str, Any]:
        """The certificate as JSON-able data (the common schema; the witness is stored)."""
        return {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "kind": self.kind,
            "verdict": self.verdict.value,
            "is_local_minimum": self.is_local_minimum,
            "loss": str(self.loss),
            "reason": self.reason,
            "params": self.params.to_json(),
            "dataset": self.dataset.to_json(),
            "evidence": self._evidence(),
            "witness": None if self.lower_point is None else {
                "params": [str(t) for t in self.lower_point], "loss": str(self.lower_loss)},
            "proof_text": self.proof_text,
        }

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> SmoothCertificate:
        ev = data["evidence"]
        p = data["params"]

        def net(j: dict[str, Any]) -> SmoothNet:
            return SmoothNet.from_json(j)

        def q(text: str | None) -> Fraction | None:
            return None if text is None else Fraction(text)

        def vec(values: list[str] | None) -> tuple[Fraction, ...] | None:
            return None if values is None else tuple(Fraction(t) for t in values)

        return cls(
            params=net(p), dataset=Dataset.from_json(data["dataset"]),
            verdict=Verdict(data["verdict"]), loss=LossEnclosure.parse(data["loss"]),
            reason=data["reason"], objective=ev["objective"], precision=int(ev["precision_bits"]),
            radius=q(ev["radius"]), inner_radius=q(ev.get("inner_radius")),
            start=None if ev["start"] is None else net(ev["start"]),
            krawczyk_bound=q(ev["krawczyk_bound"]), contraction=q(ev["contraction"]),
            pd_margin=q(ev["pd_margin"]), eigen_lower=q(ev["eigen_lower"]),
            direction=vec(ev["direction"]), curvature=q(ev["curvature"]),
            lower_point=vec(ev["lower_point"]),
            lower_loss=None if ev["lower_loss"] is None else LossEnclosure.parse(ev["lower_loss"]),
            flat_kind=ev["flat_kind"], flat_vector=vec(ev["flat_vector"]),
        )

    # -- proof text ----------------------------------------------------------------------------
    @property
    def proof_text(self) -> str:
        net = self.params
        shape = f"{net.d}-{net.m}-1 {net.activation} network"
        head = (f"{self.status.upper()}: {self.objective} loss of a {shape} on "
                f"{self.dataset.n} points (ball arithmetic, {self.precision}-bit midpoints).")
        lines = [head]
        if self.verdict is Verdict.UNDECIDED:
            lines += [f"Reason: {self.reason}", f"L(params) in {self.loss}."]
            return "\n".join(lines)
        rho = float(self.radius or 0)
        if not net.space.is_full:
            lines.append(f"Parameterisation: {net.space.describe()}; L is taken as a function "
                         "of the moving coordinates only, the others held at params' values.")
        lines += [
            f"Box X: the exact rational centre c = params (theta, {self._objective().n} "
            f"{'moving ' if not net.space.is_full else ''}coordinates, layout w_1..w_m, b, v, "
            f"c) +- {rho:.3e} in max norm.",
        ]
        if self.start is not None and self.start != net:
            lines.append(f"Start: the given point lies at max-norm distance "
                         f"{float(self.start.distance(net)):.3e} from c (Newton's method, float64 "
                         "then ball midpoints, found c; only the tests below prove anything).")
        lines += [
            "1. Krawczyk: with Y an approximate inverse of the midpoint Hessian (float64, or at "
            "the working precision), K(X) = c - Y grad L(c) "
            "+ (I - Y H(X))(X - c) satisfies |K(X) - c|_inf <= "
            f"{float(self.krawczyk_bound or 0):.3e} < {rho:.3e} "
            f"(||I - Y H(X)||_inf <= {float(self.contraction or 0):.3e}), so X contains "
            "exactly one critical point theta* of L, and theta* lies in K(X).",
        ]
        if self.verdict is Verdict.MINIMUM:
            lines += [
                "2. Hessian: for Q = float eigenvectors of mid H(X) scaled by |lambda|^-1/2 (or "
                "the inverse transpose of a Cholesky factor of mid H(X) at the working precision), "
                "Gershgorin's discs of the ball matrix Q^T H(X) Q lie right of "
                f"{float(self.pd_margin or 0):.3e} > 0, so every Hessian on X is positive "
                f"definite (lambda_min >= {float(self.eigen_lower or 0):.3e}); L is strictly "
                "convex on X and theta* is its unique minimiser there: a strict local minimum.",
                f"3. L(theta*) in {self.loss} (Taylor at c with Lagrange remainder in H(X)"
                + ("" if self.inner_radius is None else
                   f", on the inner box c +- {float(self.inner_radius):.1e}, whose Krawczyk "
                   "image is inside it too, so it holds theta*") + ").",
            ]
        else:
            lines += [
                "2. Negative curvature: the exact direction u (stored) has u^T H u <= "
                f"{float(self.curvature or 0):.3e} < 0 at every point of X, in particular at "
                "theta*, where the gradient vanishes: theta* is a saddle, not a local minimum.",
                f"3. L(theta*) in {self.loss}; the exact point c + t u (stored) has loss in "
                f"{self.lower_loss}, strictly lower.",
            ]
        lines.append(f"Reason: {self.reason}")
        return "\n".join(lines)
