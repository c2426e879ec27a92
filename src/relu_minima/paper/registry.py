"""The registry of the paper's claims that ``relu-minima check-paper`` runs.

Every claim of the paper is listed once in :mod:`relu_minima.paper.outline` with the paper's
own wording; a module of :mod:`relu_minima.paper.checks` that checks one decorates its check with
:func:`implements`. A claim without a check is reported as "not yet covered".
"""

from __future__ import annotations

import importlib
import pkgutil
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from . import outline  # noqa: F401  (declares every claim before any check registers)
from .claims import _CLAIMS, Claim

__all__ = [
    "Claim", "ClaimResult", "Context", "Status", "all_claims", "claim_keys", "implements",
    "import_errors",
]


class Status(StrEnum):
    """What the library established about a printed claim."""

    VERIFIED = "verified"  # true exactly as printed
    ERRATUM = "erratum"  # false as printed; a nearby corrected statement is certified
    REFUTED = "refuted"  # false as printed, and no nearby statement rescues its point
    UNDECIDED = "undecided"  # the library could not settle it (reason given)
    NOT_COVERED = "not yet covered"


@dataclass(frozen=True)
class ClaimResult:
    """The outcome of one check: a one-line summary plus the evidence."""

    status: Status
    established: str
    details: str = ""  # Markdown: certificates, numbers, the corrected statement
    figures: tuple[str, ...] = ()  # files written into Context.output_dir
    data: dict[str, Any] = field(default_factory=dict)  # JSON-able, exact numbers as strings


@dataclass(frozen=True)
class Context:
    """What a check may use: where to write figures, and whether to run a quick version."""

    output_dir: Path
    quick: bool = False
    progress: Callable[[str], None] = lambda message: None


_IMPORT_ERRORS: dict[str, str] = {}  # module name -> traceback, for modules that failed to load


def implements(key: str) -> Callable[[Callable[[Context], ClaimResult]], Callable[..., Any]]:
    """Register ``check`` as the decision procedure for the outline's claim ``key``."""

    def register(check: Callable[[Context], ClaimResult]) -> Callable[[Context], ClaimResult]:
        if key not in _CLAIMS:
            raise KeyError(f"claim key={key!r} is not in relu_minima.paper.outline.")
        if _CLAIMS[key].check is not None and _CLAIMS[key].check is not check:
            raise KeyError(f"claim key={key!r} already has a check.")
        _CLAIMS[key].check = check
        return check

    return register


def all_claims() -> list[Claim]:
    """Every claim of the paper in the paper's order, after importing every check module."""
    checks = f"{__package__}.checks"
    package = importlib.import_module(checks)
    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("_"):
            try:
                importlib.import_module(f"{checks}.{info.name}")
            except Exception:  # one broken check module must not hide the others
                _IMPORT_ERRORS[info.name] = traceback.format_exc()
    return _in_order()


def claim_keys() -> dict[str, str]:
    """Every claim key, in the paper's order, with its section.

    Reads only the outline, so that ``relu-minima --help`` and argument checks need not import
    (and run the module-level set-up of) every check module.
    """
    return {c.key: c.section for c in _in_order()}


def _in_order() -> list[Claim]:
    return sorted(_CLAIMS.values(), key=lambda c: c.order)


def import_errors() -> dict[str, str]:
    """Check modules that failed to import (the report counts each as a crashed check)."""
    return dict(_IMPORT_ERRORS)
