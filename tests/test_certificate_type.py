"""One certificate type: the review's reproducers (issue 9), JSON round trips, tampering."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction as F

import pytest

from relu_minima import (
    Certificate,
    CertificateError,
    Dataset,
    DeepReLU,
    InvalidArgument,
    ShallowReLU,
    Verdict,
    verify_local_minimum,
)
from relu_minima.verify.certificate import Certificate as Base

# every decision test runs on both exact backends (pure Python, and python-flint if
# installed): `pip install .` users get the pure-Python path
pytestmark = pytest.mark.usefixtures("backend")


def test_shallow_witness_at_tiny_scale():
    # 1. the old search gave up after 400 halvings
    d = F(1, 2**450)
    D = Dataset([0, 1, -1], [d, 1, -d])
    c = verify_local_minimum(ShallowReLU([1], [0], [1], 0), D)
    assert c.verdict is Verdict.NOT_MINIMUM
    w = c.witness(F(1, 1000))
    assert w.loss(D) < c.loss and w.distance(c.params) <= F(1, 1000)
    assert c.check()
    deep = verify_local_minimum(DeepReLU.from_shallow(c.params), D)
    assert deep.check() and json.loads(deep.to_json())["witness"] is not None


def test_deep_witness_at_tiny_scale():
    # 2. the old deep search gave up after 2,000 halvings
    d = F(1, 2**2100)
    D = Dataset([0, 1, -1], [d, 1, -d])
    net = DeepReLU([[[1]], [[1]], [[1]]], [[0], [0], [0]])
    c = verify_local_minimum(net, D)
    if c.verdict is Verdict.NOT_MINIMUM:
        w = c.witness(F(1, 10))
        assert w.loss(D) < c.loss
    assert c.check()
    json.loads(c.to_json())


def test_inputs_beyond_float_range():
    # 3. the float LP proposing Lemma C's point overflowed
    B = 10**400
    cert = verify_local_minimum(ShallowReLU([1], [0], [1], 0),
                                Dataset([0, 1, 2, -1], [-B, -1, 3, B + 1]))
    assert cert.check()


def test_forged_deep_certificate_with_foreign_shallow_evidence_fails():
    # 4. a deep certificate carrying another problem's shallow certificate
    D = Dataset([0, 1, 2], [5, 6, 7])
    bad = DeepReLU([[[1]], [[1]], [[1]]], [[0], [0], [0]])
    g = verify_local_minimum(bad, D)
    assert g.verdict is Verdict.NOT_MINIMUM
    o = verify_local_minimum(ShallowReLU([1], [0], [1], 0), Dataset([0, 1, -1], [-1, 1, 1]))
    f = dataclasses.replace(g, verdict=Verdict.MINIMUM, case="depth-2 criterion",
                            direction=None, germ=None, shallow=o)
    with pytest.raises(CertificateError):
        f.check()


def test_shallow_units_are_tied_to_params():
    # 5. replacing the per-unit evidence by another problem's, or by (), must fail
    D1 = Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])
    good = verify_local_minimum(ShallowReLU([1], [-3], [1], 0), D1)
    other = verify_local_minimum(ShallowReLU([1], [0], [1], 0), Dataset([0, 1, -1], [-1, 1, 1]))
    for units in ((), other.units):
        with pytest.raises(CertificateError):
            dataclasses.replace(good, units=units).check()
    with pytest.raises(CertificateError):
        dataclasses.replace(good, radius=good.radius * 2).check()
    with pytest.raises(CertificateError):
        dataclasses.replace(good, verdict=Verdict.NOT_MINIMUM, radius=None).check()


def test_forged_verdict_on_a_non_minimum_fails():
    D = Dataset([0, 1, 2], [5, 6, 7])
    cert = verify_local_minimum(ShallowReLU([1], [0], [1], 0), D)
    assert cert.verdict is Verdict.NOT_MINIMUM
    forged = dataclasses.replace(cert, verdict=Verdict.MINIMUM, descent=None, direction=None,
                                 radius=F(1, 10))
    with pytest.raises(CertificateError):
        forged.check()


@pytest.mark.parametrize("params,data", [
    (ShallowReLU([1], [-3], [1], 0), Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])),
    (ShallowReLU([1, -1], [0, 1], [1, 1], 0), Dataset([0, 1, 2, -1], [0, 2, 1, 1])),
    (DeepReLU([[[1]], [[1]]], [[-5], [1]]), Dataset([0, 1], [0, 2])),
    (DeepReLU([[[1]], [[1]], [[1]]], [[0], [0], [0]]), Dataset([0, 1, 2], [5, 6, 7])),
])
def test_json_round_trip_and_tampering(params, data):
    cert = verify_local_minimum(params, data)
    text = cert.to_json()
    back = Certificate.from_json(text)
    assert isinstance(back, Base) and back == cert and back.check()
    d = json.loads(text)
    assert d["schema_version"] == 2 and d["kind"] in ("shallow-relu", "deep-relu")
    # tamper: the verdict, a number in the params, a target
    flipped = dict(d, verdict=(Verdict.NOT_MINIMUM if cert.is_local_minimum
                               else Verdict.MINIMUM).value)
    with pytest.raises(CertificateError):
        Certificate.from_json(json.dumps(flipped)).check()
    tampered = json.loads(text)
    tampered["dataset"]["y"][0] = str(F(tampered["dataset"]["y"][0]) + 1)
    with pytest.raises(CertificateError):
        Certificate.from_json(json.dumps(tampered)).check()


def test_zero_radius_is_a_library_error():
    cert = verify_local_minimum(ShallowReLU([1], [0], [1], 0), Dataset([0, 1, 2], [5, 6, 7]))
    with pytest.raises(InvalidArgument, match="radius=0"):
        cert.witness(0)


def test_budget_options_are_checked():
    net = DeepReLU([[[1]], [[1]], [[1]]], [[0], [0], [0]])
    D = Dataset([0, 1, 2], [5, 6, 7])
    for bad in ({"max_directions": 0}, {"max_directions": 2.5}, {"time_limit": -1}):
        with pytest.raises(InvalidArgument, match=next(iter(bad))):
            verify_local_minimum(net, D, **bad)
    with pytest.raises(InvalidArgument, match="max_directions"):
        verify_local_minimum(ShallowReLU([1], [0], [1], 0), D, max_directions=5)


def test_certificates_print_and_reread_numbers_beyond_pythons_digit_limit():
    # exact points of large problems have numerators of more than 4,300 digits, Python's
    # default int <-> str limit: printing, JSON and check() lift it, then restore the caller's
    import sys

    from relu_minima import Certificate, Dataset, ShallowReLU, verify_local_minimum

    limit = sys.get_int_max_str_digits()
    big = F(3**9000 + 1, 7**5000)
    cert = verify_local_minimum(ShallowReLU([1], [0], [1], 0), Dataset([0, 1, 2], [big, 1, 2]))
    assert len(cert.proof_text) > 4300 and len(str(cert)) > 4300
    assert Certificate.from_json(cert.to_json()).check()
    assert sys.get_int_max_str_digits() == limit


def test_verify_local_minimum_spells_out_its_options():
    """An IDE shows every option (issue 25, item 11): keyword-only parameters, no **options,
    and every option of every decision among them."""
    import inspect

    from relu_minima.verify import dispatch

    dispatch._smooth_decision()
    params = inspect.signature(verify_local_minimum).parameters
    assert not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    spelled = {n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert {"max_directions", "time_limit", "loss", "radius", "precision"} <= spelled
    for decide in dispatch._DECISIONS.values():
        options = {n for n, p in inspect.signature(decide).parameters.items()
                   if p.kind is inspect.Parameter.KEYWORD_ONLY}
        assert options <= spelled, decide.__name__
    with pytest.raises(TypeError, match="max_direction"):  # a typo is not silently ignored
        verify_local_minimum(ShallowReLU([1], [0], [1], 0), Dataset([0], [1]), max_direction=5)


@pytest.mark.parametrize("kind, option", [("shallow", {"precision": 128}),
                                          ("shallow", {"loss": "squared"}),
                                          ("deep", {"radius": "1/100"}),
                                          ("deep", {"newton_steps": 3}),
                                          ("smooth", {"max_directions": 10}),
                                          ("smooth", {"time_limit": 1})])
def test_an_option_of_another_kind_is_refused_by_name(kind, option):
    from relu_minima import SmoothNet

    if kind == "smooth":
        pytest.importorskip("flint")
    params = {"shallow": ShallowReLU([1], [0], [1], 0),
              "deep": DeepReLU([[[1]], [[1]], [[1]]], [[0], [0], [0]]),
              "smooth": SmoothNet([[1]], [0], [1], 0)}[kind]
    name = next(iter(option))
    with pytest.raises(InvalidArgument, match=rf"option {name}=.* does not apply to "
                       rf"{type(params).__name__} points"):
        verify_local_minimum(params, Dataset([0, 1, 2], [5, 6, 7]), **option)


def test_smooth_options_reach_the_smooth_decision():
    pytest.importorskip("flint")
    from relu_minima import SmoothNet

    with pytest.raises(InvalidArgument, match="precision=40"):
        verify_local_minimum(SmoothNet([[1]], [0], [1], 0), Dataset([0, 1], [0, 1]),
                             precision=40)
