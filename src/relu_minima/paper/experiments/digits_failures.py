"""The failed runs of the Figure 1 and 2 digits analogues under a squared loss, classified exactly
(issues 27 and 31; docs/experiments.md, "Failed digits runs, classified").

The analogues of :mod:`.analogues` train with the cross-entropy, which the exact machinery does
not decide. This module runs the same configurations under a *declared squared loss on one-hot
targets* (the trainer's ``one_hot_squared``: the summed squared loss over the 10 outputs, divided
by the number of images), on a declared subset small enough to decide exactly:

* data: the first :data:`POINTS` images of scikit-learn's 8x8 digits, pixels / 16 (exact: the
  floats are the exact binary values p / 16), one-hot targets of the 10 classes; Figure 2 scales
  the images by tau in {1, 1/100, 1/10000} (exact rationals; the floats train on tau * p / 16);
* networks: 64-h-10 (Figure 1: also 64-h-h-h-h-10), h = :data:`WIDTH`, ReLU, biases 0;
* Figure 1 laws: weights N(mu, 0.1^2), mu in {0, -0.1, +0.1}; Figure 2: Glorot-uniform weights;
* Adam, learning rate 1e-3, full batch (the subset is no larger than Appendix A's batch of 200),
  the scale's step budget; seeds: :func:`.rules.judging_seed` of "digits-failures".

A run *fails* at final training accuracy <= :data:`.rules.FAILS`. Every failed run gets a class:

* a run whose first layer is a strict blind spot at step 0 (every pre-activation < 0 on every
  image, rigorous bound of :func:`.figure1.strict_blind_spot_margin`) is proved to stay there:
  every gradient of the layers below the output bias is exactly 0 (relu'(z) = 0 for z <= 0, and
  every unit above the dead layer sees the input 0), so no Adam step moves them; the trainer's
  final arrays are compared with the initial ones bit for bit, and only the output bias moved.
  The run's point is then snapped (:func:`relu_minima.train.snap`): the output bias becomes the
  exact target mean per output, which the deep blind-spot rule (k outputs) certifies as a local
  minimum; "proven bad" when an explicit point of the same parameterisation has strictly lower
  exact loss. The run's own point differs from that minimum only in the output bias, and its
  loss exceeds it by exactly N |c - ybar|^2 (a constant output c);
* other failed runs are snapped and decided (certified minimum, not a minimum with its
  witness, or undecided with the reason, e.g. "not near a stationary point": the exact
  least-squares output layer is far from the trained one, the run was still moving): those
  with one hidden layer up to the scale's bound :data:`LIVE_CLASSIFIED` (about 1 to 2 s each,
  measured), deep ones at the full scale only (:data:`DEEP_LIVE`; 1 to 20 s each); a run left
  out is listed as not classified, with its float gradient norm and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ...exact.datasets import Dataset, one_hot
from ...exact.shallow_relu import ShallowReLU
from ...train.protocol import InitLaw, Net, Protocol
from ...train.snap import snap
from ...train.trainer import TrainData, TrainResult, init_params, train
from . import figure1
from .rules import FAILS, judging_seed

__all__ = ["DEEP_LIVE", "LIVE_CLASSIFIED", "POINTS", "SCALES", "WIDTH", "DigitsRun", "FailedRun",
           "classify_failed", "digits_runs", "exact_digits"]

POINTS = 200  # the first 200 images of the digits
WIDTH = 16
# scale -> (networks per configuration, Adam steps)
SCALES = {"quick": (1, 150), "reduced": (1, 400), "full": (4, 5000)}
# failed runs with one hidden layer that are not blind spots, snapped per scale (None: all);
# live deep runs are snapped at the full scale only
LIVE_CLASSIFIED = {"quick": 0, "reduced": None, "full": None}
DEEP_LIVE = {"quick": False, "reduced": False, "full": True}
FIG1_MEANS = (0.0, -0.1, 0.1)
FIG2_TAUS = (Fraction(1), Fraction(1, 100), Fraction(1, 10000))
MAX_DIRECTIONS = 50  # the deep decision's budget for a live deep run (then undecided)

CERTIFIED_BAD = "certified local minimum, proven bad"
CERTIFIED = "certified local minimum (bad: unknown)"
NOT_MINIMUM = "not a local minimum (witness)"
UNDECIDED = "undecided"
NOT_CLASSIFIED = "not classified at this scale"


def exact_digits(tau: Fraction = Fraction(1)) -> tuple[Dataset, TrainData]:
    """The declared subset, exact (one-hot targets) and as the trainer's floats."""
    from .image_data import load_digits_data

    images = load_digits_data()
    pixels, labels = images.X[:POINTS], images.y[:POINTS]
    scale = tau * images.scale
    exact = one_hot([[scale * int(p) for p in row] for row in pixels.tolist()], labels, 10)
    floats = TrainData.of(f"first {POINTS} digits x {tau}", pixels * float(scale), labels)
    return exact, floats


