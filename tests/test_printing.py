"""Exact objects print as sympy prints numbers (-2, 11/10); reprs paste back (issue 11)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

import relu_minima
import relu_minima.strategies as rms
from relu_minima import Dataset, DeepReLU, ShallowReLU, SmoothNet, verify_local_minimum
from relu_minima.exact.numbers import latex, literal, short, show

NAMES = {name: getattr(relu_minima, name) for name in relu_minima.__all__}
D1 = Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])


def test_the_issue_example_prints_as_sympy_does():
    net = ShallowReLU(W=[[-2], ["11/10"]], b=[-2, -2], v=[1, 1], c=0)
    assert str(net) == "ShallowReLU(W=[[-2], [11/10]], b=[-2, -2], v=[1, 1], c=0)"
    assert repr(net) == "ShallowReLU(W=[[-2], ['11/10']], b=[-2, -2], v=[1, 1], c=0)"
    assert eval(repr(net), NAMES) == net


@settings(max_examples=40, deadline=None)
@given(rms.datasets(max_denominator=7), st.data())
def test_reprs_round_trip(D, data):
    net = data.draw(rms.shallow_relu(dataset=D, max_denominator=5))
    for obj in (D, net, DeepReLU.from_shallow(net)):
        text = repr(obj)
        assert "Fraction" not in text and "Fraction" not in str(obj)
        assert eval(text, NAMES) == obj


def test_smooth_net_round_trips():
    net = SmoothNet([[0, "1/3"]], [0], ["2/3"], 1, activation="tanh")
    assert eval(repr(net), NAMES) == net
    assert str(net) == "SmoothNet(W=[[0, 1/3]], b=[0], v=[2/3], c=1, activation='tanh')"


def test_number_helpers():
    assert show((Fraction(-2), (Fraction(11, 10),))) == "[-2, [11/10]]"
    assert literal((Fraction(-2), Fraction(11, 10))) == "[-2, '11/10']"
    assert latex(Fraction(-1, 3)) == r"- \frac{1}{3}" and latex(Fraction(4)) == "4"
    assert short(Fraction(1, 3)) == "~0.333333 (= 1/3)" and short(Fraction(7)) == "7"
    big = Fraction(3**80, 2**100)
    text = short(big)
    assert text.startswith("~") and text.index("(= ") < 20 and text.endswith(f"(= {big})")


def test_certificate_reprs_are_short():
    good = verify_local_minimum(ShallowReLU(W=[1], b=[-3], v=[1], c=0), D1)
    bad = verify_local_minimum(ShallowReLU(W=[[-2], ["11/10"]], b=[-2, -2], v=[1, 1], c=0), D1)
    assert repr(good) == ("<LocalMinimumCertificate: local minimum, loss 18, at "
                          "ShallowReLU(W=[[1]], b=[-3], v=[1], c=0), n = 5 points>")
    assert len(repr(bad)) < 200 and "Fraction" not in repr(bad)
    deep = verify_local_minimum(DeepReLU([[[1], [-1]], [[1, 1]]], [[0, 0], [0]]), D1)
    assert repr(deep).startswith("<DeepCertificate: ") and len(repr(deep)) < 200
    wide = ShallowReLU(W=[[i] for i in range(1, 9)], b=[-30] * 8, v=[1] * 8, c=1)
    assert "with 25 parameters" in repr(verify_local_minimum(wide, D1))


def test_notebook_display():
    net = ShallowReLU(W=[[-2], ["11/10"]], b=[-2, -2], v=[1, 1], c=0)
    md = net._repr_markdown_()
    assert "| 2 | $(\\frac{11}{10})$ |" in md and "| unit |" in md  # units counted from 1
    assert "W_{1}" in DeepReLU([[[1], [-1]], [[1, 1]]], [[0, 0], [0]])._repr_markdown_()
    assert "| 5 | [-1] | 3 |" in D1._repr_markdown_()
    cert = verify_local_minimum(net, D1)
    assert "$L = \\frac{239}{10}$" in cert._repr_markdown_()
    assert cert._repr_latex_().startswith("$L = \\frac{239}{10}$")
    loss = net.loss_expression(D1)  # a sympy Rational: notebooks show it in LaTeX
    assert loss == Fraction(239, 10) and loss._repr_latex_() == "$\\displaystyle \\frac{239}{10}$"


def test_a_non_minimum_prints_no_certified_radius():
    bad = verify_local_minimum(ShallowReLU(W=[[-2], ["11/10"]], b=[-2, -2], v=[1, 1], c=0), D1)
    good = verify_local_minimum(ShallowReLU(W=[1], b=[-3], v=[1], c=0), D1)
    assert bad.radius is None and bad.to_dict()["evidence"]["radius"] is None
    for text in (str(bad), repr(bad), bad._repr_markdown_()):
        assert "radius" not in text and "rho" not in text
    assert "rho = 1/10" in str(good)  # the minimum's radius is part of its proof
    assert "cert.witness(r)" in str(bad) and "any max-norm distance r > 0" in str(bad)


def test_repair_names_count_from_one_as_the_paper_does():
    from relu_minima.paper.regression import examples as ex
    from relu_minima.paper.regression.repairs import sign_flip_repairs

    def perfect(p):
        return p.loss(ex.D2) == 0

    edits = [r.edit for r in sign_flip_repairs(ex.PROP2_GLOBAL_PRINTED, perfect)]
    assert edits == ["w_2[1]: -1 -> 1"]  # unit 2 (of 2), coordinate 1: docs/errata.md's w_2
    one_unit = ShallowReLU(W=[[2]], b=[0], v=[1], c=0)
    flipped = sign_flip_repairs(one_unit, lambda p: p.W[0][0] < 0)
    assert [r.edit for r in flipped] == ["w_1[1]: 2 -> -2"]


def test_report_texts_print_points_as_sympy_does(tmp_path):
    from relu_minima.report import run_claims

    md = run_claims(tmp_path, keys=["prop2", "thm1-i", "cor1"], quick=True).markdown()
    assert "Fraction(" not in md and "{'" not in md and "['" not in md
    assert "DeepReLU(weights=[[[1]], [[1]]], biases=[[-5], [0]])" in md  # thm1-i's example
    assert "ShallowReLU(W=[[-5], [1]], b=[1, -8], v=[1, -1], c=-1)" in md  # prop2's repair


def test_smooth_and_global_certificates_display_too():
    from relu_minima.verify.globalmin.search import global_minimum
    from relu_minima.verify.smooth.certify import certify_smooth_minimum

    glob = global_minimum(Dataset([0, 1, 2], [0, 1, 0]), 1)
    assert repr(glob).startswith("<GlobalMinimumCertificate: ") and len(repr(glob)) < 200
    assert "$L = \\frac{1}{2}$" in glob._repr_markdown_()
    net = SmoothNet([[0]], [0], [0], 0, activation="tanh")
    smooth = certify_smooth_minimum(net, Dataset([0, 1], [1, 1]))
    assert repr(smooth).startswith("<SmoothCertificate: ") and "Fraction" not in repr(smooth)
    assert smooth._repr_latex_().startswith("$L \\in ") and "| 1 |" in net._repr_markdown_()
