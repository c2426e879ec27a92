"""A progress bar for ``snap`` (issue 25, item 10): tqdm on stderr, off when stderr is not a
terminal (logs, pipes, tests), one step per stage of the work."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["STAGES", "snap_progress"]

STAGES = ("reading", "exact least squares", "certifying", "lower points")


class _Bar:
    def __init__(self, bar: Any) -> None:
        self.bar = bar

    def stage(self, name: str) -> None:
        """Mark the start of stage ``name`` (the previous one is done)."""
        if self.bar is not None:
            self.bar.set_description(f"snap: {name}")
            self.bar.update(1)


@contextmanager
def snap_progress(enabled: bool | None) -> Iterator[_Bar]:
    """The bar (``enabled`` None: only when stderr is a terminal)."""
    show = sys.stderr.isatty() if enabled is None else bool(enabled)
    if not show:
        yield _Bar(None)
        return
    from tqdm import tqdm

    with tqdm(total=len(STAGES), desc="snap: reading", file=sys.stderr, leave=False,
              bar_format="{desc} {bar} {n_fmt}/{total_fmt} [{elapsed}]") as bar:
        yield _Bar(bar)
