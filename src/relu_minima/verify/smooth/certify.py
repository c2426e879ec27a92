"""Decide local minima of one-hidden-layer sigmoid/tanh networks by interval arithmetic.

:func:`certify_smooth_minimum` (method in ``docs/smooth.md``):

0. exact structural refusals: data on an affine hyperplane a . x = beta (then every unit has
   the exact symmetry (w_j, b_j) -> (w_j + t a, b_j - t beta), so no critical point is ever a
   strict minimum), or fewer distinct inputs than m + 1 (then the output layer (v, c) has an
   exact flat direction: the kernel of the N x (m + 1) matrix [s(u_j . x~_i), 1]);
1. Newton's method in float64 from the given exact point to a nearby critical point, then
   Newton corrections with ball midpoints and an inverse Hessian at the working precision,
   rounded to a decimal centre c of about as many digits (``smooth_search``);
2. for radii rho (given, or 2^-8, 2^-16, ..., 2^-80, largest first), the Krawczyk test on the box
   c +- rho (exactly one critical point theta* inside), then positive definiteness of every
   Hessian over the box (strict local minimum), or a certainly negative curvature u^T H u < 0
   for an exact u (not a local minimum, with a point of proven lower loss);
3. otherwise "undecided" with the reason (flat direction, no critical point, box too large,
   a minimum at infinity).

:func:`snap_smooth`: the same for an optimiser's float weights (rationalised exactly first).

:func:`prove_bad_minimum`: a certified strict local minimum whose loss enclosure lies strictly
above the proven loss of another explicit point (a spurious local minimum).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ...errors import InvalidArgument, InvalidType, ShapeError
from ...exact.datasets import Dataset, require_dataset
from ...exact.numbers import brief, exact
from ...exact.smooth_net import SmoothNet
from ..certificate import Verdict
from .box_certificate import LossEnclosure, SmoothCertificate
from .derivatives import SmoothObjective
from .intervals import (
    DEFAULT_PRECISION,
    decimal_down,
    decimal_up,
    flint_module,
    krawczyk,
    positive_definite,
    sci,
    taylor_enclosure,
)
from .intervals import precision as working_precision
from .newton import (
    INFINITY_REASON,
    concave_direction,
    flat_reason,
    infinity_hint,
    newton,
    proven_margins,
    refine,
    saddle,
    structural_flatness,
)

__all__ = ["BadMinimum", "LossEnclosure", "SmoothCertificate", "certify_smooth_minimum",
           "prove_bad_minimum", "smooth_loss_enclosure", "snap_smooth"]

AUTO_RADII = tuple(Fraction(1, 2**k) for k in (8, 16, 24, 32, 40, 48, 64, 80))
FLAT_TOLERANCE = 1e-12  # |lambda_min| <= tol * max(1, |lambda_max|): numerically flat
NEGATIVE_TOLERANCE = 1e-9  # lambda_min < -tol * max(1, |lambda|): a clear negative direction


def smooth_loss_enclosure(params: SmoothNet, dataset: Dataset, loss: str = "squared", *,
                          precision_bits: int = DEFAULT_PRECISION) -> LossEnclosure:
    """A rigorous enclosure of the loss of ``params`` on ``dataset`` (30 significant digits)."""
    obj = SmoothObjective.of(params, dataset, loss)
    with working_precision(precision_bits):
        return LossEnclosure.of_ball(obj.ball_loss(obj.coords(params)))


def _precision_bits(precision: Any) -> int:
    if not isinstance(precision, int) or isinstance(precision, bool) or precision < 53:
        raise InvalidArgument(f"precision={precision!r} must be an int >= 53 (bits), e.g. 128.")
    return precision


def _radii(radius: Any) -> tuple[Fraction, ...]:
    if radius is None:
        return AUTO_RADII
    rho = exact(radius, "radius")
    if rho <= 0:
        raise InvalidArgument(f"radius={rho} must be positive, e.g. radius=1/1000.")
    return (rho,)


def certify_smooth_minimum(params: SmoothNet, dataset: Dataset, *, loss: str = "squared",
                           radius: Any = None, precision: int = DEFAULT_PRECISION,
                           newton_steps: int = 50) -> SmoothCertificate:
    """Certify a strict local minimum *near* ``params`` (or refuse, saying why): the snap route.

    ``params`` is an exact :class:`SmoothNet` (for a trained float point use
    :func:`snap_smooth`); ``loss`` is "squared" or "logistic"; ``radius`` the half width of
    the box (default: the largest of 2^-8, 2^-16, ..., 2^-80 that works); ``precision`` the
    bits of the ball midpoints (>= 53; raise it for ill-conditioned minima). The certificate is
    about the critical point theta* in the box around its ``params`` (the box centre, found by
    Newton's method from the given point, which is ``start``); to decide the given point itself,
    use ``verify_local_minimum`` (:func:`relu_minima.verify.smooth.point.decide_smooth_point`).
    """
    flint_module()  # the clear error when python-flint is missing, before any work
    if not isinstance(params, SmoothNet):
        raise ShapeError(f"params={brief(params)} must be a SmoothNet (sigmoid or tanh "
                         "network).")
    dataset = require_dataset(dataset)  # the certificate and the flatness test need a Dataset
    search = _BoxSearch(params, dataset, loss, _radii(radius), _precision_bits(precision),
                        radius is not None)
    return search.run(newton_steps)


class _BoxSearch:
    """One run of the box decision (module docstring, steps 0-3)."""

    def __init__(self, params: SmoothNet, dataset: Dataset, loss: str,
                 radii: tuple[Fraction, ...], bits: int, radius_given: bool) -> None:
        self.params, self.dataset, self.loss = params, dataset, loss
        self.radii, self.bits, self.radius_given = radii, bits, radius_given
        self.obj = SmoothObjective.of(params, dataset, loss)  # over the moving coordinates
        self.full = params.space.is_full
        self.attempts: list[str] = []

    def undecided(self, notes: str | None, at: SmoothNet | None = None,
                  **flat: Any) -> SmoothCertificate:
        """No proof; ``notes`` the float search's record (None: the reason is exact and the
        certificate derives it: no moving parameter, or the flat direction in ``flat``)."""
        obj, at = self.obj, self.params if at is None else at
        with working_precision(self.bits):
            try:
                enc = LossEnclosure.of_ball(obj.ball_loss(obj.coords(at)))
            except ArithmeticError:  # the search ran off to huge weights: report the start
                at = self.params
                enc = LossEnclosure.of_ball(obj.ball_loss(obj.coords(at)))
        return SmoothCertificate(params=at, dataset=self.dataset, verdict=Verdict.UNDECIDED,
                                 loss=enc, objective=self.loss, precision=self.bits,
                                 start=self.params, notes=notes, **flat)

    def run(self, newton_steps: int) -> SmoothCertificate:
        obj, params = self.obj, self.params
        if obj.n == 0:
            return self.undecided(None)  # no parameter moves: there is nothing to decide
        # the exact flat directions below move every coordinate of a unit (or of the output
        # layer); with fixed coordinates they may not exist, so the Hessian test decides instead
        structural = structural_flatness(params, self.dataset) if self.full else None
        if structural is not None:
            kind, vector, _ = structural
            return self.undecided(None, flat_kind=kind, flat_vector=vector)
        start = obj.coords(params)
        theta, note = newton(obj, np.array([float(t) for t in start]), newton_steps)
        if theta is None:
            return self.undecided(note + (infinity_hint(obj, start) if self.full else
                                          "; train further and retry"))
        _, _, H = obj.float_derivatives(theta)
        lam, V = np.linalg.eigh((H + H.T) / 2)
        scale = max(1.0, float(np.max(np.abs(lam))))
        # numerically flat in float64: still tried below with working-precision preconditioners
        # (an ill-conditioned minimum may pass), and reported as flat if nothing is proven
        flat = float(np.min(np.abs(lam))) <= FLAT_TOLERANCE * scale
        negative = float(lam[0]) < -NEGATIVE_TOLERANCE * scale  # a clear negative direction
        if flat and not self.full and not negative:  # the flat direction in the full layout
            theta_full = np.array([float(t) for t in obj.embed(
                tuple(Fraction(float(t)) for t in theta))])
            return self.undecided(flat_reason(obj.base_objective, theta_full, lam,
                                              obj.embed_direction(V[:, 0])[:, None]))
        if flat and self.loss == "logistic" and proven_margins(
                obj, tuple(Fraction(float(t)) for t in theta)):
            return self.undecided(INFINITY_REASON)
        with working_precision(self.bits):
            centre = refine(obj, theta)
            found = self._boxes(centre, lam, V, flat)
            if found is None and negative:
                found = self._concave(centre, V[:, 0])
        if found is not None:
            return found
        return self._undecided_after(centre, theta, lam, V, flat)

    def _boxes(self, centre: tuple[Fraction, ...], lam: np.ndarray, V: np.ndarray,
               flat: bool) -> SmoothCertificate | None:
        """Krawczyk, then positive definiteness or negative curvature, for each radius."""
        obj = self.obj
        for rho in self.radii:
            kr = krawczyk(obj, centre, rho)
            if not kr.inside:
                self.attempts.append(f"rho={sci(rho, 1)}: Krawczyk |K(X)-c| <= "
                                     f"{sci(kr.image_bound, 2)}")
                continue
            inner, at_min = _tight_loss(obj, centre, rho, kr)
            common = dict(params=obj.network(centre), dataset=self.dataset, loss=at_min,
                          objective=self.loss, precision=self.bits, radius=rho,
                          inner_radius=inner, start=self.params,
                          krawczyk_bound=decimal_up(kr.image_bound, 6),
                          contraction=decimal_up(kr.contraction, 6))
            if lam[0] > 0 or (flat and lam[0] >= -NEGATIVE_TOLERANCE * max(1.0, abs(lam[-1]))):
                pd = positive_definite(kr.hessian)
                if pd.positive:
                    return SmoothCertificate(
                        verdict=Verdict.MINIMUM, pd_margin=decimal_down(pd.margin, 6),
                        eigen_lower=decimal_down(pd.eigen_lower, 6), **common)
                self.attempts.append(f"rho={sci(rho, 1)}: Hessian not proven positive definite")
                continue
            found = saddle(obj, centre, rho, kr.hessian, V[:, 0], at_min)
            if found is not None:
                u, curv, point, point_loss = found
                return SmoothCertificate(
                    verdict=Verdict.NOT_MINIMUM, direction=u, curvature=curv,
                    lower_point=point, lower_loss=point_loss, **common)
            self.attempts.append(f"rho={sci(rho, 1)}: negative curvature not proven")
        return None

    def _concave(self, centre: tuple[Fraction, ...], u: np.ndarray) -> SmoothCertificate | None:
        """No Krawczyk box (a singular Hessian: a saddle with a flat direction), but a clear
        negative eigenvalue: strict concavity along an exact u over a box around the centre
        proves that no point of the box is a local minimum (issue 22, item 10)."""
        obj = self.obj
        at = LossEnclosure.of_ball(obj.ball_loss(centre))
        for rho in self.radii:
            _, _, HX = obj.ball_derivatives(centre, rho, order=2)
            found = concave_direction(obj, centre, rho, HX, u, at)
            if found is not None:
                direction, curv, point, point_loss = found
                return SmoothCertificate(
                    params=obj.network(centre), dataset=self.dataset, loss=at,
                    objective=self.loss, precision=self.bits, radius=rho, start=self.params,
                    verdict=Verdict.NOT_MINIMUM, direction=direction, curvature=curv,
                    lower_point=point, lower_loss=point_loss)
            self.attempts.append(f"rho={sci(rho, 1)}: concavity along the negative "
                                 "eigenvector not proven")
        return None

    def _undecided_after(self, centre: tuple[Fraction, ...], theta: np.ndarray,
                         lam: np.ndarray, V: np.ndarray, flat: bool) -> SmoothCertificate:
        obj, tried = self.obj, "; ".join(self.attempts)
        if flat:
            # more precision can only help a minimum that float64 calls flat (lambda_min >= 0)
            more = ("" if lam[0] < 0 else f"; no box was proven at {self.bits}-bit precision "
                    f"either (an ill-conditioned minimum may need more: in Python, "
                    f"certify_smooth_minimum(..., precision={2 * self.bits}))")
            return self.undecided(flat_reason(obj, theta, lam, V) + more)
        what = "a minimum" if lam[0] > 0 else "not a minimum (lambda_min < 0)"
        advice = ("use radius=None (automatic radii) or a smaller radius" if self.radius_given
                  else f"the Hessian is nearly singular (eigenvalue {lam[0]:.2e}); certify a "
                  "better-conditioned point")
        return self.undecided(f"box too large or test too weak: float evidence says {what}, "
                              f"but no box was proven ({tried}); {advice}.",
                              at=obj.network(centre))


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
        from ...errors import require

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
                          f"a bad local minimum: L(theta*) >= {sci(cert.loss.lower, 11)} > "
                          f"{sci(enc.upper, 11)} >= L(better)")
    return BadMinimum(cert, better, enc, False, Fraction(0),
                      f"the other point's loss {enc} is not below the minimum's {cert.loss}")


# -- trained float points ------------------------------------------------------------------
def _rationalise(name: str, value: Any) -> Any:
    """Floats (or a numpy array) as exact rationals: each float is its own exact binary value."""
    arr = np.asarray(value, dtype=object if isinstance(value, (list, tuple)) else None)
    if arr.dtype == object:
        flat = [_exact_float(f"{name}[{i}]", t) for i, t in enumerate(arr.ravel())]
    else:
        if not np.issubdtype(arr.dtype, np.number):
            raise InvalidType(f"{name} has dtype {arr.dtype}; pass numbers (floats, ints).")
        flat = [_exact_float(f"{name}[{i}]", t.item()) for i, t in enumerate(arr.ravel())]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(arr.shape).tolist()


def _exact_float(name: str, t: Any) -> Fraction:
    if isinstance(t, float | np.floating):
        if not np.isfinite(t):
            raise InvalidArgument(f"{name}={t} is not finite; train to finite weights first.")
        return Fraction(float(t))
    return exact(t, name)


def snap_smooth(W: Any, b: Any, v: Any, c: Any, dataset: Dataset, *,
                activation: str = "sigmoid", loss: str = "squared", radius: Any = None,
                precision: int = DEFAULT_PRECISION, newton_steps: int = 50) -> SmoothCertificate:
    """Certify what an optimiser found: float (or numpy) weights of a sigmoid/tanh network.

    The snap route for smooth networks: every float is replaced by its exact binary value (no
    rounding), the point is refined by Newton's method (float64, then ball midpoints) to an
    exact decimal centre, and :func:`certify_smooth_minimum` decides the box around it. The
    certificate's ``start`` is the rationalised trained point, ``params`` the centre.
    """
    start = SmoothNet(_rationalise("W", W), _rationalise("b", b), _rationalise("v", v),
                      _exact_float("c", c.item() if isinstance(c, np.generic) else c),
                      activation=activation)
    return certify_smooth_minimum(start, dataset, loss=loss, radius=radius,
                                  precision=precision, newton_steps=newton_steps)
