"""Search for reference 001's "deadlocked" sigmoid 2-2-1 datasets with fewer than 10 points.

Reference 001 reports that an earlier version of the paper "construct[s] what they conjecture
to be the smallest dataset (10 points) such that a 2-2-1 fully connected NN with sigmoid
activations is 'deadlocked' into a local minimum with an accuracy significantly below the
optimum (50% that of another point they explicitly show)" (issue 29). This script looks for a
counterexample with n < 10 points: a strict local minimum, certified by
``certify_smooth_minimum``, whose training accuracy is at most half that of an explicit point.

Declared setting (the one ``relu_minima.paper.references.deadlock`` certifies): inputs in R^2,
labels in {0, 1}, f(x) = c + v_1 s(w_1 . x + b_1) + v_2 s(w_2 . x + b_2) with s the logistic
sigmoid and a linear output; squared loss sum (f - y)^2 with targets y, classified 1 iff
f > 1/2; log loss sum log(1 + exp(-(2y - 1) f)) (f is the logit), classified 1 iff f > 0.

Method, per dataset (float64 evidence; nothing here proves anything):

1. draw a dataset from one of four families (seeded per family, size, loss, trial):
   ``uniform`` (inputs uniform in [0, 3]^2, random labels), ``pairs`` (close pairs of
   opposite labels plus random singletons: the strict minima found first misclassified such
   pairs), ``seeded`` (a random network; pairs straddle its decision boundary against its
   slope, singletons labelled by it), ``band`` (singletons labelled 1 inside a band, 0
   outside; pairs on its edges, reversed);
2. train from ``--starts`` random initialisations (and, for ``seeded``, from the seeding network)
   with damped Newton (Levenberg-Marquardt on the loss), then polish every end point as a
   critical point (Levenberg-Marquardt on |grad L|^2);
3. keep finite critical points (max |theta| < 30) with a positive definite Hessian
   (lambda_min > 1e-10 lambda_max) and both output weights away from 0: candidate strict
   minima; the best accuracy over all training runs, and over log-loss training, is the
   candidate "explicit point";
4. a candidate with accuracy <= half the best is rationalised (inputs rounded to 1/100, else
   1/1000, ...; the minimum re-polished on the rounded data) and certified:
   ``certify_smooth_minimum`` must say "local minimum" and ``rigorous_accuracy`` (ball
   arithmetic over the certified box, and at the explicit rational point) must prove the
   accuracy condition. Certified finds are written to the state file.

Resumable: the state file (``--state``, JSON) records, per family and size, the next trial and
every strict minimum found (data, point, accuracy); rerunning continues where it stopped. The
random stream of a trial is ``default_rng([seed, family, n, loss, trial])``, so a resumed run
draws the same datasets as an uninterrupted one. ``ref001_reduction.py`` then removes points
from the strict minima found, by continuation (how the library's 8-point case was reached).

The recorded run (docs/errata.md, Part 4; about an hour per loss on one shared core):
      python benchmarks/search_ref001_deadlock.py --sizes 4-9 --trials 25 --losses squared \
          --state sq.json      (and --losses logistic --state lg.json)
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits
from tqdm import tqdm

FAMILIES = ("uniform", "pairs", "seeded", "band")
LOSSES = ("squared", "logistic")
THRESHOLD = {"squared": 0.5, "logistic": 0.0}
U_IDX = ((0, 1, 4), (2, 3, 5))  # (w_j1, w_j2, b_j) in the flat layout w_1, w_2, b, v, c


# -- float64 loss, gradient, Hessian of a batch of 2-2-1 networks ------------------------------
def derivatives(theta: np.ndarray, X1: np.ndarray, y: np.ndarray, loss: str,
                weights: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(L, grad, Hessian, outputs) for B parameter vectors at once (layout of SmoothNet);
    ``weights`` (one per point, default 1) weight the loss terms (the reduction's homotopy)."""
    B, N = theta.shape[0], X1.shape[0]
    U = np.stack([theta[:, list(U_IDX[0])], theta[:, list(U_IDX[1])]], 1)  # B x 2 x 3
    v, c = theta[:, 6:8], theta[:, 8]
    T = np.tanh(np.einsum("nk,bjk->bnj", X1, U) / 2)
    S, sech2 = (1 + T) / 2, 1 - T * T
    S1, S2 = sech2 / 4, -sech2 * T / 4
    f = np.einsum("bnj,bj->bn", S, v) + c[:, None]
    if loss == "squared":
        r = f - y
        ell, d1, d2 = (r * r).sum(1), 2 * r, np.full_like(f, 2.0)
    else:
        t = 2 * y - 1
        ell = np.logaddexp(0, -t * f).sum(1)
        d1 = -t * (1 + np.tanh(-t * f / 2)) / 2
        sf = (1 + np.tanh(f / 2)) / 2
        d2 = sf * (1 - sf)
    if weights is not None:
        if loss == "squared":
            ell = (weights * (f - y) ** 2).sum(1)
        else:
            ell = (weights * np.logaddexp(0, -(2 * y - 1) * f)).sum(1)
        d1, d2 = d1 * weights, d2 * weights
    J = np.zeros((B, N, 9))
    VS1 = v[:, None, :] * S1
    for j in range(2):
        J[:, :, 2 * j:2 * j + 2] = VS1[:, :, j:j + 1] * X1[None, :, :2]
    J[:, :, 4:6], J[:, :, 6:8], J[:, :, 8] = VS1, S, 1
    g = np.einsum("bn,bnp->bp", d1, J)
    H = np.einsum("bnp,bn,bnq->bpq", J, d2, J)
    for j, idx in enumerate(U_IDX):
        ii = np.array(idx)
        Tj = np.einsum("bn,nk,nl->bkl", d1 * S2[:, :, j], X1, X1) * v[:, j, None, None]
        H[:, ii[:, None], ii[None, :]] += Tj
        GU = np.einsum("bn,nk->bk", d1 * S1[:, :, j], X1)
        H[:, ii, 6 + j] += GU
        H[:, 6 + j, ii] += GU
    return ell, g, H, f


