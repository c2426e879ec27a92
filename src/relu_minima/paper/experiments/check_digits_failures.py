"""The reviewer's question on Section 3.1 for the digits analogues: do failed runs end in genuine
local minima? Their failed runs under a declared squared loss on one-hot targets, classified
exactly (:mod:`.digits_failures`; docs/experiments.md, "Failed digits runs, classified").

Empirical: *evidence for* / *against* / *undecided* by :data:`RULE`, frozen before the judging
runs (seed ``judging_seed("digits-failures/judged")``; the runs seen while the rule was written
used ``judging_seed("digits-failures")``).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ...exact.shallow_relu import ShallowReLU
from ...train.state_dict import from_arrays
from ..registry import ClaimResult, Context, implements, judge_evidence, require_fact
from . import digits_failures as DF
from .figure1 import strict_blind_spot_margin
from .rules import FAILS, judging_seed

RULE = ("for: some failed run (final accuracy <= 0.5) is a strict first-layer blind spot at "
        "step 0 (rigorous bound), training never moved its first layer (bit for bit), and its "
        "snapped point (output bias = the target mean per output) is a certified local minimum: "
        "a genuine local minimum, whatever the number of epochs; against: every classified "
        "failed run is proved not a local minimum (a witness) and none is certified; undecided "
        "otherwise")
RULE_FROZEN_ON = "2026-12-05"
SEED_NAME = "digits-failures/judged"


def _scale(ctx: Context) -> str:
    return "full" if ctx.full else "quick" if ctx.quick else "reduced"


def _blind_spot_facts(run: DF.DigitsRun, failed: DF.FailedRun, X: np.ndarray,
                      recheck: bool) -> None:
    """What the blind-spot class relies on, re-established here; ``recheck``: the snapped
    point's certificate is re-verified (``check()``: the first blind spot, to bound the time)."""
    W0, b0 = run.initial[0][0][failed.index], run.initial[0][1][failed.index]
    margin = strict_blind_spot_margin(X, W0, b0)
    plain = float(np.max(X @ W0.T + b0))
    require_fact(margin >= plain and margin == failed.step0_margin,
                 f"{failed.label}, network {failed.index + 1}: the rigorous bound {margin} lies "
                 f"below the computed largest pre-activation {plain}")
    last = f"b_{run.net.depth}"
    require_fact(set(failed.moved) <= {last},
                 f"{failed.label}, network {failed.index + 1}: a strict first-layer blind spot "
                 f"moved {failed.moved}, but every gradient except the output bias's is 0")
    report = failed.report
    require_fact(report is not None and report.certificate is not None
                 and (not recheck or report.certificate.check()),
                 f"{failed.label}: the snapped point's certificate does not re-check")
    if failed.kind == DF.CERTIFIED_BAD:
        lower = report.lower_point.loss(report.dataset)
        require_fact(lower == report.lower_loss < report.snapped_loss,
                     f"{failed.label}: the lower point's exact loss {lower} is not below the "
                     f"snapped loss {report.snapped_loss}")
    require_fact(failed.run_excess is not None and report.trained_loss > 0,
                 f"{failed.label}: the run's own point was not compared with the minimum")


def _step0(run: DF.DigitsRun, failed: DF.FailedRun, data: Any) -> str:
    """What is proved about the step-0 point itself: with layer 1 strictly dead its output is
    the constant C0 on every image (the output bias, and V relu(b) above a dead layer), so
    L = L_min + N |C0 - ybar|^2 with L_min the certified minimum's loss (the constant-output
    identity sum_i |C - y_i|^2 = N |C - ybar|^2 + sum_i |y_i - ybar|^2); moving the output bias
    from C0 towards ybar lowers it strictly, so the step-0 point is not a local minimum unless
    C0 = ybar, which the blind-spot rule needs."""
    init = [(W[failed.index], b[failed.index]) for W, b in run.initial]
    point = from_arrays([W for W, _ in init], [b for _, b in init])
    C0 = point(data.X[0]) if isinstance(point, ShallowReLU) else point.forward(data.X[0])
    mean = data.mean_of(range(data.n))
    excess = data.n * sum(((c - y) ** 2 for c, y in zip(C0, mean, strict=True)), Fraction(0))
    require_fact(failed.report.snapped_loss + excess == point.loss(data),
                 f"{failed.label}: the step-0 loss is not the constant-output identity's")
    verdict = "not a local minimum" if excess > 0 else "the blind-spot minimum itself"
    return (f"the step-0 point of {failed.label}, network {failed.index + 1}, is a strict "
            f"first-layer blind spot with constant output C0 = the output bias "
            f"({', '.join(f'{float(c):.3g}' for c in C0[:3])}, ...); its exact loss exceeds "
            f"the certified minimum by N |C0 - ybar|^2 = {float(excess):.6g} (checked "
            f"exactly): {verdict} (the output bias moves towards the target mean, and training "
            "moves nothing else)")


