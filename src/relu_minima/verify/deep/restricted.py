"""Deep points under a restricted parameterisation (bias-free layers, frozen parameters).

The question is whether theta is a local minimum of L over the affine set A of points that agree
with theta on every fixed coordinate (:class:`~relu_minima.exact.params.ParameterSpace`,
docs/method.md, Theorem 2). The decision is the ordered list :data:`RESTRICTED_RULES`; each
rule proves a verdict by one exact route (:class:`Route`) or passes:

1. :func:`depth_two` (``Route.DEPTH_TWO``): the network is a one-hidden-layer point;
   :func:`~relu_minima.verify.deep.rules.shallow_criterion` decides it completely with the
   restricted criterion (Theorem 2).
2. :func:`dead_chain` (``Route.DEAD_CHAIN``, deeper points): if hidden layer n is strictly
   inactive on every data point (pre-activations < 0; strict inequalities persist on a
   neighbourhood U), every bias of layers n+1..k-1 is fixed with entries <= 0 and the output
   bias b_k is fixed, then on U and the restricted set every later hidden layer outputs
   relu(b_l) = 0 and the network outputs b_k at every point: L is constant there, a local
   minimum. (Typical of bias-free networks: a dead layer can never revive without a moving
   bias.)
3. :func:`full_space` (``Route.FULL_SPACE``): the full-space rules of
   :mod:`relu_minima.verify.deep.rules` that prove by a construction (``BEFORE_SEARCH``), on
   the same point with every coordinate free. A local minimum over all of R^P is one over A
   (A is a subset through theta); a descent direction that leaves every fixed coordinate at 0
   lies in A and is a descent there too.
4. :func:`moving_search` (``Route.MOVING_SEARCH``): the moving coordinates are searched
   first, before the full-space search: the exact move search of
   :mod:`relu_minima.verify.deep.moves` over the moving coordinates only (every first- and
   second-order move it has: coordinates, revivals, paths, kink and exhaustive sign vectors,
   random kink moves, each without its fixed coordinates). Its directions leave every fixed
   coordinate at 0, so a descent lies in A: not a minimum.
5. :func:`full_space_search` (``Route.FULL_SPACE``): the rest of the full-space decision (its
   move search, and depth 1's convexity), where it transfers as in 3.

Otherwise :func:`undecided` (route ``Route.FULL_SPACE``, the full-space decision attached), with
the reason: what the full space says, how many moves of the moving coordinates were tried and
which budget ran out, and which rule is missing (a point can be a minimum over A and not over
R^P, and except at depth 2 the minimum routes need a full-space minimum or a dead chain).
``max_directions`` and ``time_limit`` bound each of the two searches (full space, moving
coordinates).

``check()`` re-verifies the inner certificate, that it is about the same point and data, and
the implication used; the witness of a "not a minimum" verdict moves moving coordinates only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from typing import Any, ClassVar

from ...errors import CertificateError, InvalidArgument, ShapeError, require
from ...exact.datasets import Dataset, require_dataset
from ...exact.deep_relu import DeepReLU
from ..certificate import Certificate, Verdict, register_certificate
from .certificate import DeepCertificate, SearchRecord
from .moves import SearchResult, check_budget, search_descent
from .outputs import show, unrow
from .proof_text import budget_text
from .rules import (
    BEFORE_SEARCH,
    SEARCH,
    DeepPoint,
    descent_certificate,
    find_blind_spot,
    first_verdict,
    shallow_criterion,
)
from .rules import undecided as full_space_undecided

__all__ = ["RESTRICTED_RULES", "RestrictedCertificate", "Route", "verify_restricted_deep"]


class Route(StrEnum):
    """The exact argument a restricted verdict rests on (its JSON ``route``; module docstring)."""

    DEPTH_TWO = "depth-2 restricted criterion"
    FULL_SPACE = "full-space decision"
    DEAD_CHAIN = "dead layer, later biases fixed"
    MOVING_SEARCH = "moving-coordinate search"


@register_certificate
@dataclass(frozen=True)
class RestrictedCertificate(Certificate):
    """The verdict on a deep point over its moving parameters only, with the inner certificate
    that proves it (``route`` says which of the module docstring's routes, a :class:`Route`)."""

    kind: ClassVar[str] = "restricted-deep"
    title: ClassVar[tuple[str, ...]] = (
        "Local-minimum certificate over a restricted parameterisation (exact arithmetic)",
        "=" * 79)

    params: DeepReLU
    dataset: Dataset
    verdict: Verdict
    loss: Fraction
    route: str
    inner: Any  # the Certificate the verdict rests on, or the dead layer n (Route.DEAD_CHAIN)
    search: SearchRecord | None = None  # the moving search of an undecided point

    @property
    def direction(self) -> tuple[Fraction, ...] | None:
        """The inner certificate's flat descent direction (moving coordinates only)."""
        return getattr(self.inner, "direction", None)

    def _moved_fixed(self) -> list[str]:
        """The fixed coordinates the inner full-space descent moves."""
        inner = self.inner
        if not isinstance(inner, Certificate) or inner.verdict is not Verdict.NOT_MINIMUM:
            return []
        return self.params.space.moved_fixed(inner.direction)

    def _derived_verdict(self) -> Verdict:
        """What the inner certificate proves over the restricted set (module docstring): a
        full-space minimum is one there; a full-space descent only if it moves no fixed
        coordinate; anything else is undecided."""
        if self.route == Route.DEAD_CHAIN:
            return Verdict.MINIMUM
        return Verdict.UNDECIDED if self._moved_fixed() else self.inner.verdict

    def _reason(self) -> str:
        if self.route == Route.DEAD_CHAIN:
            return (f"hidden layer {self.inner} is dead on every point and cannot revive: every "
                    "later bias is fixed (<= 0), so the output is the fixed output bias near "
                    "theta")
        inner, moved = self.inner, self._moved_fixed()
        if self.route == Route.MOVING_SEARCH:
            return inner.reason + ", which moves only moving parameters"
        if self._derived_verdict() is not Verdict.UNDECIDED:
            return inner.reason
        if moved:
            why = (f"over all parameters the point is not a minimum, but that descent moves "
                   f"fixed parameter(s) {', '.join(moved[:5])}")
        else:
            why = f"undecided over all parameters ({inner.reason})"
        found = self.search
        if found is not None:
            tried = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in found.counts)
            why += (f"; none of the {found.tried} exact moves of the moving parameters tried "
                    f"({tried or 'none'}) lowers the loss at any order; "
                    + (budget_text(found.out_of) if found.out_of is not None
                       else "every such move was tried"))
        return why + ("; the rule that is missing is one proving a minimum over the moving "
                      "parameters alone: except at depth 2 the library proves a restricted "
                      "minimum only from a full-space minimum or a dead layer whose later "
                      "biases are all fixed, and neither holds here")

    def _proof_lines(self) -> list[str]:
        S = self.params.space
        head = [
            f"Widths {self.params.widths}; parameterisation: {S.describe()}.",
            "Question: is theta a local minimum of L over the points that agree with theta on "
            "every fixed coordinate?",
            f"Verdict: {self.status.upper()} ({self.route}): {self.reason}.",
            "",
        ]
        if self.route == Route.DEAD_CHAIN:
            n, k = self.inner, self.params.depth
            later = (f"Every bias of layers {n + 1}..{k - 1} is fixed with entries <= 0 (layers "
                     f"{n + 1}..{k - 1} then output relu(b_l) = 0)" if n + 1 <= k - 1 else
                     "No hidden layer follows it")
            return [*head[:-1],
                f"Hidden layer n = {n} has a strictly negative pre-activation at every data "
                "point (checked exactly); strict inequalities persist on a neighbourhood U of "
                f"theta, so on U layer {n} outputs 0 at every point. {later}, "
                f"and the output bias b_{k} = {show(unrow(self.params.biases[-1]))} is fixed, "
                "so on U, among the points that move only "
                f"the moving parameters, every output equals b_{k} and L = {self.loss} is "
                "constant: a local minimum (not strict)."]
        if self.route == Route.DEPTH_TWO:
            head.append("Depth 2: the restricted one-hidden-layer criterion decides it "
                        "(docs/method.md, Theorem 2):")
        elif self.route == Route.MOVING_SEARCH:
            head.append("The exact move search over the moving coordinates only (each move "
                        "leaves every fixed coordinate at 0, so its descent stays in the "
                        "restricted set), stated for the point with every coordinate free:")
        else:
            head.append("The decision over all coordinates (a minimum there is one over the "
                        "restricted set; a descent there counts only if it moves no fixed "
                        "coordinate):")
        return [*head, "", *self.inner.render().splitlines()]

    def _witness(self, radius: Fraction) -> DeepReLU:
        if not isinstance(self.inner, Certificate):
            raise CertificateError("a 'not a local minimum' certificate without its descent")
        w = self.inner.witness(radius)
        if w is None:
            raise CertificateError("the inner certificate gives no witness")
        net = DeepReLU.from_shallow(w) if self.route == Route.DEPTH_TWO else w
        return DeepReLU(net.weights, net.biases, **self.params.space.parameterisation())

    def _check_evidence(self) -> None:
        p, D, inner = self.params, self.dataset, self.inner
        require(isinstance(p, DeepReLU) and isinstance(D, Dataset),
                "params must be a DeepReLU and dataset a Dataset")
        require(not p.space.is_full, "a restricted certificate needs a restricted "
                "parameterisation (use the deep-relu decision for the full space)")
        if self.route == Route.DEAD_CHAIN:
            require(self.verdict is Verdict.MINIMUM and isinstance(inner, int)
                    and _dead_chain(p, D, inner), "the dead layer or the fixed later biases "
                    "do not hold at params")
            return
        require(isinstance(inner, Certificate), "no inner certificate")
        require(inner.dataset == D, "the inner certificate is about other data")
        inner.check()
        if self.route == Route.DEPTH_TWO:
            require(p.depth == 2 and inner.params == p.to_shallow(),
                    "the inner certificate is not the restricted depth-2 point")
            require(inner.verdict is self.verdict, "the inner certificate has another verdict")
            return
        require(self.route in (Route.FULL_SPACE, Route.MOVING_SEARCH),
                f"route={str(self.route)!r} is not one of {tuple(r.value for r in Route)}")
        require(self.route != Route.MOVING_SEARCH or (
            self.verdict is Verdict.NOT_MINIMUM and inner.case == "descent direction"),
                "the moving-coordinate search proves only 'not a local minimum' by a descent")
        require(inner.params == p.with_space() and inner.params.space.is_full,
                "the inner certificate is not the full-space decision of params")
        require(self.verdict is self._derived_verdict(), f"verdict {self.status!r} is not what "
                f"the full-space verdict {inner.status!r} proves over the restricted set")
        require(self.search is None or self.verdict is Verdict.UNDECIDED,
                "only an undecided certificate records the moving search")
        if self.search is not None:
            self._check_search(self.search)

    def _check_search(self, found: SearchRecord) -> None:
        """The recorded moving search is repeated (deterministic: the same moves in the same
        order, up to the number recorded) and must find no descent."""
        p, D = self.params, self.dataset
        again = search_descent(p, D, self.loss, max_directions=found.tried, time_limit=None)
        require(again.direction is None and again.tried == found.tried
                and tuple(again.counts.items()) == found.counts,
                "the recorded moving search is not what the search does at params")
        require(found.out_of is not None or again.out_of is None,
                "the moving search is recorded as complete but has moves left")

    def _evidence(self) -> dict[str, Any]:
        inner = self.inner
        return {"route": str(self.route), "parameterisation": self.params.space.describe(),
                "inner": inner.to_dict() if isinstance(inner, Certificate) else None,
                "dead_layer": inner if isinstance(inner, int) else None,
                **({} if self.search is None else {"search": self.search.to_json()})}

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> RestrictedCertificate:
        ev = data["evidence"]
        params = DeepReLU.from_json(data["params"])
        if ev.get("parameterisation") != params.space.describe():
            raise CertificateError(f"the evidence states the parameterisation "
                                   f"{ev.get('parameterisation')!r} but params has "
                                   f"{params.space.describe()!r}")
        inner, rec, route = ev["inner"], ev.get("search"), ev["route"]
        require(route in {r.value for r in Route},
                f"route={route!r} is not one of {tuple(r.value for r in Route)}")
        return cls(params, Dataset.from_json(data["dataset"]),
                   Verdict(data["verdict"]), Fraction(data["loss"]), Route(route),
                   Certificate.from_json(inner) if inner is not None else int(ev["dead_layer"]),
                   None if rec is None else SearchRecord.from_json(rec))


