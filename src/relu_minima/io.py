"""Reading problems from JSON files (``relu-minima verify FILE.json``).

Format: ``{"dataset": {"X": [[...], ...], "y": [...]}, "params": {...}}`` where params is
``{"W", "b", "v", "c"}`` (one hidden layer) or ``{"weights", "biases"}`` (deep). Numbers are
strings such as "13/3" or "-0.25" (or JSON integers); JSON floats are refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .datasets import Dataset
from .errors import InexactNumberError, ShapeError
from .networks import ShallowReLU

__all__ = ["dump_problem", "load_problem", "parse_problem"]


def _refuse_float(text: str) -> Any:
    raise InexactNumberError(
        f"the JSON number {text} is a float; write exact numbers as strings such as "
        f'"{text}" or "13/3".'
    )


def parse_problem(text: str) -> tuple[Any, Dataset]:
    """Parse the JSON text of a problem into (params, dataset)."""
    data = json.loads(text, parse_float=_refuse_float)
    if not isinstance(data, dict) or "dataset" not in data or "params" not in data:
        raise ShapeError("the file must hold an object with keys 'dataset' and 'params'.")
    dataset = Dataset.from_json(data["dataset"])
    params = data["params"]
    if isinstance(params, dict) and "weights" in params:
        from .deep import DeepReLU

        return DeepReLU.from_json(params), dataset
    return ShallowReLU.from_json(params), dataset


def load_problem(path: Path) -> tuple[Any, Dataset]:
    """Read a problem file (see the module docstring)."""
    return parse_problem(Path(path).read_text(encoding="utf-8"))


def dump_problem(params: Any, dataset: Dataset) -> str:
    """The JSON text of a problem, exact numbers as strings."""
    return json.dumps({"dataset": dataset.to_json(), "params": params.to_json()}, indent=2)
