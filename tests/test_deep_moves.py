"""Path and germ moves of the deep decision: order, exact signs, budgets, progress, soundness."""

import random
import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima import (
    Dataset,
    DeepReLU,
    InvalidArgument,
    ShallowReLU,
    assert_local_minimum,
    assert_not_local_minimum,
    verify_local_minimum,
)
from relu_minima.exact.germs import add, germ_sign, loss_germ
from relu_minima.testing.deep_points import hard_deep_point
from relu_minima.verify.deep import moves as deep_moves
from relu_minima.verify.deep.moves import GermEvaluator, ordered_moves, search_descent
from relu_minima.verify.deep.rules import verify_deep_local_minimum

from .deep_brute import numpy_attack_deep

ISSUE_D = Dataset([0, 1, 2, 3], [0, 1, 3, 4])
KINDS = ["coordinate", "revival", "path", "kink sign vector", "random kink move",
         "sign vector"]


def zero_net(widths, c):
    k = len(widths) - 1
    return DeepReLU([[[0] * widths[n] for _ in range(widths[n + 1])] for n in range(k)],
                    [[0] * widths[n + 1] for n in range(k - 1)] + [[c]])


def test_path_move_finds_the_issue_descent_without_the_family_rule():
    net = zero_net((1, 3, 3, 3, 1), 2)
    found = search_descent(net, ISSUE_D, net.loss(ISSUE_D), max_directions=4000, time_limit=None)
    assert found.direction is not None and found.order == 4
    assert found.counts.get("sign vector", 0) == 0  # found before any exhaustive search
    assert "path move" in found.label
    germ = loss_germ(net, ISSUE_D, found.direction)
    assert germ == found.germ and germ[4] < 0


def test_moves_come_in_order_and_without_repeats():
    net, D = DeepReLU([[[1], [0]], [[0, 1]], [[1]]], [[0, 0], [0], [0]]), Dataset([0, 1], [0, 1])
    kinds = [kind for _, _, kind in ordered_moves(net, D)]
    assert kinds == sorted(kinds, key=KINDS.index)
    assert set(kinds) == set(KINDS)
    dirs = [u for u, _, _ in ordered_moves(net, D)]
    assert len(dirs) == len(set(dirs))


def test_search_stops_at_the_first_proven_descent():
    D = Dataset([0, 1, 3, 4], [-1, 2, 1, 2])
    net = DeepReLU([[[-1]], [[0]], [[1]]], [[0], [0], [1]])
    found = search_descent(net, D, net.loss(D), max_directions=4000, time_limit=None)
    germ_of = GermEvaluator(net, D)
    out_pos = [(0, net.space.bias_index(net.depth, 1))]
    base = (net.loss(D),)
    moves = list(ordered_moves(net, D))
    for u, _, _ in moves[:found.tried - 1]:  # no earlier move descends, nor its re-centring
        for _, germ, _ in deep_moves._with_recentred_output(germ_of, u, out_pos):
            assert germ_sign(add(germ, tuple(-t for t in base))) >= 0
    last = moves[found.tried - 1][0]
    assert found.direction in [v for v, _, _ in
                               deep_moves._with_recentred_output(germ_of, last, out_pos)]
    assert found.tried == sum(found.counts.values())


def test_recentred_output_bias_exposes_an_order_three_gain():
    # layer-2 unit active with value 2: moving W_3 shifts every output by 2 eps; the output
    # bias cancels it and the path's eps^3 relu(-x) term decides
    net = DeepReLU([[[0]], [[0]], [[0]]], [[0], [2], ["1/2"]])
    D = Dataset([-1, -1, -1, 0], [0, 1, 1, 0])
    cert = verify_deep_local_minimum(net, D)
    assert cert.is_local_minimum is False
    assert cert.witness(Fraction(1, 100)).loss(D) < net.loss(D)
    cert.check()


@settings(max_examples=15)
@given(st.integers(0, 10**6))
def test_germ_evaluator_equals_loss_germ(seed):
    net, D = hard_deep_point(random.Random(seed))
    germ_of = GermEvaluator(net, D)
    for k, (u, _, _) in enumerate(ordered_moves(net, D)):
        if k > 40:
            break
        assert germ_of(u) == loss_germ(net, D, u)


# -- the budget is the user's ---------------------------------------------------------------
# a point no rule or move settles (every move is tried; a float attack finds nothing lower)
HARD = (DeepReLU([[[-2]], [[1]], [[-1]]], [[4], [-2], ["5/2"]]),
        Dataset([2, 1, 0, 0], [2, 3, 3, -2]))


