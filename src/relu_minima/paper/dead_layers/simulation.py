"""Numerical evidence (numpy, vectorised over sampled networks) for Propositions 4 and 5.

* :func:`estimate_all_positive` and :func:`train_outlier_networks`: Proposition 4
  (Appendix B.1). Sample initialisations of a d-h-...-h-1 network, train them with full-batch
  gradient descent on log loss on the outlier dataset, and record that the networks whose
  weights all start positive keep one shared output on the N - 1 negative points (so the
  training error never reaches 0), and how often all weights start positive (vs Eq. (3)).
* :func:`dead_layer_probability`: Proposition 5 (Appendix B.2). Monte Carlo of the probability,
  at initialisation, that some hidden layer j > 1 is inactive on every point of a dataset,
  with a Clopper-Pearson interval, compared with the corrected bound.

Everything here is floating point and is *evidence*; the bounds it is compared with are exact
(:mod:`relu_minima.paper.dead_layers.bounds`). Seeds are explicit: every function takes a numpy
``Generator``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
from scipy import special  # not scipy.stats: importing it took about 1 s of check-paper

from ...errors import InvalidArgument, InvalidNumberError, ShapeError
from ...exact.numbers import exact
from . import bounds, prop5_bounds
from .prop5_bounds import Law

__all__ = [
    "AllPositiveEstimate",
    "DeadLayerEstimate",
    "Interval",
    "TrainingResult",
    "clopper_pearson",
    "dead_layer_once",
    "dead_layer_probabilities",
    "dead_layer_probability",
    "estimate_all_positive",
    "sample_law",
    "train_outlier_networks",
    "wilson",
]

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    del message


@dataclass(frozen=True)
class Interval:
    """A binomial confidence interval for successes/samples (evidence)."""

    successes: int
    samples: int
    lower: float
    upper: float
    confidence: float
    method: str

    @property
    def estimate(self) -> float:
        return self.successes / self.samples

    def __contains__(self, value: float) -> bool:
        return self.lower <= value <= self.upper

    def __str__(self) -> str:
        return (f"{self.successes}/{self.samples} = {self.estimate:.4g} "
                f"[{self.lower:.4g}, {self.upper:.4g}] ({self.confidence:.0%} {self.method})")


def _check_counts(successes: int, samples: int, confidence: float) -> None:
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 1:
        raise InvalidNumberError(f"samples={samples!r} must be a positive integer.")
    if not 0 <= successes <= samples:
        raise InvalidNumberError(f"successes={successes!r} must lie in [0, samples={samples}].")
    if not 0 < confidence < 1:
        raise InvalidNumberError(f"confidence={confidence!r} must lie strictly in (0, 1).")


def clopper_pearson(successes: int, samples: int, confidence: float = 0.99) -> Interval:
    """Exact (conservative) Clopper-Pearson interval."""
    _check_counts(successes, samples, confidence)
    alpha = 1 - confidence
    lo = 0.0 if successes == 0 else float(special.betaincinv(successes,
                                                             samples - successes + 1, alpha / 2))
    hi = 1.0 if successes == samples else float(special.betaincinv(successes + 1,
                                                                   samples - successes,
                                                                   1 - alpha / 2))
    return Interval(int(successes), int(samples), lo, hi, confidence, "Clopper-Pearson")


def wilson(successes: int, samples: int, confidence: float = 0.99) -> Interval:
    """Wilson score interval."""
    _check_counts(successes, samples, confidence)
    z = float(special.ndtri(1 - (1 - confidence) / 2))
    p, n = successes / samples, samples
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Interval(int(successes), int(samples), max(0.0, centre - half),
                    min(1.0, centre + half), confidence, "Wilson")


def sample_law(rng: np.random.Generator, law: Law, shape: tuple[int, ...]) -> np.ndarray:
    """Draw from a :class:`~relu_minima.paper.dead_layers.prop5_bounds.Law` (float evidence)."""
    if not isinstance(rng, np.random.Generator):
        raise InvalidNumberError(f"rng={rng!r} must be a numpy Generator (np.random.default_rng).")
    if law.kind == "normal":
        return rng.normal(float(law.mean), float(law.variance) ** 0.5, size=shape)
    if law.kind == "uniform":
        return rng.uniform(float(law.low), float(law.high), size=shape)
    if law.kind == "point":
        return np.full(shape, float(law.mean))
    raise InvalidArgument(f"law={law!r} has an unknown kind.")


def _as_data(X: Any, name: str = "X") -> np.ndarray:
    try:
        arr = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise ShapeError(f"{name} must be an (N, d) array of numbers.") from None
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ShapeError(f"{name} has shape {arr.shape}; an (N, d) array is needed.")
    if not np.all(np.isfinite(arr)):
        raise InvalidNumberError(f"{name} contains NaN or infinity.")
    return arr


def _count(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise InvalidNumberError(f"{name}={value!r} must be an integer >= {minimum}.")
    return int(value)


# --- Proposition 5 -----------------------------------------------------------------------

def dead_layer_once(X: np.ndarray, weights: Sequence[np.ndarray],
                    biases: Sequence[np.ndarray]) -> bool:
    """Straightforward reference for one network: is some hidden layer j > 1 inactive
    (pre-activation <= 0 for every unit) on every row of X? Used by tests and the benchmark.
    """
    act = X
    for j, (W, b) in enumerate(zip(weights, biases, strict=True)):
        pre = act @ W + b
        if j > 0 and np.all(pre <= 0):
            return True
        act = np.maximum(pre, 0.0)
    return False


@dataclass(frozen=True)
class DeadLayerEstimate:
    """Monte Carlo of P(some hidden layer j > 1 is inactive on every point), with the
    corrected Proposition 5 bound (exact, shown to 30 digits) and the printed one."""

    width: int
    hidden_layers: int
    weight_law: str
    bias_law: str
    interval: Interval
    corrected_bound: mpmath.mpf
    printed_bound: mpmath.mpf

    @property
    def bound_consistent(self) -> bool:
        """The corrected bound does not exceed the interval's upper end."""
        return float(self.corrected_bound) <= self.interval.upper

    @property
    def printed_consistent(self) -> bool:
        return float(self.printed_bound) <= self.interval.upper

    @property
    def gap(self) -> float:
        """Estimate minus corrected bound: how loose the bound is (evidence)."""
        return self.interval.estimate - float(self.corrected_bound)


