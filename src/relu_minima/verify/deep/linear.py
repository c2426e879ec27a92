"""Deep linear networks (``DeepReLU(..., negative_slope=1)``): the exact decision at a point.

With the identity activation f(x) = A x + a, A = W_k ... W_1 of rank <= r, the least width
(d, the hidden widths and the outputs), and every such (A, a) is realised (b_k is free). So
L >= L*, the least loss of an affine map of rank <= r (reference 003, Yun, Sra and Jadbabaie:
critical points of the multilinear parameterisation inherit the structure of linear least
squares). With centred data T = Y - ybar and M = X - xbar (columns are points), F = the
least-squares fit of T on the rows of M and G = F F^T:

    L* = |T - F|^2 + (sum of the k - r smallest eigenvalues of G)        (Eckart-Young)

:func:`linear_optimum` computes it exactly (a rational, or that expression with G's
characteristic polynomial); :func:`is_global_minimum` decides L(theta) = L* exactly
(docs/activations.md, Theorem L): the residuals sum to 0 and the centred fit B of theta and
E = F - B satisfy B^T E = 0, B E^T = 0, and either E = 0 or (rank B = r and the smallest nonzero
eigenvalue of B B^T >= the largest of E E^T; compared exactly by isolating the real roots of the
characteristic polynomials). A global minimum is a local one.

Otherwise :func:`decide_linear` looks for an exact witness, in order: the gradient (first
order), a direction of negative curvature of the exact Hessian (second order), and a chain of
disconnected hidden units along which the product moves by t^k u v^T against the gradient
Gamma = sum_i r_i x_i^T of the affine map (order k). Each is checked by the exact loss
polynomial along the direction (for a linear network the loss is a polynomial in every
direction, valid for all eps). None found: no verdict here (the deep rules and their move
search go on; undecided, with the reason, if nothing descends).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy

from ...exact import linalg
from ...exact.datasets import Dataset
from ...exact.deep_relu import DeepReLU
from ...exact.germs import loss_germ

__all__ = ["LinearDecision", "LinearOptimum", "decide_linear", "is_global_minimum",
           "linear_optimum", "negative_direction"]

Mat = list[list[Fraction]]
_X = sympy.Symbol("x")


def _mul(A: Mat, B: Mat) -> Mat:
    cols = list(zip(*B, strict=True)) if B else []
    return [[linalg.dot(r, c) for c in cols] for r in A]


def _T(A: Mat) -> Mat:
    return [list(c) for c in zip(*A, strict=True)]


def _sq(A: Mat) -> Fraction:
    return sum((t * t for r in A for t in r), Fraction(0))


def _is_zero(A: Mat) -> bool:
    return all(t == 0 for r in A for t in r)


def _centred(dataset: Dataset) -> tuple[Mat, Mat]:
    """M (d x n) and T (k x n): inputs and targets minus their means, one column per point."""
    n = dataset.n
    xbar = [sum((x[q] for x in dataset.X), Fraction(0)) / n for q in range(dataset.d)]
    ybar = dataset.mean_of(list(range(n)))
    M = [[x[q] - xbar[q] for x in dataset.X] for q in range(dataset.d)]
    T = [[y[o] - ybar[o] for y in dataset.Y] for o in range(dataset.k)]
    return M, T


def _fit(M: Mat, T: Mat) -> Mat:
    """F: each row of T projected onto the row space of M (exact least squares)."""
    basis, _ = linalg.rref(M)
    if not basis:
        return [[Fraction(0)] * len(T[0]) for _ in T]
    gram = _mul(basis, _T(basis))
    out = []
    for row in T:
        coef = linalg.solve(gram, [linalg.dot(b, row) for b in basis])
        out.append([linalg.dot(coef, col) for col in zip(*basis, strict=True)])
    return out


def _charpoly(A: Mat) -> sympy.Poly:
    return sympy.Matrix(A).charpoly(_X)


@dataclass(frozen=True)
class LinearOptimum:
    """L* for the widths and data: ``rank_bound`` r; ``fit_residual`` |T - F|^2; ``value`` the
    exact L* when it is rational (the fit's rank is <= r, or G's characteristic polynomial
    splits over Q), else None and L* is
    fit_residual + the sum of the ``tail`` smallest roots of ``charpoly`` (G's)."""

    rank_bound: int
    fit_residual: Fraction
    fit_rank: int
    value: Fraction | None
    tail: int
    charpoly: tuple[Fraction, ...]  # coefficients of det(x I - G), highest first

    def approx(self) -> float:
        """L* as a float (for texts; the exact statement is :meth:`describe`)."""
        if self.value is not None:
            return float(self.value)
        roots = sorted(float(sympy.re(t)) for t in sympy.Poly(self.charpoly, _X).nroots())
        return float(self.fit_residual) + sum(roots[:self.tail])

    def describe(self) -> str:
        """The exact optimum in words."""
        if self.value is not None and self.fit_rank <= self.rank_bound:
            return (f"L* = {self.value} (the least-squares fit has rank {self.fit_rank} <= "
                    f"r = {self.rank_bound}, so the rank bound does not bind)")
        if self.value is not None:
            return (f"L* = {self.value} = {self.fit_residual} + the sum of the {self.tail} "
                    f"smallest eigenvalues of F F^T (rational here; the least-squares fit has "
                    f"rank {self.fit_rank} > r = {self.rank_bound}: Eckart-Young)")
        poly = sympy.Poly(self.charpoly, _X).as_expr()
        return (f"L* = {self.fit_residual} + (sum of the {self.tail} smallest roots of "
                f"{poly}) ~ {self.approx():.10g} (the least-squares fit has rank "
                f"{self.fit_rank} > r = {self.rank_bound}: Eckart-Young)")


def linear_optimum(widths: tuple[int, ...], dataset: Dataset) -> LinearOptimum:
    """L*, the least loss of any point of a linear network with these widths (module
    docstring): exact."""
    r = min(widths)
    M, T = _centred(dataset)
    F = _fit(M, T)
    resid = _sq([[t - f for t, f in zip(tr, fr, strict=True)] for tr, fr in zip(T, F,
                                                                                strict=True)])
    rk = linalg.rank(F)
    G = _mul(F, _T(F))
    coeffs = tuple(Fraction(int(sympy.fraction(c)[0]), int(sympy.fraction(c)[1]))
                   for c in _charpoly(G).all_coeffs())
    tail = len(G) - r
    value = resid if rk <= r else None
    if value is None:  # the tail is rational when the characteristic polynomial splits over Q
        found = sympy.roots(sympy.Poly(coeffs, _X), filter="Q")
        if sum(found.values()) == len(G):
            ascending = sorted(q for q, mult in found.items() for _ in range(mult))
            value = resid + sum((Fraction(str(q)) for q in ascending[:tail]), Fraction(0))
    return LinearOptimum(r, resid, rk, value, tail, coeffs)


def _root_intervals(poly: sympy.Poly) -> list[tuple[Fraction, Fraction]]:
    """Exact isolating intervals of the real roots, ascending."""
    return [(Fraction(str(a)), Fraction(str(b))) for (a, b), _ in poly.intervals()]


def _min_root_at_least_max_root(p: sympy.Poly, q: sympy.Poly) -> bool:
    """Smallest real root of p >= largest real root of q, decided exactly: isolate both, and
    either the isolating intervals separate (refining them) or gcd(p, q) has a root in both (the
    two roots are one number)."""
    rp, rq = _root_intervals(p), _root_intervals(q)
    if not rp or not rq:
        return True
    (a, b), (c, e) = rp[0], rq[-1]
    g = sympy.gcd(p, q)
    lo, hi = max(a, c), min(b, e)
    if g.degree() > 0 and lo <= hi and g.count_roots(lo, hi) > 0:
        return True  # the root of g in [lo, hi] is the only root of p in [a, b] and of q in [c, e]
    while not (b < c or e < a):  # distinct roots: refining separates them
        a, b = (Fraction(str(t)) for t in p.refine_root(a, b, eps=(b - a) / 4 or None))
        c, e = (Fraction(str(t)) for t in q.refine_root(c, e, eps=(e - c) / 4 or None))
    return e < a


def _poly(A: Mat) -> sympy.Poly:
    return sympy.Poly(_charpoly(A), _X) if A else sympy.Poly(1, _X)


def is_global_minimum(params: DeepReLU, dataset: Dataset) -> bool:
    """L(theta) = L* exactly (module docstring; docs/activations.md, Theorem L)."""
    rows = [tuple(f) if isinstance(f, tuple) else (f,) for f in params.outputs(dataset)]
    n, k = dataset.n, dataset.k
    if any(sum((rows[i][o] - dataset.Y[i][o] for i in range(n)), Fraction(0)) for o in range(k)):
        return False
    M, T = _centred(dataset)
    ybar = dataset.mean_of(list(range(n)))
    B = [[rows[i][o] - ybar[o] for i in range(n)] for o in range(k)]
    F = _fit(M, T)
    E = [[f - b for f, b in zip(fr, br, strict=True)] for fr, br in zip(F, B, strict=True)]
    if _is_zero(E):
        return True
    if not (_is_zero(_mul(_T(B), E)) and _is_zero(_mul(B, _T(E)))):
        return False
    rho = linalg.rank(B)
    if rho < min(params.widths):
        return False  # a free direction of rank is left: E != 0 could be fitted
    pb = _poly(_mul(B, _T(B)))
    x = sympy.Poly(_X, _X)
    pb = sympy.Poly(sympy.quo(pb, x ** (k - rho)), _X)  # the nonzero eigenvalues of B B^T
    return _min_root_at_least_max_root(pb, _poly(_mul(E, _T(E))))


def negative_direction(H: Mat) -> list[Fraction] | None:
    """A rational u with u^T H u < 0, or None when the symmetric H is positive semidefinite
    (exact symmetric elimination)."""
    n = len(H)
    if n == 0:
        return None
    for i in range(n):
        if H[i][i] < 0:
            return [Fraction(int(q == i)) for q in range(n)]
    for i in range(n):
        if H[i][i] == 0:
            for j in range(n):
                if H[i][j] != 0:
                    u = [Fraction(0)] * n
                    if H[j][j] > 0:
                        u[i], u[j] = H[j][j], -H[i][j]
                    else:
                        u[i], u[j] = Fraction(1), -Fraction(1 if H[i][j] > 0 else -1)
                    return u
    if H[0][0] == 0:  # row 0 is zero: drop it
        sub = negative_direction([r[1:] for r in H[1:]])
        return None if sub is None else [Fraction(0), *sub]
    h = H[0][1:]
    schur = [[H[i + 1][j + 1] - h[i] * h[j] / H[0][0] for j in range(n - 1)]
             for i in range(n - 1)]
    sub = negative_direction(schur)
    if sub is None:
        return None
    return [-linalg.dot(h, sub) / H[0][0], *sub]


@dataclass(frozen=True)
class LinearDecision:
    """What :func:`decide_linear` proved: ``minimum`` (a global minimum), or a ``direction``
    with its loss polynomial ``germ`` and the ``order`` and ``kind`` ("gradient", "curvature",
    "chain") of its first decrease; ``optimum`` is L*."""

    minimum: bool
    optimum: LinearOptimum
    direction: tuple[Fraction, ...] | None = None
    germ: tuple[Fraction, ...] | None = None
    order: int | None = None
    kind: str | None = None


def _coefficient(germ: Any, q: int) -> Fraction:
    return germ[q] if len(germ) > q else Fraction(0)


def _chain(params: DeepReLU, dataset: Dataset) -> list[Fraction] | None:
    """Through a disconnected unit (zero in-weights, bias and out-weights) of every hidden
    layer: W_1 gets e_j1 e_q^T, W_l e_jl e_j(l-1)^T, W_k -sign(Gamma_pq) e_p e_j(k-1)^T, so the
    product moves by exactly -sign(Gamma_pq) t^k e_p e_q^T and every mixed term vanishes."""
    rows = [tuple(f) if isinstance(f, tuple) else (f,) for f in params.outputs(dataset)]
    k, d = dataset.k, dataset.d
    gamma = [[sum(((rows[i][o] - dataset.Y[i][o]) * dataset.X[i][q] for i in range(dataset.n)),
                  Fraction(0)) for q in range(d)] for o in range(k)]
    pq = next(((o, q) for o in range(k) for q in range(d) if gamma[o][q] != 0), None)
    if pq is None or params.depth < 2:
        return None
    units = []
    for n in range(params.depth - 1):
        W, b, after = params.weights[n], params.biases[n], params.weights[n + 1]
        free = [j for j in range(len(W)) if not any(W[j]) and b[j] == 0
                and not any(row[j] for row in after)]
        if not free:
            return None
        units.append(free[0])
    space = params.space
    u = [Fraction(0)] * space.size
    u[space.weight_index(1, units[0] + 1, pq[1] + 1)] = Fraction(1)
    for n in range(1, params.depth - 1):
        u[space.weight_index(n + 1, units[n] + 1, units[n - 1] + 1)] = Fraction(1)
    u[space.weight_index(params.depth, pq[0] + 1, units[-1] + 1)] = Fraction(
        -1 if gamma[pq[0]][pq[1]] > 0 else 1)
    return u


def decide_linear(params: DeepReLU, dataset: Dataset) -> LinearDecision | None:
    """A full-space linear point: a global minimum, an exact witness (module docstring), or
    None."""
    optimum = linear_optimum(params.widths, dataset)
    if is_global_minimum(params, dataset):
        return LinearDecision(True, optimum)
    P = params.space.size
    base = params.loss(dataset)
    unit = [[Fraction(int(q == p)) for q in range(P)] for p in range(P)]
    grad = [_coefficient(loss_germ(params, dataset, e), 1) for e in unit]
    candidates: list[tuple[str, list[Fraction] | None]] = [
        ("gradient", [-t for t in grad] if any(grad) else None)]
    if not any(grad):
        c2 = [_coefficient(loss_germ(params, dataset, e), 2) for e in unit]
        H = [[2 * c2[p] if p == q else Fraction(0) for q in range(P)] for p in range(P)]
        for p in range(P):
            for q in range(p + 1, P):
                both = [a + b for a, b in zip(unit[p], unit[q], strict=True)]
                H[p][q] = H[q][p] = _coefficient(loss_germ(params, dataset, both), 2) - c2[p] \
                    - c2[q]
        candidates += [("curvature", negative_direction(H)), ("chain", _chain(params, dataset))]
    for kind, u in candidates:
        if u is None:
            continue
        germ = tuple(loss_germ(params, dataset, u))
        diff = [t - (base if i == 0 else 0) for i, t in enumerate(germ)]
        order = next((i for i, t in enumerate(diff) if t), None)
        if order is not None and diff[order] < 0:
            return LinearDecision(False, optimum, tuple(u), germ, order, kind)
    return None
