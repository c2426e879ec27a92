"""Layer 4, for researchers' test suites: assertions, the pytest plugin, hypothesis strategies.

May import every layer below it except :mod:`relu_minima.paper`. The assertions are imported on
first use, so that loading the pytest plugin (:mod:`.plugin`, in every pytest run) stays cheap.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself is not imported: it costs ~20 ms at start-up

__all__ = ["assert_local_minimum", "assert_no_descent_found", "assert_not_local_minimum"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import assertions

    value = getattr(assertions, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:
    from typing import Any

    from .assertions import assert_local_minimum, assert_no_descent_found, assert_not_local_minimum
