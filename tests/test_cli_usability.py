"""The command line as a new user meets it (issue 11): --version, python -m, closed pipes,
negative radii, the proof's pointer to --witness."""

from __future__ import annotations

import subprocess
import sys

import pytest

import relu_minima
from relu_minima.cli import main
from relu_minima.exact.io import dump_problem
from relu_minima.paper.regression import examples as ex
from relu_minima.verify.certificate import CLI_WITNESS_HINT, WITNESS_HINT

SHIFTED = ex.PROP1_POINT.replace(c="1/2")  # not a minimum: the residuals no longer sum to 0


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.json"
    path.write_text(dump_problem(ex.PROP1_POINT, ex.D1))
    return path


@pytest.fixture
def bad(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(dump_problem(SHIFTED, ex.D1))
    return path


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"relu-minima {relu_minima.__version__}"


def test_python_dash_m_works_like_the_command(bad):
    run = subprocess.run([sys.executable, "-m", "relu_minima", "verify", str(bad)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 1 and "VERDICT: NOT A LOCAL MINIMUM" in run.stdout


@pytest.mark.parametrize(("name", "code"), [("good", 0), ("bad", 1)])
def test_a_closed_pipe_ends_quietly_with_the_documented_code(request, name, code):
    path = request.getfixturevalue(name)
    # the reader goes away before the output is written, as `| head -1` can
    proc = subprocess.Popen([sys.executable, "-m", "relu_minima", "verify", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == code
    assert "Traceback" not in err and "BrokenPipe" not in err and err == ""


@pytest.mark.parametrize("radius", ["-1/2", "-1", "0", "-.5"])
def test_a_negative_or_zero_witness_radius_is_refused_clearly(good, capsys, radius):
    with pytest.raises(SystemExit) as stop:
        main(["verify", str(good), "--witness", radius])  # separate, not --witness=...
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "expected one argument" not in err
    assert f"--witness={radius} must be a positive radius" in err


def test_zero_radius_in_the_api_is_a_library_error():
    from relu_minima import InvalidArgument, ReluMinimaError, verify_local_minimum
    from relu_minima.numeric.fuzz import search_neighbourhood

    cert = verify_local_minimum(SHIFTED, ex.D1)
    with pytest.raises(InvalidArgument, match="radius=0 must be positive"):
        cert.witness(0)
    with pytest.raises(ReluMinimaError, match="radius=0 must be positive"):
        search_neighbourhood(SHIFTED, ex.D1, 0)


def test_the_printed_proof_points_to_the_witness_option(bad, capsys):
    assert main(["verify", str(bad)]) == 1
    out = capsys.readouterr().out
    assert CLI_WITNESS_HINT in out and "cert.witness" not in out
    assert WITNESS_HINT in str(relu_minima.verify_local_minimum(SHIFTED, ex.D1))


@pytest.mark.slow
def test_check_paper_lists_every_file_and_shows_progress(tmp_path, capsys):
    import json

    out = tmp_path / "rep"
    assert main(["check-paper", "-o", str(out), "--quick", "--only", "prop1", "prop4",
                 "fig4"]) == 0
    captured = capsys.readouterr()
    written = captured.out.split("written:", 1)[1].split()
    on_disk = sorted(p.name for p in out.iterdir())
    assert sorted(written) == sorted(str(out / name) for name in on_disk)
    assert any(name.endswith(".png") for name in on_disk)
    # the long check says what it is doing, step by step (stderr, so stdout stays the table)
    for step in range(1, 6):
        assert f"Proposition 4 ({step}/5)" in captured.err
    assert "Proposition 4 training: step" in captured.err

    report = json.loads((out / "report.json").read_text())
    made = report["generated_by"]
    assert made["version"] == relu_minima.__version__ and made["date"].startswith("20")
    assert made["python"].count(".") == 2 and made["dependencies"]["sympy"]
    assert {"numpy", "scipy", "matplotlib", "mpmath"} <= set(made["dependencies"])

    def numbers(node):
        if isinstance(node, dict):
            return [x for v in node.values() for x in numbers(v)]
        if isinstance(node, list):
            return [x for v in node for x in numbers(v)]
        return [node] if isinstance(node, (int, float)) and not isinstance(node, bool) else []

    for claim in report["claims"]:
        assert claim["data"] or claim["status"] == "not yet covered"
        assert numbers(claim["data"]) == []  # every number is a string
    prop4 = next(c for c in report["claims"] if c["key"] == "prop4")
    assert prop4["data"]["event_radius"] == "1/4"


# -- a problem file that cannot be read (issue 25, item 12) -----------------------------------
def _verify_error(capsys, *argv):
    code = main(["verify", *map(str, argv)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("relu-minima verify: bad input: "), err
    assert "Errno" not in err and "Traceback" not in err
    return err


def test_a_missing_file_is_named_without_errno(tmp_path, capsys):
    missing = tmp_path / "nofile.json"
    err = _verify_error(capsys, missing)
    assert f"{missing} does not exist" in err


def test_a_directory_is_not_a_problem_file(tmp_path, capsys):
    assert f"{tmp_path} is a directory, not a problem file" in _verify_error(capsys, tmp_path)


def test_a_json_syntax_error_names_the_file_line_and_column(tmp_path, capsys):
    path = tmp_path / "broken.json"
    path.write_text('{"dataset": {"X": [0, 1], "y": [0, 1]},\n "params": {"W": [[1]] "b": [0]}}')
    err = _verify_error(capsys, path)
    assert f"{path} is not valid JSON: line 2, column 24" in err and "delimiter" in err


def test_a_binary_file_is_not_read_as_text(tmp_path, capsys):
    path = tmp_path / "data.npz"
    path.write_bytes(b"PK\x03\x04\xff\xfe binary")
    assert f"{path} is not UTF-8 text" in _verify_error(capsys, path)


def test_the_library_reader_says_the_same():
    from relu_minima import InvalidArgument
    from relu_minima.exact.io import load_problem, parse_problem

    with pytest.raises(InvalidArgument, match=r"nofile\.json does not exist"):
        load_problem("nofile.json")
    with pytest.raises(InvalidArgument, match=r"the text is not valid JSON: line 1, column 2"):
        parse_problem("{,}")


def test_the_command_line_reads_in_functions_of_at_most_80_lines():
    """The developers' guide's limit (issue 23: main was 93 lines): the parser is built by one
    function per sub-command, main only runs it."""
    import ast
    import inspect

    import relu_minima.cli as cli

    tree = ast.parse(inspect.getsource(cli))
    lengths = {node.name: node.end_lineno - node.lineno + 1 for node in ast.walk(tree)
               if isinstance(node, ast.FunctionDef)}
    assert lengths["main"] <= 20
    assert max(lengths.values()) <= 80, lengths


def test_every_sub_command_has_its_help(capsys):
    for command in ("check-paper", "verify", "snap"):
        with pytest.raises(SystemExit) as stop:
            main([command, "--help"])
        assert stop.value.code == 0
        assert f"usage: relu-minima {command}" in capsys.readouterr().out
