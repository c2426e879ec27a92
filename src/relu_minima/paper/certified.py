"""Certificates as the checks use them: re-checked, and their verdict tied to exact evidence.

Not a check module (the leading underscore keeps ``all_claims()`` from importing it as one).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from .registry import require_fact

__all__ = ["certified"]

_RADIUS = Fraction(1, 1000)


def certified(verify: Callable[..., Any], params: Any, dataset: Any) -> Any:
    """``verify(params, dataset)``, re-checked (``check()``), with its verdict cross-examined:
    its loss must be the recomputed loss; a "not a minimum" verdict must come with a witness,
    a point within max-norm 1/1000 whose exact loss (recomputed here) is strictly lower; a
    "minimum" verdict must have none. Any mismatch is a ClaimCheckError (status *failed*)."""
    cert = verify(params, dataset)
    cert.check()
    loss = params.loss(dataset)
    require_fact(cert.loss == loss, f"certificate loss {cert.loss} != recomputed loss {loss}")
    verdict = cert.is_local_minimum
    if verdict is True or verdict is False:
        w = cert.witness(_RADIUS)
        if verdict:
            require_fact(w is None, "a certified minimum has a witness of lower loss")
        else:
            require_fact(w is not None and w.loss(dataset) < loss
                         and w.distance(params) <= _RADIUS,
                         "a certified non-minimum has no witness of strictly lower loss")
    return cert
