"""Benchmark: exact global minima (issue 14), the pruned search beside the brute force.

1-D datasets of 20 points (the size of the paper's Zig-Zag task, Figure 5): a seeded random
one and a zig-zag one. For m = 1, 2, 3 hidden units:

* pruned: ``global_minimum(D, hidden=m)`` (best-first branch and bound, docs/global.md), and
  the time of its ``check()``;
* brute force: every activation pattern solved exactly, no bound used
  (``global_minimum(D, hidden=m, prune=False)``), in the same run. Where the pattern count is
  above ``--brute-cap`` the brute force is *estimated*, not run: a seeded sample of
  ``--sample`` patterns is solved with the same code (``LineProblem.system`` and the exact QP)
  and the mean time per pattern is multiplied by the pattern count; the table marks these
  "est." Use ``--full`` to run every brute force in full (m = 3: 71,003 patterns, minutes).

Prints the times, the ratio brute / pruned, whether both give the same L* (when the brute
force ran), and whether the goal (m = 3 in under 30 s) is met.

Run:  python benchmarks/bench_global_min.py [--full] [--brute-cap N] [--sample N]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from fractions import Fraction

from relu_minima import Dataset, global_minimum
from relu_minima.verify.globalmin.line import LineProblem
from relu_minima.verify.globalmin.sign_qp import solve_nnls

GOAL_SECONDS = 30.0


def datasets() -> dict[str, Dataset]:
    rng = random.Random(14)
    xs = list(range(20))
    return {
        "random": Dataset(xs, [Fraction(rng.randint(-20, 20), 4) for _ in xs]),
        # a zig-zag of period 4 with a drift, as in Figure 5's task
        "zig-zag": Dataset(xs, [(x % 4 if x % 4 <= 2 else 4 - x % 4) + Fraction(x, 10)
                                for x in xs]),
    }


def _progress(text: str) -> None:
    print(f"\r{text:<70}", end="", file=sys.stderr, flush=True)


def brute_force_estimate(D: Dataset, m: int, sample: int) -> tuple[float, int]:
    """(estimated seconds, pattern count): the exact QP of a seeded sample of the patterns."""
    P = LineProblem(D, m)
    total = P.count_all()
    rng = random.Random(0)
    patterns = []  # a reservoir sample over the enumeration order
    seen = 0
    for gaps in P.gap_sets():
        for key in P.keys(gaps):
            for pat in P.patterns(key):
                seen += 1
                if len(patterns) < sample:
                    patterns.append(pat)
                elif (j := rng.randrange(seen)) < sample:
                    patterns[j] = pat
    start = time.perf_counter()
    for i, (affine, types) in enumerate(patterns):
        G, h, free = P.system(affine, types)
        solve_nnls(G, h, Fraction(P.YY), free)
        if i % 200 == 0:
            _progress(f"  brute force sample m={m}: {i}/{len(patterns)}")
    per = (time.perf_counter() - start) / max(len(patterns), 1)
    return per * total, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="run every brute force in full")
    parser.add_argument("--brute-cap", type=int, default=10_000,
                        help="run the brute force in full up to this many patterns")
    parser.add_argument("--sample", type=int, default=2_000,
                        help="patterns timed to estimate a capped brute force")
    args = parser.parse_args()

    print(f"{'data':<8} {'m':>2} {'patterns':>9} {'solved':>7} {'pruned s':>9} {'check s':>8} "
          f"{'brute s':>12} {'ratio':>8}  L*")
    slowest_m3 = 0.0
    for name, D in datasets().items():
        for m in (1, 2, 3):
            _progress(f"  {name} m={m}: pruned search")
            t0 = time.perf_counter()
            cert = global_minimum(D, hidden=m)
            pruned = time.perf_counter() - t0
            t0 = time.perf_counter()
            cert.check()
            checked = time.perf_counter() - t0
            if m == 3:
                slowest_m3 = max(slowest_m3, pruned)
            total = cert.patterns_total
            if args.full or total <= args.brute_cap:
                _progress(f"  {name} m={m}: brute force, {total} patterns")
                t0 = time.perf_counter()
                brute = global_minimum(D, hidden=m, prune=False, limit=10**9)
                brute_s = time.perf_counter() - t0
                agree = "same" if brute.value == cert.value else f"DIFFERENT ({brute.value})"
                brute_txt = f"{brute_s:.2f}"
            else:
                brute_s, _ = brute_force_estimate(D, m, args.sample)
                agree = "brute force estimated, not run"
                brute_txt = f"est. {brute_s:.1f}"
            _progress("")
            print(f"\r{name:<8} {m:>2} {total:>9} {cert.patterns_examined:>7} {pruned:>9.3f} "
                  f"{checked:>8.3f} {brute_txt:>12} {brute_s / pruned:>7.0f}x  {cert.value} "
                  f"({agree})")
    verdict = "met" if slowest_m3 < GOAL_SECONDS else "NOT met"
    print(f"\ngoal: m = 3 on 20 points in under {GOAL_SECONDS:.0f} s: {verdict} "
          f"(slowest {slowest_m3:.2f} s)")
    print("brute force: every activation pattern solved exactly, no bound; 'est.' = the mean "
          f"time of {args.sample} sampled patterns times the pattern count (run with --full "
          "to time it in full).")


if __name__ == "__main__":
    main()
