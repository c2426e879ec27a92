"""What the trainer consumes and produces: training data (:class:`TrainData`) and the
trained networks with their traces (:class:`TrainResult`); :mod:`.trainer` does the training.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InvalidArgument, ShapeError
from .protocol import Net, Protocol

__all__ = ["Params", "TrainData", "TrainResult"]

Params = list[tuple[np.ndarray, np.ndarray]]  # [(W (n, out, in), b (n, out)), ...]


@dataclass(frozen=True)
class TrainData:
    """Training data: inputs ``X`` (N, d), integer class ``labels`` (N,), a name.

    Binary labels are 0/1 (the logistic loss; the squared loss maps them to the protocol's
    targets); cross-entropy takes labels 0..k-1. ``exact`` optionally keeps the exact inputs
    (Fractions) for snapping.
    """

    name: str
    X: np.ndarray
    labels: np.ndarray
    exact: tuple[tuple[Any, ...], ...] | None = None

    @classmethod
    def binary(cls, name: str, X: Any, labels: Any, *, exact: Any = None) -> TrainData:
        """Binary classification data (labels 0/1)."""
        data = cls.of(name, X, labels, exact=exact)
        if not set(np.unique(data.labels)) <= {0, 1}:
            raise InvalidArgument(f"labels={list(data.labels)!r} must be 0 or 1.")
        return data

    @classmethod
    def of(cls, name: str, X: Any, labels: Any, *, exact: Any = None) -> TrainData:
        Xa = np.asarray(X, dtype=float)
        la = np.asarray(labels)
        if Xa.ndim != 2 or la.shape != (Xa.shape[0],):
            raise ShapeError(f"X has shape {Xa.shape} and labels {la.shape}; give X as (N, d) "
                             "and one integer label per row.")
        if not np.all(np.isfinite(Xa)) or not np.all(la == np.round(la)):
            raise InvalidArgument("X must be finite and labels integers.")
        return cls(name, Xa, la.astype(np.int64), None if exact is None else tuple(
            tuple(row) for row in exact))

    @classmethod
    def regression(cls, name: str, X: Any, y: Any, *, exact: Any = None) -> TrainData:
        """Regression data: real targets ``y`` (N,) kept in ``labels`` (the "mse" loss)."""
        Xa, ya = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        if Xa.ndim != 2 or ya.shape != (Xa.shape[0],):
            raise ShapeError(f"X has shape {Xa.shape} and y {ya.shape}; give X as (N, d) "
                             "and one target per row.")
        if not (np.all(np.isfinite(Xa)) and np.all(np.isfinite(ya))):
            raise InvalidArgument("X and y must be finite.")
        return cls(name, Xa, ya, None if exact is None else tuple(tuple(r) for r in exact))

    @property
    def n(self) -> int:
        return int(self.X.shape[0])


@dataclass(frozen=True)
class TrainResult:
    """n trained networks: the final parameters, their losses, and how they got there.

    ``trace_steps`` (T,) are the steps after which ``trace_loss`` and ``trace_norm`` (T, n)
    (full-data loss, Euclidean norm of all parameters) and ``trace_errors`` (T, n) (training
    points misclassified) were recorded; the last is the final step. ``success`` (n,) applies
    the protocol's criterion to the final state. NaN/inf losses mean the run overflowed.
    """

    protocol: Protocol
    net: Net
    data_name: str
    seed: int
    indices: np.ndarray
    params: Params
    final_loss: np.ndarray
    final_errors: np.ndarray
    gradient_norm: np.ndarray
    success: np.ndarray
    trace_steps: np.ndarray
    trace_loss: np.ndarray
    trace_norm: np.ndarray
    trace_errors: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.indices.shape[0])

    def network(self, k: int) -> Params:
        """The parameters of network ``k`` (position in this result) without the init axis."""
        return [(W[k], b[k]) for W, b in self.params]

    def success_at(self, step_index: int) -> np.ndarray:
        """Zero training error at trace point ``step_index`` (the step budget dependence)."""
        return self.trace_errors[step_index] == 0

    @staticmethod
    def concatenate(parts: Sequence[TrainResult]) -> TrainResult:
        """Join results of the same (protocol, net, data, seed) over blocks of indices."""
        first = parts[0]
        for p in parts[1:]:
            if (p.protocol, p.net, p.data_name, p.seed) != (first.protocol, first.net,
                                                            first.data_name, first.seed):
                raise InvalidArgument("results to concatenate must share protocol, net, data "
                                      "and seed.")
        cat = np.concatenate
        return TrainResult(
            first.protocol, first.net, first.data_name, first.seed,
            cat([p.indices for p in parts]),
            [(cat([p.params[i][0] for p in parts]), cat([p.params[i][1] for p in parts]))
             for i in range(len(first.params))],
            *(cat([getattr(p, f) for p in parts]) for f in (
                "final_loss", "final_errors", "gradient_norm", "success")),
            first.trace_steps,
            *(cat([getattr(p, f) for p in parts], axis=1) for f in (
                "trace_loss", "trace_norm", "trace_errors")))


# -- initialisation -----------------------------------------------------------------------------
