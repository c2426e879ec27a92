"""Checks of misprinted formulas and steps in Theorem 1 and Appendices B.1-B.3 (issue 24).

A *typo* is an erratum whose text starts with "Typo": a printed formula or index that is wrong
where the intended one is evident from its context. Each check computes both: the printed form
refuted on an exact example, the intended form certified (exactly, or on the same examples and
by the argument cited). A wrong inference that is not a misprint (Appendix B.3's "Claim i) is
a direct consequence of Corollary 1") is an erratum whose text starts with "Proof step".
"""

from __future__ import annotations

import random
from fractions import Fraction

import sympy

from ...exact.datasets import Dataset
from ...exact.deep_relu import DeepReLU
from ...exact.numbers import show
from ...verify.deep.rules import find_blind_spot, verify_deep_local_minimum
from ..certified import certified
from ..registry import ClaimResult, Context, implements, judge, require_fact
from .check_basins import exact_gradient
from .check_theorem1 import THM1_DATA, THM1_POINT, _random_blind_spot, _random_dataset
from .prop5_bounds import Law

__all__ = ["b1_gradient_signs", "b2_complement_values", "b2_layer_outputs"]


def b1_gradient_signs() -> dict[str, sympy.Expr]:
    """dL/dv and dL/dw_l of the log loss at Appendix B.1's situation, exactly (sympy): one
    hidden unit with positive weights w = (1, 1), bias 0, output weight v = 1, output bias 0;
    the outlier x* = (1, 1) (label 1) and a point (-1, -1) (label 0), which the unit ignores."""
    w1, w2, v = sympy.symbols("w1 w2 v", real=True)
    data = (((1, 1), 1), ((-1, -1), 0))
    loss = sympy.Integer(0)
    for (a, b), label in data:
        z = w1 * a + w2 * b
        m = v * sympy.Piecewise((z, z > 0), (0, True))
        p = 1 / (1 + sympy.exp(-m))
        loss += -sympy.log(p) if label == 1 else -sympy.log(1 - p)
    at = {w1: 1, w2: 1, v: 1}
    return {name: sympy.simplify(sympy.diff(loss, s).subs(at))
            for name, s in (("dL/dv", v), ("dL/dw_1", w1), ("dL/dw_2", w2))}


@implements("typo-b1-sign")
def check_b1_sign(ctx: Context) -> ClaimResult:
    grads = b1_gradient_signs()
    negative = {name: bool(g.is_negative) for name, g in grads.items()}
    # printed: dL/dv_k > 0 and dL/dw_kl >= 0; intended: < 0 and <= 0 (descent grows them)
    counter = all(negative.values())
    step = {name: sympy.simplify(-g) for name, g in grads.items()}  # a descent step's sign
    corrected = counter and all(bool(s.is_positive) for s in step.values())
    status = judge(counterexample=counter, corrected=corrected, claim="typo-b1-sign")
    shown = ", ".join(f"{name} = {g} = {float(g):.4f}" for name, g in grads.items())
    return ClaimResult(
        status,
        "Typo: both signs are printed the wrong way round. With log loss the positive outlier "
        "gives dL/dv_k < 0 and dL/dw_kl <= 0 (< 0 where the unit is active), which is what "
        "makes gradient descent grow v_k and w_kl, as the proof goes on to say; the printed "
        "> 0 and >= 0 are the signs of the log-likelihood.",
        f"Exact example (sympy): one unit, w = (1, 1), b = 0, v = 1, c = 0; data x* = (1, 1) "
        f"(label 1), (-1, -1) (label 0, in the unit's inactive part): {shown}. A descent step "
        "-eta grad L therefore increases v and w (every component of -grad L > 0: "
        f"{corrected}). The conclusion of Appendix B.1 (the output at x* grows, the other "
        "points keep h = 0) holds with the corrected signs; docs/bounds.md proves it for one "
        "hidden layer.",
        data={name: str(g) for name, g in grads.items()})


