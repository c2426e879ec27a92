"""The certificate of a deep decision (kind "deep-relu"), and its re-verification.

A :class:`DeepCertificate` stores which rule of :mod:`relu_minima.verify.deep.rules` decided
(``case``) and that rule's evidence: the blind spot and its constant output, the class-mean
bound, a descent direction with its exact loss germ, a family's proof, the depth-2
certificate, or the record of the move search of an undecided point. ``check()`` recomputes
each piece from params and dataset; the reason and the proof are derived from them
(:mod:`relu_minima.verify.deep.proof_text`), never stored. Proofs in docs/deep.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
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
from .blind_spots import BlindSpot, class_bound, find_blind_spot, output_classes
from .families import FamilyProof, decide_family
from .linear import decide_linear, is_global_minimum
from .moves import SearchResult, search_descent
from .outputs import bias_direction, is_zero, parse_value, residual_sum, show, value_json
from .proof_text import (
    blind_spot_text,
    class_bound_text,
    convex_text,
    depth2_lines,
    descent_text,
    describe_params,
    linear_text,
    output_bias_text,
    undecided_reason,
)

__all__ = ["DeepCertificate", "SearchRecord", "bias_direction"]  # bias_direction: .outputs


@dataclass(frozen=True)
class SearchRecord:
    """What the move search of an undecided point did: ``tried`` moves (``counts`` by kind, in
    the search's order) under the budget ``max_directions``, stopped by ``out_of`` (the budget
    that ran out, e.g. "max_directions=4000" or "time_limit=60") or by trying every move (None).
    ``check()`` repeats the search (deterministic: the same moves in the same order)."""

    tried: int
    counts: tuple[tuple[str, int], ...]
    out_of: str | None
    max_directions: int

    @classmethod
    def of(cls, found: SearchResult, max_directions: int) -> SearchRecord:
        return cls(found.tried, tuple(found.counts.items()), found.out_of, max_directions)

    def to_json(self) -> dict[str, Any]:
        return {"tried": self.tried, "counts": dict(self.counts), "out_of": self.out_of,
                "max_directions": self.max_directions}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SearchRecord:
        return cls(int(data["tried"]), tuple((str(k), int(n)) for k, n in data["counts"].items()),
                   None if data["out_of"] is None else str(data["out_of"]),
                   int(data["max_directions"]))


@register_certificate
@dataclass(frozen=True)
class DeepCertificate(Certificate):
    """The exact verdict on one deep parameter point (Equation (2)), with its proof.

    ``case`` names the rule that decided: "blind spot", "output bias", "class-mean bound",
    "family: all-zero", "family: zero layer", "family: affine tail", "family: monotone tail",
    "depth-2 criterion", "convex (depth 1)", "descent direction" or "undecided"; ``family`` the
    family's proof of a minimum. ``direction`` is a flat descent direction
    (:mod:`relu_minima.exact.params`) with its exact loss ``germ``; ``lower_bound`` the
    class-mean bound; ``shallow`` the one-hidden-layer certificate of a depth-2 point;
    ``search`` the record of the move search of an undecided point (which ``check()`` repeats).
    The reason and the proof (``proof``, lines) are derived from these (:mod:`.proof_text`).
    """

    kind: ClassVar[str] = "deep-relu"
    title: ClassVar[tuple[str, ...]] = (
        "Exact local-minimum certificate for a deep ReLU network (rational arithmetic)",
        "=" * 76)

    params: DeepReLU
    dataset: Dataset
    verdict: Verdict
    loss: Fraction
    case: str
    target_mean: Any  # a k-vector (tuple) for several outputs
    blind_spot: BlindSpot | None = None
    constant_output: Any = None  # the blind spot's output on every data point (k-vector)
    lower_bound: Fraction | None = None  # the class-mean bound B (rule 2)
    direction: tuple[Fraction, ...] | None = None  # descent direction (flat parameters)
    germ: Poly | None = None  # loss polynomial along ``direction``
    shallow: Any = field(default=None, repr=False)  # LocalMinimumCertificate (depth 2)
    family: FamilyProof | None = None  # a family's proof of a minimum (deep_families)
    search: SearchRecord | None = None  # what the move search tried (undecided only)

    # -- derived texts ---------------------------------------------------------------------
    @cached_property
    def _text(self) -> tuple[str, tuple[str, ...]]:
        """The reason and the rule's proof lines (computed once: the certificate is frozen)."""
        reason, lines = self._rule_text()
        return reason, tuple(lines)

    def _rule_text(self) -> tuple[str, list[str]]:
        """The reason and the rule's proof lines, from the verified evidence."""
        p, D, case = self.params, self.dataset, self.case
        S = residual_sum(p, D)
        if case == "blind spot":
            return blind_spot_text(self.blind_spot.layer, self.constant_output,
                                   self.target_mean, self.loss, S, D.n)
        if case == "output bias":
            return output_bias_text(S, self.loss, D.n)
        if case == "linear network":
            return linear_text(self._linear_decision(), self.loss, p.space)  # slope 1
        if case.startswith("family: "):
            found = self._family_decision()
            return found.reason, list(found.proof_lines)
        if case == "class-mean bound":
            spot = self.blind_spot
            return class_bound_text(output_classes(p, D), self.lower_bound,
                                    None if spot is None else spot.layer)
        if case == "depth-2 criterion":
            return self.shallow.reason, depth2_lines(self.shallow.render().splitlines())
        if case == "descent direction":
            return descent_text(p.space, self.direction, self.germ, self.loss,
                                p.negative_slope)
        if case == "convex (depth 1)":
            return convex_text()
        require(case == "undecided", f"case={case!r} is not a rule of the deep decision")
        why = undecided_reason(self.loss, self.lower_bound, self.search, p.outputs_count,
                               p.depth)
        if p.negative_slope != 0:
            why = (f"activation {p.activation_name}: the blind-spot and family rules and the "
                   "dead-layer classes are proved for the ReLU only and are not used; " + why)
        spot = self.blind_spot
        if spot is not None:
            why = (f"non-strict blind spot in hidden layer {spot.layer} (zero pre-activations at "
                   f"(point, unit) {[(i + 1, j + 1) for i, j in spot.zeros][:10]}); " + why)
        return why, ["Undecided: " + why + "."]

    def _family_decision(self) -> Any:
        """The family rule re-run (a construction, not a search): its proof and direction
        must be the stored ones, and its text is the certificate's."""
        found = decide_family(self.params, self.dataset) if self.params.depth >= 3 else None
        require(found is not None and self.case == f"family: {found.family}"
                and found.minimum == (self.verdict is Verdict.MINIMUM)
                and found.proof == self.family and found.direction == self.direction,
                f"the family rule does not give case={self.case!r} with this evidence at params")
        return found

    def _linear_decision(self) -> Any:
        """The linear rule re-run (exact, no search): its verdict and direction must be the
        stored ones."""
        found = (decide_linear(self.params, self.dataset) if self.params.negative_slope == 1
                 else None)
        require(found is not None and found.minimum == (self.verdict is Verdict.MINIMUM)
                and found.direction == self.direction,
                "the linear-network rule does not give this verdict and direction at params")
        return found

    def _reason(self) -> str:
        return self._text[0]

    def _heading(self) -> tuple[str, ...]:
        """"deep ReLU network", or the activation of another ``negative_slope``."""
        if self.params.negative_slope == 0:
            return self.title
        first = self.title[0].replace("deep ReLU network",
                                      f"deep network, {self.params.activation_name}")
        return first, "=" * len(first)

    @property
    def proof(self) -> tuple[str, ...]:
        """The lines of the proof (below the heading): the point, then the rule's argument."""
        return (*describe_params(self.params), "", *self._text[1])

    def _proof_lines(self) -> list[str]:
        p = self.params
        q = p.widths[-1]  # outputs: the heading names the last width as it is
        shape = "1" if q == 1 else "q"
        outputs = "" if q == 1 else f", q = {q} outputs"
        square = "(M(x_i) - y_i)^2" if q == 1 else "|M(x_i) - y_i|^2 (summed over the outputs)"
        return [
            f"Widths (d, h_1, ..., h_(k-1), {shape}) = {p.widths}, depth k = {p.depth}{outputs}; "
            f"N = {self.dataset.n} data point(s).",
            f"Loss L = sum_i {square} = {self.loss}; mean of targets = "
            f"{show(self.target_mean)}.",
            f"Verdict: {self.status.upper()}"
            + ("." if self.case == self.status else f" ({self.case})."),
            "",
            *self.proof,
        ]

    def _witness(self, radius: Fraction) -> DeepReLU:
        if self.direction is None:
            raise CertificateError("a 'not a local minimum' certificate without a direction")
        return witness_along(self.params, self.dataset, self.direction, radius)

    # -- re-verification -----------------------------------------------------------------------
    def _check_evidence(self) -> None:
        p, D = self.params, self.dataset
        require(isinstance(p, DeepReLU) and isinstance(D, Dataset),
                "params must be a DeepReLU and dataset a Dataset")
        require(self.target_mean == D.target_mean, "target mean differs")
        p.space.require_full(CertificateError)
        spot = find_blind_spot(p, D)
        require(self.blind_spot == spot, "the stored blind spot is not params'")
        strict = spot is not None and spot.strict
        require(self.constant_output == (p.outputs(D)[0] if strict else None),
                "the stored constant output is not the strict blind spot's output")
        require(self.lower_bound is None or self.lower_bound == class_bound(p, D),
                "the stored class-mean bound is not params'")
        require((self.search is None or self.case == "undecided")
                and (self.family is None or self.case.startswith("family: ")),
                f"case={self.case!r} carries another rule's evidence")
        if self.shallow is not None:
            require(p.depth == 2 and self.shallow.params == p.to_shallow()
                    and self.shallow.dataset == D
                    and self.case in ("depth-2 criterion", "undecided"),
                    "the attached one-hidden-layer certificate is about other params or data")
            self.shallow.check()
            require(self.shallow.verdict is self.verdict
                    and self.shallow.direction == self.direction,
                    "the attached one-hidden-layer certificate has another verdict or descent")
        if self.case.startswith("family: "):
            self._family_decision()
        if self.verdict is Verdict.MINIMUM:
            self._check_minimum()
        elif self.verdict is Verdict.NOT_MINIMUM:
            self._check_descent()
        else:
            require(self.direction is None and self.germ is None and self.case == "undecided",
                    "an undecided certificate carries a decision")
            self._check_undecided()

    def _check_minimum(self) -> None:
        p, D = self.params, self.dataset
        require(self.direction is None and self.germ is None,
                "a claimed minimum carries a descent direction")
        if self.case in ("blind spot", "class-mean bound"):
            require(self.lower_bound is not None and self.lower_bound == self.loss
                    and (self.case == "class-mean bound" or self.constant_output is not None),
                    "the class-mean bound is not attained at params")
        elif self.case.startswith("family: "):
            require(self.family is not None, "a family verdict without its proof")
            self.family.check(p, D)
        elif self.case == "depth-2 criterion":
            require(self.shallow is not None, "depth-2 verdict without its certificate")
        elif self.case == "linear network":
            require(is_global_minimum(p, D), "the loss is not the linear optimum L*")
            self._linear_decision()
        elif self.case == "convex (depth 1)":
            require(p.depth == 1, "the convex case needs depth 1")
            space = ParameterSpace(p.widths)
            for q in range(space.size):
                g = loss_germ(p, D, space.unit_vector({q: 1}))
                require(len(g) < 2 or g[1] == 0, f"dL/d{space.names[q]} != 0")
        else:
            raise CertificateError(f"case={self.case!r} cannot prove a minimum")

    def _check_descent(self) -> None:
        p, D = self.params, self.dataset
        require(self.direction is not None, "'not a local minimum' without a direction")
        g = loss_germ(p, D, self.direction)
        require(germ_sign(add(g, (-self.loss,))) < 0,
                "the loss does not decrease along the stored direction")
        require(self.germ == g or (self.germ is None and self.case == "depth-2 criterion"),
                "stored germ is not the loss germ")
        if self.case in ("blind spot", "output bias"):  # the text says: the output bias moves
            S = residual_sum(p, D)
            require(not is_zero(S) and self.direction == bias_direction(p, S)
                    and (self.case == "output bias") == (self.constant_output is None),
                    "the descent is not the output bias's")
        else:
            if self.case == "linear network":
                self._linear_decision()
            require(self.case in ("descent direction", "depth-2 criterion", "linear network")
                    or self.case.startswith("family: "),
                    f"case={self.case!r} cannot prove a descent")

    def _check_undecided(self) -> None:
        """The rules before the search do not apply, and the recorded search is repeated (it is
        deterministic: the same moves in the same order, exact arithmetic)."""
        p, D = self.params, self.dataset
        S = residual_sum(p, D)
        spot = self.blind_spot
        undecided_two = (self.shallow is not None
                         and self.shallow.verdict is Verdict.UNDECIDED)  # checked above
        require(is_zero(S) and (spot is None or not spot.strict) and (p.depth != 2 or
                                                                      undecided_two)
                and (p.depth < 3 or decide_family(p, D) is None)
                and (p.negative_slope != 1 or decide_linear(p, D) is None)
                and self.lower_bound is not None and self.lower_bound != self.loss,
                "a rule before the move search applies to params: not undecided")
        found = self.search
        if found is None:  # a version-1 certificate: its reason says the record is missing
            return
        budget, _, value = (found.out_of or "").partition("=")
        require(0 <= found.tried <= found.max_directions and budget in ("", "max_directions",
                                                                      "time_limit")
                and (budget == "max_directions") == (found.tried == found.max_directions
                                                     and found.out_of is not None)
                and (budget != "max_directions" or value == str(found.max_directions)),
                "the recorded search is inconsistent: the budget that ran out is not the one "
                "its count of moves shows")
        again = search_descent(p, D, self.loss, max_directions=found.tried, time_limit=None)
        require(again.direction is None and again.tried == found.tried
                and tuple(again.counts.items()) == found.counts
                and (again.out_of is None) == (found.out_of is None),
                "the recorded move search is not what the search does at params")

    # -- JSON ----------------------------------------------------------------------------------
    def _evidence(self) -> dict[str, Any]:
        def s(v: Any) -> Any:
            return None if v is None else str(v)

        found = self.search
        return {
            "case": self.case,
            "proof": list(self.proof),
            "blind_spot": None if self.blind_spot is None else {
                "layer": self.blind_spot.layer, "strict": self.blind_spot.strict,
                "zeros": [[i + 1, j + 1] for i, j in self.blind_spot.zeros]},
            "constant_output": value_json(self.constant_output),
            "target_mean": value_json(self.target_mean),
            "lower_bound": s(self.lower_bound),
            "direction": fraction_list(self.direction),
            "germ": fraction_list(self.germ),
            "shallow": None if self.shallow is None else self.shallow.to_dict(),
            "family": None if self.family is None else self.family.to_json(),
            **({} if found is None else {"search": found.to_json()}),
        }

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> DeepCertificate:
        ev = data["evidence"]
        spot, rec = ev["blind_spot"], ev.get("search")

        def q(v: Any) -> Fraction | None:
            return None if v is None else Fraction(v)

        return cls(
            DeepReLU.from_json(data["params"]), Dataset.from_json(data["dataset"]),
            Verdict(data["verdict"]), Fraction(data["loss"]), ev["case"],
            parse_value(ev["target_mean"]),
            None if spot is None else BlindSpot(
                int(spot["layer"]), bool(spot["strict"]),
                tuple((int(i) - 1, int(j) - 1) for i, j in spot["zeros"])),
            parse_value(ev["constant_output"]), q(ev["lower_bound"]),
            parse_fractions(ev["direction"]),
            parse_fractions(ev["germ"]),
            None if ev["shallow"] is None else Certificate.from_json(ev["shallow"]),
            None if ev.get("family") is None else FamilyProof.from_json(ev["family"]),
            None if rec is None else SearchRecord.from_json(rec))
