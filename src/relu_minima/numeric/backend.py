"""Batch evaluation of losses, gradients and Hessians with numpy: evidence, never a decision.

Everything here is written once and run in an arithmetic *context* (as in mpmath's contexts):
``FLOAT`` (float64, the fast path), ``COMPLEX`` (complex128, used for complex-step Hessians),
``EXACT`` (numpy object arrays of ``Fraction``: the same algorithm, exactly, for ReLU networks
and the squared loss) and ``mp_context(dps)`` (object arrays of mpmath numbers, for smooth
activations at any precision). So the float path can be checked against an exact run of the
*same* algorithm, and both against the independent exact code of
:mod:`relu_minima.exact.shallow_relu`.

Models: layered networks, f = W_k s(... s(W_1 x + b_1) ...) + b_k, where s is ``"relu"``,
``"sigmoid"`` or ``"tanh"`` (:class:`Architecture`), with one output, or (ReLU, squared loss)
several: then f(x_i) and y_i are rows of k numbers and the loss sums over every output. A
``ShallowReLU`` is the k = 2 case (Equation (1)), a ``DeepReLU`` any k (Equation (2)), a
:class:`relu_minima.exact.smooth_net.SmoothNet` a one-hidden-layer sigmoid/tanh network.

Losses (summed over the data, as in Equation (1)):

* ``"squared"``: sum_i |f(x_i) - y_i|^2 (summed over the outputs);
* ``"logistic"``: sum_i log(1 + exp(-y_i f(x_i))), targets y_i in {-1, +1} (one output).

**Flat parameter layout.** A parameter point is a vector theta of length
P = sum_n (h_n h_{n-1} + h_n) for widths (h_0 = d, h_1, ..., h_k = 1): layer by layer,
first W_n row by row (row j = the weights into unit j), then b_n. This is the order of
``DeepReLU.parameters()``; for a ``ShallowReLU`` (and a ``SmoothNet``) with m units and d
inputs it reads ``[w_1 (d), ..., w_m (d), b_1..b_m, v_1..v_m, c]``, P = m(d + 2) + 1.
A batch is a (B, P) array.

**Gradients at kinks.** ReLU is not differentiable at 0. The convention here is relu'(0) = 0:
the gradient returned is the gradient of the smooth piece on which every unit with
pre-activation exactly 0 is *off*. It is the true one-sided derivative for every direction
that keeps those pre-activations <= 0 (PyTorch uses the same convention). The Hessian is that
piece's Hessian (activation pattern frozen at the point), computed by the complex-step method
on the analytic gradient, accurate to rounding.

**Conversions.** :func:`to_vector` rounds exact parameters to the nearest doubles (the one
allow-listed exact->float conversion of the parameter path, :func:`as_floats`);
:func:`from_vector` turns floats back into exact parameters only with ``allow_float=True``,
taking each double's exact binary value (a labelled float->exact conversion).

**Memory.** Batches are processed in chunks so that the working set stays below
``chunk_bytes`` (default 8 MiB, which keeps the forward pass in cache); it is never allowed
above :data:`MAX_CHUNK_BYTES` = 1 GiB.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InvalidArgument, InvalidNumberError, ShapeError
from ..exact.datasets import Dataset, require_dataset, require_one_output
from ..exact.numbers import exact
from .arch import (
    ACTIVATIONS,
    LOSSES,
    Architecture,
    architecture,
    as_floats,
    exact_parameters,
    from_vector,
    to_vector,
)
from .contexts import COMPLEX, EXACT, FLOAT, Context, mp_context

__all__ = [
    "ACTIVATIONS",
    "COMPLEX",
    "EXACT",
    "FLOAT",
    "LOSSES",
    "MAX_CHUNK_BYTES",
    "Architecture",
    "Context",
    "NumericObjective",
    "architecture",
    "as_floats",
    "evaluate",
    "exact_loss",
    "exact_parameters",
    "from_vector",
    "gradients",
    "hessians",
    "losses",
    "mp_context",
    "to_vector",
]

MAX_CHUNK_BYTES = 1 << 30
DEFAULT_CHUNK_BYTES = 8 << 20
_COMPLEX_STEP = 1e-30


# -- the algorithms (written once) ----------------------------------------------------------
def first_layer_matrix(W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A layer's [W^T; b] as one contiguous (B, in+1, out) array: the bias folded into the
    product with the input [H, 1], which saves a pass over the (B, n, out) table and lets
    matmul run on contiguous blocks (about a third faster than a transposed view plus a bias
    pass). Named for its first use, the first layer; the hot path uses it for every layer."""
    B, out, d = W.shape
    A = np.empty((B, d + 1, out))
    A[:, :d, :] = np.swapaxes(W, -1, -2)
    A[:, d, :] = b
    return A


