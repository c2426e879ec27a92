"""Benchmark: exact local-minimum decisions (issue: 40 kinks on one unit; n=1000, d=8, m=64).

Prints each figure and its ratio to a baseline measured in the same run:
- kinks: K points on the kink of one unit (2-D inputs). Baseline: checking all 2^K sign
  patterns, one small LP each (scipy, floats: even favourable to the baseline), timed for a
  small K and extrapolated by 2^K (said so in the output).
- random: n = 1000, d = 8, m = 64 with >= 32 kink pairs. Baseline: one exact evaluation of the
  loss (the forward pass the decision cannot avoid).
- zero unit: w = 0, b = 0 (every point on the kink) among mixed residuals, which is not a
  minimum. Baseline: evaluating g on every ray of the arrangement (what the decision did
  before it stopped at the first violation), measured at d = 3, n = 40.

Run:  python benchmarks/bench_certificates.py
"""

from __future__ import annotations

import itertools
import random
import time
from fractions import Fraction

import numpy as np
from scipy.optimize import linprog

from relu_minima import Dataset, ShallowReLU, verify_local_minimum
from relu_minima.exact.linalg import available_backends, using_backend


def best_of(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def kink_instance(K: int, minimum: bool) -> tuple[ShallowReLU, Dataset]:
    """K distinct points on the line x1 = 2 x2 + 1 (the kink of unit 1), bending residuals."""
    rng = random.Random(K)
    X = [[2 * t + 1, t] for t in range(K)]
    ys = []
    net = ShallowReLU([[1, -2]], [-1], [1], 0)
    for k in range(K):  # residual r = f - y = -y at kink points (f = 0 there)
        r = Fraction(rng.randint(1, 5)) if minimum or k % 3 else Fraction(-rng.randint(1, 5))
        ys.append(-r)
    total = -sum(ys)  # balance sum r = 0 with one inactive point (f = 0 there)
    X.append([-50, 0])
    ys.append(total)
    return net, Dataset(X, ys)


def naive_patterns(net: ShallowReLU, D: Dataset) -> int:
    """Reference method: every sign pattern of the kink points, one LP per pattern."""
    cert = verify_local_minimum(net, D)
    u = cert.units[0]
    normals = np.array([[float(t) for t in n] for n in u.form.normals])
    weights = np.array([float(t) for t in u.form.weights])
    p = np.array([float(t) for t in u.form.p])
    bad = 0
    for pattern in itertools.product((0, 1), repeat=len(weights)):
        s = np.array(pattern)
        lam = p + (s * weights) @ normals
        A = np.where(s[:, None] == 1, -normals, normals)  # n.delta >= 0 on, <= 0 off
        res = linprog(lam, A_ub=A, b_ub=np.zeros(len(s)), bounds=[(-1, 1)] * len(p))
        bad += res.status == 0 and res.fun < -1e-12
    return bad


def random_instance(seed: int = 0, n=1000, d=8, m=64, kinks=40, fit=True):
    rng = random.Random(seed)
    X = [[Fraction(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(d)] for _ in range(n)]
    W = [[Fraction(rng.randint(-3, 3)) for _ in range(d)] for _ in range(m)]
    b = [Fraction(rng.randint(-3, 3)) for _ in range(m)]
    for j in range(kinks):  # put unit j's kink on a data point
        i = rng.randrange(n)
        b[j] = -sum((w * x for w, x in zip(W[j], X[i], strict=True)), Fraction(0))
    v = [Fraction(rng.choice([-2, -1, 0, 1, 2])) for _ in range(m)]
    net = ShallowReLU(W, b, v, 0)
    blank = Dataset(X, [0] * n)
    if fit:
        y = net.outputs(blank)  # a global (perfect-fit) minimum: every condition is checked
    else:
        y = [Fraction(rng.randint(-5, 5)) for _ in range(n)]
    return net, Dataset(X, y)


def main() -> None:
    print(f"exact backends available: {available_backends()}")
    for K in (40,):
        for minimum in (True, False):
            net, D = kink_instance(K, minimum)
            t, cert = best_of(lambda net=net, D=D: verify_local_minimum(net, D))
            dec = cert.units[0].decision
            how = ("Lemma C: one zonotope point, no ray" if dec.convex_weights is not None
                   else f"{len(dec.rays)} rays checked")
            print(f"kinks: K = {K} points on one unit's kink (d = 2), "
                  f"{'minimum' if minimum else 'not a minimum'}: {t * 1e3:.1f} ms "
                  f"({how}; verdict {cert.is_local_minimum}; target < 5 s)")
    k0 = 10
    net, D = kink_instance(k0, True)
    t0, _ = best_of(lambda: naive_patterns(net, D), repeat=1)
    t_ours, _ = best_of(lambda: verify_local_minimum(*kink_instance(40, True)))
    extrapolated = t0 * 2 ** (40 - k0)
    print(f"baseline: 2^K sign patterns with one LP each took {t0:.2f} s at K = {k0}; "
          f"extrapolated to K = 40: {extrapolated:.3g} s; ratio baseline/ours = "
          f"{extrapolated / t_ours:.3g}x")

    for backend in available_backends():
        with using_backend(backend):
            for fit in (True, False):
                net, D = random_instance(fit=fit)
                t_loss, _ = best_of(lambda net=net, D=D: net.loss(D))
                t, cert = best_of(lambda net=net, D=D: verify_local_minimum(net, D))
                print(f"random n=1000 d=8 m=64 [{backend}], "
                      f"{'perfect fit' if fit else 'random targets'}: {t * 1e3:.0f} ms "
                      f"({len(cert.kink_pairs)} kink pairs; verdict {cert.is_local_minimum}; "
                      f"target < 1 s); exact loss alone {t_loss * 1e3:.0f} ms; "
                      f"ratio {t / t_loss:.2f}x")
    zero_unit_section()


def zero_unit_instance(d: int, n: int, seed: int = 1) -> tuple[ShallowReLU, Dataset]:
    rng = random.Random(seed)
    X = [[rng.randint(-5, 5) for _ in range(d)] for _ in range(n)]
    y = [rng.randint(-5, 5) for _ in range(n)]
    return ShallowReLU([[0] * d], [0], [1], Fraction(sum(y), n)), Dataset(X, y)


def zero_unit_section() -> None:
    from relu_minima.verify.shallow.kink_forms import _rays

    net, D = zero_unit_instance(3, 40)
    t, cert = best_of(lambda: verify_local_minimum(net, D))
    form = cert.units[0].decision.form.essential()
    t_all, rays = best_of(lambda: [form(r) for r in _rays(form)], repeat=1)
    print(f"zero unit d = 3, n = 40 (not a minimum): {t * 1e3:.1f} ms; every one of the "
          f"{len(rays)} rays: {t_all:.2f} s; ratio {t_all / t:.0f}x")
    for d, n in ((8, 100), (8, 1000)):
        net, D = zero_unit_instance(d, n)
        t, cert = best_of(lambda net=net, D=D: verify_local_minimum(net, D))
        print(f"zero unit d = {d}, n = {n}: {t * 1e3:.1f} ms (verdict {cert.is_local_minimum}; "
              f"the arrangement has up to C({n}, {d}) lines)")


if __name__ == "__main__":
    main()
