"""Exact finite datasets (x_i, y_i) in Q^d x Q (Sections 3.1.3 and 3.2 of the paper), or with
vector targets y_i in Q^k for networks with k outputs (one-hot targets for classification)."""

from __future__ import annotations

import numbers
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
    exact_matrix,
    exact_rows,
    exact_vector,
    literal,
    pretty_as_repr,
    show,
)

__all__ = ["Dataset", "describe_object", "is_decent", "one_hot", "require_dataset",
           "require_one_output"]

Row = tuple[Fraction, ...]


def _targets(y: Any, n: int, allow_float: bool) -> tuple[Any, int]:
    """(y as stored, k): a flat tuple for k = 1, a tuple of k-tuples for k > 1.

    One number per point means k = 1; one row of k numbers per point means k outputs, and a
    column of rows of one number (an n x 1 array) is k = 1 too, stored flat."""
    shape = getattr(y, "shape", None)
    if shape is not None and len(shape) not in (1, 2):
        raise ShapeError(f"y must be 1-D (one target per point) or 2-D (one row of k targets "
                         f"per point), but has shape {tuple(shape)}.")
    items = _as_sequence(y, "y")
    rows = [i for i, t in enumerate(items) if _is_row(t)]
    if rows and len(rows) != len(items):
        flat = next(i for i, t in enumerate(items) if not _is_row(t))
        raise ShapeError(f"y[{rows[0]}]={brief(items[rows[0]])} is a row but y[{flat}]="
                         f"{brief(items[flat])} is a number; give every target as a number (one "
                         "output) or every one as a row of k numbers (k outputs).")
    if len(items) != n:
        hint = (f" y has shape {tuple(shape)}: one row per point is (n, k) = ({n}, k); it looks "
                "transposed." if shape is not None and len(shape) == 2 else "")
        raise ShapeError(
            f"y has {len(items)} entries but X has {n} rows; give one target per input." + hint)
    if not rows:
        return exact_vector(items, "y", allow_float=allow_float), 1
    Y = exact_matrix(items, "y", allow_float=allow_float)
    if len(Y[0]) == 0:
        raise ShapeError("y[0] is empty: a target vector needs at least one entry.")
    return (tuple(r[0] for r in Y), 1) if len(Y[0]) == 1 else (Y, len(Y[0]))


