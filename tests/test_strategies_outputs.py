"""The hypothesis strategies with k outputs: vector and one-hot targets, decent vector data,
k-output shallow and deep points, and their argument checks."""

from __future__ import annotations

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from relu_minima import strategies as rms

FEW = settings(max_examples=30, deadline=None)


@FEW
@given(st.integers(2, 4).flatmap(lambda k: st.tuples(st.just(k), rms.datasets(outputs=k))))
def test_vector_targets_have_k_entries(case):
    k, D = case
    assert D.k == k and all(len(y) == k for y in D.Y)


@FEW
@given(rms.datasets(outputs=3, one_hot=True))
def test_one_hot_targets_are_unit_rows(D):
    assert all(sorted(y) == [0, 0, 1] for y in D.Y)


@FEW
@given(rms.decent_datasets(outputs=3, one_hot=True, max_n=5))
def test_decent_one_hot_data_stays_one_hot_and_decent(D):
    assert rms.is_decent(D) and all(sorted(y) == [0, 0, 1] for y in D.Y)
    # Definition 1 by hand, output by output (cross-multiplied means)
    n = D.n
    totals = [sum(y[o] for y in D.Y) for o in range(D.k)]
    assert any(sum(D.Y[i][o] for i in ix) * n != totals[o] * len(ix)
               for ix in D.groups().values() for o in range(D.k))


@FEW
@given(st.data())
def test_points_take_the_outputs_of_their_dataset(data):
    D = data.draw(rms.datasets(outputs=2, min_n=2, max_n=4))
    net = data.draw(rms.shallow_relu(dataset=D, kink_points=[0], zero_output_weights=1))
    assert net.k == 2 and net.v_of(0) == (0, 0)
    assert net.preactivations(D)[0][0] == 0
    net.loss(D)  # shapes fit
    deep = data.draw(rms.deep_relu(dataset=D))
    assert deep.widths[-1] == 2
    deep.loss(D)


def test_the_simplest_k_output_examples():
    net = find(rms.shallow_relu(d=1, outputs=3), lambda p: True)
    assert net.k == 3 and net.m == 1 and net.V == ((0,), (0,), (0,)) and net.C == (0, 0, 0)
    assert find(rms.datasets(outputs=2, one_hot=True), lambda D: True).Y == ((1, 0),)


@pytest.mark.parametrize("make, says", [
    (lambda: rms.datasets(outputs=0), r"outputs=0"),
    (lambda: rms.datasets(outputs=1, one_hot=True), r"one_hot=True needs outputs >= 2"),
    (lambda: rms.shallow_relu(dataset=find(rms.datasets(outputs=2), lambda D: True),
                              outputs=3), r"outputs=3 but dataset has k=2"),
    (lambda: rms.deep_relu(widths=(1, 2, 2), outputs=3), r"ends with 2 output"),
])
def test_nonsensical_output_arguments_fail_lazily(make, says):
    strategy = make()
    with pytest.raises(InvalidArgument, match=says):
        find(strategy, lambda x: True)
