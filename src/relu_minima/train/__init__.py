"""From trained float networks to exact, certified points (layer "train": imports errors,
exact, verify and numeric). See docs/snap.md."""

from .report import SnapReport
from .snap import snap
from .state_dict import UnsupportedModelError, from_arrays, from_state_dict

__all__ = ["SnapReport", "UnsupportedModelError", "from_arrays", "from_state_dict", "snap"]
