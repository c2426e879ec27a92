"""Figures 1 and 5 (Section 3.1.1, Section 3.1.3, Appendix A): the experiments, run as
labelled analogues (:mod:`relu_minima.paper.experiments.analogues`). Figure 2 and the
reviewer's points on it are in :mod:`.check_review`.

Empirical claims: the status is *evidence for* / *evidence against* / *undecided*
(``judge_evidence``), never verified, by the rules frozen in :mod:`.rules` (``RULES``, frozen
on ``FROZEN_ON``) and judged on the judging seeds (:func:`.rules.judging_seed`), which no run
that shaped a rule used. Each report cites its rule.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ..registry import ClaimResult, Context, implements, judge_evidence, require_fact
from . import analogues as A
from .analogue_plots import plot_figure1, plot_figure5
from .figure1 import strict_blind_spot_margin
from .rules import FAILS, FROZEN_ON, LOSS_STILL, RULES, SUCCEEDS, SUSCEPTIBLE, judging_seed

_CACHE: dict[tuple[Any, ...], Any] = {}


def _scale(ctx: Context) -> A.Scale:
    scale = A.SCALES["full" if ctx.full else "quick" if ctx.quick else "reduced"]
    if ctx.steps is None:
        return scale
    return dataclasses.replace(scale, name=f"{scale.name}, {ctx.steps} steps per network",
                               steps_digits=ctx.steps, steps_zigzag=ctx.steps)


def _cached(name: str, ctx: Context, make: Any, *data: Any) -> Any:
    """The runs of one figure, made once per process for the same scale and the same data
    (``data``: the training sets the runs are made from, fingerprinted by their bytes)."""
    prints = tuple(hash((d.X.tobytes(), d.labels.tobytes())) for d in data)
    key = (name, ctx.full, ctx.quick, ctx.steps, str(ctx.mnist), prints)
    if key not in _CACHE:
        ctx.progress(f"{name} analogue: training ({_scale(ctx).name} scale) ...")
        _CACHE[key] = make()
    return _CACHE[key]


def _data(ctx: Context, labels: str = "real") -> Any:
    return A.digits(labels, mnist=ctx.mnist)


def _table(runs: list[A.AnalogueRun], value: str) -> str:
    rows = ["| configuration | network | protocol | " + value + " per network |",
            "| --- | --- | --- | --- |"]
    for r in runs:
        vals = r.accuracy if r.accuracy is not None else r.result.final_loss
        rows.append(f"| {r.label} | {r.net} | {r.protocol} | "
                    f"{', '.join(f'{t:.4g}' for t in vals)} |")
    return "\n".join(rows)


def _traces(runs: list[A.AnalogueRun]) -> str:
    """Loss and weight norm along each failed network's run (the networks are too large to
    snap): a run that stalls at a finite point shows a flat loss and a bounded norm."""
    lines = []
    for r in runs:
        failed = (np.flatnonzero(r.accuracy < SUCCEEDS) if r.accuracy is not None
                  else np.flatnonzero(~r.result.success))
        for i in failed[:2]:
            pick = np.unique(np.linspace(0, len(r.result.trace_steps) - 1, 5).astype(int))
            pts = ", ".join(f"step {r.result.trace_steps[k]}: loss {r.result.trace_loss[k, i]:.3g}"
                            f" norm {r.result.trace_norm[k, i]:.3g}" for k in pick)
            lines.append(f"- {r.label}, network {i + 1}: {pts}")
    return ("\n\nFailed networks along their runs (loss, Euclidean norm of all parameters):\n"
            + "\n".join(lines)) if lines else ""


def _header(ctx: Context, what: str) -> str:
    src = f"MNIST from {ctx.mnist}" if ctx.mnist else "scikit-learn's 8x8 digits"
    return (f"**Analogue, not the paper's experiment** ({what}; data: {src}; scale: "
            f"{_scale(ctx).name}). Rules: docs/experiments_analogues.md.")


def rule_note(key: str, seed_names: tuple[str, ...]) -> str:
    """The frozen rule of claim ``key`` and the judging seeds of its runs, for the report."""
    seeds = ", ".join(f"{n} = {judging_seed(n)}" for n in seed_names)
    return (f"Rule (frozen {FROZEN_ON}, before any run under the judging seeds; "
            f"docs/experiments.md): {RULES[key]}. Judging seeds: {seeds}.")


def _rules_hold() -> None:
    """The decision rules' thresholds are consistent (a run cannot both succeed and fail)."""
    require_fact(0 < FAILS < SUCCEEDS <= 1, f"decision thresholds FAILS={FAILS} and "
                 f"SUCCEEDS={SUCCEEDS} must satisfy 0 < FAILS < SUCCEEDS <= 1")


