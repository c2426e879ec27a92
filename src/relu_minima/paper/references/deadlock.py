"""Deadlocked sigmoid 2-2-1 networks: certified local minima of low training accuracy (issue 29).

Reference 001 reports an earlier version's conjecture: the smallest dataset on which a 2-2-1
sigmoid network is "deadlocked" in a local minimum whose accuracy is at most half that of
another explicit point has 10 points. The setting certified here (declared, since reference
001 does not say):

* data: n points x_i in Q^2 with labels l_i in {0, 1};
* network: f(x) = c + v_1 s(w_1 . x + b_1) + v_2 s(w_2 . x + b_2), s the logistic sigmoid, a
  linear output (:class:`~relu_minima.exact.smooth_net.SmoothNet`);
* losses: "squared", sum (f(x_i) - l_i)^2, with prediction 1 iff f(x) > 1/2; "logistic",
  sum log(1 + exp(-(2 l_i - 1) f(x_i))) (f is the logit: the log loss of a sigmoid output
  unit), with prediction 1 iff f(x) > 0. A point exactly on the threshold is predicted 0;
* accuracy: the fraction of points whose prediction is their label.

What is proven for a case (:func:`recertify`): ``certify_smooth_minimum`` says "local minimum"
for a box X (one critical point theta* in X, positive definite Hessian on all of X: a strict
local minimum; the certificate's box *is* the certified point, not the start); ball arithmetic
over all of X bounds the number of correctly classified points at theta* from above (a point
counts unless it is proven wrong at every point of X); ball arithmetic at the explicit rational
point ``better`` bounds its number of correct points from below (a point counts only if proven
right). The case is *deadlocked* when 2 x (upper count at theta*) <= (lower count at better).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ...errors import InvalidArgument, ShapeError, require
from ...exact.datasets import Dataset
from ...exact.numbers import exact
from ...exact.smooth_net import SmoothNet
from ...verify.certificate import Certificate, Verdict
from ...verify.smooth.box_certificate import LossEnclosure, SmoothCertificate
from ...verify.smooth.certify import certify_smooth_minimum, smooth_loss_enclosure
from ...verify.smooth.intervals import (
    DEFAULT_PRECISION,
    ball,
    box_balls,
    flint_module,
    lower_fraction,
    precision,
    upper_fraction,
)

__all__ = ["FOUND", "NEAREST", "SEARCH_RECORD", "THRESHOLDS", "Accuracy", "DeadlockCase",
           "DeadlockEvidence", "output_balls", "recertify", "rigorous_accuracy", "targets"]

THRESHOLDS = {"squared": Fraction(1, 2), "logistic": Fraction(0)}


def _loss_name(loss: str) -> str:
    if loss not in THRESHOLDS:
        raise InvalidArgument(f"loss={loss!r} must be 'squared' or 'logistic'.")
    return loss


def _labels(labels: Any) -> list[int]:
    out = []
    for i, t in enumerate(labels):
        q = exact(t, f"labels[{i}]")
        if q not in (0, 1):
            raise InvalidArgument(f"labels[{i}]={q} must be 0 or 1.")
        out.append(int(q))
    return out


def targets(X: Any, labels: Any, loss: str) -> Dataset:
    """The library's dataset for ``loss``: targets l_i (squared) or 2 l_i - 1 (logistic)."""
    _loss_name(loss)
    labels = _labels(labels)
    return Dataset(X, labels if loss == "squared" else [2 * t - 1 for t in labels])


def output_balls(net: SmoothNet, X: Any, radius: Fraction = Fraction(0)) -> list[Any]:
    """Balls enclosing f(x) for every x in ``X`` and every parameter vector within max-norm
    ``radius`` of ``net`` (at flint's current precision)."""
    require(net.space.is_full, f"net={net!r} must move every parameter (bias=True, no frozen)",
            error=ShapeError)
    flint_module()
    th = box_balls(net.parameters(), Fraction(radius))
    m, d = net.m, net.d
    out = []
    for x in X:
        f = th[-1]
        for j in range(m):
            p = th[m * d + j] + sum((th[j * d + k] * ball(x[k]) for k in range(d)), ball(0))
            s = 1 / (1 + (-p).exp()) if net.activation == "sigmoid" else p.tanh()
            f = f + th[m * d + m + j] * s
        out.append(f)
    return out