def dead_layer_probability(
    X: Any,
    width: int,
    hidden_layers: int,
    weight_law: Law,
    bias_law: Law,
    samples: int,
    rng: np.random.Generator,
    *,
    batch: int = 20_000,
    confidence: float = 0.99,
    progress: Progress = _quiet,
    prune: bool = True,
) -> DeadLayerEstimate:
    """Vectorised Monte Carlo over ``samples`` networks d-h-...-h (``hidden_layers`` layers);
    see :func:`dead_layer_probabilities` (one depth)."""
    return dead_layer_probabilities(X, width, (hidden_layers,), weight_law, bias_law, samples,
                                    rng, batch=batch, confidence=confidence, progress=progress,
                                    prune=prune)[0]


def dead_layer_probabilities(
    X: Any,
    width: int,
    depths: Sequence[int],
    weight_law: Law,
    bias_law: Law,
    samples: int,
    rng: np.random.Generator,
    *,
    batch: int = 20_000,
    confidence: float = 0.99,
    progress: Progress = _quiet,
    prune: bool = True,
) -> tuple[DeadLayerEstimate, ...]:
    """One estimate per number of hidden layers in ``depths``, from ``samples`` networks of the
    largest depth: the first k hidden layers of a network of depth K >= k have the law of a
    network of depth k (the event does not involve the output layer), and "some layer j in
    2..k is dead" is "the first dead layer is <= k". Each estimate is a valid interval for its
    own depth; the estimates of one call share their samples (they are correlated).

    A network whose layer j > 1 is inactive on every point is decided for every deeper depth,
    so with ``prune`` (the default) its deeper layers are neither drawn nor evaluated: the same
    event under the same law, with fewer draws. ``prune=False`` draws every layer of every
    network (the random stream of the earlier implementation).
    """
    data = _as_data(X)
    width = _count(width, "width")
    depths = tuple(_count(k, "hidden_layers", 2) for k in depths)
    if not depths:
        raise InvalidNumberError("depths is empty: give at least one number of hidden layers.")
    samples = _count(samples, "samples")
    batch = _count(batch, "batch")
    if not isinstance(weight_law, Law):
        raise InvalidNumberError(f"weight_law={weight_law!r} must be a prop5_bounds.Law.")
    if not isinstance(bias_law, Law):
        raise InvalidNumberError(f"bias_law={bias_law!r} must be a prop5_bounds.Law.")
    n_points, d_in = data.shape
    deepest = max(depths)
    first_dead = np.zeros(deepest, dtype=np.int64)  # networks whose first dead layer is j
    done = 0
    while done < samples:
        s = min(batch, samples - done)
        act = np.broadcast_to(data, (s, n_points, d_in))
        alive = np.ones(s, dtype=bool)  # used without pruning only
        fan_in = d_in
        for j in range(deepest):
            W = sample_law(rng, weight_law, (len(act), fan_in, width))
            b = sample_law(rng, bias_law, (len(act), 1, width))
            pre = np.matmul(act, W) + b
            act = np.maximum(pre, 0.0)
            if j > 0:
                now = np.all(pre <= 0, axis=(1, 2))
                if prune:  # decided: count them, and go on with the living only
                    first_dead[j] += int(now.sum())
                    act = act[~now]
                else:
                    first_dead[j] += int((now & alive).sum())
                    alive &= ~now
            fan_in = width
        done += s
        progress(f"Proposition 5 Monte Carlo: {done}/{samples} networks, "
                 f"{int(first_dead.sum())} with a dead layer")
    estimates = []
    for k in depths:
        hits = int(first_dead[:k].sum())
        corrected = prop5_bounds.prop5_value(width, k, weight_law, bias_law)
        printed = prop5_bounds.prop5_value(width, k, weight_law, bias_law, printed=True)
        estimates.append(DeadLayerEstimate(width, k, str(weight_law), str(bias_law),
                                           clopper_pearson(hits, samples, confidence),
                                           corrected, printed))
    return tuple(estimates)


