"""Internals of :mod:`relu_minima.strategies` (hypothesis strategies for exact objects)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument as _HypothesisInvalidArgument

from ..errors import InvalidArgument as _LibraryInvalidArgument
from ..errors import ReluMinimaError, ShapeError
from ..exact.datasets import Dataset, is_decent, require_dataset
from ..exact.deep_relu import DeepReLU
from ..exact.numbers import brief, exact
from ..exact.params import ParameterSpace
from ..exact.shallow_relu import ShallowReLU


class InvalidStrategyArgument(_HypothesisInvalidArgument, _LibraryInvalidArgument):
    """Arguments of a strategy that make no sense: hypothesis's ``InvalidArgument`` (as its own
    strategies raise, when the strategy is first used) and a relu_minima ``InvalidArgument``."""


def invalid(message: str) -> InvalidStrategyArgument:
    return InvalidStrategyArgument(message)


def lazy(build: Any, *args: Any, **kwargs: Any) -> st.SearchStrategy[Any]:
    """The strategy ``build(*args, **kwargs)``, built (and its arguments checked) on first use,
    as hypothesis's own strategies are: a bad argument fails the test that draws from it, not
    the import of the module that defines it."""
    def make() -> st.SearchStrategy[Any]:
        try:
            if kwargs.get("dataset") is not None:  # the library's one rule, checked once
                kwargs["dataset"] = require_dataset(kwargs["dataset"])
            return build(*args, **kwargs)
        except InvalidStrategyArgument:
            raise
        except ReluMinimaError as err:  # e.g. a bound that is not an exact number
            raise invalid(str(err)) from None

    return st.deferred(make)


def _dimension(d: Any, dataset: Any, who: str) -> int:
    """The input dimension from ``d=`` or ``dataset=`` (the same if both are given)."""
    if dataset is None and d is None:
        raise invalid(f"{who} needs d= or dataset= (to know the input dimension).")
    if d is not None and (isinstance(d, bool) or not isinstance(d, int) or d < 1):
        raise invalid(f"d={d!r} must be an integer >= 1.")
    if dataset is not None and d is not None and d != dataset.d:
        raise invalid(f"d={d} but dataset has d={dataset.d}.")
    return dataset.d if dataset is not None else d


def _check_range(name: str, lo: int, hi: int, floor: int) -> None:
    for bound, value in ((f"min_{name}", lo), (f"max_{name}", hi)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(f"{bound}={value!r} must be an integer >= {floor}.")
    if lo < floor:
        raise invalid(f"min_{name}={lo} must be >= {floor} (valid: {floor} <= min_{name} <= "
                      f"max_{name}).")
    if hi < lo:
        raise invalid(f"min_{name}={lo}, max_{name}={hi}: min_{name} must be <= max_{name} "
                      f"(valid: {floor} <= min_{name} <= max_{name}).")


def numbers(min_value: Any = -10, max_value: Any = 10, max_denominator: int = 1
            ) -> st.SearchStrategy[Fraction]:
    """Exact rationals in [min_value, max_value] with denominator <= max_denominator."""
    lo, hi = exact(min_value, "min_value"), exact(max_value, "max_value")
    if hi < lo:
        raise invalid(f"min_value={lo}, max_value={hi}: min_value must be <= max_value.")
    if isinstance(max_denominator, bool) or not isinstance(max_denominator, int) or (
            max_denominator < 1):
        raise invalid(f"max_denominator={max_denominator!r} must be an integer >= 1.")
    if max_denominator == 1 and math.floor(hi) < math.ceil(lo):
        raise invalid(f"[min_value, max_value] = [{lo}, {hi}] holds no integer; widen it or "
                      "raise max_denominator.")
    if max_denominator == 1:
        return st.integers(math.ceil(lo), math.floor(hi)).map(Fraction)
    return st.fractions(lo, hi, max_denominator=max_denominator)


def _check_outputs(outputs: Any, one_hot: bool) -> None:
    if isinstance(outputs, bool) or not isinstance(outputs, int) or outputs < 1:
        raise invalid(f"outputs={outputs!r} must be an integer >= 1 (targets per point).")
    if one_hot and outputs < 2:
        raise invalid(f"one_hot=True needs outputs >= 2 classes, not outputs={outputs}.")


@st.composite
def datasets(draw: Any, min_n: int = 1, max_n: int = 8, min_d: int = 1, max_d: int = 2,
             min_value: Any = -10, max_value: Any = 10, max_denominator: int = 1,
             duplicates: bool = True, outputs: int = 1, one_hot: bool = False) -> Dataset:
    _check_range("n", min_n, max_n, 1)
    _check_range("d", min_d, max_d, 1)
    _check_outputs(outputs, one_hot)
    value = numbers(min_value, max_value, max_denominator)
    d = draw(st.integers(min_d, max_d))
    n = draw(st.integers(min_n, max_n))
    X: list[tuple[Fraction, ...]] = []
    for i in range(n):
        if duplicates and i > 0 and draw(st.booleans()):
            X.append(X[draw(st.integers(0, i - 1))])
        else:
            X.append(tuple(draw(value) for _ in range(d)))
    if one_hot:  # a class label per point, as its one-hot row
        labels = [draw(st.integers(0, outputs - 1)) for _ in range(n)]
        return Dataset(X, [[int(t == c) for c in range(outputs)] for t in labels])
    if outputs == 1:
        return Dataset(X, [draw(value) for _ in range(n)])
    return Dataset(X, [[draw(value) for _ in range(outputs)] for _ in range(n)])


@st.composite
def decent_datasets(draw: Any, min_n: int = 2, max_n: int = 8, **kwargs: Any) -> Dataset:
    if min_n < 2:
        raise invalid(f"min_n={min_n} must be >= 2 (valid: 2 <= min_n <= max_n): one point is "
                      "never decent.")
    D = draw(datasets(min_n=min_n, max_n=max_n, **kwargs))
    X = [list(r) for r in D.X]
    Y = [list(r) for r in D.Y]
    if len(D.groups()) == 1:  # one distinct input is never decent: give the last its own
        X[-1][0] += 1
    D = _rebuilt(X, Y, D.k)
    if not is_decent(D):
        # every group mean equals the overall mean; raising y_0 by 1 (or, for one-hot targets,
        # giving point 0 the next class) moves its group's mean by 1/|group| times that change
        # and the overall mean by only 1/n times it (there are >= 2 groups)
        if kwargs.get("one_hot"):
            k = D.k
            label = Y[0].index(1)
            Y[0] = [int(c == (label + 1) % k) for c in range(k)]
        else:
            Y[0][0] += 1
        D = _rebuilt(X, Y, D.k)
    if not is_decent(D):  # unreachable (see the comment above); never a bare assert
        raise ShapeError(f"decent_datasets built a dataset that is not decent (a bug; please "
                         f"report it): {D!r}")
    return D


def _rebuilt(X: list[list[Fraction]], Y: list[list[Any]], k: int) -> Dataset:
    return Dataset(X, [r[0] for r in Y] if k == 1 else Y)


@st.composite
def shallow_relu(draw: Any, d: int | None = None, dataset: Dataset | None = None,
                 min_m: int = 1, max_m: int = 3, min_value: Any = -5, max_value: Any = 5,
                 max_denominator: int = 1, kink_points: Sequence[int] | None = None,
                 kinks: bool = False, zero_output_weights: int = 0, bias: Any = True,
                 frozen: Any = (), outputs: int | None = None) -> ShallowReLU:
    dim = _dimension(d, dataset, "shallow_relu")
    n_out = _outputs(outputs, dataset, "shallow_relu")
    if (kink_points or kinks) and dataset is None:
        raise invalid("kink_points=/kinks=True need dataset= (kinks sit on data points).")
    _check_range("m", min_m, max_m, 1)
    fixed = list(kink_points or [])
    n = dataset.n if dataset is not None else 0
    for k, i in enumerate(fixed):
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < n:
            raise invalid(f"kink_points[{k}]={i!r} is not a point index of the dataset: valid "
                          f"indices are 0 to {n - 1} (0-based, as Python counts; the dataset "
                          f"has n={n} points).")
    needed = max(len(fixed), zero_output_weights)
    if needed > max_m:
        raise invalid(f"max_m={max_m} is less than the units needed ({needed}: one per kink "
                      "point and per zero output weight); valid: max_m >= "
                      f"{needed}.")
    min_m = max(min_m, needed)
    value = numbers(min_value, max_value, max_denominator)
    m = draw(st.integers(min_m, max_m))
    W = [tuple(draw(value) for _ in range(dim)) for _ in range(m)]
    b = [draw(value) for _ in range(m)]
    for j in range(m):
        point = fixed[j] if j < len(fixed) else (
            draw(st.one_of(st.none(), st.integers(0, dataset.n - 1)))  # type: ignore[union-attr]
            if kinks else None)
        if point is not None:  # b_j = -w_j . x_i puts the kink exactly on x_i
            b[j] = -sum((w * t for w, t in zip(W[j], dataset.X[point], strict=True)),  # type: ignore[union-attr]
                        Fraction(0))
    V = [[Fraction(0) if j < zero_output_weights else draw(value) for j in range(m)]
         for _ in range(n_out)]  # zero_output_weights: v_j = 0 in every output
    space = ParameterSpace((dim, m, n_out), bias)  # validates bias; its flags say what is 0
    if not space.bias[0]:
        b = [Fraction(0)] * m
    C = [draw(value) if space.bias[1] else Fraction(0) for _ in range(n_out)]
    if isinstance(frozen, str) and frozen == "random":
        candidates = [nm for p, nm in enumerate(space.names) if space.moving[p]]
        frozen = [nm for nm in candidates if draw(st.booleans())]
    if n_out == 1:
        return ShallowReLU(W, b, V[0], C[0], bias=bias, frozen=frozen)
    return ShallowReLU(W, b, V, C, bias=bias, frozen=frozen)


def _outputs(outputs: Any, dataset: Any, who: str) -> int:
    """The number of outputs from ``outputs=`` or ``dataset=`` (the same if both are given;
    1 if neither)."""
    if outputs is not None:
        _check_outputs(outputs, False)
        if dataset is not None and dataset.k != outputs:
            raise invalid(f"{who}: outputs={outputs} but dataset has k={dataset.k} targets per "
                          "point.")
        return outputs
    return dataset.k if dataset is not None else 1


@st.composite
def deep_relu(draw: Any, d: int | None = None, dataset: Dataset | None = None,
              widths: Sequence[int] | None = None, min_hidden_layers: int = 1,
              max_hidden_layers: int = 3, min_width: int = 1, max_width: int = 3,
              min_value: Any = -5, max_value: Any = 5, max_denominator: int = 1,
              outputs: int | None = None) -> DeepReLU:
    if widths is not None:
        try:
            space = ParameterSpace(tuple(widths))
        except (ShapeError, TypeError) as err:
            raise invalid(str(err)) from None
        if (d is not None or dataset is not None) and (
                _dimension(d, dataset, "deep_relu") != space.d):
            raise invalid(f"widths={tuple(widths)!r} starts with d={space.d} but the input "
                          f"dimension is {_dimension(d, dataset, 'deep_relu')}.")
        if (outputs is not None or dataset is not None) and (
                _outputs(outputs, dataset, "deep_relu") != space.outputs):
            raise invalid(f"widths={tuple(widths)!r} ends with {space.outputs} output(s) but "
                          f"{_outputs(outputs, dataset, 'deep_relu')} are asked for.")
    else:
        dim = _dimension(d, dataset, "deep_relu")
        _check_range("hidden_layers", min_hidden_layers, max_hidden_layers, 1)
        _check_range("width", min_width, max_width, 1)
        layers = draw(st.integers(min_hidden_layers, max_hidden_layers))
        hidden = [draw(st.integers(min_width, max_width)) for _ in range(layers)]
        space = ParameterSpace((dim, *hidden, _outputs(outputs, dataset, "deep_relu")))
    value = numbers(min_value, max_value, max_denominator)
    weights, biases = space.unflatten([draw(value) for _ in range(space.size)])
    return DeepReLU(weights, biases)


@st.composite
def perturbations(draw: Any, params: Any, radius: Any, max_denominator: int = 64,
                  nonzero: bool = False) -> Any:
    r = exact(radius, "radius")
    if r <= 0:
        raise invalid(f"radius={radius!r} must be positive (valid: radius > 0).")
    if isinstance(max_denominator, bool) or not isinstance(max_denominator, int) or (
            max_denominator < 1):
        raise invalid(f"max_denominator={max_denominator!r} must be an integer >= 1.")
    if isinstance(params, (ShallowReLU, DeepReLU)):
        flat: tuple[Fraction, ...] = params.parameters()
    else:
        raise invalid(f"params={brief(params)} must be a ShallowReLU or a DeepReLU.")
    step = st.integers(-max_denominator, max_denominator)
    moving = params.space.moving
    deltas = [Fraction(draw(step), max_denominator) * r if mv else Fraction(0) for mv in moving]
    if nonzero and all(t == 0 for t in deltas):
        free = [p for p, mv in enumerate(moving) if mv]
        if not free:
            raise ShapeError("nonzero=True but every coordinate of params is fixed.")
        k = free[draw(st.integers(0, len(free) - 1))]
        deltas[k] = (1 if draw(st.booleans()) else -1) * r / max_denominator
    vals = [a + t for a, t in zip(flat, deltas, strict=True)]
    return params.with_parameters(vals)