@pytest.mark.slow
def test_undecided_reason_names_the_budget_and_the_option():
    net, D = HARD
    cert = verify_local_minimum(net, D, max_directions=3)
    assert cert.is_local_minimum is None
    assert "max_directions=3 ran out" in cert.reason and "raise max_directions" in cert.reason
    assert "3 coordinates" in cert.reason
    timed = verify_local_minimum(net, D, time_limit=1e-9)
    assert "time_limit=1e-09 ran out" in timed.reason and "--time-limit" in timed.reason
    full = verify_local_minimum(net, D)
    assert "a larger budget would not help" in full.reason


@pytest.mark.parametrize("name, value", [("max_directions", 0), ("max_directions", -5),
                                         ("max_directions", 1.5), ("max_directions", True),
                                         ("max_directions", "100"), ("time_limit", 0),
                                         ("time_limit", -1.0), ("time_limit", "1"),
                                         ("time_limit", float("nan"))])
def test_bad_budgets_are_refused_by_name(name, value):
    net, D = HARD
    with pytest.raises(InvalidArgument, match=name):
        verify_local_minimum(net, D, **{name: value})
    with pytest.raises(InvalidArgument, match=name):
        assert_local_minimum(net, D, **{name: value})


def test_assertions_pass_the_budget():
    net = zero_net((1, 2, 2, 1), 2)
    assert_not_local_minimum(net, ISSUE_D, max_directions=1, time_limit=5)
    with pytest.raises(AssertionError, match="max_directions=2 ran out"):
        assert_local_minimum(*HARD, max_directions=2)
    with pytest.raises(InvalidArgument, match="max_directions"):  # shallow: no such option
        assert_local_minimum(ShallowReLU([[1]], [0], [1], 0), ISSUE_D, max_directions=5)


def test_command_line_budget(tmp_path):
    import json

    net, D = HARD
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"dataset": D.to_json(), "params": net.to_json()}))
    run = [sys.executable, "-m", "relu_minima.cli", "verify", str(path)]
    out = subprocess.run([*run, "--max-directions", "2"], capture_output=True, text=True)
    assert out.returncode == 3 and "max_directions=2 ran out" in out.stdout
    bad = subprocess.run([*run, "--max-directions", "1.5"], capture_output=True, text=True)
    assert bad.returncode == 2 and "max_directions=1.5" in bad.stderr
    bad = subprocess.run([*run, "--time-limit", "0"], capture_output=True, text=True)
    assert bad.returncode == 2 and "time_limit=0" in bad.stderr


def test_progress_bar_on_long_searches(monkeypatch, capsys):
    monkeypatch.setattr(deep_moves, "_PROGRESS_AFTER", 0.0)
    verify_deep_local_minimum(*HARD, max_directions=50)
    assert "exact descent search" in capsys.readouterr().err


# -- soundness on random hard points --------------------------------------------------------
@settings(max_examples=25)
@given(st.integers(0, 10**6))
def test_every_true_verdict_survives_an_exact_attack(seed):
    net, D = hard_deep_point(random.Random(seed), max_depth=3, max_width=3)
    cert = verify_deep_local_minimum(net, D, max_directions=200)
    cert.check()
    if cert.is_local_minimum is True:
        assert numpy_attack_deep(net, D, seed=seed) >= 0  # re-scored exactly
    elif cert.is_local_minimum is False:
        w = cert.witness(Fraction(1, 1000))
        assert w.loss(D) < net.loss(D) and w.distance(net) <= Fraction(1, 1000)


@settings(max_examples=15)
@given(st.integers(0, 10**6))
def test_switched_off_layer_minima_survive_an_exact_attack(seed):
    # the families' home ground: one hidden layer pushed to <= 0 (on a kink somewhere), the
    # output bias optimal; every "local minimum" must survive the attack
    rng = random.Random(seed)
    net, D = hard_deep_point(rng, max_depth=4, max_width=3)
    W, b = [[list(r) for r in M] for M in net.weights], [list(v) for v in net.biases]
    n = rng.randrange(net.depth - 1) if net.depth > 2 else 0
    pre = net.preactivations(D)[n]
    b[n] = [t - max(row[j] for row in pre) for j, t in enumerate(b[n])]
    net = DeepReLU(W, b)
    b[-1][0] -= sum(net.residuals(D), Fraction(0)) / D.n
    net = DeepReLU(W, b)
    cert = verify_deep_local_minimum(net, D, max_directions=200)
    cert.check()
    if cert.is_local_minimum is True:
        assert numpy_attack_deep(net, D, seed=seed) >= 0
    elif cert.is_local_minimum is False:
        assert cert.witness(Fraction(1, 1000)).loss(D) < net.loss(D)