def _with_ones(H: np.ndarray) -> np.ndarray:
    """[H, 1]: a column of ones appended along the last axis (any leading batch axes)."""
    out = np.empty((*H.shape[:-1], H.shape[-1] + 1), dtype=H.dtype)
    out[..., :-1] = H
    out[..., -1] = 1
    return out


def _forward(ctx: Context, arch: Architecture, thetas: np.ndarray, X: np.ndarray,
             keep: bool) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Outputs f (B, n, k); with ``keep`` also each layer's input and activation slope."""
    if ctx is FLOAT and arch.activation == "relu" and not keep:
        f = _relu_outputs(arch, thetas, X)
        if np.isfinite(f).all():
            return f, [], []
        # an overflow somewhere: |z| - z is not relu(z) at z = -inf, so take the plain pass
    inputs: list[np.ndarray] = []
    slopes: list[np.ndarray] = []
    H = X[None]
    for n, (W, b) in enumerate(arch.split(thetas)):
        Z = np.matmul(H, np.swapaxes(W, -1, -2))
        Z += b[:, None, :]
        if keep:
            inputs.append(H)
        if n == arch.depth - 1:
            return Z, inputs, slopes
        H, dH = ctx.activation(arch.activation, Z)
        if keep:
            slopes.append(dH)
    # reached only by an architecture with no layers, which Architecture never builds
    raise ShapeError(f"architecture has depth {arch.depth}: no output layer")  # pragma: no cover


def _relu_outputs(arch: Architecture, thetas: np.ndarray, X: np.ndarray) -> np.ndarray:
    """The float ReLU forward pass of :func:`_forward` for losses only (the hot path).

    Two rewrites, both exact in real arithmetic. The first layer's bias is folded into one
    product with [X, 1] (:func:`first_layer_matrix`). The last hidden layer uses
    relu(z) = (z + |z|) / 2, so that with Z = H A (A holding W^T and the bias)

        relu(Z) w = (H (A w) + |Z| w) / 2,

    where H (A w) is a product of width one: the pass over the (B, n, h) table is an
    absolute value, which numpy runs several times faster than ``maximum(Z, 0)``. The
    rounding error stays of the order of the plain pass's, u (h + d) sum_j |w_j| sum_k
    |A_kj H_k| per output (the pre-activations carry that error already); the tests compare
    both passes and the exact loss under that bound.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow reruns the plain pass
        return _relu_outputs_unchecked(arch, thetas, X)


def _relu_outputs_unchecked(arch: Architecture, thetas: np.ndarray, X: np.ndarray) -> np.ndarray:
    layers = arch.split(thetas)
    H: np.ndarray = _with_ones(X)[None]  # each layer's input, with a column of ones
    for n, (W, b) in enumerate(layers[:-1]):
        A = first_layer_matrix(W, b)  # (B, in + 1, out)
        Z = np.matmul(H, A)
        if n < arch.depth - 2:
            H = _with_ones(np.maximum(Z, 0.0, out=Z))
            continue
        w, c = layers[-1]
        wT = np.swapaxes(w, -1, -2)  # (B, out, k)
        linear = np.matmul(H, np.matmul(A, wT))
        f = np.matmul(np.abs(Z, out=Z), wT)
        f += linear
        f *= 0.5
        return f + c[:, None, :]
    W, b = layers[0]  # no hidden layer: an affine map
    return np.matmul(H, first_layer_matrix(W, b))


def _backward(arch: Architecture, thetas: np.ndarray, g: np.ndarray, inputs: list[np.ndarray],
              slopes: list[np.ndarray]) -> np.ndarray:
    """dL/dtheta (B, P) by back-propagation from dL/df = g (B, n, k)."""
    layers = arch.split(thetas)
    G = g
    pieces: list[np.ndarray] = []
    B = thetas.shape[0]
    for n in range(arch.depth - 1, -1, -1):
        H = inputs[n]
        dW = np.matmul(np.swapaxes(G, -1, -2), H)  # (B, out, in)
        db = G.sum(axis=1)
        pieces.append(np.concatenate([np.broadcast_to(dW, (B, *dW.shape[1:])).reshape(B, -1),
                                      db], axis=1))
        if n > 0:
            G = np.matmul(G, layers[n][0]) * slopes[n - 1]
    return np.concatenate(pieces[::-1], axis=1)


def evaluate(arch: Architecture, thetas: Any, X: Any, y: Any, *, loss: str = "squared",
             ctx: Context = FLOAT, gradient: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """Loss (B,) and, if asked, the gradient (B, P) of one chunk, in the context ``ctx``.

    This is the single implementation every public function uses; ``thetas``, ``X`` and
    ``y`` (n rows of k targets) must already be arrays of the context's type (no chunking
    here).
    """
    f, inputs, slopes = _forward(ctx, arch, thetas, X, keep=gradient)
    per_point, dLdf = ctx.loss_terms(loss, f, y[None, :, :])
    value = per_point.sum(axis=(1, 2))
    if not gradient:
        return value, None
    return value, _backward(arch, thetas, dLdf, inputs, slopes)


# -- the public batch functions --------------------------------------------------------------
def _dataset_arrays(dataset: Dataset, loss: str, ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """X (n, d) and the targets as rows Y (n, k), in the context's type."""
    dataset = require_dataset(dataset)
    if loss not in LOSSES:
        raise InvalidArgument(f"loss={loss!r} is not one of {', '.join(LOSSES)}.")
    if loss == "logistic":
        require_one_output(dataset, "the logistic loss")
        for i, t in enumerate(dataset.y):
            if t not in (1, -1):
                raise InvalidNumberError(
                    f"y[{i}]={t} but the logistic loss needs targets in {{-1, +1}}."
                )
    if ctx.dtype is object:
        conv = (lambda t: t) if ctx is EXACT else (lambda t: ctx.one * t.numerator / t.denominator)
        X = np.array([[conv(t) for t in row] for row in dataset.X], dtype=object)
        return X, np.array([[conv(t) for t in row] for row in dataset.Y], dtype=object)
    return as_floats(dataset.X, "dataset.X"), as_floats(dataset.Y, "dataset.y")