@dataclass
class FailedRun:
    """One failed network and its class (module docstring)."""

    label: str
    index: int
    accuracy: float
    gradient_norm: float  # float64 at the run's end (evidence)
    kind: str
    detail: str
    step0_margin: float | None = None  # rigorous bound at step 0 (< 0: strict blind spot)
    moved: tuple[str, ...] = ()  # the trainer's arrays that changed during the run
    report: Any = None  # the snap report
    run_gap: Fraction | None = None  # blind spot: max |c_run - ybar| of the constant output
    run_excess: Fraction | None = None  # blind spot: L(run's point) - L(certified minimum)


@dataclass
class DigitsRun:
    """One configuration's networks and the classes of its failed ones."""

    figure: str
    label: str
    net: Net
    protocol: Protocol
    result: TrainResult
    initial: list[Any]
    accuracy: np.ndarray
    failed: list[FailedRun] = field(default_factory=list)


def _names(depth: int) -> list[str]:
    return [f"{kind}_{n + 1}" for n in range(depth) for kind in ("W", "b")]


def _moved(initial: list[Any], final: list[Any]) -> tuple[str, ...]:
    arrays0 = [a for W, b in initial for a in (W, b)]
    arrays1 = [a for W, b in final for a in (W, b)]
    return tuple(name for name, a, b in zip(_names(len(initial)), arrays0, arrays1, strict=True)
                 if not np.array_equal(a, b))


def _state(layers: list[Any]) -> dict[str, np.ndarray]:
    return {f"{n}.{kind}": a for n, (W, b) in enumerate(layers)
            for kind, a in (("weight", W), ("bias", b))}


def _from_report(report: Any) -> tuple[str, str]:
    if report.status == "local minimum":
        if report.bad_local_minimum:
            return CERTIFIED_BAD, (f"snapped loss {report.snapped_loss}; "
                                   f"{report.lower_source} has exact loss "
                                   f"{float(report.lower_loss):.6g} (rounded here; exact in "
                                   "the snap report)")
        return CERTIFIED, "no explicit lower point of this parameterisation was found"
    if report.status == "not a local minimum":
        return NOT_MINIMUM, "the snapped point's certificate holds a descent witness"
    return UNDECIDED, f"snap: {report.status}; {report.attempts[-1]}"


def _blind_spot(run: FailedRun, data: Dataset, final: list[Any]) -> None:
    """The blind-spot class: the snap, and what is proved about the run's own point."""
    report = snap(_state(final), data, max_directions=MAX_DIRECTIONS)
    run.report = report
    run.kind, run.detail = _from_report(report)
    if report.params is None:
        return
    # the output is the same on every image (layer 1 is dead on all of them): one point gives it
    trained = report.trained
    constant = trained(data.X[0]) if isinstance(trained, ShallowReLU) else \
        trained.forward(data.X[0])
    mean = data.mean_of(range(data.n))
    run.run_gap = max(abs(c - y) for c, y in zip(constant, mean, strict=True))
    run.run_excess = data.n * sum(((c - y) ** 2 for c, y in zip(constant, mean, strict=True)),
                                  Fraction(0))


