"""``verify_local_minimum``: one entry point, dispatched on the type of the network.

:data:`_DECISIONS` is the table of decisions by model type, written here and nowhere else (the
smooth decision joins it on first use, since it may need python-flint); ``verify_local_minimum``
names every decision's options, and refuses by name one that the decision of the given kind
does not take. A deep point goes to :func:`verify_deep`, which sends it to
the full-space rules or to the restricted decision by its parameterisation.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from ..errors import InvalidArgument, ShapeError
from ..exact.datasets import Dataset, require_dataset, require_one_output
from ..exact.deep_relu import DeepReLU
from ..exact.shallow_relu import ShallowReLU
from .certificate import Certificate
from .shallow.criterion import verify_shallow

__all__ = ["verify_deep", "verify_local_minimum"]


def verify_deep(params: DeepReLU, dataset: Dataset, *, max_directions: int = 4000,
                time_limit: float | None = None) -> Certificate:
    """The deep decision of ``verify_local_minimum``: the full-space rules of
    :mod:`relu_minima.verify.deep.rules` when every coordinate moves, else the decision over
    the moving coordinates of :mod:`relu_minima.verify.deep.restricted` (a bias-free layer or a
    frozen coordinate changes the question: a minimum over fewer coordinates need not be one
    over all of them). Each sends a depth-2 point to the shallow criterion itself, through
    :func:`relu_minima.verify.deep.rules.shallow_criterion`."""
    # imported here: a one-hidden-layer problem never loads the deep decision (issue 30)
    from .deep.restricted import verify_restricted_deep
    from .deep.rules import verify_deep_local_minimum

    decide = verify_deep_local_minimum if params.space.is_full else verify_restricted_deep
    return decide(params, dataset, max_directions=max_directions, time_limit=time_limit)


_DECISIONS: dict[type, Callable[..., Certificate]] = {
    ShallowReLU: verify_shallow,
    DeepReLU: verify_deep,
}


def _smooth_decision() -> None:
    """The smooth (interval) decision joins the table on first use; it may need python-flint."""
    try:
        from .smooth import point as smooth
    except ImportError:
        return
    # imported here, not at the top: the smooth decision is optional. It is about the point
    # given (docs/smooth.md): a nearby certified minimum is what snap / certify_smooth_minimum
    # report, as such
    _DECISIONS.setdefault(smooth.SmoothNet, smooth.decide_smooth_point)


@functools.cache
def _options(decide: Callable[..., Certificate]) -> frozenset[str]:
    """The keyword-only options a decision takes (read once: inspect is slow per call)."""
    return frozenset(name for name, p in inspect.signature(decide).parameters.items()
                     if p.kind is inspect.Parameter.KEYWORD_ONLY)


def verify_local_minimum(params: Any, dataset: Dataset | tuple[Any, Any], *,
                         max_directions: int | None = None, time_limit: float | None = None,
                         loss: str | None = None, radius: Any = None,
                         precision: int | None = None,
                         newton_steps: int | None = None) -> Certificate:
    """Decide whether ``params`` is a local minimum of its loss on ``dataset``.

    ``params`` is a ``ShallowReLU`` (always decided, exactly), a ``DeepReLU`` (decided exactly,
    or "undecided" with the reason) or a ``SmoothNet`` (rigorous interval arithmetic, about the
    given point: "not a local minimum" with a witness, or "undecided", possibly with a certified
    strict minimum nearby; docs/smooth.md); ``dataset`` a :class:`~relu_minima.Dataset` or a
    pair ``(X, y)`` of exact numbers. The result is a
    :class:`~relu_minima.verify.certificate.Certificate`.

    The options belong to one kind of network each; None keeps that decision's default, and
    an option given for another kind is refused (:class:`~relu_minima.errors.InvalidArgument`
    naming it and the kind):

    * ``DeepReLU``: ``max_directions`` (exact descent moves tried, default 4000) and
      ``time_limit`` (seconds, default none), the budget of the move search;
    * ``SmoothNet``: ``loss`` ("squared", the default, or "logistic"), ``precision`` (bits of
      the ball midpoints, >= 53, default 128); ``radius`` (half width of the box of a nearby
      certified minimum; default: the largest of 2^-8, ..., 2^-80 that works) and
      ``newton_steps`` (default 50) go to the search for that minimum, as in
      :func:`~relu_minima.verify.smooth.certify.certify_smooth_minimum`;
    * ``ShallowReLU``: none (the decision is complete).

    >>> from relu_minima import Dataset, ShallowReLU
    >>> D1 = Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])
    >>> cert = verify_local_minimum(ShallowReLU(W=[1], b=[-3], v=[1], c=0), D1)
    >>> cert.is_local_minimum, cert.loss
    (True, Fraction(18, 1))
    """
    dataset = require_dataset(dataset)
    if type(params) not in (ShallowReLU, DeepReLU):
        require_one_output(dataset, f"the decision for {type(params).__name__} points")
    decide = _DECISIONS.get(type(params))
    if decide is None:
        _smooth_decision()
        decide = _DECISIONS.get(type(params))
    if decide is None:
        raise ShapeError(
            f"params of type {type(params).__name__} is not a network relu_minima knows; "
            "use ShallowReLU(W, b, v, c), DeepReLU(weights, biases) or SmoothNet(W, b, v, c)."
        )
    given = {name: value for name, value in (
        ("max_directions", max_directions), ("time_limit", time_limit), ("loss", loss),
        ("radius", radius), ("precision", precision), ("newton_steps", newton_steps))
        if value is not None}
    accepted = _options(decide)
    unknown = sorted(set(given) - accepted)
    if unknown:
        raise InvalidArgument(
            f"option {unknown[0]}={given[unknown[0]]!r} does not apply to "
            f"{type(params).__name__} points; options for them: {sorted(accepted) or 'none'}."
        )
    return decide(params, dataset, **given)
