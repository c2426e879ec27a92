"""Figure 6 of the paper, recomputed: the Appendix B.1 dataset, the smallest mean mu giving
probability 0.99 that every weight starts positive (Proposition 4) against the width h, and
the corrected Proposition 5 bound against depth with Monte Carlo estimates (99% intervals),
with zero biases as the paper's right panel ("when the initialization is *fully correct*").

Curves are exact bounds evaluated with mpmath; Monte Carlo points are evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from . import bounds, prop5_bounds
from .outlier_data import outlier_dataset
from .prop5_bounds import Law
from .simulation import DeadLayerEstimate, dead_layer_probabilities

__all__ = ["BIAS", "Figure6", "draw_figure6"]

BIAS = Law.point(0)  # the right panel's biases: zero, as the paper draws it


@dataclass(frozen=True)
class Figure6:
    """The PNG written, and the numbers drawn (required mu per scheme/width; MC estimates)."""

    path: Path
    widths: tuple[int, ...]
    required: dict[str, tuple[float, ...]]
    estimates: tuple[DeadLayerEstimate, ...]


def draw_figure6(
    path: Path,
    *,
    quick: bool = False,
    seed: int = 0,
    hidden_layers: int = 100,
    progress: Callable[[str], None] = lambda message: None,
    prop5_widths: Sequence[int] = (2, 3, 4),
) -> Figure6:
    """Draw the figure into ``path`` (PNG). ``quick`` uses few widths and small Monte Carlo."""
    path = Path(path)
    widths = (2, 10, 100, 1000, 10_000) if quick else tuple(
        sorted({round(float(x)) for x in np.geomspace(2, 10_000, 17)}))
    required: dict[str, tuple[float, ...]] = {}
    for scheme in ("lecun", "xavier", "fixed"):
        progress(f"Figure 6: required mu for {scheme}")
        required[scheme] = tuple(
            float(bounds.required_mean("0.99", scheme, 2, w, hidden_layers, digits=5,
                                       dps=25).upper)
            for w in widths)
    rng = np.random.default_rng(seed)
    data = outlier_dataset(8, 2)
    X = data.to_numpy()
    depths = (2, 4, 10, 100) if quick else (2, 3, 4, 6, 10, 16, 25, 40, 64, 100)
    samples = 2_000 if quick else 50_000
    estimates = []
    for w in prop5_widths:  # one simulation per width serves every depth (shared samples)
        progress(f"Figure 6: Monte Carlo h={w}, {', '.join(map(str, depths))} hidden layers")
        estimates.extend(dead_layer_probabilities(X, w, depths, Law.normal(0, 1),
                                                  BIAS, samples, rng))

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    ax = axes[0]
    colours = ["tab:red" if label else "tab:blue" for label in data.y]
    ax.scatter(X[:, 0], X[:, 1], c=colours)
    ax.set_title("Appendix B.1 dataset (mean 0, std 1)")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax = axes[1]
    labels = {"lecun": "LeCun'98 N(mu, 1/h)", "xavier": "Xavier'10 N(mu, 2/(h_in+h_out))",
              "fixed": "fixed std 0.01"}
    for scheme, values in required.items():
        ax.plot(widths, values, marker="o", label=labels[scheme])
    ax.axhline(0.24, color="grey", ls=":", lw=1, label="paper: 0.24")
    ax.axhline(0.07, color="grey", ls="--", lw=1, label="paper: 0.07")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("hidden units h per layer")
    ax.set_ylabel("smallest mu with P(all weights > 0) >= 0.99")
    ax.set_title(f"Proposition 4, 2-h-...-h-1, {hidden_layers} hidden layers")
    ax.legend(fontsize=7)
    ax = axes[2]
    for i, w in enumerate(prop5_widths):
        est = [e for e in estimates if e.width == w]
        ks = np.arange(2, max(depths) + 1)
        curve = [float(prop5_bounds.prop5_value(w, int(kk), Law.normal(0, 1), BIAS)) for kk in ks]
        colour = f"C{i}"
        ax.plot(ks, curve, color=colour, label=f"corrected bound, h={w}")
        ax.errorbar([e.hidden_layers for e in est], [e.interval.estimate for e in est],
                    yerr=[[e.interval.estimate - e.interval.lower for e in est],
                          [e.interval.upper - e.interval.estimate for e in est]],
                    fmt="o", color=colour, ms=3, capsize=2, label=f"Monte Carlo, h={w}")
    ax.set_xlabel("hidden layers k")
    ax.set_ylabel("P(some layer j > 1 dead on the data)")
    ax.set_yscale("log")  # zero Monte Carlo estimates (quick mode) are simply not drawn
    ax.set_ylim(1e-6, 1.5)
    ax.set_xscale("log")
    ax.set_title("Proposition 5, w ~ N(0, 1), zero biases")
    ax.legend(fontsize=7)
    # fixed margins: tight_layout measured every tick label (about a third of the drawing time)
    fig.subplots_adjust(left=0.045, right=0.99, bottom=0.12, top=0.93, wspace=0.24)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Figure6(path, widths, required, tuple(estimates))