def _batch(arch: Architecture, thetas: Any, ctx: Context) -> np.ndarray:
    if ctx.dtype is object:
        rows = [list(r) for r in thetas]
        arr = np.empty((len(rows), arch.n_params), dtype=object)
        for k, r in enumerate(rows):
            if len(r) != arch.n_params:
                raise ShapeError(f"thetas[{k}] has {len(r)} entries but {arch.n_params} needed.")
            arr[k, :] = r
        return arr
    arr = np.asarray(thetas, dtype=ctx.dtype)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != arch.n_params:
        raise ShapeError(
            f"thetas has shape {np.shape(thetas)} but (B, {arch.n_params}) is needed for "
            f"widths {arch.widths} (flat layout: see relu_minima.numeric)."
        )
    return arr


def _chunk_size(arch: Architecture, n: int, per_value: int, chunk_bytes: int) -> int:
    if not 0 < chunk_bytes <= MAX_CHUNK_BYTES:
        raise InvalidArgument(f"chunk_bytes={chunk_bytes} must be in (0, {MAX_CHUNK_BYTES}].")
    per_theta = per_value * (n * 3 * sum(arch.widths) + 4 * arch.n_params)
    return max(1, chunk_bytes // per_theta)


def losses(params: Any, thetas: Any, dataset: Dataset, *, loss: str = "squared",
           ctx: Context = FLOAT, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> np.ndarray:
    """The loss at each of the B points of ``thetas`` (B, P) for the shape of ``params``.

    ``params`` is a network or an :class:`Architecture`; a 1-D ``thetas`` is one point.
    """
    arch = architecture(params)
    T = _batch(arch, thetas, ctx)
    X, y = _dataset_arrays(dataset, loss, ctx)
    step = _chunk_size(arch, len(y), 8, chunk_bytes)
    out = np.empty(T.shape[0], dtype=object if ctx.dtype is object else np.float64)
    for s in range(0, T.shape[0], step):
        out[s:s + step] = evaluate(arch, T[s:s + step], X, y, loss=loss, ctx=ctx)[0]
    return out


def gradients(params: Any, thetas: Any, dataset: Dataset, *, loss: str = "squared",
              ctx: Context = FLOAT, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> np.ndarray:
    """dL/dtheta (B, P), with relu'(0) = 0 at kinks (see the module docstring)."""
    arch = architecture(params)
    T = _batch(arch, thetas, ctx)
    X, y = _dataset_arrays(dataset, loss, ctx)
    step = _chunk_size(arch, len(y), 16, chunk_bytes)
    out = np.empty(T.shape, dtype=T.dtype)
    for s in range(0, T.shape[0], step):
        out[s:s + step] = evaluate(arch, T[s:s + step], X, y, loss=loss, ctx=ctx, gradient=True)[1]
    return out


def hessians(params: Any, thetas: Any, dataset: Dataset, *, loss: str = "squared",
             chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> np.ndarray:
    """Hessians (B, P, P) of the loss, float64, by the complex step on the gradient.

    Column p is Im(grad L(theta + i h e_p)) / h with h = 1e-30: no subtraction, so the result
    is accurate to rounding. For ReLU networks the activation pattern is that of the real
    point (units at exactly 0 count as off), i.e. the Hessian of the current piece.
    """
    arch = architecture(params)
    T = _batch(arch, thetas, FLOAT)
    X, y = _dataset_arrays(dataset, loss, FLOAT)
    P = arch.n_params
    step = _chunk_size(arch, len(y), 16, chunk_bytes)
    eye = np.eye(P) * (1j * _COMPLEX_STEP)
    out = np.empty((T.shape[0], P, P))
    flat = (T[:, None, :] + eye[None]).reshape(-1, P)
    for s in range(0, flat.shape[0], step):
        g = evaluate(arch, flat[s:s + step], X, y, loss=loss, ctx=COMPLEX, gradient=True)[1]
        out.reshape(-1, P)[s:s + step] = g.imag / _COMPLEX_STEP
    return (out + np.swapaxes(out, 1, 2)) / 2


@dataclass(frozen=True, eq=False, init=False)
class NumericObjective:
    """The float64 loss of one dataset for one network shape, ready for batches.

    >>> from relu_minima.exact.shallow_relu import ShallowReLU
    >>> from relu_minima.exact.datasets import Dataset
    >>> D1 = Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])
    >>> obj = NumericObjective(ShallowReLU([1], [-3], [1], 0), D1)
    >>> obj.loss(obj.theta0)
    array([18.])
    """

    arch: Architecture
    loss_name: str
    theta0: np.ndarray
    X: np.ndarray
    y: np.ndarray  # (n,) for one output, as it always was; (n, k) for k outputs
    chunk_bytes: int

    def __init__(self, params: Any, dataset: Dataset, *, loss: str = "squared",
                 chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> None:
        arch = architecture(params)
        X, y = _dataset_arrays(dataset, loss, FLOAT)
        if X.shape[1] != arch.d:
            raise ShapeError(f"params has d={arch.d} but dataset has d={X.shape[1]}.")
        if y.shape[1] != arch.outputs:
            raise ShapeError(f"params has {arch.outputs} output(s) but dataset has k={y.shape[1]} "
                             "target(s) per point.")
        if arch.outputs == 1:
            y = y[:, 0]  # one output: y stays the 1-D array it always was
        theta0 = to_vector(params) if not isinstance(params, Architecture) else np.zeros(
            arch.n_params)
        _chunk_size(arch, len(y), 8, chunk_bytes)
        for name, value in (("arch", arch), ("loss_name", loss), ("theta0", theta0), ("X", X),
                            ("y", y), ("chunk_bytes", chunk_bytes)):
            object.__setattr__(self, name, value)

    def _batch(self, thetas: Any) -> np.ndarray:
        return _batch(self.arch, thetas, FLOAT)

    @property
    def _rows(self) -> np.ndarray:
        """The targets as rows (n, k), as :func:`evaluate` takes them."""
        return self.y if self.y.ndim == 2 else self.y[:, None]

    def loss(self, thetas: Any) -> np.ndarray:
        """Losses (B,) of a batch (B, P) or of one point (P,)."""
        T = self._batch(thetas)
        step = _chunk_size(self.arch, len(self.y), 8, self.chunk_bytes)
        out = np.empty(T.shape[0])
        for s in range(0, T.shape[0], step):
            out[s:s + step] = evaluate(self.arch, T[s:s + step], self.X, self._rows,
                                       loss=self.loss_name)[0]
        return out

    def loss_and_gradient(self, thetas: Any) -> tuple[np.ndarray, np.ndarray]:
        """Losses (B,) and gradients (B, P), relu'(0) = 0."""
        T = self._batch(thetas)
        step = _chunk_size(self.arch, len(self.y), 16, self.chunk_bytes)
        vals, grads = np.empty(T.shape[0]), np.empty(T.shape)
        for s in range(0, T.shape[0], step):
            v, g = evaluate(self.arch, T[s:s + step], self.X, self._rows, loss=self.loss_name,
                            gradient=True)
            vals[s:s + step], grads[s:s + step] = v, g
        return vals, grads

    def to_params(self, theta: Sequence[float] | np.ndarray, like: Any = None) -> Any:
        """Exact parameters at the float point ``theta`` (its exact binary values)."""
        return from_vector(np.asarray(theta, dtype=np.float64), like or self.arch,
                           allow_float=True)


def exact_loss(params: Any, dataset: Dataset) -> Fraction:
    """The exact squared loss of a ReLU network via the EXACT context (for cross-checks)."""
    arch = architecture(params)
    value = losses(arch, [list(exact_parameters(params))], dataset, ctx=EXACT)[0]
    return exact(value, "loss")
