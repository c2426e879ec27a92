"""Snapping a trained network with a leaky (or identity) activation (issue 26; docs/snap.md,
docs/activations.md).

The ReLU snap's exact routes (activation patterns with switched-off units, kink pairs solved on
their kinks) rest on relu(z) = 0 off a unit; with a negative slope s != 0 no unit is ever off,
so this snap is simpler and says so. Candidates, each an exact point with the trained
activation and slope:

1. every coordinate the shortest rational within ``rational_tol`` of the trained double;
2. the hidden layers of 1, and the output layer the exact least-squares fit on the exact hidden
   features (:mod:`.exact_lsq`): the output layer's gradient is then exactly 0.

The nearest candidate (``max_distance``, :mod:`.nearness`) is decided exactly
(``verify_local_minimum``: the two-slope criterion for one hidden layer, the linear decision for
``negative_slope=1``, the deep rules where they transfer); the status is that decision's.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ..exact import linalg
from ..exact.datasets import Dataset
from ..exact.params import ParameterSpace
from ..numeric import backend as numeric
from .nearness import nearness
from .rationals import short_rational
from .snap_report import MINIMUM, NOT_MINIMUM, NOT_NEAR, UNDECIDED, SnapReport
from .state_dict import FloatNet, exact_model

__all__ = ["snap_leaky"]


def _short(net: FloatNet, rel: float) -> Any:
    Ws = [[[short_rational(float(t), rel) for t in row] for row in W.tolist()]
          for W in net.weights]
    bs = [[short_rational(float(t), rel) for t in b.tolist()] for b in net.biases]
    return exact_model(Ws, bs, None, bias=net.bias_flags, negative_slope=net.negative_slope)


def _refit_output(point: Any, data: Dataset, net: FloatNet, rel: float) -> Any | None:
    """``point`` with its output layer an exact least-squares fit on its exact features: the
    constant and then the features in order, each kept if independent of those before; the
    others (in their span, so the fit is the same) stay at their short rationals."""
    from ..exact.deep_relu import DeepReLU

    deep = DeepReLU.from_shallow(point) if not isinstance(point, DeepReLU) else point
    if deep.depth < 2 or data.k != 1 or not all(deep.space.bias):
        return None
    feats = deep.hidden_activations(data)[-1]
    cols = [[Fraction(1)] * data.n] + [[row[j] for row in feats] for j in range(len(feats[0]))]
    now = [deep.biases[-1][0], *deep.weights[-1][0]]  # c, v_1, ..., v_m
    keep: list[int] = []
    for q in range(len(cols)):
        if linalg.rank([cols[t] for t in [*keep, q]]) > len(keep):
            keep.append(q)
    target = [y - sum((now[q] * cols[q][i] for q in range(len(cols)) if q not in keep),
                      Fraction(0)) for i, y in enumerate(data.y)]
    gram = [[linalg.dot(cols[a], cols[b]) for b in keep] for a in keep]
    sol = linalg.solve(gram, [linalg.dot(cols[a], target) for a in keep])
    if sol is None:  # pragma: no cover - the kept columns are independent
        return None
    coef = list(now)
    for q, t in zip(keep, sol, strict=True):
        coef[q] = t
    W = [list(M) for M in deep.weights[:-1]] + [[coef[1:]]]
    b = [list(t) for t in deep.biases[:-1]] + [[coef[0]]]
    return exact_model(W, b, None, bias=net.bias_flags, negative_slope=net.negative_slope)


def snap_leaky(net: FloatNet, data: Dataset, opts: dict[str, Any], bar: Any) -> SnapReport:
    """The snap of a network with ``negative_slope`` != 0 (module docstring)."""
    from ..verify.dispatch import verify_local_minimum

    theta = net.theta
    trained_loss = float(numeric.losses(net.arch, theta, data)[0])
    moving = np.array(ParameterSpace(net.widths, net.bias_flags).moving)
    grad_norm = float(np.linalg.norm(numeric.gradients(net.arch, theta, data)[0][moving]))
    trained = net.exact_binary()
    opts = {k: v for k, v in opts.items() if k != "max_directions"}
    common = {"dataset": data, "trained": trained, "trained_loss": trained_loss,
              "gradient_norm": grad_norm, "options": opts}
    bar.stage("short rationals")
    short = _short(net, opts["rational_tol"])
    candidates = [(short, "short rationals (negative slope "
                   f"{net.negative_slope}: no unit is off, no kink solve)")]
    refit = _refit_output(short, data, net, opts["rational_tol"])
    if refit is not None:
        candidates.append((refit, "short rationals, output layer by exact least squares"))
    attempts: list[str] = []
    scored = [(nearness(p, trained, opts["max_distance"]), p, how) for p, how in candidates]
    for near, _, how in scored:
        attempts.append(f"{how}: exact point at max-norm distance {float(near.distance):.3g}"
                        f" ({float(near.ratio):.3g} x the allowed distance at {near.worst})")
    best = min(scored, key=lambda item: item[0].ratio)
    chosen = (best[1], best[0]) if best[0].near else None
    if chosen is None:
        attempts.append("no candidate is near the trained point; no certificate is claimed")
        return SnapReport(NOT_NEAR, None, certificate=None, snapped_loss=None, distance=None,
                          kink_pairs=(), attempts=tuple(attempts), **common)
    point, near = chosen
    bar.stage("certifying")
    cert = verify_local_minimum(point, data)
    verdict = cert.is_local_minimum
    status = MINIMUM if verdict is True else NOT_MINIMUM if verdict is False else UNDECIDED
    attempts.append(f"the exact point nearest the trained one (max-norm distance "
                    f"{float(near.distance):.3g}) is decided: {status}")
    for other, how in candidates:
        if other is not point and status != MINIMUM and verify_local_minimum(
                other, data).is_local_minimum:
            attempts.append(f"{how} is a certified local minimum, farther from the trained "
                            "point; the verdict above is not about it")
    return SnapReport(status, point, certificate=cert, snapped_loss=cert.loss,
                      distance=near.distance, kink_pairs=(), attempts=tuple(attempts),
                      **common)
