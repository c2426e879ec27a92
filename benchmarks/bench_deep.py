"""Benchmark: the deep decision on random hard points.

Draws ``--points`` (default 2,000) random deep points of depth 2-4 and widths 1-4 built to be
hard (:func:`relu_minima.testing.deep_points.hard_deep_point`: optimal output bias, dead
units, tied inputs, zero weights, all-zero networks and zero layers, points on kinks) and
decides each with ``verify_deep_local_minimum`` (default budget unless ``--max-directions`` /
``--time-limit`` are given). Prints the fraction decided (minimum / not a minimum), the
fraction undecided, the time per point (mean, median, max), the slowest point, the rule that
decided (case), and the ratio of the mean time to a baseline measured in the same run: one
exact loss evaluation of the same point (the forward pass no decision can avoid). Each is
timed on its own fresh copy of the point, so neither inherits the other's cached forward
pass.

With ``--bias-free`` the same points lose every bias (``bias=False``: the restricted
question, :mod:`relu_minima.verify.deep.restricted`) and are decided over their weights;
"decided by" then counts the route.

Goals (the project's targets for the deep decision): under 0.1% undecided, no point slower
than 5 s (full space).

Run:  python benchmarks/bench_deep.py --points 200 [--bias-free]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter

from tqdm import tqdm

from relu_minima.exact.deep_relu import DeepReLU
from relu_minima.testing.deep_points import hard_deep_point
from relu_minima.verify.deep.restricted import verify_restricted_deep
from relu_minima.verify.deep.rules import verify_deep_local_minimum


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-directions", type=int, default=None)
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--bias-free", action="store_true",
                    help="drop every bias and decide over the weights (restricted question)")
    ap.add_argument("--show-undecided", type=int, default=5,
                    help="print this many undecided points in full")
    args = ap.parse_args()
    budget = {k: v for k, v in (("max_directions", args.max_directions),
                                ("time_limit", args.time_limit)) if v is not None}
    rng = random.Random(args.seed)
    points = [hard_deep_point(rng) for _ in range(args.points)]
    decide = verify_deep_local_minimum
    if args.bias_free:
        points = [(DeepReLU(net.weights, None, bias=False), D) for net, D in points]
        decide = verify_restricted_deep
    times, base_times, cases = [], [], Counter()
    verdicts: Counter = Counter()
    undecided = []
    for i, (net, D) in enumerate(tqdm(points, desc="deep points", unit="pt")):
        fresh, decided = _fresh(net), _fresh(net)
        t = time.perf_counter()
        fresh.loss(D)
        base_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        cert = decide(decided, D, **budget)
        times.append(time.perf_counter() - t)
        cases[_rule(cert)] += 1
        verdicts[cert.status] += 1
        if cert.is_local_minimum is None:
            undecided.append((i, net, D, cert))
    n = len(points)
    slow = max(range(n), key=times.__getitem__)
    mean, base = statistics.mean(times), statistics.mean(base_times)
    print(f"\n{n} random hard deep points (depth 2-4, widths 1-4"
          f"{', every bias dropped' if args.bias_free else ''}), seed {args.seed}, "
          f"budget {budget or 'default'}")
    for status in ("local minimum", "not a local minimum", "undecided"):
        print(f"  {status:<20} {verdicts[status]:>6}  ({100 * verdicts[status] / n:.2f}%)")
    print(f"  decided: {100 * (n - verdicts['undecided']) / n:.2f}%   undecided: "
          f"{100 * verdicts['undecided'] / n:.2f}% (goal < 0.1%)")
    print(f"  time per point: mean {mean * 1e3:.1f} ms, median "
          f"{statistics.median(times) * 1e3:.1f} ms, max {times[slow]:.2f} s (goal <= 5 s); "
          f"{sum(t > 5 for t in times)} point(s) slower than 5 s")
    print(f"  baseline (one exact loss evaluation): mean {base * 1e3:.3f} ms; "
          f"ratio decision / baseline = {mean / base:.0f}x")
    net, D = points[slow]
    print(f"  slowest point #{slow}: widths {net.widths}, {D.n} data points, "
          f"{times[slow]:.2f} s, decided by {_rule(decide(_fresh(net), D, **budget))!r}")
    print("  decided by: " + ", ".join(f"{c} {k}" for c, k in
                                        sorted(((k, c) for c, k in cases.items()), reverse=True)))
    for i, net, D, cert in undecided[:args.show_undecided]:
        print(f"\n  undecided #{i}: widths {net.widths}; params {net.to_json()}; "
              f"data {D.to_json()}\n    reason: {cert.reason[:300]}")


def _fresh(net: DeepReLU) -> DeepReLU:
    """The same point as a new object, without a cached forward pass."""
    return DeepReLU(net.weights, net.biases, **net.space.parameterisation())


def _rule(cert: object) -> str:
    """The rule (full space: the case) or route (restricted) that decided."""
    return str(getattr(cert, "case", None) or getattr(cert, "route", "?"))


if __name__ == "__main__":
    main()
