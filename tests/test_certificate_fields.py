"""Every field a reader sees is re-verified or derived (issue 22, item 12).

A generic mutator walks the JSON of one certificate of every kind and case (shallow,
deep, restricted-deep, smooth, global) and changes each leaf, one at a time, to plausible
other values; each edit is tried as it is and made consistent (every derived field written
anew from the edited evidence, as a forger would, so that only ``check()`` can refuse it).
Each edited certificate must be refused by ``Certificate.from_json`` or
``check()`` (with a library error, never a traceback from deep inside), or print exactly
what the original prints (proof text, str, reason, verdict, loss, witness), or belong to the
few documented fields whose value is the *question* or a verified *bound* (then the edited
certificate is itself a valid one and prints its own, re-verified, values), or the smooth
search's ``notes`` (a record, printed only under its "not re-verified" label). The
classification is the one docs/certificates.md gives.
"""

from __future__ import annotations

import functools
import json
from fractions import Fraction as F
from pathlib import Path

import pytest

from relu_minima import Dataset, DeepReLU, ShallowReLU, verify_local_minimum
from relu_minima.errors import ReluMinimaError
from relu_minima.exact.enclosure import Enclosure, decimal_str
from relu_minima.verify.certificate import Certificate
from relu_minima.verify.globalmin.search import global_minimum

D4 = Dataset([0, 1, 2, 3], [1, -1, 2, 0])
D1 = Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])

FORGED = ("every first-order condition holds exactly, and then L(theta') - L(theta) >= "
          "|F(theta') - F(theta)|^2 >= 0: a local minimum")


@functools.cache
def _relu_cases() -> dict[str, Certificate]:
    """One certificate per kind and case of the exact (ReLU) decisions (made once, when a
    test first needs them, not when the module is collected)."""
    deep = {
        "blind-spot-min": (DeepReLU([[[1]], [[1]], [[1]]], [[-10], [0], [1]]),
                           Dataset([0, 1], [0, 2])),
        "blind-spot-not": (DeepReLU([[[1]], [[1]]], [[-5], [0]]), Dataset([0, 1], [0, 2])),
        "output-bias": (DeepReLU([[[1]], [[1]], [[1]]], [[0], [0], [0]]),
                        Dataset([0, 1, 2], [5, 6, 7])),
        "class-mean": (DeepReLU([[[1]], [[-1]]], [[0], [0]]), Dataset([1, 2], [-1, -2])),
        "family-min": (DeepReLU([[[2]], [[-2]], [[1]]], [[-2], [0], ["-5/3"]]),
                       Dataset([1, -3, 1], [1, -3, -3])),
        "family-not": (DeepReLU([[[2]], [[0]], [[1]]], [[-2], [0], ["1/2"]]), D4),
        "depth-2-not": (DeepReLU([[[2]], [[-2]]], [[1], ["17/2"]]), D4),
        "descent": (DeepReLU([[[1]], [[1]], [[-1]]], [[-2], [1], ["7/4"]]), D4),
        "convex": (DeepReLU([[["1/2"]]], [["1/2"]]), Dataset([0, 1, 2], [0, 2, 1])),
        "undecided": (DeepReLU([[[0]], [[2]], [[1]]], [[2], [1], ["-9/2"]]), D4),
        "restricted-depth-2": (DeepReLU([[[1], [-1]], [[1, 1]]], [[0, 0], [0]],
                                        bias=[False, True]), Dataset([1, 2, 3], [1, 1, 1])),
        "restricted-full": (DeepReLU([[[-1], [2]], [[1, 2]], [[-2]]], [None] * 3, bias=False),
                            Dataset([2, 3, 2], [3, -1, -1])),
        "restricted-dead": (DeepReLU([[[-1], [-2]], [[1, 1]], [[1]]], None, bias=False),
                            Dataset([1, 2], [1, 3])),
    }
    out = {name: verify_local_minimum(net, D, max_directions=30)
           for name, (net, D) in deep.items()}
    shallow = {
        "kink-criterion": (ShallowReLU([1], [-3], [1], 0), D1),
        "bias": (ShallowReLU([1], [-3], [1], 1), D1),
        "unit": (ShallowReLU([-2, 1], [-1, 0], [-1, 1], -1), D4),
        "output": (ShallowReLU([-1, -2], [1, -3], [0, 0], "1/2"), D4),
        "saddle": (ShallowReLU([1, 0], [0, -1], [0, -1], "1/2"), D4),
        "restricted": (ShallowReLU([2], [0], [-2], -1).with_space(frozen=["b_2[1]"]),
                       Dataset([-1, 0, 1, 2], [0, 1, 0, -3])),
    }
    out.update({name: verify_local_minimum(p, D) for name, (p, D) in shallow.items()})
    out.update({name: verify_local_minimum(p, D, **({"max_directions": 30}
                                                    if isinstance(p, DeepReLU) else {}))
                for name, (p, D) in _several_outputs().items()})
    out["global-line"] = global_minimum(D1, hidden=1)
    out["global-cells"] = global_minimum(Dataset([[0, 0], [1, 0], [0, 1]], [0, 1, 3]), hidden=1)
    out["global-single"] = global_minimum(Dataset([[1, 1], [1, 1]], [0, 2]), hidden=1)
    return out