@dataclass(frozen=True)
class Accuracy:
    """Proven bounds on the number of correctly classified points: ``lower`` are proven right,
    ``upper`` are not proven wrong (over a whole box for a certified minimum)."""

    lower: int
    upper: int
    n: int

    @property
    def exact(self) -> Fraction | None:
        """The accuracy when the bounds meet (every prediction decided), else None."""
        return Fraction(self.lower, self.n) if self.lower == self.upper else None

    def __str__(self) -> str:
        if self.lower == self.upper:
            return f"{self.lower}/{self.n}"
        return f"between {self.lower}/{self.n} and {self.upper}/{self.n}"


def rigorous_accuracy(net: SmoothNet, X: Any, labels: Any, loss: str, *,
                      radius: Fraction = Fraction(0), bits: int = DEFAULT_PRECISION
                      ) -> Accuracy:
    """Bounds on the correct predictions of every network within ``radius`` of ``net``."""
    thr = THRESHOLDS[_loss_name(loss)]
    labels = _labels(labels)
    lo = hi = 0
    with precision(bits):
        for f, label in zip(output_balls(net, X, radius), labels, strict=True):
            above = lower_fraction(f) > thr   # predicted 1 everywhere on the box
            below = upper_fraction(f) <= thr  # predicted 0 everywhere on the box
            right, wrong = (above, below) if label == 1 else (below, above)
            lo += int(right)
            hi += int(not wrong)
    return Accuracy(lo, hi, len(labels))


@dataclass(frozen=True)
class DeadlockCase:
    """Fixed data: a labelled dataset, a start for the local minimum, an explicit point."""

    name: str
    X: tuple[tuple[Fraction, ...], ...]
    labels: tuple[int, ...]
    loss: str
    start: SmoothNet
    better: SmoothNet

    @property
    def n(self) -> int:
        return len(self.labels)

    @property
    def dataset(self) -> Dataset:
        return targets(self.X, self.labels, self.loss)

    @classmethod
    def from_floats(cls, name: str, X: Any, labels: Any, loss: str, start: Any, better: Any,
                    digits: int = 12, decimals: int = 3) -> DeadlockCase:
        """Inputs and weights as exact decimals (inputs rounded to ``decimals`` decimals,
        weights to ``digits``): the search's float evidence made exact."""
        def q(t: Any, k: int) -> Fraction:
            return Fraction(round(float(t) * 10**k), 10**k)

        def net(th: Any) -> SmoothNet:
            t = [q(a, digits) for a in th]
            return SmoothNet([t[0:2], t[2:4]], t[4:6], t[6:8], t[8])

        return cls(name, tuple(tuple(q(a, decimals) for a in x) for x in X),
                   tuple(int(t) for t in labels), _loss_name(loss), net(start), net(better))

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "X": [[str(a) for a in x] for x in self.X],
                "labels": list(self.labels), "loss": self.loss,
                "start": self.start.to_json(), "better": self.better.to_json()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeadlockCase:
        return cls(data["name"], tuple(tuple(Fraction(a) for a in x) for x in data["X"]),
                   tuple(int(t) for t in data["labels"]), _loss_name(data["loss"]),
                   SmoothNet.from_json(data["start"]), SmoothNet.from_json(data["better"]))


