"""Reading problems from JSON files (``relu-minima verify FILE.json``).

Format: ``{"dataset": {"X": [[...], ...], "y": [...]}, "params": {...}}`` where params is
``{"W", "b", "v", "c"}`` (one hidden layer) or ``{"weights", "biases"}`` (deep); one hidden
layer with an ``"activation"`` key ("sigmoid" or "tanh") is a smooth network (``SmoothNet``).
Numbers are strings such as "13/3" or "-0.25" (or JSON integers); JSON floats are refused.

The parameterisation rides in params (issue 18): ``"bias": false`` (no layer has a bias; the
bias entries may be left out) or one flag per layer such as ``"bias": [false, true]``, and
``"frozen": ["W_1[1,2]", "b_2[1]"]`` for coordinates held at their values (the library's names,
:class:`~relu_minima.exact.params.ParameterSpace`). Without them every weight and bias moves.

>>> params, D = parse_problem('{"dataset": {"X": [[1, 1], [2, 1]], "y": ["0", "1"]}, '
...     '"params": {"W": [[1, 0]], "v": [1], "bias": false, "frozen": ["W_2[1,1]"]}}')
>>> params.space.bias, params.space.frozen
((False, False), ('W_2[1,1]',))
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import InexactNumberError, ShapeError
from .datasets import Dataset
from .shallow import ShallowReLU

__all__ = ["dump_problem", "load_problem", "parse_problem"]


class _JsonFloat(str):
    """A JSON float kept as its text, so that it can be refused with its position."""


def _first_float(node: Any, path: str) -> tuple[str, str] | None:
    if isinstance(node, _JsonFloat):
        return path, str(node)
    items = node.items() if isinstance(node, dict) else (
        ((f"[{i}]", v) for i, v in enumerate(node)) if isinstance(node, list) else ())
    for key, value in items:
        found = _first_float(value, f"{path}.{key}" if isinstance(node, dict) else path + key)
        if found is not None:
            return found
    return None


def parse_problem(text: str) -> tuple[Any, Dataset]:
    """Parse the JSON text of a problem into (params, dataset)."""
    data = json.loads(text, parse_float=_JsonFloat)
    found = _first_float(data, "")
    if found is not None:
        where, number = found
        raise InexactNumberError(
            f"{where.lstrip('.')}={number} is a JSON float; write exact numbers as strings, "
            f'such as "{number}" (read as the exact decimal) or "13/3".'
        )
    if not isinstance(data, dict) or "dataset" not in data or "params" not in data:
        raise ShapeError("the file must hold an object with keys 'dataset' and 'params'.")
    dataset = Dataset.from_json(data["dataset"])
    params = data["params"]
    if isinstance(params, dict) and "weights" in params:
        from .deep import DeepReLU

        return DeepReLU.from_json(params), dataset
    if isinstance(params, dict) and "activation" in params:
        from .smooth import SmoothNet

        return SmoothNet.from_json(params), dataset
    return ShallowReLU.from_json(params), dataset


def load_problem(path: Path) -> tuple[Any, Dataset]:
    """Read a problem file (see the module docstring)."""
    return parse_problem(Path(path).read_text(encoding="utf-8"))


def dump_problem(params: Any, dataset: Dataset) -> str:
    """The JSON text of a problem, exact numbers as strings."""
    return json.dumps({"dataset": dataset.to_json(), "params": params.to_json()}, indent=2)
