"""One-hidden-layer ReLU networks, evaluated exactly.

f(x) = c + sum_j v_j relu(w_j . x + b_j), the model of Equation (1) and Propositions 1-3
(m hidden units, d inputs). With k outputs, v_j and c are k-vectors: ``v`` is the k x m output
matrix (one row per output) and the loss is the summed squared loss over every output.
Parameters are exact rationals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..errors import DimensionMismatch, InvalidArgument, InvalidType, ShapeError, require
from . import linalg
from .activation import (
    activation,
    activation_name,
    exact_slope,
    slope_json,
    slope_suffix,
)
from .datasets import Dataset, require_dataset
from .numbers import (
    _is_row,
    exact,
    exact_rows,
    exact_vector,
    latex,
    literal,
    pretty_as_repr,
    show,
)
from .params import ParameterSpace
from .shallow_inputs import has_rows, looks_transposed, output_bias, output_matrix

__all__ = ["ShallowReLU", "activation", "exact_slope", "relu"]  # the first two: .activation


def relu(t: Fraction) -> Fraction:
    """max(0, t)."""
    return t if t > 0 else Fraction(0)


@dataclass(frozen=True, init=False)
class ShallowReLU:
    """The network f(x) = c + sum_j v_j relu(w_j . x + b_j).

    ``W`` is m rows of d numbers (a flat list means d = 1), ``b`` and ``v`` have m entries and
    ``c`` is a number; all are stored as exact ``Fraction`` values. A network with k > 1
    outputs takes ``v`` as a k x m matrix (one row per output, so column j is unit j's output
    vector v_j) and ``c`` as k numbers; :attr:`V` and :attr:`C` give them in that form for
    every k (for k = 1, ``v`` stays flat and ``c`` a number).

    ``bias`` and ``frozen`` say which parameters the question moves (the parameterisation,
    :class:`~relu_minima.exact.params.ParameterSpace`): ``bias=False`` means neither layer has
    a bias (b = 0 and c = 0, not parameters; ``b``/``c`` may then be None),
    ``bias=(False, True)`` a bias-free hidden layer with a free output bias c, and ``frozen``
    lists coordinates held at their values by the library's names (``"W_1[1,2]"``, ``"b_1[1]"``,
    ``"W_2[1,j]"`` for v_j, ``"b_2[1]"`` for c). The default is the full space of Equation (1).

    ``negative_slope`` (an exact rational, default 0) replaces relu by the two-slope activation
    h(t) = t (t >= 0), negative_slope * t (t < 0), torch.nn.LeakyReLU's; 1 is the identity (a
    factorised linear model). See docs/activations.md.

    >>> net = ShallowReLU(W=[1], b=[-3], v=[1], c=0)     # Proposition 1
    >>> net.m, net.d, net(5)
    (1, 1, Fraction(2, 1))

    ``repr`` pastes back (non-integers as strings, which the constructor reads exactly) and
    ``str`` prints the numbers as sympy does:

    >>> net = ShallowReLU(W=[[-2], ["11/10"]], b=[-2, -2], v=[1, 1], c=0)
    >>> net
    ShallowReLU(W=[[-2], ['11/10']], b=[-2, -2], v=[1, 1], c=0)
    >>> print(net)
    ShallowReLU(W=[[-2], [11/10]], b=[-2, -2], v=[1, 1], c=0)
    >>> two = ShallowReLU(W=[1], b=[0], v=[[1], [-1]], c=[0, 1])   # two outputs
    >>> two.k, two(3)
    (2, (Fraction(3, 1), Fraction(-2, 1)))
    >>> leaky = ShallowReLU(W=[1], b=[0], v=[1], c=0, negative_slope="1/10")
    >>> leaky, leaky(-5)
    (ShallowReLU(W=[[1]], b=[0], v=[1], c=0, negative_slope='1/10'), Fraction(-1, 2))
    """

    W: tuple[tuple[Fraction, ...], ...]
    b: tuple[Fraction, ...]
    v: Any  # tuple[Fraction, ...] (k = 1), or k rows of m (k > 1)
    c: Any  # Fraction (k = 1), or k numbers (k > 1)
    # which coordinates move; part of the question, so part of equality, shown by __repr__
    space: ParameterSpace = field(repr=False)
    # the activation: h(t) = t (t >= 0), negative_slope * t (t < 0); 0 is the ReLU
    negative_slope: Fraction = field(repr=False, default=Fraction(0))

    def __init__(self, W: Any, b: Any, v: Any, c: Any, *, allow_float: bool = False,
                 bias: Any = True, frozen: Any = (), negative_slope: Any = 0) -> None:
        object.__setattr__(self, "negative_slope", exact_slope(negative_slope, allow_float))
        W_exact = exact_rows(W, "W", what="units", allow_float=allow_float)
        m = len(W_exact)
        object.__setattr__(self, "W", W_exact)
        flags = ParameterSpace((len(W_exact[0]), m, 1), bias).bias  # validates bias first
        if b is None and not flags[0]:
            b = [0] * m
        for name, value in (("b", b), ("c", c if flags[1] else 0)):
            if value is None:
                raise ShapeError(f"{name}=None but layer {1 if name == 'b' else 2} has a bias; "
                                 f"give {name}, or say bias=False for that layer.")
        try:
            b_exact = exact_vector(b, "b", length=m, allow_float=allow_float)
        except ShapeError as err:
            if looks_transposed(W_exact, b):
                rows = [list(col) for col in zip(*W_exact, strict=True)]
                raise ShapeError(
                    f"W looks transposed: W has one row per hidden unit (m rows of d inputs), "
                    f"so W={show(W_exact)} ({m} x {len(W_exact[0])}) means {m} units with "
                    f"{len(W_exact[0])} inputs, but b has {len(b)} entries, one per column of "
                    f"W. For {len(b)} units with {m} inputs write W={show(rows)}."
                ) from None
            if m > 1 and len(W_exact[0]) == 1 and not has_rows(W):
                # the common slip: one unit with several inputs written as a flat list
                raise ShapeError(
                    f"{err} W={list(W)!r} is a flat list, read as {m} units with one input "
                    f"each; for one unit with {m} inputs write W=[{list(W)!r}]."
                ) from None
            raise
        object.__setattr__(self, "b", b_exact)
        V = output_matrix(v, m, allow_float)
        k = len(V)
        space = ParameterSpace((len(W_exact[0]), m, k), bias, frozen)
        if c is None and not space.bias[1]:
            c = 0 if k == 1 else [0] * k
        object.__setattr__(self, "v", V[0] if k == 1 else V)
        object.__setattr__(self, "c", output_bias(c, k, allow_float))
        object.__setattr__(self, "space", space)
        if not all(space.bias):  # only bias-free layers constrain the values
            space.check_point(self.parameters())

    def with_space(self, bias: Any = True, frozen: Any = ()) -> ShallowReLU:
        """The same point with another parameterisation (``bias``/``frozen`` as in the class)."""
        return ShallowReLU(self.W, self.b, self.v, self.c, bias=bias, frozen=frozen,
                           negative_slope=self.negative_slope)

    def with_slope(self, negative_slope: Any) -> ShallowReLU:
        """The same parameters with another activation (``negative_slope``, as in the class)."""
        return ShallowReLU(self.W, self.b, self.v, self.c, negative_slope=negative_slope,
                           **self.space.parameterisation())

    @property
    def activation_name(self) -> str:
        """"relu", "identity" or "leaky relu (negative slope s)", for texts."""
        return activation_name(self.negative_slope)

    # -- printing --------------------------------------------------------------------------
    _repr_pretty_ = pretty_as_repr  # hypothesis and IPython print the repr, which pastes back

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.space.parameterisation().items())
        return (f"ShallowReLU(W={literal(self.W)}, b={literal(self.b)}, v={literal(self.v)}, "
                f"c={literal(self.c)}{slope_suffix(self.negative_slope)}{extra})")

    def __str__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.space.parameterisation().items())
        return (f"ShallowReLU(W={show(self.W)}, b={show(self.b)}, v={show(self.v)}, "
                f"c={show(self.c)}{slope_suffix(self.negative_slope, pasteable=False)}{extra})")

    def _repr_markdown_(self) -> str:
        """Notebook display: the formula and one table row per unit (counted from 1)."""
        def vec(t: Any) -> str:
            return latex(t) if not isinstance(t, tuple) else f"({', '.join(map(latex, t))})"

        rows = "\n".join(f"| {j + 1} | $({', '.join(latex(t) for t in self.W[j])})$ | "
                         f"${latex(self.b[j])}$ | "
                         f"${vec(self.v_of(j) if self.k > 1 else self.v[j])}$ |"
                         for j in range(self.m))
        outs = f", k = {self.k} outputs" if self.k > 1 else ""
        outs += (f", h = leaky relu with negative slope ${latex(self.negative_slope)}$"
                 if self.negative_slope else "")
        act = "\\mathrm{relu}" if self.negative_slope == 0 else "h"
        return (f"**ShallowReLU** $f(x) = c + \\sum_j v_j\\,{act}(w_j \\cdot x + b_j)$, "
                f"m = {self.m} unit(s), d = {self.d}{outs}\n\n| unit | w | b | v |\n| --- | --- | "
                f"--- | --- |\n{rows}\n\n$c = {vec(self.c)}$")

    def loss_expression(self, dataset: Dataset) -> Any:
        """The exact loss as a sympy Rational (shown in LaTeX by notebooks, as sympy users
        expect); :meth:`loss` gives the same number as a Fraction."""
        import sympy

        q = self.loss(dataset)
        return sympy.Rational(q.numerator, q.denominator)

    # -- shape -----------------------------------------------------------------------------
    @property
    def m(self) -> int:
        """Number of hidden units."""
        return len(self.W)

    @property
    def d(self) -> int:
        """Input dimension."""
        return len(self.W[0])

    @property
    def k(self) -> int:
        """Number of outputs."""
        return self.space.outputs

    @property
    def V(self) -> tuple[tuple[Fraction, ...], ...]:
        """The output weights as k rows of m numbers (row l: output l), for every k."""
        return (self.v,) if self.k == 1 else self.v

    @property
    def C(self) -> tuple[Fraction, ...]:
        """The output bias as k numbers, for every k."""
        return (self.c,) if self.k == 1 else self.c

    def v_of(self, j: int) -> tuple[Fraction, ...]:
        """v_j, unit j's output vector (k numbers; column j of :attr:`V`)."""
        return tuple(row[j] for row in self.V)

    def unit(self, j: int) -> tuple[Fraction, ...]:
        """u_j = (w_j, b_j) in Q^(d+1): the unit's pre-activation is u_j . (x, 1)."""
        return (*self.W[j], self.b[j])

    # -- evaluation ------------------------------------------------------------------------
    def __call__(self, x: Any) -> Any:
        """f(x): a number for k = 1, a tuple of k numbers for k > 1."""
        xs = (exact(x, "x"),) if not _is_row(x) else exact_vector(x, "x", length=self.d)
        if len(xs) != self.d:
            raise DimensionMismatch(f"x has {len(xs)} coordinates but the network has d={self.d}.")
        acts = [activation(sum((w * t for w, t in zip(self.W[j], xs, strict=True)), self.b[j]),
                           self.negative_slope) for j in range(self.m)]
        out = tuple(c + sum((v * a for v, a in zip(row, acts, strict=True)), Fraction(0))
                    for row, c in zip(self.V, self.C, strict=True))
        return out[0] if self.k == 1 else out

    def preactivations(self, dataset: Dataset) -> list[list[Fraction]]:
        """z[i][j] = w_j . x_i + b_j, exactly (an n x m table)."""
        return self.preactivation_table(dataset).fractions()

    def preactivation_table(self, dataset: Dataset) -> linalg.AffineTable:
        """The same table kept as integers over per-row and per-unit denominators.

        The last table is kept with the dataset it was made for (the point is immutable), so
        a decision, its check and the snap that calls both compute it once; callers only read
        it. (Identity of the dataset, not equality: a cheap test that cannot be fooled.)"""
        cached = self.__dict__.get("_table")
        if cached is not None and cached[0] is dataset:
            return cached[1]
        self._check_dims(dataset)
        table = linalg.affine_table(dataset.X, [self.unit(j) for j in range(self.m)])
        object.__setattr__(self, "_table", (dataset, table))
        return table

    def outputs(self, dataset: Dataset) -> list[Any]:
        """f(x_i) for every data point (k-tuples for k > 1)."""
        rows = self.output_rows(dataset)
        return [r[0] for r in rows] if self.k == 1 else rows

    def output_rows(self, dataset: Dataset) -> list[tuple[Fraction, ...]]:
        """f(x_i) as a row of k numbers for every data point (every k)."""
        table = self.preactivation_table(dataset)
        cols = [table.relu_combination(row, c, self.negative_slope)
                for row, c in zip(self.V, self.C, strict=True)]
        return [tuple(col[i] for col in cols) for i in range(dataset.n)]

    def residuals(self, dataset: Dataset) -> list[Any]:
        """r_i = f(x_i) - y_i (k-tuples for k > 1)."""
        rows = self.residual_rows(dataset)
        return [r[0] for r in rows] if self.k == 1 else rows

    def residual_rows(self, dataset: Dataset) -> list[tuple[Fraction, ...]]:
        """r_i = f(x_i) - y_i as a row of k numbers for every data point (every k)."""
        return [tuple(f - y for f, y in zip(fr, yr, strict=True))
                for fr, yr in zip(self.output_rows(dataset), dataset.Y, strict=True)]

    def loss(self, dataset: Dataset) -> Fraction:
        """Squared loss L = sum_i |f(x_i) - y_i|^2, exactly (Equation (1), summed over the
        outputs)."""
        return linalg.sum_of_squares([t for r in self.residual_rows(dataset) for t in r])

    # -- symmetries and moves --------------------------------------------------------------
    def replace(self, *, allow_float: bool = False, **changes: Any) -> ShallowReLU:
        """A copy with some of W, b, v, c replaced (other names are an error: a typo must
        not leave the point silently unchanged)."""
        unknown = sorted(set(changes) - {"W", "b", "v", "c"})
        if unknown:
            raise InvalidType(f"replace() got unknown parameter(s) {', '.join(unknown)}; the "
                            "parameters of a ShallowReLU are W, b, v and c.")
        parts = {"W": self.W, "b": self.b, "v": self.v, "c": self.c, **changes}
        kw = self.space.parameterisation()
        new_W = exact_rows(parts["W"], "W", what="units", allow_float=allow_float)
        new_k = len(output_matrix(parts["v"], len(new_W), allow_float))
        if (len(new_W), len(new_W[0]), new_k) != (self.m, self.d, self.k):
            kw.pop("frozen", None)  # the names refer to units that changed; only bias flags stay
        return ShallowReLU(parts["W"], parts["b"], parts["v"], parts["c"],
                           allow_float=allow_float, negative_slope=self.negative_slope, **kw)

    def permuted(self, order: list[int]) -> ShallowReLU:
        """Hidden units reordered: unit k of the result is unit order[k] of self."""
        if sorted(order) != list(range(self.m)):
            raise ShapeError(f"order={order!r} must be a permutation of range({self.m}).")
        # frozen names follow their unit: unit order[k] becomes unit k
        new_of = {old + 1: new + 1 for new, old in enumerate(order)}
        frozen = [_renumber(name, new_of) for name in self.space.frozen]
        V = [[row[j] for j in order] for row in self.V]
        return ShallowReLU([self.W[j] for j in order], [self.b[j] for j in order],
                           V[0] if self.k == 1 else V, self.c, bias=self.space.bias,
                           frozen=frozen, negative_slope=self.negative_slope)

    def rescaled(self, j: int, a: Any) -> ShallowReLU:
        """(w_j, b_j, v_j) -> (a w_j, a b_j, v_j / a) for a > 0: the same function (Remark 1)."""
        a = exact(a, "a")
        if a <= 0:
            raise InvalidArgument(f"a={a} must be positive: the activation is only positively "
                                  "homogeneous.")
        if not isinstance(j, int) or isinstance(j, bool) or not 0 <= j < self.m:
            raise ShapeError(f"j={j!r} must be a unit index in range({self.m}) (0-based).")
        W = list(self.W)
        b = list(self.b)
        V = [list(row) for row in self.V]
        W[j] = tuple(a * t for t in W[j])
        b[j] = a * b[j]
        for row in V:
            row[j] = row[j] / a
        return self.replace(W=W, b=b, v=V[0] if self.k == 1 else V)

    def parameters(self) -> tuple[Fraction, ...]:
        """The flat parameter vector ``[w_1, ..., w_m, b, v, c]`` (ParameterSpace's layout; with
        k outputs, ``v`` row by row, then the k entries of c)."""
        return self.space.flatten((self.W, self.V), (self.b, self.C))

    def with_parameters(self, values: Any) -> ShallowReLU:
        """The network of the same shape with the flat parameter vector ``values``."""
        vals = exact_vector(values, "values", length=self.space.size)
        (W, V), (b, C) = self.space.unflatten(vals)
        kw = {**self.space.parameterisation(), "negative_slope": self.negative_slope}
        if self.k == 1:
            return ShallowReLU(W, b, V[0], C[0], **kw)
        return ShallowReLU(W, b, V, C, **kw)

    def distance(self, other: ShallowReLU) -> Fraction:
        """Max-norm distance between two parameter points of the same shape."""
        if not isinstance(other, ShallowReLU) or (self.m, self.d, self.k) != (
                other.m, other.d, other.k):
            raise ShapeError("distance needs two networks of the same shape (m, d, k).")
        return max(abs(a - b) for a, b in zip(self.parameters(), other.parameters(), strict=True))

    # -- serialisation ---------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """JSON form with exact numbers as strings."""
        nested = self.k > 1  # k outputs: v is k rows, c a list (k = 1 as it always was)
        return {
            "W": [[str(t) for t in row] for row in self.W],
            "b": [str(t) for t in self.b],
            "v": [[str(t) for t in row] for row in self.V] if nested else [str(t) for t in self.v],
            "c": [str(t) for t in self.C] if nested else str(self.c),
            **slope_json(self.negative_slope),
            **self.space.parameterisation_json(),
        }

    @classmethod
    def from_json(cls, data: Any) -> ShallowReLU:
        """Inverse of :meth:`to_json`; also reads ``"bias"`` (true/false or one flag per layer),
        ``"frozen"`` (a list of names) and ``"negative_slope"`` (the activation, default 0: the
        ReLU); "b"/"c" may be left out for a bias-free layer."""
        missing = [k for k in ("W", "v") if not isinstance(data, dict) or k not in data]
        if missing:
            raise ShapeError(f"params must be an object with keys 'W', 'b', 'v' and 'c'; "
                             f"{missing[0]!r} is missing.")
        unknown = sorted(set(data) - {"W", "b", "v", "c", "bias", "frozen", "negative_slope"})
        if unknown:
            raise ShapeError(f"params has unknown key(s) {unknown}; a one-hidden-layer point has "
                             "'W', 'b', 'v', 'c' and optionally 'bias', 'frozen' and "
                             "'negative_slope'.")
        bias = data.get("bias", True)
        flags = ParameterSpace.shallow(1, 1).with_parameterisation(bias=bias).bias
        for key, has in (("b", flags[0]), ("c", flags[1])):
            if has and key not in data:
                raise ShapeError(f'params has no key "{key}": layer {1 if key == "b" else 2} '
                                 f'has a bias; give "{key}", or say "bias": false for it.')
        return cls(data["W"], data.get("b"), data["v"], data.get("c"), bias=bias,
                   frozen=data.get("frozen", ()), negative_slope=data.get("negative_slope", 0))

    def _check_dims(self, dataset: Dataset) -> None:
        require_dataset(dataset, pair=False)  # a network's methods take a Dataset, built once
        if dataset.k != self.k:
            raise DimensionMismatch(
                f"params has k={self.k} output(s) (v has {self.k} row(s)) but dataset has "
                f"k={dataset.k} target(s) per point; give one row of v (and one entry of c) per "
                "output.")
        if dataset.d != self.d:
            hint = (f" W is {self.m} x {self.d}: with one row per hidden unit it looks "
                    "transposed." if self.m == dataset.d else "")
            raise DimensionMismatch(
                f"params has d={self.d} inputs per unit but dataset has d={dataset.d}; "
                f"W must have one row per hidden unit and one column per input coordinate."
                + hint
            )

    def _check(self) -> None:
        """Re-verify the invariants (used by tests)."""
        require(self.m >= 1 and self.d >= 1,
                f"ShallowReLU invariant broken: {self!r}", ShapeError)
        require(all(len(r) == self.d for r in self.W),
                f"ShallowReLU invariant broken: {self!r}", ShapeError)
        require(len(self.b) == self.m and all(len(r) == self.m for r in self.V),
                f"ShallowReLU invariant broken: {self!r}", ShapeError)
        require(len(self.V) == len(self.C) == self.k and all(
            isinstance(t, Fraction) for r in self.V for t in r),
                f"ShallowReLU invariant broken: {self!r}", ShapeError)
        require(all(isinstance(t, Fraction) for r in self.W for t in r),
                f"ShallowReLU invariant broken: {self!r}", ShapeError)
        require(isinstance(self.negative_slope, Fraction),
                f"ShallowReLU invariant broken: {self!r}", ShapeError)
        require(all(isinstance(t, Fraction) for t in self.C)
                and isinstance(self.c, Fraction) == (self.k == 1),
                f"ShallowReLU invariant broken: {self!r}", ShapeError)


def _renumber(name: str, new_of: dict[int, int]) -> str:
    """A frozen name after a permutation of the hidden units (new_of: old unit -> new, 1-based)."""
    import re

    m = re.fullmatch(r"(W_1|b_1)\[(\d+)(.*)\]", name)
    if m:
        return f"{m.group(1)}[{new_of[int(m.group(2))]}{m.group(3)}]"
    m = re.fullmatch(r"W_2\[(\d+),(\d+)\]", name)
    if m:
        return f"W_2[{m.group(1)},{new_of[int(m.group(2))]}]"
    return name