def _all(a: np.ndarray, test: Any) -> bool:
    return bool(np.all(test(a)))


def _figure1(ctx: Context) -> tuple[Any, Any, list[A.AnalogueRun]]:
    real, shuffled = _data(ctx), _data(ctx, "permuted")
    runs = _cached("Figure 1", ctx, lambda: A.figure1_runs(_scale(ctx), real, shuffled), real,
                   shuffled)
    return real, shuffled, runs


@implements("fig1")
def check_fig1(ctx: Context) -> ClaimResult:
    """Figure 1 analogue: shifted-mean laws on non-negative images, depths 1 and 4."""
    scale = _scale(ctx)
    _rules_hold()
    _, _, runs = _figure1(ctx)
    main = [r for r in runs if r.figure == "fig1"]
    require_fact(len(main) == 6, "Figure 1 analogue: six configurations expected")
    by_law: dict[str, list[np.ndarray]] = {}
    for r in main:
        by_law.setdefault(r.label.rsplit(", ", 1)[0], []).append(r.accuracy)
    centred = np.concatenate(by_law.pop("N(0, 0.1^2)"))
    failing = [law for law, accs in by_law.items()
               if all(_all(a, lambda t: t <= FAILS) for a in accs)]
    all_succeed = _all(centred, lambda t: t >= SUCCEEDS) and all(
        _all(a, lambda t: t >= SUCCEEDS) for accs in by_law.values() for a in accs)
    supports = (True if failing and _all(centred, lambda t: t >= SUCCEEDS)
                else False if all_succeed else None)
    text = (f"under {', '.join(failing)} every network of both depths ends at accuracy <= "
            f"{FAILS} while the centred law's reach >= {SUCCEEDS}" if supports else
            "every law trains" if supports is False else
            "the runs fall between the decision thresholds at this scale")
    png = plot_figure1(runs, ctx.output_dir / "figure1_analogue.png")
    return ClaimResult(
        judge_evidence(supports), f"Analogue ({scale.name} scale, digits): {text}.",
        figures=(png.name,),
        details=_header(ctx, "Figure 1") + "\n\n" + _table(main, "final training accuracy")
        + _traces(main) + "\n\n" + rule_note("fig1", ("fig1",)),
        data={"runs": [r.summary() for r in main], "failing_laws": failing})


def _susceptibility(shifted: np.ndarray, centred: np.ndarray, chance: float) -> float:
    """The share of the learnable accuracy (above ``chance``) that a shifted law loses."""
    lost = 1 - (float(np.mean(shifted)) - chance) / (float(np.mean(centred)) - chance)
    return min(1.0, max(0.0, lost))


@implements("fig1-permuted")
def check_fig1_permuted(ctx: Context) -> ClaimResult:
    """Figure 1, bottom row: real and permuted labels under the centred and shifted laws."""
    scale = _scale(ctx)
    real, shuffled, runs = _figure1(ctx)
    require_fact(np.array_equal(np.sort(real.labels), np.sort(shuffled.labels))
                 and not np.array_equal(real.labels, shuffled.labels),
                 "the permuted labels are not a non-trivial permutation of the real ones")
    chance = float(np.max(np.bincount(real.labels)) / len(real.labels))

    def acc(label: str) -> np.ndarray:
        return next(r.accuracy for r in runs if r.label == label)

    rows, diffs, informative, learnable = [], {}, [], True
    base = {"real": acc("N(0, 0.1^2), 1 hidden layer(s)"),
            "permuted": acc("permuted labels, N(0, 0.1^2), 1 hidden layer(s)")}
    learnable = all(float(np.mean(a)) - chance > 0.05 for a in base.values())
    for mu in A.FIG1_MEANS[1:]:
        s = {"real": _susceptibility(acc(f"N({mu:g}, 0.1^2), 1 hidden layer(s)"),
                                     base["real"], chance),
             "permuted": _susceptibility(acc(f"permuted labels, N({mu:g}, 0.1^2), 1 hidden "
                                             "layer(s)"), base["permuted"], chance)}
        diffs[mu] = s["permuted"] - s["real"]
        if s["real"] < 0.5:
            informative.append(mu)
        rows.append(f"| N({mu:g}, 0.1^2) | {s['real']:.3f} | {s['permuted']:.3f} | "
                    f"{diffs[mu]:+.3f} |")
    more = [mu for mu, d in diffs.items() if d >= SUSCEPTIBLE]
    supports = (None if not learnable else True if more else
                False if informative and all(diffs[mu] < 0.05 for mu in informative) else None)
    perm = [r for r in runs if r.figure == "fig1-permuted"]
    h = perm[0].net.widths[1]
    text = (f"under {', '.join(f'N({mu:g}, 0.1^2)' for mu in more)} the permuted labels "
            f"lose {max(diffs[mu] for mu in more):.2f} more of their learnable accuracy than "
            "the real ones" if supports else
            "no shifted law costs the permuted labels more than the real ones"
            if supports is False else
            "the runs do not decide it at this scale (see the details)")
    return ClaimResult(
        judge_evidence(supports),
        f"Analogue ({scale.name} scale, h = {h}, one hidden layer): {text} (the paper's '400 "
        "units' is about MNIST at 10^6 updates and is not tested here).",
        details=_header(ctx, "Figure 1, permuted labels") + "\n\n"
        + _table([r for r in runs if "1 hidden" in r.label], "final training accuracy")
        + f"\n\nShare s of the learnable accuracy (above the majority-class rate {chance:.4f}) "
        "that a shifted law loses against the centred law, per label set (the real-label runs "
        "are Figure 1's one-hidden-layer runs, from the same initialisations):\n\n"
        "| law | s(real) | s(permuted) | s(permuted) - s(real) |\n| --- | --- | --- | --- |\n"
        + "\n".join(rows) + "\n\n" + rule_note("fig1-permuted", ("fig1",)),
        data={"runs": [r.summary() for r in perm], "chance": chance,
              "susceptibility_difference": {str(k): v for k, v in diffs.items()}})


