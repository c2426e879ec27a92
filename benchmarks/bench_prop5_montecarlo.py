"""Throughput of the Proposition 5 Monte Carlo (sampled networks per second), h = 4, k = 10,
vectorised (relu_minima.paper.dead_layers.simulation.dead_layer_probability) against a
straightforward per-sample Python loop (simulation.dead_layer_once) measured in the same run.

Run: python benchmarks/bench_prop5_montecarlo.py
"""

from __future__ import annotations

import time

import numpy as np

from relu_minima.paper.dead_layers.outlier_data import outlier_dataset
from relu_minima.paper.dead_layers.prop5_bounds import Law
from relu_minima.paper.dead_layers.simulation import dead_layer_once, dead_layer_probability

WIDTH, DEPTH = 4, 10


def loop_rate(X: np.ndarray, samples: int, rng: np.random.Generator) -> float:
    start = time.perf_counter()
    hits = 0
    for _ in range(samples):
        Ws, bs, fan_in = [], [], X.shape[1]
        for _ in range(DEPTH):
            Ws.append(rng.normal(size=(fan_in, WIDTH)))
            bs.append(rng.normal(size=WIDTH))
            fan_in = WIDTH
        hits += dead_layer_once(X, Ws, bs)
    return samples / (time.perf_counter() - start)


def vector_rate(X: np.ndarray, samples: int, rng: np.random.Generator) -> float:
    start = time.perf_counter()
    dead_layer_probability(X, WIDTH, DEPTH, Law.normal(0, 1), Law.normal(0, 1), samples, rng)
    return samples / (time.perf_counter() - start)


def sampling_rate(samples: int, rng: np.random.Generator) -> float:
    """Networks per second for drawing the weights and biases alone: a floor no vectorised
    implementation that samples every network afresh can beat."""
    start = time.perf_counter()
    fan_in = 2
    for _ in range(DEPTH):
        rng.normal(size=(samples, fan_in, WIDTH))
        rng.normal(size=(samples, 1, WIDTH))
        fan_in = WIDTH
    return samples / (time.perf_counter() - start)


def main() -> None:
    X = outlier_dataset(8, 2).to_numpy()
    rng = np.random.default_rng(0)
    vector_rate(X, 2_000, rng)  # warm-up
    slow = loop_rate(X, 5_000, rng)
    fast = vector_rate(X, 200_000, rng)
    floor = sampling_rate(200_000, rng)
    print(f"h={WIDTH}, k={DEPTH}, N={len(X)} points")
    print(f"per-sample loop : {slow:12,.0f} networks/s")
    print(f"vectorised      : {fast:12,.0f} networks/s")
    print(f"ratio           : {fast / slow:12.1f}x")
    print(f"sampling only   : {floor:12,.0f} networks/s (drawing the weights, no forward pass)")
    print(f"=> no implementation that samples each network afresh can exceed "
          f"{floor / slow:.1f}x this loop here")


if __name__ == "__main__":
    main()
