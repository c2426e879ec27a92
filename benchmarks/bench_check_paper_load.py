"""Benchmark: ``relu-minima check-paper`` beside busy processes (issue 30, row 5).

A shared machine is the normal case here: the command is timed alone and then beside N busy
processes that this script starts itself (``python -c "while True: pass"``, one core each) and
ends after the run, by their process ids. Each run is a fresh child process (imports included;
its process-pool workers included in its CPU time, through ``os.wait4``). Printed per run: the
wall and CPU seconds, the load average before it, and the ratio of its wall time to the
same-run baseline alone. ``--before SRC`` runs the package under SRC (e.g. another checkout's
src/) the same way, for a before/after comparison in one run, and compares the two reports
claim by claim (status, text, details, data); ``--only`` limits the claims.

Goal (issue 30): under 60 s wall beside one busy process.

``--table1-batching INITS`` times instead the training of check-paper's Table 1 (the 48
cells, INITS initialisations each; check-paper uses 48) by executor (the default pool of one
worker per core, one worker, in-process) and block size, alone and beside the busy processes:
the check of the vectorised trainer's batching against the wall clock on a busy machine.

Run:  python benchmarks/bench_check_paper_load.py [--busy 0 1 2] [--before SRC]
      [--only fig1 fig2 ...] [--repeats 1]
      python benchmarks/bench_check_paper_load.py --table1-batching 48 [--busy 0 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL = 60.0  # seconds wall, beside one busy process


def busy(n: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:  # only the processes this script started, by their ids
        p.kill()
        p.wait()


def check_paper(out: str, only: list[str] | None, src: str | None) -> tuple[float, float]:
    """(wall, CPU) seconds of one ``check-paper`` child (CPU: user + system, with the pool
    workers it waited for)."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = src
    cmd = [sys.executable, "-m", "relu_minima.cli", "check-paper", "--output", out]
    if only:
        cmd += ["--only", *only]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):  # 1: some claim is not verified (the report says which)
        raise SystemExit(f"check-paper exited with {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def table1_batching(busy_counts: list[int], inits: int) -> None:
    """The training of check-paper's Table 1 (48 cells x ``inits``, primary protocol, padded
    by width) by executor and block size, alone and beside busy processes: wall seconds, and
    the ratio to the default (a pool of one worker per core, block = inits) in the same
    conditions. Every configuration trains the same networks (a network's trajectory does not
    depend on its block or executor), which is checked."""
    import numpy as np

    from relu_minima.paper.experiments.table1 import (
        DATASETS,
        PRIMARY,
        PROTOCOLS,
        _keys,
        cell_seed,
    )
    from relu_minima.train.protocol import Net
    from relu_minima.train.sweep import Config, SerialExecutor, process_pool, sweep

    keys = _keys()
    cfgs = [Config(Net((2, k[3], 1), k[1]), PROTOCOLS[PRIMARY][k[2]], DATASETS[k[0]],
                   seed=cell_seed(PRIMARY, k), count=inits) for k in keys]
    cores = os.cpu_count() or 1
    variants = [(f"pool({cores}), block {inits} (default)", cores, inits)]
    variants += [(f"pool({cores}), block {b}", cores, b) for b in (inits // 2, inits // 4)]
    variants += [("pool(1)", 1, inits), ("in-process (serial)", 0, inits)]
    print(f"Table 1 training ({len(cfgs)} cells x {inits} inits, '{PRIMARY}'), wall seconds")
    print(f"{'executor':32s} " + " ".join(f"{f'busy {n}':>14s}" for n in busy_counts))
    ref = None
    rows = {}
    for label, workers, block in variants:
        cells = []
        for n in busy_counts:
            procs = busy(n)
            try:
                start = time.perf_counter()
                if workers:
                    with process_pool(workers) as pool:
                        out = sweep(cfgs, executor=pool, block=block, pad=True, progress=False)
                else:
                    out = sweep(cfgs, executor=SerialExecutor(), block=block, pad=True,
                                progress=False)
                wall = time.perf_counter() - start
            finally:
                stop(procs)
            losses = np.concatenate([r.final_loss for r in out])
            if ref is None:
                ref = losses
            elif not np.allclose(losses, ref, rtol=1e-9, atol=1e-12, equal_nan=True):
                raise SystemExit(f"{label} trained other networks")
            rows[(label, n)] = wall
            base = rows[(variants[0][0], n)]
            cells.append(f"{wall:7.1f} ({wall / base:4.2f}x)")
        print(f"{label:32s} " + " ".join(f"{c:>14s}" for c in cells), flush=True)


def _claims(out: Path) -> dict[str, tuple[str, ...]]:
    """Each claim's status, text, details and data from a report (not its seconds)."""
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return {c["key"]: (c["status"], c["established"], c["details"],
                       json.dumps(c["data"], sort_keys=True)) for c in data["claims"]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--busy", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--before", metavar="SRC")
    ap.add_argument("--only", nargs="+")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--table1-batching", type=int, metavar="INITS", default=0,
                    help="instead: the Table 1 training by executor and block size")
    args = ap.parse_args()
    if args.table1_batching:
        table1_batching(sorted(set([0, *args.busy])), args.table1_batching)
        return
    if 0 not in args.busy:
        args.busy.insert(0, 0)
    sides = [("now", None)] + ([("before", args.before)] if args.before else [])
    print(f"relu-minima check-paper{' --only ' + ' '.join(args.only) if args.only else ''}; "
          f"{os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"{'code':8s} {'busy':>4s} {'load':>5s} {'wall s':>8s} {'CPU s':>8s} "
          f"{'wall / alone':>12s}")
    results: dict[tuple[str, int], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.repeats):
            for n in args.busy:
                for name, src in sides:
                    load = os.getloadavg()[0]
                    procs = busy(n)
                    try:
                        wall, cpu = check_paper(str(Path(tmp) / f"{name}{n}-{k}"), args.only,
                                                src)
                    finally:
                        stop(procs)
                    results.setdefault((name, n), []).append(wall)
                    alone = min(results[(name, 0)])
                    print(f"{name:8s} {n:4d} {load:5.1f} {wall:8.1f} {cpu:8.1f} "
                          f"{wall / alone:11.2f}x", flush=True)
        if args.before:  # the same claims, the same results (everything but the seconds)
            now, before = (_claims(Path(tmp) / f"{name}0-0") for name in ("now", "before"))
            same = [k for k in now if now[k] == before.get(k)]
            print(f"reports of now and before: {len(same)} of {len(now)} claims identical"
                  + ("" if len(same) == len(now) else
                     f"; differ: {sorted(set(now) - set(same))}"))
    if 1 in args.busy:
        best = min(results[("now", 1)])
        print(f"beside one busy process: {best:.1f} s wall; goal < {GOAL:.0f} s: "
              f"{'met' if best < GOAL else 'NOT met'}")


if __name__ == "__main__":
    main()
