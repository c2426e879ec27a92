"""Landscape pictures are written, and the numbers drawn are the right ones."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from relu_minima.exact.datasets import Dataset
from relu_minima.exact.shallow_relu import ShallowReLU
from relu_minima.numeric.landscape import (
    plot_hessian_spectrum,
    plot_linear_path,
    plot_slice,
)
from relu_minima.paper.registry import Context, Status, all_claims
from relu_minima.paper.regression.figure4 import plot_figure4

D1 = Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])
PROP1 = ShallowReLU([1], [-3], [1], 0)
OTHER = ShallowReLU([-7], [-4], [1], 0)
PNG = b"\x89PNG\r\n\x1a\n"


def test_linear_path_endpoints(tmp_path):
    out = plot_linear_path(PROP1, OTHER, D1, tmp_path / "path.png", n=41, extend=0.25)
    assert out.path.read_bytes().startswith(PNG)
    at = {round(a, 9): v for a, v in zip(out.alphas, out.losses, strict=True)}
    assert at[0.0] == 18 and at[1.0] == 14  # by hand: 9 + 9 and 4 + 1 + 0 + 9 + 0


def test_slice_centre_is_the_point(tmp_path):
    out = plot_slice(PROP1, D1, tmp_path / "slice.png", n=11, span=0.5)
    assert out.path.read_bytes().startswith(PNG)
    assert out.losses.shape == (11, 11) and out.losses[5, 5] == 18
    # Proposition 1 is a local minimum: nothing in a small slice is lower (evidence)
    small = plot_slice(PROP1, D1, tmp_path / "small.png", n=11, span=1e-3)
    assert small.losses.min() >= 18 - 1e-9


def test_hessian_spectrum_matches_hand_matrix(tmp_path):
    out = plot_hessian_spectrum(PROP1, D1, tmp_path / "spec.png")
    J = np.array([[5, 1, 2, 1], [4, 1, 1, 1], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1]])
    assert np.allclose(out.eigenvalues, np.linalg.eigvalsh(2 * J.T @ J))
    assert out.path.read_bytes().startswith(PNG)


def test_figure4_losses_are_the_stated_ones(tmp_path):
    fig = plot_figure4(tmp_path / "fig4.png")
    assert fig.path.read_bytes().startswith(PNG)
    # values stated by the paper / checked by hand (D1 comparison: 4 + 1 + 0 + 9 + 0 = 14)
    assert fig.losses == ((14, 18), (0, Fraction(8, 3)), (Fraction(1, 6), Fraction(2, 3)))
    assert fig.matches


def test_fig4_claim_is_registered_and_undecided_like_fig6(tmp_path):
    claim = {c.key: c for c in all_claims()}["fig4"]
    result = claim.check(Context(tmp_path, quick=True))
    # every drawn function is certified, but the printed image is not in the reference text
    assert result.status is Status.UNDECIDED
    assert result.data["caption_on_printed_points"] == {"a": True, "b": False, "c": True}
    assert (tmp_path / "figure4.png").exists() and result.figures == ("figure4.png",)
    assert "sign typo" in result.details


# -- the pictures as Figures, written only when asked (issue 25, item 11) --------------------
def test_without_a_path_nothing_is_written_and_the_figure_is_returned(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    monkeypatch.chdir(tmp_path)
    views = [plot_linear_path(PROP1, OTHER, D1, n=41), plot_slice(PROP1, D1, n=11),
             plot_hessian_spectrum(PROP1, D1)]
    assert list(tmp_path.iterdir()) == []
    for view in views:
        assert view.path is None and isinstance(view.figure, Figure)
    line = views[0].figure.axes[0].lines[0]  # the figure draws the numbers returned
    assert np.array_equal(line.get_xdata(), views[0].alphas)
    assert np.array_equal(line.get_ydata(), views[0].losses)


def test_with_a_path_the_png_is_written_and_the_figure_returned_too(tmp_path):
    from matplotlib.figure import Figure

    out = plot_slice(PROP1, D1, tmp_path / "deep" / "slice.png", n=11)
    assert out.path == tmp_path / "deep" / "slice.png" and out.path.read_bytes().startswith(PNG)
    assert isinstance(out.figure, Figure)
    again = tmp_path / "again.png"
    out.figure.savefig(again)  # still usable after the library wrote it
    assert again.read_bytes().startswith(PNG)


def test_the_figures_are_not_left_open_in_pyplot():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    for _ in range(3):
        plot_linear_path(PROP1, OTHER, D1, n=11)
    assert plt.get_fignums() == before
