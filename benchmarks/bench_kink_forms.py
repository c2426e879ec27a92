"""Benchmark: mixed-sign kink forms (issue 10), the zonotope decision beside the ray enumeration.

1. The issue's table, rebuilt: a unit w = 0, b = 0 with Jensen-type residuals (each centre q
   weighs -2d, its 2d axis neighbours q +- e_k weigh +1; groups disjoint), d = 3 with 42
   points and d = 4 with 27 points; and a unit w = (0, 0, 0, 1), b = 0 with 70 such kink
   points on x_4 = 0 plus two off-plane points of residual 0 (n = 72, d = 4). Each is a
   local minimum. Timed: the whole ``verify_local_minimum``; baseline: the ray enumeration
   of Lemma A on the same unit (``decide_sign_by_rays``), in a child process with a timeout.
   The 179 s case is not re-run unless --all-old is given.
2. A growing family: d = 3, 4, 5; 20 to 400 kink points; w = 0, b = 0; groups q, q +- v_k
   (random integer v_k, k = 1..d, random weights a_k > 0 on the pair, -2 sum a_k on q): the
   form is >= 0 ("holds"). In the "fails" twin one group's pair is q + v, q - v - e_1, which
   breaks Jensen's inequality in a thin cone. Baseline rays only on the smallest sizes.
   Writes benchmarks/out/kink_forms_growth.png.

Run:  python benchmarks/bench_kink_forms.py [--all-old] [--old-timeout SECONDS]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import time
from fractions import Fraction
from pathlib import Path

from relu_minima import Dataset, ShallowReLU, verify_local_minimum
from relu_minima.verify.shallow.kink_forms import KinkForm, decide_sign, decide_sign_by_rays
from relu_minima.verify.shallow.zonotope_search import decide_mixed

OUT = Path(__file__).resolve().parent / "out"


def jensen_groups(d: int, groups: int, rng: random.Random) -> dict[tuple[int, ...], int]:
    """Residual per input: centres weigh -2d, their axis neighbours +1; groups disjoint."""
    centres: set[tuple[int, ...]] = set()
    while len(centres) < groups:
        centres.add(tuple(3 * rng.randint(-6, 6) for _ in range(d)))
    pts: dict[tuple[int, ...], int] = {}
    for q in sorted(centres):
        pts[q] = pts.get(q, 0) - 2 * d
        for k in range(d):
            for s in (1, -1):
                x = list(q)
                x[k] += s
                pts[tuple(x)] = pts.get(tuple(x), 0) + 1
    return pts


def table_case(name: str) -> tuple[ShallowReLU, Dataset]:
    rng = random.Random(10)
    if name == "plane":
        pts = jensen_groups(3, 10, rng)
        X = [[*x, 0] for x in pts] + [[0, 0, 0, 1], [0, 0, 0, -1]]
        r = [*pts.values(), 0, 0]
        net = ShallowReLU([[0, 0, 0, 1]], [0], [1], 0)
    else:
        d, groups = {"d3": (3, 6), "d4": (4, 3)}[name]
        pts = jensen_groups(d, groups, rng)
        X, r = [list(x) for x in pts], list(pts.values())
        net = ShallowReLU([[0] * d], [0], [1], 0)
    f = [max(0, x[-1]) if name == "plane" else 0 for x in X]  # the unit's output, v = 1, c = 0
    return net, Dataset(X, [fi - ri for fi, ri in zip(f, r, strict=True)])  # r = f - y


def family_form(d: int, K: int, holds: bool, seed: int) -> KinkForm:
    rng = random.Random(seed)
    size = 2 * d + 1
    pts: dict[tuple[int, ...], int] = {}
    centres: set[tuple[int, ...]] = set()
    while len(centres) < -(-K // size):  # enough groups for at least K points
        centres.add(tuple(7 * rng.randint(-9, 9) for _ in range(d)))
    for g, q in enumerate(sorted(centres)):
        total = 0
        for k in range(d):
            v = [rng.randint(-2, 2) for _ in range(d)]
            v[k] = rng.choice((1, 2, 3))  # independent pair directions
            a = rng.randint(1, 3)
            w = [t + (1 if (not holds and g == 0 and k == 0 and i == 0) else 0)
                 for i, t in enumerate(v)]
            for x in (tuple(qi + vi for qi, vi in zip(q, v, strict=True)),
                      tuple(qi - wi for qi, wi in zip(q, w, strict=True))):
                pts[x] = pts.get(x, 0) + a
            total += a
        pts[q] = pts.get(q, 0) - 2 * total
    normals = tuple(tuple(Fraction(t) for t in (*x, 1)) for x in pts)
    return KinkForm((Fraction(0),) * (d + 1), normals, tuple(Fraction(w) for w in pts.values()))


def _rays_child(form: KinkForm, queue) -> None:
    t = time.perf_counter()
    dec = decide_sign_by_rays(form, 1)
    queue.put((time.perf_counter() - t, dec.holds))


def old_path(form: KinkForm, timeout: float) -> tuple[float | None, bool | None]:
    """Ray enumeration in a child process; (None, None) if it did not finish in time."""
    queue = mp.get_context("fork").Queue()
    proc = mp.get_context("fork").Process(target=_rays_child, args=(form, queue))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.terminate()  # only the child this function started
        proc.join()
        return None, None
    return queue.get()


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--all-old", action="store_true", help="also run the 179 s baseline")
    ap.add_argument("--old-timeout", type=float, default=40.0)
    args = ap.parse_args()
    decide_sign(family_form(3, 20, True, 0), 1)  # warm up scipy's import, not the timing

    print("Issue 10 table: whole verify_local_minimum vs ray enumeration of the unit")
    print(f"{'case':<8}{'n':>4}{'d':>3}  {'minimum':<8}{'new (s)':>9}{'leaves':>7}"
          f"{'rays (s)':>10}{'ratio':>8}")
    for name in ("d3", "d4", "plane"):
        net, D = table_case(name)
        t_new, cert = timed(lambda net=net, D=D: verify_local_minimum(net, D))
        dec = cert.units[0].decision
        leaves = dec.zonotope.leaves if dec.zonotope else "-"
        if name == "plane" and not args.all_old:
            old = "skip"
            ratio = ""
        else:
            t_old, holds = old_path(dec.form, args.old_timeout)
            if t_old is None:
                old, ratio = f"> {args.old_timeout:.0f}", ""
            else:
                assert holds == dec.holds
                old, ratio = f"{t_old:.1f}", f"{t_old / t_new:.0f}x"
        print(f"{name:<8}{D.n:>4}{D.d:>3}  {cert.is_local_minimum!s:<8}{t_new:>9.3f}"
              f"{leaves!s:>7}{old:>10}{ratio:>8}", flush=True)

    print("\nGrowing family (w = 0, b = 0): decide_sign, and the zonotope search alone")
    print("(kink_cells.decide_mixed, i.e. the time when no cheap direction +-p, +-n_H violates)")
    print(f"{'d':>2}{'K':>5}{'N':>4}  {'kind':<6}{'verdict':<8}{'new (s)':>9}{'B&B (s)':>9}"
          f"{'leaves':>7}{'rays (s)':>10}")
    rows = []
    for d in (3, 4, 5):
        for K in (20, 50, 100, 200, 400):
            for holds in (True, False):
                form = family_form(d, K, holds, seed=100 * d + K)
                t_new, dec = timed(lambda form=form: decide_sign(form, 1))
                if dec.holds != holds:
                    raise SystemExit(f"unexpected verdict at d={d}, K={K}, holds={holds}")
                dec._check()
                ess = form.essential()
                t_bb, (cert, _) = timed(lambda ess=ess: decide_mixed(
                    ess.p, ess.normals, ess.weights, 1))
                if (cert is not None) != holds:
                    raise SystemExit(f"unexpected search verdict at d={d}, K={K}")
                old = ""
                if K == 20:
                    t_old, h_old = old_path(form, 10.0)
                    if t_old is None:
                        old = "> 10"
                    else:
                        assert h_old == dec.holds
                        old = f"{t_old:.2f}"
                neg = sum(1 for w in form.weights if w < 0)
                leaves = cert.leaves if cert else "-"
                kind = "holds" if holds else "fails"
                print(f"{d:>2}{len(form.normals):>5}{neg:>4}  {kind:<6}{dec.holds!s:<8}"
                      f"{t_new:>9.3f}{t_bb:>9.3f}{leaves!s:>7}{old:>10}", flush=True)
                rows.append((d, len(form.normals), holds, t_new, t_bb))
    plot(rows)


def plot(rows) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    OUT.mkdir(exist_ok=True)
    fig, ax = plt.subplots(figsize=(6, 4))
    for d, colour in zip((3, 4, 5), ("C0", "C1", "C2"), strict=True):
        for holds, style in ((True, "-o"), (False, "--x")):
            pts = [(k, t if holds else tb) for dd, k, h, t, tb in rows if dd == d and h == holds]
            ax.plot(*zip(*pts, strict=True), style, color=colour,
                    label=f"d = {d}, {'holds' if holds else 'fails (search alone)'}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ticks = (20, 50, 100, 200, 400)
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("kink points K")
    ax.set_ylabel("time (s)")
    ax.set_title("Mixed-sign kink forms: zonotope decision (issue 10)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    path = OUT / "kink_forms_growth.png"
    fig.savefig(path, dpi=120)
    print(f"\ngrowth curve written to {path}")


if __name__ == "__main__":
    main()
