"""From trained float networks to exact, certified points (layer "train": imports errors,
exact, verify and numeric), and the vectorised trainer. See docs/snap.md, docs/experiments.md.

Names are loaded on first use (PEP 562), except ``snap`` and ``sweep``, which share their
names with submodules and are therefore bound when the package is imported (below).
"""

from importlib import import_module
from typing import Any

_WHERE = {"SnapReport": ".snap_report", "snap": ".snap", "UnsupportedModelError": ".state_dict",
          "from_arrays": ".state_dict", "from_state_dict": ".state_dict",
          "InitLaw": ".protocol", "Net": ".protocol", "Protocol": ".protocol",
          "TrainData": ".trainer", "TrainResult": ".trainer", "train": ".trainer",
          "sweep": ".sweep"}

__all__ = sorted(_WHERE)

# ``snap`` and ``sweep`` are also the names of submodules: once a submodule is imported, the
# import system binds the package attribute to the module and ``__getattr__`` is never asked,
# so ``from relu_minima.train import snap`` would give the module. Bind the functions now.
from .snap import snap  # noqa: E402, F401
from .sweep import sweep  # noqa: E402, F401


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_WHERE[name], __name__), name)
