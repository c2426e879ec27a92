"""Loss along a ray, exactly: polynomial germs, their range of validity, and a descent step.

Along theta + eps u (u a flat direction, :mod:`relu_minima.exact.params`), every pre-activation
of a ReLU network is, for small eps > 0, a polynomial in eps: a ReLU of a polynomial germ is the
germ itself or 0, by the sign of its lowest nonzero coefficient. So the outputs and the loss
L(eps) = sum_i (f(x_i) - y_i)^2 are polynomials there (Equation (2); Equation (1) is depth 2).

*How small* is computed, not guessed: a polynomial q = c_j eps^j + ... + c_N eps^N with lowest
nonzero coefficient c_j keeps the sign of c_j on 0 < eps < rho(q) = min(1, |c_j| / S), with
S = sum_{i>j} |c_i| (for eps <= 1 the tail is at most S eps^(j+1) in absolute value). Taking
the minimum of rho over every nonzero hidden pre-activation gives a radius R on which the germs
are exact formulas, and :func:`descent_step` picks a step inside it along which the loss is
provably lower. So a witness is found at any scale of exact input, with no halving loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from ..errors import ShapeError
from .datasets import Dataset
from .numbers import exact

__all__ = ["Poly", "descent_step", "germ_sign", "loss_germ", "output_germ_rows", "output_germs",
           "sign_radius"]

Poly = tuple[Fraction, ...]  # coefficients of eps^0, eps^1, ...
_ZERO: Poly = ()


def trim(p: Sequence[Fraction]) -> Poly:
    """Drop trailing zero coefficients (the zero polynomial is ``()``)."""
    q = list(p)
    while q and q[-1] == 0:
        q.pop()
    return tuple(q)


def add(p: Poly, q: Poly) -> Poly:
    n = max(len(p), len(q))
    return trim([(p[i] if i < len(p) else 0) + (q[i] if i < len(q) else 0) for i in range(n)])


def mul(p: Poly, q: Poly) -> Poly:
    if not p or not q:
        return _ZERO
    out = [Fraction(0)] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        if a:
            for j, b in enumerate(q):
                out[i + j] += a * b
    return trim(out)


def lowest(p: Poly) -> int | None:
    """Index of the lowest nonzero coefficient, None for the zero polynomial."""
    return next((i for i, c in enumerate(p) if c), None)


def germ_sign(p: Poly) -> int:
    """Sign of p(eps) for all small eps > 0."""
    j = lowest(p)
    return 0 if j is None else (1 if p[j] > 0 else -1)


def sign_radius(p: Poly) -> Fraction | None:
    """rho(p): p(eps) has the sign of its lowest coefficient for every 0 < eps < rho(p).

    None when that holds for every eps > 0 (p is zero or a single term c_j eps^j).
    """
    j = lowest(p)
    if j is None:
        return None
    tail = sum((abs(c) for c in p[j + 1:]), Fraction(0))
    return None if tail == 0 else min(Fraction(1), abs(p[j]) / tail)


def _min(*values: Fraction | None) -> Fraction | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _layers(weights, biases, direction: Sequence[Fraction]):
    """Each parameter as the linear polynomial theta_p + eps u_p, in the flat layout."""
    pos = 0
    out = []
    for M, b in zip(weights, biases, strict=True):
        rows = []
        for row in M:
            rows.append([trim([w, direction[pos + q]]) for q, w in enumerate(row)])
            pos += len(row)
        out.append((rows, [trim([t, direction[pos + j]]) for j, t in enumerate(b)]))
        pos += len(b)
    return out


def output_germs(params: Any, dataset: Dataset,
                 direction: Sequence[Fraction]) -> tuple[list[Any], Fraction | None]:
    """f(x_i) along theta + eps u as polynomials, and a radius R on which they are exact.

    ``params`` is any network with ``weights`` and ``biases`` (a DeepReLU). For 0 < eps < R
    every hidden pre-activation keeps the sign of its germ, so each ReLU is what the germ says
    (R is None when that holds for every eps > 0). With several outputs each f(x_i) is a list
    of their germs (:func:`output_germ_rows` gives lists for every number of outputs).
    """
    rows, radius = output_germ_rows(params, dataset, direction)
    return ([r[0] for r in rows] if len(params.weights[-1]) == 1 else rows), radius


def output_germ_rows(params: Any, dataset: Dataset, direction: Sequence[Fraction]
                     ) -> tuple[list[list[Poly]], Fraction | None]:
    """:func:`output_germs` with every f(x_i) a list of its outputs' germs."""
    moved = _layers(params.weights, params.biases, direction)
    outs: list[list[Poly]] = []
    radius: Fraction | None = None
    for x in dataset.X:
        h: list[Poly] = [trim([t]) for t in x]
        for n, (M, b) in enumerate(moved):
            z = []
            for row, bj in zip(M, b, strict=True):
                acc = bj
                for w, t in zip(row, h, strict=True):
                    acc = add(acc, mul(w, t))
                z.append(acc)
            if n == len(moved) - 1:
                h = z
            else:
                radius = _min(radius, *(sign_radius(t) for t in z))
                h = [t if germ_sign(t) > 0 else _ZERO for t in z]
        outs.append(h)
    return outs, radius


def loss_germ(params: Any, dataset: Dataset, direction: Sequence[Any]) -> Poly:
    """L(theta + eps u) as a polynomial in eps, exact for small eps > 0.

    Its constant term is L(theta); its eps-coefficient is the one-sided directional derivative.
    """
    return loss_germ_and_radius(params, dataset, direction)[0]


def loss_germ_and_radius(params: Any, dataset: Dataset,
                         direction: Sequence[Any]) -> tuple[Poly, Fraction | None]:
    """:func:`loss_germ` together with the radius R of :func:`output_germs`."""
    u = tuple(exact(t, f"direction[{p}]") for p, t in enumerate(direction))
    if len(u) != params.n_params:
        raise ShapeError(f"direction has {len(u)} entries but params has {params.n_params}.")
    params._check_dims(dataset)
    outs, radius = output_germ_rows(params, dataset, u)
    total: Poly = _ZERO
    for fs, ys in zip(outs, dataset.Y, strict=True):
        for f, y in zip(fs, ys, strict=True):
            r = add(f, (-y,))
            total = add(total, mul(r, r))
    return total, radius


def descent_step(germ: Poly, valid: Fraction | None, limit: Fraction) -> Fraction | None:
    """A step eps in (0, limit] with L(eps) < L(0), or None if the germ is not a descent.

    ``valid`` is the radius R of :func:`output_germs` (open; None: unbounded). With
    D(eps) = L(eps) - L(0) = a_j eps^j + ..., a_j < 0, D < 0 on 0 < eps < rho(D)
    (:func:`sign_radius`). A quadratic D = a_1 eps + a_2 eps^2 is smallest at -a_1 / (2 a_2),
    which is taken when it is inside the bounds (so the output bias moves to its optimum);
    otherwise the step is half the open bounds, capped at ``limit``.
    """
    diff = trim((Fraction(0), *germ[1:])) if germ else ()
    j = lowest(diff)
    if j is None or diff[j] >= 0:
        return None
    open_bound = _min(valid, sign_radius(diff))
    if len(diff) == 3 and j == 1 and diff[2] > 0:
        best = -diff[1] / (2 * diff[2])  # inside (0, -a_1/a_2) = (0, rho(D))
        step = min(best, limit)
        return step if valid is None or step < valid else valid / 2
    return limit if open_bound is None else min(limit, open_bound / 2)
