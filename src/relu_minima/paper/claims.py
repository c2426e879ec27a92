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
    order: float = 0
    # "" when ``paper_says`` paraphrases the claim; else the reference text it quotes verbatim
    # ("002": the paper, "000": the reviewer's critique; /work/shared/reference/)
    source: str = ""


_CLAIMS: dict[str, Claim] = {}


def _declare(key: str, section: str, paper_says: str, why_not_covered: str = "",
             after: str | None = None, source: str = "") -> None:
    """Declare a claim; ``after`` places it right after an earlier key in the paper's order
    (so that claims can be appended at the end of the outline and still sort in place);
    ``source`` names the reference text that ``paper_says`` quotes verbatim ("002", "000")."""
    order: float = len(_CLAIMS)
    if after is not None:
        base = _CLAIMS[after].order
        order = base + (1 + sum(1 for c in _CLAIMS.values() if base < c.order < base + 1)) / 100
    _CLAIMS[key] = Claim(key, section, paper_says, why_not_covered, None, order, source)
