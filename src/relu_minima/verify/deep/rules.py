"""Exact local-minimum certificates for deep ReLU networks (Lemma 2, Corollary 1, Theorem 1).

``verify_deep_local_minimum(params, dataset)`` decides, in exact rational arithmetic, whether a
:class:`~relu_minima.exact.deep_relu.DeepReLU` point is a local minimum of Equation (2), and says
"undecided" (with the reason) when its exact reasoning does not settle the point. The decision
is the ordered list :data:`RULES`: each rule is a function of the point that proves a verdict
(returns a certificate) or passes (returns None), and the first verdict wins (proofs in
docs/deep.md):

1. :func:`strict_blind_spot` (Theorem 1 (i), corrected; Lemma 2, Corollary 1): a hidden layer
   strictly negative at every data point makes the output one number C near theta; a minimum
   iff C is the mean of the targets, else the output bias descends.
2. :func:`output_bias` (first order): L(b_k + t) = L + 2 t sum_i r_i + N t^2, so
   sum_i r_i != 0 means not a minimum.
3. :func:`whole_family` (depth >= 3, :mod:`relu_minima.verify.deep.families`): all-zero
   networks, a zero hidden layer, a switched-off layer with an affine or monotone tail,
   decided by a construction; a minimum carries a ``FamilyProof`` that ``check()`` re-verifies.
4. :func:`class_mean_bound`: points that share one output near theta (equal inputs, or a
   hidden layer strictly negative in every unit at both) give L >= B near theta
   (:mod:`relu_minima.verify.deep.blind_spots`); L = B proves a minimum (this settles the
   non-strict blind spots whose zeros are fitted exactly).
5. :func:`depth_two`: a depth-2 point is Equation (1)'s network, decided completely by
   :func:`shallow_criterion`, the one place a deep point goes to the shallow decision.
6. :func:`descent_moves` (:mod:`relu_minima.verify.deep.moves`): along theta + eps u the loss
   is a polynomial for small eps > 0; the first move whose lowest change is negative proves
   "not a minimum". Coordinates, unit revivals, path moves, kink sign vectors, random kink
   moves, sign vectors on 2-4 coordinates, up to ``max_directions`` moves or ``time_limit``
   seconds (a progress bar shows after a second).
7. :func:`convex_depth_one`: depth 1 is a convex quadratic; an exhausted search (every
   coordinate derivative 0) proves a global minimum.

Otherwise :func:`undecided`: what was tried, which budget ran out, which option to raise.
Restricted parameterisations (bias-free layers, frozen coordinates) are decided by
:mod:`relu_minima.verify.deep.restricted`, which reuses these rules where they transfer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

from ...errors import ShapeError, require
from ...exact.datasets import Dataset, require_dataset
from ...exact.deep_relu import DeepReLU
from ...exact.germs import loss_germ
from ..certificate import Certificate, Verdict
from ..shallow.criterion import verify_shallow
from .blind_spots import BlindSpot, blind_spot_gradient_vanishes, class_bound, find_blind_spot
from .certificate import DeepCertificate, SearchRecord
from .families import decide_family
from .moves import SearchResult, check_budget, search_descent
from .outputs import bias_direction, is_zero, residual_sum

__all__ = [
    "BEFORE_SEARCH",
    "RULES",
    "SEARCH",
    "BlindSpot",
    "DeepCertificate",
    "DeepPoint",
    "blind_spot_gradient_vanishes",
    "descent_certificate",
    "find_blind_spot",
    "first_verdict",
    "loss_germ",
    "shallow_criterion",
    "verify_deep_local_minimum",
]


# -- what every rule reads about the point ------------------------------------------------------
@dataclass(frozen=True)
class DeepPoint:
    """One full-space deep point and its data, with what the rules read about it, computed
    once: outputs, residuals r_i, the loss, the mean ybar of the targets, S = sum_i r_i, the
    blind spot (if any), the printed parameters, and (on demand) the class-mean bound and the
    move search. ``max_directions`` / ``time_limit`` are the search's budget."""

    params: DeepReLU
    dataset: Dataset
    max_directions: int = 4000
    time_limit: float | None = None

    @cached_property
    def outputs(self) -> list[Any]:
        """f(x_i): numbers for one output, k-tuples for several."""
        return self.params.outputs(self.dataset)

    @cached_property
    def residuals(self) -> list[Any]:
        return self.params.residuals(self.dataset)

    @cached_property
    def loss(self) -> Fraction:
        return self.params.loss(self.dataset)

    @cached_property
    def ybar(self) -> Any:
        """The target mean (a k-vector for several outputs)."""
        return self.dataset.target_mean

    @cached_property
    def residual_sum(self) -> Any:
        """S = sum_i r_i (a k-vector for several outputs)."""
        return residual_sum(self.params, self.dataset)

    @cached_property
    def spot(self) -> BlindSpot | None:
        return find_blind_spot(self.params, self.dataset)

    @cached_property
    def bound(self) -> Fraction:
        """The class-mean bound B (rule 4)."""
        return class_bound(self.params, self.dataset)

    @cached_property
    def search(self) -> SearchResult:
        """The move search (rule 6), run once, read by the rules after it."""
        return search_descent(self.params, self.dataset, self.loss,
                              max_directions=self.max_directions, time_limit=self.time_limit)

    @cached_property
    def shallow(self) -> Certificate:
        """The one-hidden-layer certificate (depth 2 only)."""
        return shallow_criterion(self.params, self.dataset)

    @cached_property
    def output_bias_direction(self) -> tuple[Fraction, ...]:
        """b_k moved against the sum of residuals (the descent of rules 1 and 2)."""
        return bias_direction(self.params, self.residual_sum)

    def certificate(self, verdict: Verdict, case: str, **evidence: Any) -> DeepCertificate:
        """The certificate of a verdict with its rule's evidence, and the point's loss, target
        mean and blind spot (with its constant output, when strict); its reason and proof are
        derived from them (:mod:`.proof_text`)."""
        if self.spot is not None and self.spot.strict:
            evidence.setdefault("constant_output", self.outputs[0])
        return DeepCertificate(params=self.params, dataset=self.dataset, verdict=verdict,
                               loss=self.loss, case=case, target_mean=self.ybar,
                               blind_spot=self.spot, **evidence)


