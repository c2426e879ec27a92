"""The hypothesis strategies produce what their docstrings promise, and shrink as stated."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument as HypothesisInvalidArgument

from relu_minima import strategies as rms
from relu_minima.errors import InvalidArgument, ReluMinimaError
from relu_minima.exact.datasets import Dataset
from relu_minima.exact.deep_relu import DeepReLU
from relu_minima.exact.shallow_relu import ShallowReLU

FEW = settings(max_examples=40, deadline=None)


@FEW
@given(rms.datasets(min_n=2, max_n=5, min_d=2, max_d=3, min_value=-3, max_value=3,
                    max_denominator=4))
def test_datasets_respect_sizes_and_values(D):
    assert 2 <= D.n <= 5 and 2 <= D.d <= 3
    values = [t for row in D.X for t in row] + list(D.y)
    assert all(isinstance(t, Fraction) and -3 <= t <= 3 and t.denominator <= 4 for t in values)


@FEW
@given(rms.datasets(duplicates=False, max_value=1000))
def test_integer_datasets(D):
    assert all(t.denominator == 1 for row in D.X for t in row)


def test_duplicates_occur_and_shrinking_goes_to_zero():
    dup = find(rms.datasets(min_n=3), lambda D: len(D.groups()) < D.n)
    assert dup.n == 3
    smallest = find(rms.datasets(min_n=2), lambda D: True)
    assert smallest.n == 2 and smallest.d == 1
    assert all(t == 0 for row in smallest.X for t in row) and set(smallest.y) == {0}


def _decent_by_hand(D: Dataset) -> bool:
    # Definition 1 computed independently: compare group means by cross-multiplication
    n, total = D.n, sum(D.y)
    for x in set(D.X):
        ys = [y for xi, y in zip(D.X, D.y, strict=True) if xi == x]
        if sum(ys) * n != total * len(ys):
            return True
    return False


@FEW
@given(rms.decent_datasets(max_n=6))
def test_decent_datasets_are_decent(D):
    assert _decent_by_hand(D) and rms.is_decent(D)


def test_is_decent_on_hand_examples():
    assert not rms.is_decent(Dataset([1, 2], [3, 3]))  # both means 3
    assert not rms.is_decent(Dataset([1, 1, 2, 2], [0, 2, 1, 1]))  # group means 1 = mean 1
    assert rms.is_decent(Dataset([1, 2], [0, 1]))
    assert find(rms.decent_datasets(), lambda D: True).n == 2


@FEW
@given(st.data())
def test_kinks_sit_exactly_on_the_chosen_points(data):
    D = data.draw(rms.datasets(min_n=2, max_n=5, max_d=2, max_denominator=3))
    points = data.draw(st.lists(st.integers(0, D.n - 1), min_size=1, max_size=3))
    net = data.draw(rms.shallow_relu(dataset=D, kink_points=points, max_m=4,
                                     max_denominator=2))
    assert net.m >= len(points)
    for j, i in enumerate(points):
        z = sum((w * x for w, x in zip(net.W[j], D.X[i], strict=True)), net.b[j])
        assert z == 0


@FEW
@given(rms.shallow_relu(d=3, zero_output_weights=2, max_m=4))
def test_zero_output_weights(net):
    assert net.d == 3 and net.m >= 2 and net.v[0] == net.v[1] == 0


@FEW
@given(st.data())
def test_perturbations_stay_within_radius(data):
    net = data.draw(rms.shallow_relu(d=2, max_denominator=3))
    r = data.draw(st.fractions(Fraction(1, 1000), 2, max_denominator=1000))
    q = data.draw(rms.perturbations(net, r, nonzero=True))
    assert isinstance(q, ShallowReLU) and 0 < q.distance(net) <= r


def test_perturbations_shrink_to_the_point_and_handle_deep():
    net = ShallowReLU([1], [-3], [1], 0)
    assert find(rms.perturbations(net, "1/10"), lambda q: True) == net
    deep = DeepReLU([[[1], [-1]], [[1, 1]]], [[0, 0], [0]])
    q = find(rms.perturbations(deep, 1, nonzero=True), lambda q: True)
    assert isinstance(q, DeepReLU) and 0 < q.distance(deep) <= 1


def test_bad_arguments():
    with pytest.raises(InvalidArgument, match="needs d= or dataset="):
        find(rms.shallow_relu(), lambda _: True)
    with pytest.raises(InvalidArgument, match="min_n=1"):
        find(rms.decent_datasets(min_n=1), lambda _: True)
    with pytest.raises(InvalidArgument, match="radius=0"):
        find(rms.perturbations(ShallowReLU([1], [0], [1], 0), 0), lambda _: True)


@pytest.mark.parametrize(("make", "says"), [
    (lambda: rms.datasets(min_n=5, max_n=2), r"min_n=5, max_n=2: .*valid: 1 <= min_n <= max_n"),
    (lambda: rms.datasets(min_d=0), r"min_d=0 must be >= 1"),
    (lambda: rms.numbers(3, 1), r"min_value=3, max_value=1"),
    (lambda: rms.numbers("1/3", "2/3"), r"holds no integer"),
    (lambda: rms.shallow_relu(dataset=Dataset([1, 2, 3], [0, 1, 0]), kink_points=[3]),
     r"kink_points\[0\]=3 .*valid indices are 0 to 2"),
    (lambda: rms.shallow_relu(d=1, max_m=0), r"max_m=0"),
    (lambda: rms.deep_relu(d=1, min_width=4, max_width=2), r"min_width=4, max_width=2"),
    (lambda: rms.deep_relu(widths=(2,)), r"at least two positive integers"),
    (lambda: rms.deep_relu(d=3, widths=(2, 1)), r"starts with d=2 but the input dimension is 3"),
])
def test_nonsensical_arguments_fail_lazily_as_hypothesis_does(make, says):
    strategy = make()  # building the strategy does not raise, as st.integers(5, 2) does not
    with pytest.raises(InvalidArgument, match=says) as info:
        find(strategy, lambda _: True)
    assert isinstance(info.value, HypothesisInvalidArgument)  # hypothesis's own error type
    assert isinstance(info.value, ReluMinimaError)


@FEW
@given(st.data())
def test_deep_relu_draws_the_promised_architectures(data):
    net = data.draw(rms.deep_relu(d=2, min_hidden_layers=1, max_hidden_layers=2, max_width=3,
                                  max_denominator=4))
    assert isinstance(net, DeepReLU) and net.d == 2 and 2 <= net.depth <= 3
    assert all(1 <= h <= 3 for h in net.widths[1:-1])
    assert all(-5 <= t <= 5 and t.denominator <= 4 for t in net.parameters())
    D = data.draw(rms.datasets(min_d=2, max_d=2))
    fixed = data.draw(rms.deep_relu(dataset=D, widths=(2, 2, 2, 1)))
    assert fixed.widths == (2, 2, 2, 1)
    assert isinstance(fixed.loss(D), Fraction)


def test_deep_relu_shrinks_to_the_smallest_zero_network():
    assert find(rms.deep_relu(d=2), lambda _: True) == DeepReLU([[[0, 0]], [[0]]], [[0], [0]])


# -- falsifying examples print as the reprs that paste back (issue 25, item 12) ---------------
def test_a_falsifying_example_shows_the_repr_that_pastes_back():
    from hypothesis import Phase

    # the first example hypothesis tries is the simplest; no shrinking or explaining needed
    @settings(database=None, max_examples=1, phases=[Phase.generate])
    @given(rms.shallow_relu(d=1), rms.datasets(max_d=1), rms.deep_relu(d=1, max_hidden_layers=1))
    def claim(p, D, q):
        raise AssertionError("a claim that fails")

    with pytest.raises(AssertionError) as err:
        claim()
    notes = "\n".join(getattr(err.value, "__notes__", []))
    assert "p=ShallowReLU(W=[[0]], b=[0], v=[0], c=0)" in notes, notes
    assert "D=Dataset(X=[0], y=[0])" in notes, notes
    assert "q=DeepReLU(weights=[[[0]], [[0]]], biases=[[0], [0]])" in notes, notes
    assert "Fraction(" not in notes and "ParameterSpace" not in notes


@settings(max_examples=30, deadline=None)
@given(st.one_of(rms.shallow_relu(d=2, max_denominator=3, frozen="random", bias=(True, False)),
                 rms.deep_relu(d=1, max_denominator=2), rms.datasets(max_denominator=4)))
def test_hypothesis_prints_every_drawn_object_as_its_repr(obj):
    from hypothesis.vendor.pretty import pretty

    from relu_minima import DeepReLU, ShallowReLU  # noqa: F401  (for eval)

    text = pretty(obj)
    assert text == repr(obj)
    assert eval(text) == obj


def test_the_other_exact_objects_print_as_their_repr_too():
    from hypothesis.vendor.pretty import pretty

    from relu_minima import SmoothNet
    from relu_minima.exact.params import ParameterSpace

    for obj in (SmoothNet([[1]], ["1/2"], [1], 0, activation="tanh", frozen=["b_2[1]"]),
                ParameterSpace((2, 3, 1), bias=(True, False), frozen=["W_1[1,1]"])):
        assert pretty(obj) == repr(obj)