def _blind_spot_runs(runs: list[A.AnalogueRun], X: np.ndarray) -> tuple[list[str], list[str]]:
    """Failed networks of the shifted laws whose first layer is strictly inactive on every
    image (rigorous bound), and the other failed ones, as report lines."""
    stuck, other = [], []
    for r in runs:
        if r.figure != "fig1" or r.label.startswith("N(0,"):
            continue
        for i in np.flatnonzero(r.accuracy <= FAILS):
            W, b = r.result.network(int(i))[0]
            margin = strict_blind_spot_margin(X, W, b)
            plain = float(np.max(X @ W.T + b))
            require_fact(margin >= plain, f"the rigorous bound {margin} lies below the "
                         f"computed largest pre-activation {plain}")
            last = r.result.trace_loss[:, i]
            line = (f"{r.label}, network {i + 1}: accuracy {r.accuracy[i]:.4f}, final loss "
                    f"{last[-1]:.6g}, largest first-layer pre-activation <= {margin:.3g}")
            (stuck if margin < 0 else other).append(line)
    return stuck, other


@implements("fig1-stuck")
def check_fig1_stuck(ctx: Context) -> ClaimResult:
    """'bad initialization can lead to training getting stuck in a local minimum': the failed
    Figure 1 analogue networks, classified where a rigorous bound decides."""
    scale = _scale(ctx)
    real, _, runs = _figure1(ctx)
    stuck, other = _blind_spot_runs(runs, real.X)
    counts = np.bincount(real.labels) / len(real.labels)
    floor = float(-np.sum(counts * np.log(counts)))  # least loss of a constant output
    supports = True if stuck else None
    head = (f"{len(stuck)} failed network(s) of a shifted law end in a strict first-layer blind "
            "spot (rigorous bound): their first layer can never move again and their loss "
            f"never falls below {floor:.5f}, the loss of the blind-spot local minima"
            if stuck else "no failed network is classified")
    return ClaimResult(
        judge_evidence(supports),
        f"Analogue ({scale.name} scale, digits): {head}; {len(other)} other failed "
        "network(s) not classified (minimum or saddle: issue 31).",
        details="\n".join([
            _header(ctx, "Figure 1, failed runs"), "",
            "**Why a strict first-layer blind spot is stuck in a local minimum.** If every "
            "first-layer pre-activation is < 0 on every training image, the first layer's "
            "gradient is exactly 0 (ReLU'(z) = 0 for z < 0), so no gradient-based step (Adam "
            "included) ever changes it, and the network's output is one constant vector C on "
            "the data: the loss is the cross-entropy of the constant prediction softmax(C), at "
            "least its minimum over C, the entropy of the labels (attained at softmax(C) = the "
            "class frequencies). The set of such points is open, so each point of it at the "
            "optimal C is a local minimum (the Theorem 1 (i) erratum, for the cross-entropy); "
            "training can only move C towards that valley. The pre-activations are bounded "
            "above rigorously from the trained floats (float64 result plus the worst-case "
            "rounding of a dot product, relu_minima.paper.experiments.figure1."
            "strict_blind_spot_margin).", "",
            "Failed networks in a strict blind spot:", *(f"- {t}" for t in stuck or ["none"]),
            "", "Other failed networks (not classified here):",
            *(f"- {t}" for t in other or ["none"]), "",
            f"Least loss of a constant output (the label entropy): {floor:.6f}.", "",
            rule_note("fig1-stuck", ("fig1",)),
        ]),
        data={"stuck": stuck, "other": other, "constant_model_loss": floor})


