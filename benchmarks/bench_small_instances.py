"""Benchmark: small one-hidden-layer instances, cold (issue 30, row 1).

60 random instances (d <= 2, n <= 8, m <= 3), built to be hard the way tests/instances.py
builds them: each unit's kink on a data point, zero output weights, duplicate inputs, residuals
in the null space of some of the conditions (random targets would almost never give a
minimum). Each side runs in a fresh interpreter, and the clock starts before its first import:

- ours: ``import relu_minima``, then ``verify_local_minimum`` on each of the 60 (the first call
  pays whatever it imports);
- baselines: a per-cell exact LP script in sympy, written the way one would without this
  library: ``import sympy``, then for every unit every sign pattern of its distinct kink
  inputs (2^K cells) and one exact LP per cell, minimising sigma g over the cell inside the box
  |delta| <= 1 (and max as well when v = 0). Two ways to solve that LP in sympy:
  ``sympy.solvers.simplex.linprog`` on matrices (the fast way; the box as rows over
  delta + 1 >= 0, since sympy 1.14's ``bounds`` with a negative lower bound returns wrong optima,
  e.g. 0 for min x - y s.t. x + y <= 0, -1 <= x, y <= 1), and ``lpmin`` over relationals of
  symbols (the way sympy's documentation shows; about 100x slower per LP). The issue's
  baseline script was not kept; its 420-530 ms per instance matches the ``lpmin`` script.

All decide Theorem 1 of docs/method.md exactly; the verdicts are compared. Printed: ms per
instance cold (total / 60, imports included) and warm (a second pass in the same process), wall
and CPU (user + system of the process: what a busy machine disturbs least), the ratios
script / ours, the modules our first pass loaded (scipy must not be among them when no form
needed an LP), and how each form was decided. ``--before SRC`` times another checkout beside.
Byte code is cached for every side (see :func:`child`).

``--threshold`` prints instead the measurement behind ``kink_forms.RAYS_THRESHOLD``: per
random form (d + 1 = 2..5, K = 4..32 kinks, mixed or one-signed weights), the integer rays beside
the zonotope decisions with float LPs, warm, in one process.

Run:  python benchmarks/bench_small_instances.py [--repeats 3] [--lpmin-repeats 1]
      [--before /path/to/other/src]
      python benchmarks/bench_small_instances.py --threshold
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction

from relu_minima import Dataset, ShallowReLU
from relu_minima.exact.linalg import nullspace


def instance(rng: random.Random, max_d: int = 2, max_m: int = 3, max_n: int = 8):
    """(W, b, v, c, X, y) as lists of strings: the recipe of tests/instances.py, seeded."""
    F = Fraction
    d, m, n = rng.randint(1, max_d), rng.randint(1, max_m), rng.randint(2, max_n)
    X = [[F(rng.randint(-3, 3)) for _ in range(d)] for _ in range(n)]
    if rng.random() < 0.5:
        X[-1] = list(X[0])
    W, b = [], []
    for _ in range(m):
        w = [F(rng.randint(-2, 2), rng.randint(1, 2)) for _ in range(d)]
        W.append(w)
        if rng.randint(0, 3) > 0:
            i = rng.randrange(n)
            b.append(-sum((a * t for a, t in zip(w, X[i], strict=True)), F(0)))
        else:
            b.append(F(rng.randint(-3, 3)))
    v = [F(rng.choice([-2, -1, 0, 0, 1, 2])) for _ in range(m)]
    c = F(rng.randint(-3, 3))
    net = ShallowReLU(W, b, v, c)
    blank = Dataset(X, [0] * n)
    outputs, z = net.outputs(blank), net.preactivations(blank)
    rows = [[F(1)] * n] if rng.randint(0, 5) > 0 else []
    for j in range(m):
        if rng.randint(0, 3) > 0:
            for k in range(d + 1):
                rows.append([(*X[i], F(1))[k] if z[i][j] > 0 else F(0) for i in range(n)])
    r = [F(0)] * n
    for vec in nullspace(rows, n):
        a = F(rng.randint(-2, 2), rng.randint(1, 2))
        r = [ri + a * t for ri, t in zip(r, vec, strict=True)]
    y = [f - ri for f, ri in zip(outputs, r, strict=True)]

    def s(v):
        return [s(t) for t in v] if isinstance(v, list) else str(v)

    return {"W": s(W), "b": s(b), "v": s(v), "c": str(c), "X": s(X), "y": s(y)}


OURS = r"""
import json, sys, time
cases = json.loads(sys.stdin.read())
t0, c0 = time.perf_counter(), time.process_time()
from relu_minima import Dataset, ShallowReLU, verify_local_minimum
def run():
    out = []
    for k in cases:
        net = ShallowReLU(k["W"], k["b"], k["v"], k["c"])
        out.append(verify_local_minimum(net, Dataset(k["X"], k["y"])))
    return out
