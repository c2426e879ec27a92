"""The two-slope activation h(t) = t (t > 0), s t (t <= 0) (``negative_slope`` = s; issue 26,
docs/activations.md): the models, their JSON, and the one-hidden-layer decision against an
independent brute force.

The brute force is tests/kout_brute.py with the activation of the net (its own exact and float
forward passes, grids of directions that push each kink pair to either side, the best output
layer per hidden move, projected gradient descent, the ball sample of a claimed radius); the
instances are tests/kout_instances.py with residuals designed against the moments of the slope
(P_j weighs the points off the unit by s). A verdict *agrees* when a "local minimum" has no
brute-force descent within its radius and no lower ball point, and a "not a local minimum" has
one; undecided points (k > 1 only) are counted apart.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction as F

import pytest

from relu_minima import Certificate, Dataset, DeepReLU, ShallowReLU, verify_local_minimum
from relu_minima.errors import ReluMinimaError

from .kout_brute import ball_violation, brute_descent
from .kout_instances import random_instance

SLOPES = [F(0), F(1, 10), F(1, 2), F(-1, 2), F(2), F(1), F(1, 3)]


def _agrees(net, D, cert) -> bool | None:
    if cert.is_local_minimum:
        return (brute_descent(net, D, min(cert.radius, F(1, 1000))) is None
                and ball_violation(net, D, cert.radius) is None)
    if cert.is_local_minimum is False:
        return brute_descent(net, D) is not None
    return None


def _sweep(seed: int, count: int) -> tuple[int, int, list]:
    rng = random.Random(seed)
    agreed, undecided, disagreed = 0, 0, []
    for _ in range(count):
        s = rng.choice(SLOPES)
        k = 1 if rng.random() < 0.75 else 2
        net, D = random_instance(rng, k, max_d=2, max_m=2, max_n=4,
                                 restricted=rng.random() < 0.25, slope=s)
        cert = verify_local_minimum(net, D)
        verdict = _agrees(net, D, cert)
        if verdict is None:
            undecided += 1
        elif verdict:
            agreed += 1
        else:
            disagreed.append((repr(net), repr(D), cert.status))
    return agreed, undecided, disagreed


@pytest.mark.parametrize("chunk", range(4))
def test_leaky_points_agree_with_the_brute_force(chunk):
    """4 x 260 seeded points, slopes 0, 1/10, 1/3, 1/2, -1/2, 2 and 1 (the identity), one or two
    outputs, a quarter restricted: every decided one agrees, >= 250 per chunk (1,000 in all)."""
    agreed, undecided, disagreed = _sweep(4100 + chunk, 260)
    assert disagreed == []
    assert agreed >= 250, (agreed, undecided)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
def test_a_larger_leaky_sweep_agrees_with_the_brute_force(seed):
    agreed, _, disagreed = _sweep(8800 + seed, 1000)
    assert disagreed == []
    assert agreed >= 950


def test_the_relu_json_has_no_slope_and_a_leaky_one_round_trips():
    relu = ShallowReLU(W=[1], b=[-3], v=[1], c=0)
    assert "negative_slope" not in relu.to_json()
    leaky = relu.with_slope("1/10")
    assert leaky.to_json()["negative_slope"] == "1/10"
    assert ShallowReLU.from_json(json.loads(json.dumps(leaky.to_json()))) == leaky
    assert leaky != relu and eval(repr(leaky)) == leaky  # the repr pastes back
    deep = DeepReLU([[[1], [-1]], [[1, 1]]], [[0, 0], [0]], negative_slope=1)
    assert DeepReLU.from_json(deep.to_json()) == deep
    assert deep.with_parameters(deep.parameters()).negative_slope == 1


def test_the_activation_values():
    D = Dataset([[-2], [3]], [0, 0])
    for s in SLOPES:
        net = ShallowReLU(W=[1], b=[0], v=[2], c=1, negative_slope=s)
        assert net.outputs(D) == [1 + 2 * s * -2, 7] == [net(-2), net(3)]
        assert DeepReLU.from_shallow(net).outputs(D) == net.outputs(D)


@pytest.mark.parametrize("bad", ["x", True, float("nan")])
def test_a_bad_slope_is_refused_by_name(bad):
    with pytest.raises(ReluMinimaError, match="negative_slope"):
        ShallowReLU(W=[1], b=[0], v=[1], c=0, negative_slope=bad)
    with pytest.raises(ReluMinimaError, match="negative_slope"):
        DeepReLU([[[1]], [[1]]], [[0], [0]], negative_slope=bad)


def test_a_leaky_certificate_checks_and_round_trips():
    D = Dataset([[0], [1], [2], [3]], [0, 1, 0, 2])
    rng = random.Random(5)
    seen = set()
    for _ in range(60):
        net, D = random_instance(rng, 1, max_d=2, max_m=2, max_n=4, slope=F(1, 10))
        cert = verify_local_minimum(net, D)
        seen.add(cert.status)
        again = Certificate.from_json(json.loads(json.dumps(cert.to_json())))
        again.check()
        assert again.params.negative_slope == F(1, 10)
        assert "h(t) = t (t >= 0), 1/10 t (t < 0)" in cert.render()
        if cert.is_local_minimum is False:
            w = cert.witness()
            assert w.negative_slope == F(1, 10) and w.loss(D) < net.loss(D)
    assert seen == {"local minimum", "not a local minimum"}


def test_the_slope_is_part_of_the_question():
    """The same numbers are a minimum for one activation and not for another: relu(x) fits
    y = relu(x) exactly, but the identity (slope 1) network c + v (w x + b) is affine and
    cannot, and its residual is not orthogonal to the features."""
    D = Dataset([[-1], [0], [1]], [0, 0, 1])
    net = ShallowReLU(W=[1], b=[0], v=[1], c=0)
    assert verify_local_minimum(net, D).is_local_minimum
    assert verify_local_minimum(net.with_slope(1), D).is_local_minimum is False
