"""Decide local minima of one-hidden-layer sigmoid/tanh networks by interval arithmetic.

:func:`certify_smooth_minimum` (method in ``docs/smooth.md``):

0. exact structural refusals: data on an affine hyperplane a . x = beta (then every unit has
   the exact symmetry (w_j, b_j) -> (w_j + t a, b_j - t beta), so no critical point is ever a
   strict minimum), or fewer distinct inputs than m + 1 (then the output layer (v, c) has an
   exact flat direction: the kernel of the N x (m + 1) matrix [s(u_j . x~_i), 1]);
1. Newton's method in float64 from the given exact point to a nearby critical point, then
   two Newton corrections in ball arithmetic (midpoints), rounded to a 30-digit decimal
   centre c;
2. for radii rho (given, or 2^-8, 2^-16, ..., largest first), the Krawczyk test on the box
   c +- rho (exactly one critical point theta* inside), then positive definiteness of every
   Hessian over the box (strict local minimum), or a certainly negative curvature u^T H u < 0
   for an exact u (a saddle, with a point of proven lower loss);
3. otherwise "undecided" with the reason (flat direction, no critical point, box too large).

:func:`prove_bad_minimum`: a certified strict local minimum whose loss enclosure lies strictly
above the proven loss of another explicit point (a spurious local minimum).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InvalidArgument, ShapeError
from ..exact import linalg
from ..exact.datasets import Dataset
from ..exact.smooth import SmoothNet
from .certificate import Verdict
from .intervals import (
    DEFAULT_PRECISION,
    decimal_down,
    decimal_up,
    flint_module,
    fraction_of,
    krawczyk,
    newton_preconditioner,
    positive_definite,
    precision,
    quadratic_form,
    taylor_enclosure,
    upper_fraction,
)
from .smooth_certificate import LossEnclosure, SmoothCertificate
from .smooth_model import SmoothObjective

__all__ = ["BadMinimum", "LossEnclosure", "SmoothCertificate", "certify_smooth_minimum",
           "prove_bad_minimum", "smooth_loss_enclosure"]

AUTO_RADII = tuple(Fraction(1, 2**k) for k in (8, 16, 24, 32, 40, 48))
FLAT_TOLERANCE = 1e-9   # |lambda_min| <= tol * max(1, |lambda_max|): numerically flat
MAX_MOVE = 1.0          # Newton may move the start by at most this much (max norm)


def smooth_loss_enclosure(params: SmoothNet, dataset: Dataset, loss: str = "squared", *,
                          precision_bits: int = DEFAULT_PRECISION) -> LossEnclosure:
    """A rigorous enclosure of the loss of ``params`` on ``dataset`` (30 significant digits)."""
    obj = SmoothObjective.of(params, dataset, loss)
    with precision(precision_bits):
        return LossEnclosure.of_ball(obj.ball_loss(obj.coords(params)))


def certify_smooth_minimum(params: SmoothNet, dataset: Dataset, *, loss: str = "squared",
                           radius: Any = None, precision: int = DEFAULT_PRECISION,
                           newton_steps: int = 50) -> SmoothCertificate:
    """Certify a strict local minimum near ``params`` (or refuse, saying why).

    ``params`` is an exact :class:`SmoothNet` (a trained float point: pass the floats' exact
    values, e.g. ``Fraction(x)``); ``loss`` is "squared" or "logistic"; ``radius`` the half
    width of the box (default: the largest of 2^-8, 2^-16, ... that works); ``precision``
    the bits of the ball midpoints (>= 53). The certificate's ``params`` is the box centre.
    """
    flint_module()  # the clear error when python-flint is missing, before any work
    if not isinstance(params, SmoothNet):
        raise ShapeError(f"params={params!r} must be a SmoothNet (sigmoid or tanh network).")
    if not isinstance(precision, int) or isinstance(precision, bool) or precision < 53:
        raise InvalidArgument(f"precision={precision!r} must be an int >= 53 (bits), e.g. 128.")
    radii = AUTO_RADII
    if radius is not None:
        from ..exact.numbers import exact

        rho = exact(radius, "radius")
        if rho <= 0:
            raise InvalidArgument(f"radius={rho} must be positive, e.g. radius=1/1000.")
        radii = (rho,)
    obj = SmoothObjective.of(params, dataset, loss)  # over the moving coordinates only
    bits = precision
    start = obj.coords(params)
    full = params.space.is_full

    def undecided(reason: str, at: SmoothNet = params, **flat: Any) -> SmoothCertificate:
        with _prec(bits):
            enc = LossEnclosure.of_ball(obj.ball_loss(obj.coords(at)))
        return SmoothCertificate(params=at, dataset=dataset, verdict=Verdict.UNDECIDED, loss=enc,
                                 reason=reason, objective=loss, precision=bits,
                                 start=params, **flat)

    if obj.n == 0:
        return undecided(f"no parameter moves ({params.space.describe()}): there is nothing "
                         "to decide")
    # the exact flat directions below move every coordinate of a unit (or of the output
    # layer); with fixed coordinates they may not exist, so the Hessian test decides instead
    structural = _structural_flatness(params, dataset) if full else None
    if structural is not None:
        kind, vector, reason = structural
        return undecided(reason, flat_kind=kind, flat_vector=vector)
    theta, note = _newton(obj, np.array([float(t) for t in start]), newton_steps)
    if theta is None:
        return undecided(note + (_infinity_hint(obj, start) if full else
                                 "; train further and retry"))
    _, _, H = obj.float_derivatives(theta)
    lam, V = np.linalg.eigh((H + H.T) / 2)
    scale = max(1.0, float(np.max(np.abs(lam))))
    centre_guess = tuple(Fraction(float(t)) for t in theta)
    if abs(lam[0]) <= FLAT_TOLERANCE * scale:
        theta_full = theta if full else np.array(
            [float(t) for t in obj.embed(tuple(Fraction(float(t)) for t in theta))])
        return undecided(_flat_reason(obj.base_objective, theta_full, lam,
                                      obj.embed_direction(V[:, 0])[:, None]))
    with _prec(bits):
        centre = _refine(obj, centre_guess, H)
        centre_net = obj.network(centre)
        attempts = []
        for rho in radii:
            kr = krawczyk(obj, centre, rho)
            if not kr.inside:
                attempts.append(f"rho={float(rho):.1e}: Krawczyk |K(X)-c| <= "
                                f"{float(kr.image_bound):.2e}")
                continue
            inner, at_min = _tight_loss(obj, centre, rho, kr)
            common = dict(params=centre_net, dataset=dataset, loss=at_min, objective=loss,
                          precision=bits, radius=rho, inner_radius=inner, start=params,
                          krawczyk_bound=decimal_up(kr.image_bound, 6),
                          contraction=decimal_up(kr.contraction, 6))
            if lam[0] > 0:
                pd = positive_definite(kr.hessian)
                if pd.positive:
                    return SmoothCertificate(
                        verdict=Verdict.MINIMUM, pd_margin=decimal_down(pd.margin, 6),
                        eigen_lower=decimal_down(pd.eigen_lower, 6),
                        reason=("strict local minimum: one critical point in the box, positive "
                                "definite Hessian on the whole box" + ("" if full else
                                f" (over the moving parameters; {params.space.describe()})")),
                        **common)
                attempts.append(f"rho={float(rho):.1e}: Hessian not proven positive definite")
                continue
            saddle = _saddle(obj, centre, rho, kr.hessian, V[:, 0], at_min)
            if saddle is not None:
                u, curv, point, point_loss = saddle
                return SmoothCertificate(
                    verdict=Verdict.NOT_MINIMUM, direction=u, curvature=curv,
                    lower_point=point, lower_loss=point_loss,
                    reason=("the only critical point in the box is a saddle: negative curvature "
                            f"u^T H u <= {float(curv):.3e} over the box"), **common)
            attempts.append(f"rho={float(rho):.1e}: negative curvature not proven")
    what = "a minimum" if lam[0] > 0 else "a saddle (lambda_min < 0)"
    advice = ("use radius=None (automatic radii) or a smaller radius" if radius is not None
              else f"the Hessian is nearly singular (eigenvalue {lam[0]:.2e}); raise precision "
              "or certify a better-conditioned point")
    return undecided(f"box too large or test too weak: float evidence says {what}, but "
                     f"no box was proven ({'; '.join(attempts)}); {advice}.", at=centre_net)


def _prec(bits: int) -> Any:
    return precision(bits)


def _tight_loss(obj: SmoothObjective, centre: tuple[Fraction, ...], rho: Fraction, kr: Any
                ) -> tuple[Fraction | None, LossEnclosure]:
    """The loss enclosure from a much smaller box around the centre when Krawczyk passes there
    too (it then holds the same critical point: the one in the big box is unique)."""
    outer = LossEnclosure.of_ball(taylor_enclosure(kr.value, kr.gradient, kr.hessian,
                                                   kr.offsets))
    floor = max(2 * kr.step, Fraction(1, 2**(flint_module().ctx.prec - 24)))
    if floor * 2**8 >= rho:
        return None, outer
    inner = _power_of_two_above(floor)
    if inner >= rho:
        return None, outer
    small = krawczyk(obj, centre, inner)
    if not small.inside:
        return None, outer
    tight = LossEnclosure.of_ball(taylor_enclosure(small.value, small.gradient, small.hessian,
                                                   small.offsets))
    return (inner, tight) if tight.width < outer.width else (None, outer)


def _power_of_two_above(q: Fraction) -> Fraction:
    k = 0
    while Fraction(1, 2 ** (k + 1)) >= q:
        k += 1
    return Fraction(1, 2**k)


# -- step 0: exact structural flatness ------------------------------------------------------
def _structural_flatness(params: SmoothNet, dataset: Dataset
                         ) -> tuple[str, tuple[Fraction, ...], str] | None:
    rows = [[*x, Fraction(1)] for x in dataset.X]
    kernel = linalg.nullspace(rows, dataset.d + 1)
    if kernel:
        vec = linalg.primitive(kernel[0])
        a, beta = vec[:-1], -vec[-1]
        return ("affine-data", (*a, beta),
                f"no strict local minimum exists for these data: every input satisfies "
                f"a . x = {beta} with a = ({', '.join(str(t) for t in a)}), so moving any unit "
                f"by (w_j, b_j) -> (w_j + t a, b_j - {beta} t) leaves every output, hence the "
                "loss, unchanged: an exact flat direction at every point (certify on a reduced "
                "parametrisation, or add data off the hyperplane)")
    distinct = len(dataset.groups())
    if distinct < params.m + 1:
        return ("output-layer", (), f"no strict local minimum exists: the data have {distinct} "
                f"distinct inputs but the output layer has m + 1 = {params.m + 1} parameters "
                "(v, c); the outputs depend on them only through the N x (m + 1) matrix "
                "[s(w_j . x_i + b_j), 1], which has a nonzero kernel: an exact flat direction at "
                "every point (use fewer units or more data)")
    return None


# -- step 1: refinement ---------------------------------------------------------------------
def _newton(obj: SmoothObjective, theta0: np.ndarray, steps: int
            ) -> tuple[np.ndarray | None, str]:
    theta = theta0.copy()
    _, g, H = obj.float_derivatives(theta)
    g0 = float(np.max(np.abs(g)))
    for _ in range(steps):
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(H))):
            return None, "the float derivatives overflowed during Newton's method"
        try:
            delta = np.linalg.solve(H, -g)
        except np.linalg.LinAlgError:
            delta = np.linalg.lstsq(H, -g, rcond=None)[0]
        theta = theta + delta
        if float(np.max(np.abs(theta - theta0))) > MAX_MOVE * (1 + float(np.max(np.abs(theta0)))):
            return None, (f"no critical point was found near params: Newton's method left the "
                          f"neighbourhood of the start (|grad L(params)|_inf = {g0:.3e})")
        _, g, H = obj.float_derivatives(theta)
        if float(np.max(np.abs(delta))) <= 1e-13 * (1 + float(np.max(np.abs(theta)))):
            return theta, "converged"
    return None, (f"no critical point was found near params: Newton's method did not converge "
                  f"in {steps} steps (|grad L(params)|_inf = {g0:.3e}, now "
                  f"{float(np.max(np.abs(g))):.3e})")


def _infinity_hint(obj: SmoothObjective, start: tuple[Fraction, ...]) -> str:
    """An exact remark when the loss provably decreases towards infinity from params."""
    if obj.loss != "logistic":
        return ("; if training drives the weights to grow without bound, the infimum is at "
                "infinity and there is no minimum to certify; else train further and retry")
    with _prec(DEFAULT_PRECISION):
        net = obj.network(start)
        margins = [_margin(obj, net, i) for i in range(obj.N)]
    if all(m > 0 for m in margins):
        return ("; a minimum at infinity: every point is classified correctly (y_i f(x_i) > 0, "
                "proven), so scaling the output layer (v, c) by lambda > 1 lowers every term "
                "log(1 + exp(-lambda y_i f(x_i))) strictly, for all lambda: the loss has no "
                "minimum along this ray")
    return "; the weights may drift to infinity (no finite minimum); train further and retry"


def _margin(obj: SmoothObjective, net: SmoothNet, i: int) -> Any:
    from .intervals import ball

    x, y = obj.dataset.X[i], obj.dataset.y[i]
    f = ball(net.c)
    for j in range(net.m):
        p = sum((ball(w) * ball(t) for w, t in zip(net.W[j], x, strict=True)), ball(net.b[j]))
        f += ball(net.v[j]) * (1 / (1 + (-p).exp()) if net.activation == "sigmoid" else p.tanh())
    return ball(y) * f


def _refine(obj: SmoothObjective, guess: tuple[Fraction, ...], H: np.ndarray
            ) -> tuple[Fraction, ...]:
    """Two Newton corrections with ball midpoints, then a 30-digit decimal centre."""
    Y = newton_preconditioner(H)
    centre = guess
    if Y is not None:
        for _ in range(2):
            _, g, _ = obj.ball_derivatives(centre, Fraction(0), order=1)
            gm = np.array([fraction_of(g[i, 0].mid()) for i in range(obj.n)], dtype=object)
            step = [sum(Fraction(float(Y[i, k])) * gm[k] for k in range(obj.n))
                    for i in range(obj.n)]
            centre = tuple(c - s for c, s in zip(centre, step, strict=True))
    return tuple(_round_decimal(c, 30) for c in centre)


def _round_decimal(q: Fraction, digits: int) -> Fraction:
    lo = decimal_down(q, digits)
    hi = decimal_up(q, digits)
    return lo if q - lo <= hi - q else hi


# -- step 3: diagnosis ----------------------------------------------------------------------
def _names(obj: SmoothObjective) -> list[str]:
    m, d = obj.m, obj.d
    names = [f"w_{j + 1}_{k + 1}" for j in range(m) for k in range(d)]
    return names + [f"b_{j + 1}" for j in range(m)] + [f"v_{j + 1}" for j in range(m)] + ["c"]


def _flat_reason(obj: SmoothObjective, theta: np.ndarray, lam: np.ndarray, V: np.ndarray) -> str:
    m, d = obj.m, obj.d
    u = V[:, 0]
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
            f"accuracy (smallest eigenvalue {lam[0]:.2e}, largest {lam[-1]:.2e}), along "
            f"{', '.join(parts) or 'a spread-out direction'}; {why}. A strict local minimum "
            "cannot be certified here (it may be a non-strict minimum on a flat family): remove "
            "the redundant units or certify a reduced parametrisation")


def _saddle(obj: SmoothObjective, centre: tuple[Fraction, ...], rho: Fraction, HX: Any,
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


# -- spurious minima --------------------------------------------------------------------------
@dataclass(frozen=True)
class BadMinimum:
    """A certified strict local minimum and an explicit point of strictly lower loss.

    ``proven`` is True exactly when the certificate says "local minimum" and the upper end of
    ``better_loss`` lies below the lower end of the minimum's loss enclosure; ``gap`` is then a
    proven lower bound of L(theta*) - L(better).
    """

    certificate: SmoothCertificate
    better: SmoothNet
    better_loss: LossEnclosure
    proven: bool
    gap: Fraction
    reason: str

    def check(self) -> bool:
        """Re-verify the certificate and the enclosure of the better point's loss."""
        from ..errors import require

        self.certificate.check()
        if self.proven:
            require(self.certificate.verdict is Verdict.MINIMUM, "not a certified minimum")
            enc = smooth_loss_enclosure(self.better, self.certificate.dataset,
                                        self.certificate.objective,
                                        precision_bits=self.certificate.precision)
            require(enc.upper <= self.better_loss.upper
                    and self.better_loss.upper < self.certificate.loss.lower,
                    "the better point's loss is not proven below the minimum's")
        return True


def prove_bad_minimum(params: SmoothNet, dataset: Dataset, better: SmoothNet, *,
                      loss: str = "squared", radius: Any = None,
                      precision: int = DEFAULT_PRECISION) -> BadMinimum:
    """Certify a strict local minimum near ``params`` and prove ``better`` has lower loss."""
    if not isinstance(better, SmoothNet):
        raise ShapeError(f"better={better!r} must be a SmoothNet.")
    cert = certify_smooth_minimum(params, dataset, loss=loss, radius=radius, precision=precision)
    enc = smooth_loss_enclosure(better, dataset, loss, precision_bits=precision)
    if cert.verdict is not Verdict.MINIMUM:
        return BadMinimum(cert, better, enc, False, Fraction(0),
                          f"no strict local minimum was certified: {cert.reason}")
    if enc.upper < cert.loss.lower:
        gap = cert.loss.lower - enc.upper
        return BadMinimum(cert, better, enc, True, gap,
                          f"a bad local minimum: L(theta*) >= {float(cert.loss.lower):.12g} > "
                          f"{float(enc.upper):.12g} >= L(better)")
    return BadMinimum(cert, better, enc, False, Fraction(0),
                      f"the other point's loss {enc} is not below the minimum's {cert.loss}")
