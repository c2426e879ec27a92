"""The command line as a new user meets it (issue 11): --version, python -m, closed pipes,
negative radii, the proof's pointer to --witness."""

from __future__ import annotations

import subprocess
import sys

import pytest

import relu_minima
from relu_minima.cli import main
from relu_minima.exact.io import dump_problem
from relu_minima.paper import examples as ex
from relu_minima.verify.proof_text import CLI_WITNESS_HINT, WITNESS_HINT

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