# -- the rules, in order ---------------------------------------------------------------------
Rule = Callable[[DeepPoint], DeepCertificate | None]


def strict_blind_spot(pt: DeepPoint) -> DeepCertificate | None:
    """Theorem 1 (i), corrected (Lemma 2, Corollary 1). A hidden layer n strictly negative at
    every data point stays so on a neighbourhood U, so on U every output is one number
    C(theta') of layers n+1..k and L = N (C - ybar)^2 + sum_i (y_i - ybar)^2. C = ybar: a
    (non-strict) local minimum; C != ybar: the output bias descends (not a minimum, although
    Theorem 1 (i) as printed says it is)."""
    spot = pt.spot
    if spot is None or not spot.strict:
        return None
    if pt.outputs[0] == pt.ybar:
        return pt.certificate(Verdict.MINIMUM, "blind spot", lower_bound=pt.bound)
    u = pt.output_bias_direction
    return pt.certificate(Verdict.NOT_MINIMUM, "blind spot", direction=u,
                          germ=loss_germ(pt.params, pt.dataset, u))


def output_bias(pt: DeepPoint) -> DeepCertificate | None:
    """First order in the output bias: moving b_k by t shifts every output by t, so
    L(b_k + t) = L + 2 t sum_i r_i + N t^2; sum_i r_i != 0 proves "not a minimum"."""
    if is_zero(pt.residual_sum):
        return None
    u = pt.output_bias_direction
    return pt.certificate(Verdict.NOT_MINIMUM, "output bias", direction=u,
                          germ=loss_germ(pt.params, pt.dataset, u))


def whole_family(pt: DeepPoint) -> DeepCertificate | None:
    """A family decided whole by a construction (depth >= 3; all-zero, zero layer, affine or
    monotone tail; :mod:`relu_minima.verify.deep.families`): a minimum with its
    ``FamilyProof``, or the family's descent direction. Tried before the class-mean bound so
    that the family's minima carry the family's own proof."""
    if pt.params.depth < 3:
        return None
    family = decide_family(pt.params, pt.dataset)
    if family is None:
        return None
    case = f"family: {family.family}"
    if family.minimum:
        return pt.certificate(Verdict.MINIMUM, case, family=family.proof)
    return pt.certificate(Verdict.NOT_MINIMUM, case, direction=family.direction,
                          germ=loss_germ(pt.params, pt.dataset, family.direction))


def class_mean_bound(pt: DeepPoint) -> DeepCertificate | None:
    """Points that share one output on a neighbourhood U (equal inputs, or a hidden layer
    strictly negative in every unit at both) give L >= B on U, B the sum of within-class
    squared deviations; L = B proves a local minimum (this covers the non-strict blind spots
    whose points with a zero pre-activation are fitted exactly)."""
    if pt.bound != pt.loss:
        return None
    return pt.certificate(Verdict.MINIMUM, "class-mean bound", lower_bound=pt.bound)


def shallow_criterion(params: DeepReLU, dataset: Dataset) -> Certificate:
    """A depth-2 deep point is the one-hidden-layer network of Equation (1): the complete
    criterion of :mod:`relu_minima.verify.shallow.criterion` decides it, over the point's own
    parameterisation (Theorem 2 when it is restricted). The one place a deep point is sent to
    the shallow decision (rule 5 here, the first route of the restricted decision); the flat
    layouts of the two models coincide (:mod:`relu_minima.exact.params`), so its direction
    is a direction of the deep point."""
    require(params.depth == 2, f"the shallow criterion needs depth 2, not {params.depth}",
            ShapeError)
    return verify_shallow(params.to_shallow(), dataset)