def _solve(M: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    M = np.where(np.isfinite(M), M, 0.0)
    rhs = np.where(np.isfinite(rhs), rhs, 0.0)
    try:
        return np.linalg.solve(M, rhs[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        return np.einsum("bij,bj->bi", np.linalg.pinv(M), rhs)


def train(theta: np.ndarray, X1: np.ndarray, y: np.ndarray, loss: str, iters: int
          ) -> np.ndarray:
    """Levenberg-Marquardt descent on L (a step is kept only if L does not increase)."""
    lam = np.full(len(theta), 1e-2)
    ell, g, H, _ = derivatives(theta, X1, y, loss)
    eye = np.eye(9)[None]
    for _ in range(iters):
        step = -_solve(H + lam[:, None, None] * eye, g)
        step *= np.minimum(1, 2 / np.maximum(np.abs(step).max(1), 1e-300))[:, None]
        new = theta + step
        ell2, g2, H2, _ = derivatives(new, X1, y, loss)
        ok = np.isfinite(ell2) & (ell2 <= ell + 1e-15 * np.abs(ell))
        theta = np.where(ok[:, None], new, theta)
        ell, g = np.where(ok, ell2, ell), np.where(ok[:, None], g2, g)
        H = np.where(ok[:, None, None], H2, H)
        lam = np.where(ok, np.maximum(lam / 3, 1e-12), lam * 4)
    return theta


def polish(theta: np.ndarray, X1: np.ndarray, y: np.ndarray, loss: str, iters: int = 40
           ) -> tuple[np.ndarray, ...]:
    """Levenberg-Marquardt on |grad L|^2: converges to critical points of any index."""
    lam = np.full(len(theta), 1e-3)
    _, g, H, _ = derivatives(theta, X1, y, loss)
    obj = (g * g).sum(1)
    eye = np.eye(9)[None]
    for _ in range(iters):
        HtH = np.einsum("bij,bik->bjk", H, H)
        scale = np.trace(HtH, axis1=1, axis2=2) / 9 + 1e-30
        step = -_solve(HtH + (lam * scale)[:, None, None] * eye,
                       np.einsum("bij,bi->bj", H, g))
        step *= np.minimum(1, 1 / np.maximum(np.abs(step).max(1), 1e-300))[:, None]
        new = theta + step
        _, g2, H2, _ = derivatives(new, X1, y, loss)
        o2 = (g2 * g2).sum(1)
        ok = np.isfinite(o2) & (o2 < obj)
        theta = np.where(ok[:, None], new, theta)
        g, H, obj = np.where(ok[:, None], g2, g), np.where(ok[:, None, None], H2, H), \
            np.where(ok, o2, obj)
        lam = np.where(ok, np.maximum(lam / 5, 1e-15), np.minimum(lam * 5, 1e10))
    return (theta, *derivatives(theta, X1, y, loss))


def accuracy(f: np.ndarray, y: np.ndarray, loss: str) -> np.ndarray:
    return ((f > THRESHOLD[loss]) == (y > 0.5)).mean(-1)


# -- datasets ------------------------------------------------------------------------------------
def _net_outputs(th: np.ndarray, X: np.ndarray) -> np.ndarray:
    W = np.array([[th[0], th[1]], [th[2], th[3]]])
    S = 1 / (1 + np.exp(-(X @ W.T + th[4:6])))
    return S @ th[6:8] + th[8]


def _net_gradient(th: np.ndarray, x: np.ndarray) -> np.ndarray:
    W = np.array([[th[0], th[1]], [th[2], th[3]]])
    s = 1 / (1 + np.exp(-(W @ x + th[4:6])))
    return (th[6:8] * s * (1 - s)) @ W


def draw(family: str, n: int, loss: str, rng: np.random.Generator
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(X, labels, seeding network or None) of one trial."""
    if family == "uniform":
        return rng.uniform(0, 3, (n, 2)), rng.integers(0, 2, n).astype(float), None
    pairs = int(rng.integers(1, n // 2 + 1))
    if family == "band":
        return _band(n, pairs, loss, rng)
    if family == "pairs":
        Xs, ys = [], []
        for _ in range(pairs):
            centre, angle = rng.uniform(0, 3, 2), rng.uniform(0, 2 * np.pi)
            half = np.array([np.cos(angle), np.sin(angle)]) * 10 ** rng.uniform(-1.7, -0.5) / 2
            Xs += [centre - half, centre + half]
            ys += [0.0, 1.0]
        while len(Xs) < n:
            Xs.append(rng.uniform(0, 3, 2))
            ys.append(float(rng.integers(0, 2)))
        return np.array(Xs), np.array(ys), None
    thr = THRESHOLD[loss]
    while True:  # a network whose decision boundary crosses [0, 3]^2
        th = np.r_[rng.normal(0, 3, 6), rng.normal(0, 2, 2), rng.normal(thr, 0.5)]
        th[4] = -th[0] * rng.uniform(0, 3) - th[1] * rng.uniform(0, 3)
        th[5] = -th[2] * rng.uniform(0, 3) - th[3] * rng.uniform(0, 3)
        grid = rng.uniform(0, 3, (400, 2))
        F = _net_outputs(th, grid)
        near = grid[np.abs(F - thr) < 0.15]
        if len(near) >= pairs and 0.2 < (F > thr).mean() < 0.8:
            break
    Xs, ys = [], []
    for _ in range(pairs):  # straddle the boundary against the slope: 0 uphill, 1 downhill
        centre = near[rng.integers(len(near))]
        g = _net_gradient(th, centre)
        half = g / (np.linalg.norm(g) + 1e-12) * 10 ** rng.uniform(-1.7, -0.8) / 2
        Xs += [centre + half, centre - half]
        ys += [0.0, 1.0]
    while len(Xs) < n:
        x = rng.uniform(0, 3, 2)
        Xs.append(x)
        ys.append(float(_net_outputs(th, x[None])[0] > thr))
    return np.array(Xs), np.array(ys), th


def _band(n: int, pairs: int, loss: str, rng: np.random.Generator
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Singletons labelled 1 inside a band between two lines, 0 outside; close pairs straddle
    the band's edges reversed (0 inside, 1 outside): the structure of the first strict minima
    found, which misclassify both points of such pairs."""
    a1 = rng.uniform(0, np.pi)
    a2 = a1 + rng.normal(0, 0.4)
    n1, n2 = np.array([np.cos(a1), np.sin(a1)]), np.array([np.cos(a2), np.sin(a2)])
    centre, width = rng.uniform(1, 2, 2), rng.uniform(0.5, 1.5)
    b1, b2 = n1 @ centre - width / 2, n2 @ centre + width / 2  # inside: n1.x > b1, n2.x < b2
    Xs, ys = [], []
    for k in range(pairs):
        normal, offset, inward = (n1, b1, n1) if k % 2 == 0 else (n2, b2, -n2)
        x = rng.uniform(0, 3, 2)
        x = x - (normal @ x - offset) * normal  # onto the edge
        half = inward * 10 ** rng.uniform(-1.7, -1.0) / 2
        Xs += [x + half, x - half]
        ys += [0.0, 1.0]
    while len(Xs) < n:
        x = rng.uniform(0, 3, 2)
        Xs.append(x)
        ys.append(float(n1 @ x > b1 and n2 @ x < b2))
    v, c = (1.0, -1.0) if loss == "squared" else (4.0, -6.0)  # f ~ 1 (logit 2) inside
    k = rng.uniform(1, 8)
    net = np.r_[k * n1, -k * n2, -k * b1, k * b2, v, v, c]
    return np.array(Xs), np.array(ys), net


# -- one trial -----------------------------------------------------------------------------------
def strict_minima(X: np.ndarray, y: np.ndarray, loss: str, rng: np.random.Generator,
                  starts: int, iters: int, seed_net: np.ndarray | None
                  ) -> tuple[list[dict], float]:
    """Candidate strict minima (float evidence) and the best accuracy seen on these labels."""
    X1 = np.c_[X, np.ones(len(X))]
    init = rng.normal(0, 2.5, (starts, 9))
    if seed_net is not None:
        init = np.r_[init, seed_net + rng.normal(0, 0.3, (starts // 2, 9))]
    ends = train(init, X1, y, loss, iters)
    best = float(np.nanmax(accuracy(derivatives(ends, X1, y, loss)[3], y, loss)))
    if loss == "squared":  # the log loss pushes towards separating the labels
        logit = train(rng.normal(0, 3, (starts // 2, 9)), X1, y, "logistic", iters // 2)
        best = max(best, float(np.nanmax(accuracy(derivatives(logit, X1, y, "logistic")[3],
                                                  y, "logistic"))))
    finite = np.all(np.isfinite(ends), 1) & (np.abs(ends).max(1) < 30)
    found: list[dict] = []
    if not finite.any():
        return found, best
    th, ell, g, H, f = polish(ends[finite], X1, y, loss)
    seen: set[float] = set()
    for k in range(len(th)):
        T = th[k]
        if not np.all(np.isfinite(g[k])) or np.abs(g[k]).max() > 1e-10 or np.abs(T).max() > 30:
            continue
        if min(abs(T[6]), abs(T[7])) < 1e-3:
            continue
        e = np.linalg.eigvalsh(H[k])
        if e[0] <= 1e-10 * e[-1] or round(float(ell[k]), 6) in seen:
            continue
        seen.add(round(float(ell[k]), 6))
        found.append({"theta": T.tolist(), "loss_value": float(ell[k]),
                      "lambda_min": float(e[0]), "accuracy": float(accuracy(f[k], y, loss))})
    return found, best


def explicit_point(X: np.ndarray, labels: np.ndarray, loss: str, rng: np.random.Generator,
                   starts: int) -> np.ndarray:
    """The most accurate point of several trainings (log loss from three scales, and the loss
    itself), ties broken by the smaller loss; for the squared loss a log-loss network is used
    as 1/2 + logit/1000 (the same predictions)."""
    X1 = np.c_[X, np.ones(len(X))]
    pool = []
    for scale in (1, 3, 10):
        pool.append(train(rng.normal(0, scale, (starts, 9)), X1, labels, "logistic", 400))
    if loss == "squared":
        pool = [np.c_[p[:, :6], p[:, 6:8] / 1000, 0.5 + p[:, 8:] / 1000] for p in pool]
    pool.append(train(rng.normal(0, 3, (starts, 9)), X1, labels, loss, 400))
    cands = np.concatenate(pool)
    ell, _, _, f = derivatives(cands, X1, labels, loss)
    acc = np.where(np.isfinite(ell), accuracy(f, labels, loss), -1)
    best = np.flatnonzero(acc == acc.max())
    return cands[best[np.argmin(ell[best])]]


def certify_candidate(X: np.ndarray, labels: np.ndarray, loss: str, theta: list[float],
                      rng: np.random.Generator, starts: int) -> dict | None:
    """Round the inputs (to 1/100, else 1/1000, ..., 1/10^5), re-polish, then certify the
    minimum and an explicit better point exactly; the first rounding that certifies is kept."""
    from relu_minima.paper.references.deadlock import DeadlockCase, recertify

    for decimals in (2, 3, 4, 5):
        Xq = np.round(X * 10**decimals) / 10**decimals
        th = polish(np.array([theta]), np.c_[Xq, np.ones(len(Xq))], labels, loss, iters=60)[0]
        if not np.all(np.isfinite(th)):
            continue
        better = explicit_point(Xq, labels, loss, rng, starts)  # on the data certified
        case = DeadlockCase.from_floats("search", Xq, labels, loss, th[0], better,
                                        decimals=decimals)
        evidence = recertify(case)
        if evidence.is_minimum:
            return {"case": case.to_json(), "deadlocked": evidence.deadlocked,
                    "summary": evidence.summary()}
    return None


# -- the driver ----------------------------------------------------------------------------------
def parse_sizes(text: str) -> list[int]:
    if "-" in text:
        lo, hi = text.split("-")
        return list(range(int(lo), int(hi) + 1))
    return [int(t) for t in text.split(",")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="4-9", help="dataset sizes, e.g. 4-9 or 6,8")
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--losses", default=",".join(LOSSES))
    ap.add_argument("--trials", type=int, default=50, help="datasets per family, size, loss")
    ap.add_argument("--starts", type=int, default=160, help="training starts per dataset")
    ap.add_argument("--iters", type=int, default=500, help="training iterations per start")
    ap.add_argument("--seed", type=int, default=29)
    ap.add_argument("--state", type=Path, default=Path("search_ref001_state.json"))
    args = ap.parse_args()
    state = json.loads(args.state.read_text()) if args.state.exists() else {
        "seed": args.seed, "next": {}, "minima": [], "certified": []}
    if state["seed"] != args.seed:
        raise SystemExit(f"--seed={args.seed} but the state file was written with seed "
                         f"{state['seed']}; pass --seed {state['seed']} or a new --state.")
    configs = [(fam, n, loss) for n in parse_sizes(args.sizes)
               for fam in args.families.split(",") for loss in args.losses.split(",")]
    todo = sum(max(0, args.trials - state["next"].get(f"{fam}/{n}/{loss}", 0))
               for fam, n, loss in configs)
    t0 = time.perf_counter()
    with threadpool_limits(1), tqdm(total=todo, desc="datasets", unit="set") as bar:
        for fam, n, loss in configs:
            key = f"{fam}/{n}/{loss}"
            for trial in range(state["next"].get(key, 0), args.trials):
                rng = np.random.default_rng([args.seed, FAMILIES.index(fam), n,
                                             LOSSES.index(loss), trial])
                X, labels, seed_net = draw(fam, n, loss, rng)
                if labels.min() != labels.max():
                    found, best = strict_minima(X, labels, loss, rng, args.starts, args.iters,
                                                seed_net)
                    for m in found:
                        record = {"family": fam, "n": n, "loss": loss, "trial": trial,
                                  "X": X.tolist(), "labels": labels.tolist(),
                                  "best_accuracy": best, **m}
                        state["minima"].append(record)
                        if m["accuracy"] <= best / 2:
                            out = certify_candidate(X, labels, loss, m["theta"], rng,
                                                    args.starts)
                            if out is not None:
                                state["certified"].append({**record, **out})
                                tqdm.write(f"certified {key} trial {trial}: {out['summary']}")
                state["next"][key] = trial + 1
                args.state.write_text(json.dumps(state))
                bar.update(1)
    elapsed = time.perf_counter() - t0
    report(state, elapsed)


def report(state: dict, elapsed: float) -> None:
    print(f"\n{sum(state['next'].values())} datasets searched in total "
          f"({elapsed:.0f} s this run); strict minima (float evidence) by size and loss:")
    table: dict[tuple[int, str], list[float]] = {}
    for m in state["minima"]:
        table.setdefault((m["n"], m["loss"]), []).append(m["accuracy"])
    for (n, loss), accs in sorted(table.items()):
        ratio = min(accs)
        print(f"  n={n} {loss:9s}: {len(accs):4d} minima, lowest accuracy {ratio:.3f}")
    ok = [c for c in state["certified"] if c["deadlocked"]]
    print(f"certified deadlocked datasets: {len(ok)}"
          + (f", smallest n = {min(c['n'] for c in ok)}" if ok else ""))


if __name__ == "__main__":
    main()