def classify_failed(run: DigitsRun, data: Dataset, floats: TrainData, live_budget: list[Any],
                    deep_live: bool = False) -> None:
    """Classify the failed networks of ``run`` (module docstring); ``live_budget`` is a
    one-element list: how many more live one-hidden-layer runs may be snapped (None: all);
    ``deep_live``: whether live deep runs are snapped."""
    for i in np.flatnonzero(run.accuracy <= FAILS):
        i = int(i)
        init = [(W[i], b[i]) for W, b in run.initial]
        final = run.result.network(i)
        failed = FailedRun(run.label, i, float(run.accuracy[i]),
                           float(run.result.gradient_norm[i]), NOT_CLASSIFIED, "",
                           moved=_moved(init, final))
        margin = figure1.strict_blind_spot_margin(floats.X, init[0][0], init[0][1])
        failed.step0_margin = margin
        if margin < 0:
            _blind_spot(failed, data, final)
        elif len(run.net.widths) > 3 and not deep_live:
            failed.detail = (f"a live deep network (float gradient norm "
                             f"{failed.gradient_norm:.3g}); its exact snap (1 to 20 s, "
                             "measured) is left to the full scale")
        elif len(run.net.widths) > 3 or live_budget[0] is None or live_budget[0] > 0:
            if live_budget[0] is not None and len(run.net.widths) == 3:
                live_budget[0] -= 1
            report = snap(_state(final), data, max_directions=MAX_DIRECTIONS)
            failed.report = report
            failed.kind, failed.detail = _from_report(report)
        else:
            failed.detail = (f"a live network (float gradient norm {failed.gradient_norm:.3g}); "
                             "its exact snap is beyond this scale's bound")
        run.failed.append(failed)


def _train(figure: str, label: str, net: Net, protocol: Protocol, floats: TrainData,
           nets: int, seed: int) -> DigitsRun:
    from ...numeric.threads import one_thread

    with one_thread():
        result = train(net, protocol, floats, seed=seed, indices=range(nets))
    initial, _ = init_params(net, protocol.init, seed, range(nets))
    accuracy = 1.0 - result.final_errors / floats.n
    return DigitsRun(figure, label, net, protocol, result, initial, accuracy)


def digits_runs(scale: str, seed: int | None = None, progress: Any = None,
                steps: int | None = None) -> list[DigitsRun]:
    """Every configuration of the module docstring, trained, its failed runs classified;
    ``steps`` replaces the scale's step budget (``check-paper --steps``)."""
    nets, default_steps = SCALES[scale]
    steps = default_steps if steps is None else steps
    seed = judging_seed("digits-failures") if seed is None else seed
    live_budget = [LIVE_CLASSIFIED[scale]]
    data, floats = exact_digits()
    runs = []
    for mu in FIG1_MEANS:
        law = InitLaw("normal", mean=mu, scale=0.1)
        p = Protocol(f"digits squared mu={mu:g}", loss="one_hot_squared", optimizer="adam",
                     lr=1e-3, steps=steps, init=law)
        for depth in (1, 4):
            net = Net((64, *([WIDTH] * depth), 10), "relu")
            run = _train("fig1", f"N({mu:g}, 0.1^2), {depth} hidden layer(s)", net, p, floats,
                         nets, seed)
            if progress:
                progress(f"digits failures: classifying {run.label}")
            classify_failed(run, data, floats, live_budget, DEEP_LIVE[scale])
            runs.append(run)
    for tau in FIG2_TAUS:
        exact, scaled = exact_digits(tau)
        p = Protocol("digits squared fig2", loss="one_hot_squared", optimizer="adam", lr=1e-3,
                     steps=steps, init=InitLaw("glorot_uniform"))
        run = _train("fig2", f"tau = {tau}", Net((64, WIDTH, 10), "relu"), p, scaled, nets,
                     seed)
        classify_failed(run, exact, scaled, live_budget)
        runs.append(run)
    return runs
