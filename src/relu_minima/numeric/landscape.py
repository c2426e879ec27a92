"""Pictures of the loss landscape (matplotlib, Agg, PNG): evidence for the eye, not proofs.

* :func:`plot_linear_path`: the loss along the segment between two parameter points, extended
  a little beyond both ends (the linear-path test of Goodfellow et al., 2015);
* :func:`plot_slice`: the loss on a 2-D plane through a point, spanned by two directions;
* :func:`plot_hessian_spectrum`: the eigenvalues of the numeric Hessian at a point (for ReLU
  networks the Hessian of the current linear piece, see :mod:`relu_minima.numeric`).

Figure 4 of the paper is drawn by :mod:`relu_minima.paper.regression.figure4` with
:func:`save_png`.

Each returns a frozen dataclass with the numbers that were drawn, the matplotlib ``figure``
(to show in a notebook, restyle or save in any format) and the ``path`` of the PNG written, or
None: with ``path=None`` (the default) nothing is written. The figures are made without pyplot,
so none is left open however many are drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..errors import ShapeError
from ..exact.datasets import Dataset
from . import backend

__all__ = [
    "HessianSpectrum",
    "LinearPath",
    "Slice2D",
    "plot_hessian_spectrum",
    "plot_linear_path",
    "plot_slice",
]


@dataclass(frozen=True, eq=False)
class LinearPath:
    """Loss (float, evidence) at theta(alpha) = (1 - alpha) theta_a + alpha theta_b."""

    path: Path | None  # the PNG written, or None (path=None: nothing written)
    alphas: np.ndarray
    losses: np.ndarray
    figure: Figure


@dataclass(frozen=True, eq=False)
class Slice2D:
    """Loss on theta + s d1 + t d2 for s, t in [-span, span] (float, evidence)."""

    path: Path | None  # the PNG written, or None (path=None: nothing written)
    s: np.ndarray
    t: np.ndarray
    losses: np.ndarray  # shape (len(t), len(s))
    figure: Figure


@dataclass(frozen=True, eq=False)
class HessianSpectrum:
    """Eigenvalues (ascending) of the numeric Hessian at a point."""

    path: Path | None  # the PNG written, or None (path=None: nothing written)
    eigenvalues: np.ndarray
    figure: Figure


def save_png(fig: Any, path: Any) -> Path:
    """Write ``fig`` to the PNG file ``path`` (its folder made if missing) and close it."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def _figure(width: float, height: float) -> tuple[Figure, Any]:
    """A figure and its axes outside pyplot: returned to the caller, never left open in it."""
    fig = Figure(figsize=(width, height))
    return fig, fig.add_subplot()


def _written(fig: Figure, path: Any) -> Path | None:
    """The PNG at ``path`` (None: nothing written); the figure stays usable either way."""
    if path is None:
        return None
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    return out


def _direction(value: Any, arch: backend.Architecture, name: str) -> np.ndarray:
    if isinstance(value, np.ndarray) or isinstance(value, (list, tuple)):
        vec = np.asarray(value, dtype=np.float64)
    else:
        vec = backend.to_vector(value)
    if vec.shape != (arch.n_params,):
        raise ShapeError(f"{name} has shape {vec.shape} but ({arch.n_params},) is needed.")
    return vec


def plot_linear_path(params_a: Any, params_b: Any, dataset: Dataset | tuple[Any, Any],
                     path: Any = None, *, n: int = 201, extend: float = 0.25,
                     loss: str = "squared") -> LinearPath:
    """Loss along the segment from ``params_a`` (alpha = 0) to ``params_b`` (alpha = 1),
    extended by ``extend`` beyond both ends, at ``n`` points (both ends exactly among them);
    the PNG is written to ``path`` when one is given."""
    arch = backend.architecture(params_a)
    if backend.architecture(params_b) != arch:
        raise ShapeError("params_a and params_b must have the same architecture.")
    a, b = backend.to_vector(params_a), backend.to_vector(params_b)
    alphas = np.union1d(np.linspace(-extend, 1 + extend, n), [0.0, 1.0])  # both ends exactly
    vals = backend.losses(arch, (1 - alphas)[:, None] * a + alphas[:, None] * b, dataset,
                          loss=loss)
    fig, ax = _figure(6, 3.6)
    ax.plot(alphas, vals, color="tab:blue")
    ax.axvline(0, color="grey", lw=0.6)
    ax.axvline(1, color="grey", lw=0.6)
    ax.set_xlabel("alpha  (0 = first point, 1 = second point)")
    ax.set_ylabel(f"{loss} loss (float)")
    ax.set_title("Loss along the linear path (numeric evidence)")
    fig.tight_layout()
    return LinearPath(_written(fig, path), alphas, vals, fig)


def plot_slice(params: Any, dataset: Dataset | tuple[Any, Any], path: Any = None,
               direction1: Any = None, direction2: Any = None, *, span: float = 1.0,
               n: int = 61, seed: int = 0, loss: str = "squared") -> Slice2D:
    """Loss on the plane theta + s d1 + t d2, s and t in [-span, span] on an n x n grid.

    The directions are parameter points or flat vectors (layout in :mod:`.backend`); by
    default random, of max-norm 1 (``seed``). The PNG is written to ``path`` when given."""
    arch = backend.architecture(params)
    theta = backend.to_vector(params)
    rng = np.random.default_rng(seed)
    dirs = []
    for name, value in (("direction1", direction1), ("direction2", direction2)):
        if value is None:
            vec = rng.standard_normal(arch.n_params)
            dirs.append(vec / np.max(np.abs(vec)))
        else:
            dirs.append(_direction(value, arch, name))
    s = np.linspace(-span, span, n)
    S, T = np.meshgrid(s, s)
    pts = theta + S.reshape(-1, 1) * dirs[0] + T.reshape(-1, 1) * dirs[1]
    vals = backend.losses(arch, pts, dataset, loss=loss).reshape(n, n)
    fig, ax = _figure(5.2, 4.4)
    cs = ax.contourf(S, T, vals, levels=30, cmap="viridis")
    fig.colorbar(cs, ax=ax, label=f"{loss} loss (float)")
    ax.plot([0], [0], "r*", ms=10)
    ax.set_xlabel("s (direction 1)")
    ax.set_ylabel("t (direction 2)")
    ax.set_title("2-D slice through the point (numeric evidence)")
    fig.tight_layout()
    return Slice2D(_written(fig, path), s, s.copy(), vals, fig)


def plot_hessian_spectrum(params: Any, dataset: Dataset | tuple[Any, Any], path: Any = None,
                          *, loss: str = "squared") -> HessianSpectrum:
    """Eigenvalues of the numeric Hessian at ``params`` (piece Hessian for ReLU); the PNG is
    written to ``path`` when given."""
    H = backend.hessians(params, backend.to_vector(params), dataset, loss=loss)[0]
    eig = np.linalg.eigvalsh(H)
    fig, ax = _figure(6, 3.6)
    ax.stem(np.arange(1, len(eig) + 1), eig)
    ax.axhline(0, color="grey", lw=0.6)
    ax.set_xlabel("index (ascending)")
    ax.set_ylabel("eigenvalue")
    ax.set_title("Numeric Hessian spectrum at the point (evidence)")
    fig.tight_layout()
    return HessianSpectrum(_written(fig, path), eig, fig)
