"""Reading problems from JSON files (``relu-minima verify FILE.json``).

Format: ``{"dataset": {"X": [[...], ...], "y": [...]}, "params": {...}}`` where params is
``{"W", "b", "v", "c"}`` (one hidden layer) or ``{"weights", "biases"}`` (deep); one hidden
layer with an ``"activation"`` key ("sigmoid" or "tanh") is a smooth network (``SmoothNet``).
Numbers are strings such as "13/3" or "-0.25" (or JSON integers); JSON floats are refused.

The parameterisation rides in params: ``"bias": false`` (no layer has a bias; the
bias entries may be left out) or one flag per layer such as ``"bias": [false, true]``, and
``"frozen": ["W_1[1,2]", "b_2[1]"]`` for coordinates held at their values (the library's names,
:class:`~relu_minima.exact.params.ParameterSpace`). Without them every weight and bias moves.

>>> params, D = parse_problem('{"dataset": {"X": [[1, 1], [2, 1]], "y": ["0", "1"]}, '
...     '"params": {"W": [[1, 0]], "v": [1], "bias": false, "frozen": ["W_2[1,1]"]}}')
>>> params.space.bias, params.space.frozen
((False, False), ('W_2[1,1]',))

A missing key is named, and an unknown key is refused with its path (``KEYS`` lists the keys
of each object).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import InexactNumberError, InvalidArgument, ShapeError
from .datasets import Dataset, require_dataset
from .shallow_relu import ShallowReLU

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


def parse_problem(text: str, *, source: str = "the text") -> tuple[Any, Dataset]:
    """Parse the JSON text of a problem into (params, dataset); ``source`` names the text in
    the error of a JSON syntax error (with its line and column)."""
    try:
        data = json.loads(text, parse_float=_JsonFloat)
    except json.JSONDecodeError as err:
        raise InvalidArgument(f"{source} is not valid JSON: line {err.lineno}, column "
                              f"{err.colno}: {err.msg}.") from None
    found = _first_float(data, "")
    if found is not None:
        where, number = found
        raise InexactNumberError(
            f"{where.lstrip('.')}={number} is a JSON float; write exact numbers as strings, "
            f'such as "{number}" (read as the exact decimal) or "13/3".'
        )
    _check_keys(data, "the file", KEYS["problem"])
    _check_keys(data["dataset"], "dataset", KEYS["dataset"])
    dataset = Dataset.from_json(data["dataset"])
    params = data["params"]
    if isinstance(params, dict) and ("weights" in params or "biases" in params):
        from .deep_relu import DeepReLU

        _check_keys(params, "params", KEYS["deep params"])
        return DeepReLU.from_json(params), dataset
    if isinstance(params, dict) and "activation" in params:
        from .smooth_net import SmoothNet

        _check_keys(params, "params", KEYS["smooth params"])
        return SmoothNet.from_json(params), dataset
    _check_keys(params, "params", KEYS["one-hidden-layer params"])
    return ShallowReLU.from_json(params), dataset


# the keys of each object of a problem file: (required, optional), in the documented order.
# Unknown keys are refused, not ignored, so that a typo ("w", "d": 3) cannot pass unnoticed.
KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "problem": (("dataset", "params"), ()),
    "dataset": (("X", "y"), ()),
    # b and c may be left out for a bias-free layer ("bias": false)
    "one-hidden-layer params": (("W", "v"), ("b", "c", "bias", "frozen")),
    "deep params": (("weights",), ("biases", "bias", "frozen")),
    "smooth params": (("W", "v", "activation"), ("b", "c", "bias", "frozen")),
}


def _quoted(keys: tuple[str, ...]) -> str:
    names = [f'"{k}"' for k in keys]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


_NEEDS = {"problem": "a problem file needs", "dataset": "a dataset needs",
          "one-hidden-layer params": "one-hidden-layer params need",
          "deep params": "deep params need",
          "smooth params": "sigmoid/tanh params need"}


def _check_keys(node: Any, path: str, keys: tuple[tuple[str, ...], tuple[str, ...]]) -> None:
    """``node`` is an object with every required key and no unknown one; errors name the key
    and its path in the file."""
    required, optional = keys
    what = next(k for k, v in KEYS.items() if v == keys)
    need = f"{_NEEDS[what]} the keys {_quoted(required)}"
    if optional:
        need += f" (and may have {_quoted(optional)})"
    if not isinstance(node, dict):
        raise ShapeError(f"{path} is a JSON {type(node).__name__}, not an object: {need}.")
    missing = [k for k in required if k not in node]
    if missing:
        raise ShapeError(f'{path} has no key "{missing[0]}": {need}.')
    unknown = [k for k in node if k not in required and k not in optional]
    if unknown:
        where = f'the key "{unknown[0]}" of the file' if path == "the file" else (
            f"{path}.{unknown[0]}")
        raise ShapeError(f"{where} is unknown and refused (not ignored, so that a typo "
                         f"cannot pass unnoticed): {need}.")


def load_problem(path: str | Path) -> tuple[Any, Dataset]:
    """Read a problem file (see the module docstring). A file that cannot be read, or is not
    JSON, raises :class:`~relu_minima.errors.InvalidArgument` naming it (and, for a syntax
    error, the line and column), never a bare ``[Errno 2]``."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidArgument(f"{p} does not exist; give the path of a problem file "
                              f'(JSON: {{"dataset": ..., "params": ...}}).') from None
    except IsADirectoryError:
        raise InvalidArgument(f"{p} is a directory, not a problem file.") from None
    except UnicodeDecodeError as err:
        raise InvalidArgument(f"{p} is not UTF-8 text (byte {err.start}); a problem file is "
                              "JSON.") from None
    except OSError as err:  # permission denied and the like: the system's reason, no errno
        raise InvalidArgument(f"{p} cannot be read: {err.strerror or err}.") from None
    return parse_problem(text, source=str(p))


def dump_problem(params: Any, dataset: Dataset) -> str:
    """The JSON text of a problem, exact numbers as strings (``dataset`` a Dataset or a pair
    ``(X, y)``)."""
    return json.dumps({"dataset": require_dataset(dataset).to_json(),
                       "params": params.to_json()}, indent=2)
