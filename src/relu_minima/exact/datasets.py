"""Exact finite datasets (x_i, y_i) in Q^d x Q, as in Section 3.1.3 and Section 3.2 of the paper."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..errors import InexactNumberError, InvalidType, ShapeError, require
from .numbers import (
    FLOAT_OPT_IN,
    _as_sequence,
    _is_row,
    brief,
    describe_object,
    exact_rows,
    exact_vector,
    literal,
    pretty_as_repr,
    show,
)

__all__ = ["Dataset", "describe_object", "is_decent", "require_dataset"]

Row = tuple[Fraction, ...]


@dataclass(frozen=True, init=False)
class Dataset:
    """n labelled points with exact rational inputs ``X`` (n rows of d numbers) and targets ``y``.

    A flat list of numbers for ``X`` means d = 1. Floats are refused unless
    ``allow_float=True`` (see :func:`relu_minima.exact.numbers.exact`).

    >>> D = Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])
    >>> D.n, D.d, D.X[0], D.y[4]
    (5, 1, (Fraction(5, 1),), Fraction(3, 1))
    >>> D
    Dataset(X=[5, 4, 3, 1, -1], y=[2, 1, 0, -3, 3])
    """

    X: tuple[Row, ...]
    y: tuple[Fraction, ...]

    def __init__(self, X: Any, y: Any, *, allow_float: bool = False) -> None:
        X_exact = exact_rows(X, "X", what="points", allow_float=allow_float)
        shape = getattr(y, "shape", None)
        if shape is not None and len(shape) != 1:
            # a numpy column (n, 1) or row (1, n): say so, rather than "y[0] is a list"
            raise ShapeError(f"y must be 1-D (one target per point), but has shape "
                             f"{tuple(shape)}; pass y.ravel() (or y[:, 0]).")
        y_items = _as_sequence(y, "y")
        nested = next((i for i, t in enumerate(y_items) if _is_row(t)), None)
        if nested is not None:
            raise ShapeError(f"y must be 1-D (one number per point), but y[{nested}]="
                             f"{brief(y_items[nested])} is a sequence; flatten y.")
        if len(y_items) != len(X_exact):
            raise ShapeError(
                f"y has {len(y_items)} entries but X has {len(X_exact)} rows; "
                "give one target per input."
            )
        object.__setattr__(self, "X", X_exact)
        object.__setattr__(self, "y", exact_vector(y_items, "y", allow_float=allow_float))

    def _x_rows(self) -> Any:
        # d = 1 prints as the flat list it can be written as
        return [r[0] for r in self.X] if self.d == 1 else self.X

    _repr_pretty_ = pretty_as_repr  # hypothesis and IPython print the repr, which pastes back

    def __repr__(self) -> str:
        return f"Dataset(X={literal(self._x_rows())}, y={literal(self.y)})"

    def __str__(self) -> str:
        return f"Dataset(X={show(self._x_rows())}, y={show(self.y)})"

    def _repr_markdown_(self) -> str:
        """Notebook display: one table row per point (counted from 1)."""
        rows = "\n".join(f"| {i + 1} | {show(x)} | {show(y)} |" for i, (x, y) in enumerate(self))
        return (f"**Dataset** n = {self.n} point(s), d = {self.d}\n\n| point | x | y |\n"
                f"| --- | --- | --- |\n{rows}")

    @property
    def n(self) -> int:
        """Number of points."""
        return len(self.X)

    @property
    def d(self) -> int:
        """Input dimension."""
        return len(self.X[0])

    def __len__(self) -> int:
        return self.n

    def __iter__(self) -> Iterator[tuple[Row, Fraction]]:
        return iter(zip(self.X, self.y, strict=True))

    def groups(self) -> dict[Row, tuple[int, ...]]:
        """Indices of the points sharing each distinct input, in order of first appearance."""
        out: dict[Row, list[int]] = {}
        for i, x in enumerate(self.X):
            out.setdefault(x, []).append(i)
        return {x: tuple(ix) for x, ix in out.items()}

    @property
    def target_mean(self) -> Fraction:
        """M({y_1, ..., y_N}), the mean of the targets (the paper's notation before Definition 1):
        the output of every network with a blind spot after training (Lemma 1, Corollary 1)."""
        return sum(self.y, Fraction(0)) / self.n

    def decent_index(self) -> int | None:
        """The first r (0-based) with M({y_p : x_p = x_r}) != M({y_p}), or None (Definition 1)."""
        ybar = self.target_mean
        for x, ix in self.groups().items():
            if sum((self.y[i] for i in ix), Fraction(0)) / len(ix) != ybar:
                return self.X.index(x)
        return None

    def is_decent(self) -> bool:
        """Definition 1: some input's group of targets has a mean different from the mean of all.

        >>> Dataset([0, 0, 1], [1, -1, 0]).is_decent(), Dataset([0, 1], [0, 1]).is_decent()
        (False, True)
        """
        return self.decent_index() is not None

    def to_json(self) -> dict[str, Any]:
        """JSON form with exact numbers as strings."""
        return {"X": [[str(v) for v in row] for row in self.X], "y": [str(v) for v in self.y]}

    @classmethod
    def from_json(cls, data: Any) -> Dataset:
        """Inverse of :meth:`to_json`; also accepts plain integers."""
        missing = [k for k in ("X", "y") if not isinstance(data, dict) or k not in data]
        if missing:
            raise ShapeError(f"dataset must be an object with keys 'X' and 'y'; {missing[0]!r} "
                             "is missing.")
        return cls(data["X"], data["y"])

    def _check(self) -> None:
        """Re-verify the invariants (used by tests)."""
        broken = "Dataset invariant broken: {}"  # what broke, never the data themselves
        require(self.n >= 1 and self.d >= 1, broken.format("no points or no inputs"), ShapeError)
        require(all(len(r) == self.d for r in self.X), broken.format("ragged X"), ShapeError)
        require(len(self.y) == self.n, broken.format("len(y) != len(X)"), ShapeError)
        require(all(isinstance(v, Fraction) for r in self.X for v in r),
                broken.format("X holds a non-Fraction"), ShapeError)
        require(all(isinstance(v, Fraction) for v in self.y),
                broken.format("y holds a non-Fraction"), ShapeError)



def require_dataset(data: Any, name: str = "dataset", *, pair: bool = True) -> Dataset:
    """``data`` as a :class:`Dataset`: a Dataset itself or, when ``pair`` (entry points), a pair
    ``(X, y)`` of exact numbers converted by ``Dataset(X, y)`` (which refuses floats and says
    what to pass instead).

    The one rule every function applies to its data argument; anything else raises
    :class:`~relu_minima.errors.InvalidType` naming ``name`` and the kind of object given (never
    its numbers).
    """
    if isinstance(data, Dataset):
        return data
    if pair and isinstance(data, tuple) and len(data) == 2:
        try:
            return Dataset(*data)
        except InexactNumberError as err:  # the opt-in is Dataset's, not the caller's
            raise InexactNumberError(str(err).replace(
                FLOAT_OPT_IN, "Dataset(X, y, allow_float=True) to take the floats' exact binary "
                "values")) from None
    raise InvalidType(
        f"{name}=<{describe_object(data)}> must be a relu_minima.Dataset"
        + (" or a pair (X, y)" if pair else "")
        + ": build one with Dataset(X, y) from exact numbers (ints, Fractions, strings such "
        "as '13/3'); Dataset(X, y, allow_float=True) takes floats' exact binary values.")


def is_decent(dataset: Any) -> bool:
    """Definition 1 for ``dataset`` (a Dataset or a pair (X, y)): :meth:`Dataset.is_decent`.

    >>> is_decent(Dataset([0, 0, 1], [1, -1, 0])), is_decent(Dataset([0, 1], [0, 1]))
    (False, True)
    """
    return require_dataset(dataset).is_decent()
