"""The second, independent checker (issue 28): certificates re-checked by an SMT solver.

The solver reads a sentence written from params, dataset, loss, verdict and radius only
(relu_minima.verify.smt). These tests check that it agrees with the library on random tiny
instances and on the paper's points, that every tampered certificate is refuted (or its
claim cannot be stated), and that giving up is never read as a verdict. z3 is needed
(``pip install ".[smt]"``, also in the test extra); cvc5 is used where it is installed.

Each check has a time limit; a solver that gives up is "no verdict", never a failure, except
that the sweeps require most instances to be confirmed. The fast subset keeps to d = 1 and the
deep 1-2-1-1 points (z3 settles most in well under a second); the bigger sweep (d = 1..2,
hundreds of instances) and the paper's points that z3 needs seconds for are marked slow.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from collections import Counter
from fractions import Fraction
from functools import cache

import pytest

z3 = pytest.importorskip("z3")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from relu_minima import Dataset, DeepReLU, ShallowReLU  # noqa: E402
from relu_minima.cli import main  # noqa: E402
from relu_minima.errors import CertificateError, InvalidArgument  # noqa: E402
from relu_minima.paper.regression import examples as ex  # noqa: E402
from relu_minima.paper.regression.global_optima import (  # noqa: E402
    PROP2_GLOBAL_CORRECTED,
    PROP2_LOCAL_CORRECTED,
)
from relu_minima.verify.deep.rules import verify_deep_local_minimum  # noqa: E402
from relu_minima.verify.dispatch import verify_local_minimum  # noqa: E402
from relu_minima.verify.globalmin.search import global_minimum  # noqa: E402
from relu_minima.verify.smt import (  # noqa: E402
    DEFAULT_RADIUS,
    NothingToCheck,
    UnsupportedCertificate,
    certified_radius,
    engines,
    recheck,
    sentence_of,
)
from tests.instances import instances  # noqa: E402

HAVE_CVC5 = importlib.util.find_spec("cvc5") is not None
needs_cvc5 = pytest.mark.skipif(not HAVE_CVC5, reason="cvc5 is not installed (pip install cvc5)")
FAST = 5.0  # seconds per check in the fast tests
SWEEP = 2.0  # seconds per check in the fast sweeps: the few hard points give up (no verdict)
SLOW = 30.0


def _agree(cert, solver="z3", limit=FAST, **kw):
    """The solver's re-check; a refutation of a certificate the library made is a failure."""
    result = recheck(cert, solver, time_limit=limit, **kw)
    assert result.status != "refuted", str(result)
    return result


def _sweep(strategy, examples, limit, need=0.8):
    """Re-check ``examples`` random instances; none refuted, at least ``need`` confirmed."""
    tally: Counter[str] = Counter()

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None)
    @given(strategy)
    def run(instance):
        net, data = instance
        cert = verify_local_minimum(net, data)
        if cert.is_local_minimum is None:  # undecided deep points state nothing
            return
        result = _agree(cert, limit=limit)
        tally[cert.status, result.status] += 1

    run()
    confirmed = sum(n for (_, status), n in tally.items() if status == "confirmed")
    assert confirmed >= need * sum(tally.values()), dict(tally)
    assert {v for v, _ in tally} == {"local minimum", "not a local minimum"}, dict(tally)
    return tally


@st.composite
def deep_1211(draw):
    """A 1-2-1-1 point with kinks and dead units placed on the data (as hard_deep_point)."""
    n = draw(st.integers(3, 6))
    D = Dataset([draw(st.integers(-2, 2)) for _ in range(n)],
                [draw(st.integers(-3, 3)) for _ in range(n)])
    weight = st.sampled_from([0, 0, -2, -1, 1, 2])
    W = [[[draw(weight)] for _ in range(2)], [[draw(weight), draw(weight)]], [[draw(weight)]]]
    b = [[Fraction(draw(weight)) for _ in range(w)] for w in (2, 1, 1)]
    for layer in (0, 1):
        for j in range(len(b[layer])):
            pre = DeepReLU(W, b).preactivations(D)[layer]
            style = draw(st.sampled_from(["keep", "kink", "dead"]))
            if style == "kink":
                b[layer][j] -= pre[draw(st.integers(0, n - 1))][j]
            elif style == "dead":
                b[layer][j] -= max(row[j] for row in pre) + draw(st.integers(0, 1))
    if draw(st.booleans()):  # the optimal output bias
        b[2][0] -= sum(DeepReLU(W, b).residuals(D), Fraction(0)) / n
    return DeepReLU(W, b), D


