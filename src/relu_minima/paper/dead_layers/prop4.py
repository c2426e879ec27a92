"""Proposition 4 (Section 3.2, Appendix B.1): the counterexample to the printed statement and
the certification of the amended one.

Printed: "There exists a normalized (whitened) dataset satisfying: Given an arbitrary feed
forward rectifier network with weights initialized from a normal distribution and biases
initialized to 0 and an arbitrary eps in [0, 1), with probability at least 1 - eps, gradient
based techniques using log loss never achieve 0 training error nor they ever converge."

Counterexample (:func:`converging_event`), for EVERY dataset and EVERY normal law N(mu,
sigma^2): take a network with two hidden layers, the first of width 2. On the event E that
W_1 lies in a box around the rows (u, -u) (u . x_i != 0 for every i) and every entry of W_2 is
negative, each point activates one first-layer unit, so layer 2's pre-activations W_2 h_1(x_i)
are all < 0: layer 2 is strictly inactive on the data, the output is the output bias c, and
every other parameter has zero gradient. Gradient descent then moves c alone, on the strictly
convex f(c) = n_1 log(1 + e^-c) + n_0 log(1 + e^c), and converges (step < 8/N) to
log(n_1/n_0): training converges. P(E) > 0 for every (mu, sigma), so the failure probability
is at most 1 - P(E) < 1: eps = 0 is impossible for every law, and for a fixed law every
eps < P(E) fails.

Amended statement (:func:`amended_mean`): for every architecture d-h-...-h-1 with K hidden
layers and every eps in (0, 1), the mean mu_min = sigma Phi^-1((1 - eps)^(1/E)),
E = d h + (K - 1) h^2 + h, makes every weight positive with probability >= 1 - eps; then the
Appendix B.1 argument applies. The mean must be chosen from eps and the architecture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import sympy

from ...errors import ClaimCheckError, require
from ...exact.numbers import exact
from . import bounds
from .outlier_data import OutlierDataset

__all__ = ["AmendedMean", "ConvergingEvent", "amended_mean", "converging_event"]


def _fact(condition: object, message: str) -> None:
    require(condition, f"Proposition 4: {message}", error=ClaimCheckError)


def _rat(q: Fraction) -> sympy.Rational:
    return sympy.Rational(q.numerator, q.denominator)


@dataclass(frozen=True)
class ConvergingEvent:
    """The event E of the counterexample, on ``data``, with its exact facts.

    ``W1`` is the box centre (rows u and -u), ``radius`` the box half-width (max-norm) on
    every entry of W_1, ``W2_shape`` the shape of W_2 (all entries negative on E).
    ``margins[i]`` = |u . x_i| - radius |x_i|_1 > 0 (exact, sympy): on the box one unit stays
    strictly active at x_i. ``labels`` = (n_0, n_1).
    """

    W1: tuple[tuple[Fraction, ...], ...]
    radius: Fraction
    W2_shape: tuple[int, int]
    margins: tuple[sympy.Expr, ...]
    layer2_at_centre: tuple[tuple[sympy.Expr, ...], ...]
    labels: tuple[int, int]

    @property
    def limit(self) -> sympy.Expr:
        """Where gradient descent on the output bias converges: log(n_1 / n_0)."""
        n0, n1 = self.labels
        return sympy.log(sympy.Rational(n1, n0))

    @property
    def step_bound(self) -> Fraction:
        """Gradient descent on c converges for every step size in (0, 8/N): f'' <= N/4."""
        return Fraction(8, sum(self.labels))

    def probability(self, mean: Any, std: Any, dps: int = 30) -> mpmath.mpf:
        """P(E) for weights N(mean, std^2): the box for W_1 times P(every W_2 entry < 0)."""
        with mpmath.workdps(dps):
            m, s = bounds.to_mpf(mean, "mean"), bounds.to_mpf(std, "std")
            _fact(s > 0, f"std={std} must be positive")
            r = bounds.to_mpf(self.radius, "radius")
            p = mpmath.mpf(1)
            for row in self.W1:
                for w in row:
                    c = bounds.to_mpf(w, "W1")
                    lo, hi = (c - r - m) / s, (c + r - m) / s
                    # Phi(hi) - Phi(lo), from the tail that does not cancel to 0
                    p *= (mpmath.ncdf(-lo) - mpmath.ncdf(-hi) if lo > 0
                          else mpmath.ncdf(hi) - mpmath.ncdf(lo))
            rows, cols = self.W2_shape
            return +(p * mpmath.ncdf(-m / s) ** (rows * cols))


def converging_event(data: OutlierDataset, u: Sequence[Any] | None = None,
                     width2: int = 2) -> ConvergingEvent:
    """Build E on ``data`` (any dataset with nonzero u . x_i works) and verify it exactly.

    Default u = e_1: every point of the Appendix B.1 dataset has a nonzero first feature.
    The radius is the largest power of 2 below min_i |u . x_i| / |x_i|_1 (checked exactly).
    """
    d = data.d
    u_vec = tuple(exact(t, "u") for t in (u if u is not None else [1] + [0] * (d - 1)))
    _fact(len(u_vec) == d, f"u has {len(u_vec)} entries, not d={d}")
    dots = [sum((_rat(a) * x for a, x in zip(u_vec, row, strict=True)), sympy.Integer(0))
            for row in data.X]
    norms = [sum((abs(x) for x in row), sympy.Integer(0)) for row in data.X]
    _fact(all(sympy.simplify(t).is_zero is False for t in dots), "some u . x_i is 0")
    ratio = min(float(abs(t) / n) for t, n in zip(dots, norms, strict=True))
    radius = Fraction(1)
    while radius >= ratio:  # a float proposal; the exact check below decides
        radius /= 2
    margins = tuple(sympy.simplify(abs(t) - _rat(radius) * n)
                    for t, n in zip(dots, norms, strict=True))
    _fact(all(m.is_positive is True for m in margins),
          f"radius {radius} does not keep a unit strictly active at every point")
    W1 = (u_vec, tuple(-a for a in u_vec))
    # at the centre, with W_2 = -1 everywhere: h_1(x_i) = (relu(u.x_i), relu(-u.x_i)) has one
    # positive entry, so every layer-2 pre-activation is -|u . x_i| < 0
    h1 = [(sympy.Max(0, t), sympy.Max(0, -t)) for t in dots]
    layer2 = tuple(tuple(sympy.simplify(-(a + b)) for _ in range(width2)) for a, b in h1)
    _fact(all(t.is_negative is True for row in layer2 for t in row),
          "layer 2 is not strictly inactive at the centre")
    n1 = sum(1 for t in data.y if t == 1)
    n0 = len(data.y) - n1
    _fact(n0 > 0 and n1 > 0, "both labels must occur (else c diverges)")
    return ConvergingEvent(W1, radius, (width2, 2), margins, layer2, (n0, n1))


@dataclass(frozen=True)
class AmendedMean:
    """mu_min for one (eps, architecture, sigma), certified three ways: the bisection bracket
    of :func:`bounds.required_mean`, P re-evaluated on both ends, and the closed form."""

    eps: Fraction
    d_in: int
    width: int
    hidden_layers: int
    std: Fraction
    weights: int
    lower: mpmath.mpf
    upper: mpmath.mpf
    closed_form: mpmath.mpf
    p_upper: mpmath.mpf
    p_lower: mpmath.mpf

    @property
    def certified(self) -> bool:
        target = 1 - mpmath.mpf(self.eps.numerator) / self.eps.denominator
        return bool(self.p_upper >= target > self.p_lower
                    and self.lower < self.closed_form <= self.upper)


def amended_mean(eps: Any, d_in: int, width: int, hidden_layers: int, std: Any = 1,
                 digits: int = 10, dps: int = 40) -> AmendedMean:
    """The mean that gives probability >= 1 - eps that every weight is positive."""
    q, s = exact(eps, "eps"), exact(std, "std")
    _fact(0 < q < 1, f"eps={eps} must lie in (0, 1) (eps = 0 is impossible)")
    req = bounds.required_mean(1 - q, "fixed", d_in, width, hidden_layers, fixed_std=s,
                               digits=digits, dps=dps)
    E = bounds.prop4_exponent(d_in, width, hidden_layers)
    with mpmath.workdps(dps + 10):
        p = 1 - mpmath.mpf(q.numerator) / q.denominator
        # sigma Phi^-1(p^(1/E)), Phi^-1(y) = sqrt(2) erfinv(2y - 1): a formula independent of
        # the bisection
        closed = (mpmath.mpf(s.numerator) / s.denominator) * mpmath.sqrt(2) * mpmath.erfinv(
            2 * p ** (mpmath.mpf(1) / E) - 1)
        p_up = bounds.prop4_probability(req.upper, "fixed", d_in, width, hidden_layers,
                                        fixed_std=s, dps=dps + 10)
        p_lo = bounds.prop4_probability(req.lower, "fixed", d_in, width, hidden_layers,
                                        fixed_std=s, dps=dps + 10)
    return AmendedMean(q, d_in, width, hidden_layers, s, E, req.lower, req.upper, closed,
                       p_up, p_lo)
