"""Vectorised numpy training of many small networks at once (one array axis over
initialisations), for the experiments of Section 3 (Table 1, Figures 1-3 and 5).

Every parameter array has a leading axis of length n, one slice per initialisation: a layer's
weights are ``(n, out, in)``, its biases ``(n, out)``. One step of gradient descent, SGD or
Adam updates all n networks with a handful of batched matrix products, which is what makes
1,000 initialisations per cell of Table 1 cheap (benchmarks/bench_trainer.py).

Threads: every training runs with one BLAS/OpenMP thread
(:func:`relu_minima.numeric.threads.one_thread`): the products are small, and on a shared
machine extra BLAS threads only wait for cores (docs/experiments.md, "Threads").

Reproducibility: initialisation i of a run with seed s draws its weights from
``numpy.random.Generator(PCG64(SeedSequence(s, spawn_key=(i,))))`` and its SGD batches from a
counter-based hash of a key drawn from the same generator. So a network's trajectory depends
only on (protocol, net, data, s, i): never on how many networks are trained together, in which
block, or on which executor (tests/test_trainer.py checks this against a per-init loop).

>>> from relu_minima.train.protocol import Net, Protocol
>>> data = TrainData.binary("xor", [[0, 0], [1, 1], [0, 1], [1, 0]], [0, 0, 1, 1])
>>> p = Protocol("demo", loss="logistic", optimizer="adam", lr=0.05, steps=300)
>>> r = train(Net((2, 7, 1), "relu"), p, data, seed=0, indices=range(8))
>>> r.success.shape, r.success.dtype, r.protocol is p
((8,), dtype('bool'), True)
>>> bool(np.array_equal(r.success, train(Net((2, 7, 1), "relu"), p, data, seed=0,
...                                      indices=range(8)).success))
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
from scipy.special import expit as _expit

from ..errors import InvalidArgument, ShapeError
from ..numeric.threads import one_thread
from .data import Params, TrainData, TrainResult
from .protocol import InitLaw, Net, Protocol

__all__ = ["Params", "TrainData", "TrainResult", "errors", "forward", "init_params", "loss",
           "train", "train_padded", "train_per_init"]

Masks = list[np.ndarray] | None  # one 0/1 array (n, h_l) per hidden layer, or None
TRACE_POINTS = 24


def _generators(seed: int, indices: np.ndarray) -> list[np.random.Generator]:
    return [np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(int(i),))))
            for i in indices]


def _draw(rng: np.random.Generator, law: InitLaw, out: int, inp: int) -> tuple[np.ndarray,
                                                                              np.ndarray]:
    fan = {"glorot_normal": 2.0 / (inp + out), "lecun_normal": 1.0 / inp,
           "he_normal": 2.0 / inp}
    if law.kind == "glorot_uniform":
        a = np.sqrt(6.0 / (inp + out))
        W = rng.uniform(-a, a, size=(out, inp))
    elif law.kind == "uniform":
        W = rng.uniform(-law.scale, law.scale, size=(out, inp))
    else:
        std = law.scale if law.kind == "normal" else np.sqrt(fan[law.kind])
        W = rng.normal(0.0, std, size=(out, inp))
    b = (np.full(out, law.bias_mean) if law.bias_std == 0
         else rng.normal(law.bias_mean, law.bias_std, size=out))
    return W + law.mean, b


def init_params(net: Net, law: InitLaw, seed: int, indices: Iterable[int]) -> tuple[Params,
                                                                                  np.ndarray]:
    """The initial parameters of networks ``indices`` of a run with ``seed``, and each
    network's 64-bit SGD key (drawn after the weights from the same generator)."""
    idx = np.asarray(list(indices), dtype=np.int64)
    layers: list[list[tuple[np.ndarray, np.ndarray]]] = []
    keys = np.empty(len(idx), dtype=np.uint64)
    for k, rng in enumerate(_generators(seed, idx)):
        layers.append([_draw(rng, law, out, inp)
                       for inp, out in zip(net.widths[:-1], net.widths[1:], strict=True)])
        keys[k] = rng.integers(0, 2**63, dtype=np.uint64)
    params = [(np.stack([net_l[i][0] for net_l in layers]),
               np.stack([net_l[i][1] for net_l in layers])) for i in range(net.depth)]
    return params, keys


