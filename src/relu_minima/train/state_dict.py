"""Reading trained networks: numpy arrays, lists of floats, PyTorch-like ``state_dict`` mappings.

A trained network is read into a :class:`FloatNet`: per layer a weight matrix of shape
(out, in), as ``torch.nn.Linear`` stores it, and a bias vector, all float64. Accepted forms:

* ``{"W", "b", "v", "c"}``: one hidden layer in the library's names (W is m x d, or a flat list
  for d = 1; v has m entries and c is a number, or, for k outputs, v is k x m and c has k
  entries);
* a ``state_dict`` of an ``nn.Sequential`` of ``Linear`` and ``ReLU`` layers: keys
  ``"<name>.weight"`` (out, in) and ``"<name>.bias"`` (out,), layers in stored order (so
  ``"0.weight", "0.bias", "2.weight", ...`` as well as ``"input_layer.weight", ...``); a layer
  without a ``".bias"`` key is bias-free (``Linear(..., bias=False)``: its bias is 0 and not a
  parameter, and the exact copy says so in its parameterisation); every
  value is read with ``numpy.asarray`` (torch is never imported), so CPU tensors work; an object
  with a ``state_dict()`` method is asked for it. ReLU layers have no parameters: the layers
  read are assumed to be Linear layers with a ReLU between consecutive ones;
* a pair ``(weights, biases)`` of per-layer matrices (out, in) and vectors;
* an exact ``ShallowReLU`` or ``DeepReLU`` (read as its nearest doubles).

The last layer may have k >= 1 outputs (a ``torch.nn.Linear(m, k)`` head): the loss is then the
summed squared loss over every output, with targets given as n rows of k numbers (one-hot rows
for classification, :func:`relu_minima.one_hot`).

:func:`from_arrays` and :func:`from_state_dict` give exact copies (no snapping).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import (
    InvalidArgument,
    InvalidNumberError,
    InvalidType,
    ReluMinimaError,
    ShapeError,
)
from ..exact.datasets import Dataset
from ..exact.deep_relu import DeepReLU
from ..exact.params import ParameterSpace
from ..exact.shallow_relu import ShallowReLU, exact_slope
from ..numeric.backend import Architecture
from .rationals import _as_array, exact_array

__all__ = [
    "FloatNet",
    "UnsupportedModelError",
    "exact_model",
    "from_arrays",
    "from_state_dict",
    "read_dataset",
    "read_network",
]


class UnsupportedModelError(ReluMinimaError, ValueError):
    """A network the exact models cannot represent (layers other than Linear/ReLU, no biases)."""


@dataclass(frozen=True)
class FloatNet:
    """A trained network in floats: ``weights[n]`` is (out, in), ``biases[n]`` is (out,)."""

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    names: tuple[str, ...]  # where each layer came from, for messages
    # which layers have a bias (None: all); a bias-free layer's biases are zeros
    # (its outputs are then those of the layer without biases)
    bias: tuple[bool, ...] | None = None
    activation: str = "relu"  # the hidden activation: relu, sigmoid or tanh
    # relu with a negative slope s (torch's LeakyReLU): h(z) = z (z > 0), s z (z <= 0); exact
    negative_slope: Fraction = Fraction(0)

    @property
    def bias_flags(self) -> tuple[bool, ...]:
        return self.bias if self.bias is not None else (True,) * len(self.weights)

    @property
    def widths(self) -> tuple[int, ...]:
        return (self.weights[0].shape[1], *(W.shape[0] for W in self.weights))

    @property
    def depth(self) -> int:
        return len(self.weights)

    @property
    def arch(self) -> Architecture:
        return Architecture(self.widths, self.activation, self.negative_slope)

    @property
    def theta(self) -> np.ndarray:
        """The flat float vector, laid out by :class:`~relu_minima.exact.params.ParameterSpace`."""
        flat = ParameterSpace(self.widths).flatten([W.tolist() for W in self.weights],
                                                   [b.tolist() for b in self.biases])
        return np.array(flat, dtype=np.float64)

    def exact_binary(self) -> Any:
        """The exact model at the doubles' binary values (the trained point itself)."""
        return exact_model(self.weights, self.biases, None, bias=self.bias_flags,
                           negative_slope=self.negative_slope)


ACTIVATION_MODULES = {"ReLU": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh",
                      "LeakyReLU": "leaky_relu"}
TORCH_LEAKY_DEFAULT = Fraction(1, 100)  # torch.nn.LeakyReLU's default negative_slope
# modules that compute nothing at evaluation (or only reshape a 1-D input)
PASSIVE_MODULES = ("Identity", "Dropout", "Flatten", "Sequential", "ModuleList")


