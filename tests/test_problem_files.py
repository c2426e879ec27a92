"""Problem files and shapes as a new user gets them wrong (issue 11): every mistake named."""

from __future__ import annotations

import json

import numpy as np
import pytest

from relu_minima import Dataset, DeepReLU, ShallowReLU, ShapeError, verify_local_minimum
from relu_minima.exact.io import parse_problem

GOOD = {"dataset": {"X": [1, 2], "y": [1, 0]},
        "params": {"W": [1], "b": [0], "v": [1], "c": 0}}
DEEP = {"dataset": {"X": [1, 2], "y": [1, 0]},
        "params": {"weights": [[[1]], [[1]]], "biases": [[0], [0]]}}


def _edit(problem, path, value=None, delete=False):
    data = json.loads(json.dumps(problem))
    node = data
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return json.dumps(data)


@pytest.mark.parametrize(("problem", "path", "named"), [
    (GOOD, ("params", "c"), 'params has no key "c"'),
    (GOOD, ("params", "W"), 'params has no key "W"'),
    (GOOD, ("dataset", "y"), 'dataset has no key "y"'),
    (GOOD, ("params",), 'the file has no key "params"'),
    (DEEP, ("params", "biases"), 'params has no key "biases"'),
])
def test_a_missing_key_is_named(problem, path, named):
    with pytest.raises(ShapeError) as info:
        parse_problem(_edit(problem, path, delete=True))
    assert named in str(info.value)


@pytest.mark.parametrize(("problem", "path", "named"), [
    (GOOD, ("params", "d"), "params.d is unknown and refused"),
    (GOOD, ("dataset", "w"), "dataset.w is unknown and refused"),
    (GOOD, ("note",), 'the key "note" of the file is unknown'),
    (DEEP, ("params", "W"), "params.W is unknown and refused"),
])
def test_an_unknown_key_is_refused_with_its_path(problem, path, named):
    parse_problem(json.dumps(problem))  # the file without the extra key is fine
    with pytest.raises(ShapeError) as info:
        parse_problem(_edit(problem, path, 3))
    assert named in str(info.value) and "need" in str(info.value)


def test_a_transposed_W_is_called_transposed():
    with pytest.raises(ShapeError) as info:
        ShallowReLU(W=[[1, 2, 3], [0, 1, 1]], b=[0, 0, 0], v=[1, 1, 1], c=0)
    msg = str(info.value)
    assert msg.startswith("W looks transposed: W has one row per hidden unit")
    assert "W=[[1, 0], [2, 1], [3, 1]]" in msg
    fixed = ShallowReLU(W=[[1, 0], [2, 1], [3, 1]], b=[0, 0, 0], v=[1, 1, 1], c=0)
    verify_local_minimum(fixed, Dataset([[1, 2], [0, 1]], [1, 0]))  # now it fits 2-D data
    with pytest.raises(ShapeError, match="looks transposed"):  # 2 units, 3 inputs, on 2-D data
        verify_local_minimum(ShallowReLU(W=[[1, 2, 3], [0, 1, 1]], b=[0, 0], v=[1, 1], c=0),
                             Dataset([[1, 2], [0, 1]], [1, 0]))


def test_a_transposed_deep_layer_is_called_transposed():
    with pytest.raises(ShapeError, match=r"weights\[1\] .*looks transposed"):
        DeepReLU([[[1], [2], [3]], [[1, 1, 1], [0, 1, 0]], [[1], [1]]],
                 [[0, 0, 0], [0, 0], [0]])


def test_a_numpy_column_y_is_one_output_and_a_row_is_called_transposed():
    # an (n, 1) column is n targets of one output, stored flat as it always was
    assert Dataset([1, 2, 3], np.array([[1], [0], [2]])) == Dataset([1, 2, 3], [1, 0, 2])
    y = np.array([[1, 0, 2]])
    with pytest.raises(ShapeError) as info:
        Dataset([1, 2, 3], y)
    msg = str(info.value)
    assert "y has 1 entries but X has 3 rows" in msg and "looks transposed" in msg
    with pytest.raises(ShapeError, match=r"y must be 1-D .* or 2-D"):
        Dataset([1, 2], np.zeros((2, 1, 1), dtype=int))


def test_a_nested_list_y_is_read_as_target_rows():
    assert Dataset([1, 2], [[1], [0]]) == Dataset([1, 2], [1, 0])
    assert Dataset([1, 2], [[1, 0], [0, 1]]).k == 2
    with pytest.raises(ShapeError, match=r"y\[0\]=\[1\] is a row but y\[1\]=0 is a number"):
        Dataset([1, 2], [[1], 0])
