"""Benchmark: the loss of 100,000 perturbations of a ReLU network (n = 1000, d = 8, m = 64).

Target (issue 4): relu_minima.numeric.backend.losses within 2x of the bare matrix products the same
forward passes need (X W_1^T and relu(.) W_2^T for every perturbation, measured here in the
same run with the same chunking), with peak memory < 1 GiB (tracemalloc; numpy reports its
buffers to it). Also printed: the ratio against a per-perturbation Python loop (numpy per
perturbation) and against sympy lambdify; those two are timed on a small sample and
extrapolated linearly, as said in the output.

    python benchmarks/bench_perturbation_loss.py [--quick]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

from relu_minima.exact.datasets import Dataset
from relu_minima.exact.shallow_relu import ShallowReLU
from relu_minima.numeric import backend as numeric


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="10,000 perturbations instead")
    ap.add_argument("--B", type=int, default=100_000)
    args = ap.parse_args()
    B = 10_000 if args.quick else args.B
    n, d, m = 1000, 8, 64
    rng = np.random.default_rng(0)
    X = rng.integers(-8, 9, size=(n, d))
    y = rng.integers(-8, 9, size=n)
    D = Dataset(X.tolist(), y.tolist())
    net = ShallowReLU(rng.integers(-4, 5, (m, d)).tolist(), rng.integers(-4, 5, m).tolist(),
                      rng.integers(-4, 5, m).tolist(), 0)
    theta0 = numeric.to_vector(net)
    P = theta0.size
    print(f"network n={n}, d={d}, m={m}, P={P}; {B:,} perturbations", flush=True)

    def perturbations(start: int, stop: int) -> np.ndarray:
        local = np.random.default_rng(start)
        return theta0 + 1e-2 * local.standard_normal((stop - start, P))

    chunk_bytes = numeric.DEFAULT_CHUNK_BYTES
    step = max(1, chunk_bytes // (8 * (n * 3 * (d + m + 1) + 4 * P)))
    outer = 2000  # perturbations generated per outer block (generation not timed)

    # library and floor, interleaved block by block so that load from other processes on a
    # shared machine hits both alike; the floor is only the matrix products of the same
    # forward passes (X W_1^T and A W_2^T per perturbation), with the same chunking
    Xf, yf = np.asarray(X, float), np.asarray(y, float)
    Xa = np.hstack([Xf, np.ones((len(Xf), 1))])
    arch = numeric.architecture(net)
    tracemalloc.start()
    t_lib = t_floor = 0.0
    lib = np.empty(B)
    for s in range(0, B, outer):
        T = perturbations(s, min(B, s + outer))
        t0 = time.perf_counter()
        lib[s:s + len(T)] = numeric.losses(net, T, D)
        t_lib += time.perf_counter() - t0
        t0 = time.perf_counter()
        for k in range(0, len(T), step):
            # the two products of the forward pass, in the fastest layout numpy offers
            # (the same contiguous [W^T; b] block the library uses)
            (W1, b1), (W2, _) = arch.split(T[k:k + step])
            Z = np.matmul(Xa[None], numeric.first_layer_matrix(W1, b1))
            np.matmul(Z, np.swapaxes(W2, 1, 2))
        t_floor += time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"  relu_minima.numeric.backend.losses : {t_lib:8.3f} s  (peak traced memory "
          f"{peak / 2**20:.1f} MiB)", flush=True)
    print(f"  bare matrix products        : {t_floor:8.3f} s", flush=True)

    # per-perturbation Python loop (sampled)
    sample = 200
    T = perturbations(0, sample)
    t0 = time.perf_counter()
    loop = []
    for th in T:
        W, b, v, c = th[:m * d].reshape(m, d), th[m * d:m * d + m], th[m * d + m:-1], th[-1]
        r = np.maximum(Xf @ W.T + b, 0) @ v + c - yf
        loop.append(float(r @ r))
    t_loop = (time.perf_counter() - t0) * B / sample
    assert np.allclose(loop, lib[:sample], rtol=1e-10)

    # sympy lambdify of the per-point loss term in symbols (theta, x, y), vectorised over
    # the n points by numpy (sampled perturbations)
    import sympy

    syms = sympy.symbols(f"p0:{P}")
    xs = sympy.symbols(f"x0:{d}")
    ysym = sympy.Symbol("y")
    f = syms[-1] + sum(
        syms[m * d + m + j] * sympy.Max(
            sum(syms[j * d + k] * xs[k] for k in range(d)) + syms[m * d + j], 0)
        for j in range(m))
    t_build = time.perf_counter()
    fn = sympy.lambdify([syms, *xs, ysym], (f - ysym) ** 2, "numpy")
    t_build = time.perf_counter() - t_build
    small = 50
    cols = [Xf[:, k] for k in range(d)]
    t0 = time.perf_counter()
    lam = [float(np.sum(fn(list(th), *cols, yf))) for th in T[:small]]
    t_lam = (time.perf_counter() - t0) * B / small
    assert np.allclose(lam, lib[:small], rtol=1e-10)

    print(f"  Python loop per perturbation: {t_loop:8.3f} s  (extrapolated from {sample})")
    print(f"  sympy lambdify              : {t_lam:8.3f} s  (extrapolated from {small}; "
          f"building the function took {t_build:.2f} s, not counted)")
    print(f"ratio library / bare matrix products: {t_lib / t_floor:.2f}  (target <= 2)")
    print(f"speed-up over the Python loop: {t_loop / t_lib:.1f}x; over lambdify: "
          f"{t_lam / t_lib:.1f}x")
    print(f"peak memory {peak / 2**20:.1f} MiB (target < 1024 MiB)")


if __name__ == "__main__":
    main()
