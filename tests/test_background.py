"""Background work for check-paper (issue 30): a forked child computes what a claim will need
while the other claims run; its answer, or its exception, is the claim's."""

from __future__ import annotations

import os

import pytest

from relu_minima.errors import ClaimCheckError, InvalidArgument
from relu_minima.paper import background, registry

pytestmark = pytest.mark.skipif(not background.available(), reason="needs the fork start method")


def _pid_and_square(x: int) -> tuple[int, int]:
    return os.getpid(), x * x


def _fails() -> None:
    raise ValueError("no such cell")


def test_the_answer_is_computed_in_another_process():
    job = background.Background(_pid_and_square, 7)
    pid, value = job.result()
    assert value == 49 and pid != os.getpid()
    assert job.result() == (pid, 49)  # asked twice: the same answer, no second child


def test_an_exception_in_the_child_fails_the_claim_with_its_traceback():
    job = background.Background(_fails)
    with pytest.raises(ClaimCheckError, match="ValueError: no such cell") as info:
        job.result()
    assert "_fails" in str(info.value)  # the child's traceback


def test_stop_waits_for_an_unused_child():
    job = background.Background(_pid_and_square, 3)
    job.stop()
    assert not job._proc.is_alive() and job._proc.exitcode == 0


def test_prefetch_starts_only_for_claims_that_will_run(monkeypatch, tmp_path):
    monkeypatch.setattr(registry, "_PREFETCHERS", [])
    started = []

    @registry.prefetches("table1", "fig3")
    def start(ctx):
        started.append(ctx)
        return lambda: started.append("stopped")

    ctx = registry.Context(tmp_path)
    assert registry.start_prefetch(ctx, ["prop1", "prop2"]) == [] and not started
    stops = registry.start_prefetch(ctx, ["prop1", "fig3"])
    assert started == [ctx] and len(stops) == 1
    stops[0]()
    assert started[-1] == "stopped"
    with pytest.raises(InvalidArgument, match="nosuch"):
        registry.prefetches("nosuch")(start)


def test_table1_runs_prefetch_only_outside_the_quick_in_process_scale(tmp_path):
    # the quick scale (tests) trains in-process: no background process for it
    from relu_minima.paper.experiments import check_table1

    quick = registry.Context(tmp_path, quick=True)
    assert check_table1._start_runs(quick) is None
    assert (True, True) not in check_table1._BACKGROUND
