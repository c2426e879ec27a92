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


def _readme_problem(tmp_path, **replace):
    """The README's JSON example, saved as good.json (as its text says), edited by ``replace``."""
    import re

    text = re.search(r"```json\n(.*?)\n```", README.read_text(encoding="utf-8"), re.S).group(1)
    for old, new in replace.items():
        text = text.replace(old, new)
    path = tmp_path / "good.json"
    path.write_text(text)
    return path


def test_the_json_example_exits_as_the_readme_says(tmp_path, capsys):
    """'saved as good.json, it exits 0'; with the output bias "0" instead of "1", exit 1."""
    from relu_minima.cli import main

    assert main(["verify", str(_readme_problem(tmp_path))]) == 0
    assert "VERDICT: LOCAL MINIMUM" in capsys.readouterr().out.upper()
    zero_bias = _readme_problem(tmp_path, **{'["-10"], ["1"]': '["-10"], ["0"]'})
    assert '["-10"], ["0"]' in zero_bias.read_text()  # the edit took place
    assert main(["verify", str(zero_bias)]) == 1


def test_exit_3_is_not_for_deep_networks_only(tmp_path, capsys):
    """The README lists sigmoid/tanh points among the undecided: one whose gradient is exactly
    0 (both inputs equal, the output weight 0, c the mean) exits 3."""
    import json

    import pytest

    pytest.importorskip("flint")
    from relu_minima.cli import main

    text = README.read_text(encoding="utf-8")
    assert "deep\nnetworks only" not in text and "sigmoid/tanh point whose gradient" in text
    path = tmp_path / "sigmoid.json"
    path.write_text(json.dumps({"dataset": {"X": ["0", "0"], "y": ["0", "2"]},
                                "params": {"W": [["1"]], "b": ["0"], "v": ["0"], "c": "1",
                                           "activation": "sigmoid"}}))
    assert main(["verify", str(path)]) == 3
    assert capsys.readouterr().out.startswith("UNDECIDED")


def test_the_readme_names_every_required_dependency():
    import re
    import tomllib

    project = tomllib.loads((README.parent / "pyproject.toml").read_text(encoding="utf-8"))
    section = README.read_text(encoding="utf-8").split("## Dependencies", 1)[1]
    for requirement in project["project"]["dependencies"]:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)
        assert name in section, name


def test_every_dotted_name_in_the_user_docs_exists():
    """Each ``relu_minima.a.b`` that README.md and the API pages name resolves (a module, or
    attributes of one), so that a renamed module cannot leave the docs behind."""
    import importlib
    import re

    def resolves(name):
        parts = name.split(".")
        for i in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:i]))
            except ImportError:
                continue
            for attribute in parts[i:]:
                if not hasattr(obj, attribute):
                    return False
                obj = getattr(obj, attribute)
            return True
        return False

    docs = README.parent / "docs"
    pages = [README, *(docs / f"{p}.md" for p in ("api", "testing", "parameterisation",
                                                   "numeric", "certificates", "global"))]
    named = {(page.name, m) for page in pages
             for m in re.findall(r"relu_minima(?:\.[A-Za-z_]\w*)+", page.read_text("utf-8"))}
    assert len(named) > 30
    assert [n for n in sorted(named) if not resolves(n[1].rstrip("."))] == []