# -- the decision -------------------------------------------------------------------------------
@dataclass(frozen=True)
class RestrictedPoint:
    """A deep point with a restricted parameterisation, its data and the search budget, with
    what the rules read, computed once: the loss, the full-space point and its decision, the
    move search over the moving coordinates."""

    params: DeepReLU
    dataset: Dataset
    max_directions: int = 4000
    time_limit: float | None = None

    @cached_property
    def loss(self) -> Fraction:
        return self.params.loss(self.dataset)

    @cached_property
    def full_point(self) -> DeepPoint:
        """The same point with every coordinate free, as the full-space rules read it."""
        return DeepPoint(self.params.with_space(), self.dataset, self.max_directions,
                         self.time_limit)

    @cached_property
    def full_before_search(self) -> DeepCertificate | None:
        """The full-space verdict of the rules before its search (route 3), or None."""
        return first_verdict(self.full_point, BEFORE_SEARCH)

    @cached_property
    def full(self) -> DeepCertificate:
        """The full-space decision, exactly as ``verify_deep_local_minimum`` returns it
        (route 5, and the undecided reason); its search runs only if needed."""
        cert = self.full_before_search
        if cert is None:
            cert = first_verdict(self.full_point, SEARCH)
        return cert if cert is not None else full_space_undecided(self.full_point)

    @cached_property
    def search(self) -> SearchResult:
        """The move search over the moving coordinates (route 4)."""
        return search_descent(self.params, self.dataset, self.loss,
                              max_directions=self.max_directions, time_limit=self.time_limit)

    def certificate(self, verdict: Verdict, route: Route, inner: Any,
                    search: SearchRecord | None = None) -> RestrictedCertificate:
        """The certificate; its reason and proof are derived from ``route`` and ``inner``."""
        return RestrictedCertificate(self.params, self.dataset, verdict, self.loss, route,
                                     inner, search)