def b2_layer_outputs() -> tuple[DeepReLU, Dataset, list[tuple[Fraction, ...]]]:
    """A network whose layer 2 has only negative weights and non-positive biases (one of
    them negative), and layer 2's outputs h_2 on three inputs, exactly."""
    net = DeepReLU([[[1], [-2]], [[-1, -3], [-2, -1]], [[1, 1]]], [[0, 1], [-1, 0], [5]])
    data = Dataset([-2, 0, 3], [0, 0, 0])
    h2 = [tuple(row) for row in net.hidden_activations(data)[1]]
    return net, data, h2


@implements("typo-b2-dead-layer")
def check_b2_dead_layer(ctx: Context) -> ClaimResult:
    net, data, h2 = b2_layer_outputs()
    b2 = tuple(net.biases[1])
    W2 = net.weights[1]
    require_fact(all(t < 0 for row in W2 for t in row) and all(t <= 0 for t in b2)
                 and any(t < 0 for t in b2), "layer 2 must have negative weights and "
                 "non-positive biases, one of them negative")
    relu_b = tuple(max(t, Fraction(0)) for t in b2)
    counter = any(row != b2 for row in h2)  # printed: h_2 = b_2 on every input
    outputs = net.outputs(data)
    corrected = all(row == relu_b == (0,) * len(b2) for row in h2) and len(set(outputs)) == 1
    status = judge(counterexample=counter, corrected=corrected, claim="typo-b2-dead-layer")
    return ClaimResult(
        status,
        "Typo: a layer with only negative weights and non-positive biases outputs "
        "h_(j+1) = ReLU(b_(j+1)) = 0 on every input (its pre-activations are <= 0), not "
        "b_(j+1); the conclusion drawn from it (one output value for every point) holds.",
        f"Exact example: {net}, inputs {show([x[0] for x in data.X])}: layer 2 has b_2 = "
        f"{show(b2)}; its outputs h_2 are {'; '.join(show(r) for r in h2)} on the three inputs, "
        "not b_2; "
        f"ReLU(b_2) = {show(relu_b)}. The network's outputs {show(outputs)} are one value. "
        "In general h_j(x) >= 0 (a ReLU output) and every entry of W_(j+1) <= 0, b_(j+1) <= 0 "
        "give W_(j+1) h_j(x) + b_(j+1) <= 0, so h_(j+1)(x) = 0 = ReLU(b_(j+1)) "
        "(docs/bounds.md, the corrected Proposition 5 bound).",
        data={"h2": [[str(t) for t in r] for r in h2], "b2": [str(t) for t in b2]})


def b2_complement_values() -> list[dict[str, sympy.Expr]]:
    """P(exists j > 1: b_j <= 0, W_j < 0), the printed right side 1 - P(for all j > 1:
    b_j > 0, W_j >= 0), and the correct complement 1 - prod_j (1 - P(b_j <= 0) P(W_j < 0)),
    exactly, for w ~ N(0, 1) and b = 0 or b ~ N(0, 1) (continuous weights: P(w < 0) = P(w <= 0))."""
    out = []
    for h, k, bias in ((2, 2, Law.point(0)), (2, 3, Law.normal(0, 1))):
        aw, cb = Law.normal(0, 1).cdf0(), bias.cdf0()
        layer_dead = aw ** (h * h) * cb**h  # P(b_j <= 0, W_j < 0) for one layer j
        lhs = 1 - (1 - layer_dead) ** (k - 1)  # independent layers j = 2..k
        printed = 1 - ((1 - cb) ** h * (1 - aw) ** (h * h)) ** (k - 1)
        correct = 1 - sympy.Mul(*[(1 - layer_dead) for _ in range(k - 1)])
        out.append({"h": sympy.Integer(h), "k": sympy.Integer(k), "bias": str(bias),
                    "lhs": sympy.nsimplify(lhs), "printed": sympy.nsimplify(printed),
                    "correct": sympy.nsimplify(correct)})
    return out