# -- agreement on random tiny instances ---------------------------------------------------------
@pytest.mark.slow  # over ~2 s on a loaded 2-core machine: left to the full suite
def test_solver_agrees_on_random_one_input_shallow_points():
    _sweep(instances(max_d=1, max_m=2, max_n=6), examples=30, limit=SWEEP)


@pytest.mark.slow
def test_solver_agrees_on_random_deep_1_2_1_1_points():
    _sweep(deep_1211(), examples=40, limit=SWEEP)


@pytest.mark.slow
@pytest.mark.sweep  # pytest --run-sweeps; the default run re-checks the 70 points above
def test_solver_agrees_on_hundreds_of_random_points():
    _sweep(instances(max_d=2, max_m=2, max_n=6), examples=150, limit=SLOW, need=0.9)
    _sweep(deep_1211(), examples=300, limit=SLOW, need=0.9)


# -- the paper's points -------------------------------------------------------------------------
def test_proposition_1_points_are_minima_at_their_radius():
    for point in (ex.PROP1_POINT, ex.PROP1_COMPARISON):
        cert = verify_local_minimum(point, ex.D1)
        result = _agree(cert)
        assert result.status == "confirmed" and result.sentence.radius == cert.radius
        assert [r.answer for r in result.results] == ["unsat", "unsat"]


def test_proposition_2_printed_points_are_not_minima():
    for point in (ex.PROP2_GLOBAL_PRINTED, ex.PROP2_LOCAL_PRINTED):
        result = _agree(verify_local_minimum(point, ex.D2))
        assert result.status == "confirmed"
        assert [r.check.name for r in result.results] == ["loss", "witness", "segment"]


PAPER_MINIMA = [(PROP2_GLOBAL_CORRECTED, ex.D2), (PROP2_LOCAL_CORRECTED, ex.D2),
                (ex.PROP3_BETTER, ex.D3), (ex.PROP3_WORSE, ex.D3)]


@needs_cvc5
@pytest.mark.parametrize("point, data", PAPER_MINIMA[:3])
def test_corrected_proposition_2_and_proposition_3_points_by_cvc5(point, data):
    # cvc5 settles these in under a second; Proposition 3's worse point it did not settle in
    # 30 s, z3 does in seconds (below)
    result = _agree(verify_local_minimum(point, data), "cvc5", limit=SLOW)
    assert result.status == "confirmed", str(result)


@pytest.mark.slow
@pytest.mark.parametrize("point, data", PAPER_MINIMA)
def test_corrected_proposition_2_and_proposition_3_points_by_z3(point, data):
    # z3 needs seconds here (its nonlinear search settles after its first try, ~6 s of CPU)
    # a limit far above the 6-17 s these take: under another session's load z3 has run out of a
    # tighter wall-clock limit, which is "no verdict", not a finding
    result = _agree(verify_local_minimum(point, data), "z3", limit=600)
    assert result.status == "confirmed", str(result)


@pytest.mark.slow
def test_the_solver_finds_its_own_lower_point_near_a_printed_proposition_2_point():
    result = _agree(verify_local_minimum(ex.PROP2_GLOBAL_PRINTED, ex.D2), limit=600,
                    existential=True)
    assert result.status == "confirmed" and result.results[-1].answer == "sat"


def test_global_minimum_of_a_tiny_problem_is_confirmed():
    cert = global_minimum(Dataset([0, 1, 2], [0, 1, 0]), hidden=1)
    result = _agree(cert)
    assert result.status == "confirmed" and result.sentence.verdict == "global minimum"
    assert "no theta' has L(theta') < 1/2" in result.sentence.claim