def depth_two(pt: RestrictedPoint) -> RestrictedCertificate | None:
    """Depth 2: a one-hidden-layer point, decided completely by the restricted criterion
    (Theorem 2) through :func:`~relu_minima.verify.deep.rules.shallow_criterion`."""
    if pt.params.depth != 2:
        return None
    inner = shallow_criterion(pt.params, pt.dataset)
    return pt.certificate(inner.verdict, Route.DEPTH_TWO, inner)


def dead_chain(pt: RestrictedPoint) -> RestrictedCertificate | None:
    """A strictly dead hidden layer whose later biases, output bias included, are all fixed
    (hidden ones <= 0): near theta, in the restricted set, the output is the fixed b_k at
    every point, so L is constant: a local minimum (Lemma 2 with nothing left to revive)."""
    spot = find_blind_spot(pt.params, pt.dataset)
    if spot is None or not spot.strict or not _dead_chain(pt.params, pt.dataset, spot.layer):
        return None
    return pt.certificate(Verdict.MINIMUM, Route.DEAD_CHAIN, spot.layer)


def _transfer(pt: RestrictedPoint, full: DeepCertificate | None
              ) -> RestrictedCertificate | None:
    """A full-space verdict, where it transfers: its minimum is a minimum over the restricted
    set (a subset through theta), and its descent is one there when it leaves every fixed
    coordinate at 0."""
    if full is None:
        return None
    if full.verdict is Verdict.MINIMUM or (full.verdict is Verdict.NOT_MINIMUM
                                           and not pt.params.space.moved_fixed(full.direction)):
        return pt.certificate(full.verdict, Route.FULL_SPACE, full)
    return None


