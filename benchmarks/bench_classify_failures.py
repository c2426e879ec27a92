"""Benchmark: classify every failed run of the default Table 1 (issue 30 row 4, issue 31).

Trains Table 1 at check-paper's default scale (primary protocol 'squared', 48 initialisations
per cell, the judging seeds; the training time is printed but is not part of the figure), then
classifies *every* failed run (relu_minima.paper.experiments.table1.classify_table, the path
check-paper uses) in this process and in the default process pool, and prints the classes.

Baseline, measured in the same run: the per-run loop a user writes with the public API on a
sample of the failed ReLU runs, ``snap(params, dataset)`` with its defaults (the exact global
search for a lower point included, max_patterns=2000), extrapolated to every failed ReLU run;
sigmoid runs are not in the baseline (their path is unchanged).

Goal: < 60 s for all failed runs.

Run:  python benchmarks/bench_classify_failures.py [--sample N]   (default N = 40)
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import numpy as np

from relu_minima.paper.experiments import table1 as t1
from relu_minima.train import classify as cl
from relu_minima.train.protocol import Net
from relu_minima.train.sweep import Config, process_pool, sweep

GOAL = 60.0


def train_default() -> t1.Table1Run:
    pair = t1.PROTOCOLS[t1.PRIMARY]
    keys = t1._keys()
    cfgs = [Config(Net((2, k[3], 1), k[1]), pair[k[2]], t1.DATASETS[k[0]],
                   seed=t1.cell_seed(t1.PRIMARY, k), count=48, tag=k) for k in keys]
    out = sweep(cfgs, block=48, pad=True, progress=True, description="training Table 1")
    return t1.Table1Run(t1.PRIMARY, 48, dict(zip(keys, out, strict=True)))


def baseline(run: t1.Table1Run, sample: int) -> tuple[float, int]:
    """Seconds per failed ReLU run of the public per-run loop, and the number of such runs."""
    from relu_minima import snap

    fails = [(k, int(i)) for k, r in run.results.items() if k[1] == "relu"
             for i in np.flatnonzero(~r.success)]
    rng = np.random.default_rng(0)
    picked = [fails[j] for j in rng.choice(len(fails), size=min(sample, len(fails)),
                                           replace=False)]
    start = time.perf_counter()
    for key, i in picked:
        r = run.results[key]
        (W, b), (V, c) = r.network(i)
        snap({"W": W, "b": b, "v": V[0], "c": float(c[0])},
             t1._exact_dataset(key[0], r.protocol), progress=False)
    return (time.perf_counter() - start) / len(picked), len(fails)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=40)
    args = parser.parse_args()
    start = time.perf_counter()
    run = train_default()
    print(f"training (not in the figure): {time.perf_counter() - start:.1f} s")
    failed = sum(int((~r.success).sum()) for r in run.results.values())

    start = time.perf_counter()
    t1.classify_table(run, None, progress=False)
    serial = time.perf_counter() - start
    start = time.perf_counter()
    with process_pool() as pool:
        t1.classify_table(run, None, progress=False, executor=pool)
    pooled = time.perf_counter() - start
    counts = Counter(rc.kind for v in run.classes.values() for _, rc in v)
    classified = sum(counts.values())
    exact = sum(counts[k] for k in cl.EXACT_CLASSES)
    per_run, relu_fails = baseline(run, args.sample)

    print(f"failed runs: {failed}, classified: {classified} (every one: {classified == failed})")
    for kind in cl.CLASSES:
        print(f"  {kind}: {counts[kind]}")
    print(f"exact classes: {exact} of {failed}; ReLU failures: {relu_fails}, exact "
          f"{sum(1 for k, v in run.classes.items() if k[1] == 'relu' for _, rc in v if rc.exact)}")
    print(f"classify every failed run: {serial:.1f} s in this process, {pooled:.1f} s in the "
          f"default process pool (goal < {GOAL:.0f} s: "
          f"{'met' if min(serial, pooled) < GOAL else 'NOT met'})")
    est = per_run * relu_fails
    print(f"baseline, the public per-run snap() loop (defaults, global search included) on "
          f"{min(args.sample, relu_fails)} sampled ReLU runs: {per_run * 1e3:.1f} ms per run, "
          f"{est:.1f} s extrapolated to the {relu_fails} failed ReLU runs; the classification "
          f"of all {failed} failed runs (ReLU and sigmoid) is {est / min(serial, pooled):.1f}x "
          f"faster")


if __name__ == "__main__":
    main()
