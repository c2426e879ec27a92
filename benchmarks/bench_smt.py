"""Benchmark: certificates re-checked by an SMT solver (issue 28), on thousands of tiny points.

Draws ``--points`` random tiny problems (default 2,000): one-hidden-layer points with d = 1..2
inputs, m <= 2 units and n <= 6 data points, built to be hard (kinks on data points, zero output
weights, duplicate inputs, targets whose residuals satisfy some or all of the minimum
conditions, so that about half are minima), deep points of depth 2-3 and widths <= 2
(:func:`relu_minima.testing.deep_points.hard_deep_point`), and some of each with a frozen output
bias (the restricted kinds). Each is decided by ``verify_local_minimum`` and its certificate
re-checked by the solver (``--solver``, ``--time-limit`` seconds per check).

Prints the agreement (confirmed, refuted, no verdict) per kind and verdict, the solver's time
per point (mean, median, 95th percentile, max) and, as the baseline measured in the same run,
the library's own decision time per point, with the ratio of the means. A refutation would be
a disagreement between the library and the solver (one of them wrong): the run lists them.

Run:  python benchmarks/bench_smt.py --points 300 --time-limit 10
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter
from fractions import Fraction

from tqdm import tqdm

from relu_minima import Dataset, DeepReLU, ShallowReLU
from relu_minima.exact.linalg import nullspace
from relu_minima.testing.deep_points import hard_deep_point
from relu_minima.verify.dispatch import verify_local_minimum
from relu_minima.verify.smt import recheck


def shallow_point(rng: random.Random) -> tuple[ShallowReLU, Dataset]:
    """As tests/instances.py: kinks on data points, zero v's, designed residuals."""
    d, m, n = rng.randint(1, 2), rng.randint(1, 2), rng.randint(2, 6)
    X = [[Fraction(rng.randint(-3, 3)) for _ in range(d)] for _ in range(n)]
    if rng.random() < 0.5:
        X[-1] = list(X[0])
    W, b = [], []
    for _ in range(m):
        w = [Fraction(rng.randint(-2, 2), rng.randint(1, 2)) for _ in range(d)]
        W.append(w)
        if rng.random() < 0.75:  # the unit's kink on a data point
            i = rng.randrange(n)
            b.append(-sum((a * t for a, t in zip(w, X[i], strict=True)), Fraction(0)))
        else:
            b.append(Fraction(rng.randint(-3, 3)))
    v = [Fraction(rng.choice([-2, -1, 0, 0, 1, 2])) for _ in range(m)]
    net = ShallowReLU(W, b, v, rng.randint(-3, 3))
    blank = Dataset(X, [0] * n)
    z = net.preactivations(blank)
    rows = [[Fraction(1)] * n] if rng.random() < 5 / 6 else []
    for j in range(m):
        if rng.random() < 0.75:
            active = [i for i in range(n) if z[i][j] > 0]
            rows += [[(*X[i], Fraction(1))[k] if i in active else Fraction(0) for i in range(n)]
                     for k in range(d + 1)]
    r = [Fraction(0)] * n
    for vec in nullspace(rows, n):
        a = Fraction(rng.randint(-2, 2), rng.randint(1, 2))
        r = [ri + a * t for ri, t in zip(r, vec, strict=True)]
    return net, Dataset(X, [f - ri for f, ri in zip(net.outputs(blank), r, strict=True)])


def draw(rng: random.Random) -> tuple[object, Dataset]:
    kind = rng.random()
    if kind < 0.5:
        return shallow_point(rng)
    net, data = hard_deep_point(rng, max_depth=3, max_width=2)
    if kind < 0.6:  # restricted: the output bias held fixed
        return net.with_space(frozen=[net.space.names[-1]]), data
    if kind < 0.65:
        shallow, data = shallow_point(rng)
        return DeepReLU.from_shallow(shallow).with_space(frozen=["b_2[1]"]), data
    return net, data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--solver", choices=["z3", "cvc5"], default="z3")
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per check")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    problems = [draw(rng) for _ in range(args.points)]
    tally: Counter = Counter()
    lib_times, smt_times, disagreements = [], [], []
    recheck(verify_local_minimum(*problems[0]), args.solver)  # start the solver process once
    for net, data in tqdm(problems, desc=f"re-check by {args.solver}", unit="pt"):
        start = time.perf_counter()
        cert = verify_local_minimum(net, data)
        lib_times.append(time.perf_counter() - start)
        if cert.is_local_minimum is None:
            tally[cert.kind, "undecided", "(nothing stated)"] += 1
            continue
        result = recheck(cert, args.solver, time_limit=args.time_limit)
        smt_times.append(result.seconds)
        status = result.status
        if status == "no verdict":  # why: the solver gave up, or sat at an uncertified radius
            gave_up = any(r.answer not in ("sat", "unsat") for r in result.results)
            status += " (gave up)" if gave_up else " (lower point, radius not certified)"
        tally[cert.kind, cert.status, status] += 1
        if result.status == "refuted":
            disagreements.append((net, data, result))
    print(f"\n{args.points} points, solver {args.solver}, time limit {args.time_limit} s per "
          "check\n")
    width = max(len(f"{k} / {v}") for k, v, _ in tally)
    for (kind, verdict, status), count in sorted(tally.items()):
        print(f"  {kind + ' / ' + verdict:<{width}}  {status:<48} {count:>6}")
    checked = sum(n for (_, v, _), n in tally.items() if v != "undecided")
    for status in ("confirmed", "refuted", "no verdict"):
        count = sum(n for (_, _, s), n in tally.items() if s.startswith(status))
        print(f"{status:>12}: {count} of {checked} ({100 * count / max(checked, 1):.1f}%)")
    q = statistics.quantiles(smt_times, n=20)[-1] if len(smt_times) > 1 else smt_times[0]
    smt, lib = statistics.mean(smt_times), statistics.mean(lib_times)
    print(f"solver time per point: mean {smt:.3f} s, median {statistics.median(smt_times):.3f} "
          f"s, 95th percentile {q:.3f} s, max {max(smt_times):.3f} s")
    print(f"baseline, the library's decision: mean {lib:.4f} s, median "
          f"{statistics.median(lib_times):.4f} s, max {max(lib_times):.3f} s")
    print(f"ratio of the means (solver / library): {smt / lib:.1f}")
    for net, data, result in disagreements:
        print(f"\nDISAGREEMENT at {net!r} on {data!r}:\n{result}")


if __name__ == "__main__":
    main()