# --- Proposition 4 -----------------------------------------------------------------------

@dataclass(frozen=True)
class AllPositiveEstimate:
    """Monte Carlo of P(all weights > 0) against Eq. (3) (Appendix B.1) for N(mean, std^2)."""

    weights: int
    formula: mpmath.mpf
    interval: Interval

    @property
    def consistent(self) -> bool:
        return float(self.formula) in self.interval


def estimate_all_positive(
    d_in: int, width: int, hidden_layers: int, mean: Any, std: Any, samples: int,
    rng: np.random.Generator, *, confidence: float = 0.99,
) -> AllPositiveEstimate:
    """Sample every weight of ``samples`` networks from N(mean, std^2) and count all-positive.

    ``mean`` and ``std`` are exact numbers (the formula is evaluated exactly); floats refused.
    """
    m, sd = exact(mean, "mean"), exact(std, "std")
    if sd <= 0:
        raise InvalidNumberError(f"std={std!r} must be positive.")
    n_w = bounds.prop4_exponent(d_in, width, hidden_layers)
    samples = _count(samples, "samples")
    hits, done = 0, 0
    chunk = max(1, 2_000_000 // n_w)
    while done < samples:
        s = min(chunk, samples - done)
        w = rng.normal(float(m), float(sd), size=(s, n_w))
        hits += int(np.all(w > 0, axis=1).sum())
        done += s
    formula = bounds.prop4_probability(m, "fixed", d_in, width, hidden_layers, fixed_std=sd,
                                       dps=30)
    return AllPositiveEstimate(n_w, formula, clopper_pearson(hits, samples, confidence))


@dataclass(frozen=True)
class TrainingResult:
    """Full-batch gradient descent on log loss for sampled networks (Appendix B.1), evidence.

    For the networks whose weights all started positive (``positive_start``):
    ``max_negative_preactivation``: the largest first-layer pre-activation at any of the N - 1
    points over all steps (< 0 means they never woke up); ``max_output_spread``: the largest
    spread (max - min) of the outputs over the N - 1 points (0.0 = one shared output);
    ``min_loss`` the smallest loss seen, ``loss_floor`` the exact-in-principle floor
    ((N-1)/N) * H(labels of the N - 1 points) in nats that any shared output must pay;
    ``min_errors``: fewest misclassified points at any step.
    """

    samples: int
    positive_start: int
    steps: int
    learning_rate: float
    train_biases: bool
    max_negative_preactivation: float
    max_output_spread: float
    min_loss: float
    loss_floor: float
    min_errors: int
    forced_errors: int
    others_min_errors: int | None  # same, for networks that did not start all-positive

    @property
    def effect_holds(self) -> bool:
        return (self.positive_start > 0 and self.max_negative_preactivation < 0
                and self.max_output_spread == 0.0
                and self.min_loss >= self.loss_floor * (1 - 1e-12)  # float rounding
                and self.min_errors >= self.forced_errors > 0)


def _softplus(z: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, z)


def train_outlier_networks(
    X: Any,
    y: Any,
    outlier: int,
    width: int,
    hidden_layers: int,
    mean: float,
    std: float,
    samples: int,
    steps: int,
    rng: np.random.Generator,
    *,
    learning_rate: float = 0.1,
    train_biases: bool = True,
    progress: Progress = _quiet,
    prune: bool = True,
) -> TrainingResult:
    """Train ``samples`` networks at once (weights N(mean, std^2), biases 0) by full-batch GD.

    The networks that did not start all-positive enter the result only through
    ``others_min_errors``, the fewest errors any of them reaches. Errors cannot go below 0, so
    once one of them reaches 0 errors that number is final and, with ``prune`` (the default),
    they stop being trained; the all-positive networks are trained for every step. Each
    network's trajectory is independent of the others, so the result is the same as with
    ``prune=False`` (every network for every step; kept as the reference and the benchmark's
    baseline), bit for bit.
    """
    data = _as_data(X)
    labels = np.asarray(y, dtype=float)
    n, d_in = data.shape
    if labels.shape != (n,) or not np.all((labels == 0) | (labels == 1)):
        raise ShapeError(f"y must be {n} labels in {{0, 1}}.")
    if not 0 <= outlier < n:
        raise InvalidNumberError(f"outlier={outlier!r} must index a row of X (0..{n - 1}).")
    width, hidden_layers = _count(width, "width"), _count(hidden_layers, "hidden_layers")
    samples, steps = _count(samples, "samples"), _count(steps, "steps")
    if not std > 0:
        raise InvalidNumberError(f"std={std!r} must be positive.")
    if not learning_rate > 0:
        raise InvalidNumberError(f"learning_rate={learning_rate!r} must be positive.")
    shapes = [(d_in, width)] + [(width, width)] * (hidden_layers - 1) + [(width, 1)]
    Ws = [rng.normal(mean, std, size=(samples, *s)) for s in shapes]
    bs = [np.zeros((samples, 1, s[1])) for s in shapes]
    positive = np.all(np.stack([np.all(W > 0, axis=(1, 2)) for W in Ws]), axis=0)
    rest = np.array([i for i in range(n) if i != outlier])
    ones = int(labels[rest].sum())
    forced = min(ones, len(rest) - ones)
    frac = ones / len(rest)
    entropy = 0.0 if frac in (0.0, 1.0) else -(frac * np.log(frac) + (1 - frac) * np.log(1 - frac))
    floor = len(rest) / n * entropy
    max_pre, max_spread, min_loss = -np.inf, 0.0, np.inf
    min_err = np.full(samples, n)
    others_at_zero = False  # some non-positive start reached 0 errors (then pruned)
    for step in range(steps + 1):
        acts, pres = [np.broadcast_to(data, (len(positive), n, d_in))], []
        for W, b in zip(Ws, bs, strict=True):
            pres.append(np.matmul(acts[-1], W) + b)
            acts.append(np.maximum(pres[-1], 0.0))
        out = pres[-1][:, :, 0]  # (samples, n), the logit
        loss = np.mean(_softplus(out) - labels * out, axis=1)
        errors = np.sum((out > 0) != (labels == 1), axis=1)
        min_err = np.minimum(min_err, errors)
        if positive.any():
            pos = slice(None) if others_at_zero else positive  # a view once pruned
            max_pre = max(max_pre, float(pres[0][pos][:, rest, :].max()))
            spread = out[pos][:, rest]
            max_spread = max(max_spread, float((spread.max(axis=1) - spread.min(axis=1)).max()))
            min_loss = min(min_loss, float(loss[pos].min()))
        if prune and not others_at_zero and not positive.all() and min_err[~positive].min() == 0:
            # others_min_errors is 0 for good: keep only the all-positive networks
            others_at_zero = True
            Ws, bs = [W[positive] for W in Ws], [b[positive] for b in bs]
            out, acts, pres = out[positive], [a[positive] for a in acts], [
                p[positive] for p in pres]
            min_err, positive = min_err[positive], positive[positive]
            if not positive.any():
                break
        if step == steps:
            break
        grad = (1.0 / (1.0 + np.exp(-out)) - labels) / n  # d loss / d logit
        delta = grad[:, :, None]
        for layer in range(len(Ws) - 1, -1, -1):
            gW = np.matmul(np.swapaxes(acts[layer], 1, 2), delta)
            gb = delta.sum(axis=1, keepdims=True)
            if layer > 0:
                delta = np.matmul(delta, np.swapaxes(Ws[layer], 1, 2)) * (pres[layer - 1] > 0)
            Ws[layer] -= learning_rate * gW
            if train_biases:
                bs[layer] -= learning_rate * gb
        if step % max(1, steps // 10) == 0:
            progress(f"Proposition 4 training: step {step}/{steps}")
    others = ~positive
    others_min = 0 if others_at_zero else (int(min_err[others].min()) if others.any() else None)
    return TrainingResult(
        samples, int(positive.sum()), steps, float(learning_rate), bool(train_biases),
        float(max_pre), float(max_spread), float(min_loss), float(floor),
        int(min_err[positive].min()) if positive.any() else n, forced, others_min,
    )