@pytest.mark.slow
def test_global_minimum_of_d1_with_one_unit_is_confirmed():
    # the exact optimum 14 < 18 that makes Proposition 1's point a bad minimum, proved again
    result = _agree(global_minimum(ex.D1, hidden=1), limit=600)  # 6-10 s; room for load
    assert result.status == "confirmed"


def test_restricted_points_are_rechecked_over_their_moving_coordinates():
    # depth 2, output bias frozen (route 0) and a deeper bias-free point (route 1 or 2)
    net = DeepReLU.from_shallow(ex.PROP1_POINT).with_space(frozen=["b_2[1]"])
    cert = verify_local_minimum(net, ex.D1)
    assert cert.kind == "restricted-deep" and certified_radius(cert) is not None
    sentence = sentence_of(cert)
    assert "(define-fun b2_1 () Real theta_b2_1) ; fixed (frozen)" in sentence.text
    assert "(declare-const b2_1 Real)" not in sentence.text
    assert _agree(cert).status == "confirmed"
    dead = DeepReLU([[[1]], [[1]], [[1]]], None, bias=False)  # dead on negative inputs
    cert = verify_local_minimum(dead, Dataset([-1, -2], [1, 0]))
    assert cert.kind == "restricted-deep"
    assert _agree(cert).status == "confirmed"


# -- tampered certificates ----------------------------------------------------------------------
def _tampered(cert, edit):
    """The certificate's JSON, edited: the claim as a forger writes it (this library's own
    from_json would refuse most of these files; the solver must refute them by itself)."""
    data = json.loads(cert.to_json())
    edit(data)
    return data


