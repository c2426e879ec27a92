"""Benchmark: the test suite's time (issue 30, row 6).

Runs each pytest command in a fresh child process from the repository root and prints its wall
seconds, its CPU seconds (user + system of pytest and every process it waited for: solver and
pool workers included, through ``os.wait4``) and the load average before it. On a shared
machine the CPU figure is the one to compare: a serial run's wall time on an idle machine is
about its CPU time. ``--before DIR`` runs the same commands in another checkout (e.g. a
``git worktree`` of the commit before a change) in the same run, alternating, for the ratio.

Goals (issue 30): ``pytest -m "not slow"`` under 60 s on an idle 2-core machine, ``pytest``
under 4 minutes on a loaded one.

Run:  python benchmarks/bench_test_suite.py [--full] [--before DIR] [--repeats 1]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """(wall, CPU, exit status) of one pytest child; its output is discarded."""
    env = dict(os.environ, PYTHONPATH=str(cwd / "src"))  # that checkout's package, not ours
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    return (time.perf_counter() - start, usage.ru_utime + usage.ru_stime,
            os.waitstatus_to_exitcode(status))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true", help="also time the whole suite (pytest)")
    ap.add_argument("--before", metavar="DIR", help="another checkout, timed alongside")
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args()
    commands = [["-m", "not slow"]] + ([[]] if args.full else [])
    sides = [("now", ROOT)] + ([("before", Path(args.before))] if args.before else [])
    print(f"{os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"{'code':8s} {'command':26s} {'load':>5s} {'wall s':>8s} {'CPU s':>8s} {'exit':>4s}")
    for _ in range(args.repeats):
        for extra in commands:
            for name, cwd in sides:
                load = os.getloadavg()[0]
                wall, cpu, code = run([sys.executable, "-m", "pytest", "-q", *extra], cwd)
                label = "pytest " + " ".join(f'"{t}"' if " " in t else t for t in extra)
                print(f"{name:8s} {label:26s} {load:5.1f} {wall:8.1f} {cpu:8.1f} {code:4d}",
                      flush=True)


if __name__ == "__main__":
    main()