def full_space(pt: RestrictedPoint) -> RestrictedCertificate | None:
    """The full-space rules that prove by a construction (blind spot, output bias, families,
    class-mean bound), where their verdict transfers. Their verdict is the full-space
    decision itself (the first rule that decides)."""
    return _transfer(pt, pt.full_before_search)


def full_space_search(pt: RestrictedPoint) -> RestrictedCertificate | None:
    """The rest of the full-space decision (its move search; the convexity of depth 1), where
    it transfers. Reached only when the moving search found no descent; a full-space descent
    found here transfers only if it leaves every fixed coordinate at 0 (its search tries moves
    that the moving one does not, such as revivals through a bias that is then re-centred)."""
    return _transfer(pt, pt.full) if pt.full_before_search is None else None


def moving_search(pt: RestrictedPoint) -> RestrictedCertificate | None:
    """The move search over the moving coordinates only: the first move whose exact loss
    germ descends leaves every fixed coordinate at 0, so it is a descent in the restricted
    set (stated as a descent of the point with every coordinate free, which ``check()``
    re-verifies together with the fixed coordinates it leaves alone)."""
    if pt.search.direction is None:
        return None
    inner = descent_certificate(DeepPoint(pt.params.with_space(), pt.dataset), pt.search)
    return pt.certificate(Verdict.NOT_MINIMUM, Route.MOVING_SEARCH, inner)


