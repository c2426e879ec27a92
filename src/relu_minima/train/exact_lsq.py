"""Exact linear least squares, choosing one minimiser near a float guess.

Minimise |Psi t - y|^2 over t in Q^q, with Psi = P / L and y = Y / Ly for integer P, Y. The
minimisers are exactly the solutions of the normal equations Psi^T (Psi t - y) = 0; when Psi
has a null space they form an affine set, and the one returned is chosen near ``guess``:

1. a QR factorisation with column pivoting, in floats, picks r independent-looking columns S
   (r = numerical rank); the other coordinates F are *fixed* to short rationals near the guess;
2. the r x r normal equations in S are solved exactly (python-flint's p-adic solver when the
   "flint" backend is on, Fraction elimination otherwise);
3. the full normal equations are checked exactly. If the float rank was wrong they fail, and
   the exact row-reduced normal equations choose the pivots instead (slower, always right).

Whatever the floats did, the result is returned only after step 3's exact check, so it is an
exact minimiser.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import scipy.linalg

from ..errors import ReluMinimaError
from ..exact import linalg
from .rationals import short_rational

__all__ = ["LeastSquares", "least_squares"]

_FLOAT_EXACT = 1 << 53


@dataclass(frozen=True)
class LeastSquares:
    """An exact minimiser ``t``; ``rank`` of Psi and the coordinates ``free`` that were fixed."""

    t: tuple[Fraction, ...]
    rank: int
    free: tuple[int, ...]
    method: str  # "pivoted" (float pivots, exact solve) or "row reduction" (exact fallback)


def least_squares(P: np.ndarray, L: int, Y: np.ndarray, Ly: int, guess: np.ndarray,
                  rel: float) -> LeastSquares:
    """An exact minimiser of |P t / L - Y / Ly|^2 near ``guess`` (see the module docstring).

    ``P`` (n x q) and ``Y`` (n,) are integer arrays (dtype int64 or object), ``L, Ly > 0``.

    >>> P = np.array([[1, 1], [1, 2], [1, 3]], dtype=object)
    >>> least_squares(P, 1, np.array([1, 2, 2], dtype=object), 1, np.zeros(2), 1e-6).t
    (Fraction(2, 3), Fraction(1, 2))
    """
    q = P.shape[1]
    if q == 0:
        return LeastSquares((), 0, (), "pivoted")
    S, F = _independent_columns(_floats_over(P, L))
    rank = len(S)
    fixed = {k: short_rational(float(guess[k]), rel) for k in F}
    t = _solve_pivoted(P, Y, L, Ly, S, fixed)
    # with every column kept (F empty) t solves the nonsingular normal equations exactly, so it
    # is the minimiser by construction; with fixed columns it must be checked
    if t is not None and (not F or _is_minimiser(P, Y, L, Ly, t)):
        return LeastSquares(t, rank, tuple(F), "pivoted")
    t, free = _solve_reduced(P, Y, L, Ly, guess, rel)
    if not _is_minimiser(P, Y, L, Ly, t):  # pragma: no cover - exact row reduction is exact
        raise ReluMinimaError("exact least squares failed its own check; please report this.")
    return LeastSquares(t, q - len(free), free, "row reduction")


def _floats_over(P: np.ndarray, L: int) -> np.ndarray:
    """P / L in floats; integers beyond the float range (the long common denominators of
    exact hidden activations) are divided as Python integers, which rounds correctly."""
    if P.dtype != object or _max_abs(P) < 2**1000:
        return P.astype(np.float64) / L
    return np.array([[int(p) / L for p in row] for row in P], dtype=np.float64)


def _independent_columns(Pf: np.ndarray) -> tuple[list[int], list[int]]:
    """(S, F): columns that look independent in floats, and the rest. A well-conditioned Gram
    matrix (Cholesky, q x q) means all of them, without the QR with column pivoting of the
    n x q matrix, which is what costs on wide networks; otherwise the pivoted QR decides."""
    n, q = Pf.shape
    try:
        diag = np.abs(np.diag(np.linalg.cholesky(Pf.T @ Pf)))
        if diag.min() > 1e-7 * diag.max():
            return list(range(q)), []
    except np.linalg.LinAlgError:
        pass
    _, R, piv = scipy.linalg.qr(Pf, mode="economic", pivoting=True)
    diag = np.abs(np.diag(R))
    cut = diag[0] * max(n, q) * 1e-12 if diag.size and diag[0] > 0 else 0.0
    rank = int(np.sum(diag > cut)) if diag.size and diag[0] > 0 else 0
    return sorted(int(k) for k in piv[:rank]), sorted(int(k) for k in piv[rank:])


# -- integer matrix products -------------------------------------------------------------------
def _max_abs(A: np.ndarray) -> int:
    if A.size == 0:
        return 0
    if A.dtype != object:
        return int(np.max(np.abs(A.astype(np.int64))))
    return int(np.max(np.abs(A)))  # object ints: elementwise in numpy's loop, exact


def _products(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """A^T B for integer arrays, exactly (float64 BLAS when no rounding can occur)."""
    if A.size == 0 or B.size == 0:
        return np.zeros((A.shape[1], B.shape[1]), dtype=object)
    bound = _max_abs(A) * _max_abs(B) * A.shape[0]
    if bound < _FLOAT_EXACT:
        out = A.astype(np.float64).T @ B.astype(np.float64)
        return np.rint(out).astype(np.int64).astype(object)
    if linalg.get_backend() == "flint":
        import flint

        C = flint.fmpz_mat(A.T.tolist()) * flint.fmpz_mat(B.tolist())
        return np.array([[int(x) for x in row] for row in C.tolist()], dtype=object)
    return A.astype(object).T.dot(B.astype(object))


def _column(v: np.ndarray) -> np.ndarray:
    return np.asarray(v, dtype=object).reshape(-1, 1)


def _solve_square(G: np.ndarray, h: np.ndarray) -> list[Fraction] | None:
    """The solution of G s = h (G square, integer), or None if G is singular."""
    if linalg.get_backend() == "flint":
        import flint

        try:
            X = flint.fmpz_mat(G.tolist()).solve(flint.fmpz_mat(h.tolist()))
        except ZeroDivisionError:
            return None
        return [Fraction(int(X[i, 0].p), int(X[i, 0].q)) for i in range(X.nrows())]
    rows = [[Fraction(int(t)) for t in row] for row in G]
    if linalg.rank(rows) < len(rows):
        return None
    sol = linalg.solve(rows, [Fraction(int(t)) for t in h.ravel()])
    return None if sol is None else list(sol)


def _solve_pivoted(P: np.ndarray, Y: np.ndarray, L: int, Ly: int, S: list[int],
                   fixed: dict[int, Fraction]) -> tuple[Fraction, ...] | None:
    """Coordinates ``fixed``; the others (S) from their exact r x r normal equations."""
    q = P.shape[1]
    F = sorted(fixed)
    DF = math.lcm(*(fixed[k].denominator for k in F)) if F else 1
    TF = np.array([int(fixed[k] * DF) for k in F], dtype=object)
    # z - P_F t_F with z = Y L / Ly, over the common denominator Ly * DF
    B = Y.astype(object) * (L * DF)
    if F:
        B = B - P[:, F].astype(object).dot(TF) * Ly
    t: list[Fraction] = [Fraction(0)] * q
    for k in F:
        t[k] = fixed[k]
    if S:
        PS = P[:, S]
        s = _solve_square(_products(PS, PS), _products(PS, _column(B)))
        if s is None:
            return None
        for k, value in zip(S, s, strict=True):
            t[k] = value / (Ly * DF)
    return tuple(t)


def _is_minimiser(P: np.ndarray, Y: np.ndarray, L: int, Ly: int, t: tuple[Fraction, ...]) -> bool:
    """Psi^T (Psi t - y) == 0 exactly, in integers: P^T (P T Ly - Y L D) == 0, t = T / D."""
    D = math.lcm(*(x.denominator for x in t)) if t else 1
    T = np.array([int(x * D) for x in t], dtype=object)
    resid = P.astype(object).dot(T) * Ly - Y.astype(object) * (L * D)
    grad = _products(P.astype(object), _column(resid))
    return all(int(g) == 0 for g in grad.ravel())


def _solve_reduced(P: np.ndarray, Y: np.ndarray, L: int, Ly: int, guess: np.ndarray,
                   rel: float) -> tuple[tuple[Fraction, ...], tuple[int, ...]]:
    """Exact fallback: row-reduce [P^T P | P^T Y L / Ly]; free coordinates near the guess."""
    q = P.shape[1]
    G = _products(P, P)
    h = _products(P, _column(Y.astype(object) * L))
    rows = [[Fraction(int(a)) for a in G[i]] + [Fraction(int(h[i, 0]), Ly)] for i in range(q)]
    R, pivots = linalg.rref(rows)
    free = tuple(k for k in range(q) if k not in pivots)
    t = [Fraction(0)] * q
    for k in free:
        t[k] = short_rational(float(guess[k]), rel)
    for row, p in zip(R, pivots, strict=True):
        t[p] = row[q] - sum((row[f] * t[f] for f in free), Fraction(0))
    return tuple(t), free
