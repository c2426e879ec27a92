"""The search half of the smooth decision: structural refusals, Newton's method, diagnoses.

Nothing here proves anything on its own: Newton's method (float64, then ball midpoints)
*proposes* a centre, and the tests of :mod:`relu_minima.verify.smooth.intervals` decide. The exact
structural refusals (:func:`structural_flatness`) and the saddle's negative curvature
(:func:`saddle`) are proofs, re-verified by :meth:`SmoothCertificate.check`.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from .box_certificate import LossEnclosure
from .derivatives import SmoothObjective
from .flatness import structural_flatness
from .intervals import (
    DEFAULT_PRECISION,
    arb_inverse,
    ball,
    decimal_up,
    flint_module,
    fraction_of,
    precision,
    quadratic_form,
    upper_fraction,
)

__all__ = [
    "INFINITY_REASON",
    "concave_direction",
    "descent_direction",
    "dyadic",
    "flat_reason",
    "infinity_hint",
    "newton",
    "proven_margins",
    "refine",
    "round_decimal",
    "saddle",
    "structural_flatness",
]

MAX_MOVE = 1.0          # Newton may move the start by at most this much (max norm, relative)


# -- step 1: refinement ---------------------------------------------------------------------
def newton(obj: SmoothObjective, theta0: np.ndarray, steps: int) -> tuple[np.ndarray | None, str]:
    """Float64 Newton's method on the gradient from ``theta0`` (evidence only: it proposes a
    point, the balls prove). Returns the iterate with the least gradient, or None and why."""
    theta = theta0.copy()
    _, g, H = obj.float_derivatives(theta)
    g0 = float(np.max(np.abs(g)))
    best_g, best = g0, theta.copy()
    reach = MAX_MOVE * (1 + float(np.max(np.abs(theta0))))
    for _ in range(steps):
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(H))):
            return None, "the float derivatives overflowed during Newton's method"
        delta = _solve(H, -g)
        theta = theta + delta
        if float(np.max(np.abs(theta - theta0))) > reach:
            return None, (f"no critical point was found near params: Newton's method left the "
                          f"neighbourhood of the start (|grad L(params)|_inf = {g0:.3e})")
        _, g, H = obj.float_derivatives(theta)
        gn = float(np.max(np.abs(g))) if np.all(np.isfinite(g)) else np.inf
        if gn <= best_g:
            best_g, best = gn, theta.copy()
        if float(np.max(np.abs(delta))) <= 1e-13 * (1 + float(np.max(np.abs(theta)))):
            break
    _, g, H = obj.float_derivatives(best)
    step = float(np.max(np.abs(_solve(H, -g))))
    if step <= 1e-7 * (1 + float(np.max(np.abs(best)))):
        return best, "converged"
    return None, (f"no critical point was found near params: Newton's method did not converge "
                  f"in {steps} steps (|grad L(params)|_inf = {g0:.3e}, best {best_g:.3e}, last "
                  f"Newton step {step:.1e})")


def _solve(H: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """The least-norm solution with singular values below 1e-13 |H| dropped: on a flat family
    of critical points Newton then stays put instead of running along the family."""
    if not (np.all(np.isfinite(H)) and np.all(np.isfinite(rhs))):
        return np.full_like(rhs, np.nan)
    return np.linalg.lstsq(H, rhs, rcond=1e-13)[0]


def refine(obj: SmoothObjective, theta: np.ndarray, iterations: int = 12) -> tuple[Fraction, ...]:
    """Newton corrections with ball gradients at the current precision (midpoints) and an
    inverse of the midpoint Hessian at the same precision (so ill-conditioned Hessians, beyond
    float64, still converge), then an exact decimal centre with about as many digits.

    Run inside :func:`~relu_minima.verify.smooth.intervals.precision`. Only the centre comes from
    here; whether a critical point lies near it is decided by the Krawczyk test. The centre is
    kept on an *absolute* decimal grid (:func:`round_decimal`): a coordinate that Newton's
    method sends to 0 quadratically (an output weight of 1e-26 at a flat point) would otherwise
    keep 30 significant digits at exponents that double every step, and each ball operation on
    numbers of 10^5 digits costs seconds (issue 22, item 9)."""
    flint = flint_module()
    bits = flint.ctx.prec
    digits = max(15, int(bits * 0.30103) - 6)
    centre = tuple(Fraction(float(t)) for t in theta)
    tiny = Fraction(1, 2 ** (bits - 16))
    for _ in range(iterations):
        scale = 1 + max(abs(c) for c in centre)
        _, g, H = obj.ball_derivatives(centre, Fraction(0), order=2)
        Y = arb_inverse(H)
        if Y is None:
            break
        step = Y * flint.arb_mat([[g[i, 0].mid()] for i in range(obj.n)])
        if not all(step[i, 0].mid().is_finite() for i in range(obj.n)):
            break
        if any(abs(step[i, 0].mid()) > ball(scale * 2**20) for i in range(obj.n)):
            break  # a step beyond the scale of the point: no critical point near it
        moves = [fraction_of(step[i, 0].mid()) for i in range(obj.n)]
        centre = tuple(round_decimal(c - s, digits, scale)
                       for c, s in zip(centre, moves, strict=True))
        if max(abs(s) for s in moves) <= tiny * scale:
            break
    return centre
def proven_margins(obj: SmoothObjective, theta: tuple[Fraction, ...]) -> bool:
    """True when every point is proven classified correctly: y_i f(x_i) > 0 (balls)."""
    with precision(DEFAULT_PRECISION):
        net = obj.network(theta)
        for x, y in zip(obj.dataset.X, obj.dataset.y, strict=True):
            f = ball(net.c)
            for j in range(net.m):
                p = sum((ball(w) * ball(t) for w, t in zip(net.W[j], x, strict=True)),
                        ball(net.b[j]))
                f += ball(net.v[j]) * (1 / (1 + (-p).exp()) if net.activation == "sigmoid"
                                       else p.tanh())
            if not ball(y) * f > 0:
                return False
    return True


INFINITY_REASON = (
    "a minimum at infinity: every point is classified correctly (y_i f(x_i) > 0, proven by "
    "balls), so scaling the output layer (v, c) by lambda > 1 lowers every term "
    "log(1 + exp(-lambda y_i f(x_i))) strictly, for every lambda: the loss has no minimum along "
    "this ray and training drives the weights to infinity")


def infinity_hint(obj: SmoothObjective, start: tuple[Fraction, ...]) -> str:
    """An exact remark when the loss provably decreases towards infinity from ``start``."""
    if obj.loss != "logistic":
        return ("; if training drives the weights to grow without bound, the infimum is at "
                "infinity and there is no minimum to certify; else train further and retry")
    if proven_margins(obj, start):
        return "; " + INFINITY_REASON
    return "; the weights may drift to infinity (no finite minimum); train further and retry"


def round_decimal(q: Fraction, digits: int, scale: Fraction | int = 1) -> Fraction:
    """The nearest multiple of 10^-digits times the power of ten at or above ``scale``: an
    absolute grid, so the result has at most about ``digits`` + log10(scale) decimals whatever
    the size of ``q`` (a tiny q becomes 0, not a number with a huge exponent)."""
    scale = Fraction(scale)
    exponent = (max(0, math.ceil(math.log10(scale.numerator) - math.log10(scale.denominator)))
                if scale > 0 else 0)
    quantum = Fraction(10) ** (exponent - digits)
    return Fraction(round(Fraction(q) / quantum)) * quantum


# -- step 3: diagnosis ----------------------------------------------------------------------
def _names(obj: SmoothObjective) -> list[str]:
    m, d = obj.m, obj.d
    names = [f"w_{j + 1}_{k + 1}" for j in range(m) for k in range(d)]
    return names + [f"b_{j + 1}" for j in range(m)] + [f"v_{j + 1}" for j in range(m)] + ["c"]


def flat_reason(obj: SmoothObjective, theta: np.ndarray, lam: np.ndarray, V: np.ndarray) -> str:
    m, d = obj.m, obj.d
    flat = int(np.argmin(np.abs(lam)))  # the eigenvalue nearest 0, not the most negative
    u = V[:, flat]
    top = np.argsort(-np.abs(u))[:4]
    names = _names(obj)
    parts = [f"{names[k]} ({u[k]:+.2f})" for k in top if abs(u[k]) > 0.05]
    causes = []
    U = np.concatenate([theta[:m * d].reshape(m, d), theta[m * d:m * d + m, None]], axis=1)
    v = theta[m * d + m:m * d + 2 * m]
    X1 = np.array([[float(t) for t in x] + [1.0] for x in obj.dataset.X])
    P = X1 @ U.T
    for j in range(m):
        if abs(v[j]) < 1e-7:
            causes.append(f"unit {j + 1} has v_{j + 1} = {v[j]:.1e} ~ 0, so its weights do not "
                          "act on the loss")
        if np.min(np.abs(P[:, j])) > 30:
            causes.append(f"unit {j + 1} is saturated on every input (|w.x + b| > 30), so "
                          "its weights barely act")
        for k in range(j + 1, m):
            if np.max(np.abs(U[j] - U[k])) < 1e-6:
                causes.append(f"units {j + 1} and {k + 1} coincide, so only v_{j + 1} + "
                              f"v_{k + 1} matters")
            elif np.max(np.abs(U[j] + U[k])) < 1e-6:
                causes.append(f"units {j + 1} and {k + 1} are mirror images (u_{k + 1} = "
                              f"-u_{j + 1}), so s(-t) ties their output weights")
    why = "; ".join(causes) if causes else "no structural cause recognised"
    return (f"flat direction: the Hessian at the nearby critical point is singular to working "
            f"accuracy (eigenvalue {lam[flat]:.2e}, largest {lam[-1]:.2e}), along "
            f"{', '.join(parts) or 'a spread-out direction'}; {why}. A strict local minimum "
            "cannot be certified here (it may be a non-strict minimum on a flat family): remove "
            "the redundant units or certify a reduced parametrisation")


def saddle(obj: SmoothObjective, centre: tuple[Fraction, ...], rho: Fraction, HX: Any,
            u_float: np.ndarray, at_min: LossEnclosure) -> Any:
    """An exact direction with certainly negative curvature and a point of lower loss."""
    top = float(np.max(np.abs(u_float)))
    u = tuple(Fraction(round(float(t) / top * 2**20), 2**20) for t in u_float)
    curv = upper_fraction(quadratic_form(HX, u))
    if curv >= 0:
        return None
    t = rho
    for _ in range(30):
        point = tuple(c + t * s for c, s in zip(centre, u, strict=True))
        enc = LossEnclosure.of_ball(obj.ball_loss(point))
        if enc.upper < at_min.lower:
            return u, decimal_up(curv, 6), point, enc
        t /= 2
    return None


# -- descents at a given point (verify_local_minimum's decision, docs/smooth.md) -------------
def dyadic(values: Any, bits: int = 20) -> tuple[Fraction, ...] | None:
    """An exact short direction near ``values`` (max entry +-1, denominators 2^bits), or None
    when they are all zero or not finite."""
    vals = [Fraction(t) if isinstance(t, Fraction) else float(t) for t in values]
    if not all(isinstance(t, Fraction) or np.isfinite(t) for t in vals):
        return None
    top = max(abs(t) for t in vals)
    if top == 0:
        return None
    return tuple(Fraction(round(Fraction(t) / Fraction(top) * 2**bits), 2**bits) for t in vals)


def _lower_along(obj: SmoothObjective, centre: tuple[Fraction, ...], u: tuple[Fraction, ...],
                 start: Fraction, below: Fraction, signs: tuple[int, ...]) -> Any:
    """The first exact point centre + s t u (s in ``signs``, t = start, start/2, ...) whose
    loss enclosure lies strictly below ``below``: (signed direction, point, its enclosure)."""
    t = start
    for _ in range(120):
        for sgn in signs:
            point = tuple(c + sgn * t * a for c, a in zip(centre, u, strict=True))
            enc = LossEnclosure.of_ball(obj.ball_loss(point))
            if enc.upper < below:
                return tuple(sgn * a for a in u), point, enc
        t /= 2
    return None


def descent_direction(obj: SmoothObjective, point: tuple[Fraction, ...], grad: Any,
                      at: LossEnclosure) -> Any:
    """A nonzero gradient, proven: an exact u with grad L(point) . u <= slope < 0 (balls), and
    an exact point along u of proven lower loss (None, None when the decrease is below the
    resolution of the enclosures); None when the enclosure cannot show the slope."""
    u = dyadic([-fraction_of(grad[k, 0].mid()) for k in range(obj.n)])
    if u is None:
        return None
    flint = flint_module()
    q = sum((grad[k, 0] * ball(a) for k, a in enumerate(u) if a), flint.arb(0))
    if not q.is_finite() or not q < 0:
        return None
    found = _lower_along(obj, point, u, Fraction(1, 16), at.lower, (1,))
    # the slope alone proves the descent; the lower point may be below the enclosures'
    # resolution (a gradient of 1e-32 at 128 bits): then none is stored
    lower, enc = (None, None) if found is None else found[1:]
    return u, decimal_up(upper_fraction(q), 6), lower, enc


def concave_direction(obj: SmoothObjective, centre: tuple[Fraction, ...], rho: Fraction,
                      HX: Any, u_float: np.ndarray, at: LossEnclosure) -> Any:
    """Strict concavity along an exact u over the box centre +- rho: u^T H u <= curv < 0 at
    every point of it (``HX`` the Hessian enclosure there), so no point inside the box is a
    local minimum; with an exact point c +- t u of proven lower loss than ``at``. None when the
    enclosure does not show it."""
    u = dyadic(u_float)
    if u is None:
        return None
    curv = upper_fraction(quadratic_form(HX, u))
    if curv >= 0:
        return None
    found = _lower_along(obj, centre, u, rho, at.lower, (1, -1))
    if found is None:
        return None
    return found[0], decimal_up(curv, 6), found[1], found[2]
