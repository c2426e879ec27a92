"""Yun, Sra and Jadbabaie's construction for piecewise-linear activations (reference 003),
exactly (docs/activations.md, "Spurious minima for every slope pair").

The activation h(t) = s+ t (t >= 0), s- t (t < 0), s+ > 0, s- >= 0, s+ != s-, equals s+ times the
library's ``negative_slope`` = s = s- / s+ activation; a network with output weights v for the
pair is the library's network with output weights s+ v (the same function, a linear bijection
of the parameters, so the same local minima). Everything below uses s.

With the linear least-squares fit yhat_i = beta . x_i + beta_0 and residuals res_i = y_i - yhat_i:

* :func:`local_minimum_point`: unit 1 carries the fit, w_1 = beta, b_1 = beta_0 + eta with
  eta > -min_i yhat_i (every pre-activation > 0), v_1 = 1, c = -eta; every other unit w = 0,
  b = -1, v = 0. Near it every pre-activation keeps its sign, so the network is an affine map
  of x and L >= the least-squares loss = L(theta): a local minimum, one for every such eta.
* :func:`lower_point`: a hinge g(x) = relu(u . x - t) with sum_i res_i g(x_i) != 0, added to
  the fit by a second unit (its linear part cancelled through unit 1, which is possible since
  s != 1): loss |res|^2 - (res . g)^2 / |g|^2 < L(theta).
* :func:`condition`: the construction works iff the residual sums over equal inputs,
  R_x = sum_(x_i = x) res_i, are not all 0 (then a hinge exists: :func:`find_hinge`); this
  fails only on datasets with repeated inputs (measure zero): "almost all datasets".
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from fractions import Fraction

from ...errors import InvalidArgument
from ...exact import linalg
from ...exact.datasets import Dataset
from ...exact.shallow_relu import ShallowReLU

__all__ = ["LeastSquares", "condition", "find_hinge", "least_squares", "local_minimum_point",
           "lower_point", "random_dataset", "violating_dataset"]


@dataclass(frozen=True)
class LeastSquares:
    """The linear least-squares fit: coefficients (beta, beta_0), fitted values, residuals
    res = y - yhat and the loss |res|^2 (exact; beta is one solution when X is degenerate)."""

    beta: tuple[Fraction, ...]
    beta0: Fraction
    fitted: tuple[Fraction, ...]
    residuals: tuple[Fraction, ...]
    loss: Fraction


def least_squares(D: Dataset) -> LeastSquares:
    """The exact linear least-squares fit of y on (x, 1)."""
    A = [(*x, Fraction(1)) for x in D.X]
    p = D.d + 1
    gram = [[sum((a[i] * a[j] for a in A), Fraction(0)) for j in range(p)] for i in range(p)]
    rhs = [sum((a[i] * y for a, y in zip(A, D.y, strict=True)), Fraction(0)) for i in range(p)]
    coef = linalg.solve(gram, rhs)  # the normal equations are always consistent
    if coef is None:  # pragma: no cover - impossible: rhs lies in the range of the Gram matrix
        raise InvalidArgument("the normal equations have no solution")
    fitted = tuple(linalg.dot(coef, a) for a in A)
    res = tuple(y - f for y, f in zip(D.y, fitted, strict=True))
    return LeastSquares(tuple(coef[:-1]), coef[-1], fitted, res, linalg.sum_of_squares(res))


def condition(D: Dataset) -> dict[Fraction | tuple, Fraction]:
    """The residual sums R_x over equal inputs (one per distinct input); the construction
    gives a lower point iff one of them is not 0."""
    res = least_squares(D).residuals
    sums: dict = {}
    for x, r in zip(D.X, res, strict=True):
        sums[x] = sums.get(x, Fraction(0)) + r
    return sums


def _relu(t: Fraction) -> Fraction:
    return t if t > 0 else Fraction(0)


def find_hinge(D: Dataset) -> tuple[tuple[Fraction, ...], Fraction, Fraction] | None:
    """(u, t, res . g) with g_i = relu(u . x_i - t) and res . g != 0, or None when no such hinge
    exists (exactly when every R_x is 0: :func:`condition`). u runs over small integer vectors
    (and then (1, B, B^2, ..), which separates integer inputs) until u . x separates the
    distinct inputs; t over the midpoints of the sorted values (the
    hinges there, the constant and u . x span every function of the distinct inputs, and res is
    orthogonal to the last two)."""
    res = least_squares(D).residuals
    if all(r == 0 for r in condition(D).values()):
        return None
    distinct = sorted(set(D.X))
    top = max((abs(t) for x in distinct for t in x), default=Fraction(0))
    base = 2 * int(top) + 2  # u = (1, B, B^2, ...) separates any inputs bounded by B/2 - 1 ...
    spread = tuple(base ** q for q in range(D.d))  # ... when they are integers; else the grid
    small = sorted(itertools.product(range(-3, 4), repeat=D.d), key=lambda v: sum(map(abs, v)))
    for u in [*small, spread]:
        proj = {x: sum((Fraction(a) * t for a, t in zip(u, x, strict=True)), Fraction(0))
                for x in distinct}
        if len(set(proj.values())) < len(distinct):
            continue
        values = sorted(proj.values())
        for lo, hi in itertools.pairwise(values):
            t = (lo + hi) / 2
            corr = sum((r * _relu(proj[x] - t) for x, r in zip(D.X, res, strict=True)),
                       Fraction(0))
            if corr != 0:
                return tuple(Fraction(a) for a in u), t, corr
    return None  # only when no u tried separates the inputs (non-integer inputs)


def _check_slope(slope: Fraction) -> None:
    if slope == 1:
        raise InvalidArgument("negative_slope=1 is the identity: the construction needs two "
                              "different slopes (s+ != s-).")


def local_minimum_point(D: Dataset, m: int, slope: Fraction,
                        eta: Fraction = Fraction(1)) -> ShallowReLU:
    """The construction's local minimum with m >= 1 units; ``eta`` > 0 is added to the margin
    that makes every pre-activation of unit 1 positive (each eta gives another point)."""
    ls = least_squares(D)
    shift = max(Fraction(0), -min(ls.fitted)) + eta
    W = [list(ls.beta)] + [[Fraction(0)] * D.d for _ in range(m - 1)]
    b = [ls.beta0 + shift] + [Fraction(-1)] * (m - 1)
    v = [Fraction(1)] + [Fraction(0)] * (m - 1)
    return ShallowReLU(W, b, v, -shift, negative_slope=slope)


def lower_point(D: Dataset, m: int, slope: Fraction) -> ShallowReLU | None:
    """A point with loss |res|^2 - (res . g)^2 / |g|^2 (module docstring), or None when no
    hinge exists. Needs m >= 2 and slope != 1."""
    _check_slope(slope)
    found = find_hinge(D)
    if found is None or m < 2:
        return None
    u, t, corr = found
    ls = least_squares(D)
    z = [linalg.dot(u, x) - t for x in D.X]
    eps = corr / linalg.sum_of_squares([_relu(q) for q in z])
    delta = -eps * slope / (1 - slope)  # cancels the second unit's linear part s eps z / (1-s)
    low = min(f + delta * q for f, q in zip(ls.fitted, z, strict=True))
    shift = max(Fraction(0), -low) + 1
    W = [[a + delta * c for a, c in zip(ls.beta, u, strict=True)], list(u)]
    b = [ls.beta0 + shift - delta * t, -t]
    v = [Fraction(1), eps / (1 - slope)]
    W += [[Fraction(0)] * D.d for _ in range(m - 2)]
    b += [Fraction(-1)] * (m - 2)
    v += [Fraction(0)] * (m - 2)
    return ShallowReLU(W, b, v, -shift, negative_slope=slope)


def random_dataset(rng: random.Random, d: int, n: int) -> Dataset:
    """Small integer inputs and targets (inputs may repeat, as real data do)."""
    X = [[Fraction(rng.randint(-3, 3)) for _ in range(d)] for _ in range(n)]
    return Dataset(X, [Fraction(rng.randint(-4, 4)) for _ in range(n)])


def violating_dataset() -> Dataset:
    """Repeated inputs whose group means are affine: x = 0, 0, 1, 1, y = 0, 2, 1, 3. The linear
    fit 1 + x is not perfect (residuals -1, 1, -1, 1) but both residual sums R_0, R_1 are 0."""
    return Dataset([0, 0, 1, 1], [0, 2, 1, 3])
