"""The dataset of Proposition 4 (Appendix B.1): N - 1 points with all features negative and
one outlier x* with all features positive, standardised coordinate-wise to mean exactly 0 and
standard deviation exactly 1, with full-rank covariance and linearly separable labels.

Standardisation divides each coordinate by a square root, so the points are exact algebraic
numbers (sympy). Convention: ``"population"`` standard deviation (divide by N, the default,
what numpy.std and most whitening code use) or ``"sample"`` (divide by N - 1).

Construction: raw coordinates u_il < 0 for the N - 1 points, t_l = -sum_i u_il > 0 for x*
(so every coordinate has mean 0 before scaling), then x_il = u_il / s_l with
s_l^2 = (sum_i u_il^2 + t_l^2) / (N or N - 1). Scaling by s_l > 0 keeps every sign and the
zero mean, and makes the standard deviation 1.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy

from ...errors import InvalidArgument, InvalidNumberError, ShapeError, require
from ...exact.linalg import rank
from ...exact.numbers import exact_matrix

__all__ = ["CONVENTIONS", "OutlierDataset", "outlier_dataset"]

CONVENTIONS = ("population", "sample")


@dataclass(frozen=True)
class OutlierDataset:
    """The Appendix B.1 dataset, exact. ``X[outlier]`` is x*; labels y are 0/1 (x* has 1).

    ``raw`` are the rational coordinates before scaling, ``scales`` the exact s_l (sympy
    square roots). :meth:`_check` re-verifies every property exactly and is run on creation.
    """

    X: tuple[tuple[sympy.Expr, ...], ...]
    y: tuple[int, ...]
    outlier: int
    convention: str
    raw: tuple[tuple[Fraction, ...], ...]
    scales: tuple[sympy.Expr, ...]

    def __post_init__(self) -> None:
        self._check()

    @property
    def n(self) -> int:
        return len(self.X)

    @property
    def d(self) -> int:
        return len(self.X[0])

    def _divisor(self) -> int:
        return self.n if self.convention == "population" else self.n - 1

    def outlier_products(self) -> tuple[sympy.Rational, ...]:
        """x* . x_i for i != i*, exact rationals (each term is u t / s^2)."""
        # x*_l x_il = t_l u_il / s_l^2 and s_l^2 is rational: the product is rational
        star = self.raw[self.outlier]
        sq = [sympy.Rational(s**2) for s in self.scales]
        return tuple(
            sum((sympy.Rational(t.numerator, t.denominator)
                 * sympy.Rational(u.numerator, u.denominator) / q
                 for t, u, q in zip(star, x, sq, strict=True)), sympy.Integer(0))
            for i, x in enumerate(self.raw) if i != self.outlier
        )

    @property
    def bias_robust(self) -> bool:
        """x* . x_i <= -1 for every i != i*: then gradient steps driven by x* alone (which move
        a first-layer unit's weights and bias by the same multiple of (x*, 1)) never raise its
        pre-activation at x_i, so trained biases cannot wake the N - 1 points (docs/bounds.md).
        """
        return all(p <= -1 for p in self.outlier_products())

    def separator(self) -> tuple[int, sympy.Expr]:
        """(feature index, threshold): label 1 iff x[feature] > threshold, exactly."""
        first = sorted({self.raw[i][0] for i in range(self.n) if self.y[i] == 0})
        ones = sorted({self.raw[i][0] for i in range(self.n) if self.y[i] == 1})
        theta = (first[-1] + ones[0]) / 2
        return 0, sympy.Rational(theta.numerator, theta.denominator) / self.scales[0]

    def to_numpy(self) -> np.ndarray:
        """Float copy for the numeric backend (evidence only)."""
        return np.array([[float(v) for v in row] for row in self.X], dtype=float)

    def _check(self) -> None:
        """Re-verify every property of Appendix B.1 exactly; raise :class:`InvalidArgument`
        naming the first that fails (run on creation; never a bare assert, which
        ``python -O`` strips)."""
        n, d = self.n, self.d
        _need(self.convention in CONVENTIONS,
              f"convention={self.convention!r} must be one of {CONVENTIONS}")
        _need(n >= d + 1 and n >= 3, f"N={n} points in d={d}: need N >= d + 1 and N >= 3")
        _need(len(self.y) == n and set(self.y) <= {0, 1},
              f"y={self.y!r} must be N={n} labels in {{0, 1}}")
        for i, row in enumerate(self.X):
            _need(len(row) == d, f"X[{i}] has {len(row)} coordinates, not d={d}")
            for col, v in enumerate(row):
                sign = v.is_positive if i == self.outlier else v.is_negative
                _need(sign is True, f"X[{i}][{col}]={v} must be "
                      f"{'positive (x*)' if i == self.outlier else 'negative'}")
        for col in range(d):
            values = [row[col] for row in self.X]
            _need(sympy.simplify(sum(values)) == 0, f"the mean of feature {col} is not 0")
            var = sympy.simplify(sum(v**2 for v in values) / self._divisor())
            _need(var == 1, f"the std of feature {col} is {var}, not 1 ({self.convention})")
            for i, v in enumerate(values):
                _need(sympy.simplify(v * self.scales[col] - self.raw[i][col]) == 0,
                      f"X[{i}][{col}] * scales[{col}] != raw[{i}][{col}]")
        # covariance X^T X / divisor is D C D with D = diag(1/s_l), so its rank is rank(U)
        _need(rank(self.raw) == d, "the covariance is not full rank")
        cov = sympy.Matrix(d, d, lambda p, q: sum(r[p] * r[q] for r in self.X) / self._divisor())
        _need(sympy.simplify(cov.det()) != 0, "the covariance determinant is 0")
        star = self.X[self.outlier]
        others_x = [x for i, x in enumerate(self.X) if i != self.outlier]
        for x, prod in zip(others_x, self.outlier_products(), strict=True):
            dot = sum(u * v for u, v in zip(star, x, strict=True))
            _need(sympy.simplify(dot - prod) == 0, "x* . x_i disagrees with its rational form")
        # labels: x* has label 1, both labels occur among the N - 1 points, threshold separates
        _need(self.y[self.outlier] == 1, f"x* (index {self.outlier}) must have label 1")
        others = [self.y[i] for i in range(n) if i != self.outlier]
        _need(0 in others and 1 in others, "the N - 1 points need both labels")
        feat, theta = self.separator()
        for i, row in enumerate(self.X):
            margin = sympy.simplify((row[feat] - theta) * (2 * self.y[i] - 1))
            _need(margin.is_positive is True,
                  f"point {i} is not separated by feature {feat} at {theta}")


def _need(condition: object, message: str) -> None:
    require(condition, f"OutlierDataset: {message}.", error=InvalidArgument)


def outlier_dataset(
    n: int = 8, d: int = 2, *, convention: str = "population", raw: Any = None
) -> OutlierDataset:
    """Build the Appendix B.1 dataset with N = ``n`` points in R^``d``.

    Default raw points: u_il = -(1 + [l = i mod d] + i/(4(N-1))): negative, of rank d;
    labels: 1 for the upper half of feature 0.
    Pass ``raw`` (N - 1 rows of negative rationals) to choose the negative points yourself.

    >>> D = outlier_dataset(5, 2)
    >>> D.X[D.outlier][0] > 0, D.bias_robust
    (True, True)
    """
    if raw is None and type(n) is int and type(d) is int and isinstance(convention, str):
        # the default dataset is built and verified exactly once per process: Proposition 4,
        # Figure 6 and Proposition 5 each use it (the dataset is immutable)
        return _default_dataset(n, d, convention)
    return _build(n, d, convention, raw)


@functools.lru_cache(maxsize=16)
def _default_dataset(n: int, d: int, convention: str) -> OutlierDataset:
    return _build(n, d, convention, None)


def _build(n: int, d: int, convention: str, raw: Any) -> OutlierDataset:
    if isinstance(n, bool) or not isinstance(n, int) or n < 3:
        raise InvalidNumberError(f"n={n!r} must be an integer >= 3.")
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise InvalidNumberError(f"d={d!r} must be an integer >= 1.")
    if n < d + 1:
        raise ShapeError(f"n={n} points cannot have a full-rank covariance in d={d} dimensions.")
    if convention not in CONVENTIONS:
        raise InvalidArgument(f"convention={convention!r} must be one of {CONVENTIONS}.")
    m = n - 1
    if raw is None:
        # row i: 1 + [col == i mod d] + i/(4m); the first d rows are I + (1 + r) 1^T, a
        # rank-one update of the identity that is never singular, so the rank is d
        U = tuple(
            tuple(-(1 + (1 if col == i % d else 0) + Fraction(i, 4 * m)) for col in range(d))
            for i in range(m)
        )
    else:
        U = exact_matrix(raw, "raw", n_rows=m, n_cols=d)
        for i, row in enumerate(U):
            for col, v in enumerate(row):
                if v >= 0:
                    raise InvalidNumberError(f"raw[{i}][{col}]={v} must be negative.")
    if rank(U) < d:
        raise ShapeError("raw points do not span R^d: the covariance would be singular.")
    star = tuple(-sum(U[i][col] for i in range(m)) for col in range(d))
    rows = [*U, star]
    divisor = n if convention == "population" else n - 1
    scales = []
    for col in range(d):
        var = sum(r[col] ** 2 for r in rows) / divisor
        scales.append(sympy.sqrt(sympy.Rational(var.numerator, var.denominator)))
    X = tuple(
        tuple(sympy.Rational(r[col].numerator, r[col].denominator) / scales[col]
              for col in range(d))
        for r in rows
    )
    firsts = sorted({r[0] for r in U})
    if len(firsts) < 2:
        raise ShapeError("feature 0 of the raw points must take two values to label both ways.")
    theta = firsts[len(firsts) // 2]  # label 1 for the upper half of feature 0
    y = (*(int(r[0] >= theta) for r in U), 1)
    return OutlierDataset(X, y, m, convention, tuple(rows), tuple(scales))