def module_activation(model: Any, name: str = "params") -> str | None:
    """The hidden activation of a torch module, read from its submodules (``ReLU``,
    ``Sigmoid``, ``Tanh``, ``LeakyReLU`` as "leaky_relu"; torch is never imported): None when
    none is seen (a custom module that applies it in ``forward``). Other layers are refused by
    name."""
    return _module_activation(model, name)[0]


def _module_activation(model: Any, name: str) -> tuple[str | None, Fraction | None]:
    """(activation, negative slope of its LeakyReLU layers or None)."""
    seen: set[str] = set()
    slopes: set[Fraction] = set()
    for sub_name, sub in model.named_modules():
        kind = type(sub).__name__
        if kind in ACTIVATION_MODULES:
            seen.add(ACTIVATION_MODULES[kind])
            if kind == "LeakyReLU":  # a float: its shortest decimal (0.01 -> 1/100), labelled
                slopes.add(Fraction(repr(float(sub.negative_slope))))
        elif kind != "Linear" and kind not in PASSIVE_MODULES and sub_name \
                and not list(sub.children()):
            raise UnsupportedModelError(
                f"{name} has a layer {sub_name!r} of type {kind}; only Linear layers with ReLU, "
                "LeakyReLU, Sigmoid or Tanh between them are supported.")
    if len(seen) > 1 or len(slopes) > 1:
        raise UnsupportedModelError(
            f"{name} mixes the activations {sorted(seen)} (negative slopes "
            f"{sorted(map(str, slopes))}); relu_minima handles one hidden activation per "
            "network.")
    return (seen.pop() if seen else None), (slopes.pop() if slopes else None)


def _activation(params: Any, activation: str | None, name: str,
                negative_slope: Any = None) -> tuple[str, Fraction]:
    """The activation of ``params`` and its negative slope: seen in a module, or given, or
    ReLU; refused when the two disagree or when a module applies it where it cannot be seen.
    "leaky_relu" is "relu" with ``negative_slope`` (default torch's 1/100)."""
    if activation is not None and activation not in ("relu", "sigmoid", "tanh", "leaky_relu"):
        raise InvalidType(f"activation={activation!r} must be 'relu', 'leaky_relu', 'sigmoid' "
                          "or 'tanh'.")
    seen, seen_slope = None, None
    if callable(getattr(params, "named_modules", None)):
        seen, seen_slope = _module_activation(params, name)
        if seen is None and activation is None and type(params).__name__ != "Sequential":
            raise UnsupportedModelError(
                f"{name} is a {type(params).__name__} whose activation is applied in forward() "
                "and cannot be seen; pass activation='relu', 'leaky_relu', 'sigmoid' or "
                "'tanh'.")
    if seen is not None and activation is not None and seen != activation:
        raise InvalidArgument(f"activation={activation!r} but {name} has {seen} layers.")
    act = seen or activation or "relu"
    given = None if negative_slope is None else exact_slope(negative_slope, allow_float=True)
    if given is not None and act not in ("relu", "leaky_relu"):
        raise InvalidArgument(f"negative_slope={negative_slope!r} applies to (leaky) relu "
                              f"networks, not to {act}.")
    if given is not None and seen_slope is not None and given != seen_slope:
        raise InvalidArgument(f"negative_slope={negative_slope!r} but {name}'s LeakyReLU "
                              f"layers have {seen_slope}.")
    if act == "leaky_relu":
        return "relu", seen_slope if seen_slope is not None else (
            given if given is not None else TORCH_LEAKY_DEFAULT)
    return act, given if given is not None else Fraction(0)


def read_network(params: Any, name: str = "params", activation: str | None = None,
                 negative_slope: Any = None) -> FloatNet:
    """Any accepted form (module docstring) -> a validated :class:`FloatNet`; the activation is
    read from a torch module (issue 25, item 1; a ``LeakyReLU`` with its slope, issue 26),
    else ``activation`` (default ReLU; "leaky_relu" takes ``negative_slope``, default torch's
    0.01), else an exact model's own ``negative_slope``."""
    if negative_slope is None and activation is None and getattr(
            params, "negative_slope", 0) != 0:
        negative_slope = params.negative_slope  # an exact leaky model read as floats
    act, slope = _activation(params, activation, name, negative_slope)
    net = _read_network(params, name)
    if act != "relu" and net.widths[-1] != 1:
        raise UnsupportedModelError(
            f"{name} is a {act} network with {net.widths[-1]} outputs (its last layer, "
            f"{net.names[-1]}); the smooth certificates (docs/smooth.md) cover one output: "
            "several outputs are decided for (leaky) ReLU networks.")
    if act == "relu" and slope == 0:
        return net
    return FloatNet(net.weights, net.biases, net.names, net.bias, act, slope)


