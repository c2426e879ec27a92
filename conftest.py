"""The suite's one opt-in: ``--run-sweeps`` (issue 30, row 6; the developers' guide: "slow sweeps
go in benchmarks or behind an option").

A test marked ``@pytest.mark.sweep`` is a large random sweep that repeats, at a larger size, a
property a default test already checks (the default test stays in every run); it is skipped
unless ``pytest --run-sweeps`` is given. Sweeps are also marked slow.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-sweeps", action="store_true", default=False,
                     help="also run the large random sweeps (tests marked 'sweep'; minutes)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-sweeps"):
        return
    skip = pytest.mark.skip(reason="a large sweep: run with pytest --run-sweeps")
    for item in items:
        if "sweep" in item.keywords:
            item.add_marker(skip)