def depth_two(pt: DeepPoint) -> DeepCertificate | None:
    """Depth 2: :func:`shallow_criterion` decides the point completely (Equation (1))."""
    if pt.params.depth != 2:
        return None
    shallow = pt.shallow
    if shallow.verdict is Verdict.UNDECIDED:  # several outputs only: the search may descend
        return None
    return pt.certificate(shallow.verdict, "depth-2 criterion", shallow=shallow,
                          direction=shallow.direction)


def descent_certificate(pt: DeepPoint, found: SearchResult) -> DeepCertificate:
    """"Not a minimum" along a proven descent of the move search: for small eps > 0 the loss
    along theta + eps u is the polynomial ``found.germ``, whose lowest change is negative."""
    require(found.germ is not None and found.order is not None
            and found.direction is not None, "a descent certificate needs a proven descent")
    return pt.certificate(Verdict.NOT_MINIMUM, "descent direction", direction=found.direction,
                          germ=found.germ)


def descent_moves(pt: DeepPoint) -> DeepCertificate | None:
    """The exact move search (:mod:`relu_minima.verify.deep.moves`): the first move whose
    loss germ descends proves "not a minimum" (the germ is the loss for small eps > 0)."""
    return descent_certificate(pt, pt.search) if pt.search.direction is not None else None


def convex_depth_one(pt: DeepPoint) -> DeepCertificate | None:
    """Depth 1: M(x) = W_1 x + b_1 is linear in the parameters, so L is a convex quadratic;
    when the search tried every coordinate without a descent the gradient is 0: a global
    minimum."""
    if pt.params.depth != 1 or pt.search.out_of is not None:
        return None
    return pt.certificate(Verdict.MINIMUM, "convex (depth 1)")


BEFORE_SEARCH = (strict_blind_spot, output_bias, whole_family, class_mean_bound, depth_two)
"""The rules that prove by a construction, before any search (rules 1-5)."""
SEARCH = (descent_moves, convex_depth_one)
"""The rules that read the move search (rules 6-7)."""
RULES = BEFORE_SEARCH + SEARCH
"""The decision, in order: each rule proves a verdict or passes (module docstring)."""


def first_verdict(pt: DeepPoint, rules: tuple[Rule, ...]) -> DeepCertificate | None:
    """The verdict of the first of ``rules`` that decides ``pt``, or None."""
    for rule in rules:
        cert = rule(pt)
        if cert is not None:
            return cert
    return None


def undecided(pt: DeepPoint) -> DeepCertificate:
    """No rule decided: the certificate records the move search (which ``check()`` repeats);
    the reason says what was tried, which budget ran out, which option to raise (or that
    every move was tried)."""
    # at depth 2 (several outputs) the undecided one-hidden-layer certificate comes along
    return pt.certificate(Verdict.UNDECIDED, "undecided", lower_bound=pt.bound,
                          search=SearchRecord.of(pt.search, pt.max_directions),
                          shallow=pt.shallow if pt.params.depth == 2 else None)


def verify_deep_local_minimum(params: DeepReLU, dataset: Dataset, *, max_directions: int = 4000,
                              time_limit: float | None = None) -> DeepCertificate:
    """Decide exactly whether ``params`` is a local minimum of Equation (2) on ``dataset``.

    Walks :data:`RULES` and returns the first verdict, else "undecided" with the reason. Never
    returns True or False without an exact proof; see the module docstring for the rules and
    docs/deep.md for their proofs.

    >>> from relu_minima import Dataset
    >>> D = Dataset([0, 1], [0, 2])
    >>> dead = DeepReLU([[[1]], [[1]]], [[-5], [1]])     # layer 1 dead, output 1 = mean
    >>> verify_deep_local_minimum(dead, D).is_local_minimum
    True
    >>> verify_deep_local_minimum(dead.replace_layer(1, b=[0]), D).status
    'not a local minimum'
    """
    if not isinstance(params, DeepReLU):
        raise ShapeError(f"params of type {type(params).__name__} must be a DeepReLU.")
    # the rules move every coordinate; relu_minima.verify.deep.restricted decides the others
    params.space.require_full()
    check_budget(max_directions, "max_directions", integer=True)
    check_budget(time_limit, "time_limit", integer=False)
    dataset = require_dataset(dataset)
    params._check_dims(dataset)
    pt = DeepPoint(params, dataset, max_directions, time_limit)
    cert = first_verdict(pt, RULES)
    return cert if cert is not None else undecided(pt)
