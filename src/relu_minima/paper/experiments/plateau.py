"""The stopping rule of the empirical claims (issue 31): has a cell of runs levelled off?

A fixed step budget made several verdicts budget artefacts: Table 1's mean success rate kept
climbing from 10k to 160k steps. Every rule that compares rates or accuracies therefore first
applies :data:`.rules.PLATEAU` to the runs it reads: over the second half of the recorded
checkpoints (the trainer records 24, evenly spaced) no run changes its success indicator, and
the loss of every failed run changes by less than :data:`.rules.LOSS_STILL` (relative). The
cap is the protocol's step budget; a cell still moving at the cap gives no evidence for or
against, and the report shows its curve (:func:`curve`).
"""

from __future__ import annotations

import numpy as np

from ...train.data import TrainResult
from .rules import LOSS_STILL

__all__ = ["curve", "levelled", "success_trace"]


def success_trace(r: TrainResult) -> np.ndarray:
    """The success indicator of every run at every checkpoint (checkpoints x runs)."""
    if r.protocol.success == "zero_error":
        return np.asarray(r.trace_errors) == 0
    loss = np.asarray(r.trace_loss)
    return np.isfinite(loss) & (loss <= r.protocol.success_tol)


def levelled(r: TrainResult) -> bool:
    """The stopping rule (:data:`.rules.PLATEAU`) for one cell of runs."""
    ok = success_trace(r)
    half = max(len(ok) // 2 - 1, 0)
    if not np.all(ok[half:] == ok[-1]):
        return False
    loss = np.asarray(r.trace_loss)[:, ~ok[-1]]
    a, b = loss[half], loss[-1]
    both_inf = ~np.isfinite(a) & ~np.isfinite(b)  # overflowed for good: stopped
    with np.errstate(invalid="ignore"):
        still = np.abs(b - a) < LOSS_STILL * np.abs(a)
    return bool(np.all(still | both_inf))


def curve(r: TrainResult, points: int = 6) -> str:
    """The successes at a few checkpoints: the curve of a cell still moving at the cap."""
    ok = success_trace(r).sum(axis=1)
    picks = np.unique(np.linspace(0, len(ok) - 1, points).astype(int))
    return ", ".join(f"{int(ok[k])}/{r.n} at step {int(r.trace_steps[k]):,}" for k in picks)
