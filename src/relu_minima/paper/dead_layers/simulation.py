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
from ...numeric.threads import one_thread
from . import bounds, prop5_bounds
from .prop5_bounds import Law

__all__ = [
    "AllPositiveEstimate",
    "DeadLayerEstimate",
    "Interval",
    "clopper_pearson",
    "dead_layer_once",
    "dead_layer_probabilities",
    "dead_layer_probability",
    "estimate_all_positive",
    "sample_law",
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


@one_thread()  # small products: more BLAS threads only wait for cores
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