@implements("typo-b2-complement")
def check_b2_complement(ctx: Context) -> ClaimResult:
    rows = b2_complement_values()
    counter = any(r["printed"] != r["lhs"] for r in rows)
    corrected = all(sympy.simplify(r["correct"] - r["lhs"]) == 0 for r in rows)
    # the printed formula's next line matches neither: the bound is the prop5 check's matter
    status = judge(counterexample=counter, corrected=corrected, claim="typo-b2-complement")
    lines = [f"| {r['h']} | {r['k']} | {r['bias']} | {r['lhs']} | {r['printed']} | "
             f"{r['correct']} |" for r in rows]
    return ClaimResult(
        status,
        "Typo: the complement of 'some layer j > 1 has b_j <= 0 and W_j < 0' is 'every layer "
        "j > 1 has some b_j > 0 or some W_j >= 0', so the right side is 1 - prod_(j>1) "
        "(1 - P(b_j <= 0) P(W_j < 0)), not 1 - P(for all j > 1: b_j > 0, W_j >= 0) "
        f"(with zero biases the printed side is {rows[0]['printed']}, the probability "
        f"{rows[0]['lhs']}).",
        "\n".join([
            "Exact (sympy), w ~ N(0, 1) (P(w < 0) = 1/2), h units per layer, k hidden layers "
            "(layers j = 2..k independent):", "",
            "| h | k | biases | P(exists j > 1: b_j <= 0, W_j < 0) | printed 1 - P(for all "
            "j > 1: b_j > 0, W_j >= 0) | 1 - prod (1 - P(b_j <= 0) P(W_j < 0)) |",
            "| --- | --- | --- | --- | --- | --- |", *lines, "",
            "The correct right side is what the next printed line evaluates once its "
            "parentheses are balanced (the corrected bound of prop5).",
        ]),
        data={"rows": [{k: str(v) for k, v in r.items()} for r in rows]})


# Theorem 1's printed condition W_n h_n(x_i) < -b_n holds here while layer 1 is active
INDEX_DATA = Dataset([-1], [0])
INDEX_POINT = DeepReLU([[[-1]], [[1]]], [[Fraction(1, 2)], [0]])


@implements("typo-thm1-index")
def check_thm1_index(ctx: Context) -> ClaimResult:
    pre = INDEX_POINT.preactivations(INDEX_DATA)[0][0]  # W_1 x + b_1 (h_0 = x)
    h1 = INDEX_POINT.hidden_activations(INDEX_DATA)[0][0]
    W1, b1 = INDEX_POINT.weights[0], INDEX_POINT.biases[0]
    printed = [sum((w * t for w, t in zip(row, h1, strict=True)), Fraction(0)) < -bj
               for row, bj in zip(W1, b1, strict=True)]  # W_1 h_1 < -b_1
    intended = [t < 0 for t in pre]  # W_1 h_0 < -b_1: the layer is dead
    active = any(t > 0 for t in h1)
    # widths (1, 2, 1): W_1 is 2 x 1 and h_1 has 2 entries, so W_1 h_1 is not even defined
    shaped = DeepReLU([[[1], [2]], [[1, 1]]], [[0, 0], [0]])
    undefined = len(shaped.weights[0][0]) != len(shaped.weights[0])
    counter = all(printed) and active and not all(intended)
    # the intended condition is the blind spot the theorem is about: certified on the
    # Theorem 1 (i) example (layer 1 strictly inactive on every point)
    spot = find_blind_spot(THM1_POINT, THM1_DATA)
    dead = THM1_POINT.preactivations(THM1_DATA)[0]
    corrected = (spot is not None and spot.layer == 1 and spot.strict
                 and all(t < 0 for row in dead for t in row) and undefined)
    status = judge(counterexample=counter, corrected=corrected, claim="typo-thm1-index")
    return ClaimResult(
        status,
        "Typo: the condition must read W_n h_(n-1)(x_i) < -b_n (layer n's pre-activations "
        "negative: the layer is inactive, h_n = ReLU(W_n h_(n-1) + b_n) by the paper's own "
        "definition); the printed W_n h_n(x_i) is undefined unless layers n - 1 and n have "
        "the same width, and when defined it can hold at an active layer.",
        f"Exact example: {INDEX_POINT} at x = {INDEX_DATA.X[0][0]}: layer 1's pre-activation "
        f"W_1 x + b_1 = {show(pre)} > 0, so h_1 = {show(h1)} (active), yet the printed "
        f"W_1 h_1 < -b_1 holds ({all(printed)}); the intended W_1 h_0 < -b_1 does not "
        "(the pre-activation is positive). Widths (1, 2, 1): W_1 is 2 x 1 and h_1 has 2 "
        f"entries, so W_1 h_1 is not defined ({undefined}). The intended condition is the "
        f"blind spot of Theorem 1, Lemma 2 and Corollary 1 (e.g. {THM1_POINT} on "
        f"{THM1_DATA}: layer 1 strictly inactive). Corollary 1 has the same misprint in "
        "another form: it quantifies 'for any 1 <= j <= k' but writes W_n h_(n-1) < -b_n "
        "(n for j).",
        data={"printed_holds": printed, "intended_holds": intended})


