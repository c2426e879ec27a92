"""The float search of a shallow snap: minimise the loss over the closed cell of the trained
activation pattern, by a primal active-set method (docs/snap.md, "Kink pairs").

In the coordinates (u_j, beta_j) = v_j (w_j, b_j) and c, with the pattern fixed (unit j on at
the points A_j), the loss is the convex quadratic F(t) = |sum_j 1_{A_j} (X1 u_j) + c - y|^2, and
the closed cell is the polyhedral cone a_ji(t) = s_ji (x_i, 1) . u_j >= 0, with
s_ji = sign(v_j) (+1 if i in A_j, else -1). On that cell L = F, so the minimiser of F there is
the lowest point of the trained cell; the pairs whose constraint is active at it are the kink
pairs handed to the exact solve (:mod:`.exact_lsq`).

The classical primal active-set method (Nocedal & Wright, Algorithm 16.3): from the trained
point (feasible by construction), solve the equality-constrained problem for the working set,
step towards its solution until a constraint blocks (add it), and at a solution drop the
constraint with the most negative multiplier. Floats only choose the kink pairs: whatever they
do, the exact point is solved, checked against the pattern and certified exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from ..exact.datasets import Dataset

__all__ = ["CellProblem", "Pair", "cell_minimum"]

Pair = tuple[int, int]  # (unit j, data index i), 0-based
TRUST = 1.0  # one step moves at most this times (1 + the largest coordinate) in max norm


@dataclass
class CellProblem:
    """The trained point and data, in floats and as exact integers (X1 = (x, 1) scaled)."""

    dataset: Dataset
    W: np.ndarray
    b: np.ndarray
    v: np.ndarray
    c: float
    Xf1: np.ndarray  # (n, d+1) floats (x_i, 1)
    Xi: np.ndarray  # (n, d+1) integers, = Lx * (x_i, 1)
    Lx: int
    Y: np.ndarray  # integers, = Ly * y
    Ly: int
    yf: np.ndarray
    group: list[int]  # group[i] = index of the first point with the same input
    side: np.ndarray  # (n, m) bool: trained pre-activation > 0
    near: np.ndarray  # (n, m) bool: within the kink tolerance
    live: list[int]
    zero: list[int]
    dead: list[int]
    rel: float

    @property
    def m(self) -> int:
        return self.W.shape[0]

    @property
    def d(self) -> int:
        return self.W.shape[1]

    def trained_u(self, j: int) -> np.ndarray:
        return self.v[j] * np.append(self.W[j], self.b[j])


def _nullspaces(pr: CellProblem, work: dict[int, set[int]]) -> dict[int, np.ndarray]:
    D = pr.d + 1
    return {j: (scipy.linalg.null_space(pr.Xf1[sorted(work[j])]) if work[j] else np.eye(D))
            for j in pr.live}


def _step(Psi: np.ndarray, rhs: np.ndarray, scale: float) -> np.ndarray:
    """The least-squares step: by Cholesky of the Gram matrix when it is well conditioned (one
    matrix product, fast on the tall designs of wide networks), else the minimum-norm solution
    with singular values below 1e-10 of the largest dropped (SVD, gelsd). A step far beyond
    the point's ``scale`` is the mark of a rank-deficient design whose Cholesky passed: it is
    recomputed by the minimum-norm rule (issue 22, item 3: a step of 1e15 at gradient norm
    2.6e-12 put false pairs on their kinks)."""
    G = Psi.T @ Psi
    try:
        C = scipy.linalg.cho_factor(G, check_finite=False)
        diag = np.abs(np.diag(C[0]))
        if diag.min() > 1e-6 * diag.max():
            s = scipy.linalg.cho_solve(C, Psi.T @ rhs, check_finite=False)
            if np.all(np.isfinite(s)) and float(np.max(np.abs(s), initial=0.0)) <= 1e3 * scale:
                return s
    except np.linalg.LinAlgError:
        pass
    return scipy.linalg.lstsq(Psi, rhs, cond=1e-10, lapack_driver="gelsd",
                              check_finite=False)[0]


def _worst_multiplier(pr: CellProblem, work: dict[int, set[int]], r: np.ndarray,
                      sign: np.ndarray, masks: dict[int, np.ndarray], xscale: float
                      ) -> Pair | None:
    """The working pair with the most negative Lagrange multiplier (the loss wants it off its
    kink, into its own side), or None at a minimiser of the closed cell."""
    X1 = pr.Xf1
    worst, where = 0.0, None
    tiny = 1e-9 * max(1.0, float(np.abs(r).sum()) * xscale)
    for j in pr.live:
        if not work[j]:
            continue
        rows = sorted(work[j])
        g = 2.0 * X1.T @ (r * masks[j])
        mu = np.linalg.lstsq((X1[rows] * sign[rows, j][:, None]).T, g, rcond=None)[0]
        k = int(np.argmin(mu))
        if mu[k] < -tiny and mu[k] < worst:
            worst, where = float(mu[k]), (j, rows[k])
    return where


def cell_minimum(pr: CellProblem, start: frozenset[Pair], max_iter: int
                 ) -> tuple[frozenset[Pair], str, tuple[dict[int, np.ndarray], float]]:
    """Kink pairs at the float minimiser of the loss on the trained cell's closure, starting
    with the pairs ``start`` on their kinks; a note on how it went; and the point found, as
    ({j: (u_j, beta_j)}, c)."""
    n = pr.Xf1.shape[0]
    X1 = pr.Xf1
    sign = np.where(pr.side, 1.0, -1.0) * np.sign(pr.v)[None, :]  # s_ji, (n, m)
    group = np.array(pr.group)
    work: dict[int, set[int]] = {j: {pr.group[i] for (jj, i) in start if jj == j}
                                 for j in pr.live}
    U = {j: pr.trained_u(j) for j in pr.live}
    # start on the kinks of the starting pairs (a projection of the size of the tolerance)
    for j in pr.live:
        if work[j]:
            A = X1[sorted(work[j])]
            U[j] = U[j] - np.linalg.pinv(A) @ (A @ U[j])
    c = float(pr.c)
    xscale = float(np.max(np.abs(X1)))
    added = dropped = 0
    status = "stopped at the iteration limit"
    masks = {j: pr.side[:, j].astype(float) for j in pr.live}
    at_minimiser = False  # True after a full step: the working set's minimiser is reached
    for it in range(max_iter):
        r = sum((X1 @ U[j]) * masks[j] for j in pr.live) + c - pr.yf if pr.live \
            else np.full(n, c) - pr.yf
        if at_minimiser:
            # drop the constraint with the most negative multiplier, if any
            where = _worst_multiplier(pr, work, r, sign, masks, xscale)
            if where is None:
                status = f"converged in {it + 1} step(s)"
                break
            work[where[0]].discard(where[1])
            dropped += 1
            at_minimiser = False
            continue
        N = _nullspaces(pr, work)
        Psi = np.column_stack([*((X1 * masks[j][:, None]) @ N[j] for j in pr.live),
                               np.ones(n)])
        scale = 1.0 + max([abs(c), *(float(np.max(np.abs(U[j]))) for j in pr.live)])
        s = _step(Psi, -r, scale)
        steps, pos = {}, 0
        for j in pr.live:
            k = N[j].shape[1]
            steps[j] = N[j] @ s[pos:pos + k]
            pos += k
        # step towards the working set's minimiser until a constraint blocks, and never
        # further than the point's own scale in one step (a trust region: a longer step is a
        # numerical artefact of a nearly singular design, and is taken in parts)
        size = max(float(np.max(np.abs(steps[j]), initial=0.0)) for j in pr.live) \
            if pr.live else 0.0
        alpha, block = (1.0 if size <= TRUST * scale else TRUST * scale / size), None
        trusted = alpha == 1.0
        for j in pr.live:
            a = sign[:, j] * (X1 @ U[j])
            da = sign[:, j] * (X1 @ steps[j])
            free = ~np.isin(group, list(work[j])) & (da < 0)
            if np.any(free):
                ratios = np.where(free, np.maximum(a, 0.0) / np.where(free, -da, 1.0), np.inf)
                i = int(np.argmin(ratios))
                if ratios[i] < alpha:
                    alpha, block = float(ratios[i]), (j, int(group[i]))
        for j in pr.live:
            U[j] = U[j] + alpha * steps[j]
        c += alpha * float(s[-1])
        if block is not None:
            work[block[0]].add(block[1])
            added += 1
        at_minimiser = block is None and trusted
    pairs = frozenset((j, i) for j in pr.live for i in range(n) if pr.group[i] in work[j])
    return pairs, (f"active-set search of the trained cell: {status}, {added} pair(s) "
                   f"added, {dropped} dropped"), (U, c)
