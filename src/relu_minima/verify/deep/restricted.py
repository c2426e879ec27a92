"""Deep points under a restricted parameterisation (bias-free layers, frozen parameters).

The question is whether theta is a local minimum of L over the affine set A of points that agree
with theta on every fixed coordinate (:class:`~relu_minima.exact.params.ParameterSpace`,
docs/method.md, Theorem 2). Two exact routes, nothing else:

* **depth 2**: the network is a one-hidden-layer point; the restricted criterion of
  :mod:`relu_minima.verify.shallow.criterion` decides it completely (Theorem 2).
* **a dead layer with fixed later biases** (deeper points): if hidden layer n is strictly
  inactive on every data point (pre-activations < 0; strict inequalities persist on a
  neighbourhood U), every bias of layers n+1..k-1 is fixed with entries <= 0 and the output bias
  b_k is fixed, then on U and the restricted set every later hidden layer outputs relu(b_l) = 0
  and the network outputs b_k at every point: L is constant there, a local minimum. (Typical
  of bias-free networks: a dead layer can never revive without a moving bias.)
* **deeper**: the full-space decision of :mod:`relu_minima.verify.deep.rules` runs on the same point
  with every coordinate free. A local minimum over all of R^P is one over A (A is a subset
  through theta); a descent direction that leaves every fixed coordinate at 0 lies in A and is a
  descent there too. Anything else (the full-space descent moves a fixed coordinate, or the
  full decision is undecided) is reported "undecided" with that reason: a point can be a
  minimum over A and not over R^P (the paper's deep rules do not restrict).

``check()`` re-verifies the inner certificate, that it is about the same point and data, and
the implication used; the witness of a "not a minimum" verdict moves moving coordinates only.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from ...errors import CertificateError, ShapeError, require
from ...exact.datasets import Dataset
from ...exact.deep_relu import DeepReLU
from ..certificate import Certificate, Verdict, register_certificate

__all__ = ["RestrictedCertificate", "verify_deep", "verify_restricted_deep"]

_ROUTES = ("depth-2 restricted criterion", "full-space decision",
           "dead layer, later biases fixed")


@register_certificate
@dataclass(frozen=True)
class RestrictedCertificate(Certificate):
    """The verdict on a deep point over its moving parameters only, with the inner certificate
    that proves it (``route`` says which of the module docstring's two routes)."""

    kind: ClassVar[str] = "restricted-deep"
    title: ClassVar[tuple[str, ...]] = (
        "Local-minimum certificate over a restricted parameterisation (exact arithmetic)",
        "=" * 79)

    params: DeepReLU
    dataset: Dataset
    verdict: Verdict
    loss: Fraction
    route: str
    inner: Any  # the Certificate the verdict rests on, or the dead layer n (third route)

    @property
    def direction(self) -> tuple[Fraction, ...] | None:
        """The inner certificate's flat descent direction (moving coordinates only)."""
        return getattr(self.inner, "direction", None)

    def _moved_fixed(self) -> list[str]:
        """The fixed coordinates the inner full-space descent moves (second route)."""
        inner = self.inner
        if not isinstance(inner, Certificate) or inner.verdict is not Verdict.NOT_MINIMUM:
            return []
        return self.params.space.moved_fixed(inner.direction)

    def _derived_verdict(self) -> Verdict:
        """What the inner certificate proves over the restricted set (module docstring)."""
        if self.route == _ROUTES[2]:
            return Verdict.MINIMUM
        return Verdict.UNDECIDED if self._moved_fixed() else self.inner.verdict

    def _reason(self) -> str:
        if self.route == _ROUTES[2]:
            return (f"hidden layer {self.inner} is dead on every point and cannot revive: every "
                    "later bias is fixed (<= 0), so the output is the fixed output bias near "
                    "theta")
        inner, moved = self.inner, self._moved_fixed()
        if moved:
            return (f"over all parameters the point is not a minimum, but the descent moves "
                    f"fixed parameter(s) {', '.join(moved[:5])}; the deep rules do not decide "
                    "the restricted question (a one-hidden-layer or depth-2 point would be "
                    "decided exactly)")
        if self.route == _ROUTES[1] and inner.verdict is Verdict.UNDECIDED:
            return f"undecided over all parameters ({inner.reason}), so over the restricted set too"
        return inner.reason

    def _proof_lines(self) -> list[str]:
        S = self.params.space
        head = [
            f"Widths {self.params.widths}; parameterisation: {S.describe()}.",
            "Question: is theta a local minimum of L over the points that agree with theta on "
            "every fixed coordinate?",
            f"Verdict: {self.status.upper()} ({self.route}): {self.reason}.",
            "",
        ]
        if self.route == _ROUTES[2]:
            n, k = self.inner, self.params.depth
            later = (f"Every bias of layers {n + 1}..{k - 1} is fixed with entries <= 0 (layers "
                     f"{n + 1}..{k - 1} then output relu(b_l) = 0)" if n + 1 <= k - 1 else
                     "No hidden layer follows it")
            return [*head[:-1],
                f"Hidden layer n = {n} has a strictly negative pre-activation at every data "
                "point (checked exactly); strict inequalities persist on a neighbourhood U of "
                f"theta, so on U layer {n} outputs 0 at every point. {later}, "
                f"and the output bias b_{k} = "
                f"{self.params.biases[-1][0]} is fixed, so on U, among the points that move only "
                f"the moving parameters, every output equals b_{k} and L = {self.loss} is "
                "constant: a local minimum (not strict)."]
        if self.route == _ROUTES[0]:
            head.append("Depth 2: the restricted one-hidden-layer criterion decides it "
                        "(docs/method.md, Theorem 2):")
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
        net = DeepReLU.from_shallow(w) if self.route == _ROUTES[0] else w
        return DeepReLU(net.weights, net.biases, **self.params.space.parameterisation())

    def _check_evidence(self) -> None:
        p, D, inner = self.params, self.dataset, self.inner
        require(isinstance(p, DeepReLU) and isinstance(D, Dataset),
                "params must be a DeepReLU and dataset a Dataset")
        require(not p.space.is_full, "a restricted certificate needs a restricted "
                "parameterisation (use the deep-relu decision for the full space)")
        if self.route == _ROUTES[2]:
            require(self.verdict is Verdict.MINIMUM and isinstance(inner, int)
                    and _dead_chain(p, D, inner), "the dead layer or the fixed later biases "
                    "do not hold at params")
            return
        require(isinstance(inner, Certificate), "no inner certificate")
        require(inner.dataset == D, "the inner certificate is about other data")
        inner.check()
        if self.route == _ROUTES[0]:
            require(p.depth == 2 and inner.params == p.to_shallow(),
                    "the inner certificate is not the restricted depth-2 point")
            require(inner.verdict is self.verdict, "the inner certificate has another verdict")
            return
        require(self.route == _ROUTES[1], f"route={self.route!r} is not one of {_ROUTES}")
        require(inner.params == p.with_space() and inner.params.space.is_full,
                "the inner certificate is not the full-space decision of params")
        # a full-space minimum is one over the restricted set; a full-space descent is one
        # there only if it moves no fixed coordinate; anything else is undecided
        require(self.verdict is self._derived_verdict(), f"verdict {self.status!r} is not what "
                f"the full-space verdict {inner.status!r} proves over the restricted set")

    def _evidence(self) -> dict[str, Any]:
        inner = self.inner
        return {"route": self.route, "parameterisation": self.params.space.describe(),
                "inner": inner.to_dict() if isinstance(inner, Certificate) else None,
                "dead_layer": inner if isinstance(inner, int) else None}

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> RestrictedCertificate:
        ev = data["evidence"]
        params = DeepReLU.from_json(data["params"])
        if ev.get("parameterisation") != params.space.describe():
            raise CertificateError(f"the evidence states the parameterisation "
                                   f"{ev.get('parameterisation')!r} but params has "
                                   f"{params.space.describe()!r}")
        inner = ev["inner"]
        return cls(params, Dataset.from_json(data["dataset"]),
                   Verdict(data["verdict"]), Fraction(data["loss"]), ev["route"],
                   Certificate.from_json(inner) if inner is not None else int(ev["dead_layer"]))


def verify_restricted_deep(params: DeepReLU, dataset: Dataset, **options: Any
                           ) -> RestrictedCertificate:
    """Decide whether the deep point ``params`` is a local minimum over its moving parameters
    (``params.space``); ``options`` go to the full-space deep decision (depth > 2 only)."""
    from ..shallow.criterion import verify_shallow
    from .rules import find_blind_spot, verify_deep_local_minimum

    if not isinstance(params, DeepReLU):
        raise ShapeError(f"params of type {type(params).__name__} must be a DeepReLU.")
    loss = params.loss(dataset)
    if params.depth == 2:
        inner = verify_shallow(params.to_shallow(), dataset)
        return RestrictedCertificate(params, dataset, inner.verdict, loss, _ROUTES[0], inner)
    spot = find_blind_spot(params, dataset)
    if spot is not None and spot.strict and _dead_chain(params, dataset, spot.layer):
        return RestrictedCertificate(params, dataset, Verdict.MINIMUM, loss, _ROUTES[2],
                                     spot.layer)
    inner = verify_deep_local_minimum(params.with_space(), dataset, **options)
    verdict = inner.verdict
    if verdict is Verdict.NOT_MINIMUM and params.space.moved_fixed(inner.direction):
        verdict = Verdict.UNDECIDED  # the reason (derived) names the fixed coordinates moved
    return RestrictedCertificate(params, dataset, verdict, loss, _ROUTES[1], inner)


def _dead_chain(params: DeepReLU, dataset: Dataset, n: int) -> bool:
    """Hidden layer n (1-based) strictly negative on every point, every bias of layers
    n+1..k-1 fixed with entries <= 0, and the output bias fixed (the third route)."""
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
    return not S.moving[S.bias_index(k, 1)]


def verify_deep(params: DeepReLU, dataset: Dataset, *, max_directions: int = 4000,
                time_limit: float | None = None) -> Certificate:
    """The deep entry point of ``verify_local_minimum``: the full-space decision of
    :mod:`relu_minima.verify.deep.rules`, or :func:`verify_restricted_deep` when ``params`` has a
    restricted parameterisation."""
    from .rules import verify_deep_local_minimum

    if isinstance(params, DeepReLU) and not params.space.is_full:
        return verify_restricted_deep(params, dataset, max_directions=max_directions,
                                      time_limit=time_limit)
    return verify_deep_local_minimum(params, dataset, max_directions=max_directions,
                                     time_limit=time_limit)
