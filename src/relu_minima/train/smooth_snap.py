"""``snap`` of a sigmoid/tanh network (issue 25, item 1; docs/smooth.md, "Trained float
weights"): the trained floats become their exact binary values, the box decision
(:func:`~relu_minima.verify.smooth.certify.certify_smooth_minimum`) looks for the critical
point near them, and the report says what the box certificate proves, about the critical point
theta* in the box, *as such*: "local minimum" means a strict local minimum within the stated
distance of the trained point, never that the trained point itself is one.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ..exact.datasets import Dataset
from ..exact.smooth_net import SmoothNet
from ..numeric import backend as numeric
from .nearness import nearness, suggested_max_distance
from .snap_report import MINIMUM, NOT_MINIMUM, NOT_NEAR, UNDECIDED, SnapReport
from .state_dict import FloatNet, UnsupportedModelError

__all__ = ["snap_smooth_network"]


def _exact(net: FloatNet) -> SmoothNet:
    W = [[Fraction(float(t)) for t in row] for row in net.weights[0]]
    b = [Fraction(float(t)) for t in net.biases[0]]
    v = [Fraction(float(t)) for t in net.weights[1][0]]
    return SmoothNet(W, b, v, Fraction(float(net.biases[1][0])), activation=net.activation,
                     bias=net.bias_flags)


def snap_smooth_network(net: FloatNet, data: Dataset, opts: dict[str, Any],
                        bar: Any) -> SnapReport:
    """The snap report of a one-hidden-layer sigmoid/tanh network (module docstring)."""
    from ..verify.smooth.certify import certify_smooth_minimum

    if net.depth != 2:
        raise UnsupportedModelError(
            f"a {net.activation} network with {net.depth - 1} hidden layers: the smooth "
            "certificates (docs/smooth.md) cover one hidden layer only.")
    trained = _exact(net)
    theta = net.theta
    moving = np.array(trained.space.moving)
    common = {"dataset": data, "trained": trained,
              "trained_loss": float(numeric.losses(net.arch, theta, data)[0]),
              "gradient_norm": float(np.linalg.norm(
                  numeric.gradients(net.arch, theta, data)[0][moving])),
              "options": opts}
    bar.stage("Newton's method and ball arithmetic")
    cert = certify_smooth_minimum(trained, data)
    attempts = [f"smooth snap ({net.activation}): the trained floats as exact binary values, "
                f"Newton's method to a box centre, decided by ball arithmetic: {cert.status} "
                f"({cert.reason})"]
    if cert.verdict.value == UNDECIDED and cert.radius is None:
        return SnapReport(UNDECIDED, cert.params, certificate=cert, snapped_loss=cert.loss,
                          distance=cert.params.distance(trained), kink_pairs=(),
                          attempts=tuple(attempts), **common)
    near = nearness(cert.params, trained, opts["max_distance"])
    if not near.near:
        attempts.append(
            f"not near a stationary point: the box centre is {float(near.distance):.3g} away "
            f"(max norm), beyond {near.rule}; pass max_distance="
            f"{suggested_max_distance(near.distance):g} to decide it; no certificate is claimed")
        return SnapReport(NOT_NEAR, None, certificate=None, snapped_loss=None, distance=None,
                          kink_pairs=(), attempts=tuple(attempts), **common)
    status = {True: MINIMUM, False: NOT_MINIMUM, None: UNDECIDED}[cert.is_local_minimum]
    return SnapReport(status, cert.params, certificate=cert, snapped_loss=cert.loss,
                      distance=near.distance, kink_pairs=(), attempts=tuple(attempts), **common)
