"""The deep decision as an ordered list of rules (verify/deep/rules.py): each rule proves a
verdict or passes, and the decision is the first verdict in the order of ``RULES``."""

from __future__ import annotations

import random

import pytest

from relu_minima import Dataset, DeepReLU
from relu_minima.testing.deep_points import hard_deep_point
from relu_minima.verify.deep import rules
from relu_minima.verify.deep.rules import RULES, DeepPoint, verify_deep_local_minimum

CASES = {  # the case a rule's certificate names -> the rule
    "blind spot": rules.strict_blind_spot, "output bias": rules.output_bias,
    "family": rules.whole_family, "class-mean bound": rules.class_mean_bound,
    "depth-2 criterion": rules.depth_two, "descent direction": rules.descent_moves,
    "convex (depth 1)": rules.convex_depth_one, "linear network": rules.linear_network,
}


def test_rules_are_documented_and_in_the_documented_order():
    assert RULES == (rules.linear_network, rules.strict_blind_spot, rules.output_bias,
                     rules.whole_family,
                     rules.class_mean_bound, rules.depth_two, rules.descent_moves,
                     rules.convex_depth_one)
    for rule in RULES:
        assert rule.__doc__, rule.__name__
        assert rule.__name__ in rules.__doc__  # the module docstring lists it


def test_the_decision_is_the_first_rule_that_decides():
    rng = random.Random(2)
    seen = set()
    for _ in range(25):
        net, D = hard_deep_point(rng)
        cert = verify_deep_local_minimum(net, D)
        pt = DeepPoint(net, D)
        first = next(((rule, c) for rule in RULES if (c := rule(pt)) is not None), None)
        if first is None:
            assert cert.case == "undecided"
            continue
        assert first[1].to_json() == cert.to_json()
        assert CASES[cert.case.split(":")[0]] is first[0]
        seen.add(first[0])
    assert len(seen) == 6  # every rule but the convex one (depth >= 2 here)


@pytest.mark.parametrize(("net", "data", "case"), [
    (DeepReLU([[[1]], [[1]]], [[-5], [0]]), Dataset([0, 1], [0, 2]), "blind spot"),
    (DeepReLU([[[1]], [[-1]]], [[0], [0]]), Dataset([1, 2], [-1, -2]), "class-mean bound"),
    (DeepReLU([[["1/2"]]], [["1/2"]]), Dataset([0, 1, 2], [0, 2, 1]), "convex (depth 1)"),
])
def test_each_rule_passes_on_points_it_does_not_decide(net, data, case):
    pt = DeepPoint(net, data)
    decided = [rule for rule in RULES if rule(pt) is not None]
    assert decided[0] is CASES[case] and verify_deep_local_minimum(net, data).case == case