def _read_network(params: Any, name: str = "params") -> FloatNet:
    if isinstance(params, ShallowReLU):
        params = DeepReLU.from_shallow(params)
    if isinstance(params, DeepReLU) and not params.space.is_full:
        full = DeepReLU(params.weights, params.biases)
        return _with_bias(_read_network(full, name), params.space.bias)
    if isinstance(params, DeepReLU):
        return _validated([_floats(W, f"{name}.weights[{n}]")
                           for n, W in enumerate(params.weights)],
                          [_floats(b, f"{name}.biases[{n}]")
                           for n, b in enumerate(params.biases)],
                          [f"{name}.weights[{n}]" for n in range(params.depth)])
    if not isinstance(params, Mapping) and callable(getattr(params, "state_dict", None)):
        params = params.state_dict()
    if isinstance(params, Mapping):
        keys = [str(k) for k in params]
        if {"W", "b", "v", "c"} <= set(keys) and not any("." in k for k in keys):
            return _read_wbvc(params, name)
        filled, flags = _bias_free_filled(params)
        return _with_bias(_read_state_dict(filled, name), flags)
    if isinstance(params, Sequence) and not isinstance(params, (str, bytes)) and len(params) == 2:
        weights, biases = params
        return _read_layers(weights, biases, name)
    raise InvalidType(
        f"{name} of type {type(params).__name__} is not a network this reader knows; pass "
        "{'W','b','v','c'}, a state_dict ('0.weight', '0.bias', ...), or (weights, biases)."
    )


def _floats(values: Any, name: str) -> np.ndarray:
    arr = _as_array(values, name)
    if arr.dtype == object:
        try:
            arr = np.array([float(t) for t in arr.ravel()]).reshape(arr.shape)
        except (TypeError, ValueError, OverflowError) as err:
            raise InvalidNumberError(f"{name} holds something that is not a number: {err}.") \
                from None
    arr = arr.astype(np.float64)
    # np.argwhere of a 0-d array has shape (1, 0), size 0: test the values, then locate them
    # (issue 22, item 6: a NaN output bias given as a 0-d array passed before)
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))
        idx = tuple(int(k) for k in bad[0])
        raise InvalidNumberError(
            f"{name}{list(idx) if idx else ''}={arr[idx]!r} is not finite (NaN or infinity): "
            "the training run diverged or the array is corrupt; only finite weights can be "
            "snapped.")
    return arr


def _read_wbvc(params: Mapping[str, Any], name: str) -> FloatNet:
    W = _floats(params["W"], f"{name}['W']")
    if W.ndim == 1:
        W = W[:, None]  # a flat list: m units with d = 1, as ShallowReLU reads it
    v = _floats(params["v"], f"{name}['v']")
    # k outputs: v is the k x m output matrix (one row per output), c has k entries
    V = v.reshape(1, -1) if v.ndim <= 1 else v
    c = _floats(params["c"], f"{name}['c']").reshape(-1)
    if V.ndim != 2 or c.shape != (V.shape[0],):
        raise ShapeError(f"{name}['v'] has shape {v.shape} and {name}['c'] {c.size} entries: "
                         "give v with m entries and c one number (one output), or v as a "
                         "k x m matrix and c with k entries (k outputs).")
    b = _floats(params["b"], f"{name}['b']")
    return _validated([W, V], [b, c], [f"{name}['W']", f"{name}['v']"])


def _read_layers(weights: Any, biases: Any, name: str) -> FloatNet:
    if len(weights) != len(biases):
        raise ShapeError(f"{name} has {len(weights)} weight matrices but {len(biases)} bias "
                         "vectors; give one bias vector per layer.")
    Ws = [_floats(W, f"{name}.weights[{n}]") for n, W in enumerate(weights)]
    bs = [_floats(b, f"{name}.biases[{n}]") for n, b in enumerate(biases)]
    return _validated(Ws, bs, [f"{name}.weights[{n}]" for n in range(len(Ws))])


