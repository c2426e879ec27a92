"""Checks of Section 3.2: Lemma 1, Lemma 2, Corollary 1, Theorem 1 (i) and (ii).

Each check builds exact certificates (relu_minima.verify.deep, relu_minima.paper.theorem1) on the
fixed examples below and on a small random sweep (smaller when ``ctx.quick``).
"""

from __future__ import annotations

import random
from fractions import Fraction

from ...exact.datasets import Dataset
from ...exact.deep import DeepReLU
from ...verify.deep import blind_spot_gradient_vanishes, verify_deep_local_minimum
from ..registry import ClaimResult, Context, Status, implements
from ..theorem1 import (
    better_point_few_units,
    blind_spot_loss,
    is_decent,
    theorem1_point,
    theorem1_point_printed,
)

# Theorem 1 (i) counterexample: layer 1 dead on both points, constant output 0 != mean 1.
THM1_DATA = Dataset([0, 1], [0, 2])
THM1_POINT = DeepReLU([[[1]], [[1]]], [[-5], [0]])
# Corollary 1 with n = k (the printed range 1 <= j <= k): all outputs negative, loss 0.
COR1_DATA = Dataset([1, 2], [-1, -2])
COR1_POINT = DeepReLU([[[1]], [[-1]]], [[0], [0]])
# Appendix B.3 as printed fails for k = 3 when mu, nu < 0.
B3_DATA = Dataset([0, 5], [-1, -3])
B3_WIDTHS = (1, 3, 1, 1)


def _random_dataset(rng: random.Random, decent: bool = True) -> Dataset:
    while True:
        d = rng.randint(1, 3)
        X = [[Fraction(rng.randint(-3, 3), rng.choice((1, 2))) for _ in range(d)]
             for _ in range(rng.randint(2, 5))]
        X.append(list(X[0]))
        y = [Fraction(rng.randint(-4, 4), rng.choice((1, 3))) for _ in X]
        D = Dataset(X, y)
        if is_decent(D) == decent:
            return D


def _random_blind_spot(rng: random.Random, D: Dataset, at_mean: bool) -> DeepReLU:
    """A random point whose hidden layer n is strictly negative on all data."""
    k = rng.randint(2, 4)
    w = [D.d] + [rng.randint(1, 3) for _ in range(k - 1)] + [1]
    n = rng.randint(1, k - 1)
    W = [[[Fraction(rng.randint(-2, 2)) for _ in range(w[i])] for _ in range(w[i + 1])]
         for i in range(k)]
    b = [[Fraction(rng.randint(-2, 2)) for _ in range(w[i + 1])] for i in range(k)]
    net = DeepReLU(W, b)
    pre = net.preactivations(D)[n - 1]
    top = max(t for row in pre for t in row)
    b[n - 1] = [t - top - 1 for t in b[n - 1]]
    net = DeepReLU(W, b)
    if at_mean:
        ybar = sum(D.y, Fraction(0)) / D.n
        b[-1][0] += ybar - net.outputs(D)[0]
        net = DeepReLU(W, b)
    return net


@implements("lemma1")
def check_lemma1(ctx: Context) -> ClaimResult:
    rng = random.Random(1)
    D = Dataset([[2, -1]] * 4, [3, -1, 0, 5])
    ybar = Fraction(7, 4)
    count = 0
    for _ in range(10 if ctx.quick else 60):
        net = _random_blind_spot(rng, Dataset([[1, 1]], [0]), False)
        net = DeepReLU([[[rng.randint(-2, 2), rng.randint(-2, 2)] for _ in net.weights[0]],
                        *net.weights[1:]], net.biases)
        cert = verify_deep_local_minimum(net, D)
        c = net.outputs(D)[0]
        assert (cert.is_local_minimum is False) if c != ybar else True
        assert net.loss(D) >= blind_spot_loss(D)
        count += 1
    return ClaimResult(
        Status.VERIFIED,
        "With x_1 = ... = x_N every network outputs one number c on the data; "
        "L = N (c - ybar)^2 + sum (y_i - ybar)^2, so the solution outputs the mean.",
        details=f"Dataset {D.to_json()}: mean {ybar}, least loss {blind_spot_loss(D)}; "
                f"{count} random deep networks: loss >= that bound, and every point with "
                "c != mean is certified not a local minimum (output bias).",
        data={"least_loss": str(blind_spot_loss(D))})


@implements("lemma2")
def check_lemma2(ctx: Context) -> ClaimResult:
    rng = random.Random(2)
    n = 0
    for _ in range(8 if ctx.quick else 50):
        D = _random_dataset(rng)
        net = _random_blind_spot(rng, D, rng.random() < 0.5)
        if net.weights and all(t < 0 for row in net.preactivations(D)[0] for t in row):
            assert len(set(net.outputs(D))) == 1
            assert blind_spot_gradient_vanishes(net, D)
            n += 1
    off = THM1_POINT(10)
    return ClaimResult(
        Status.VERIFIED,
        "If W_1 x_i < -b_1 for all i, the outputs on the data are one constant and the loss "
        "is locally constant in W_1, b_1 (zero gradient): gradient training never moves them.",
        details=f"{n} random dead-first-layer points: one output value on the data and every "
                "one-sided directional derivative in layers 1..n exactly 0. Reading: 'constant "
                "output' is on the data points; off the data the function need not be constant "
                f"(e.g. {THM1_POINT.to_json()} gives M(0) = {THM1_POINT(0)}, M(10) = {off}).",
        data={"checked": n})


