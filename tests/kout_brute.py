"""An independent brute-force check of one-hidden-layer points with k outputs, written from the
definition of a local minimum and from nothing in the library's criterion.

Its own forward pass (exact in Fractions, batched in float64 with numpy, and its own float
gradient) evaluates the summed squared loss sum_i |c + V h(W x_i + b) - y_i|^2 at many
(h = relu, or the two-slope t (t > 0), s t (t <= 0) of the net's negative_slope s)
nearby points:

* **directions**: every coordinate +-1; per hidden unit every sign pattern in {-1, 0, 1} of its
  (w, b) (which pushes each kink pair to a side: the sign patterns), combined with every sign
  pattern of its output vector at two scales (the saddle and rotation moves), each also with
  the output bias moved against the mean first-order output change; random dense and sparse
  directions; each at several step lengths;
* **best output layer**: the loss is a convex quadratic in (V, c) for a fixed hidden layer, so
  for every hidden move of the grid (each unit's (w, b) by every sign pattern, alone and in
  pairs of units, at several step lengths) the least-squares (V*, c*) is computed and the
  output layer moved towards it as far as the ball allows;
* **local search**: projected gradient descent inside the max-norm ball, from random starts;
* **ball sample** (for a claimed radius): random points of the ball, many of them on its faces.

Float values only rank the candidates; the best ones are re-scored exactly (their exact binary
values, pulled back into the ball), so a reported descent is a proof, and finding none is
evidence. :func:`brute_descent` returns the exactly lower point it found, or None.
"""

from __future__ import annotations

import functools
import itertools
from fractions import Fraction as F

import numpy as np


def unpack(theta, d, m, k):
    W = [theta[j * d:(j + 1) * d] for j in range(m)]
    b = theta[m * d:m * d + m]
    base = m * d + m
    V = [theta[base + o * m: base + (o + 1) * m] for o in range(k)]
    c = theta[base + k * m: base + k * m + k]
    return W, b, V, c


def _h(t, slope):
    """The activation: t for t > 0, slope * t otherwise (slope 0: relu)."""
    return t if t > 0 else slope * t


def exact_loss(theta, shape, X, Y, slope=F(0)) -> F:
    d, m, k = shape
    W, b, V, c = unpack(list(theta), d, m, k)
    total = F(0)
    for x, y in zip(X, Y, strict=True):
        h = [_h(sum((a * t for a, t in zip(W[j], x, strict=True)), b[j]), slope)
             for j in range(m)]
        for o in range(k):
            f = c[o] + sum((V[o][j] * h[j] for j in range(m)), F(0))
            total += (f - y[o]) ** 2
    return total


class FloatNet:
    """Batched float64 loss and gradient of the same network (rows of theta)."""

    def __init__(self, shape, X, Y, slope=0.0):
        self.d, self.m, self.k = shape
        self.slope = float(slope)
        self.X = np.array([[float(t) for t in x] for x in X])
        self.Y = np.array([[float(t) for t in y] for y in Y])

    def parts(self, T):
        d, m, k = self.d, self.m, self.k
        B = T.shape[0]
        W = T[:, :m * d].reshape(B, m, d)
        b = T[:, m * d:m * d + m]
        V = T[:, m * d + m:m * d + m + k * m].reshape(B, k, m)
        c = T[:, m * d + m + k * m:]
        return W, b, V, c

    def outputs(self, T):
        W, b, V, c = self.parts(T)
        B = T.shape[0]
        # one 2-D product for the pre-activations (batched tiny matmuls are slow in numpy)
        Z = (W.reshape(B * self.m, self.d) @ self.X.T).reshape(B, self.m, -1)
        Z = np.swapaxes(Z, 1, 2) + b[:, None, :]  # (B, n, m)
        H = np.maximum(Z, 0.0) + self.slope * np.minimum(Z, 0.0)
        out = (H[:, :, None, :] * V[:, None, :, :]).sum(axis=3)  # (B, n, k)
        return out + c[:, None, :], Z, H

    def loss(self, T):
        out, _, _ = self.outputs(T)
        return ((out - self.Y[None]) ** 2).sum(axis=(1, 2))

    def gradient(self, T):
        out, Z, H = self.outputs(T)
        _, _, V, _ = self.parts(T)
        R = 2 * (out - self.Y[None])  # (B, n, k)
        gV = np.matmul(np.swapaxes(R, 1, 2), H)
        gc = R.sum(axis=1)
        gH = np.matmul(R, V) * np.where(Z > 0, 1.0, self.slope)
        gW = np.matmul(np.swapaxes(gH, 1, 2), self.X[None])
        gb = gH.sum(axis=1)
        B = T.shape[0]
        return np.concatenate([gW.reshape(B, -1), gb, gV.reshape(B, -1), gc], axis=1)