def _several_outputs() -> dict[str, tuple]:
    """One point per kind of k-output evidence (docs/method.md, "Several outputs")."""
    shifted = [[[1], [2]], [[1, -1], [2, 1]], [[1, 0], [0, 1], [1, 1]]]
    digits = Dataset([0, 1, 2, 3], [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    return {
        "k-cone": (ShallowReLU([[1]], [-2], [[-2], [1]], [1, 2]),
                   Dataset([0, 2], [[-1, 2], [3, 2]])),
        "k-zero-aligned": (ShallowReLU([[1], [2]], [0, 0], [[0, 0], [0, 2]], [2, 2]),
                           Dataset([0, 0], [[4, 3], [0, 1]])),
        "k-second-order": (ShallowReLU([1], [0], [[1], [0]], [0, 0]),
                           Dataset([-1, 1, 2], [[0, -1], [1, 2], [2, -1]])),
        "k-undecided": (ShallowReLU([[2]], [2], [[0], [1]], [0, 2]),
                        Dataset([-1, 0, 2], [[2, 2], [-3, 4], [1, 8]])),
        "k-saddle": (ShallowReLU([[2]], [2], [[0], [0]], [1, 2]),
                     Dataset([-2, -1], [[0, 3], [2, 1]])),
        "k-output": (ShallowReLU([1], [0], [[1], [0]], [0, 0], bias=(True, False),
                                 frozen=["W_1[1,1]", "b_1[1]"]),
                     Dataset([1, 2], [[0, 0], [2, 0]])),
        "k-blind-spot-min": (DeepReLU(shifted, [[-10, -20], [-1, -2], ["1/2", "1/4", "1/4"]]),
                             digits),
        "k-blind-spot-not": (DeepReLU(shifted, [[-10, -20], [-1, -2], ["1/2", "1/2", 0]]),
                             digits),
        "k-family-not": (DeepReLU([[[0]], [[0]], [[0], [0]]], [[0], [0], [1, 1]]),
                         Dataset([0, 0, 1, 1], [[1, 0], [1, 0], [1, 2], [1, 2]])),
        "k-depth-2-undecided": (DeepReLU([[[2]], [[0], [1]]], [[2], [0, 2]]),
                                Dataset([-1, 0, 2], [[2, 2], [-3, 4], [1, 8]])),
    }


@functools.cache
def _smooth_cases() -> dict[str, Certificate]:
    pytest.importorskip("flint")
    from relu_minima import SmoothNet
    from relu_minima.verify.smooth.certify import certify_smooth_minimum

    D6 = Dataset([-2, -1, 0, 1, 2, 3], ["5/8", "7/8", "5/4", "7/4", "17/8", "19/8"])
    start = SmoothNet([1], ["-1/2"], [2], "1/2", activation="sigmoid")
    saddle = SmoothNet([["17/100", "117/20"]], ["27/5"], ["-37/100"], "-129/100",
                       activation="tanh")
    from tests.test_smooth_certificates import D20

    on_line = Dataset([[1, 0], [0, 1], ["1/2", "1/2"]], [0, 0, 1])
    switched_off = SmoothNet([0], ["1/2"], [0], "3/2")  # exactly critical, a saddle
    centre = certify_smooth_minimum(start, D6).params
    return {
        "smooth-min": certify_smooth_minimum(start, D6),
        "smooth-not": certify_smooth_minimum(saddle, D20),
        "smooth-flat": certify_smooth_minimum(SmoothNet([[0, 0]], [0], [1], 0), on_line),
        "smooth-notes": certify_smooth_minimum(start, D6, radius=1),
        "smooth-concave": certify_smooth_minimum(switched_off, D6),
        "point-gradient": verify_local_minimum(start, D6),
        "point-curvature": verify_local_minimum(switched_off, D6),
        "point-nearby": verify_local_minimum(centre, D6, precision=64),
        "point-flat": verify_local_minimum(SmoothNet([[0, 0]], [0], [0], "1/3"), on_line),
    }


# -- the mutator ---------------------------------------------------------------------------------
def _leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list) and node:
        for k, value in enumerate(node):
            yield from _leaves(value, (*path, k))
    else:
        yield path, node


def _pattern(path) -> str:
    return ".".join("*" if isinstance(p, int) else str(p) for p in path)


def _fraction(text: str) -> F | None:
    try:
        return F(text)
    except (ValueError, ZeroDivisionError):
        return None


def _mutations(value):
    """Plausible other values of one leaf, in its own format."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1] + ([value - 1] if value > 0 else [])
    if value is None:
        return ["1"]
    if isinstance(value, list):  # an empty list
        return [["1"]]
    text = str(value)
    if text.startswith("[") and text.endswith("]") and "," in text:  # an enclosure
        enc = Enclosure.parse(text)
        pad = max(enc.width, abs(enc.lower) / 1000, F(1, 10**30))
        return [str(Enclosure(enc.lower - pad, enc.upper + pad)),
                str(Enclosure(enc.lower + 3 * pad, enc.upper + 3 * pad))]
    q = _fraction(text)
    if q is not None:
        if "E" in text:  # a decimal bound: stronger and weaker, as decimals
            return [decimal_str(q * 2), decimal_str(q / 2)]
        return [str(q + 1)] + ([str(-q), str(q / 2)] if q else [])
    if text in ("local minimum", "not a local minimum", "undecided"):
        return [v for v in ("local minimum", "not a local minimum", "undecided") if v != text]
    return [FORGED, text + " (edited)"]


def _set(data, path, value):
    node = data
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value


def _printed(cert: Certificate):
    w = cert.witness("1/1000")
    return (cert.proof_text, str(cert), cert.reason, cert.status, cert.is_local_minimum,
            str(cert.loss), None if w is None else json.dumps(w.to_json()))


# fields whose edited value may be accepted and printed, because it is re-verified as what it
# says (docs/certificates.md, "Every field is verified or derived"): the question (params,
# dataset, the start of the smooth search, the time budget of a deep search: an edited question
# that the same evidence still answers is answered, and the text derived from it), a verified
# bound or box of a smooth certificate (a weaker bound, another box that passes every test, is
# a true statement too)
QUESTION = ("params", "dataset", "evidence.start", "evidence.search.out_of",
            "evidence.inner.params", "evidence.inner.dataset", "evidence.shallow.params",
            "evidence.shallow.dataset", "evidence.inner.evidence.search.out_of")
SMOOTH_BOUNDS = {"loss", "evidence.precision_bits", "evidence.radius", "evidence.inner_radius",
                 "evidence.krawczyk_bound", "evidence.contraction", "evidence.pd_margin",
                 "evidence.eigen_lower", "evidence.curvature", "evidence.direction.*",
                 "evidence.lower_point.*", "evidence.lower_loss"}
SMOOTH_BOUNDS |= {"evidence.slope", "evidence.gradient_bound",
                  *(f"evidence.nearby.{name}" for name in SMOOTH_BOUNDS)}
QUESTION = (*QUESTION, "evidence.nearby.params", "evidence.nearby.evidence.start")
RECORD = {"evidence.notes"}  # the float search's notes: printed under their label only


def _forgeries(cert: Certificate, data: dict) -> list[dict]:
    """The edited JSON as it is, and made consistent: every derived field (reason, proof
    text, witness, ...) written anew from the edited evidence, as a forger would; only
    ``check()`` can refuse the second."""
    out = [data]
    if data.get("kind") == cert.kind and data.get("schema_version") in (2, 3):
        try:
            out.append(json.loads(json.dumps(type(cert)._from_dict(data).to_dict())))
        except (ReluMinimaError, KeyError, TypeError, ValueError, IndexError, AttributeError,
                ZeroDivisionError):
            pass  # the edited pieces do not even fit together
    return out


def _survivors(cert: Certificate, per_pattern: int = 2) -> list[str]:
    """The edits that were accepted, changed what is printed, and are not allowed to."""
    text = cert.to_json()
    base = _printed(cert)
    seen: dict[str, int] = {}
    bad = []
    for path, value in _leaves(json.loads(text)):
        pat = _pattern(path)
        seen[pat] = seen.get(pat, 0) + 1
        if seen[pat] > per_pattern:
            continue
        for new in _mutations(value):
            data = json.loads(text)
            _set(data, path, new)
            for forged in _forgeries(cert, data):
                try:
                    back = Certificate.from_json(forged)
                    back.check()
                    now = _printed(back)
                except ReluMinimaError:
                    continue  # refused, with a library error
                if now == base:
                    continue  # no effect on anything printed
                smooth = cert.kind in ("smooth", "smooth-point")
                if pat.startswith(QUESTION) or (smooth and pat in SMOOTH_BOUNDS):
                    continue  # a valid certificate of its own (re-verified), printing its values
                if smooth and pat in RECORD and "not re-verified" in back.reason:
                    continue
                bad.append(f"{pat} = {json.dumps(new)[:60]}"
                           + (" (made consistent)" if forged is not data else ""))
    return bad


RELU_NAMES = ["bias", "blind-spot-min", "blind-spot-not", "class-mean", "convex", "depth-2-not",
              "descent", "family-min", "family-not", "global-cells", "global-line",
              "global-single", "k-blind-spot-min", "k-blind-spot-not", "k-cone",
              "k-depth-2-undecided", "k-family-not", "k-output", "k-saddle", "k-second-order",
              "k-undecided", "k-zero-aligned", "kink-criterion", "output", "output-bias",
              "restricted", "restricted-dead", "restricted-depth-2", "restricted-full", "saddle",
              "undecided", "unit"]


def test_the_cases_are_all_named():
    assert sorted(_relu_cases()) == RELU_NAMES


@pytest.mark.slow
@pytest.mark.parametrize("name", RELU_NAMES)
def test_every_field_of_an_exact_certificate_is_verified_or_derived(name):
    cert = _relu_cases()[name]
    assert cert.check()
    assert _survivors(cert) == []


@pytest.mark.slow
@pytest.mark.parametrize("name", ["smooth-min", "smooth-not", "smooth-flat", "smooth-notes",
                                  "smooth-concave", "point-gradient", "point-curvature",
                                  "point-nearby", "point-flat"])
def test_every_field_of_a_smooth_certificate_is_verified_or_derived(name):
    cert = _smooth_cases()[name]
    assert cert.check()
    assert _survivors(cert, per_pattern=1) == []


# -- the fields issue 22 names, edited as the review did ------------------------------------------
def _edited(cert: Certificate, edit) -> dict:
    data = json.loads(cert.to_json())
    edit(data)
    return data


def _refused(data) -> str:
    with pytest.raises(ReluMinimaError) as err:
        Certificate.from_json(data).check()
    return str(err.value)


def test_a_forged_reason_under_not_a_local_minimum_is_refused():
    cert = _relu_cases()["bias"]
    assert cert.verdict.value == "not a local minimum"

    def forge(d):
        d["reason"] = FORGED

    assert "reason" in _refused(_edited(cert, forge))


@pytest.mark.parametrize("field", ["is_local_minimum", "witness.loss", "witness.params",
                                   "proof_text", "evidence.kink_pairs", "evidence.case"])
def test_derived_fields_of_a_shallow_certificate_are_compared(field):
    cert = _relu_cases()["unit"]

    def edit(d):
        if field == "is_local_minimum":
            d[field] = True
        elif field == "witness.loss":
            d["witness"]["loss"] = "0"
        elif field == "witness.params":
            d["witness"]["params"]["c"] = "1000"
        elif field == "proof_text":
            d[field] = d[field].replace("NOT A LOCAL MINIMUM", "LOCAL MINIMUM")
        elif field == "evidence.kink_pairs":
            d["evidence"]["kink_pairs"] = []
        else:
            d["evidence"]["case"] = "kink criterion"

    assert field.split(".")[0] in _refused(_edited(cert, edit))


@pytest.mark.parametrize("key, value", [("rate", "-1000"), ("unit_direction", ["1", "0"]),
                                        ("explanation", "unit 1 is dead: a local minimum")])
def test_the_descent_of_a_shallow_certificate_is_re_verified(key, value):
    cert = _relu_cases()["unit"]
    assert cert.descent.kind == "unit"

    def edit(d):
        d["evidence"]["descent"][key] = value

    _refused(_edited(cert, edit))


def test_a_forged_deep_proof_or_case_is_refused():
    for name, key, value in [("descent", "proof", ["  it is a local minimum"]),
                             ("undecided", "case", "class-mean bound"),
                             ("undecided", "search", {"tried": 4000, "counts": {}, "out_of": None,
                                                      "max_directions": 4000})]:
        def edit(d, key=key, value=value):
            d["evidence"][key] = value

        _refused(_edited(_relu_cases()[name], edit))


def test_the_undecided_search_record_is_repeated_by_check():
    cert = _relu_cases()["undecided"]
    assert cert.search.out_of == "max_directions=30" and "raise max_directions" in cert.reason
    for edit in ({"tried": 29}, {"out_of": None}, {"out_of": "time_limit=60"},
                 {"counts": {"coordinate": 30}}):
        data = json.loads(cert.to_json())
        data["evidence"]["search"].update(edit)
        assert "search" in _refused(data)


def test_global_counts_and_reason_are_verified():
    cert = _relu_cases()["global-line"]
    assert cert.patterns_pruned > 0

    def swap(d):
        d["evidence"]["patterns_examined"] += 1
        d["evidence"]["patterns_pruned"] -= 1

    _refused(_edited(cert, swap))


def test_smooth_contraction_reason_and_start():
    pytest.importorskip("flint")
    cert = _smooth_cases()["smooth-min"]

    def contraction(d):
        d["evidence"]["contraction"] = "1E-9"

    assert "||I - Y H(X)||" in _refused(_edited(cert, contraction))

    def reason(d):
        d["reason"] = "not a local minimum"

    _refused(_edited(cert, reason))
    # start is the question (the point the decision started from): the distance printed is
    # derived from it, so an edited start no longer matches the stored proof text
    data = json.loads(cert.to_json())
    data["evidence"]["start"]["c"] = "7"
    assert "proof_text" in _refused(data)


def test_version_1_files_are_read_and_their_texts_derived_anew():
    here = Path(__file__).parent / "golden" / "v1"
    for path in sorted(here.glob("*.json")):
        if path.stem == "smooth_sigmoid":
            pytest.importorskip("flint")
        data = json.loads(path.read_text())
        assert data["schema_version"] == 1
        cert = Certificate.from_json(data)
        assert cert.check()
        assert cert.verdict.value == data["verdict"] and str(cert.loss) == data["loss"]
        data["reason"] = FORGED  # version 1: texts are not compared but never printed either
        forged = Certificate.from_json(data)
        assert forged.reason == cert.reason != FORGED and FORGED not in forged.proof_text


@pytest.mark.parametrize("edit", ["ray value", "ray sides", "span"])
def test_every_printed_piece_of_a_kink_decision_is_re_verified(edit):
    # unit 1 of this point fails its condition g == 0 along the third ray; the proof text
    # prints all three rays (value, sides) and the span coefficients, so each is re-verified
    # even though the violating direction alone decides the unit
    cert = verify_local_minimum(ShallowReLU([0, -1], [0, 2], [0, 0], "1/2"), D4)
    decision = json.loads(cert.to_json())["evidence"]["units"][0]["decision"]
    assert decision["proof"] == "descent" and len(decision["rays"]) == 3
    assert "ray (1, 0): unit at bending inputs [kink on on on], g = 0 ok" in cert.proof_text

    def forge(d):
        dec = d["evidence"]["units"][0]["decision"]
        if edit == "ray value":
            dec["rays"][0]["g"] = "-5"
        elif edit == "ray sides":
            dec["rays"][0]["sides"] = [1, 1, 1, 1]
        else:
            dec["span_coefficients"] = ["1", "0", "0", "0"]

    _refused(_edited(cert, forge))
