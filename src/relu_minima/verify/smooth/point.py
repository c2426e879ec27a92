"""``verify_local_minimum`` for sigmoid/tanh networks: a decision about the point it is GIVEN
(docs/smooth.md, "What verify_local_minimum says about a smooth point"; issue 22, item 7).

Rules, in order, each proven by ball arithmetic and re-verified by ``check()``
(:class:`~.point_certificate.SmoothPointCertificate`):

1. *gradient*: some coordinate of the enclosure of grad L(params) excludes 0; then an exact
   direction u (near minus the gradient's midpoint) has grad L . u < 0 proven, and the loss
   decreases along u: not a local minimum, with a lower point;
2. *curvature*: the float Hessian at params has a negative eigenvalue and an exact u near its
   eigenvector has u^T H u < 0 over a whole box around params: strictly concave along u, so
   not a local minimum whatever the gradient (a saddle or maximum, or a point near one);
3. otherwise "undecided": the gradient is not distinguishable from 0, and the box decision
   (:func:`~.certify.certify_smooth_minimum`) looks for a nearby critical point; a certified
   strict minimum there is reported as *nearby* (a strict local minimum within a proven
   distance), never as the verdict on params.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ...errors import ShapeError
from ...exact.datasets import Dataset, require_dataset
from ...exact.numbers import brief
from ...exact.smooth_net import SmoothNet
from ..certificate import Verdict
from .box_certificate import LossEnclosure
from .certify import AUTO_RADII, _precision_bits, _radii, certify_smooth_minimum
from .derivatives import SmoothObjective
from .intervals import DEFAULT_PRECISION, decimal_up, flint_module, upper_fraction
from .intervals import precision as working_precision
from .newton import concave_direction, descent_direction
from .point_certificate import SmoothPointCertificate

__all__ = ["decide_smooth_point"]

CURVATURE_RADII = AUTO_RADII[:5]  # 2^-8 ... 2^-40 around params


def decide_smooth_point(params: SmoothNet, dataset: Dataset, *, loss: str = "squared",
                        radius: Any = None, precision: int = DEFAULT_PRECISION,
                        newton_steps: int = 50) -> SmoothPointCertificate:
    """Decide whether the exact point ``params`` itself is a local minimum (module docstring).

    ``loss`` is "squared" or "logistic"; ``precision`` the bits of the ball midpoints;
    ``radius`` and ``newton_steps`` go to the search for a nearby certified minimum when the
    gradient at params cannot be told from 0.
    """
    flint_module()
    if not isinstance(params, SmoothNet):
        raise ShapeError(f"params={brief(params)} must be a SmoothNet (sigmoid or tanh "
                         "network).")
    dataset = require_dataset(dataset)
    bits = _precision_bits(precision)
    _radii(radius)  # a bad radius is refused before any work
    obj = SmoothObjective.of(params, dataset, loss)
    p = obj.coords(params)
    common = {"params": params, "dataset": obj.dataset, "objective": loss, "precision": bits}
    with working_precision(bits):
        value, grad, _ = obj.ball_derivatives(p, Fraction(0), order=1)
        at = LossEnclosure.of_ball(value)
        if obj.n == 0:
            return SmoothPointCertificate(verdict=Verdict.UNDECIDED, loss=at, **common)
        found = descent_direction(obj, p, grad, at)
        if found is not None:
            u, slope, point, enc = found
            return SmoothPointCertificate(verdict=Verdict.NOT_MINIMUM, loss=at, direction=u,
                                          slope=slope, lower_point=point, lower_loss=enc,
                                          **common)
        found = _concave_at(obj, p, at)
        if found is not None:
            return SmoothPointCertificate(verdict=Verdict.NOT_MINIMUM, loss=at, **found,
                                          **common)
        entries = [grad[k, 0] for k in range(obj.n)]
        bound = (decimal_up(max(upper_fraction(abs(g)) for g in entries), 6)
                 if all(g.is_finite() for g in entries) else None)
    if bound is None:  # the enclosure blew up: nothing can be said about the gradient
        return SmoothPointCertificate(verdict=Verdict.UNDECIDED, loss=at, gradient_bound=None,
                                      notes="the gradient enclosure at params is not finite",
                                      **common)
    box = certify_smooth_minimum(params, dataset, loss=loss, radius=radius, precision=bits,
                                 newton_steps=newton_steps)
    undecided = {"verdict": Verdict.UNDECIDED, "loss": at, "gradient_bound": bound}
    if box.verdict is Verdict.MINIMUM:
        return SmoothPointCertificate(nearby=box, **undecided, **common)
    if box.flat_kind is not None:
        return SmoothPointCertificate(flat_kind=box.flat_kind, flat_vector=box.flat_vector,
                                      **undecided, **common)
    notes = box.notes if box.notes is not None else (
        f"the search for a nearby critical point ended: {box.status} ({box.reason})")
    return SmoothPointCertificate(notes=f"near params: {notes}", **undecided, **common)


def _concave_at(obj: Any, p: tuple[Fraction, ...], at: LossEnclosure) -> dict[str, Any] | None:
    """Rule 2: strict concavity along an exact direction over a box around params."""
    _, _, H = obj.float_derivatives(np.array([float(t) for t in p]))
    if not np.all(np.isfinite(H)):
        return None
    lam, V = np.linalg.eigh((H + H.T) / 2)
    if lam[0] >= 0:
        return None
    for rho in CURVATURE_RADII:
        _, _, HX = obj.ball_derivatives(p, rho, order=2)
        found = concave_direction(obj, p, rho, HX, V[:, 0], at)
        if found is not None:
            u, curv, point, enc = found
            return {"direction": u, "radius": rho, "curvature": curv, "lower_point": point,
                    "lower_loss": enc}
    return None
