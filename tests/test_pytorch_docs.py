"""docs/pytorch.md runs when torch is installed (issue 25, "Done when"); the global
--doctest-glob skips that page (pyproject.toml), since it would fail without torch."""

import doctest
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parent.parent / "docs" / "pytorch.md"


@pytest.mark.slow
def test_the_pytorch_page_runs():
    pytest.importorskip("torch")
    result = doctest.testfile(str(PAGE), module_relative=False,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 20 and result.failed == 0