def _directions(shape, rng):
    d, m, k = shape
    P = m * d + m + k * m + k
    return np.concatenate([_grid(shape), rng.normal(size=(200, P)),
                           rng.normal(size=(200, P)) * (rng.random((200, P)) < 3.0 / P)])


@functools.cache
def _grid(shape):
    """Every coordinate +-1, and per unit every sign pattern of its (w, b) (pushing each kink
    pair to a side), alone or with one entry of its output vector moved by +-1/8."""
    d, m, k = shape
    P = m * d + m + k * m + k
    dirs = [np.eye(P), -np.eye(P)]
    for j in range(m):
        upos = [j * d + q for q in range(d)] + [m * d + j]
        vpos = [m * d + m + o * m + j for o in range(k)]
        for su in itertools.product((-1, 0, 1), repeat=d + 1):
            if not any(su):
                continue
            for o, sv in [(None, 0.0)] + [(o, s) for o in range(k) for s in (0.125, -0.125)]:
                u = np.zeros(P)
                u[upos] = su
                if o is not None:
                    u[vpos[o]] = sv
                dirs.append(u[None])
    return np.concatenate(dirs)


def _recentred(net: FloatNet, theta, U, eps):
    """U with the output bias moved against each direction's mean first-order output change."""
    d, m, k = net.d, net.m, net.k
    f0, _, _ = net.outputs(theta[None])
    f1, _, _ = net.outputs(theta[None] + eps * U)
    shift = ((f1 - f0) / eps).mean(axis=1)  # (B, k)
    out = U.copy()
    out[:, m * d + m + k * m:] -= shift
    return out


def _exact_point(theta_exact, cand, radius):
    # a fixed coordinate's float is its value rounded: keep the exact value instead
    vals = [F(float(t)) if float(t) != float(b) else b for t, b in zip(cand, theta_exact,
                                                                       strict=True)]
    dist = max(abs(a - b) for a, b in zip(vals, theta_exact, strict=True))
    if dist > radius:
        vals = [b + (a - b) * radius / dist for a, b in zip(vals, theta_exact, strict=True)]
    return vals


def _hidden_moves(shape, rng):
    """Moves of the hidden layer only: every unit's sign patterns, alone and in pairs."""
    return np.vstack([_hidden_grid(shape), rng.normal(size=(50, shape[0] * shape[1] +
                                                             shape[1]))])


@functools.cache
def _hidden_grid(shape):
    d, m, _ = shape
    H = m * d + m
    pats = [np.array(p, dtype=float) for p in itertools.product((-1, 0, 1), repeat=d + 1)
            if any(p)]
    out = []
    for units in [(j,) for j in range(m)] + list(itertools.combinations(range(m), 2)):
        for combo in itertools.product(pats, repeat=len(units)):
            u = np.zeros(H)
            for j, p in zip(units, combo, strict=True):
                u[[j * d + q for q in range(d)] + [m * d + j]] = p
            out.append(u)
    return np.vstack(out)


def _best_output_layer(net: FloatNet, theta, moves, r, moving):
    """Candidates: hidden layer moved by eps * move, output layer moved towards the
    least-squares optimum for that hidden layer (over its moving entries, output by output),
    as far as the ball of radius r allows."""
    d, m, k = net.d, net.m, net.k
    H = m * d + m
    out = []
    for eps in (r, r / 10, r / 100):
        T = np.repeat(theta[None], len(moves), axis=0)
        T[:, :H] += eps * moves * moving[:H] / np.abs(moves).max(axis=1, keepdims=True)
        W, b, V, c = net.parts(T)
        Z = np.matmul(net.X[None], np.swapaxes(W, 1, 2)) + b[:, None, :]
        Phi = np.maximum(Z, 0.0) + net.slope * np.minimum(Z, 0.0)
        A = np.concatenate([Phi, np.ones((*Phi.shape[:2], 1))], axis=2)  # (B, n, m + 1)
        X0 = np.concatenate([np.swapaxes(V, 1, 2), c[:, None, :]], axis=1)  # (B, m + 1, k)
        resid = net.Y[None] - A @ X0  # (B, n, k)
        step = np.zeros((len(T), m + 1, k))
        for o in range(k):  # the least-squares step nearest the current output layer
            cols = [j for j in range(m) if moving[H + o * m + j]]
            cols += [m] if moving[H + k * m + o] else []
            if cols:
                sol = np.linalg.pinv(A[:, :, cols]) @ resid[:, :, o:o + 1]
                step[:, cols, o] = sol[:, :, 0]
        flat = np.concatenate([np.swapaxes(step[:, :m, :], 1, 2).reshape(len(T), -1),
                               step[:, m, :]], axis=1)
        top = np.abs(flat).max(axis=1, keepdims=True)
        for frac in (1.0, 0.5, 0.1):
            t = np.minimum(1.0, frac * r / np.maximum(top, 1e-300))
            C = T.copy()
            C[:, H:] += t * flat
            out.append(C)
    return np.concatenate(out)


