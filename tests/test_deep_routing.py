"""Where a deep point is decided: dispatch sends it to the full-space rules or the restricted
decision by its parameterisation; a depth-2 point reaches the shallow criterion through one
function; a restricted verdict names its route with a ``Route``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import relu_minima
from relu_minima import Dataset, DeepReLU, InvalidArgument, verify_local_minimum
from relu_minima.verify import dispatch
from relu_minima.verify.deep import restricted, rules
from relu_minima.verify.deep.restricted import Route, verify_restricted_deep

DEEP = Path(relu_minima.__file__).parent / "verify" / "deep"


def test_dispatch_routes_deep_points_by_parameterisation(monkeypatch):
    # dispatch imports both decisions when a deep point arrives (a one-hidden-layer problem
    # never loads them, issue 30), so they are replaced where they are defined
    calls = []
    monkeypatch.setattr(rules, "verify_deep_local_minimum",
                        lambda *a, **k: calls.append("full") or "full")
    monkeypatch.setattr(restricted, "verify_restricted_deep",
                        lambda *a, **k: calls.append("restricted") or "restricted")
    D = Dataset([0, 1], [0, 2])
    assert verify_local_minimum(DeepReLU([[[1]], [[1]], [[1]]], None, bias=False), D,
                                max_directions=5) == "restricted"
    assert verify_local_minimum(DeepReLU([[[1]], [[1]]], [[0], [0]]), D) == "full"
    assert calls == ["restricted", "full"]
    assert not hasattr(restricted, "verify_deep")  # the entry point lives in dispatch
    assert not hasattr(dispatch, "register_decision")  # documented, never called: gone


def test_a_depth_two_point_reaches_the_shallow_criterion_in_one_place():
    calls = {p.name: p.read_text().count("verify_shallow(") for p in DEEP.glob("*.py")}
    assert {name: n for name, n in calls.items() if n} == {"rules.py": 1}
    source = (DEEP / "rules.py").read_text()
    body = source[source.index("def shallow_criterion("):source.index("def depth_two(")]
    assert "verify_shallow(" in body


def test_both_decisions_use_shallow_criterion(monkeypatch):
    seen = []
    real = rules.shallow_criterion

    def spy(params, dataset):
        seen.append(params.space.is_full)
        return real(params, dataset)

    monkeypatch.setattr(rules, "shallow_criterion", spy)
    monkeypatch.setattr(restricted, "shallow_criterion", spy)
    D = Dataset([1, 2, 3], [1, 1, 1])
    full = DeepReLU([[[1], [-1]], [[1, 1]]], [[0, 0], [-1]])
    part = DeepReLU([[[1], [-1]], [[1, 1]]], [[0, 0], [0]], bias=[False, True])
    assert verify_local_minimum(full, D).case == "depth-2 criterion"
    assert verify_local_minimum(part, D).route is Route.DEPTH_TWO
    assert seen == [True, False]


def test_routes_are_an_enum_with_the_json_strings():
    assert [r.value for r in Route] == ["depth-2 restricted criterion", "full-space decision",
                                        "dead layer, later biases fixed",
                                        "moving-coordinate search"]
    gone = DeepReLU([[[-1], [-2]], [[1, 1]], [[1]]], None, bias=False)
    D3 = Dataset([1, 2], [1, 3])
    cert = verify_local_minimum(gone, D3)
    assert cert.route is Route.DEAD_CHAIN
    data = json.loads(cert.to_json())
    assert data["evidence"]["route"] == "dead layer, later biases fixed"
    assert "(dead layer, later biases fixed)" in str(cert)
    again = relu_minima.Certificate.from_json(cert.to_json())
    assert again.route == Route.DEAD_CHAIN and again.check()
    data["evidence"]["route"] = "a route that does not exist"
    data["evidence"]["dead_layer"] = None
    data["evidence"]["inner"] = cert.to_dict()  # any certificate: the route is what fails
    with pytest.raises(relu_minima.CertificateError, match="is not one of"):
        relu_minima.Certificate.from_json(data).check()


def test_the_restricted_decision_refuses_a_full_space_point():
    with pytest.raises(InvalidArgument, match="verify_deep_local_minimum"):
        verify_restricted_deep(DeepReLU([[[1]], [[1]], [[1]]], [[0], [0], [0]]),
                               Dataset([0, 1], [0, 2]))
