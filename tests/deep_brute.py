"""Brute-force exact checks for small deep points, independent of the library's decision code.

``brute_descent`` evaluates the exact loss (plain Fractions, its own forward pass) at
theta + eps u for every u on a grid (entries -1, 0, 1; first-layer biases also at the
half-integers up to 5/2, so that ramps relu(x - t) with t a half-integer are on the grid) with
eps = 10^-6. Along a ray the loss is a polynomial up to its first kink, which for the small
integer data and grids here lies far beyond 10^-6, so a lower loss there shows "not a minimum";
none found is evidence of a minimum. (A finite step such as eps = 1/10 is not: a dead unit
with bias -1 can be revived by a step of 1/4 at a point that is a genuine local minimum.)
``numpy_attack_deep`` is the float search of the soundness tests (evidence only), whose best
candidate is re-scored exactly.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np

from relu_minima.exact.datasets import Dataset
from relu_minima.exact.deep_relu import DeepReLU

EPS = (Fraction(1, 10**6),)
HALVES = tuple(Fraction(t, 2) for t in range(-5, 6))


def _loss(widths, theta, X, Y):
    pos = 0
    total = Fraction(0)
    layers = []
    for i, o in itertools.pairwise(widths):
        W = [theta[pos + j * i: pos + (j + 1) * i] for j in range(o)]
        pos += o * i
        layers.append((W, theta[pos:pos + o]))
        pos += o
    for x, t in zip(X, Y, strict=False):
        h = list(x)
        for n, (W, b) in enumerate(layers):
            z = [sum((w * a for w, a in zip(row, h, strict=False)), bj)
                 for row, bj in zip(W, b, strict=False)]
            h = z if n == len(layers) - 1 else [max(v, Fraction(0)) for v in z]
        total += sum(((f - y) ** 2 for f, y in zip(h, t, strict=True)), Fraction(0))
    return total


def brute_descent(net: DeepReLU, D: Dataset, limit: int = 40000):
    """An exact point (flat parameters) near ``net`` with lower loss, or None."""
    theta = list(net.parameters())
    base = _loss(net.widths, theta, D.X, D.Y)
    space = net.space
    first = space.layers[0]
    choices = [HALVES if first.bias <= p < first.stop else (-1, 0, 1) for p in range(space.size)]
    for count, u in enumerate(itertools.product(*choices)):
        if count >= limit:
            break
        if not any(u):
            continue
        for eps in EPS:
            moved = [t + eps * s for t, s in zip(theta, u, strict=False)]
            if _loss(net.widths, moved, D.X, D.Y) < base:
                return moved
    return None


def numpy_attack_deep(net: DeepReLU, D: Dataset, *, seed: int = 0, trials: int = 400):
    """The lowest exact loss change found by a float search near ``net`` (<= 0).

    Random directions at two scales, sparse ones (2-4 coordinates, the path moves' shape) and
    directions that push first-layer biases further than weights (kink flips). The best float
    candidate of each batch is re-scored in exact arithmetic, so a negative value is a proof.
    """
    rng = np.random.default_rng(seed)
    theta = np.array([float(t) for t in net.parameters()])
    X = np.array([[float(t) for t in r] for r in D.X])
    Y = np.array([[float(t) for t in r] for r in D.Y])
    widths = net.widths
    P = theta.size

    def batch_loss(T):
        pos = 0
        hs = np.broadcast_to(X, (len(T), *X.shape))
        for n, (i, o) in enumerate(itertools.pairwise(widths)):
            W = T[:, pos:pos + o * i].reshape(len(T), o, i)
            pos += o * i
            b = T[:, pos:pos + o]
            pos += o
            z = np.einsum("tpi,toi->tpo", hs, W) + b[:, None, :]
            hs = z if n == len(widths) - 2 else np.maximum(z, 0)
        return ((hs - Y[None]) ** 2).sum(axis=(1, 2))

    base_exact = net.loss(D)
    best = Fraction(0)
    for scale in (1e-2, 1e-4):
        dirs = [rng.uniform(-1, 1, (trials, P))]
        sparse = np.zeros((trials, P))
        for row in sparse:
            idx = rng.choice(P, size=min(P, int(rng.integers(2, 5))), replace=False)
            row[idx] = rng.choice([-1.0, 1.0], size=len(idx))
        dirs.append(sparse)
        for U in dirs:
            T = theta + scale * U
            losses = batch_loss(T)
            k = int(np.argmin(losses))
            cand = [t + Fraction(scale).limit_denominator(10**6) * Fraction(float(s))
                    .limit_denominator(1000) for t, s in zip(net.parameters(), U[k], strict=False)]
            change = net.with_parameters(cand).loss(D) - base_exact
            best = min(best, change)
    return best
