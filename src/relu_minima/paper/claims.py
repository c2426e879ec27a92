"""The table of the paper's claims: :mod:`.outline` declares them, :mod:`.registry` runs them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Claim"]


@dataclass
class Claim:
    """One claim of the paper, as printed, with the check that decides it (if any)."""

    key: str
    section: str
    paper_says: str
    why_not_covered: str = ""
    check: Callable[[Any], Any] | None = None
    order: int = 0


_CLAIMS: dict[str, Claim] = {}


def _declare(key: str, section: str, paper_says: str, why_not_covered: str = "") -> None:
    _CLAIMS[key] = Claim(key, section, paper_says, why_not_covered, None, len(_CLAIMS))
