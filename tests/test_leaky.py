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

from .kout_brute import agrees as _agrees
from .kout_instances import random_instance

SLOPES = [F(0), F(1, 10), F(1, 2), F(-1, 2), F(2), F(1), F(1, 3)]



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


# the quick loop (pytest -m "not slow") runs 60 points of the first chunk, the full suite the
# four chunks of 260 (over 1,000 agreements)
@pytest.mark.parametrize(("chunk", "count", "need"), [
    (0, 60, 57), *(pytest.param(c, 260, 250, marks=pytest.mark.slow) for c in range(4))])
def test_leaky_points_agree_with_the_brute_force(chunk, count, need):
    """4 x 260 seeded points, slopes 0, 1/10, 1/3, 1/2, -1/2, 2 and 1 (the identity), one or two
    outputs, a quarter restricted: every decided one agrees, >= 250 per chunk (1,000 in all)."""
    agreed, undecided, disagreed = _sweep(4100 + chunk, count)
    assert disagreed == []
    assert agreed >= need, (agreed, undecided)


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


# -- deep networks with another slope: the ReLU-only rules stand aside ---------------------------
def test_a_leaky_layer_that_is_negative_everywhere_is_not_a_blind_spot():
    """With the ReLU, hidden layer 1 negative at every point makes the output constant: at the
    target mean, a local minimum (blind spot). With slope 1/10 the layer still passes its
    inputs on, and the point descends."""
    D = Dataset([[0], [1], [2]], [0, 3, 0])
    relu = DeepReLU([[[1]], [[1]], [[1]]], [[-5], [0], [1]])
    assert verify_local_minimum(relu, D).case == "blind spot"
    leaky = relu.with_slope(F(1, 10))
    cert = verify_local_minimum(leaky, D)
    assert cert.case != "blind spot" and cert.blind_spot is None
    cert.check()
    if cert.is_local_minimum is False:
        assert cert.witness().loss(D) < leaky.loss(D)
    else:
        assert cert.is_local_minimum is None and "ReLU only" in cert.reason


# -- the numeric backend, snap and torch ------------------------------------------------------
def test_the_numeric_backend_evaluates_the_slope():
    import numpy as np

    from relu_minima.numeric import backend
    from relu_minima.numeric.arch import from_vector, to_vector

    D = Dataset([[0, 1], [1, -1], [2, 3], [-1, -2]], [1, 0, 2, -1])
    for net in (ShallowReLU(W=[[1, -1], [2, 1]], b=[F(1, 3), F(-1, 7)], v=[1, -2], c=F(1, 2),
                            negative_slope=F(1, 10)),
                DeepReLU([[[1, -1], [2, 1]], [[1, 2]], [[3]]], [[F(1, 3), F(-1, 7)], [F(1, 5)],
                                                                 [0]], negative_slope=F(-1, 2))):
        theta = to_vector(net)
        assert backend.exact_loss(net, D) == net.loss(D)
        assert abs(backend.losses(net, theta[None], D)[0] - float(net.loss(D))) < 1e-9
        g = backend.gradients(net, theta[None], D)[0]
        e = 1e-6
        fd = [(backend.losses(net, (theta + e * u)[None], D)[0]
               - backend.losses(net, (theta - e * u)[None], D)[0]) / (2 * e)
              for u in np.eye(len(theta))]
        assert np.abs(g - fd).max() < 1e-5
        assert from_vector(net.parameters(), net) == net


def test_snap_reads_a_torch_leaky_relu_and_certifies_the_construction():
    torch = pytest.importorskip("torch")
    from relu_minima.paper.references.yun_leaky import local_minimum_point
    from relu_minima.train import snap

    D = Dataset([[0], [1], [2], [3], [5]], [0, 2, 1, 4, 3])
    point = local_minimum_point(D, 2, F(1, 4))
    model = torch.nn.Sequential(torch.nn.Linear(1, 2), torch.nn.LeakyReLU(0.25),
                                torch.nn.Linear(2, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[float(t) for t in r] for r in point.W]))
        model[0].bias.copy_(torch.tensor([float(t) for t in point.b]))
        model[2].weight.copy_(torch.tensor([[float(t) for t in point.v]]))
        model[2].bias.copy_(torch.tensor([float(point.c)]))
    report = snap(model.double(), D)
    assert report.params.negative_slope == F(1, 4)
    assert report.status == "local minimum", report.attempts
    with pytest.raises(ReluMinimaError, match="negative_slope"):  # the module says 1/4
        snap(model.double(), D, negative_slope="1/3")
    state = snap(model.double().state_dict(), D, activation="leaky_relu", negative_slope="1/4")
    assert state.params == report.params


def test_strategies_draw_leaky_and_linear_networks():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from relu_minima import strategies as rms

    seen = set()

    # derandomized: the claim is about what the strategies can draw, and a random run of 60
    # examples once met only two slopes (a flaky failure in CI)
    @settings(max_examples=100, deadline=None, derandomize=True, database=None)
    @given(st.one_of(rms.shallow_relu(d=1, negative_slope="random"),
                     rms.deep_relu(d=1, negative_slope="random"),
                     rms.deep_relu(d=1, negative_slope=1)))
    def draw(net):
        seen.add(net.negative_slope)
        assert type(net).from_json(net.to_json()) == net

    draw()
    assert F(1) in seen and len(seen) >= 3
    @settings(max_examples=1, deadline=None)
    @given(rms.shallow_relu(d=1, negative_slope="x"))
    def bad(net):  # pragma: no cover - the strategy refuses before any example
        pass

    with pytest.raises(Exception, match="negative_slope"):
        bad()