certs = run()
cold, cold_cpu = time.perf_counter() - t0, time.process_time() - c0
loaded = sorted(m for m in ("scipy", "numpy", "sympy", "flint", "mpmath") if m in sys.modules)
t1, c1 = time.perf_counter(), time.process_time()
run()
warm, warm_cpu = time.perf_counter() - t1, time.process_time() - c1
how = [u.decision.to_dict()["proof"] for cert in certs for u in cert.units]
print(json.dumps({"cold": cold, "warm": warm, "cold_cpu": cold_cpu, "warm_cpu": warm_cpu,
                  "loaded": loaded, "how": how,
                  "verdicts": [c.is_local_minimum for c in certs]}))
"""

# the per-cell script; SOLVE is filled in with one of the two ways sympy solves an LP
BASELINE = r"""
import json, sys, time, itertools
cases = json.loads(sys.stdin.read())
t0, c0 = time.perf_counter(), time.process_time()
from sympy import Rational, Matrix, symbols
from sympy.solvers.simplex import linprog, lpmin

def solve_linprog(obj, rows, rhs):
    # variables x = delta + 1 >= 0, x <= 2 as rows (sympy 1.14's linprog mishandles
    # negative lower bounds in `bounds`)
    D = len(obj)
    rows = rows + [[int(q == k) for q in range(D)] for k in range(D)]
    rhs = [b + sum(r) for b, r in zip(rhs, rows)] + [2] * D
    value, _ = linprog(Matrix(obj), Matrix(rows), Matrix(rhs))
    return value - sum(obj)

def solve_lpmin(obj, rows, rhs):
    # the symbolic form sympy's documentation shows: relationals over symbols
    x = symbols(f"d0:{len(obj)}")
    cons = [sum(a * t for a, t in zip(r, x)) <= b for r, b in zip(rows, rhs)]
    cons += [t >= -1 for t in x] + [t <= 1 for t in x]
    value, _ = lpmin(sum(a * t for a, t in zip(obj, x)), cons)
    return value

SOLVE = solve_SOLVER

def decide(k):
    R = Rational
    W = [[R(t) for t in w] for w in k["W"]]; b = [R(t) for t in k["b"]]
    v = [R(t) for t in k["v"]]; c = R(k["c"])
    X = [[R(t) for t in x] for x in k["X"]]; y = [R(t) for t in k["y"]]
    n, d, m = len(X), len(X[0]), len(W)
    lift = [x + [R(1)] for x in X]
    z = [[sum(W[j][q] * X[i][q] for q in range(d)) + b[j] for j in range(m)] for i in range(n)]
    f = [c + sum(v[j] * max(z[i][j], 0) for j in range(m)) for i in range(n)]
    r = [f[i] - y[i] for i in range(n)]
    if sum(r) != 0:
        return False
    for j in range(m):
        p = [sum(r[i] * lift[i][q] for i in range(n) if z[i][j] > 0) for q in range(d + 1)]
        kinks = {}
        for i in range(n):
            if z[i][j] == 0:
                key = tuple(lift[i])
                kinks[key] = kinks.get(key, 0) + r[i]
        normals, weights = list(kinks), list(kinks.values())
        senses = [1, -1] if v[j] == 0 else [1 if v[j] > 0 else -1]
        for pattern in itertools.product((1, -1), repeat=len(normals)):
            # the cell s_H n_H . delta >= 0, where g is linear: min sigma g over cell and box
            lin = list(p)
            for s, nh, wh in zip(pattern, normals, weights):
                if s == 1:
                    lin = [a + wh * t for a, t in zip(lin, nh)]
            rows = [[-s * t for t in nh] for s, nh in zip(pattern, normals)]
            for sigma in senses:
                if SOLVE([sigma * t for t in lin], rows, [0] * len(rows)) < 0:
                    return False
    return True

