"""Plots of the Figure 1, 2 and 5 analogues drawn as the paper draws them (Section 3.1.1,
3.1.3): one column per setting (initialisation law, scaling factor tau), the hidden units per
layer on the x-axis, one marker per trained network (final training accuracy, or for Figure 5
the final training MSE on a log axis); Figure 1 colours the depths as the paper does (red: one
hidden layer, blue: four) and puts the permuted labels in the bottom row. check-paper writes
them beside the report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .table1_report import _save

__all__ = ["plot_figure1", "plot_figure2", "plot_figure5"]


def _axes(rows: int, cols: int, share: bool = True) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.8 * rows), squeeze=False,
                             sharey="row" if share else False)
    return fig, axes


def _jitter(n: int) -> np.ndarray:
    return np.linspace(-0.08, 0.08, n) if n > 1 else np.zeros(1)


def _width(run: Any) -> int:
    return int(run.net.widths[1])


def plot_figure1(runs: Sequence[Any], path: Path) -> Path:
    """Figure 1: columns = the weight laws, top row real labels (both depths), bottom row
    permuted labels; final training accuracy per network against the hidden units."""
    laws = list(dict.fromkeys(r.label.rsplit(", ", 1)[0] for r in runs if r.figure == "fig1"))
    fig, axes = _axes(2, len(laws))
    for r in runs:
        law = r.label.replace("permuted labels, ", "").rsplit(", ", 1)[0]
        row = 1 if r.figure == "fig1-permuted" else 0
        ax = axes[row][laws.index(law)]
        depth = r.net.depth - 1
        x = np.log2(_width(r)) + _jitter(len(r.accuracy)) + (0.2 if depth > 1 else 0)
        ax.scatter(x, r.accuracy, marker="^", color="tab:blue" if depth > 1 else "tab:red",
                   label=f"{depth} hidden layer(s)")
        ax.set_title(f"w ~ {law}, b = 0" + (" (permuted)" if row else ""), fontsize=9)
        ax.set_xticks(sorted({np.log2(_width(q)) for q in runs}))
        ax.set_ylim(-0.02, 1.02)
    for ax in axes[-1]:
        ax.set_xlabel("log2 hidden units per layer")
    for row in axes:
        row[0].set_ylabel("final training accuracy")
        handles, labels = row[0].get_legend_handles_labels()
        if handles:
            row[0].legend(dict(zip(labels, handles, strict=True)).values(),
                          dict(zip(labels, handles, strict=True)).keys(), fontsize=7)
    return _save(fig, path, 110)


def plot_figure2(runs: Sequence[Any], path: Path) -> Path:
    """Figure 2: one column per tau (the main runs), then the reviewer's remedies; final
    training accuracy per network against the hidden units."""
    fig, axes = _axes(1, len(runs))
    for ax, r in zip(axes[0], runs, strict=True):
        ax.scatter(np.log2(_width(r)) + _jitter(len(r.accuracy)), r.accuracy, marker="^",
                   color="tab:red")
        ax.set_title(r.label, fontsize=9)
        ax.set_xticks([np.log2(_width(r))])
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("log2 hidden units")
    axes[0][0].set_ylabel("final training accuracy")
    return _save(fig, path, 110)


def plot_figure5(runs: Sequence[Any], path: Path, data: Any = None) -> Path:
    """Figure 5: one column per tau (rows: the two bias laws), final training MSE per network
    (log axis) against the hidden units; with ``data`` (the tau = 1 stand-in), a last panel
    draws the data (diamonds)."""
    taus = list(dict.fromkeys(r.label.split(", ")[0] for r in runs))
    laws = list(dict.fromkeys(r.label.split(", ", 2)[2] for r in runs))
    fig, axes = _axes(len(laws), len(taus) + (data is not None), share=False)
    every = np.concatenate([np.asarray(r.result.final_loss, dtype=float) for r in runs])
    every = np.maximum(every[np.isfinite(every)], 1e-12)
    lims = (every.min() / 2, every.max() * 2) if every.size else (1e-12, 1.0)
    for r in runs:
        tau, _, law = r.label.split(", ", 2)
        ax = axes[laws.index(law)][taus.index(tau)]
        loss = np.maximum(np.asarray(r.result.final_loss, dtype=float), 1e-12)
        ax.scatter(np.log2(_width(r)) + _jitter(len(loss)), loss, marker="^", color="tab:red")
        ax.set_yscale("log")
        ax.set_ylim(*lims)  # one scale for every setting, as the paper's panels
        ax.set_xticks(sorted({np.log2(_width(q)) for q in runs}))
        ax.set_title(f"{tau}, {law}", fontsize=8)
        ax.set_xlabel("log2 hidden units")
    for row in axes:
        row[0].set_ylabel("final training MSE")
    if data is not None:
        ax = axes[0][-1]
        ax.plot([float(x[0]) for x in data.X], [float(t) for t in data.y], "D-", color="k")
        ax.set_title("the Zig-Zag stand-in (tau = 1)", fontsize=8)
        for row in axes[1:]:
            row[-1].axis("off")
    return _save(fig, path, 110)