@dataclass(frozen=True, init=False)
class Dataset:
    """n labelled points with exact rational inputs ``X`` (n rows of d numbers) and targets ``y``.

    A flat list of numbers for ``X`` means d = 1. ``y`` holds one number per point (one
    output, k = 1) or one row of k numbers per point (a network with k outputs under the summed
    squared loss; :func:`one_hot` builds classification targets). For k = 1 ``y`` is stored
    flat, as it always was; :attr:`Y` is the targets as rows for every k. Floats are refused
    unless ``allow_float=True`` (see :func:`relu_minima.exact.numbers.exact`).

    >>> D = Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])
    >>> D.n, D.d, D.k, D.X[0], D.y[4]
    (5, 1, 1, (Fraction(5, 1),), Fraction(3, 1))
    >>> D
    Dataset(X=[5, 4, 3, 1, -1], y=[2, 1, 0, -3, 3])
    >>> Dataset([0, 1], [[1, 0], [0, 1]]).Y[1]          # two outputs
    (Fraction(0, 1), Fraction(1, 1))
    """

    X: tuple[Row, ...]
    y: Any  # tuple[Fraction, ...] for k = 1; tuple[Row, ...] (n rows of k) for k > 1

    def __init__(self, X: Any, y: Any, *, allow_float: bool = False) -> None:
        X_exact = exact_rows(X, "X", what="points", allow_float=allow_float)
        y_exact, _ = _targets(y, len(X_exact), allow_float)
        object.__setattr__(self, "X", X_exact)
        object.__setattr__(self, "y", y_exact)

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
        outs = f", k = {self.k} outputs" if self.k > 1 else ""
        return (f"**Dataset** n = {self.n} point(s), d = {self.d}{outs}\n\n| point | x | y |\n"
                f"| --- | --- | --- |\n{rows}")

    @property
    def k(self) -> int:
        """Number of outputs: 1 for scalar targets, else the length of each target row."""
        return 1 if not self.y or not isinstance(self.y[0], tuple) else len(self.y[0])

    @property
    def Y(self) -> tuple[Row, ...]:
        """The targets as n rows of k numbers (for k = 1, rows of one number)."""
        return self.y if self.k > 1 else tuple((t,) for t in self.y)

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

    def __iter__(self) -> Iterator[tuple[Row, Any]]:
        return iter(zip(self.X, self.y, strict=True))

    def groups(self) -> dict[Row, tuple[int, ...]]:
        """Indices of the points sharing each distinct input, in order of first appearance."""
        out: dict[Row, list[int]] = {}
        for i, x in enumerate(self.X):
            out.setdefault(x, []).append(i)
        return {x: tuple(ix) for x, ix in out.items()}

    @property
    def target_mean(self) -> Any:
        """M({y_1, ..., y_N}), the mean of the targets (the paper's notation before Definition 1):
        the output of every network with a blind spot after training (Lemma 1, Corollary 1).
        For k outputs, the mean target vector (a tuple of k numbers)."""
        if self.k == 1:
            return sum(self.y, Fraction(0)) / self.n
        return self.mean_of(range(self.n))

    def mean_of(self, indices: Any) -> Row:
        """The mean target row of the points ``indices`` (0-based; k numbers, also for k = 1)."""
        ix = list(indices)
        Y = self.Y
        return tuple(sum((Y[i][o] for i in ix), Fraction(0)) / len(ix) for o in range(self.k))

    def decent_index(self) -> int | None:
        """The first r (0-based) with M({y_p : x_p = x_r}) != M({y_p}), or None (Definition 1;
        with k outputs the means are vectors, compared output by output)."""
        ybar = self.mean_of(range(self.n))
        for x, ix in self.groups().items():
            if self.mean_of(ix) != ybar:
                return self.X.index(x)
        return None

    def is_decent(self) -> bool:
        """Definition 1: some input's group of targets has a mean different from the mean of all.

        >>> Dataset([0, 0, 1], [1, -1, 0]).is_decent(), Dataset([0, 1], [0, 1]).is_decent()
        (False, True)
        """
        return self.decent_index() is not None

    def to_json(self) -> dict[str, Any]:
        """JSON form with exact numbers as strings (``y`` nested, one row per point, for k > 1)."""
        y = ([str(v) for v in self.y] if self.k == 1
             else [[str(v) for v in row] for row in self.y])
        return {"X": [[str(v) for v in row] for row in self.X], "y": y}

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
        require(all(len(r) == self.k for r in self.Y), broken.format("ragged y"), ShapeError)
        require(all(isinstance(v, Fraction) for r in self.X for v in r),
                broken.format("X holds a non-Fraction"), ShapeError)
        require(all(isinstance(v, Fraction) for r in self.Y for v in r),
                broken.format("y holds a non-Fraction"), ShapeError)
        require(self.k == 1 or isinstance(self.y[0], tuple),
                broken.format("k > 1 targets not stored as rows"), ShapeError)


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


def one_hot(X: Any, labels: Any, classes: int | None = None, *, allow_float: bool = False
            ) -> Dataset:
    """A classification dataset with one-hot targets: point i gets the row e_(labels[i]) of
    length ``classes`` (default: the largest label + 1). Labels are integers from 0.

    >>> one_hot([0, 1, 2], [0, 2, 1]).Y[1]
    (Fraction(0, 1), Fraction(0, 1), Fraction(1, 1))
    """
    labs = list(_as_sequence(labels, "labels"))
    for i, t in enumerate(labs):
        # numpy integers (a label array) are Integral too (without importing numpy here:
        # deciding a small problem loads no numpy); bools and floats are refused
        if isinstance(t, bool) or not isinstance(t, numbers.Integral) or t < 0:
            raise InvalidType(f"labels[{i}]={t!r} must be a class index (an integer >= 0).")
        labs[i] = int(t)
    k = (max(labs) + 1 if labs else 0) if classes is None else classes
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise ShapeError(f"classes={classes!r} must be an integer >= 2 (one output per class).")
    big = [i for i, t in enumerate(labs) if t >= k]
    if big:
        raise ShapeError(f"labels[{big[0]}]={labs[big[0]]} is not below classes={k}.")
    return Dataset(X, [[int(t == c) for c in range(k)] for t in labs], allow_float=allow_float)


def require_one_output(dataset: Dataset, who: str) -> Dataset:
    """``dataset`` if its targets are numbers (k = 1); a clear error naming ``who`` otherwise
    (the decisions that are written for one output refuse vector targets, never misread
    them)."""
    if dataset.k != 1:
        from ..errors import DimensionMismatch

        raise DimensionMismatch(
            f"dataset has k={dataset.k} targets per point, but {who} is for networks with one "
            "output (numbers as targets); several outputs are decided for ShallowReLU and "
            "DeepReLU points by verify_local_minimum.")
    return dataset
