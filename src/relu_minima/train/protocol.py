"""Declared training protocols: what a run of :mod:`relu_minima.train.trainer` does, as data.

Section 3.1.2 of the paper reports "convergence" rates (Table 1) without the protocol that
produced them (no learning rate, step budget, initialisation law or threshold). A
:class:`Protocol` makes every one of those choices explicit, is frozen (hashable, so it can key
a result table) and prints as one line; every :class:`~relu_minima.train.trainer.TrainResult`
stores the protocol it was run under. See docs/experiments.md.

>>> p = Protocol("demo", loss="squared", optimizer="adam", lr=0.01, steps=1000)
>>> print(p)
demo: adam(lr=0.01, eps=1e-08, full batch), squared loss (targets 0/1), 1000 steps, \
init glorot_uniform (weights mean 0, biases 0), success: zero training error
>>> p.replace(steps=10).steps
10
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidArgument, InvalidNumberError, InvalidType, ShapeError

__all__ = ["ACTIVATIONS", "INIT_KINDS", "LOSSES", "OPTIMIZERS", "InitLaw", "Net", "Protocol"]

ACTIVATIONS = ("relu", "sigmoid", "tanh")
LOSSES = ("squared", "logistic", "cross_entropy", "mse", "one_hot_squared")
OPTIMIZERS = ("gd", "sgd", "adam")
INIT_KINDS = ("glorot_uniform", "glorot_normal", "lecun_normal", "he_normal", "normal",
              "uniform")
SUCCESS = ("zero_error", "loss_below")


def _choice(value: Any, name: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InvalidArgument(f"{name}={value!r} is not one of {', '.join(allowed)}.")
    return str(value)


def _number(value: Any, name: str, *, positive: bool = False, nonneg: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidType(f"{name}={value!r} must be a real number, such as 0.01.")
    f = float(value)
    bad = f != f or f in (float("inf"), float("-inf")) or (positive and f <= 0) or (
        nonneg and f < 0)
    if bad:
        what = "positive" if positive else "non-negative" if nonneg else "finite"
        raise InvalidNumberError(f"{name}={value!r} must be {what} and finite.")
    return f


def _count(value: Any, name: str, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidNumberError(f"{name}={value!r} must be an integer >= {minimum}.")
    return int(value)


@dataclass(frozen=True)
class Net:
    """A layered network: widths ``(d, h_1, ..., k)`` and the hidden activation.

    The output layer is affine (no activation): a logit for the logistic loss, k logits for
    cross-entropy, a real output for the squared loss. ``Net((2, 4, 1), "relu")`` is the
    paper's 2-4-1 rectifier network.
    """

    widths: tuple[int, ...]
    activation: str = "relu"

    def __post_init__(self) -> None:
        widths = self.widths
        if not isinstance(widths, (tuple, list)) or len(widths) < 2 or any(
                isinstance(h, bool) or not isinstance(h, int) or h < 1 for h in widths):
            raise ShapeError(f"widths={widths!r} must be >= 2 positive integers (d, ..., k).")
        object.__setattr__(self, "widths", tuple(int(h) for h in widths))
        _choice(self.activation, "activation", ACTIVATIONS)

    @property
    def depth(self) -> int:
        """The number of affine layers (2 for one hidden layer)."""
        return len(self.widths) - 1

    def __str__(self) -> str:
        return "-".join(map(str, self.widths)) + f" {self.activation}"


@dataclass(frozen=True)
class InitLaw:
    """The law of the initial weights and biases (each layer, each network independently).

    ``kind``: "glorot_uniform" (U(-a, a), a = sqrt(6 / (fan_in + fan_out)), Glorot & Bengio
    2010, the Keras default), "glorot_normal" (variance 2 / (fan_in + fan_out), the paper's
    "Xavier'10"), "lecun_normal" (variance 1 / fan_in, the paper's "LeCun'98"), "he_normal"
    (variance 2 / fan_in), "normal" (standard deviation ``scale``), "uniform" (U(-scale,
    scale)). ``mean`` shifts every weight (the paper's mu of Section 3.2 and Figure 1).
    Biases are N(bias_mean, bias_std^2), exactly ``bias_mean`` when ``bias_std`` is 0.
    """

    kind: str = "glorot_uniform"
    mean: float = 0.0
    scale: float | None = None
    bias_mean: float = 0.0
    bias_std: float = 0.0

    def __post_init__(self) -> None:
        _choice(self.kind, "kind", INIT_KINDS)
        object.__setattr__(self, "mean", _number(self.mean, "mean"))
        object.__setattr__(self, "bias_mean", _number(self.bias_mean, "bias_mean"))
        object.__setattr__(self, "bias_std", _number(self.bias_std, "bias_std", nonneg=True))
        if self.kind in ("normal", "uniform"):
            if self.scale is None:
                raise InvalidArgument(f"kind={self.kind!r} needs scale= (the standard "
                                      "deviation or half-width), such as scale=0.1.")
            object.__setattr__(self, "scale", _number(self.scale, "scale", positive=True))
        elif self.scale is not None:
            raise InvalidArgument(f"scale={self.scale!r} is set by kind={self.kind!r}; "
                                  "give scale only with kind 'normal' or 'uniform'.")

    def __str__(self) -> str:
        scale = "" if self.scale is None else f"(scale {self.scale:g})"
        bias = (f"{self.bias_mean:g}" if self.bias_std == 0
                else f"N({self.bias_mean:g}, {self.bias_std:g}^2)")
        return f"{self.kind}{scale} (weights mean {self.mean:g}, biases {bias})"


@dataclass(frozen=True)
class Protocol:
    """One declared training protocol (frozen, printable, stored with every result).

    ``loss``: "squared" (mean over the batch of (f(x) - t)^2, binary labels mapped to
    ``targets``), "logistic" (mean of log(1 + exp(-s f(x))), s = +-1, labels 0/1) or
    "cross_entropy" (softmax over k outputs, integer labels) or "mse" (regression: mean of
    (f(x) - y)^2 for real targets y, data from :meth:`TrainData.regression`) or
    "one_hot_squared" (k outputs, integer labels: mean over the batch of |f(x) - e_label|^2,
    the summed squared loss over every output on one-hot targets, divided by the batch size).
    ``optimizer``: "gd" (full-batch gradient descent), "sgd" (``batch_size`` points per
    step, reshuffled every epoch, the last incomplete batch of an epoch dropped) or "adam"
    (Kingma & Ba 2014, with ``adam_eps``, ``beta1``, ``beta2``; full batch unless
    ``batch_size`` is set). ``success``: "zero_error" (every training point classified
    correctly at the end) or "loss_below" (final full-data loss <= ``success_tol``).
    """

    name: str
    loss: str = "squared"
    optimizer: str = "gd"
    lr: float = 0.1
    steps: int = 1000
    batch_size: int | None = None
    init: InitLaw = InitLaw()
    adam_eps: float = 1e-8
    beta1: float = 0.9
    beta2: float = 0.999
    targets: tuple[float, float] = (0.0, 1.0)
    success: str = "zero_error"
    success_tol: float | None = None
    why: str = ""  # the reason for each choice, for the report (not used by the trainer)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidArgument(f"name={self.name!r} must be a non-empty string.")
        _choice(self.loss, "loss", LOSSES)
        _choice(self.optimizer, "optimizer", OPTIMIZERS)
        _choice(self.success, "success", SUCCESS)
        object.__setattr__(self, "lr", _number(self.lr, "lr", positive=True))
        _count(self.steps, "steps")
        if self.batch_size is not None:
            _count(self.batch_size, "batch_size")
        if self.optimizer == "sgd" and self.batch_size is None:
            raise InvalidArgument("optimizer='sgd' needs batch_size= (points per step), "
                                  "such as batch_size=1; use optimizer='gd' for full batch.")
        if self.optimizer == "gd" and self.batch_size is not None:
            raise InvalidArgument(f"optimizer='gd' is full batch; batch_size="
                                  f"{self.batch_size!r} needs optimizer='sgd'.")
        if not isinstance(self.init, InitLaw):
            raise InvalidType(f"init={self.init!r} must be an InitLaw.")
        object.__setattr__(self, "adam_eps", _number(self.adam_eps, "adam_eps", positive=True))
        for name in ("beta1", "beta2"):
            beta = _number(getattr(self, name), name, nonneg=True)
            if beta >= 1:
                raise InvalidNumberError(f"{name}={beta!r} must be in [0, 1).")
            object.__setattr__(self, name, beta)
        if (not isinstance(self.targets, (tuple, list)) or len(self.targets) != 2
                or self.targets[0] == self.targets[1]):
            raise InvalidArgument(f"targets={self.targets!r} must be two different numbers "
                                  "(the squared loss's targets for labels 0 and 1).")
        object.__setattr__(self, "targets", tuple(_number(t, "targets") for t in self.targets))
        if self.success == "loss_below":
            object.__setattr__(self, "success_tol",
                               _number(self.success_tol, "success_tol", positive=True))

    def replace(self, **changes: Any) -> Protocol:
        """A copy with ``changes`` (the protocol itself is frozen)."""
        return dataclasses.replace(self, **changes)

    @property
    def batch(self) -> str:
        return "full batch" if self.batch_size is None else f"batch {self.batch_size}"

    def __str__(self) -> str:
        opt = (f"adam(lr={self.lr:g}, eps={self.adam_eps:g}, {self.batch})"
               if self.optimizer == "adam" else f"{self.optimizer}(lr={self.lr:g}, {self.batch})")
        loss = f"{self.loss} loss"
        if self.loss == "squared":
            loss += f" (targets {self.targets[0]:g}/{self.targets[1]:g})"
        success = ("zero training error" if self.success == "zero_error"
                   else f"final loss <= {self.success_tol:g}")
        return f"{self.name}: {opt}, {loss}, {self.steps} steps, init {self.init}, " \
               f"success: {success}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-able (the init law nested)."""
        out = dataclasses.asdict(self)
        out["targets"] = list(self.targets)
        return out