@dataclass(frozen=True)
class DeadlockEvidence:
    """What :func:`recertify` established for a case (every field re-derived by ``check``)."""

    case: DeadlockCase
    certificate: SmoothCertificate
    at_minimum: Accuracy | None  # None unless the certificate says "local minimum"
    at_better: Accuracy
    better_loss: LossEnclosure  # the explicit point's loss, enclosed by balls

    @property
    def is_minimum(self) -> bool:
        return self.certificate.verdict is Verdict.MINIMUM

    @property
    def deadlocked(self) -> bool:
        """A certified strict local minimum with accuracy <= half the better point's."""
        return (self.is_minimum and self.at_minimum is not None
                and 2 * self.at_minimum.upper <= self.at_better.lower)

    @property
    def lower_loss(self) -> bool:
        """The explicit point's loss is proven below the minimum's: a bad minimum in loss too."""
        return self.is_minimum and self.better_loss.upper < self.certificate.loss.lower

    def summary(self) -> str:
        c = self.case
        acc = "not a certified minimum" if self.at_minimum is None else (
            f"accuracy {self.at_minimum} at the certified minimum")
        return (f"{c.name}: n = {c.n}, {c.loss} loss, {self.certificate.verdict.value} "
                f"(box radius {self.certificate.radius}, loss in {self.certificate.loss}), "
                f"{acc}; at the explicit point accuracy {self.at_better}, loss in "
                f"{self.better_loss}; deadlocked: {self.deadlocked}")

    def check(self) -> bool:
        """Re-verify: the certificate from its own JSON, the data it speaks of, both counts."""
        cert = Certificate.from_json(self.certificate.to_json())
        require(isinstance(cert, SmoothCertificate) and cert.check(),
                "the certificate does not re-check from its JSON")
        require(cert.dataset == self.case.dataset and cert.objective == self.case.loss,
                "the certificate speaks of other data or another loss")
        require(self.at_better == _accuracy_at(self.case.better, self.case),
                "the explicit point's accuracy does not recompute")
        enc = smooth_loss_enclosure(self.case.better, self.case.dataset, self.case.loss,
                                    precision_bits=cert.precision)
        require(self.better_loss.lower <= enc.lower and enc.upper <= self.better_loss.upper,
                "the explicit point's loss enclosure does not recompute")
        if self.is_minimum:
            require(self.at_minimum == _accuracy_on_box(cert, self.case),
                    "the accuracy over the certified box does not recompute")
        return True


def _accuracy_at(net: SmoothNet, case: DeadlockCase) -> Accuracy:
    return rigorous_accuracy(net, case.X, case.labels, case.loss)


def _accuracy_on_box(cert: SmoothCertificate, case: DeadlockCase) -> Accuracy:
    require(cert.radius is not None, "a local-minimum certificate without a box")
    return rigorous_accuracy(cert.params, case.X, case.labels, case.loss,
                             radius=cert.radius, bits=cert.precision)


def recertify(case: DeadlockCase, *, precision_bits: int = DEFAULT_PRECISION
              ) -> DeadlockEvidence:
    """Certify the local minimum near ``case.start`` and both accuracies (no search)."""
    cert = certify_smooth_minimum(case.start, case.dataset, loss=case.loss,
                                  precision=precision_bits)
    at_min = _accuracy_on_box(cert, case) if cert.verdict is Verdict.MINIMUM else None
    enc = smooth_loss_enclosure(case.better, case.dataset, case.loss,
                                precision_bits=precision_bits)
    return DeadlockEvidence(case, cert, at_min, _accuracy_at(case.better, case), enc)


# -- the fixed data (benchmarks/search_ref001_deadlock.py found them; re-certified on every run) --
def _case(name: str, X: list[list[str]], labels: list[int], loss: str, start: dict[str, Any],
          better: dict[str, Any]) -> DeadlockCase:
    return DeadlockCase.from_json({"name": name, "X": X, "labels": labels, "loss": loss,
                                   "start": start, "better": better})