@implements("cor1")
def check_cor1(ctx: Context) -> ClaimResult:
    cert = verify_deep_local_minimum(COR1_POINT, COR1_DATA)
    cert.check()
    outs = COR1_POINT.outputs(COR1_DATA)
    assert all(o < 0 for o in outs) and cert.is_local_minimum and cert.loss == 0
    rng = random.Random(3)
    for _ in range(8 if ctx.quick else 40):
        D = _random_dataset(rng)
        net = _random_blind_spot(rng, D, False)
        c = verify_deep_local_minimum(net, D)
        c.check()
        ybar = sum(D.y, Fraction(0)) / D.n
        assert c.is_local_minimum == (c.constant_output == ybar)
        assert blind_spot_gradient_vanishes(net, D)
    return ClaimResult(
        Status.ERRATUM,
        "True for a hidden layer (1 <= n <= k-1): the layer stays dead under gradient training "
        "and every local minimum there outputs the mean. False for n = k (printed range).",
        details=f"Counterexample with n = k: data {COR1_DATA.to_json()}, point "
                f"{COR1_POINT.to_json()}: outputs {[str(o) for o in outs]} all < 0 "
                f"(W_k h_(k-1) < -b_k), loss 0, a global minimum certified "
                f"({cert.case}); training leaves it there, and it does not output the mean -3/2.",
        data={"counterexample": cert.to_json()})


@implements("thm1-i")
def check_thm1_i(ctx: Context) -> ClaimResult:
    cert = verify_deep_local_minimum(THM1_POINT, THM1_DATA)
    cert.check()
    assert cert.is_local_minimum is False
    w = cert.witness(Fraction(1, 100))
    rng = random.Random(4)
    seen = {True: 0, False: 0}
    for _ in range(10 if ctx.quick else 60):
        D = _random_dataset(rng)
        net = _random_blind_spot(rng, D, rng.random() < 0.5)
        c = verify_deep_local_minimum(net, D)
        c.check()
        seen[bool(c.is_local_minimum)] += 1
    return ClaimResult(
        Status.ERRATUM,
        "A blind spot is a local minimum iff its constant output equals the mean of the "
        "targets; otherwise the output bias lowers the loss.",
        details=f"Counterexample: data {THM1_DATA.to_json()}, theta {THM1_POINT.to_json()} "
                f"(layer 1 dead, output 0, mean 1): L = {cert.loss}, and the witness "
                f"{w.to_json()} at distance {w.distance(THM1_POINT)} has L = "
                f"{w.loss(THM1_DATA)}. Random blind spots: {seen[True]} certified minima "
                f"(output = mean), {seen[False]} certified non-minima (output != mean).",
        data={"counterexample": cert.to_json()})


@implements("thm1-ii")
def check_thm1_ii(ctx: Context) -> ClaimResult:
    printed = theorem1_point_printed(B3_DATA, B3_WIDTHS)
    fixed = theorem1_point(B3_DATA, B3_WIDTHS)
    assert not printed.beats_blind_spot and fixed.beats_blind_spot
    rng = random.Random(5)
    runs = 0
    for _ in range(10 if ctx.quick else 80):
        D = _random_dataset(rng)
        k = rng.randint(2, 5)
        w = [D.d, rng.randint(3, 4)] + [rng.randint(1, 3) for _ in range(k - 2)] + [1]
        theorem1_point(D, w).check()
        better_point_few_units(D, [D.d, 1] + [1] * (k - 2) + [1]).check()
        runs += 1
    nd = Dataset([0, 0, 1, 1], [1, -1, 2, -2])
    return ClaimResult(
        Status.ERRATUM,
        "The theorem holds (even with 1 first-layer unit), but the printed Appendix B.3 "
        "construction fails for k >= 3 when mu or nu < 0; a corrected construction is certified.",
        details=f"Printed theta-hat on {B3_DATA.to_json()}, widths {B3_WIDTHS}: "
                f"L = {printed.loss} >= blind-spot loss {printed.blind_spot_loss} "
                f"(mu = {printed.mu}, nu = {printed.nu} clipped by the ReLU after layer 2). "
                f"Corrected: L = {fixed.loss}. {runs} random decent datasets, k = 2..5: "
                "corrected and one-unit constructions beat the blind spot exactly. "
                f"Decency is needed: on {nd.to_json()} (not decent) a blind spot with output "
                "= mean has loss equal to the least loss of any function of x.",
        data={"printed": printed.to_json(), "corrected": fixed.to_json()})