def _read_state_dict(state: Mapping[Any, Any], name: str) -> FloatNet:
    """Group the keys by layer prefix (stored order) and read each group with
    :func:`_read_linear`; a new kind of layer is one more reader of a group."""
    layers: dict[str, dict[str, Any]] = {}  # insertion order = stored order
    for key, value in state.items():
        prefix, _, kind = str(key).rpartition(".")
        if kind not in LINEAR_KEYS:
            raise UnsupportedModelError(
                f"{name}[{key!r}] is not a Linear layer's weight or bias; only nn.Sequential "
                "networks of Linear and ReLU layers are supported (no normalisation, "
                "convolution or other layers).")
        layers.setdefault(prefix, {})[kind] = (str(key), value)
    if not layers:
        raise ShapeError(f"{name} is empty: no layer to read.")
    read = [_read_linear(prefix, parts, name) for prefix, parts in layers.items()]
    return _validated([r[0] for r in read], [r[1] for r in read], [r[2] for r in read],
                      [r[3] for r in read])


LINEAR_KEYS = ("weight", "bias")


def _read_linear(prefix: str, parts: dict[str, tuple[str, Any]], name: str
                 ) -> tuple[np.ndarray, np.ndarray, str, str]:
    """One Linear layer: (W (out, in), b (out,), the weight's name, the bias's name)."""
    if "weight" not in parts:
        raise ShapeError(f"{name} has {prefix + '.bias'!r} but no {prefix + '.weight'!r}.")
    wkey, wval = parts["weight"]
    W = _floats(wval, f"{name}[{wkey!r}]")
    if W.ndim != 2:
        raise UnsupportedModelError(
            f"{name}[{wkey!r}] has shape {W.shape}, not (out, in): not a Linear layer; only "
            "Linear and ReLU layers are supported.")
    if "bias" not in parts:
        raise UnsupportedModelError(
            f"{name} has no {prefix + '.bias'!r}: bias-free layers (Linear(..., bias=False)) "
            "are not supported yet. The exact models (ShallowReLU, DeepReLU) have a bias in "
            "every layer as a free parameter, and a network trained without biases lives in "
            "a smaller parameter space, where 'local minimum' means something else.")
    bkey, bval = parts["bias"]
    return W, _floats(bval, f"{name}[{bkey!r}]"), f"{name}[{wkey!r}]", f"{name}[{bkey!r}]"


def _validated(weights: list[np.ndarray], biases: list[np.ndarray], names: list[str],
               bias_names: list[str] | None = None) -> FloatNet:
    if not weights:
        raise ShapeError("the network has no layer.")
    for n, (W, b, where) in enumerate(zip(weights, biases, names, strict=True)):
        if W.ndim != 2 or W.shape[0] < 1 or W.shape[1] < 1:
            raise ShapeError(f"{where} has shape {W.shape}; a weight matrix is (out, in), "
                             "both at least 1.")
        if b.shape != (W.shape[0],):
            bias = bias_names[n] if bias_names else f"the bias of layer {n} (after {where})"
            raise ShapeError(f"{bias} has shape {b.shape} but {where} has {W.shape[0]} "
                             f"outputs: it must be ({W.shape[0]},).")
        if n > 0 and W.shape[1] != weights[n - 1].shape[0]:
            raise ShapeError(
                f"{where} takes {W.shape[1]} inputs but the previous layer ({names[n - 1]}) has "
                f"{weights[n - 1].shape[0]} outputs: the shapes do not form a network.")
    return FloatNet(tuple(weights), tuple(biases), tuple(names))


# -- exact copies ------------------------------------------------------------------------------
def _rational(value: Any, max_denominator: int | None) -> Fraction:
    if isinstance(value, float):
        x = Fraction(value)
        return x if max_denominator is None else x.limit_denominator(max_denominator)
    return Fraction(value)


def exact_model(weights: Sequence[Any], biases: Sequence[Any],
                max_denominator: int | None, *, bias: Any = True,
                negative_slope: Any = 0) -> ShallowReLU | DeepReLU:
    """Exact model from float layers: ShallowReLU for one hidden layer, else DeepReLU;
    ``bias`` (per layer) marks bias-free layers (their biases must be 0)."""
    if max_denominator is not None and (isinstance(max_denominator, bool)
                                        or not isinstance(max_denominator, int)
                                        or max_denominator < 1):
        raise InvalidNumberError(f"max_denominator={max_denominator!r} must be a positive "
                                 "integer, or None for the doubles' exact binary values.")
    Ws = [[[_rational(t, max_denominator) for t in row] for row in np.asarray(W).tolist()]
          for W in weights]
    bs = [[_rational(t, max_denominator) for t in np.asarray(b).tolist()] for b in biases]
    if len(Ws) == 2:  # k outputs: v is the k x m output matrix, c the k output biases
        k = len(Ws[1])
        return ShallowReLU(Ws[0], bs[0], Ws[1][0] if k == 1 else Ws[1],
                           bs[1][0] if k == 1 else bs[1], bias=bias,
                           negative_slope=negative_slope)
    return DeepReLU(Ws, bs, bias=bias, negative_slope=negative_slope)


