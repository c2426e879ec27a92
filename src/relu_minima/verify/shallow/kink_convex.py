"""Lemma C of docs/method.md (the convex case): when every bending kink weight has the wanted
sign sigma, sigma g >= 0 everywhere iff -p lies in the zonotope
{sum_H lambda_H R_H n_H : lambda in [0, 1]^H}; a lambda in it is the certificate.

``kink_forms.decide_sign`` asks for it above its ray threshold; ``SignDecision._check`` re-tests
a stored lambda with :func:`is_convex_certificate` (exact sums only).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from ...exact import linalg

__all__ = ["convex_certificate", "is_convex_certificate"]

Vec = tuple[Fraction, ...]


def is_convex_certificate(p: Sequence[Fraction], normals: Sequence[Vec],
                          weights: Sequence[Fraction], sigma: int,
                          lam: Sequence[Fraction]) -> bool:
    """Lemma C: every sigma R_H > 0, lambda in [0, 1]^H and sum lambda_H R_H n_H = -p."""
    if len(lam) != len(normals) or not all(sigma * w > 0 for w in weights):
        return False
    if not all(0 <= t <= 1 for t in lam):
        return False
    combo = [sum((t * w * n[k] for t, w, n in zip(lam, weights, normals, strict=True)),
                 Fraction(0)) for k in range(len(p))]
    return all(c == -q for c, q in zip(combo, p, strict=True))


def convex_certificate(p: Sequence[Fraction], normals: Sequence[Vec],
                       weights: Sequence[Fraction], sigma: int) -> Vec | None:
    """lambda for Lemma C when every bending weight has the sign sigma, else None.

    A float LP (scipy's HiGHS) proposes a vertex; its free coordinates are then solved exactly
    with the others fixed at their bound, and the result is kept only if it passes the exact
    test. Anything the floats get wrong only costs the fallback to the other decisions, never a
    wrong verdict.
    """
    if not normals or not all(sigma * w > 0 for w in weights):
        return None
    zero = tuple(Fraction(0) for _ in normals)
    if all(t == 0 for t in p):
        return zero
    import numpy as np
    from scipy.optimize import linprog

    dim = len(p)
    try:  # the float LP only proposes; numbers beyond float range leave it to the others
        A = np.array([[float(w * n[k]) for w, n in zip(weights, normals, strict=True)]
                      for k in range(dim)])
        b = np.array([-float(t) for t in p])
    except OverflowError:
        return None
    if not (np.isfinite(A).all() and np.isfinite(b).all()):
        return None
    res = linprog(np.zeros(len(normals)), A_eq=A, b_eq=b, bounds=(0, 1), method="highs")
    if res.status != 0:
        return None  # infeasible (then a violating ray exists) or numerically unsure
    fixed = {h: Fraction(round(t)) for h, t in enumerate(res.x) if min(t, 1 - t) < 1e-9}
    free = [h for h in range(len(normals)) if h not in fixed]
    rhs = [-q - sum((fixed[h] * weights[h] * normals[h][k] for h in fixed), Fraction(0))
           for k, q in enumerate(p)]
    rows = [[weights[h] * normals[h][k] for h in free] for k in range(dim)]
    sol = linalg.solve(rows, rhs) if free else (() if all(t == 0 for t in rhs) else None)
    if sol is None:
        return None
    lam = list(zero)
    for h, t in fixed.items():
        lam[h] = t
    for h, t in zip(free, sol, strict=True):
        lam[h] = t
    return tuple(lam) if is_convex_certificate(p, normals, weights, sigma, lam) else None