verdicts = [decide(k) for k in cases]
cold, cold_cpu = time.perf_counter() - t0, time.process_time() - c0
warm = warm_cpu = None
if "--warm" in sys.argv:
    t1, c1 = time.perf_counter(), time.process_time()
    [decide(k) for k in cases]
    warm, warm_cpu = time.perf_counter() - t1, time.process_time() - c1
print(json.dumps({"cold": cold, "warm": warm, "cold_cpu": cold_cpu, "warm_cpu": warm_cpu,
                  "verdicts": verdicts}))
"""


def child(code: str, cases: list[dict], cache: str, src: str | None = None,
          args: tuple[str, ...] = ()) -> dict:
    """Run ``code`` in a fresh interpreter (with ``src`` first on the path, if given).

    Byte code is cached under ``cache`` (PYTHONPYCACHEPREFIX), as an installed package has
    it: with PYTHONDONTWRITEBYTECODE set, every run would compile relu_minima from source
    while sympy loads its installed .pyc files.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache
    if src is not None:
        env["PYTHONPATH"] = src
    out = subprocess.run([sys.executable, "-c", code, *args], input=json.dumps(cases),
                         check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout)


def random_form(rng: random.Random, dim: int, K: int, convex: bool):
    """A kink form with K nonzero small normals; p from the Lemma C zonotope of its positive
    kinks (so it often holds); weights all positive (convex) or mixed."""
    from relu_minima.verify.shallow.kink_forms import KinkForm

    F = Fraction
    normals: list[tuple[Fraction, ...]] = []
    while len(normals) < K:
        n = tuple(F(rng.randint(-3, 3)) for _ in range(dim))
        if any(n):
            normals.append(n)
    weights = tuple(F(rng.randint(1, 4) if convex else (rng.randint(-2, 4) or 1))
                    for _ in normals)
    lam = [F(rng.randint(0, 4), 4) for _ in normals]
    p = tuple(-sum((t * w * n[k] for t, w, n in zip(lam, weights, normals, strict=True)
                    if w > 0), F(0)) for k in range(dim))
    return KinkForm(p, tuple(normals), weights)


