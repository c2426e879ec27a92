"""Figure 4 of the paper redrawn (Section 3.1.3): the datasets D1-D3 of Propositions 1-3 with
the fitted functions of the local minima (:mod:`.examples`), the losses computed exactly. The
picture is evidence for the eye; the verdicts are the certificates of :mod:`.check_figure4`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from ...exact.datasets import Dataset
from ...exact.shallow_relu import ShallowReLU
from ...numeric import backend
from ...numeric.landscape import save_png  # sets matplotlib's Agg backend first
from . import examples as ex

__all__ = ["FIGURE4_PANELS", "Figure4", "Figure4Panel", "plot_figure4"]


@dataclass(frozen=True)
class Figure4Panel:
    """One panel: a dataset and its two local minima with the losses the paper implies."""

    label: str
    dataset: Dataset
    better: ShallowReLU  # drawn blue
    worse: ShallowReLU  # drawn red
    better_loss: Fraction  # the stated / expected exact loss
    worse_loss: Fraction
    note: str = ""


def _panels() -> tuple[Figure4Panel, ...]:
    F = Fraction
    return (
        Figure4Panel("(a) D1, m = 1 (Proposition 1)", ex.D1, ex.PROP1_COMPARISON,
                     ex.PROP1_POINT, F(14), F(18),
                     "red: Proposition 1's point (loss 18, Remark 1)"),
        Figure4Panel("(b) D2, m = 2 (Proposition 2, corrected)", ex.D2,
                     ex.PROP2_GLOBAL_CORRECTED, ex.PROP2_LOCAL_CORRECTED, F(0), F(8, 3),
                     "printed w = (-5, -1) and (-3, -1) are a sign typo; drawn w_2 = +1"),
        Figure4Panel("(c) D3, m = 3 (Proposition 3)", ex.D3, ex.PROP3_BETTER, ex.PROP3_WORSE,
                     F(1, 6), F(2, 3)),
    )


FIGURE4_PANELS = _panels()


@dataclass(frozen=True, eq=False)
class Figure4:
    """The redrawn figure and the exact losses of the drawn functions."""

    path: Path
    panels: tuple[Figure4Panel, ...]
    losses: tuple[tuple[Fraction, Fraction], ...]  # (better, worse), computed exactly

    @property
    def matches(self) -> bool:
        """True iff every drawn function's exact loss equals the expected value."""
        return all((p.better_loss, p.worse_loss) == got
                   for p, got in zip(self.panels, self.losses, strict=True))


def plot_figure4(path: Any, panels: tuple[Figure4Panel, ...] = FIGURE4_PANELS) -> Figure4:
    """Figure 4 redrawn: data (black), better minimum (blue), worse minimum (red)."""
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 4.0))
    axes = np.atleast_1d(axes)
    got = []
    for ax, p in zip(axes, panels, strict=True):
        xs = [float(x[0]) for x in p.dataset.X]
        grid = np.linspace(min(xs) - 1.5, max(xs) + 1.5, 400)
        losses = (p.better.loss(p.dataset), p.worse.loss(p.dataset))
        got.append(losses)
        for net, colour, value in ((p.better, "tab:blue", losses[0]),
                                   (p.worse, "tab:red", losses[1])):
            th = backend.to_vector(net)
            m = net.m
            W, b, v, c = th[:m], th[m:2 * m], th[2 * m:3 * m], th[-1]
            f = c + np.maximum(grid[:, None] * W + b, 0.0) @ v
            ax.plot(grid, f, color=colour, lw=1.8, label=f"loss {value} (exact)")
        ax.scatter(xs, [float(t) for t in p.dataset.y], color="black", zorder=3, s=22)
        ax.set_title(p.label, fontsize=10)
        ax.set_xlabel("x" + (f"\n{p.note}" if p.note else ""), fontsize=9)
        ax.legend(fontsize=8, loc="best")
    fig.suptitle("Figure 4 redrawn: local minima of ReLU regression "
                 "(blue better than red; D2 drawn with the corrected w_2 = +1)", fontsize=10)
    fig.tight_layout()
    return Figure4(save_png(fig, path), panels, tuple(got))
