'''Theorem 1 (ii), as printed:

    "ii) if the first layer contains at least 3 neurons and if the dataset (x_i, y_i) is
    decent, then theta is not a global minimum."  (Proof: Appendix B.3.)

The statement holds (for blind spots in a hidden layer), but the printed construction of
theta-hat fails for k >= 3: "W_n = I, b_n = 0 for n = 3..k" passes the value mu or nu of
layer 2 through a ReLU, which clips a negative mu or nu (and W_k = I has the wrong shape
unless h_(k-1) = 1). Corrected construction (certified): carry s + B, B = max(0, -mu, -nu),
through the identity layers and subtract B in the output bias.
Hypotheses: decency is necessary (for a non-decent dataset a blind spot with output = mean is
a global minimum); "at least 3 neurons" is NOT necessary: one first-layer unit suffices.
'''

from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from relu_minima.errors import ShapeError
from relu_minima.exact.datasets import Dataset
from relu_minima.exact.deep_relu import DeepReLU
from relu_minima.paper.dead_layers.check_theorem1 import check_thm1_ii
from relu_minima.paper.dead_layers.theorem1 import (
    NotDecentError,
    better_point_few_units,
    is_decent,
    theorem1_point,
    theorem1_point_printed,
)
from relu_minima.paper.registry import Context, Status
from relu_minima.verify.deep.rules import verify_deep_local_minimum

D = Dataset([0, 5], [-1, -3])  # mean -2, blind-spot loss 1 + 1 = 2; nu = -1, mu = -3


def test_printed_construction_fails_for_k3_with_negative_targets():
    p = theorem1_point_printed(D, (1, 3, 1, 1))
    assert (p.mu, p.nu) == (-3, -1)
    # by hand: the ReLU after layer 2 outputs relu(-1) = relu(-3) = 0, so L = 1 + 9 = 10
    assert p.params.outputs(D) == [0, 0] and p.loss == 10 and p.blind_spot_loss == 2
    assert not p.beats_blind_spot


def test_printed_construction_works_for_k2():
    p = theorem1_point_printed(D, (1, 3, 1))
    assert p.params.outputs(D) == [-1, -3] and p.loss == 0 < p.blind_spot_loss


def test_corrected_construction_fixed_example():
    c = theorem1_point(D, (1, 3, 2, 1))
    assert c.params.outputs(D) == [-1, -3] and c.loss == 0
    c.check()


def _blind_spot(dataset, widths):
    k = len(widths) - 1
    W = [[[1] * widths[n] for _ in range(widths[n + 1])] for n in range(k)]
    b = [[0] * widths[n + 1] for n in range(k)]
    top = max(abs(t) for x in dataset.X for t in x) * widths[0] + 1
    b[0] = [-top] * widths[1]  # layer 1 dead on the data
    net = DeepReLU(W, b)
    ybar = sum(dataset.y, Fraction(0)) / dataset.n
    b[-1] = [ybar - net.outputs(dataset)[0]]
    return DeepReLU(W, b)


def test_non_decent_dataset_blind_spot_is_a_global_minimum():
    nd = Dataset([0, 0, 1, 1], [1, -1, 2, -2])
    assert not is_decent(nd)
    theta = _blind_spot(nd, (1, 3, 1))
    cert = verify_deep_local_minimum(theta, nd)
    assert cert.is_local_minimum is True
    # every function of x has loss >= sum of within-input deviations = 2 + 8 = 10 = L(theta)
    assert theta.loss(nd) == 10
    with pytest.raises(NotDecentError):
        theorem1_point(nd, (1, 3, 1))


@pytest.mark.parametrize("h1", [1, 2])
def test_fewer_than_three_units_still_beat_the_blind_spot(h1):
    p = better_point_few_units(D, (1, h1, 1, 1))
    assert p.loss < p.blind_spot_loss
    p.check()
    with pytest.raises(ShapeError, match="at least 3"):
        theorem1_point(D, (1, h1, 1))


def test_depth_one_has_no_blind_spot():
    with pytest.raises(ShapeError, match="no hidden layer"):
        theorem1_point(D, (1, 1))


@st.composite
def decent_datasets(draw):
    d = draw(st.integers(1, 4))
    num = st.integers(-4, 4)
    entry = st.one_of(num.map(Fraction), st.builds(Fraction, num, st.integers(1, 5)))
    X = draw(st.lists(st.lists(entry, min_size=d, max_size=d), min_size=2, max_size=5))
    X += [X[0]] * draw(st.integers(0, 2))  # repeated copies of x_r
    y = draw(st.lists(entry, min_size=len(X), max_size=len(X)))
    D = Dataset(X, y)
    if not is_decent(D):
        D = Dataset(X, [y[0] + 1, *y[1:]]) if len(set(map(tuple, X))) > 1 else D
    return D


@settings(max_examples=40, deadline=None)
@given(decent_datasets(), st.integers(2, 5), st.integers(3, 4), st.data())
def test_corrected_and_one_unit_constructions_beat_every_blind_spot(D, k, h1, data):
    assume(is_decent(D))
    widths = (D.d, h1, *[data.draw(st.integers(1, 3)) for _ in range(k - 2)], 1)
    c = theorem1_point(D, widths)
    assert c.params.widths == widths
    c.check()
    # the blind spot's loss, computed independently from a dead network of the same widths
    assert c.loss < _blind_spot(D, widths).loss(D)
    one = better_point_few_units(D, (D.d, 1, *widths[2:]))
    assert one.loss < _blind_spot(D, widths).loss(D)
    p = theorem1_point_printed(D, widths)
    if k == 2 or min(p.mu, p.nu) >= 0:
        assert p.beats_blind_spot  # the printed version is right in these cases


def test_registered_status(tmp_path):
    assert check_thm1_ii(Context(tmp_path, quick=True)).status is Status.PROOF_ERRATUM
