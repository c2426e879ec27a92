"""Training on the Appendix B.1 dataset (Proposition 4): many networks at once by full-batch
gradient descent on log loss, vectorised over the sampled initialisations. Floating point,
hence *evidence*: the exact statements are in :mod:`.prop4` and docs/bounds.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ...errors import InvalidNumberError, ShapeError
from ...numeric.threads import one_thread
from .simulation import Progress, _as_data, _count, _quiet

__all__ = ["TrainingResult", "train_outlier_networks"]


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


def _checked(X: Any, y: Any, outlier: int, counts: dict[str, Any], std: float,
             learning_rate: float) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """The data, the labels and the counts, validated (errors name the argument)."""
    data = _as_data(X)
    labels = np.asarray(y, dtype=float)
    n = data.shape[0]
    if labels.shape != (n,) or not np.all((labels == 0) | (labels == 1)):
        raise ShapeError(f"y must be {n} labels in {{0, 1}}.")
    if not 0 <= outlier < n:
        raise InvalidNumberError(f"outlier={outlier!r} must index a row of X (0..{n - 1}).")
    out = {name: _count(value, name) for name, value in counts.items()}
    if not std > 0:
        raise InvalidNumberError(f"std={std!r} must be positive.")
    if not learning_rate > 0:
        raise InvalidNumberError(f"learning_rate={learning_rate!r} must be positive.")
    return data, labels, out


def _loss_floor(labels: np.ndarray, rest: np.ndarray, n: int) -> tuple[float, int]:
    """((N-1)/N) H(labels of the N - 1 points) in nats, which any shared output pays, and the
    errors a shared output must make on them."""
    ones = int(labels[rest].sum())
    frac = ones / len(rest)
    entropy = 0.0 if frac in (0.0, 1.0) else -(frac * np.log(frac) + (1 - frac) * np.log(1 - frac))
    return len(rest) / n * entropy, min(ones, len(rest) - ones)


def _forward(Ws: list[np.ndarray], bs: list[np.ndarray], data: np.ndarray, batch: int
             ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Activations (inputs first) and pre-activations of every layer, all networks at once."""
    acts, pres = [np.broadcast_to(data, (batch, *data.shape))], []
    for W, b in zip(Ws, bs, strict=True):
        pres.append(np.matmul(acts[-1], W) + b)
        acts.append(np.maximum(pres[-1], 0.0))
    return acts, pres


def _descend(Ws: list[np.ndarray], bs: list[np.ndarray], acts: list[np.ndarray],
             pres: list[np.ndarray], grad: np.ndarray, learning_rate: float,
             train_biases: bool) -> None:
    """One gradient step in place, back-propagating d loss / d logit (``grad``)."""
    delta = grad[:, :, None]
    for layer in range(len(Ws) - 1, -1, -1):
        gW = np.matmul(np.swapaxes(acts[layer], 1, 2), delta)
        gb = delta.sum(axis=1, keepdims=True)
        if layer > 0:
            delta = np.matmul(delta, np.swapaxes(Ws[layer], 1, 2)) * (pres[layer - 1] > 0)
        Ws[layer] -= learning_rate * gW
        if train_biases:
            bs[layer] -= learning_rate * gb


@one_thread()  # small products: more BLAS threads only wait for cores
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
    data, labels, c = _checked(X, y, outlier, {"width": width, "hidden_layers": hidden_layers,
                                               "samples": samples, "steps": steps},
                               std, learning_rate)
    width, samples, steps = c["width"], c["samples"], c["steps"]
    n, d_in = data.shape
    shapes = [(d_in, width)] + [(width, width)] * (c["hidden_layers"] - 1) + [(width, 1)]
    Ws = [rng.normal(mean, std, size=(samples, *s)) for s in shapes]
    bs = [np.zeros((samples, 1, s[1])) for s in shapes]
    positive = np.all(np.stack([np.all(W > 0, axis=(1, 2)) for W in Ws]), axis=0)
    rest = np.array([i for i in range(n) if i != outlier])
    floor, forced = _loss_floor(labels, rest, n)
    max_pre, max_spread, min_loss = -np.inf, 0.0, np.inf
    min_err = np.full(samples, n)
    others_at_zero = False  # some non-positive start reached 0 errors (then pruned)
    for step in range(steps + 1):
        acts, pres = _forward(Ws, bs, data, len(positive))
        out = pres[-1][:, :, 0]  # (samples, n), the logit
        loss = np.mean(_softplus(out) - labels * out, axis=1)
        min_err = np.minimum(min_err, np.sum((out > 0) != (labels == 1), axis=1))
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
        _descend(Ws, bs, acts, pres, (1.0 / (1.0 + np.exp(-out)) - labels) / n, learning_rate,
                 train_biases)
        if step % max(1, steps // 10) == 0:
            progress(f"Proposition 4 training: step {step}/{steps}")
    others = ~positive
    others_min = 0 if others_at_zero else (int(min_err[others].min()) if others.any() else None)
    return TrainingResult(
        samples, int(positive.sum()), steps, float(learning_rate), bool(train_biases),
        float(max_pre), float(max_spread), float(min_loss), float(floor),
        int(min_err[positive].min()) if positive.any() else n, forced, others_min,
    )