def from_arrays(weights: Sequence[Any], biases: Sequence[Any], *,
                max_denominator: int | None = None) -> ShallowReLU | DeepReLU:
    """An exact copy of a float network given as per-layer (out, in) matrices and biases.

    Each double becomes its exact binary value (``max_denominator=None``), or the closest
    rational with denominator at most ``max_denominator`` (``Fraction.limit_denominator``).
    One hidden layer gives a ``ShallowReLU``, any other depth a ``DeepReLU``. No snapping: the
    copy is as close as stated and nothing more (use :func:`relu_minima.train.snap` for a
    certified point).

    >>> net = from_arrays([[[0.5], [-1.0]], [[2.0, 0.3333333]]], [[0.25, 0.0], [-1.5]],
    ...                   max_denominator=100)
    >>> net.W, net.v, net.c
    (((Fraction(1, 2),), (Fraction(-1, 1),)), (Fraction(2, 1), Fraction(1, 3)), Fraction(-3, 2))
    """
    net = _read_layers(weights, biases, "weights/biases")
    return exact_model(net.weights, net.biases, max_denominator)


def from_state_dict(state_dict: Any, *, max_denominator: int | None = None
                    ) -> ShallowReLU | DeepReLU:
    """An exact copy of a ``state_dict`` (or any form :func:`read_network` reads); see
    :func:`from_arrays` for the rational approximation."""
    net = read_network(state_dict, "state_dict")
    return exact_model(net.weights, net.biases, max_denominator, bias=net.bias_flags)


# -- data ----------------------------------------------------------------------------------------
def read_dataset(dataset: Any, rule: str = "decimal") -> Dataset:
    """An exact ``Dataset`` as given, or ``(X, y)`` / ``{"X", "y"}`` with floats converted by
    ``rule``: "decimal" (the shortest decimal that gives the same float: 0.1 -> 1/10) or
    "binary" (the float's exact binary value). Integers and strings are exact."""
    if isinstance(dataset, Dataset):
        return dataset
    if isinstance(dataset, Mapping) and {"X", "y"} <= set(dataset):
        X, y = dataset["X"], dataset["y"]
    elif isinstance(dataset, Sequence) and not isinstance(dataset, (str, bytes)) \
            and len(dataset) == 2:
        X, y = dataset
    else:
        raise InvalidType(f"dataset of type {type(dataset).__name__} must be a Dataset, a pair "
                         "(X, y) or a mapping with keys 'X' and 'y'.")
    X_exact = exact_array(X, "dataset.X", rule)
    y_exact = exact_array(y, "dataset.y", rule)
    if X_exact.ndim not in (1, 2) or y_exact.ndim not in (1, 2):
        raise ShapeError(f"dataset.X has shape {X_exact.shape} and dataset.y {y_exact.shape}; "
                         "X must be (n, d) or (n,), y must be (n,) (one output) or (n, k) "
                         "(k outputs: one row of targets per point, e.g. one-hot rows).")
    return Dataset(X_exact.tolist(), y_exact.tolist())


# -- bias-free layers ---------------------------------------------------------------------------
def _bias_free_filled(state: Mapping[Any, Any]) -> tuple[Mapping[Any, Any], tuple[bool, ...]]:
    """A state_dict whose layers without a ``".bias"`` key (``Linear(..., bias=False)``) get a
    zero bias right after their weight, and one flag per layer (stored order): False for those.
    The reader then sees an ordinary network; the flags make its exact copy bias-free there."""
    prefixes: dict[str, set[str]] = {}
    for key in state:
        prefix, _, kind = str(key).rpartition(".")
        prefixes.setdefault(prefix, set()).add(kind)
    flags = tuple("bias" in kinds for kinds in prefixes.values() if "weight" in kinds)
    if all(flags):
        return state, flags
    out: dict[Any, Any] = {}
    for key, value in state.items():
        out[key] = value
        prefix, _, kind = str(key).rpartition(".")
        if kind == "weight" and "bias" not in prefixes[prefix]:
            rows = np.shape(np.asarray(value))[0] if np.ndim(np.asarray(value)) else 0
            out[f"{prefix}.bias"] = np.zeros(rows)
    return out, flags


def _with_bias(net: FloatNet, flags: tuple[bool, ...]) -> FloatNet:
    """``net`` marked with the bias flags (the full space stays ``bias=None``)."""
    if all(flags) or len(flags) != net.depth:
        return net
    return FloatNet(net.weights, net.biases, net.names, tuple(flags), net.activation)
