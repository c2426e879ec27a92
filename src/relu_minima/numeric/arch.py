"""Architectures of layered networks and the conversions between exact and float parameters.

The flat layout itself is :class:`relu_minima.exact.params.ParameterSpace`; an
:class:`Architecture` adds the hidden activation. Floats are evidence: exact -> float rounds to
nearest (:func:`to_vector`), float -> exact only with ``allow_float=True`` (:func:`from_vector`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InexactNumberError, InvalidArgument, InvalidNumberError, ShapeError
from ..exact.numbers import brief, exact_vector
from ..exact.params import ParameterSpace

ACTIVATIONS = ("relu", "sigmoid", "tanh")
LOSSES = ("squared", "logistic")


# -- architectures and the flat layout ------------------------------------------------------
@dataclass(frozen=True)
class Architecture:
    """Widths (d, h_1, ..., h_{k-1}, outputs) and the hidden activation of a layered network
    (one output in Equations (1) and (2); several under the summed squared loss)."""

    widths: tuple[int, ...]
    activation: str = "relu"

    def __post_init__(self) -> None:
        widths = tuple(self.widths)
        if len(widths) < 2 or any(not isinstance(h, int) or h < 1 for h in widths):
            raise ShapeError(f"widths={self.widths!r} must be >= 2 positive integers (d, ..., "
                             "outputs).")
        if widths[-1] != 1 and self.activation != "relu":
            raise ShapeError(f"widths={self.widths!r}: sigmoid/tanh networks have one output.")
        if self.activation not in ACTIVATIONS:
            raise InvalidArgument(
                f"activation={self.activation!r} is not one of {', '.join(ACTIVATIONS)}."
            )
        object.__setattr__(self, "widths", widths)

    @property
    def d(self) -> int:
        """Input dimension."""
        return self.widths[0]

    @property
    def depth(self) -> int:
        """k, the number of affine layers."""
        return len(self.widths) - 1

    @property
    def outputs(self) -> int:
        """The number of outputs (the last width)."""
        return self.widths[-1]

    @property
    def space(self) -> ParameterSpace:
        """The exact parameter space: the one place the flat layout is written."""
        return ParameterSpace(self.widths)

    @property
    def n_params(self) -> int:
        """P, the length of the flat parameter vector."""
        return self.space.size

    def layer_slices(self) -> tuple[tuple[int, int, int, int], ...]:
        """Per layer (start, out, in, stop): W_n is theta[start:start+out*in], b_n follows."""
        return tuple((L.start, L.out, L.inp, L.stop) for L in self.space.layers)

    def split(self, thetas: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Views (W_n of shape (B, out, in), b_n of shape (B, out)) into a (B, P) batch."""
        B = thetas.shape[0]
        layers = []
        for start, o, i, stop in self.layer_slices():
            W = thetas[:, start:start + o * i].reshape(B, o, i)
            layers.append((W, thetas[:, start + o * i:stop]))
        return layers


def architecture(params: Any) -> Architecture:
    """The :class:`Architecture` of a ``ShallowReLU``, ``DeepReLU`` or ``SmoothNet``."""
    from ..exact.deep_relu import DeepReLU
    from ..exact.shallow_relu import ShallowReLU

    if isinstance(params, Architecture):
        return params
    if isinstance(params, ShallowReLU):
        return Architecture((params.d, params.m, params.k), "relu")
    if isinstance(params, DeepReLU):
        return Architecture(params.widths, "relu")
    activation = getattr(params, "activation", None)
    if activation is not None and hasattr(params, "W"):
        return Architecture((len(params.W[0]), len(params.W), 1), activation)
    raise ShapeError(
        f"params={brief(params)} is not a network relu_minima knows (ShallowReLU, DeepReLU, "
        "SmoothNet)."
    )


def exact_parameters(params: Any) -> tuple[Fraction, ...]:
    """The exact flat parameter vector of ``params`` (layout in the module docstring)."""
    from ..exact.deep_relu import DeepReLU

    if isinstance(params, DeepReLU) or hasattr(params, "parameters"):
        return tuple(params.parameters())
    raise ShapeError(f"params={brief(params)} has no flat parameter layout.")


def as_floats(values: Any, name: str) -> np.ndarray:
    """Exact numbers -> nearest float64 values (the allow-listed exact->float conversion)."""
    try:
        return np.array(values, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as err:
        raise InvalidNumberError(f"{name} cannot be converted to floats: {err}") from None


def to_vector(params: Any) -> np.ndarray:
    """The flat float64 parameter vector of ``params`` (each entry rounded to nearest)."""
    return as_floats([float(t) for t in exact_parameters(params)], "params")


def from_vector(theta: Any, like: Any, *, allow_float: bool = False) -> Any:
    """Exact parameters with the layout of ``like`` from the flat vector ``theta``.

    ``like`` is a network (the result has its type and shape) or an :class:`Architecture`
    (ReLU depth 2 gives a ``ShallowReLU``, deeper a ``DeepReLU``, smooth a ``SmoothNet``).
    Float entries are refused unless ``allow_float=True``, which takes each double's exact
    binary value: the result is exactly the point the float computation looked at.
    """
    from ..exact.deep_relu import DeepReLU
    from ..exact.shallow_relu import ShallowReLU

    arch = architecture(like)
    items = theta.tolist() if isinstance(theta, np.ndarray) else list(theta)
    if len(items) != arch.n_params:
        raise ShapeError(f"theta has {len(items)} entries but {arch.n_params} are needed.")
    if not allow_float and any(isinstance(t, float) for t in items):
        k = next(i for i, t in enumerate(items) if isinstance(t, float))
        raise InexactNumberError(
            f"theta[{k}]={items[k]!r} is a float; converting a float point to exact parameters "
            "is a labelled conversion: pass allow_float=True to take the exact binary values."
        )
    vals = exact_vector(items, "theta", allow_float=allow_float)
    if isinstance(like, DeepReLU) or (arch.activation == "relu" and arch.depth != 2):
        return DeepReLU(*arch.space.unflatten(vals))
    (W, V), (b, C) = arch.space.unflatten(vals)
    if arch.activation == "relu":
        return ShallowReLU(W, b, V[0], C[0]) if len(V) == 1 else ShallowReLU(W, b, V, C)
    (v,), (c,) = V, C
    from ..exact.smooth_net import SmoothNet

    return SmoothNet(W, b, v, c, activation=arch.activation)