RESTRICTED_RULES = (depth_two, dead_chain, full_space, moving_search, full_space_search)
"""The restricted decision, in order: each rule proves a verdict or passes (module docstring)."""


def undecided(pt: RestrictedPoint) -> RestrictedCertificate:
    """No route decided: the full-space decision attached, and the record of the moving search
    (which ``check()`` repeats); the reason says what the full space says, what the moving
    search tried (and which budget to raise), and which rule is missing."""
    full = pt.full
    verdict = (Verdict.UNDECIDED if full.verdict is Verdict.NOT_MINIMUM
               and pt.params.space.moved_fixed(full.direction) else full.verdict)
    require(verdict is Verdict.UNDECIDED, "a restricted point left undecided has a full-space "
            "verdict that transfers (a bug: please report it)")
    return pt.certificate(Verdict.UNDECIDED, Route.FULL_SPACE, full,
                          SearchRecord.of(pt.search, pt.max_directions))


def verify_restricted_deep(params: DeepReLU, dataset: Dataset, *, max_directions: int = 4000,
                           time_limit: float | None = None) -> RestrictedCertificate:
    """Decide whether the deep point ``params`` is a local minimum over its moving parameters
    (``params.space``): :data:`RESTRICTED_RULES` in order, else :func:`undecided`."""
    if not isinstance(params, DeepReLU):
        raise ShapeError(f"params of type {type(params).__name__} must be a DeepReLU.")
    if params.space.is_full:
        raise InvalidArgument("params has no restricted parameterisation (every coordinate "
                              "moves); decide it with verify_deep_local_minimum or "
                              "verify_local_minimum.")
    check_budget(max_directions, "max_directions", integer=True)
    check_budget(time_limit, "time_limit", integer=False)
    dataset = require_dataset(dataset)
    params._check_dims(dataset)
    pt = RestrictedPoint(params, dataset, max_directions, time_limit)
    for rule in RESTRICTED_RULES:
        cert = rule(pt)
        if cert is not None:
            return cert
    return undecided(pt)


def _dead_chain(params: DeepReLU, dataset: Dataset, n: int) -> bool:
    """Hidden layer n (1-based) strictly negative on every point, every bias of layers
    n+1..k-1 fixed with entries <= 0, and the output bias fixed (route 2)."""
    S, k = params.space, params.depth
    if not (1 <= n < k):
        return False
    pre = params.preactivations(dataset)[n - 1]
    if not all(t < 0 for row in pre for t in row):
        return False
    for layer in range(n + 1, k):
        for j, b in enumerate(params.biases[layer - 1], start=1):
            if S.moving[S.bias_index(layer, j)] or b > 0:
                return False
    return not any(S.moving[S.bias_index(k, o + 1)] for o in range(params.outputs_count))