@implements("b3-from-cor1")
def check_b3_from_cor1(ctx: Context) -> ClaimResult:
    """Proof step: (i) does not follow from Corollary 1 -- at the Theorem 1 (i) counterexample
    Corollary 1's hypothesis and conclusion hold and (i) fails."""
    D, q = THM1_DATA, THM1_POINT
    cert = certified(verify_deep_local_minimum, q, D)
    N, ybar = D.n, sum(D.y, Fraction(0)) / D.n
    C = q.outputs(D)[0]
    g = exact_gradient(q, D)
    # Corollary 1's conclusion at this point: gradient descent moves the output bias only and
    # a step of 1/(4N) halves C - ybar, so training ends at the mean output
    only_bias = all(t == 0 for t in g[:-1]) and g[-1] == 2 * N * (C - ybar)
    step = q.with_parameters([a - Fraction(1, 4 * N) * t
                              for a, t in zip(q.parameters(), g, strict=True)])
    halves = step.outputs(D)[0] - ybar == (C - ybar) / 2
    spot = find_blind_spot(q, D)
    counter = (spot is not None and spot.strict and only_bias and halves
               and cert.is_local_minimum is False)
    # what (i) does follow from: Lemma 2's zero gradient on the open dead region plus
    # Lemma 1's loss N (C - ybar)^2 + S -- a blind spot is a minimum iff C = ybar
    rng = random.Random(11)
    holds = []
    for _ in range(4 if ctx.quick else 12):
        data = _random_dataset(rng)
        net = _random_blind_spot(rng, data, rng.random() < 0.5)
        c = certified(verify_deep_local_minimum, net, data)
        holds.append(c.is_local_minimum is (c.constant_output == sum(data.y, Fraction(0))
                                            / data.n))
    status = judge(counterexample=counter, corrected=all(holds) and bool(holds),
                   claim="b3-from-cor1")
    return ClaimResult(
        status,
        "Proof step: (i) does not follow from Corollary 1. Corollary 1 speaks of where training "
        "ends (the mean output); (i) says the dead point itself is a local minimum. At the "
        "Theorem 1 (i) counterexample Corollary 1's hypothesis and conclusion hold and (i) "
        "fails. What follows from Lemmas 1 and 2 is the corrected (i): a hidden-layer blind "
        "spot is a local minimum iff its constant output is the mean.",
        f"{q} on {D}: layer {spot.layer if spot else '?'} strictly inactive; the exact "
        f"gradient is 0 except dL/db_2 = {g[-1]} = 2N (C - ybar) (C = {C}, ybar = {ybar}), and a "
        f"step of 1/(4N) halves C - ybar ({halves}): gradient descent ends at the mean output, "
        f"as Corollary 1 says; yet the point is certified {cert.status}. Corrected (i) on "
        f"{len(holds)} random hidden-layer blind spots: certified a minimum exactly when the "
        "constant output is the mean.",
        data={"gradient": [str(t) for t in g]})