def threshold_table() -> None:
    """The measurement behind kink_forms.RAYS_THRESHOLD: per form, the integer rays (every
    line) beside the zonotope decisions (Lemma C / D with float LPs), warm, in this process."""
    from relu_minima.verify.shallow.kink_forms import RAYS_THRESHOLD, decide_sign
    from relu_minima.verify.shallow.kink_rays import IntegerRays

    decide_sign(random_form(random.Random(0), 3, 5, False), 1, max_subsets=0)  # scipy import
    print(f"threshold (kink_forms.RAYS_THRESHOLD = {RAYS_THRESHOLD}); CPU ms per form, "
          "6 forms each, warm")
    print(f"{'weights':8s} {'d+1':>3s} {'K':>3s} {'subsets':>8s} {'holds':>5s} "
          f"{'rays':>9s} {'LPs':>9s} {'LPs/rays':>9s}")
    for convex in (False, True):
        for dim in (2, 3, 4, 5):
            for K in (4, 8, 16, 24, 32):
                rng = random.Random(100 * dim + K)
                forms = [random_form(rng, dim, K, convex) for _ in range(6)]
                subsets = statistics.mean(
                    IntegerRays(e.p, e.normals, e.weights).subsets
                    for e in (f.essential() for f in forms))
                t = time.process_time()
                a = [decide_sign(f, 1, max_subsets=10**9) for f in forms]
                t_rays = (time.process_time() - t) / 6
                t = time.process_time()
                b = [decide_sign(f, 1, max_subsets=0) for f in forms]
                t_lp = (time.process_time() - t) / 6
                if [x.holds for x in a] != [x.holds for x in b]:
                    raise SystemExit("the two paths disagree")
                print(f"{'convex' if convex else 'mixed':8s} {dim:3d} {K:3d} {subsets:8.0f} "
                      f"{sum(x.holds for x in a):5d} {t_rays * 1e3:9.2f} {t_lp * 1e3:9.2f} "
                      f"{t_lp / t_rays:8.1f}x", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=60)
    ap.add_argument("--seed", type=int, default=30)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--lpmin-repeats", type=int, default=1,
                    help="runs of the slow symbolic (lpmin) script, cold only (0: skip)")
    ap.add_argument("--before", metavar="SRC", help="also time the package under SRC (e.g. "
                    "another checkout's src/, the code before a change) in the same run")
    ap.add_argument("--threshold", action="store_true",
                    help="only the measurement behind kink_forms.RAYS_THRESHOLD")
    args = ap.parse_args()
    if args.threshold:
        threshold_table()
        return
    rng = random.Random(args.seed)
    cases = [instance(rng) for _ in range(args.count)]
    linprog = BASELINE.replace("solve_SOLVER", "solve_linprog")
    lpmin = BASELINE.replace("solve_SOLVER", "solve_lpmin")
    runs: dict[str, list[dict]] = {"ours": [], "linprog": [], "lpmin": [], "before": []}
    with tempfile.TemporaryDirectory() as cache:
        child(OURS, cases[:2], cache)  # compile the byte code of both sides, untimed
        child(linprog, cases[:2], cache)
        if args.before:
            child(OURS, cases[:2], cache, args.before)
        for k in range(args.repeats):  # alternate, so that a busy machine slows all alike
            runs["ours"].append(child(OURS, cases, cache))
            runs["linprog"].append(child(linprog, cases, cache, args=("--warm",)))
            if args.before:
                runs["before"].append(child(OURS, cases, cache, args.before))
            if k < args.lpmin_repeats:
                runs["lpmin"].append(child(lpmin, cases, cache))
    verdicts = runs["ours"][0]["verdicts"]
    for name, rs in runs.items():
        if rs and rs[0]["verdicts"] != verdicts:
            raise SystemExit(f"the verdicts of {name} differ from ours")
    n = len(cases)

    def ms(name: str, key: str) -> float:
        return 1e3 * statistics.median(r[key] for r in runs[name]) / n

    ours = runs["ours"][0]
    how = {h: ours["how"].count(h) for h in sorted(set(ours["how"]))}
    print(f"{n} instances (d <= 2, n <= 8, m <= 3; {sum(verdicts)} minima); medians of "
          f"{args.repeats} fresh processes per side, alternating; load {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    print(f"ours: forms decided by {how}; modules the first pass loaded: {ours['loaded']}")
    print(f"{'ms per instance':40s} {'cold wall':>10s} {'cold CPU':>10s} {'warm wall':>10s} "
          f"{'warm CPU':>10s}")
    rows = [("ours", "ours"), ("sympy per-cell linprog (matrices)", "linprog"),
            ("sympy per-cell lpmin (symbolic)", "lpmin")]
    if args.before:
        rows.append((f"ours under {args.before}", "before"))
    for label, name in rows:
        if not runs[name]:
            continue
        cells = [f"{ms(name, key):10.2f}" if runs[name][0][key] is not None else f"{'-':>10s}"
                 for key in ("cold", "cold_cpu", "warm", "warm_cpu")]
        print(f"{label:40s} {' '.join(cells)}")
    print("cold ratios (the script's time / ours; wall, CPU); goal >= 100x:")
    for label, name in rows[1:]:
        if runs[name]:
            print(f"  {label:38s} {ms(name, 'cold') / ms('ours', 'cold'):7.1f}x "
                  f"{ms(name, 'cold_cpu') / ms('ours', 'cold_cpu'):7.1f}x")


if __name__ == "__main__":
    main()
