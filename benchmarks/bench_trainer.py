"""Benchmark: network-steps per second of the vectorised trainer on the Table 1 sweep, against
a per-initialisation loop measured in the same run (goal: >= 50x).

The sweep: the 48 cells of Table 1 (XOR and jellyfish, 2-h-1 for h = 2..7, ReLU and sigmoid,
Adam and GD) under the primary protocol, INITS initialisations per cell, STEPS steps. The
vectorised trainer runs each (data, activation, optimiser) group as one padded batch over all
widths (``sweep(..., pad=True)``, in-process). The baseline trains one network at a time with
the same code (``train_per_init``) for a sample of PER_INIT networks per cell and is scaled by
network-steps (said so in the output). Both use the same seeds; the sample's final losses are
compared, so the baseline is doing the same work. Drawing the initialisations (one generator
per network, the price of per-network reproducibility) is timed apart: each rate is
(STEPS - 1) network-steps over the time of a STEPS-step run minus that of a 1-step run.

Run:  python benchmarks/bench_trainer.py [INITS] [STEPS]   (defaults 1000, 200)
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace

import numpy as np

from relu_minima.paper.experiments.table1 import DATASETS, PRIMARY, PROTOCOLS, cell_seed
from relu_minima.train.protocol import Net
from relu_minima.train.sweep import Config, SerialExecutor, sweep
from relu_minima.train.trainer import train_per_init

PER_INIT = 3


def timed(fn, arg):
    t = time.perf_counter()
    out = fn(arg)
    return time.perf_counter() - t, out


def main() -> None:
    inits = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    pair = {k: p.replace(steps=steps) for k, p in PROTOCOLS[PRIMARY].items()}
    keys = [(d, a, o, h) for d in DATASETS for a in ("relu", "sigmoid") for o in ("adam", "gd")
            for h in range(2, 8)]
    cfgs = [Config(Net((2, k[3], 1), k[1]), pair[k[2]], DATASETS[k[0]],
                   seed=cell_seed(PRIMARY, k), count=inits) for k in keys]
    one = [replace(c, protocol=c.protocol.replace(steps=1)) for c in cfgs]

    def vectorised(cs):
        return sweep(cs, executor=SerialExecutor(), block=inits, pad=True, progress=False)

    def per_init(cs):
        return [train_per_init(c.net, c.protocol, c.data, seed=c.seed, indices=range(PER_INIT))
                for c in cs]

    t_vec1, _ = timed(vectorised, one)
    t_vec, vec = timed(vectorised, cfgs)
    t_loop1, _ = timed(per_init, one)
    t_loop, loop = timed(per_init, cfgs)
    net_steps = len(cfgs) * inits * (steps - 1)
    loop_steps = len(cfgs) * PER_INIT * (steps - 1)
    diff = max(float(np.max(np.abs(v.final_loss[:PER_INIT] - lp.final_loss)))
               for v, lp in zip(vec, loop, strict=True))
    rate_vec = net_steps / (t_vec - t_vec1)
    rate_loop = loop_steps / (t_loop - t_loop1)
    print(f"Table 1 sweep: 48 cells x {inits} inits x {steps} steps (one process)")
    print(f"  vectorised (padded over h):  {rate_vec:12,.0f} network-steps/s ({t_vec:.2f} s; "
          f"initialisation and 1 step: {t_vec1:.2f} s)")
    print(f"  per-init loop (baseline, {PER_INIT} nets per cell, scaled by network-steps): "
          f"{rate_loop:12,.0f} network-steps/s ({t_loop:.2f} s; 1 step: {t_loop1:.2f} s)")
    print(f"  speed-up: {rate_vec / rate_loop:.1f}x  (goal >= 50x); largest final-loss "
          f"difference on the shared sample: {diff:.2g}")


if __name__ == "__main__":
    main()
