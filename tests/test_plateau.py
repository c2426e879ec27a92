"""The stopping rule (issue 31): a cell levels off only when no run changes its success
indicator and every failed run's loss is flat (1%) over the second half of the checkpoints;
the two-sample Table 1 rule."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from relu_minima.paper.experiments import check_table1 as c1
from relu_minima.paper.experiments.plateau import curve, levelled

T = 24


def _cell(errors: np.ndarray, loss: np.ndarray, success: str = "zero_error") -> SimpleNamespace:
    proto = SimpleNamespace(success=success, success_tol=1e-3)
    return SimpleNamespace(protocol=proto, trace_errors=errors, trace_loss=loss,
                           trace_steps=np.arange(1, T + 1) * 100, n=errors.shape[1])


def test_levelled_needs_flat_success_and_flat_failed_losses():
    errors = np.zeros((T, 3), dtype=int)
    errors[:, 2] = 1  # run 3 fails throughout
    loss = np.full((T, 3), 0.25)
    assert levelled(_cell(errors, loss))
    late = errors.copy()
    late[: T - 2, 0] = 1  # run 1 succeeds only near the end: still moving
    assert not levelled(_cell(late, loss))
    falling = loss.copy()
    falling[:, 2] = np.linspace(0.3, 0.2, T)  # the failed run's loss still falls (> 1%)
    assert not levelled(_cell(errors, falling))
    slow = loss.copy()
    slow[:, 2] = np.linspace(0.2505, 0.25, T)  # falls by 0.2% over the half: flat
    assert levelled(_cell(errors, slow))
    assert "3/3" not in curve(_cell(errors, loss)) and "2/3 at step 2,400" in curve(
        _cell(errors, loss))


def test_levelled_with_a_loss_threshold_success():
    loss = np.full((T, 2), 0.5)
    loss[:, 0] = 1e-4  # succeeds (loss below 1e-3) throughout
    assert levelled(_cell(np.zeros((T, 2), dtype=int), loss, "loss_below"))
    loss[T - 1, 1] = 1e-4  # run 2 crosses the threshold at the end
    assert not levelled(_cell(np.zeros((T, 2), dtype=int), loss, "loss_below"))


def _run_with_rates(k: int, monkeypatch, moving: bool = False) -> c1.Table1Run:
    """A fake primary run: every cell k/48 successes, levelled (or not)."""
    from relu_minima.paper.experiments import table1 as t1

    keys = t1._keys()
    run = t1.Table1Run("squared", 48, dict.fromkeys(keys))
    monkeypatch.setattr(t1.Table1Run, "rate", lambda self, key, i=-1: (k(key), 48))
    monkeypatch.setattr(c1, "levelled", lambda r: not moving)
    monkeypatch.setattr(c1, "curve", lambda r: "curve")
    return run


def test_two_sample_rule(monkeypatch):
    from relu_minima.paper.experiments.table1 import PAPER, WIDTHS

    def paper(key):  # our rate = the paper's, to the nearest 1/48
        return round(PAPER[key[:3]][WIDTHS.index(key[3])] / 100 * 48)

    same = c1.two_sample(_run_with_rates(paper, monkeypatch))
    assert same["D"] == 0 and same["m"] == 48 and same["supports"] is True
    opposite = c1.two_sample(_run_with_rates(lambda key: 48 - paper(key), monkeypatch))
    assert opposite["D"] > 5 and opposite["supports"] is False
    still = c1.two_sample(_run_with_rates(paper, monkeypatch, moving=True))
    assert still["m"] == 0 and still["supports"] is None and still["moving"] == 48
