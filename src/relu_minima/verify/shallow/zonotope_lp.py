"""Float proposals and exact disposal behind the mixed-sign decision (docs/method.md, Lemma D).

Two kinds of solver live here, with different duties:

- *proposers* (floats, scipy's HiGHS): fast, possibly wrong. Their answers are never used as
  such: :func:`exact_combination` turns a proposed combination into an exact one (or gives
  up), and a proposed direction is turned into an exact rational vector that the caller
  evaluates exactly.
- :func:`exact_feasible`, a small bounded-variable simplex over ``Fraction`` with Bland's rule:
  slow, always right. It settles what the floats could not, and when there is no solution it
  returns a Farkas vector, which the caller again checks exactly.

:func:`first_violating` screens many candidate directions at once in floats and evaluates the
suspicious ones exactly with :class:`IntegerForm` (the kink form in integer arithmetic).

Inputs of any size are accepted: before anything becomes a float, each coordinate is scaled by
a power of two (:class:`FloatView`), which changes neither the containment question nor the
coefficients of a combination; entries too small for the scale become 0.0 (the proposal may
then be useless, never wrong).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from ...errors import ReluMinimaError
from ...exact import linalg as _linalg

if TYPE_CHECKING:
    import numpy as np

Vec = tuple[Fraction, ...]

_TOL = 1e-9


def _exponent(x: Fraction) -> int:
    return x.numerator.__abs__().bit_length() - x.denominator.bit_length()


def _to_float(x: Fraction, shift: int) -> float:
    """x * 2**-shift as a float, correctly rounded; never overflows for |x| <= 2**(shift+2)."""
    n, d = x.numerator, x.denominator
    if shift >= 0:
        d <<= shift
    else:
        n <<= -shift
    return n / d  # int / int: correctly rounded, underflows to 0.0


class FloatView:
    """Float images of exact vectors in R^D, each coordinate k scaled by 2**-shift[k].

    Scaling coordinate k of every generator is the change of variable delta_k -> 2**shift[k]
    delta_k: containment of zonotopes, the coefficients of combinations, and the sign of the
    kink form at a direction are all unchanged (directions are mapped back by :meth:`lift`).
    """

    def __init__(self, vectors: Sequence[Vec], dim: int) -> None:
        shift = []
        for k in range(dim):
            exps = [_exponent(v[k]) for v in vectors if v[k] != 0]
            shift.append(max(exps) if exps else 0)
        self.shift = shift

    def vec(self, v: Vec) -> list[float]:
        return [_to_float(t, s) for t, s in zip(v, self.shift, strict=True)]

    def array(self, vectors: Sequence[Vec], dim: int) -> np.ndarray:
        import numpy as np

        return np.array([self.vec(v) for v in vectors], dtype=float).reshape(len(vectors), dim)

    def lift_exact(self, delta: Sequence[Fraction]) -> Vec:
        """The exact direction whose scaled image is the rational vector ``delta``."""
        return tuple(q * Fraction(2) ** (-s) for q, s in zip(delta, self.shift, strict=True))

    def lift(self, delta: Sequence[float]) -> Vec | None:
        """The exact rational direction whose scaled image is ``delta`` (None if not finite)."""
        out = []
        for t, s in zip(delta, self.shift, strict=True):
            if t != t or t in (float("inf"), float("-inf")):
                return None
            q = Fraction(t)
            out.append(q * Fraction(2) ** (-s))
        return tuple(out)


def float_min_direction(pos: np.ndarray, linear: np.ndarray, cone: np.ndarray
                        ) -> tuple[float, list[float]] | None:
    """Propose min over delta in [-1, 1]^D with cone_k . delta >= 0 of
    sum_i |pos_i . delta| - linear . delta (float rows, scaled coordinates); None if HiGHS
    fails. The answer is only a candidate direction: the caller evaluates it exactly."""
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import bmat, csr_matrix, identity

    dim, m = len(linear), len(pos)
    blocks = []
    if m:
        P = csr_matrix(pos)
        eye = identity(m, format="csr")
        blocks += [[P, -eye], [-P, -eye]]
    if len(cone):
        blocks.append([csr_matrix(-cone), csr_matrix((len(cone), m)) if m else None])
    cost = np.concatenate([-linear, np.ones(m)])
    bounds = [(-1, 1)] * dim + [(0, None)] * m
    if blocks:
        A = bmat(blocks, format="csr")
        res = linprog(cost, A_ub=A, b_ub=np.zeros(A.shape[0]), bounds=bounds, method="highs")
    else:
        res = linprog(cost, bounds=bounds, method="highs")
    if res.status != 0:
        return None
    return float(res.fun), list(res.x[:dim])


def float_relaxation(pos: np.ndarray, columns: np.ndarray, centre: np.ndarray,
                     cone: np.ndarray, supports: Sequence[Sequence[int]] | None = None
                     ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray] | None:
    """Propose the cheapest budget t for the sufficient containment test of Lemma D:

        columns[c] = sum_i G[i, c] pos_i   (every c, i restricted to supports[c] if given),
        centre     = sum_i beta_i pos_i - sum_k mu_k cone_k,   mu >= 0,
        sum_c |G[i, c]| + |beta_i| <= t   (every i),

    minimising t (plus a small multiple of the total budget, which keeps the proposal sparse).
    Returns (t, G, beta, mu), or None if HiGHS fails. Only a proposal: the caller rebuilds an
    exact solution and checks t <= 1 exactly.
    """
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    npos, dim = pos.shape
    m, ncone = len(columns), len(cone)
    everyone = np.arange(npos)
    sup = [np.asarray(supports[c] if supports is not None else everyone, dtype=int)
           for c in range(m)] + [everyone]  # the last block is beta
    rows_eq, cols_eq, vals_eq, rows_ub, cols_ub = [], [], [], [], []
    var = 0
    for c, idx in enumerate(sup):
        n = len(idx)
        for half, sign in ((0, 1.0), (1, -1.0)):
            ids = var + half * n + np.arange(n)
            rows_eq.append(np.repeat(c * dim + np.arange(dim), n))
            cols_eq.append(np.tile(ids, dim))
            vals_eq.append(sign * pos[idx].T.reshape(-1))
            rows_ub.append(idx)
            cols_ub.append(ids)
        var += 2 * n
    nblock = var
    if ncone:
        rows_eq.append(np.repeat(m * dim + np.arange(dim), ncone))
        cols_eq.append(np.tile(nblock + np.arange(ncone), dim))
        vals_eq.append(-cone.T.reshape(-1))
    nvar = nblock + ncone + 1
    A_eq = coo_matrix((np.concatenate(vals_eq), (np.concatenate(rows_eq),
                                                 np.concatenate(cols_eq))),
                      shape=((m + 1) * dim, nvar)).tocsr()
    r_ub = np.concatenate([*rows_ub, everyone])
    c_ub = np.concatenate([*cols_ub, np.full(npos, nvar - 1)])
    v_ub = np.concatenate([np.ones(nblock), -np.ones(npos)])
    A_ub = coo_matrix((v_ub, (r_ub, c_ub)), shape=(npos, nvar)).tocsr()
    b_eq = np.concatenate([*columns, centre]) if m else centre.copy()
    cost = np.full(nvar, 1e-6)
    cost[nblock:] = 0.0
    cost[-1] = 1.0
    res = linprog(cost, A_ub=A_ub, b_ub=np.zeros(npos), A_eq=A_eq, b_eq=b_eq,
                  bounds=(0, None), method="highs")
    if res.status != 0:
        return None
    x = res.x
    G = np.zeros((npos, m))
    beta = np.zeros(npos)
    var = 0
    for c, idx in enumerate(sup):
        n = len(idx)
        signed = x[var:var + n] - x[var + n:var + 2 * n]
        if c < m:
            G[idx, c] = signed
        else:
            beta[idx] = signed
        var += 2 * n
    mu = x[nblock:nblock + ncone]
    return float(x[-1]), G, beta, mu


def exact_combination(target: Vec, gens: Sequence[Vec], coeffs: dict[int, float],
                      prefer: Sequence[bool] | None = None) -> dict[int, Fraction] | None:
    """An exact x with sum_i x_i gens[i] = target, built from a float proposal ``coeffs``.

    Entries are snapped to nearby simple rationals; the remaining error is removed by an exact
    solve on independent generators of the support (those with ``prefer[i]`` first, then the
    largest entries), so the other entries keep their snapped values. None if that fails; the
    caller still checks every bound exactly.
    """
    x = {i: Fraction(c).limit_denominator(1 << 20) for i, c in coeffs.items() if abs(c) > _TOL}
    x = {i: t for i, t in x.items() if t != 0}
    dim = len(target)
    resid = [target[k] - sum((t * gens[i][k] for i, t in x.items()), Fraction(0))
             for k in range(dim)]
    if all(r == 0 for r in resid):
        return x
    support = sorted(coeffs, key=lambda i: (not (prefer[i] if prefer else True),
                                            -abs(coeffs[i])))
    support = [i for i in support if any(t != 0 for t in gens[i])]
    if not support:
        return None
    cols = [[gens[i][k] for i in support] for k in range(dim)]
    _, pivots = _linalg.rref(cols)
    basis = [support[c] for c in pivots]
    rows = [[gens[i][k] for i in basis] for k in range(dim)]
    fix = _linalg.solve(rows, resid)
    if fix is None:
        return None
    for i, t in zip(basis, fix, strict=True):
        x[i] = x.get(i, Fraction(0)) + t
    return {i: t for i, t in x.items() if t != 0}


def _entering(A: list[list[Fraction]], cost: list[int], ub: list[Fraction | None],
              y: list[Fraction], skip: set[int], at_upper: set[int]) -> tuple[int | None, int]:
    """Bland's rule: the first variable whose reduced cost improves phase 1, with the
    direction it moves (+1 up from its lower bound, -1 down from its upper bound)."""
    for j in range(len(A)):
        if j in skip or ub[j] == 0:
            continue
        d = cost[j] - sum((yr * a for yr, a in zip(y, A[j], strict=True) if a), Fraction(0))
        if j not in at_upper and d < 0:
            return j, 1
        if j in at_upper and d > 0:
            return j, -1
    return None, 0


def _ratio_test(alpha: list[Fraction], direction: int, basis: list[int], x: list[Fraction],
                ub: list[Fraction | None], flip: Fraction | None
                ) -> tuple[Fraction | None, int | None, bool]:
    """The step theta and the leaving row (None: a bound flip of the entering variable, whose
    range is ``flip``), the basic variables moving by -direction * theta * alpha; ties go to
    the smallest basic index (Bland). Also whether the leaving variable ends at its upper bound."""
    theta, leave, leave_to_upper = flip, None, False
    for k in range(len(alpha)):
        rate = -direction * alpha[k]
        if rate < 0:
            lim, to_up = x[basis[k]] / -rate, False
        elif rate > 0 and ub[basis[k]] is not None:
            lim, to_up = (ub[basis[k]] - x[basis[k]]) / rate, True
        else:
            continue
        if theta is None or lim < theta or (lim == theta and leave is not None
                                            and basis[k] < basis[leave]):
            theta, leave, leave_to_upper = lim, k, to_up
    return theta, leave, leave_to_upper


def exact_feasible(cols: Sequence[Vec], upper: Sequence[Fraction | None], rhs: Vec
                   ) -> tuple[list[Fraction] | None, Vec | None]:
    """Exactly: x with sum_j x_j cols[j] = rhs and 0 <= x_j <= upper[j] (None: no upper bound),
    as ``(x, None)``; or ``(None, y)`` with y . rhs > sum_j max(0, y . cols[j]) upper[j] (and
    y . cols[j] <= 0 where upper[j] is None), which proves that no such x exists.

    Phase 1 of the bounded-variable primal simplex, one artificial per row, Bland's rule (no
    cycling). The basis inverse is kept explicitly: there are only D = d + 1 rows.
    """
    m, n = len(rhs), len(cols)
    sign = [1 if b >= 0 else -1 for b in rhs]
    A = [list(c) for c in cols] + [[Fraction(sign[k]) if r == k else Fraction(0)
                                    for r in range(m)] for k in range(m)]
    ub: list[Fraction | None] = list(upper) + [None] * m
    cost = [0] * n + [1] * m
    basis = list(range(n, n + m))
    binv = [[Fraction(sign[k]) if r == k else Fraction(0) for r in range(m)] for k in range(m)]
    x = [Fraction(0)] * n + [abs(b) for b in rhs]
    at_upper: set[int] = set()
    left_artificial: set[int] = set()
    for _ in range(100_000):
        y = [sum((cost[basis[k]] * binv[k][r] for k in range(m)), Fraction(0))
             for r in range(m)]
        skip = set(basis) | left_artificial
        enter, direction = _entering(A, cost, ub, y, skip, at_upper)
        if enter is None:
            break
        alpha = [sum((binv[k][r] * A[enter][r] for r in range(m) if A[enter][r]), Fraction(0))
                 for k in range(m)]
        theta, leave, leave_to_upper = _ratio_test(alpha, direction, basis, x, ub, ub[enter])
        if theta is None:
            raise ReluMinimaError("internal: phase-1 simplex unbounded; please report this bug")
        x[enter] += direction * theta
        for k in range(m):
            x[basis[k]] -= direction * theta * alpha[k]
        if leave is None:  # bound flip, basis unchanged
            at_upper.symmetric_difference_update({enter})
            continue
        out = basis[leave]
        at_upper.discard(enter)
        if leave_to_upper:
            at_upper.add(out)
        if out >= n:
            left_artificial.add(out)
        piv = alpha[leave]
        row = [t / piv for t in binv[leave]]
        for k in range(m):
            if k != leave and alpha[k] != 0:
                f = alpha[k]
                binv[k] = [a - f * b for a, b in zip(binv[k], row, strict=True)]
        binv[leave] = row
        basis[leave] = enter
    else:
        raise ReluMinimaError("internal: phase-1 simplex did not stop; please report this bug")
    if all(x[j] == 0 for j in range(n, n + m)):
        return x[:n], None
    return None, tuple(y)


class IntegerForm:
    """g in integer arithmetic, for many evaluations: M g(delta) = P . D + sum_H C_H
    max(0, A_H . D) with D = e delta an integer vector (e > 0), so the sign is exact and the
    value is recovered as a Fraction. Same numbers as KinkForm.__call__, many times faster."""

    def __init__(self, p: Sequence[Fraction], normals: Sequence[Vec],
                 weights: Sequence[Fraction]) -> None:
        rows, coef = [], []
        for n, w in zip(normals, weights, strict=True):
            den = math.lcm(*(t.denominator for t in n))
            rows.append([int(t * den) for t in n])
            coef.append(w / den)
        self.M = math.lcm(*(t.denominator for t in (*p, *coef))) if (p or coef) else 1
        self.P = [int(t * self.M) for t in p]
        self.C = [int(t * self.M) for t in coef]
        self.A = rows

    def __call__(self, delta: Sequence[Fraction]) -> Fraction:
        e = math.lcm(*(Fraction(t).denominator for t in delta)) if delta else 1
        D = [int(Fraction(t) * e) for t in delta]
        total = sum(a * b for a, b in zip(self.P, D, strict=True))
        for c, row in zip(self.C, self.A, strict=True):
            t = sum(a * b for a, b in zip(row, D, strict=True))
            if t > 0:
                total += c * t
        return Fraction(total, self.M * e)


def first_violating(p: Sequence[Fraction], normals: Sequence[Vec], weights: Sequence[Fraction],
                    sigma: int, candidates: Sequence[Vec]) -> Vec | None:
    """The first candidate delta with sigma g(delta) < 0, or None.

    All candidates are screened at once in floats; the ones the floats call negative or near
    zero are then evaluated exactly, in order. g = p . delta + sum_H sign(R_H)
    max(0, |R_H| n_H . delta) is computed from the vectors p and |R_H| n_H with coordinates
    scaled by powers of two (FloatView) and each candidate scaled to unit size, so inputs of any
    magnitude are fine. A float error can only hide a violating candidate (time, not verdict).
    """
    import numpy as np

    if not candidates:
        return None
    dim = len(p)
    vecs = [tuple(p)] + [tuple(abs(w) * t for t in n) for n, w in zip(normals, weights,
                                                                      strict=True)]
    view = FloatView(vecs, dim)
    V = view.array(vecs, dim)
    rows = []
    for c in candidates:
        top = max((_exponent(t) + sh for t, sh in zip(c, view.shift, strict=True)
                   if t != 0), default=0)
        rows.append([_to_float(t, top - sh) for t, sh in zip(c, view.shift,
                                                                      strict=True)])
    vals = V @ np.array(rows).T  # (1 + K) x candidates
    signs = np.array([1.0 if w > 0 else -1.0 for w in weights])
    value = vals[0] + signs @ np.maximum(vals[1:], 0.0) if len(weights) else vals[0]
    scale = np.abs(vals).sum(axis=0)
    suspects = np.nonzero(sigma * value <= 1e-9 * scale)[0]
    fast = IntegerForm(p, normals, weights)
    for k in suspects:
        if sigma * fast(candidates[k]) < 0:
            return candidates[k]
    return None