# Certified deadlocked datasets with fewer than 10 points. n8-squared: two close pairs of
# opposite labels, misclassified both ways by a band-shaped fit of four singletons; reached by
# benchmarks/ref001_reduction.py from a 9-point strict minimum (one point removed by
# continuation, inputs rounded to 1/100; docs/errata.md, Part 4). Its explicit point is right
# on all 8 points and has lower loss (below 0.004 against 1.3249...).
FOUND: tuple[DeadlockCase, ...] = (
    _case("n8-squared",
          [["14/25", "123/100"], ["13/25", "121/100"], ["49/100", "27/10"], ["1/2", "279/100"],
           ["187/100", "167/100"], ["181/100", "52/25"], ["19/10", "91/100"], ["7/4", "13/5"]],
          [0, 1, 0, 1, 1, 0, 0, 0], "squared",
          {"W": [["13727/500000", "-1661829/200000"], ["3729199/1000000", "1555799/250000"]],
           "b": ["213819/20000", "-1126183/62500"], "v": ["-1421097/1000000", "-692609/500000"],
           "c": "701601/500000", "activation": "sigmoid"},
          {"W": [["-14094/125", "-228063/2500"], ["-55027/10000", "-16821/2500"]],
           "b": ["1482667/5000", "31703/2000"], "v": ["-3010893/10000", "304503/1000"],
           "c": "-91/2000", "activation": "sigmoid"}),
)

# The certified strict local minima on the fewest points found that miss the condition:
# n7-nearest (benchmark, "pairs" family, seed 29, trial 8): accuracy 5/7 against 7/7.
NEAREST: tuple[DeadlockCase, ...] = (
    _case("n7-nearest",
          [["57/250", "641/250"], ["119/500", "2409/1000"], ["1399/500", "73/100"],
           ["2833/1000", "711/1000"], ["1091/1000", "567/500"], ["163/200", "2949/1000"],
           ["737/1000", "309/500"]],
          [0, 1, 0, 1, 1, 1, 0], "squared",
          {"W": [["1213921153227/1000000000000", "-6857133579279/1000000000000"],
                 ["117140111477/1000000000000", "575546022947/500000000000"]],
           "b": ["16021467560117/1000000000000", "-3448795588121/1000000000000"],
           "v": ["7661795654867/1000000000000", "9397626989749/500000000000"],
           "c": "-8888318924909/1000000000000", "activation": "sigmoid"},
          {"W": [["-8680027944669/1000000000000", "1644705515749/250000000000"],
                 ["676174958699/500000000000", "-1442606931423/1000000000000"]],
           "b": ["623858224311/250000000000", "-191175690099/500000000000"],
           "v": ["151491900429501/1000000000000", "34033069502251/200000000000"],
           "c": "-6212561260089/40000000000", "activation": "sigmoid"}),
)

# What benchmarks/search_ref001_deadlock.py did (a record of the run, not re-run by the check).
SEARCH_RECORD: dict[str, Any] = {
    "script": "benchmarks/search_ref001_deadlock.py --sizes 4-9 --trials 25 (seed 29)",
    "families": ["uniform", "pairs", "seeded", "band"],
    "per_dataset": "160 random starts x 500 damped-Newton steps, end points polished",
    "squared": {"datasets": 592, "strict_minima_by_n": {"7": 2, "8": 1, "9": 3},
                "lowest_accuracy": "6/9", "deadlocked": 0},
    "logistic": {"datasets": 592, "strict_minima_by_n": {}, "deadlocked": 0},
    "reduction": "benchmarks/ref001_reduction.py: FIRST_NINE (9 points, accuracy 5/9) -> "
                 "n8-squared (accuracy 4/8); removing any of its 4 correct points failed",
    "summary": ("seed 29; n = 4..9 points; 4 families x 25 datasets per size and loss (592 "
                "with both labels, per loss), 160 starts x 500 damped-Newton steps each. "
                "Squared loss: 6 strict minima at finite weights (float evidence; n = 7: 2, "
                "n = 8: 1, n = 9: 3; lowest accuracy 6/9), none with at most half the best "
                "accuracy. Log loss: no strict minimum at finite weights. The 8-point case "
                "came from a 9-point strict minimum (accuracy 5/9) by removing a point by "
                "continuation (benchmarks/ref001_reduction.py); removing a further point failed "
                "for each of its 4 correct points."),
}