def _stopped(r: A.AnalogueRun) -> bool:
    """The fig5 stopping rule: every run's loss changes by less than 1% (relative) over the
    second half of its recorded checkpoints."""
    loss = np.asarray(r.result.trace_loss, dtype=float)
    a, b = loss[max(len(loss) // 2 - 1, 0)], loss[-1]
    return bool(np.all(np.abs(b - a) < LOSS_STILL * np.abs(a)))


def _curve_loss(r: A.AnalogueRun) -> str:
    loss = np.asarray(r.result.trace_loss, dtype=float)
    half = max(len(loss) // 2 - 1, 0)
    return (f"best {np.nanmin(loss[half]):.3g} at step {int(r.result.trace_steps[half]):,}, "
            f"{np.nanmin(loss[-1]):.3g} at {int(r.result.trace_steps[-1]):,}")


@implements("fig5")
def check_fig5(ctx: Context) -> ClaimResult:
    """Figure 5 analogue on the Zig-Zag stand-in; failed runs snapped and classified."""
    scale = _scale(ctx)
    stand_in = A.zigzag()
    lower = A.zigzag_interpolant(stand_in, stand_in.n - 1)
    require_fact(lower is not None and lower.loss(stand_in) == 0,
                 "the exact zero-loss interpolant of the Zig-Zag stand-in (the lower point that "
                 "proves failed runs bad) does not have loss 0")
    runs = _cached("Figure 5", ctx, lambda: A.figure5_runs(scale, ctx.progress))
    one = np.concatenate([r.result.final_loss for r in runs if r.label.startswith("tau = 1,")])
    small = np.concatenate([r.result.final_loss for r in runs
                            if r.label.startswith(f"tau = {A.FIG5_TAUS[-1]},")])
    all_fail = _all(small, lambda t: ~(t <= A.FIG5_TOL))
    moving = [f"{r.label}: loss {_curve_loss(r)}" for r in runs
              if r.label.startswith(f"tau = {A.FIG5_TAUS[-1]},") and not _stopped(r)]
    supports = (None if moving else
                True if all_fail and np.nanmin(one) * 10 <= np.nanmin(small) else
                False if not all_fail else None)
    classes: dict[str, int] = {}
    for r in runs:
        for c in r.classes:
            classes[c.kind] = classes.get(c.kind, 0) + 1
    counts = ", ".join(f"{k}: {v}" for k, v in sorted(classes.items())) or "none classified"
    failed = sum(int((~r.result.success).sum()) for r in runs)
    require_fact(sum(classes.values()) == failed, f"every failed Zig-Zag run is classified "
                 f"({sum(classes.values())} classes for {failed} failed runs)")
    png = plot_figure5(runs, ctx.output_dir / "figure5_analogue.png", stand_in)
    stop = ("; the smallest tau's runs still move at the cap (stopping rule: no evidence): "
            + "; ".join(moving)) if moving else ("; the smallest tau's runs have levelled off at "
                                                 "the cap (loss within 1% over the second half)")
    return ClaimResult(
        judge_evidence(supports),
        f"Analogue (Zig-Zag stand-in, {scale.name} scale): best final MSE {np.nanmin(one):.3g} "
        f"at tau = 1, {np.nanmin(small):.3g} at tau = {A.FIG5_TAUS[-1]}; failed runs "
        f"classified ({failed}, every one): {counts}{stop}.",
        figures=(png.name,),
        details="**Analogue on a stand-in** (the paper's Zig-Zag data are not in the reference "
        f"text; stand-in: docs/experiments_analogues.md; scale: {scale.name}).\n\n"
        + _table(runs, "final mean squared error") + "\n\nFailed runs snapped and classified:\n"
        + "\n".join(f"- {r.label}: {c.kind} ({c.detail})" for r in runs for c in r.classes)
        + "\n\n" + rule_note("fig5", ("fig5",)),
        data={"runs": [r.summary() for r in runs], "classes": {k: str(v) for k, v in
                                                                classes.items()}})
