"""Restricted deep points (bias-free layers, frozen coordinates): a descent of the moving
coordinates is found by the move search over them, even when the full-space descent needs a
fixed coordinate (a review found 193 of 300 random bias-free points left undecided that way),
and "undecided" is left only when no move of the moving coordinates descends, with the
missing rule named."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

from relu_minima import Dataset, DeepReLU, verify_local_minimum
from relu_minima.exact.germs import add, germ_sign, loss_germ
from relu_minima.verify.deep.restricted import (
    RESTRICTED_RULES,
    RestrictedPoint,
    Route,
    moving_search,
)

REVIEW_NET = DeepReLU([[[-1], [2]], [[1, 2]], [[-2]]], [None] * 3, bias=False)
REVIEW_D = Dataset([2, 3, 2], [3, -1, -1])


def test_the_reviewed_bias_free_point_is_not_a_minimum():
    # the full-space descent moves the output bias, which this network does not have; lowering
    # the moving weight W_1[2,1] by 1/100 takes the loss from 1115 to 1104.07
    net, D = REVIEW_NET, REVIEW_D
    assert net.loss(D) == 1115
    assert net.replace_layer(0, W=[[-1], ["199/100"]]).loss(D) == Fraction(690042, 625)
    cert = verify_local_minimum(net, D)
    assert cert.is_local_minimum is False and cert.route is Route.MOVING_SEARCH
    assert not net.space.moved_fixed(cert.direction)
    assert "moves only moving parameters" in cert.reason
    w = cert.witness(Fraction(1, 100))
    assert w.space == net.space and w.loss(D) < 1115 and w.distance(net) <= Fraction(1, 100)
    assert cert.check()
    full = verify_local_minimum(net.with_space(), D)
    assert full.case == "output bias"  # the full space's own descent needs b_3


def _bias_free_point(rng: random.Random) -> tuple[DeepReLU, Dataset]:
    depth = rng.randint(3, 4)
    d = rng.choice((1, 1, 2))
    widths = [d] + [rng.randint(1, 3) for _ in range(depth - 1)] + [1]
    n = rng.randint(3, 5)
    X = [[rng.randint(-3, 3) for _ in range(d)] for _ in range(n)]
    y = [rng.randint(-3, 3) for _ in range(n)]
    W = [[[rng.randint(-2, 2) for _ in range(widths[k])] for _ in range(widths[k + 1])]
         for k in range(depth)]
    return DeepReLU(W, None, bias=False), Dataset(X, y)


def _coordinate_descends(net: DeepReLU, D: Dataset) -> bool:
    """Some moving coordinate, either sign, lowers the exact loss germ (independent of the
    move search: :func:`relu_minima.exact.germs.loss_germ` along each unit vector)."""
    S, L = net.space, net.loss(D)
    return any(germ_sign(add(loss_germ(net, D, S.unit_vector({p: s})), (-L,))) < 0
               for p, s in itertools.product(range(S.size), (1, -1)) if S.moving[p])


def test_random_bias_free_points_undecided_only_without_a_moving_descent():
    rng = random.Random(1)
    before = after = 0
    for _ in range(40):
        net, D = _bias_free_point(rng)
        cert = verify_local_minimum(net, D, max_directions=200)
        # the decision without the moving-coordinate search (its other routes)
        pt = RestrictedPoint(net, D, max_directions=200)
        before += all(rule(pt) is None for rule in RESTRICTED_RULES if rule is not moving_search)
        after += cert.is_local_minimum is None
        assert cert.check()
        if cert.is_local_minimum is False:
            assert not net.space.moved_fixed(cert.direction)
            w = cert.witness(Fraction(1, 1000))
            assert w.space == net.space and w.loss(D) < cert.loss
            assert all(a == b for a, b, m in zip(w.parameters(), net.parameters(),
                                                 net.space.moving, strict=True) if not m)
        elif cert.is_local_minimum is None:
            assert not _coordinate_descends(net, D)
            assert "the rule that is missing" in cert.reason
            assert "moves of the moving parameters" in cert.reason
    assert (before, after) == (34, 9)


def test_a_frozen_output_bias_leaves_the_other_biases_to_the_search():
    # layer 1 is dead; over all parameters b_3 would move to the mean, but it is frozen; the
    # moving b_2 feeds the output through W_3 = 1
    dead = DeepReLU([[[1]], [[1]], [[1]]], [[-5], [0], [0]], frozen=["b_3[1]"])
    D = Dataset([0, 1], [0, 2])
    cert = verify_local_minimum(dead, D)
    assert cert.is_local_minimum is False and cert.route is Route.MOVING_SEARCH
    assert "b_2[1] increasing" in cert.reason and cert.check()
    assert cert.witness().loss(D) < dead.loss(D)


def test_undecided_names_what_was_tried_and_the_missing_rule():
    # bias-free, x = 0 pins the output at 0, the other point is fitted: no move of the
    # moving weights helps, yet no rule for depth >= 3 proves a restricted minimum
    net = DeepReLU([[[1]], [[1]], [[2]]], None, bias=False)
    D = Dataset([0, 1], [1, 2])
    cert = verify_local_minimum(net, D)
    assert cert.is_local_minimum is None and cert.route is Route.FULL_SPACE
    assert "moves fixed parameter(s) b_3[1]" in cert.reason
    assert "every such move was tried" in cert.reason
    assert "the rule that is missing is one proving a minimum over the moving parameters" \
        in cert.reason
    short = verify_local_minimum(net, D, max_directions=2)
    assert "max_directions=2 ran out" in short.reason


def test_the_moving_coordinates_are_searched_before_the_full_space(monkeypatch):
    # no construction decides (the sum of residuals is 0 and the output bias moves); the
    # search over the moving coordinates finds W_1[1,1] at once, so the full-space search
    # (which would find a descent too) never runs
    from relu_minima.verify.deep import rules

    searches = []
    real = rules.search_descent
    monkeypatch.setattr(rules, "search_descent",
                        lambda *a, **k: searches.append(1) or real(*a, **k))
    net = DeepReLU([[[2]], [[1]], [[1]]], [[0], [-4], ["1/4"]], frozen=["W_3[1,1]"])
    D = Dataset([-1, -2, 2, 2], [-1, 1, 3, -2])
    assert sum(net.residuals(D)) == 0
    cert = verify_local_minimum(net, D)
    assert cert.route is Route.MOVING_SEARCH and "W_1[1,1] increasing" in cert.reason
    assert searches == [] and cert.check()