def _line(f: DF.FailedRun) -> str:
    text = f"- {f.label}, network {f.index + 1}: accuracy {f.accuracy:.3f}, **{f.kind}**"
    if f.step0_margin is not None and f.step0_margin < 0:
        text += (f"; strict first-layer blind spot at step 0 (largest pre-activation <= "
                 f"{f.step0_margin:.3g}); training moved only {', '.join(f.moved) or 'nothing'}")
    if f.run_gap is not None:
        text += (f"; the run's own point: output bias within {float(f.run_gap):.3g} of the "
                 f"target mean, exact loss above the certified minimum by {float(f.run_excess):.3g}"
                 " (N |c - ybar|^2), so not itself a minimum unless that is 0")
    return text + (f" ({f.detail})" if f.detail else "")


@implements("digits-failures")
def check_digits_failures(ctx: Context) -> ClaimResult:
    """Failed digits-analogue runs (squared loss, one-hot targets), classified exactly."""
    scale = _scale(ctx)
    runs = DF.digits_runs(scale, seed=judging_seed(SEED_NAME), progress=ctx.progress,
                          steps=ctx.steps)
    data, floats = DF.exact_digits()
    failed = [(r, f) for r in runs for f in r.failed]
    blind = [(r, f) for r, f in failed if f.step0_margin is not None and f.step0_margin < 0]
    for n, (r, f) in enumerate(blind):
        _blind_spot_facts(r, f, floats.X, recheck=n == 0)
    step0 = _step0(*blind[0], data) if blind else "no run was dead at step 0"
    counts: dict[str, int] = {}
    for _, f in failed:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    certified = [f for _, f in blind if f.kind in (DF.CERTIFIED_BAD, DF.CERTIFIED)]
    classified = [f for _, f in failed if f.kind in (DF.CERTIFIED_BAD, DF.CERTIFIED,
                                                       DF.NOT_MINIMUM)]
    undecided = [f for _, f in failed if f.kind == DF.UNDECIDED]
    supports = (True if certified else False if classified and all(
        f.kind == DF.NOT_MINIMUM for f in classified) else None)
    bound = DF.LIVE_CLASSIFIED[scale]
    shown = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "none"
    nets, steps = DF.SCALES[scale][0], ctx.steps or DF.SCALES[scale][1]
    text = (f"Analogue (first {DF.POINTS} digits, squared loss on one-hot targets, h = "
            f"{DF.WIDTH}, {nets} network(s) per configuration, {steps} Adam steps): "
            f"{len(failed)} failed run(s) (accuracy <= {FAILS}): {shown}; "
            f"{len(classified)} with an exact class, {len(undecided)} undecided (reasons in the "
            f"details); {len(blind)} strict first-layer blind "
            f"spot(s) at step 0 (training never moved their first layer), {len(certified)} of "
            "them snapped to a certified local minimum at the target mean per output; live "
            "one-hidden-layer failed runs snapped at this scale: "
            f"{'all' if bound is None else bound}, live deep ones: "
            f"{'all' if DF.DEEP_LIVE[scale] else 'none'}.")
    details = "\n".join([
        f"**Analogue, not the paper's experiment** (Figures 1 and 2 under a declared squared "
        f"loss on one-hot targets; data: the first {DF.POINTS} of scikit-learn's 8x8 digits; "
        f"scale: {scale}). Method: relu_minima.paper.experiments.digits_failures.", "",
        "| configuration | network | final training accuracy per network |",
        "| --- | --- | --- |",
        *(f"| {r.label} ({r.figure}) | {r.net} | "
          f"{', '.join(f'{a:.3f}' for a in r.accuracy)} |" for r in runs), "",
        "Failed runs and their classes:", *([_line(f) for _, f in failed] or ["- none"]), "",
        f"Step 0: {step0}.", "",
        f"Rule (frozen {RULE_FROZEN_ON}, before the judging runs; judging seed "
        f"{SEED_NAME} = {judging_seed(SEED_NAME)}): {RULE}."])
    return ClaimResult(judge_evidence(supports), text, details=details,
                       data={"classes": counts, "failed": len(failed), "blind": len(blind),
                             "live_bound": bound})
