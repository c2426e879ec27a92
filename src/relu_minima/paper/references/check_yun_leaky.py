"""Checks of Yun, Sra and Jadbabaie's two other results (reference 003, issue 26).

``yun-leaky``: for h(t) = s+ t (t >= 0), s- t (t < 0), s+ > 0, s- >= 0, s+ != s-, one hidden
layer of >= 2 units and squared loss, almost every dataset that linear least squares does not
fit exactly has infinitely many local minima that are not global. On random datasets (d = 1..3,
n = 4..12) and several slope pairs, ReLU included, :mod:`.yun_leaky`'s construction is
certified a local minimum at two margins eta (the exact decision, ``check()`` re-run; one
minimum per eta > 0, docs/activations.md) and a point of strictly lower exact loss is given.
The "almost all" condition is exact: some residual sum over equal inputs is not 0; on the
dataset of :func:`~.yun_leaky.violating_dataset` every such sum is 0, no hinge exists, and the
construction's point is a global minimum (its loss is the within-input-class bound).

``yun-deep-linear``: every local minimum of a deep linear network is global, and conditions on
the product tell global minima from saddles. On random points of linear networks
(``negative_slope=1``) every verdict is exact: certified global minima (L = L*, Theorem L of
docs/activations.md) and saddles with exact witnesses of order 1, 2 or k; a certified local
minimum with L > L* would refute the statement. The library does not prove the statement in
general, so finding no counterexample leaves it *undecided*, with the instances reported.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction
from typing import Any

from ...exact.datasets import Dataset
from ...exact.deep_relu import DeepReLU
from ...verify.deep.linear import is_global_minimum, linear_optimum
from ...verify.dispatch import verify_local_minimum
from ..registry import ClaimResult, Context, Status, implements, judge, require_fact
from .yun_leaky import (
    condition,
    find_hinge,
    least_squares,
    local_minimum_point,
    lower_point,
    random_dataset,
    violating_dataset,
)

__all__ = ["PAIRS", "deep_linear_points", "leaky_instances"]

# (s+, s-): the library's negative_slope is s- / s+ (output weights scaled by s+)
PAIRS = ((Fraction(1), Fraction(0)), (Fraction(1), Fraction(1, 10)), (Fraction(2), Fraction(1)),
         (Fraction(1), Fraction(3)), (Fraction(1, 2), Fraction(0)))


def _certified_minimum(net: Any, D: Dataset) -> bool:
    cert = verify_local_minimum(net, D)
    cert.check()
    return cert.is_local_minimum is True


def leaky_instances(ctx: Context, seed: int = 3) -> dict[str, Any]:
    """The construction on random datasets: counts of datasets, of certified minima and lower
    points, and the first instance of each pair (JSON)."""
    rng = random.Random(seed)
    count = 6 if ctx.quick else 24
    out: dict[str, Any] = {"datasets": 0, "perfect_fit": 0, "minima": 0, "lower": 0,
                           "failures": [], "examples": {}}
    while out["datasets"] < count:
        D = random_dataset(rng, rng.randint(1, 3), rng.randint(4, 12))
        if least_squares(D).loss == 0:
            out["perfect_fit"] += 1  # outside the statement: linear least squares fits exactly
            continue
        out["datasets"] += 1
        ctx.progress(f"yun-leaky: dataset {out['datasets']}/{count}")
        for sp, sm in PAIRS:
            s = sm / sp
            m = rng.randint(2, 3)
            points = [local_minimum_point(D, m, s, eta) for eta in (Fraction(1), Fraction(2))]
            low = lower_point(D, m, s)
            fit = least_squares(D).loss
            ok_min = all(_certified_minimum(p, D) and p.loss(D) == fit for p in points)
            ok_low = low is not None and low.loss(D) < fit
            out["minima"] += 2 * ok_min
            out["lower"] += ok_low
            if not (ok_min and ok_low):
                out["failures"].append({"dataset": D.to_json(), "pair": [str(sp), str(sm)]})
            key = f"({sp}, {sm})"
            if key not in out["examples"] and low is not None:
                out["examples"][key] = {"dataset": D.to_json(), "minimum": points[0].to_json(),
                                        "minimum_loss": str(fit), "lower": low.to_json(),
                                        "lower_loss": str(low.loss(D))}
    return out


@implements("yun-leaky")
def check_yun_leaky(ctx: Context) -> ClaimResult:
    found = leaky_instances(ctx)
    pairs = len(PAIRS)
    # the exceptional set: residual sums over equal inputs all 0 although the fit is not exact
    V = violating_dataset()
    fit = least_squares(V)
    sums = condition(V)
    within = sum(((y - sum(V.y[j] for j in range(V.n) if V.X[j] == x) /
                   sum(1 for t in V.X if t == x)) ** 2 for x, y in zip(V.X, V.y, strict=True)),
                 Fraction(0))
    point = local_minimum_point(V, 2, Fraction(0))
    fails_there = (fit.loss > 0 and all(t == 0 for t in sums.values())
                   and find_hinge(V) is None and all(lower_point(V, 2, s) is None
                                                     for s in (Fraction(0), Fraction(1, 10)))
                   and _certified_minimum(point, V) and point.loss(V) == within)
    require_fact(fails_there, "the violating dataset does not behave as stated")
    total = found["datasets"] * pairs
    proved = (not found["failures"] and found["minima"] == 2 * total
              and found["lower"] == total and total > 0)
    status = judge(proved=proved, claim="yun-leaky")
    details = "\n".join([
        f"* {found['datasets']} random datasets (d = 1..3, n = 4..12, integer entries; "
        f"{found['perfect_fit']} more drawn were fitted exactly by linear least squares and lie "
        f"outside the statement) x {pairs} slope pairs (s+, s-) = "
        + ", ".join(f"({a}, {b})" for a, b in PAIRS)
        + " (negative_slope = s-/s+, output weights scaled by s+; (1, 0) is the ReLU).",
        f"* Local minima: the least-squares point at eta = 1 and eta = 2, {found['minima']} of "
        f"{2 * total} certified by the exact one-hidden-layer decision (check() re-run), each with "
        "loss = the least-squares loss; one local minimum for every eta > 0 (docs/activations.md),"
        " so infinitely many.",
        f"* Lower points: {found['lower']} of {total} have exactly lower loss (a hinge "
        "relu(u . x - t) correlated with the residuals, added by a second unit): none of these "
        "minima is global.",
        "* The 'almost all' condition, exactly: some residual sum R_x over equal inputs is not 0 "
        "(true whenever the inputs are distinct and the fit is not exact; it fails only on a "
        f"measure-zero set). Dataset {V.to_json()}: least-squares loss {fit.loss} > 0, every "
        f"R_x = 0 ({[str(t) for t in sums.values()]}), no hinge correlates with the residuals, "
        f"and the construction's point (certified a local minimum) has loss {point.loss(V)} = the "
        "within-input-class bound, below which no function of x goes: a global minimum. There "
        "the construction gives no spurious minimum.",
        *(f"* Failures: {found['failures'][:3]}" for _ in [0] if found["failures"]),
    ])
    return ClaimResult(
        status,
        f"On {found['datasets']} random datasets and {pairs} slope pairs (ReLU included) the "
        "least-squares point is a certified local minimum (two margins each) and an explicit "
        "point has strictly lower exact loss; the exceptional datasets (all residual sums over "
        "equal inputs 0) are shown, where the construction yields a global minimum.",
        details, data={k: v for k, v in found.items() if k != "failures"}
        | {"violating_dataset": V.to_json()},
    )


def deep_linear_points(rng: random.Random, count: int) -> list[tuple[DeepReLU, Dataset]]:
    """Random points of linear networks: random weights with the output bias at its optimum,
    zero layers (critical points), and least-squares optima carried by unit 1 (one output)."""
    out = []
    while len(out) < count:
        d, k = rng.randint(1, 2), rng.randint(1, 2)
        depth = rng.choice([2, 3])
        widths = (d, *(rng.randint(1, 2) for _ in range(depth - 1)), k)
        n = rng.randint(3, 6)
        X = [[Fraction(rng.randint(-2, 2)) for _ in range(d)] for _ in range(n)]
        Y = [[Fraction(rng.randint(-2, 2)) for _ in range(k)] for _ in range(n)]
        D = Dataset(X, [y[0] for y in Y] if k == 1 else Y)
        kind = rng.choice(["random", "zero", "fit"] if k == 1 else ["random", "zero"])
        if kind == "fit":
            ls = least_squares(D)
            weights = [[list(ls.beta)] + [[Fraction(0)] * d] * (widths[1] - 1)]
            biases = [[ls.beta0] + [Fraction(0)] * (widths[1] - 1)]
            for a, b in itertools.pairwise(widths[1:]):
                weights.append([[Fraction(int(i == j == 0)) for j in range(a)] for i in range(b)])
                biases.append([Fraction(0)] * b)
            out.append((DeepReLU(weights, biases, negative_slope=1), D))
            continue
        weights, biases = [], []
        for a, b in itertools.pairwise(widths):
            zero = kind == "zero" and rng.random() < 0.6
            weights.append([[Fraction(0 if zero else rng.randint(-1, 1)) for _ in range(a)]
                            for _ in range(b)])
            biases.append([Fraction(0 if zero else rng.randint(-1, 1)) for _ in range(b)])
        net = DeepReLU(weights, biases, negative_slope=1)
        rows = [r if isinstance(r, tuple) else (r,) for r in net.outputs(D)]
        ybar = D.target_mean if k > 1 else (D.target_mean,)
        biases[-1] = [bo + ybar[o] - sum((r[o] for r in rows), Fraction(0)) / n
                      for o, bo in enumerate(biases[-1])]
        out.append((DeepReLU(weights, biases, negative_slope=1), D))
    return out


@implements("yun-deep-linear")
def check_yun_deep_linear(ctx: Context) -> ClaimResult:
    rng = random.Random(17)
    points = deep_linear_points(rng, 20 if ctx.quick else 80)
    tally = {"global": 0, "order 1": 0, "order 2": 0, "higher order": 0, "undecided": 0}
    counter: list[dict[str, Any]] = []
    for i, (net, D) in enumerate(points):
        ctx.progress(f"yun-deep-linear: point {i + 1}/{len(points)}")
        cert = verify_local_minimum(net, D)
        cert.check()
        if cert.is_local_minimum:
            if is_global_minimum(net, D):
                tally["global"] += 1
            else:
                counter.append({"params": net.to_json(), "dataset": D.to_json()})
        elif cert.is_local_minimum is False:
            require_fact(cert.witness().loss(D) < net.loss(D), "a witness does not descend")
            order = next(q for q, t in enumerate(cert.germ) if q > 0 and t != 0)
            tally["order 1" if order == 1 else "order 2" if order == 2
                  else "higher order"] += 1
        else:
            tally["undecided"] += 1
    require_fact(tally["global"] > 0 and tally["order 2"] + tally["higher order"] > 0,
                 f"the random points did not reach both kinds of verdict: {tally}")
    if counter:  # a certified local minimum above L*: the statement is false
        status = judge(counterexample=True, corrected=False, claim="yun-deep-linear")
    else:
        status = Status.UNDECIDED  # no counterexample; the general statement is not proved here
    example = points[0]
    opt = linear_optimum(example[0].widths, example[1])
    details = "\n".join([
        f"* {len(points)} random points of linear networks (depth 2-3, widths 1-2, one or two "
        "outputs, bottlenecks included): random weights with the optimal output bias, zero "
        "layers (critical points), least-squares optima.",
        f"* Verdicts: {tally['global']} certified global minima (L = L*, Theorem L: the centred "
        "fit is a best rank-r approximation, decided exactly); saddles with exact witnesses: "
        f"{tally['order 1']} of order 1, {tally['order 2']} of order 2 (negative curvature), "
        f"{tally['higher order']} of higher order; {tally['undecided']} undecided.",
        f"* Certified local minima with L > L*: {len(counter)}.",
        f"* Example optimum: widths {example[0].widths}, {opt.describe()}.",
        "* Not proved here: that every local minimum is global in general (a theorem of the "
        "literature for these networks; the library decides each point, it does not prove the "
        "statement for all points).",
    ])
    return ClaimResult(
        status,
        f"Undecided in general; on {len(points)} random points every certified local minimum "
        f"is global ({tally['global']}), {len(points) - tally['global'] - tally['undecided']} "
        "saddles have exact witnesses (first, second or higher order), "
        f"{tally['undecided']} undecided, no counterexample.",
        details, data={"tally": tally, "counterexamples": counter},
    )
