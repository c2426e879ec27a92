"""One witness, written one way (issue 23): the certificate's JSON block, the test assertions
and both commands of the command line print the same :class:`Witness` sentence and block."""

from __future__ import annotations

import json
from fractions import Fraction as F

import numpy as np
import pytest

from relu_minima import Dataset, ShallowReLU, verify_local_minimum
from relu_minima.cli import main
from relu_minima.exact.io import dump_problem
from relu_minima.testing.assertions import assert_local_minimum
from relu_minima.verify.certificate import WITNESS_RADIUS
from relu_minima.verify.witness import find_witness

D1 = Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])
NOT_MIN = ShallowReLU([1], [-3], [1], 1)


def test_the_certificate_block_is_the_witness_block():
    cert = verify_local_minimum(NOT_MIN, D1)
    w = find_witness(cert, WITNESS_RADIUS)
    assert cert.to_dict()["witness"] == w.to_dict()
    assert w.loss == w.point.loss(D1) < cert.loss and w.distance <= WITNESS_RADIUS
    assert w.sentence() == (f"within max-norm radius 1/1000 of the point (distance "
                            f"{w.distance}): exact loss {w.loss} < 23 (decrease {23 - w.loss})")


def test_assertions_print_the_witness_sentence():
    cert = verify_local_minimum(NOT_MIN, D1)
    with pytest.raises(AssertionError) as err:
        assert_local_minimum(NOT_MIN, D1)
    assert "  witness " + find_witness(cert, WITNESS_RADIUS).sentence() in str(err.value)


def test_verify_command_prints_the_witness_sentence(tmp_path, capsys):
    path = tmp_path / "p.json"
    path.write_text(dump_problem(NOT_MIN, D1))
    w = find_witness(verify_local_minimum(NOT_MIN, D1), F(1, 100))
    assert main(["verify", str(path), "--witness", "1/100"]) == 1
    assert f"WITNESS {w.sentence()}, at\n{json.dumps(w.to_dict()['params'])}" in \
        capsys.readouterr().out
    assert main(["verify", str(path), "--json", "--witness", "1/100"]) == 1
    assert json.loads(capsys.readouterr().out)["witness_within_radius"] == w.to_dict()


def test_snap_command_prints_the_witness_sentence(tmp_path, capsys):
    trained, data = tmp_path / "t.npz", tmp_path / "d.npz"
    np.savez(trained, **{"0.weight": [[0.0]], "0.bias": [0.0], "2.weight": [[1.0]],
                         "2.bias": [0.6]})
    np.savez(data, X=np.array([5.0, 4, 3, 1, -1]), y=np.array([2.0, 1, 0, -3, 3]))
    assert main(["snap", str(trained), str(data), "--witness", "1/100"]) == 1
    out = capsys.readouterr().out
    assert "WITNESS within max-norm radius 1/100 of the snapped point (distance " in out
    assert "exact loss" in out and "(decrease " in out


def test_a_smooth_witness_is_enclosed_and_written_the_same_way():
    pytest.importorskip("flint")
    from tests.test_smooth_certificates import D20, SADDLE_START

    cert = verify_local_minimum(SADDLE_START, D20)
    w = find_witness(cert, F(1, 10))
    assert w is not None and w.loss.upper < cert.loss.lower
    assert "loss in [" in w.sentence() and "interval arithmetic" in w.sentence()
    with pytest.raises(AssertionError) as err:
        assert_local_minimum(SADDLE_START, D20)
    assert "witness within max-norm radius 1/1000" in str(err.value) or \
        "no witness: no point of proven lower loss" in str(err.value)
