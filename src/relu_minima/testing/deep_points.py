"""Random deep ReLU points built to be hard for the deep decision (Equation (2)).

``hard_deep_point(rng)`` draws depth 2-4, widths 1-4, one or two inputs and 3-6 data points,
then makes the point hard on purpose: many zero weights, dead units (large negative biases),
tied inputs, pre-activations exactly 0 at data points (points on kinks), whole zero layers
and all-zero networks, and the optimal output bias (sum of residuals 0, so the first-order
output-bias rule never settles it). Used by benchmarks/bench_deep.py and by the soundness
tests (every "local minimum" verdict must survive an exact perturbation attack).
"""

from __future__ import annotations

import random
from fractions import Fraction

from ..exact.datasets import Dataset
from ..exact.deep_relu import DeepReLU

__all__ = ["hard_deep_point"]


def _weight(rng: random.Random) -> int:
    return 0 if rng.random() < 0.35 else rng.randint(-2, 2)


def hard_deep_point(rng: random.Random, *, max_depth: int = 4,
                    max_width: int = 4) -> tuple[DeepReLU, Dataset]:
    """One hard random point and its data (exact integers and rationals)."""
    depth = rng.randint(2, max_depth)
    d = rng.choice((1, 1, 2))
    widths = [d] + [rng.randint(1, max_width) for _ in range(depth - 1)] + [1]
    n = rng.randint(3, 6)
    X: list[list[int]] = []
    for _ in range(n):
        if X and rng.random() < 0.25:
            X.append(list(rng.choice(X)))  # a tie: the same input twice
        else:
            X.append([rng.randint(-2, 2) for _ in range(d)])
    y = [rng.randint(-3, 3) for _ in range(n)]
    D = Dataset(X, y)
    style = rng.random()
    W = [[[_weight(rng) for _ in range(widths[k])] for _ in range(widths[k + 1])]
         for k in range(depth)]
    b: list[list[Fraction]] = [[Fraction(_weight(rng)) for _ in range(widths[k + 1])]
                               for k in range(depth)]
    if style < 0.1:  # all-zero network (zero initialisation)
        W = [[[0] * widths[k] for _ in range(widths[k + 1])] for k in range(depth)]
        b = [[Fraction(0)] * widths[k + 1] for k in range(depth)]
    elif style < 0.25:  # one zero hidden layer
        k = rng.randrange(depth - 1)
        W[k] = [[0] * widths[k] for _ in range(widths[k + 1])]
        b[k] = [Fraction(0)] * widths[k + 1]
    net = DeepReLU(W, b)
    # kinks and dead units, layer by layer on the current network
    for k in range(depth - 1):
        pre = net.preactivations(D)[k]
        for j in range(widths[k + 1]):
            r = rng.random()
            if r < 0.25:  # on a kink at a random data point
                b[k][j] -= pre[rng.randrange(n)][j]
            elif r < 0.35:  # dead on every data point
                b[k][j] -= max(row[j] for row in pre) + rng.randint(0, 1)
            net = DeepReLU(W, b)
            pre = net.preactivations(D)[k]
    if rng.random() < 0.9:  # the optimal output bias: sum of residuals 0
        b[-1][0] -= sum(net.residuals(D), Fraction(0)) / n
    return DeepReLU(W, b), D