def _set(*path_and_value):
    *path, value = path_and_value

    def edit(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return edit


P1 = verify_local_minimum(ex.PROP1_POINT, ex.D1)
P1_SHIFTED = verify_local_minimum(ex.PROP1_POINT.replace(c="1/10"), ex.D1)
TAMPERINGS = {
    "a weight moved": (P1, _set("params", "W", [["11/10"]])),
    "a lower loss": (P1, _set("loss", "17")),
    "a target changed": (P1, _set("dataset", "y", ["2", "1", "0", "-3", "4"])),
    "a larger radius": (P1, _set("evidence", "radius", "10")),
    "another point, its loss and the old radius": (
        P1, lambda d: (d["params"].update(c="1/10"), d.update(loss="361/20"))),
    "'not a minimum' made a minimum with a radius": (
        P1_SHIFTED, lambda d: (d.update(verdict="local minimum"),
                               d["evidence"].update(radius="1/10"))),
    "'not a minimum' with a higher loss": (P1_SHIFTED, _set("loss", "19")),
    "'not a minimum' on other targets": (
        P1_SHIFTED, _set("dataset", "y", ["2", "1", "0", "-3", "3/2"])),
}


@pytest.mark.parametrize("name", sorted(TAMPERINGS))
def test_every_tampered_certificate_is_refuted(name):
    cert, edit = TAMPERINGS[name]
    assert recheck(cert, time_limit=FAST).status == "confirmed"  # the original holds
    try:
        forged = _tampered(cert, edit)
        result = recheck(forged, time_limit=FAST)
    except CertificateError:  # the claim cannot even be stated (e.g. no descent to step on)
        return
    assert result.status == "refuted", str(result)


def test_a_flipped_verdict_cannot_be_stated():
    # a minimum has no descent, so "not a minimum" has no witness: the script refuses
    forged = _tampered(P1, _set("verdict", "not a local minimum"))
    with pytest.raises(CertificateError, match="no witness point"):
        sentence_of(forged)
    # "not a minimum" turned into a minimum carries no radius: refused, not guessed
    forged = _tampered(P1_SHIFTED, _set("verdict", "local minimum"))
    with pytest.raises(CertificateError, match="carries no radius"):
        sentence_of(forged)


def test_a_tampered_radius_is_refuted_with_a_lower_point():
    result = recheck(_tampered(P1, _set("evidence", "radius", "10")), time_limit=FAST)
    assert result.status == "refuted" and result.results[-1].check.name == "ball"
    assert "model:" in result.message and "loss" in result.message


def test_a_tampered_global_minimum_is_refuted():
    cert = global_minimum(Dataset([0, 1, 2], [0, 1, 0]), hidden=1)
    worse = ShallowReLU([0], [0], [0], 0)  # loss 1 > L* = 1/2, stated consistently
    forged = _tampered(cert, lambda d: (d.update(params=worse.to_json(), loss="1")))
    result = recheck(forged, time_limit=FAST)
    assert result.status == "refuted" and result.results[-1].check.name == "everywhere"


# -- what is not a verdict ------------------------------------------------------------------------
def test_a_lower_point_beyond_the_claimed_radius_is_no_verdict():
    # as a deep point, Proposition 1's minimum is proved by the class-mean bound, without a
    # radius; at radius 100 a lower point exists (the global optimum 14, at distance 8), which
    # does not contradict a minimum on a smaller ball
    cert = verify_deep_local_minimum(DeepReLU.from_shallow(ex.PROP1_POINT), ex.D1)
    assert cert.is_local_minimum is True and certified_radius(cert) is None
    assert _agree(cert).status == "confirmed"  # at the default radius 1/1000
    result = recheck(cert, time_limit=FAST, radius=100)
    assert result.status == "no verdict" and result.exit_code == 3
    assert result.results[-1].answer == "sat" and "does not contradict" in result.message


def test_a_solver_that_gives_up_is_no_verdict():
    cert = global_minimum(ex.D1, hidden=2)  # z3 needs far more than half a second
    result = recheck(cert, time_limit=0.5)
    assert result.status == "no verdict" and result.results[-1].answer == "unknown"
    assert "gave up" in result.message


def test_a_solver_that_overruns_its_limit_is_stopped_and_restarted():
    session = engines.Session("z3", 60.0)
    text = sentence_of(global_minimum(ex.D1, hidden=2)).preamble
    session.run(text)
    block = sentence_of(global_minimum(ex.D1, hidden=2)).blocks[-1]
    with pytest.raises(engines.SolverStopped, match="no answer within"):
        session.worker.request({"op": "check", "text": block}, 0.5)
    assert not session.worker.alive
    assert recheck(P1, time_limit=FAST).status == "confirmed"  # a fresh worker


@cache
def _undecided():
    """A deep point no rule or move settles (tests/test_blind_spots.py)."""
    hard = DeepReLU([[[-2]], [[1]], [[-1]]], [[4], [-2], ["5/2"]])
    return verify_deep_local_minimum(hard, Dataset([2, 1, 0, 0], [2, 3, 3, -2]))


@pytest.mark.slow
def test_undecided_and_unsupported_certificates_are_refused_by_name():
    undecided = _undecided()
    assert undecided.is_local_minimum is None
    with pytest.raises(NothingToCheck, match="states nothing"):
        sentence_of(undecided)

    class Smooth:
        kind, is_local_minimum = "smooth", True

    with pytest.raises(UnsupportedCertificate, match=r"exp.*supported kinds: shallow-relu, "
                       r"deep-relu, restricted-deep, global-minimum"):
        sentence_of(Smooth())
    with pytest.raises(InvalidArgument, match="radius=0 must be positive"):
        sentence_of(P1, 0)
    with pytest.raises(InvalidArgument, match="leave radius out"):
        sentence_of(global_minimum(Dataset([0, 1, 2], [0, 1, 0]), 1), "1/10")
    with pytest.raises(InvalidArgument, match="solver='yices'"):
        recheck(P1, "yices")


# -- the script ----------------------------------------------------------------------------------
def test_the_script_is_readable_and_states_the_claim():
    text = P1.to_smtlib()
    assert text == sentence_of(P1).text
    for line in ("; CLAIM: theta is a local minimum: L(theta) = 18 and L(theta') >= 18 for "
                 "every theta' with |theta' - theta|_inf <= 1/10.",
                 "(define-fun relu ((t Real)) Real (ite (> t 0) t 0))",
                 "(define-fun theta_b1_1 () Real (- 3))",
                 "(declare-const W1_1_1 Real)",
                 "(define-fun h1_1_1 () Real (relu (+ (* 5 W1_1_1) b1_1)))",
                 "(define-fun r_4_1 () Real (- f_4_1 (- 3)))",
                 "(define-fun L_claimed () Real 18) ; the certificate's loss L(theta)",
                 "(define-fun radius () Real (/ 1 10))",
                 "(assert (<= (- radius) (- W1_1_1 theta_W1_1_1) radius))"):
        assert line in text.splitlines(), line
    assert text.count("(check-sat)") == 2 and "(push" not in text
    # a radius given, inside the certificate's: stated as given
    assert "(define-fun radius () Real (/ 1 20))" in P1.to_smtlib("1/20")
    assert P1_SHIFTED.to_smtlib().count("(check-sat)") == 3
    deep = verify_deep_local_minimum(DeepReLU([[[1]], [[1]], [[1]]], [[-5], [0], ["1/2"]]),
                                     Dataset([1, 2], [0, 1]))
    assert deep.is_local_minimum and certified_radius(deep) is None
    assert f"the default r = {DEFAULT_RADIUS}" in sentence_of(deep).text


@pytest.mark.skipif(shutil.which("z3") is None, reason="no z3 executable on PATH")
def test_the_written_file_runs_in_the_z3_executable(tmp_path):
    for cert in (P1, P1_SHIFTED):
        path = tmp_path / "claim.smt2"
        path.write_text(cert.to_smtlib())
        run = subprocess.run(["z3", str(path)], capture_output=True, text=True, timeout=120)
        expected = [c.expected for c in sentence_of(cert).checks]
        assert run.stdout.split() == expected, run.stdout + run.stderr


# -- relu-minima recheck -------------------------------------------------------------------------
def test_recheck_names_the_supported_kinds_for_a_smooth_certificate(tmp_path, capsys):
    pytest.importorskip("flint")  # smooth certificates need python-flint
    from relu_minima import SmoothNet

    data = Dataset([-2, -1, 0, 1, 2, 3], ["5/8", "7/8", "5/4", "7/4", "17/8", "19/8"])
    cert = verify_local_minimum(SmoothNet([1], ["-1/2"], [2], "1/2"), data)
    path = tmp_path / "smooth.json"
    path.write_text(cert.to_json())
    assert main(["recheck", str(path)]) == 2
    err = capsys.readouterr().err
    assert "kind='smooth-point'" in err and "transcendental" in err
    assert "supported kinds: shallow-relu, deep-relu, restricted-deep, global-minimum" in err



def test_recheck_command_exit_statuses(tmp_path, capsys):
    good = tmp_path / "good.json"
    good.write_text(P1.to_json())
    smt2 = tmp_path / "claim.smt2"
    assert main(["recheck", str(good), "--smt2", str(smt2), "--time-limit", "20"]) == 0
    out = capsys.readouterr().out
    assert "CONFIRMED" in out and smt2.read_text() == P1.to_smtlib()
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(_tampered(P1, _set("evidence", "radius", "10"))))
    assert main(["recheck", str(forged)]) == 1
    assert "REFUTED" in capsys.readouterr().out
    not_json = tmp_path / "x.json"
    not_json.write_text("[1, 2]")
    assert main(["recheck", str(not_json)]) == 2
    flipped = tmp_path / "flipped.json"
    flipped.write_text(json.dumps({**json.loads(P1.to_json()), "verdict": "not a local minimum"}))
    assert main(["recheck", str(flipped)]) == 2
    assert "cannot be stated" in capsys.readouterr().err
    undecided = tmp_path / "undecided.json"
    undecided.write_text(_undecided().to_json())
    assert main(["recheck", str(undecided)]) == 3
    assert "states nothing" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["recheck", str(good), "--radius", "-1/2"])
    assert "--radius=-1/2 must be a positive radius" in capsys.readouterr().err


def test_the_solver_workers_leave_no_unclosed_pipe_at_exit():
    # their stdin/stdout pipes were left open and reported as unclosed files at interpreter exit
    pytest.importorskip("z3")
    import sys

    code = ("from relu_minima.verify.smt.engines import Session\n"
            "Session('z3', 10).run('(declare-const x Int)')\n")
    done = subprocess.run([sys.executable, "-X", "dev", "-c", code], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "ResourceWarning" not in done.stderr, done.stderr
