"""The mechanism behind Figure 1 (Section 3.1.1): shifted-mean initialisations put
non-negative inputs (MNIST pixels) in a blind spot of the first layer.

The paper: "by changing the initialization of the model (the mean of the normal distribution
used to sample weights) one can force all hidden units to be deactivated for most or all
examples in the training set."

Law: first-layer weights iid N(mu, sigma^2), biases iid N(mu_b, sigma_b^2) (sigma_b = 0: the
point mass mu_b), n units. For a fixed input x, unit j's pre-activation w_j . x + b_j is
N(mu S + mu_b, sigma^2 |x|^2 + sigma_b^2), S = sum_l x_l, and the n units are independent, so

    P(x in the blind spot) = Phi(-(mu S + mu_b) / sqrt(sigma^2 |x|^2 + sigma_b^2))^n   (exact)

For a dataset of non-negative inputs, "unit j is dead at x_i" is a decreasing event in the
independent coordinates (w_j, b_j), so by Harris' inequality the events are positively
correlated, and with the union bound:

    max(prod_i p_i, 1 - sum_i (1 - p_i))^n <= P(every x_i in the blind spot) <= min_i p_i^n,

p_i = Phi(-(mu S_i + mu_b) / s_i). If every S_i > 0 the lower bound tends to 1 as mu -> -oo:
a mean can always be chosen to put all examples in the blind spot with probability
>= 1 - eps (:func:`certified_mean`). Proofs in docs/experiments_mechanisms.md. Numbers are
mpmath at ``dps`` digits; floats only propose the bisection, whose ends are re-evaluated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
from scipy import special

from ...errors import InvalidArgument, InvalidNumberError, ShapeError
from ...exact.numbers import exact
from ..dead_layers.bounds import to_mpf

__all__ = [
    "BlindSpotBounds",
    "BlindSpotLaw",
    "blind_spot_bounds",
    "certified_mean",
    "point_blind_spot_probability",
    "point_statistics",
    "strict_blind_spot_margin",
]


@dataclass(frozen=True)
class BlindSpotLaw:
    """First layer of ``units`` units: weights N(mean, std^2), biases N(bias_mean, bias_std^2)
    (bias_std = 0: every bias equals bias_mean). Exact parameters."""

    mean: Fraction
    std: Fraction
    units: int
    bias_mean: Fraction = Fraction(0)
    bias_std: Fraction = Fraction(0)

    def __post_init__(self) -> None:
        for name in ("mean", "std", "bias_mean", "bias_std"):
            object.__setattr__(self, name, exact(getattr(self, name), name))
        if self.std <= 0:
            raise InvalidNumberError(f"std={self.std} must be positive.")
        if self.bias_std < 0:
            raise InvalidNumberError(f"bias_std={self.bias_std} must be >= 0.")
        if isinstance(self.units, bool) or not isinstance(self.units, int) or self.units < 1:
            raise InvalidNumberError(f"units={self.units!r} must be a positive integer.")

    def __str__(self) -> str:
        bias = (f"b = {self.bias_mean}" if self.bias_std == 0
                else f"b ~ N({self.bias_mean}, {self.bias_std}^2)")
        return f"{self.units} units, w ~ N({self.mean}, {self.std}^2), {bias}"


def point_statistics(X: Any) -> list[tuple[Fraction, Fraction]]:
    """(S_i, |x_i|^2) per row, exact, from an integer or rational array; rows must be >= 0."""
    arr = np.asarray(X)
    if arr.ndim != 2 or arr.shape[0] < 1:
        raise ShapeError(f"X has shape {arr.shape}; an (N, d) array is needed.")
    if arr.dtype.kind in "iub":  # integers: exact sums in int64 / Python ints
        ints = arr.astype(np.int64)
        if (ints < 0).any():
            raise InvalidArgument("X has a negative entry; the blind-spot bounds need x >= 0.")
        sums = ints.sum(axis=1)
        squares = np.einsum("ij,ij->i", ints, ints)
        return [(Fraction(int(s)), Fraction(int(q))) for s, q in zip(sums, squares, strict=True)]
    rows = [[exact(v, "X") for v in row] for row in arr.tolist()]
    if any(v < 0 for row in rows for v in row):
        raise InvalidArgument("X has a negative entry; the blind-spot bounds need x >= 0.")
    return [(sum(row, Fraction(0)), sum((v * v for v in row), Fraction(0))) for row in rows]


def _log_p(law: BlindSpotLaw, s: Fraction, q: Fraction, scale: Fraction) -> mpmath.mpf:
    """log P(one unit dead at x) for x with sum s and squared norm q (x scaled by ``scale``)."""
    return _dead_alive(law, [(s, q)], scale)[0][0]


def _dead_alive(law: BlindSpotLaw, stats: Sequence[tuple[Fraction, Fraction]],
                scale: Fraction) -> list[tuple[mpmath.mpf, mpmath.mpf]]:
    """(log P(one unit dead at x), P(it is alive at x)) for many points, the law's constants
    converted to mpmath once (per-point Fraction arithmetic cost twice the normal cdf). The
    alive probability is Phi(+m/s) itself, not 1 - P(dead), which would cancel to 0."""
    a = to_mpf(law.mean * scale, "mean")
    b0 = to_mpf(law.bias_mean, "bias_mean")
    v1 = to_mpf(law.std**2 * scale**2, "variance")
    v0 = to_mpf(law.bias_std**2, "bias variance")
    out = []
    for s, q in stats:
        if q == 0 and law.bias_std == 0:  # the pre-activation is the constant bias_mean
            dead = law.bias_mean <= 0
            out.append((mpmath.mpf(0) if dead else mpmath.ninf, mpmath.mpf(0 if dead else 1)))
            continue
        z = -(a * to_mpf(s, "S") + b0) / mpmath.sqrt(v1 * to_mpf(q, "q") + v0)
        out.append((mpmath.log(mpmath.ncdf(z)), mpmath.ncdf(-z)))
    return out


def point_blind_spot_probability(x: Sequence[Any], law: BlindSpotLaw, dps: int = 30
                                 ) -> mpmath.mpf:
    """P(every unit of the first layer is dead at x) (exact formula, ``dps`` digits)."""
    (s, q), = point_statistics(np.asarray([list(x)], dtype=object))
    with mpmath.workdps(dps):
        return +mpmath.exp(law.units * _log_p(law, s, q, Fraction(1)))


@dataclass(frozen=True)
class BlindSpotBounds:
    """For one law and dataset: E[fraction of points in the blind spot] (exact), and bounds
    lower <= P(every point in the blind spot) <= upper (module doc)."""

    law: BlindSpotLaw
    points: int
    expected_fraction: mpmath.mpf
    lower: mpmath.mpf
    upper: mpmath.mpf


def blind_spot_bounds(stats: Sequence[tuple[Fraction, Fraction]], law: BlindSpotLaw,
                      scale: Any = 1, dps: int = 30) -> BlindSpotBounds:
    """The bounds for the points with statistics ``stats`` (see :func:`point_statistics`),
    each input multiplied by ``scale`` (e.g. 1/255 for MNIST pixels). Identical statistics
    are evaluated once."""
    c = exact(scale, "scale")
    if c <= 0:
        raise InvalidArgument(f"scale={scale!r} must be positive.")
    counts: dict[tuple[Fraction, Fraction], int] = {}
    for key in stats:
        counts[key] = counts.get(key, 0) + 1
    with mpmath.workdps(dps):
        pairs = dict(zip(counts, _dead_alive(law, list(counts), c), strict=True))
        logs = {k: lp for k, (lp, _) in pairs.items()}
        n = law.units
        expected = mpmath.fsum(counts[k] * mpmath.exp(n * lp) for k, lp in logs.items())
        expected /= len(stats)
        harris = n * mpmath.fsum(counts[k] * lp for k, lp in logs.items())  # log of prod^n
        alive = mpmath.fsum(counts[k] * q for k, (_, q) in pairs.items())
        union = n * mpmath.log1p(-alive) if alive < 1 else mpmath.ninf
        lower = mpmath.exp(max(harris, union))
        upper = mpmath.exp(n * min(logs.values()))
        return BlindSpotBounds(law, len(stats), +expected, +lower, +upper)


def certified_mean(stats: Sequence[tuple[Fraction, Fraction]], std: Any, units: int,
                   eps: Any, scale: Any = 1, bias_mean: Any = 0, bias_std: Any = 0,
                   dps: int = 30) -> Fraction:
    """A weight mean mu < 0 (three significant digits) whose lower bound on P(every point in
    the blind spot) is >= 1 - eps: floats propose it, :func:`blind_spot_bounds` (mpmath)
    decides; the caller re-evaluates the bounds at mu (the checks do). Needs every S_i > 0
    (a zero input is dead only through its bias)."""
    e = exact(eps, "eps")
    if not 0 < e < 1:
        raise InvalidArgument(f"eps={eps!r} must lie in (0, 1).")
    c = exact(scale, "scale")
    if any(s == 0 for s, _ in stats):
        raise InvalidArgument("some input is 0: its blind spot depends on the biases only, so "
                              "no weight mean certifies every point.")
    S = np.array([float(s * c) for s, _ in stats])
    Q = np.array([float(q * c * c) for _, q in stats])
    sd, mb, sb = float(exact(std, "std")), float(exact(bias_mean, "bias_mean")), float(
        exact(bias_std, "bias_std"))

    def log_lower(mu: float) -> float:  # the Harris bound in floats: a proposal only
        z = -(mu * S + mb) / np.sqrt(sd * sd * Q + sb * sb)
        return units * float(special.log_ndtr(z).sum())

    target = float(np.log1p(-float(e)))
    hi = -1.0
    while log_lower(hi) < target:
        hi *= 2
    lo = 0.0  # log_lower(lo) may already pass
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if log_lower(mid) >= target else (mid, hi)
    # a margin of 1% of |mu|, rounded away from 0 to three significant digits
    target_mu = Fraction(hi) * Fraction(101, 100)
    digits = 10 ** (2 - math.floor(math.log10(float(-target_mu))))
    return Fraction(math.floor(target_mu * digits), digits)


def strict_blind_spot_margin(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> float:
    """A rigorous upper bound on max_(i, j) (w_j . x_i + b_j) for the exact values of the
    float arrays ``X`` (N, d), ``W`` (h, d) (the trainer's layout) and ``b`` (h,): the float
    result plus the worst-case rounding error of a length-(d + 1) dot product,
    gamma_(d+2) (|X| |W|^T + |b|) with gamma_n = n u / (1 - n u), u = 2^-53, doubled for the
    rounding of the bound itself. A negative value proves that every unit of the layer is
    strictly inactive on every input (a strict blind spot of the whole dataset); it is then
    not necessarily tight."""
    X, W, b = (np.asarray(a, dtype=np.float64) for a in (X, W, b))
    if X.ndim != 2 or W.ndim != 2 or b.shape != (W.shape[0],) or X.shape[1] != W.shape[1]:
        raise ShapeError(f"X {X.shape}, W {W.shape} and b {b.shape} do not fit a layer "
                         "(X: (N, d), W: (h, d), b: (h,)).")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
        raise InvalidNumberError("X, W and b must be finite to bound the pre-activations.")
    u = 2.0**-53
    n = X.shape[1] + 2
    gamma = n * u / (1 - n * u)
    z = X @ W.T + b
    err = 2 * gamma * (np.abs(X) @ np.abs(W).T + np.abs(b))
    return float(np.max(z + err))