# -- the forward and backward pass, batched over the init axis ---------------------------
def _act(name: str, z: np.ndarray) -> np.ndarray:
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "sigmoid":
        return _expit(z)  # scipy's logistic function: one pass, no overflow
    return np.tanh(z)


def _act_grad(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    if name == "relu":
        return (z > 0).astype(z.dtype)  # relu'(0) = 0, as the exact library
    if name == "sigmoid":
        return a * (1.0 - a)
    return 1.0 - a * a


def _bmm(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x @ y for stacks (n, p, q) @ (n, q, r). numpy's stacked matmul can miss BLAS for
    strided operands (views of the flat parameters, transposes) and then runs ~10x slower, so
    products with real work go one 2-D BLAS call per network; tiny ones (Table 1) stay batched."""
    n, p, q = x.shape
    r = y.shape[2]
    if p * q * r < 4096:
        return np.matmul(x, y)
    out = np.empty((n, p, r), dtype=np.result_type(x, y))
    for k in range(n):
        np.matmul(x[k], y[k], out=out[k])
    return out


def _affine(a: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a W^T + b for every network: (n, B, o). Inputs shared by all networks (a: (B, i)) are
    one GEMM over all networks' rows; a single output unit is one einsum; otherwise a batched
    matmul (n small products)."""
    n, o, i = W.shape
    if a.ndim == 2:
        z = (W.reshape(n * o, i) @ a.T).reshape(n, o, a.shape[0]).transpose(0, 2, 1)
    elif o == 1:
        z = np.einsum("nbi,ni->nb", a, W[:, 0, :])[..., None]
    else:
        z = _bmm(a, W.transpose(0, 2, 1))
    return z + b[:, None, :]


def _weight_grad(g: np.ndarray, a: np.ndarray) -> np.ndarray:
    """sum over the batch of g^T a: (n, o, i), with the same shortcuts as :func:`_affine`."""
    n, B, o = g.shape
    if a.ndim == 2:
        return (g.transpose(0, 2, 1).reshape(n * o, B) @ a).reshape(n, o, a.shape[1])
    if o == 1:
        return np.einsum("nb,nbi->ni", g[..., 0], a)[:, None, :]
    return _bmm(g.transpose(0, 2, 1), a)


def forward(net: Net, params: Params, X: np.ndarray, mask: Masks = None
            ) -> tuple[np.ndarray, list[Any]]:
    """Outputs (n, B, k) for inputs X (B, d) shared by all networks, or (n, B, d) one batch
    per network; and the cache for :func:`_backward`. ``mask``: one 0/1 array (n, h_l) per
    hidden layer; a masked unit outputs exactly 0 and gets exactly zero gradients (padding)."""
    a = X
    cache = []
    for layer, (W, b) in enumerate(params):
        z = _affine(a, W, b)
        if layer < len(params) - 1:
            h = _act(net.activation, z)
            if mask is not None:
                h = h * mask[layer][:, None, :]
            cache.append((a, z, h))
            a = h
        else:
            cache.append((a, z, z))
            a = z
    return a, cache


def _targets(protocol: Protocol, labels: np.ndarray) -> np.ndarray:
    t0, t1 = protocol.targets
    return np.where(labels == 1, t1, t0)


def _loss_and_grad(protocol: Protocol, out: np.ndarray, labels: np.ndarray,
                   want_grad: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Mean loss per network (n,) and its gradient with respect to the outputs."""
    B = out.shape[1]
    if protocol.loss in ("squared", "mse"):
        r = out[..., 0] - (labels if protocol.loss == "mse" else _targets(protocol, labels))
        value = np.mean(r * r, axis=1)
        grad = (2.0 / B) * r[..., None] if want_grad else None
    elif protocol.loss == "logistic":
        s = np.where(labels == 1, 1.0, -1.0)
        m = s * out[..., 0]
        value = np.mean(np.logaddexp(0.0, -m), axis=1)
        grad = (-s * 0.5 * (1.0 - np.tanh(0.5 * m)) / B)[..., None] if want_grad else None
    elif protocol.loss == "one_hot_squared":  # k outputs against one-hot rows
        onehot = np.zeros_like(out)
        np.put_along_axis(onehot, np.broadcast_to(labels[..., None], (*out.shape[:2], 1)),
                          1.0, axis=2)
        r = out - onehot
        value = np.mean(np.sum(r * r, axis=2), axis=1)
        grad = (2.0 / B) * r if want_grad else None
    else:
        top = out.max(axis=2, keepdims=True)
        e = np.exp(out - top)
        zsum = e.sum(axis=2, keepdims=True)
        logp = out - top - np.log(zsum)
        onehot = np.zeros_like(out)
        np.put_along_axis(onehot, np.broadcast_to(labels[..., None], (*out.shape[:2], 1)),
                          1.0, axis=2)
        value = -np.mean(np.sum(onehot * logp, axis=2), axis=1)
        grad = (e / zsum - onehot) / B if want_grad else None
    return value, grad


def _backward(net: Net, params: Params, cache: list[Any], g: np.ndarray,
              mask: Masks = None, out: Params | None = None) -> Params:
    """The gradients of every layer; written into ``out`` (views of one flat array) if given."""
    grads: Params = []
    for layer in range(len(params) - 1, -1, -1):
        a, _z, _h = cache[layer]
        W = params[layer][0]
        if out is None:
            gW = _weight_grad(g, a)
            gb = g.sum(axis=1)
        else:
            gW, gb = out[layer]
            gW[...] = _weight_grad(g, a)
            np.sum(g, axis=1, out=gb)
        grads.append((gW, gb))
        if layer > 0:
            _a, z, h = cache[layer - 1]
            # g @ W; one output unit (the common case here): a broadcast product, not n tiny GEMMs
            back = g * W[:, 0, None, :] if W.shape[1] == 1 else _bmm(g, W)
            g = back * _act_grad(net.activation, z, h)
            if mask is not None:
                g = g * mask[layer - 1][:, None, :]
    grads.reverse()
    return grads


def errors(protocol: Protocol, out: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Misclassified points per network (n,): threshold at the targets' midpoint (squared),
    the sign of the logit (logistic), the arg max (cross-entropy)."""
    if protocol.loss in ("cross_entropy", "one_hot_squared"):
        return np.sum(np.argmax(out, axis=2) != labels, axis=1)
    if protocol.loss == "mse":  # regression: a point is an error if it is off by over 0.1
        return np.sum(~(np.abs(out[..., 0] - labels) <= 0.1), axis=1)
    t0, t1 = protocol.targets
    mid = 0.5 * (t0 + t1) if protocol.loss == "squared" else 0.0
    pred = (out[..., 0] > mid) if t1 > t0 or protocol.loss != "squared" else (out[..., 0] < mid)
    bad = (pred.astype(np.int64) != labels) | ~np.isfinite(out[..., 0])
    return np.sum(bad, axis=1)


def loss(net: Net, protocol: Protocol, params: Params, data: TrainData) -> np.ndarray:
    """Full-data mean loss per network (n,)."""
    out, _ = forward(net, params, data.X)
    return _loss_and_grad(protocol, out, data.labels, want_grad=False)[0]


# -- SGD batches: a counter-based hash, so a batch depends only on (key, epoch) -------------------
_M1, _M2, _GOLD = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB), \
    np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser (wrapping uint64 arithmetic)."""
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


def _permutations(keys: np.ndarray, epoch: int, N: int) -> np.ndarray:
    """One permutation of range(N) per network (n, N), a function of (key, epoch) only."""
    with np.errstate(over="ignore"):
        e = _mix(keys + np.uint64(epoch + 1) * _GOLD)
        sort_keys = _mix(e[:, None] ^ (np.arange(N, dtype=np.uint64)[None, :] * _GOLD + _GOLD))
    return np.argsort(sort_keys, axis=1, kind="stable")


# -- training -----------------------------------------------------------------------------------
def _views(flat: np.ndarray, widths: tuple[int, ...]) -> Params:
    """Per-layer (W, b) views of a flat (n, P) parameter array (layout: W_1, b_1, W_2, ...)."""
    n, at, out = flat.shape[0], 0, []
    for i, o in pairwise(widths):
        W = flat[:, at:at + o * i].reshape(n, o, i)
        b = flat[:, at + o * i:at + o * i + o]
        at += o * i + o
        out.append((W, b))
    if not np.shares_memory(out[0][0], flat):  # reshape must not have copied
        raise InvalidArgument("internal: parameter views are not views")
    return out


def _norm(params: Params) -> np.ndarray:
    return np.sqrt(sum(np.sum(W * W, axis=(1, 2)) + np.sum(b * b, axis=1) for W, b in params))


def _check(net: Net, protocol: Protocol, data: TrainData) -> None:
    if not isinstance(protocol, Protocol) or not isinstance(net, Net):
        raise InvalidArgument("train(net, protocol, data, ...) needs a Net and a Protocol.")
    if data.X.shape[1] != net.widths[0]:
        raise ShapeError(f"data {data.name!r} has d={data.X.shape[1]} but the net takes "
                         f"{net.widths[0]} inputs.")
    k = net.widths[-1]
    if (protocol.loss in ("cross_entropy", "one_hot_squared")) != (k > 1):
        raise ShapeError(f"loss={protocol.loss!r} with {k} outputs: cross-entropy and the "
                         "one-hot squared loss need k >= 2 outputs, the squared and logistic "
                         "losses exactly 1.")
    if protocol.batch_size is not None and protocol.batch_size > data.n:
        raise InvalidArgument(f"batch_size={protocol.batch_size} exceeds the {data.n} "
                              "training points.")


def train(net: Net, protocol: Protocol, data: TrainData, *, seed: int,
          indices: Iterable[int], trace_points: int = TRACE_POINTS,
          params: Params | None = None) -> TrainResult:
    """Train networks ``indices`` of the run (``protocol``, ``net``, ``data``, ``seed``), all
    at once. ``params`` replaces the drawn initialisation (same init axis) if given."""
    _check(net, protocol, data)
    idx = np.asarray(list(indices), dtype=np.int64)
    drawn, keys = init_params(net, protocol.init, seed, idx)
    start = drawn if params is None else params
    with one_thread():  # small products: more BLAS threads only wait for cores
        fields = _run(net, protocol, data, [(W.copy(), b.copy()) for W, b in start], keys,
                      None, trace_points)
    return TrainResult(protocol, net, data.name, int(seed), idx, *fields)


def train_padded(nets: Sequence[Net], protocol: Protocol, data: TrainData, *,
                 seeds: Sequence[int], indices: Sequence[Iterable[int]],
                 trace_points: int = TRACE_POINTS) -> list[TrainResult]:
    """Train several nets of the same depth and activation (e.g. the widths h = 2..7 of
    Table 1) in one batch: each is padded to the largest widths with masked units (exactly
    zero output and zero gradient), which changes no network's arithmetic except by adding
    exact zeros. Returns one result per net, as :func:`train` would (same seeds and
    indices), each cut back to its own widths."""
    nets = list(nets)
    if not nets or len({(n.depth, n.activation, n.widths[0], n.widths[-1]) for n in nets}) != 1:
        raise InvalidArgument("train_padded needs nets of one depth, activation, input and "
                              "output width.")
    for net in nets:
        _check(net, protocol, data)
    top = Net(tuple(max(n.widths[i] for n in nets) for i in range(len(nets[0].widths))),
              nets[0].activation)
    blocks, keys, masks, idxs = [], [], [], []
    for net, seed, ind in zip(nets, seeds, indices, strict=True):
        idx = np.asarray(list(ind), dtype=np.int64)
        drawn, key = init_params(net, protocol.init, seed, idx)
        padded = []
        for (W, b), (o, i) in zip(drawn, zip(top.widths[1:], top.widths[:-1], strict=True),
                                  strict=True):
            Wp = np.zeros((len(idx), o, i))
            bp = np.zeros((len(idx), o))
            Wp[:, :W.shape[1], :W.shape[2]] = W
            bp[:, :b.shape[1]] = b
            padded.append((Wp, bp))
        blocks.append(padded)
        keys.append(key)
        masks.append([np.broadcast_to((np.arange(h) < net.widths[layer + 1]).astype(float),
                                      (len(idx), h)) for layer, h in enumerate(top.widths[1:-1])])
        idxs.append(idx)
    cur = [(np.concatenate([p[layer][0] for p in blocks]),
            np.concatenate([p[layer][1] for p in blocks])) for layer in range(top.depth)]
    mask = [np.concatenate([m[layer] for m in masks]) for layer in range(top.depth - 1)]
    with one_thread():
        fields = _run(top, protocol, data, cur, np.concatenate(keys), mask, trace_points)
    out, at = [], 0
    for net, seed, idx in zip(nets, seeds, idxs, strict=True):
        sl = slice(at, at + len(idx))
        at += len(idx)
        params = [(W[sl, :o, :i].copy(), b[sl, :o].copy()) for (W, b), (o, i) in zip(
            fields[0], zip(net.widths[1:], net.widths[:-1], strict=True), strict=True)]
        rest = [f[sl] for f in fields[1:5]] + [fields[5]] + [f[:, sl] for f in fields[6:]]
        out.append(TrainResult(protocol, net, data.name, int(seed), idx, params, *rest))
    return out


def _run(net: Net, protocol: Protocol, data: TrainData, cur: Params, keys: np.ndarray,
         mask: Masks, trace_points: int) -> tuple[Any, ...]:
    """The training loop; returns the TrainResult fields from ``params`` on."""
    n, N = int(cur[0][0].shape[0]), data.n
    B = protocol.batch_size
    per_epoch = None if B is None else N // B
    steps = protocol.steps
    record = sorted({max(1, round(steps * (t + 1) / trace_points)) for t in range(trace_points)})
    t_loss, t_norm, t_err = [], [], []
    adam = protocol.optimizer == "adam"
    # all parameters in one flat (n, P) array, updated in place through per-layer views: one
    # optimiser update is a few operations on one array, whatever the depth
    theta = np.concatenate([np.concatenate([W.reshape(n, -1), b], axis=1) for W, b in cur],
                           axis=1)
    grad = np.zeros_like(theta)
    cur, gviews = _views(theta, net.widths), _views(grad, net.widths)
    m = np.zeros_like(theta) if adam else None
    v = np.zeros_like(theta) if adam else None
    b1, b2, lr, eps = protocol.beta1, protocol.beta2, protocol.lr, protocol.adam_eps
    labels_full = np.broadcast_to(data.labels, (n, N))
    perm = None
    nxt = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for step in range(1, steps + 1):
            if B is None:
                Xb, lb = data.X, labels_full
            else:
                epoch, slot = divmod(step - 1, per_epoch)
                if slot == 0:
                    perm = _permutations(keys, epoch, N)
                sel = perm[:, slot * B:(slot + 1) * B]
                Xb, lb = data.X[sel], data.labels[sel]
            out, cache = forward(net, cur, Xb, mask)
            _, g = _loss_and_grad(protocol, out, lb)
            _backward(net, cur, cache, g, mask, gviews)
            if adam:
                m *= b1
                m += (1.0 - b1) * grad
                v *= b2
                v += (1.0 - b2) * (grad * grad)
                c1 = 1.0 - b1 ** step
                c2 = 1.0 - b2 ** step
                theta -= (lr / c1) * m / (np.sqrt(v / c2) + eps)
            else:
                theta -= lr * grad
            if step == record[nxt]:
                nxt = min(nxt + 1, len(record) - 1)
                out, _ = forward(net, cur, data.X, mask)
                t_loss.append(_loss_and_grad(protocol, out, data.labels, False)[0])
                t_err.append(errors(protocol, out, data.labels))
                t_norm.append(_norm(cur))
        out, cache = forward(net, cur, data.X, mask)
        final, g = _loss_and_grad(protocol, out, labels_full)
        gnorm = _norm(_backward(net, cur, cache, g, mask))
    final_err = errors(protocol, out, data.labels)
    ok = (final_err == 0) if protocol.success == "zero_error" else (
        np.isfinite(final) & (final <= protocol.success_tol))
    cur = [(W.copy(), b.copy()) for W, b in cur]
    return (cur, final, final_err, gnorm, ok, np.asarray(record), np.asarray(t_loss),
            np.asarray(t_norm), np.asarray(t_err))


def train_per_init(net: Net, protocol: Protocol, data: TrainData, *, seed: int,
                   indices: Iterable[int], trace_points: int = TRACE_POINTS) -> TrainResult:
    """The baseline: the same training, one network at a time (for tests and benchmarks)."""
    parts = [train(net, protocol, data, seed=seed, indices=[i], trace_points=trace_points)
             for i in indices]
    return TrainResult.concatenate(parts)
