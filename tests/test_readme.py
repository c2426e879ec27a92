"""The README's examples run (docs/*.md are collected by pytest's --doctest-glob directly)."""

import doctest
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_examples_pass():
    result = doctest.testfile(str(README), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 2
    assert result.failed == 0


def test_readme_shows_both_setup_commands_verbatim():
    text = README.read_text(encoding="utf-8")
    assert "pip install . && relu-minima check-paper" in text
    assert 'pip install ".[test]" && pytest' in text
