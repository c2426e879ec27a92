"""Table 1 and Figure 3 as pictures and Markdown: the paper's numbers beside each declared
protocol's rates (99% Clopper-Pearson intervals), the classes of the failed runs, the linear
regions around the jellyfish points (Section 3.1.2)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ...train import classify as cl
from .table1 import ACTS, DATASETS, OPTS, PAPER, WIDTHS, Table1Run, rate_rows

__all__ = ["budget_rows", "class_table", "plot_figure3_models", "plot_figure3_regions",
           "plot_table1", "rate_table"]

_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:purple")



def _save(fig: Any, path: Path, dpi: int) -> Path:
    """Lay out, write (creating the directory: a Context's may be new) and close ``fig``."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def plot_table1(runs: Sequence[Table1Run], path: Path) -> Path:
    """One panel per (optimiser, data, activation): the paper's rates (black) and each
    protocol's rates with 99% intervals, against h."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 4, figsize=(16, 7), sharex=True, sharey=True)
    panels = [(d, a) for d in DATASETS for a in ACTS]
    for row, opt in enumerate(OPTS):
        for col, (d, a) in enumerate(panels):
            ax = axes[row, col]
            ax.plot(WIDTHS, np.array(PAPER[(d, a, opt)]) / 100, "ks--", label="paper")
            for i, run in enumerate(runs):
                rows = [r for r in rate_rows(run) if (r["data"], r["activation"],
                                                      r["optimizer"]) == (d, a, opt)]
                x = np.array([r["h"] for r in rows]) + 0.08 * (i + 1)
                y = np.array([r["rate"] for r in rows])
                err = np.array([[r["rate"] - r["lo"] for r in rows],
                                [r["hi"] - r["rate"] for r in rows]])
                ax.errorbar(x, y, yerr=err, fmt="o", color=_COLOURS[i % 4], capsize=2,
                            label=f"{run.protocol} (n={run.inits})")
            ax.set_title(f"{d} {a}, {opt}")
            ax.set_ylim(-0.05, 1.05)
            if row == 1:
                ax.set_xlabel("h (hidden units)")
            if col == 0:
                ax.set_ylabel("zero training error rate")
    axes[0, 0].legend(fontsize=8, loc="lower right")
    fig.suptitle("Table 1: the paper's 'convergence' rates and this library's runs under "
                 "declared protocols (99% Clopper-Pearson intervals)")
    return _save(fig, path, dpi=90)


def rate_table(runs: Sequence[Table1Run]) -> str:
    """Markdown: one row per cell, the paper's rate and each protocol's rate [99% interval]."""
    head = "| data | act. | opt. | h | paper | " + " | ".join(
        f"{r.protocol} (n={r.inits})" for r in runs) + " |"
    lines = [head, "|" + "---|" * (5 + len(runs))]
    all_rows = [rate_rows(r) for r in runs]
    for i, base in enumerate(all_rows[0]):
        cells = []
        for rows in all_rows:
            r = rows[i]
            mark = "" if r["agrees"] else " *"
            cells.append(f"{r['rate']:.0%} [{r['lo']:.0%}, {r['hi']:.0%}]{mark}")
        lines.append(f"| {base['data']} | {base['activation']} | {base['optimizer']} | "
                     f"{base['h']} | {base['paper']:.0%} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n\n(* the paper's number lies outside the 99% interval)"


def budget_rows(run: Table1Run) -> list[tuple[int, float]]:
    """(step, mean rate over all cells) at 1/8, 1/4, 1/2 and all of the step budget."""
    r0 = next(iter(run.results.values()))
    steps = list(r0.trace_steps)
    out = []
    for frac in (1 / 8, 1 / 4, 1 / 2, 1):
        target = round(steps[-1] * frac)
        idx = int(np.argmin([abs(s - target) for s in steps]))
        rates = [float(np.mean(r.success_at(idx))) for r in run.results.values()]
        out.append((int(steps[idx]), float(np.mean(rates))))
    return out


def class_table(run: Table1Run) -> str:
    """Markdown: the classes of the failed runs per cell (counts)."""
    used = [c for c in cl.CLASSES if any(run.class_counts(k)[c] for k in run.results)]
    lines = ["| data | act. | opt. | h | failed | " + " | ".join(used) + " |",
             "|" + "---|" * (5 + len(used))]
    for key in run.results:
        counts = run.class_counts(key)
        failed = sum(counts.values())
        lines.append(f"| {key[0]} | {key[1]} | {key[2]} | {key[3]} | {failed} | "
                     + " | ".join(str(counts[c]) for c in used) + " |")
    return "\n".join(lines)


def plot_figure3_regions(runs: Sequence[Table1Run], path: Path) -> Path:
    """Histogram: linear regions containing the four jellyfish points, failed vs successful
    ReLU runs (all h, both optimisers), one panel per protocol."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(runs), figsize=(5 * len(runs), 3.6), squeeze=False)
    for ax, run in zip(axes[0], runs, strict=True):
        for i, what in enumerate(("failed", "succeeded")):
            counts = [c for reg in run.regions.values() for c in reg[what]]
            hist = [counts.count(k) / max(len(counts), 1) for k in range(1, 5)]
            ax.bar(np.arange(1, 5) + (i - 0.5) * 0.38, hist, width=0.38,
                   label=f"{what} (n={len(counts)})")
        ax.set_xticks(range(1, 5))
        ax.set_xlabel("linear regions containing the 4 jellyfish points")
        ax.set_ylabel("share of runs")
        ax.set_title(f"protocol {run.protocol}")
        ax.legend(fontsize=8)
    return _save(fig, path, dpi=90)


def plot_figure3_models(run: Table1Run, path: Path, per_kind: int = 3) -> Path:
    """Pictures of a few trained 2-h-1 ReLU models on the jellyfish data: the output over
    the square, the kink lines of the units, the data (+ positive, o negative); failed runs
    drawn at their snapped exact point where there is one."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    picks: list[tuple[str, Any]] = []
    for what in ("failed", "succeeded"):
        for key, r in run.results.items():
            if key[0] != "jellyfish" or key[1] != "relu":
                continue
            classes = dict(run.classes.get(key, []))
            for k in np.flatnonzero(r.success if what == "succeeded" else ~r.success):
                (W, b), (V, c) = r.network(int(k))
                if not np.all(np.isfinite(W)):
                    continue
                rc = classes.get(int(k))
                point = rc.point if rc is not None and rc.point is not None else None
                net = point if point is not None else cl.exact_params(W, b, V[0], c[0])
                label = rc.kind if rc is not None else "zero training error"
                picks.append((f"{what}: {key[2]}, h={key[3]}\n{label}", net))
                break
            if sum(p[0].startswith(what) for p in picks) >= per_kind:
                break
    fig, axes = plt.subplots(2, per_kind, figsize=(4 * per_kind, 7.5), squeeze=False)
    X = np.array([[float(t) for t in row] for row in DATASETS["jellyfish"].exact])
    lab = DATASETS["jellyfish"].labels
    g = np.linspace(-0.2, 1.2, 141)
    gx, gy = np.meshgrid(g, g)
    for ax in axes.ravel():
        ax.axis("off")
    for i, (title, net) in enumerate(picks):
        ax = axes[0 if title.startswith("failed") else 1, i % per_kind]
        ax.axis("on")
        Wf = np.array([[float(t) for t in row] for row in net.W])
        bf = np.array([float(t) for t in net.b])
        vf = np.array([float(t) for t in net.v])
        z = gx[..., None] * Wf[:, 0] + gy[..., None] * Wf[:, 1] + bf
        f = np.maximum(z, 0) @ vf + float(net.c)
        im = ax.contourf(gx, gy, f, levels=20, cmap="coolwarm")
        ax.contour(gx, gy, f, levels=[0.5], colors="k", linewidths=1.5)
        for j in range(len(bf)):
            if vf[j] != 0:
                ax.contour(gx, gy, z[..., j], levels=[0], colors="w", linewidths=0.8,
                           linestyles="dashed")
        ax.scatter(*X[lab == 1].T, marker="+", s=120, c="k")
        ax.scatter(*X[lab == 0].T, marker="o", s=60, facecolors="none", edgecolors="k")
        regions, _ = cl.regions(net, DATASETS["jellyfish"].exact)
        ax.set_title(f"{title}; {regions} region(s) hold the data", fontsize=8)
        fig.colorbar(im, ax=ax, fraction=0.046)
    fig.suptitle(f"Figure 3 redrawn: jellyfish, 2-h-1 ReLU, protocol {run.protocol} (white "
                 "dashed: unit kinks; black: the 0.5 level)")
    return _save(fig, path, dpi=80)
