"""relu-minima check-paper and relu-minima verify: outputs, statuses and exit codes."""

from __future__ import annotations

import json

import pytest

from relu_minima import examples as ex
from relu_minima.cli import main
from relu_minima.io import dump_problem
from relu_minima.paper import Status, all_claims
from relu_minima.paper import _registry as registry


def test_outline_covers_the_whole_paper():
    keys = {c.key for c in all_claims()}
    for key in ("prop1", "remark1", "prop2", "prop3", "prop4", "prop5", "fig6", "table1",
                "lemma1", "lemma2", "cor1", "thm1-i", "thm1-ii"):
        assert key in keys
    for claim in all_claims():
        assert claim.check is not None or claim.why_not_covered


def test_check_paper_writes_markdown_and_json(tmp_path, capsys):
    out = tmp_path / "report"
    code = main(["check-paper", "-o", str(out), "--quick",
                 "--only", "prop1", "prop2", "prop3", "table1"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "Proposition 2" in printed and "erratum" in printed
    data = json.loads((out / "report.json").read_text())
    status = {c["key"]: c["status"] for c in data["claims"]}
    assert status == {"prop1": "verified", "prop2": "erratum", "prop3": "verified",
                      "table1": "not yet covered"}
    md = (out / "report.md").read_text()
    assert "| Proposition 1 |" in md and "**erratum**" in md and "VERDICT" in md


def test_a_crashing_check_makes_the_exit_status_nonzero(tmp_path, monkeypatch):
    claim = registry._CLAIMS["prop1"]

    def boom(ctx):
        raise RuntimeError("deliberate failure")

    monkeypatch.setattr(claim, "check", boom)
    code = main(["check-paper", "-o", str(tmp_path), "--only", "prop1"])
    assert code == 1
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["claims"][0]["status"] == "crashed"
    assert "deliberate failure" in data["claims"][0]["crash"]


def test_unknown_claim_key_is_an_error(tmp_path):
    with pytest.raises(KeyError, match="not claims"):
        main(["check-paper", "-o", str(tmp_path), "--only", "prop99"])


def test_statuses_are_the_documented_ones():
    assert {s.value for s in Status} == {"verified", "erratum", "refuted", "undecided",
                                         "not yet covered"}


@pytest.mark.parametrize(("params", "dataset", "code"), [
    (ex.PROP1_POINT, ex.D1, 0),
    (ex.PROP2_LOCAL_PRINTED, ex.D2, 1),
])
def test_verify_exit_codes(tmp_path, capsys, params, dataset, code):
    path = tmp_path / "problem.json"
    path.write_text(dump_problem(params, dataset))
    assert main(["verify", str(path), "--json"]) == code
    out = capsys.readouterr().out
    assert "VERDICT" in out
    assert json.loads(out[out.index("{"):])["is_local_minimum"] == (code == 0)


@pytest.mark.parametrize("text", [
    '{"dataset": {"X": [1.5], "y": [1]}, "params": {"W": [1], "b": [0], "v": [1], "c": 0}}',
    '{"dataset": {"X": [1], "y": [1, 2]}, "params": {"W": [1], "b": [0], "v": [1], "c": 0}}',
    '{"dataset": {"X": [1], "y": [1]}}',
    "not json",
])
def test_verify_bad_input_exits_2_with_a_message(tmp_path, capsys, text):
    path = tmp_path / "bad.json"
    path.write_text(text)
    assert main(["verify", str(path)]) == 2
    assert "bad input" in capsys.readouterr().err


def test_verify_missing_file_exits_2(tmp_path, capsys):
    assert main(["verify", str(tmp_path / "missing.json")]) == 2


def test_a_check_module_that_fails_to_import_is_reported(tmp_path, monkeypatch):
    monkeypatch.setitem(registry._IMPORT_ERRORS, "broken", "Traceback ...\nImportError: nope")
    code = main(["check-paper", "-o", str(tmp_path), "--quick"])
    assert code == 1
    data = json.loads((tmp_path / "report.json").read_text())
    crashed = [c for c in data["claims"] if c["status"] == "crashed"]
    assert [c["key"] for c in crashed] == ["module:broken"]
