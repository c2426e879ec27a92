"""Stuck at a kink (issue 31): the exact facts behind the class, each shown to matter."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from relu_minima.exact.shallow_relu import ShallowReLU
from relu_minima.paper.experiments import table1 as t1
from relu_minima.train import classify as cl
from relu_minima.train.stuck import exact_gradient, inert_units, stuck_at_kink

F = Fraction
XOR = t1._exact_dataset("xor", t1.PROTOCOLS["squared"]["gd"])
# both units inactive at (1, 1), (0, 1), (1, 0) and on their kink at (0, 0); c = 1/2 the mean
POINT = ShallowReLU([[-1, -1], [-2, -1]], [0, 0], [1, -1], F(1, 2))


def _witness(net: ShallowReLU, j: int) -> ShallowReLU:
    b = list(net.b)
    b[j] += F(1, 1000)
    return ShallowReLU(net.W, b, net.v, net.c)


def test_the_xor_kink_point_is_stuck():
    assert inert_units(POINT, XOR) == {0, 1}
    assert all(g == 0 for g in exact_gradient(POINT, XOR))
    proof = stuck_at_kink(POINT, _witness(POINT, 1), POINT, XOR)
    assert proof is not None and proof.units == (0, 1)
    assert proof.kinks == ((0, 0), (1, 0)) and "constant model" in proof.text()
    assert _witness(POINT, 1).loss(XOR) < POINT.loss(XOR)  # the witness is lower: a saddle


def test_each_fact_is_needed():
    # a witness moving c (a coordinate gradient descent does move)
    moved_c = ShallowReLU(POINT.W, POINT.b, POINT.v, F(1, 2) + F(1, 1000))
    assert stuck_at_kink(POINT, moved_c, POINT, XOR) is None
    # the run's own point is not in S: unit 2 active at (0, 0) (fact 2; fact 4 rejects it too:
    # unit 2 then stays in the smaller network, which the witness proves not a minimum)
    trained = ShallowReLU(POINT.W, [0, F(1, 10)], POINT.v, POINT.c)
    assert 1 not in inert_units(trained, XOR)
    assert stuck_at_kink(POINT, _witness(POINT, 1), trained, XOR) is None
    # c away from the mean: the gradient in c is not 0
    off = ShallowReLU(POINT.W, POINT.b, POINT.v, F(1, 3))
    assert stuck_at_kink(off, _witness(off, 1), off, XOR) is None
    # a witness moving an active unit
    active = ShallowReLU([[1, -1], [-2, -1]], [0, 0], [0, -1], F(1, 2))
    assert 0 not in inert_units(active, XOR)
    assert stuck_at_kink(active, _witness(active, 0), active, XOR) is None


def test_gradient_descent_cannot_move_the_inert_units():
    """Fact 1 on random points of S near the XOR point: the inert units' gradient is 0
    whatever the other parameters are."""
    rng = np.random.default_rng(0)
    for _ in range(20):
        v0, c = (F(int(t), 7) for t in rng.integers(-9, 9, 2))
        net = ShallowReLU([[-1, -1], [-2, -1], [1, 1]], [0, 0, F(int(rng.integers(-3, 3)), 5)],
                          [1, -1, v0], c)
        g = exact_gradient(net, XOR)  # (W rows: 6, b: 3, v: 3, c: 1)
        assert g[0:4] == [0] * 4 and g[6:8] == [0, 0] and g[9:11] == [0, 0]


def test_snapped_xor_run_is_stuck():
    pytest.importorskip("scipy")
    W = np.array([[-1.0000001, -0.9999999], [-2.0000002, -1.0]])
    got = cl.classify_relu(W, np.zeros(2), np.array([1.0, -1.0]), 0.5, XOR, final_loss=0.25,
                           gradient_norm=0.0, trace_loss=np.full(24, 0.25),
                           trace_norm=np.full(24, 3.0), known_points=[cl.interpolant("xor", 2)])
    assert got.kind == cl.STUCK and got.exact and "never moves them" in got.detail
