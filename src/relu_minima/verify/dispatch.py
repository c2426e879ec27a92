"""``verify_local_minimum``: one entry point, dispatched on the type of the network.

Each decision registers itself for a model type with :func:`register_decision`; options that a
decision does not take are refused by name.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from ..errors import InvalidArgument, ShapeError
from ..exact.datasets import Dataset, require_dataset
from ..exact.deep_relu import DeepReLU
from ..exact.shallow_relu import ShallowReLU
from .certificate import Certificate
from .deep.restricted import verify_deep
from .shallow.criterion import verify_shallow

__all__ = ["register_decision", "verify_local_minimum"]

_DECISIONS: dict[type, Callable[..., Certificate]] = {
    ShallowReLU: verify_shallow,
    DeepReLU: verify_deep,  # the deep decision, or the restricted one
}


def register_decision(model: type) -> Callable[[Callable[..., Certificate]],
                                               Callable[..., Certificate]]:
    """Decorator: ``decide(params, dataset, **options)`` decides points of type ``model``."""
    def register(decide: Callable[..., Certificate]) -> Callable[..., Certificate]:
        _DECISIONS[model] = decide
        return decide

    return register


def _smooth_decision() -> None:
    """The smooth (interval) decision registers on import; it may need python-flint."""
    try:
        from .smooth import point as smooth
    except ImportError:
        return
    # registered here, not in smooth/: dispatch imports smooth lazily (no import cycle). The
    # decision is about the point given (docs/smooth.md): a nearby certified minimum is what
    # snap / certify_smooth_minimum report, as such
    _DECISIONS.setdefault(smooth.SmoothNet, smooth.decide_smooth_point)


def verify_local_minimum(params: Any, dataset: Dataset, **options: Any) -> Certificate:
    """Decide whether ``params`` is a local minimum of its loss on ``dataset``.

    ``params`` is a ``ShallowReLU`` (always decided, exactly), a ``DeepReLU`` (decided exactly,
    or "undecided" with the reason; options ``max_directions`` and ``time_limit`` set the
    search budget) or a ``SmoothNet`` (rigorous interval arithmetic, about the given point:
    "not a local minimum" with a witness, or "undecided", possibly with a certified strict
    minimum nearby; docs/smooth.md). The result is a
    :class:`~relu_minima.verify.certificate.Certificate`.

    >>> from relu_minima import Dataset, ShallowReLU
    >>> D1 = Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])
    >>> cert = verify_local_minimum(ShallowReLU(W=[1], b=[-3], v=[1], c=0), D1)
    >>> cert.is_local_minimum, cert.loss
    (True, Fraction(18, 1))
    """
    dataset = require_dataset(dataset)
    decide = _DECISIONS.get(type(params))
    if decide is None:
        _smooth_decision()
        decide = _DECISIONS.get(type(params))
    if decide is None:
        raise ShapeError(
            f"params of type {type(params).__name__} is not a network relu_minima knows; "
            "use ShallowReLU(W, b, v, c), DeepReLU(weights, biases) or SmoothNet(W, b, v, c)."
        )
    accepted = {name for name, p in inspect.signature(decide).parameters.items()
                if p.kind is inspect.Parameter.KEYWORD_ONLY}
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise InvalidArgument(
            f"option {unknown[0]}={options[unknown[0]]!r} does not apply to "
            f"{type(params).__name__} points; options for them: {sorted(accepted) or 'none'}."
        )
    return decide(params, dataset, **options)
