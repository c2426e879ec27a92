"""Checks of Section 3.2: Lemma 1, Lemma 2, Corollary 1, Theorem 1 (i) and (ii).

Each check builds exact certificates (relu_minima.verify.deep.rules,
relu_minima.paper.dead_layers.theorem1) on the fixed examples below and on a small random sweep
(smaller when ``ctx.quick``), and chooses its status with :func:`judge` from the facts it
computed.
"""

from __future__ import annotations

import random
from fractions import Fraction

from ...exact.datasets import Dataset
from ...exact.deep_relu import DeepReLU
from ...exact.numbers import show
from ...verify.deep.rules import (
    blind_spot_gradient_vanishes,
    find_blind_spot,
    verify_deep_local_minimum,
)
from ..certified import certified
from ..registry import ClaimResult, Context, implements, judge, require_fact
from .theorem1 import (
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
# Theorem 1 (ii) read with n = k: three first-layer units, outputs -x < 0, a perfect fit.
THM1_OUTPUT_DATA = Dataset([1, 2], [-1, -2])
THM1_OUTPUT_POINT = DeepReLU([[[1], [0], [0]], [[-1, 0, 0]]], [[0, 0, 0], [0]])


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
    ybar, least = D.target_mean, blind_spot_loss(D)
    count, minima, holds = 0, 0, []
    for i in range(10 if ctx.quick else 60):
        net = _random_blind_spot(rng, Dataset([[1, 1]], [0]), False)
        net = DeepReLU([[[rng.randint(-2, 2), rng.randint(-2, 2)] for _ in net.weights[0]],
                        *net.weights[1:]], net.biases)
        if i % 3 == 0:  # also points at the mean, which must be certified minima
            W, b = net.weights, [list(t) for t in net.biases]
            b[-1][0] += ybar - net.outputs(D)[0]
            net = DeepReLU(W, b)
        cert = certified(verify_deep_local_minimum, net, D)
        c = net.outputs(D)[0]
        holds.append(len(set(net.outputs(D))) == 1)  # one input, one output
        # L = N (c - ybar)^2 + sum (y_i - ybar)^2, so the least loss is at c = ybar only
        holds.append(net.loss(D) == D.n * (c - ybar) ** 2 + least)
        holds.append(cert.is_local_minimum is (c == ybar))
        minima += c == ybar
        count += 1
    proved = all(holds) and count > 0 and 0 < minima < count
    return ClaimResult(
        judge(proved=proved, claim="lemma1"),
        "With x_1 = ... = x_N every network outputs one number c on the data; "
        "L = N (c - ybar)^2 + sum (y_i - ybar)^2, so the solution outputs the mean.",
        details=f"Dataset {D}: mean {ybar}, least loss {least}; {count} random deep "
                f"networks: one output each, L = N (c - ybar)^2 + {least} exactly, and the "
                f"certified verdict is 'minimum' exactly when c = ybar ({minima} at the mean, "
                f"certified minima; {count - minima} elsewhere, certified non-minima).",
        data={"least_loss": str(least), "networks": count, "at_mean": minima})


@implements("lemma2")
def check_lemma2(ctx: Context) -> ClaimResult:
    rng = random.Random(2)
    n, holds = 0, []
    for _ in range(8 if ctx.quick else 50):
        D = _random_dataset(rng)
        net = _random_blind_spot(rng, D, rng.random() < 0.5)
        if net.weights and all(t < 0 for row in net.preactivations(D)[0] for t in row):
            holds.append(len(set(net.outputs(D))) == 1)
            holds.append(blind_spot_gradient_vanishes(net, D) is True)
            n += 1
    off, at0 = THM1_POINT(10), THM1_POINT(0)
    proved = all(holds) and n > 0
    return ClaimResult(
        judge(proved=proved, claim="lemma2"),
        "If W_1 x_i < -b_1 for all i, the outputs on the data are one constant and the loss "
        "is locally constant in W_1, b_1 (zero gradient): gradient training never moves them.",
        details=f"{n} random dead-first-layer points: one output value on the data and every "
                "one-sided directional derivative in layers 1..n exactly 0. Reading: 'constant "
                "output' is on the data points; off the data the function need not be constant "
                f"(e.g. {THM1_POINT} gives M(0) = {at0}, M(10) = {off}).",
        data={"checked": n})


@implements("cor1")
def check_cor1(ctx: Context) -> ClaimResult:
    """Erratum: the printed range 1 <= j <= k includes the output layer, where it is false;
    for a hidden layer it holds (and the printed proof, Lemmas 1 and 2, covers only the first
    layer: Lemma 2 is stated for W_1, b_1; the library certifies deeper dead layers too)."""
    cert = certified(verify_deep_local_minimum, COR1_POINT, COR1_DATA)
    outs = COR1_POINT.outputs(COR1_DATA)
    mean = COR1_DATA.target_mean
    # n = k (in the printed range): every output negative, a certified (global) minimum with
    # loss 0 that does not output the mean
    counter = (all(o < 0 for o in outs) and cert.is_local_minimum is True
               and COR1_POINT.loss(COR1_DATA) == 0 and set(outs) != {mean})
    rng = random.Random(3)
    holds, deeper = [], 0
    for _ in range(8 if ctx.quick else 40):
        D = _random_dataset(rng)
        net = _random_blind_spot(rng, D, rng.random() < 0.5)
        c = certified(verify_deep_local_minimum, net, D)
        holds.append(c.is_local_minimum is (c.constant_output == D.target_mean))
        holds.append(blind_spot_gradient_vanishes(net, D) is True)
        spot = find_blind_spot(net, D)
        deeper += spot is not None and spot.layer > 1
    return ClaimResult(
        judge(counterexample=counter, corrected=all(holds) and bool(holds), claim="cor1"),
        "True for a hidden layer (1 <= n <= k-1): the layer stays dead under gradient training "
        "and every local minimum there outputs the mean. False for n = k (printed range).",
        details=f"Counterexample with n = k: data {COR1_DATA}, point "
                f"{COR1_POINT}: outputs {show(outs)} all < 0 "
                f"(W_k h_(k-1) < -b_k), loss {COR1_POINT.loss(COR1_DATA)}, certified "
                f"{cert.status} ({cert.case}); training leaves it there, and it does not "
                f"output the mean {mean}. Corrected statement: {len(holds) // 2} random "
                "hidden-layer blind spots, each certified a minimum exactly when its constant "
                "output is the mean, with zero gradient in the dead layers "
                f"({deeper} of them with the first dead layer deeper than layer 1).\n\n"
                "Why *erratum* and not *proof erratum*: the printed statement quantifies "
                "'for any 1 <= j <= k' (the formula's index n is the bound j: a misprint, see "
                "typo-thm1-index), read as 'some layer j is inactive on every point'; its printed "
                "range includes the output layer j = k, where it is false (above), and a proof "
                "erratum needs the printed statement certified. For a hidden layer the statement "
                "holds; its printed proof ('Combining those two lemmata') covers only the first "
                "layer, since Lemma 2 is stated for W_1, b_1: for a dead layer n > 1 the same "
                "argument applies to layers 1..n (zero gradient, certified above). Read as "
                "'every layer j is inactive', layer 1 is, and the hidden-layer case applies.",
        data={"counterexample": cert.to_dict(), "deeper_dead_layers": deeper})


@implements("thm1-i")
def check_thm1_i(ctx: Context) -> ClaimResult:
    cert = certified(verify_deep_local_minimum, THM1_POINT, THM1_DATA)
    w = cert.witness(Fraction(1, 100))
    spot = find_blind_spot(THM1_POINT, THM1_DATA)
    counter = (spot is not None and spot.strict and cert.is_local_minimum is False
               and w is not None and w.loss(THM1_DATA) < THM1_POINT.loss(THM1_DATA)
               and w.distance(THM1_POINT) <= Fraction(1, 100))
    rng = random.Random(4)
    seen = {True: 0, False: 0}
    holds = []
    for _ in range(10 if ctx.quick else 60):
        D = _random_dataset(rng)
        net = _random_blind_spot(rng, D, rng.random() < 0.5)
        c = certified(verify_deep_local_minimum, net, D)
        holds.append(c.is_local_minimum is (net.outputs(D)[0] == D.target_mean))
        seen[bool(c.is_local_minimum)] += 1
    corrected = all(holds) and seen[True] > 0 and seen[False] > 0
    return ClaimResult(
        judge(counterexample=counter, corrected=corrected, claim="thm1-i"),
        "A blind spot is a local minimum iff its constant output equals the mean of the "
        "targets; otherwise the output bias lowers the loss.",
        details=f"Counterexample: data {THM1_DATA}, theta {THM1_POINT} "
                f"(layer {spot.layer if spot else '?'} dead, output "
                f"{THM1_POINT.outputs(THM1_DATA)[0]}, mean {THM1_DATA.target_mean}): "
                f"L = {cert.loss}"
                + (f", and the witness {w} at distance {w.distance(THM1_POINT)} has "
                   f"L = {w.loss(THM1_DATA)}" if w is not None else "")
                + f". Random blind spots: {seen[True]} certified minima (output = mean), "
                f"{seen[False]} certified non-minima (output != mean).",
        data={"counterexample": cert.to_dict()})


@implements("thm1-ii")
def check_thm1_ii(ctx: Context) -> ClaimResult:
    """Proof erratum: the statement holds for hidden-layer blind spots (even with one
    first-layer unit), the printed Appendix B.3 construction fails for k >= 3, and a corrected
    construction is certified."""
    printed = theorem1_point_printed(B3_DATA, B3_WIDTHS)
    printed.check()
    fixed = theorem1_point(B3_DATA, B3_WIDTHS)
    fixed.check()
    # the printed construction of Appendix B.3 fails to beat the blind spot on a decent dataset
    proof_refuted = is_decent(B3_DATA) and not printed.beats_blind_spot
    rng = random.Random(5)
    runs, statement, construction = 0, [], [fixed.beats_blind_spot]
    for _ in range(10 if ctx.quick else 80):
        D = _random_dataset(rng)
        k = rng.randint(2, 5)
        w = [D.d, rng.randint(3, 4)] + [rng.randint(1, 3) for _ in range(k - 2)] + [1]
        corrected = theorem1_point(D, w)
        few = better_point_few_units(D, [D.d, 1] + [1] * (k - 2) + [1])
        for point in (corrected, few):
            point.check()  # recomputes the loss and re-verifies that it beats the blind spot
        construction.append(corrected.beats_blind_spot)
        # the statement: a point below every blind spot (whose loss is >= S, Lemma 1); one
        # first-layer unit suffices
        statement.append(few.beats_blind_spot)
        runs += 1
    nd = Dataset([0, 0, 1, 1], [1, -1, 2, -2])
    # read with n = k (Corollary 1's printed range 1 <= j <= k) the condition only says the
    # outputs are negative: a perfect fit with negative outputs is then a global minimum
    out = certified(verify_deep_local_minimum, THM1_OUTPUT_POINT, THM1_OUTPUT_DATA)
    output_reading_fails = (is_decent(THM1_OUTPUT_DATA) and out.is_local_minimum is True
                            and THM1_OUTPUT_POINT.loss(THM1_OUTPUT_DATA) == 0
                            and all(o < 0 for o in THM1_OUTPUT_POINT.outputs(THM1_OUTPUT_DATA))
                            and len(THM1_OUTPUT_POINT.weights[0]) >= 3)
    require_fact(output_reading_fails, "the output-layer reading of Theorem 1 (ii) was not "
                 "refuted by its perfect-fit example")
    status = judge(proved=all(statement) and runs > 0, proof_refuted=proof_refuted,
                   proof_corrected=all(construction), claim="thm1-ii")
    return ClaimResult(
        status,
        "The statement holds for a hidden-layer blind spot, even with 1 first-layer unit "
        f"(certified on {runs} random decent datasets, k = 2..5); the printed Appendix B.3 "
        "construction fails for k >= 3 when mu or nu < 0 (exact counterexample); a corrected "
        "construction is certified.",
        details=f"Printed theta-hat on {B3_DATA}, widths {B3_WIDTHS}: "
                f"L = {printed.loss} >= blind-spot loss {printed.blind_spot_loss} "
                f"(mu = {printed.mu}, nu = {printed.nu} clipped by the ReLU after layer 2). "
                f"Corrected: L = {fixed.loss}. {runs} random decent datasets, k = 2..5: "
                "corrected and one-unit constructions beat the blind spot exactly. "
                f"Decency is needed: on {nd} (decent: {is_decent(nd)}) a blind spot "
                f"with output = mean has loss {blind_spot_loss(nd)}, the least loss of any "
                "function of x.\n\n"
                "Reading: the theorem's condition W_n h_n(x_i) < -b_n prints no range for n; it "
                "is read for a hidden layer, whose units it deactivates ('conditions for the "
                "weights of any given layer of the model such that for any datapoint all the "
                "units of that layer are deactivated', Section 3.2). With n = k (the output "
                "layer, in Corollary 1's printed range 1 <= j <= k) the condition only says "
                f"every output is negative, and (ii) fails: on {THM1_OUTPUT_DATA} (decent: "
                f"{is_decent(THM1_OUTPUT_DATA)}) the point {THM1_OUTPUT_POINT} (3 first-layer "
                f"units) has outputs {show(THM1_OUTPUT_POINT.outputs(THM1_OUTPUT_DATA))} < 0 "
                f"and loss {THM1_OUTPUT_POINT.loss(THM1_OUTPUT_DATA)}, certified {out.status}: "
                "a global minimum.",
        data={"printed": printed.to_json(), "corrected": fixed.to_json(),
              "output_layer_reading_fails": output_reading_fails})
