"""Deep linear networks (``DeepReLU(..., negative_slope=1)``; verify/deep/linear.py,
docs/activations.md Theorem L) against an independent float computation of the optimum.

A "local minimum" must have loss L* (the rank-restricted least-squares optimum, here computed
by numpy: lstsq and a truncated SVD, not by the library), and a "not a local minimum" carries a
witness that check() re-verifies and whose exact loss is lower.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction as F

import numpy as np
import pytest

from relu_minima import Dataset, DeepReLU, verify_local_minimum
from relu_minima.exact.linalg import solve
from relu_minima.verify.deep.linear import (
    decide_linear,
    is_global_minimum,
    linear_optimum,
    negative_direction,
)


def numpy_optimum(widths, D) -> float:
    X = np.array([[float(t) for t in x] for x in D.X])
    Y = np.array([[float(t) for t in y] for y in D.Y])
    Xc, Yc = X - X.mean(axis=0), Y - Y.mean(axis=0)
    coef, *_ = np.linalg.lstsq(Xc, Yc, rcond=None)
    fit = Xc @ coef
    s = np.linalg.svd(fit, compute_uv=False)
    return float(((Yc - fit) ** 2).sum() + (s[min(widths):] ** 2).sum())


def random_linear_point(rng: random.Random):
    depth = rng.choice([2, 2, 3])
    d, k = rng.randint(1, 2), rng.randint(1, 2)
    widths = (d, *(rng.randint(1, 2) for _ in range(depth - 1)), k)
    n = rng.randint(3, 5)
    X = [[F(rng.randint(-2, 2)) for _ in range(d)] for _ in range(n)]
    Y = [[F(rng.randint(-2, 2)) for _ in range(k)] for _ in range(n)]
    D = Dataset(X, [y[0] for y in Y] if k == 1 else Y)
    zero = rng.random() < 0.5
    weights, biases = [], []
    for a, b in itertools.pairwise(widths):
        kill = zero and rng.random() < 0.6
        weights.append([[F(0 if kill else rng.randint(-1, 1)) for _ in range(a)]
                        for _ in range(b)])
        biases.append([F(0 if kill else rng.randint(-1, 1)) for _ in range(b)])
    net = DeepReLU(weights, biases, negative_slope=1)
    if rng.random() < 0.7:  # the optimal output bias: sum of residuals 0
        rows = [r if isinstance(r, tuple) else (r,) for r in net.outputs(D)]
        mean = [sum((r[o] for r in rows), F(0)) / n for o in range(k)]
        ybar = D.mean_of(list(range(n)))
        biases[-1] = [bo + ybar[o] - mean[o] for o, bo in enumerate(biases[-1])]
        net = DeepReLU(weights, biases, negative_slope=1)
    return net, D


def ols_point(rng: random.Random):
    """A one-output point at the least-squares fit: unit 1 of every hidden layer carries it."""
    d, depth = rng.randint(1, 3), rng.choice([2, 3])
    n = rng.randint(d + 2, d + 5)
    X = [[F(rng.randint(-3, 3)) for _ in range(d)] for _ in range(n)]
    D = Dataset(X, [F(rng.randint(-3, 3)) for _ in range(n)])
    A = [[F(1), *x] for x in X]
    gram = [[sum((a[p] * a[q] for a in A), F(0)) for q in range(d + 1)] for p in range(d + 1)]
    beta = solve(gram, [sum((a[p] * y for a, y in zip(A, D.y, strict=True)), F(0))
                        for p in range(d + 1)])
    if beta is None:
        return None
    width = rng.randint(1, 2)
    weights = [[list(beta[1:])] + [[F(0)] * d] * (width - 1)]
    biases = [[beta[0]] + [F(0)] * (width - 1)]
    for _ in range(depth - 2):
        weights.append([[F(1)] + [F(0)] * (width - 1)] + [[F(0)] * width] * (width - 1))
        biases.append([F(0)] * width)
    weights.append([[F(1)] + [F(0)] * (width - 1)])
    biases.append([F(0)])
    return DeepReLU(weights, biases, negative_slope=1), D


@pytest.mark.parametrize(("count", "most_undecided", "least_minima"), [
    (40, 2, 1), pytest.param(150, 5, 3, marks=pytest.mark.slow)])
def test_random_linear_points_are_decided_soundly(count, most_undecided, least_minima):
    """Seeded deep linear points (40 in the quick loop, 150 in the full suite): certified minima
    attain the numerical optimum, every witness is lower."""
    rng = random.Random(26)
    counts = {"local minimum": 0, "not a local minimum": 0, "undecided": 0}
    for _ in range(count):
        net, D = random_linear_point(rng)
        cert = verify_local_minimum(net, D)
        counts[cert.status] += 1
        if cert.is_local_minimum:
            assert abs(float(cert.loss) - numpy_optimum(net.widths, D)) < 1e-9
        elif cert.is_local_minimum is False:
            cert.check()
            assert cert.witness().loss(D) < net.loss(D)
    assert counts["undecided"] <= most_undecided and counts["local minimum"] >= least_minima, \
        counts


def test_least_squares_points_are_global_minima():
    rng = random.Random(3)
    done = 0
    while done < 40:
        found = ols_point(rng)
        if found is None:
            continue
        net, D = found
        cert = verify_local_minimum(net, D)
        assert cert.is_local_minimum and cert.case == "linear network", cert.reason
        assert cert.loss == linear_optimum(net.widths, D).value
        cert.check()
        done += 1


AXES = Dataset([[1, 0], [0, 1], [-1, 0], [0, -1]], [[2, 0], [0, 1], [-2, 0], [0, -1]])


def test_a_bottleneck_keeps_the_larger_direction():
    """Width 1 between 2 inputs and 2 outputs: keeping output 1 (singular value 4) is the
    optimum L* = 2 (Eckart-Young); keeping output 2 is a saddle with negative curvature."""
    good = DeepReLU([[[1, 0]], [[2], [0]]], [[0], [0, 0]], negative_slope=1)
    bad = DeepReLU([[[0, 1]], [[0], [1]]], [[0], [0, 0]], negative_slope=1)
    assert linear_optimum(good.widths, AXES).value == 2
    assert verify_local_minimum(good, AXES).is_local_minimum
    cert = verify_local_minimum(bad, AXES)
    assert cert.is_local_minimum is False and "second order" in cert.reason
    assert not is_global_minimum(bad, AXES)


def test_equal_singular_values_are_both_optimal():
    tie = Dataset([[1, 0], [0, 1], [-1, 0], [0, -1]], [[1, 0], [0, 1], [-1, 0], [0, -1]])
    for keep in ([[1, 0]], [[0, 1]], [[1, 1]]):
        scale = F(1, sum(t * t for t in keep[0]))
        net = DeepReLU([keep, [[t * scale] for t in keep[0]]], [[0], [0, 0]], negative_slope=1)
        assert verify_local_minimum(net, tie).is_local_minimum


def test_a_zero_network_of_depth_three_descends_at_third_order():
    zero = DeepReLU([[[0, 0]], [[0]], [[0], [0]]], [[0], [0], [0, 0]], negative_slope=1)
    found = decide_linear(zero, AXES)
    assert found.kind == "chain" and found.order == 3
    cert = verify_local_minimum(zero, AXES)
    assert "order 3" in cert.reason and cert.witness().loss(AXES) < zero.loss(AXES)


@pytest.mark.parametrize("H, negative", [
    ([[1, 0], [0, 1]], False), ([[1, 2], [2, 1]], True), ([[0, 1], [1, 0]], True),
    ([[0, 0], [0, 0]], False), ([[2, 1, 0], [1, 2, 1], [0, 1, 2]], False),
    ([[1, 1, 1], [1, 1, 1], [1, 1, 0]], True)])
def test_negative_direction(H, negative):
    Hq = [[F(t) for t in r] for r in H]
    u = negative_direction(Hq)
    assert (u is not None) == negative
    if u is not None:
        assert sum(u[p] * Hq[p][q] * u[q] for p in range(len(u)) for q in range(len(u))) < 0