def brute_descent(net, D, radius=F(1, 1000), seed=0, starts=12, steps=20):
    """An exact parameter vector within max-norm ``radius`` of ``net`` with lower loss, or
    None (module docstring)."""
    shape = (net.d, net.m, net.k)
    theta_exact = list(net.parameters())
    X, Y = D.X, D.Y
    slope = net.negative_slope
    base = exact_loss(theta_exact, shape, X, Y, slope)
    fnet = FloatNet(shape, X, Y, slope)
    theta = np.array([float(t) for t in theta_exact])
    rng = np.random.default_rng(seed)
    moving = np.array(net.space.moving, dtype=float)  # fixed coordinates never move
    if not moving.any():
        return None  # nothing moves: no other point to compare with
    U = _directions(shape, rng) * moving
    U = U[np.abs(U).max(axis=1) > 0]
    U /= np.abs(U).max(axis=1, keepdims=True)
    r = float(radius)
    f0 = fnet.loss(theta[None])[0]

    def stages():
        for eps in (r, r / 10, r / 100):
            for dirs in (U, _recentred(fnet, theta, U, eps) * moving):
                top = np.abs(dirs).max(axis=1, keepdims=True)
                yield theta + eps * dirs / np.maximum(top, 1.0)
        yield _best_output_layer(fnet, theta, _hidden_moves(shape, rng), r, moving)
        yield _local_search(fnet, theta, r, rng, starts, steps, moving)

    for cands in stages():  # cheap pools first; stop at the first exact descent
        if not len(cands):
            continue
        losses = fnet.loss(cands)
        for idx in np.argsort(losses)[:6]:
            if losses[idx] >= f0 - 1e-13 * max(1.0, f0):
                break
            point = _exact_point(theta_exact, cands[idx], radius)
            if exact_loss(point, shape, X, Y, slope) < base:
                return point
    return None


def _local_search(fnet: FloatNet, theta, r, rng, starts, steps, moving):
    T = theta + r * 0.05 * rng.uniform(-1, 1, size=(starts, theta.size)) * moving
    lo, hi = theta - r * moving, theta + r * moving
    for _ in range(steps):
        G = fnet.gradient(T)
        norm = np.abs(G).max(axis=1, keepdims=True)
        unit = np.divide(G, norm, out=np.zeros_like(G), where=norm > 0)
        trial = T[:, None, :] - np.array([0.0, 0.5, 0.1, 0.01])[None, :, None] * r * unit[:, None]
        trial = np.clip(trial, lo, hi)
        vals = fnet.loss(trial.reshape(-1, theta.size)).reshape(len(T), -1)
        T = trial[np.arange(len(T)), np.argmin(vals, axis=1)]
    return T


def ball_violation(net, D, radius, seed=0, samples=400):
    """A point of the closed max-norm ball of ``radius`` with exactly lower loss, or None:
    random points, most of them on the faces and corners (kinks pushed to either side)."""
    shape = (net.d, net.m, net.k)
    theta_exact = list(net.parameters())
    slope = net.negative_slope
    base = exact_loss(theta_exact, shape, D.X, D.Y, slope)
    fnet = FloatNet(shape, D.X, D.Y, slope)
    theta = np.array([float(t) for t in theta_exact])
    rng = np.random.default_rng(seed)
    S = rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0], size=(samples, theta.size))
    S[: samples // 2] = rng.choice([-1.0, 1.0], size=(samples // 2, theta.size))
    S *= np.array(net.space.moving, dtype=float)
    r = float(radius)
    losses = fnet.loss(theta + r * S)
    for idx in np.argsort(losses)[:6]:
        point = [t + radius * F(float(s)) for t, s in zip(theta_exact, S[idx], strict=True)]
        if exact_loss(point, shape, D.X, D.Y, slope) < base:
            return point
    return None


def agrees(net, D, cert) -> bool | None:
    """Whether the brute force agrees with ``cert``'s verdict on (net, D): a certified minimum
    has no brute-force descent within its radius (capped at 1/1000) and no sampled point of
    its ball below it; a "not a local minimum" point has a brute-force descent. None for an
    undecided point."""
    if cert.is_local_minimum:
        return (brute_descent(net, D, min(cert.radius, F(1, 1000))) is None
                and ball_violation(net, D, cert.radius) is None)
    if cert.is_local_minimum is False:
        return brute_descent(net, D) is not None
    return None
