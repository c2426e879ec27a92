"""The certificate of the deep decision (Equation (2)): :class:`DeepCertificate`.

The verdict of :func:`relu_minima.verify.deep.rules.verify_deep_local_minimum` on one
full-space deep point, with the evidence of the rule that decided it (the blind spot, the
class-mean bound, the family's proof, the one-hidden-layer certificate of a depth-2 point, or
a descent direction and its loss germ), which ``check()`` re-verifies from params and data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, ClassVar

from ...errors import CertificateError, require
from ...exact.datasets import Dataset
from ...exact.deep_relu import DeepReLU
from ...exact.germs import Poly, add, germ_sign, loss_germ
from ...exact.params import ParameterSpace
from ..certificate import (
    Certificate,
    Verdict,
    fraction_list,
    parse_fractions,
    register_certificate,
    witness_along,
)
from .blind_spots import BlindSpot, find_blind_spot
from .blind_spots import class_bound as _class_bound  # the name DeepCertificate.check() reads
from .families import FamilyProof

__all__ = ["DeepCertificate"]


# -- the certificate -------------------------------------------------------------------------
@register_certificate
@dataclass(frozen=True)
class DeepCertificate(Certificate):
    """The exact verdict on one deep parameter point (Equation (2)), with its proof.

    ``case`` names the rule that decided: "blind spot", "output bias", "class-mean bound",
    "family: all-zero", "family: zero layer", "family: affine tail", "family: monotone tail",
    "depth-2 criterion",
    "convex (depth 1)",
    "descent direction" or "undecided"; ``family`` the family's proof of a minimum.
    ``direction`` is a flat descent direction (:mod:`relu_minima.exact.params`) with its exact
    loss ``germ``; ``lower_bound`` the class-mean bound; ``shallow`` the one-hidden-layer
    certificate of a depth-2 point.
    """

    kind: ClassVar[str] = "deep-relu"

    params: DeepReLU
    dataset: Dataset
    verdict: Verdict
    loss: Fraction
    reason: str
    case: str
    proof: tuple[str, ...]
    target_mean: Fraction
    blind_spot: BlindSpot | None = None
    constant_output: Fraction | None = None  # the blind spot's output on every data point
    lower_bound: Fraction | None = None  # the class-mean bound B (rule 2)
    direction: tuple[Fraction, ...] | None = None  # descent direction (flat parameters)
    germ: Poly | None = None  # loss polynomial along ``direction``
    shallow: Any = field(default=None, repr=False)  # LocalMinimumCertificate (depth 2)
    family: FamilyProof | None = None  # a family's proof of a minimum (deep_families)

    @property
    def proof_text(self) -> str:
        p = self.params
        lines = [
            "Exact local-minimum certificate for a deep ReLU network (rational arithmetic)",
            "=" * 76,
            f"Widths (d, h_1, ..., h_(k-1), 1) = {p.widths}, depth k = {p.depth}; "
            f"N = {self.dataset.n} data point(s).",
            f"Loss L = sum_i (M(x_i) - y_i)^2 = {self.loss}; mean of targets = {self.target_mean}.",
            f"Verdict: {self.status.upper()}"
            + ("." if self.case == self.status else f" ({self.case})."),
            "",
            *self.proof,
        ]
        return "\n".join(lines)

    def _witness(self, radius: Fraction) -> DeepReLU:
        if self.direction is None:
            raise CertificateError("a 'not a local minimum' certificate without a direction")
        return witness_along(self.params, self.dataset, self.direction, radius)

    def _check_evidence(self) -> None:
        p, D = self.params, self.dataset
        require(isinstance(p, DeepReLU) and isinstance(D, Dataset),
                "params must be a DeepReLU and dataset a Dataset")
        require(self.target_mean == sum(D.y, Fraction(0)) / D.n, "target mean differs")
        p.space.require_full(CertificateError)
        if self.shallow is not None:
            require(p.depth == 2 and self.shallow.params == p.to_shallow()
                    and self.shallow.dataset == D,
                    "the attached one-hidden-layer certificate is about other params or data")
            self.shallow.check()
            require(self.shallow.verdict is self.verdict,
                    "the attached one-hidden-layer certificate has another verdict")
        if self.verdict is Verdict.MINIMUM:
            require(self.direction is None, "a claimed minimum carries a descent direction")
            if self.case in ("blind spot", "class-mean bound"):
                require(self.lower_bound is not None
                        and _class_bound(p, D) == self.lower_bound == self.loss,
                        "the class-mean bound is not attained at params")
            elif self.case.startswith("family: "):
                require(self.family is not None and self.case == f"family: {self.family.family}",
                        "a family verdict without its proof")
                self.family.check(p, D)
            elif self.case == "depth-2 criterion":
                require(self.shallow is not None, "depth-2 verdict without its certificate")
            elif self.case == "convex (depth 1)":
                require(p.depth == 1, "the convex case needs depth 1")
                space = ParameterSpace(p.widths)
                for q in range(space.size):
                    g = loss_germ(p, D, space.unit_vector({q: 1}))
                    require(len(g) < 2 or g[1] == 0, f"dL/d{space.names[q]} != 0")
            else:
                raise CertificateError(f"case={self.case!r} cannot prove a minimum")
        elif self.verdict is Verdict.NOT_MINIMUM:
            require(self.direction is not None, "'not a local minimum' without a direction")
            g = loss_germ(p, D, self.direction)
            require(self.germ is None or g == self.germ, "stored germ is not the loss germ")
            require(germ_sign(add(g, (-self.loss,))) < 0,
                    "the loss does not decrease along the stored direction")
        else:
            require(self.direction is None and self.case == "undecided",
                    "an undecided certificate carries a decision")
        if self.blind_spot is not None and self.blind_spot.strict:
            require(find_blind_spot(p, D) == self.blind_spot, "the blind spot is not params'")
            require(set(p.outputs(D)) == {self.constant_output},
                    "the blind spot's output is not constant")

    def _evidence(self) -> dict[str, Any]:
        def s(v: Any) -> Any:
            return None if v is None else str(v)

        return {
            "case": self.case,
            "proof": list(self.proof),
            "blind_spot": None if self.blind_spot is None else {
                "layer": self.blind_spot.layer, "strict": self.blind_spot.strict,
                "zeros": [[i + 1, j + 1] for i, j in self.blind_spot.zeros]},
            "constant_output": s(self.constant_output),
            "target_mean": str(self.target_mean),
            "lower_bound": s(self.lower_bound),
            "direction": fraction_list(self.direction),
            "germ": fraction_list(self.germ),
            "shallow": None if self.shallow is None else self.shallow.to_dict(),
            "family": None if self.family is None else self.family.to_json(),
        }

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> DeepCertificate:
        ev = data["evidence"]
        spot = ev["blind_spot"]

        def q(v: Any) -> Fraction | None:
            return None if v is None else Fraction(v)

        return cls(
            DeepReLU.from_json(data["params"]), Dataset.from_json(data["dataset"]),
            Verdict(data["verdict"]), Fraction(data["loss"]), data["reason"], ev["case"],
            tuple(ev["proof"]), Fraction(ev["target_mean"]),
            None if spot is None else BlindSpot(
                int(spot["layer"]), bool(spot["strict"]),
                tuple((int(i) - 1, int(j) - 1) for i, j in spot["zeros"])),
            q(ev["constant_output"]), q(ev["lower_bound"]), parse_fractions(ev["direction"]),
            parse_fractions(ev["germ"]),
            None if ev["shallow"] is None else Certificate.from_json(ev["shallow"]),
            None if ev.get("family") is None else FamilyProof.from_json(ev["family"]))
