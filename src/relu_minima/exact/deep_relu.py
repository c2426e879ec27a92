"""Deep ReLU networks, evaluated exactly (Section 3.2, Equation (2)).

f(x) = W_k relu(W_{k-1} relu( ... relu(W_1 x + b_1) ... ) + b_{k-1}) + b_k: k affine layers,
ReLU after every layer but the last, one output (or several: the last layer's rows, one per
output). ``weights[n]`` is the matrix of layer n (0-based: ``weights[0]`` is the paper's W_1)
given as a list of rows, shape (out, in). Parameters are exact rationals; the squared loss is
Equation (2), L = sum_i (f(x_i) - y_i)^2, summed over the outputs when there are several.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..errors import DimensionMismatch, InvalidType, ShapeError, require
from . import linalg
from .datasets import Dataset, require_dataset
from .numbers import (
    _as_sequence,
    brief,
    exact,
    exact_matrix,
    exact_vector,
    latex,
    literal,
    pretty_as_repr,
    show,
)
from .params import ParameterSpace
from .shallow_relu import ShallowReLU, relu

__all__ = ["DeepReLU"]

Matrix = tuple[tuple[Fraction, ...], ...]
Table = tuple[tuple[Fraction, ...], ...]


@dataclass(frozen=True, init=False)
class DeepReLU:
    """The network of Equation (2): k affine layers, ReLU between them, scalar linear output.

    ``weights`` is a list of k matrices (each a list of rows; ``weights[n]`` has one row per
    unit of layer n and one column per unit of layer n-1, or per input for n = 0); ``biases``
    is a list of k vectors. The last layer has one row per output (one row: the scalar output
    of Equation (2); k rows: k outputs, with targets of k numbers). Floats are refused unless
    ``allow_float=True``.

    ``bias`` (True/False, or one flag per layer) and ``frozen`` (names such as ``"W_2[1,3]"``)
    set the parameterisation (:class:`~relu_minima.exact.params.ParameterSpace`); a bias-free
    layer's entry of ``biases`` may be None (or ``biases`` itself None when no layer has one).

    >>> net = DeepReLU([[[1], [-1]], [[1, 1]]], [[0, 0], [0]])   # |x| as a 1-2-1 net
    >>> net.depth, net.widths, net(-3)
    (2, (1, 2, 1), Fraction(3, 1))
    >>> DeepReLU([[["1/2"]]], [[0]])       # repr pastes back; str prints as sympy does
    DeepReLU(weights=[[['1/2']]], biases=[[0]])
    >>> print(DeepReLU([[["1/2"]]], [[0]]))
    DeepReLU(weights=[[[1/2]]], biases=[[0]])
    """

    weights: tuple[Matrix, ...]
    biases: tuple[tuple[Fraction, ...], ...]
    space: ParameterSpace = field(repr=False)

    def __init__(self, weights: Any, biases: Any, *, allow_float: bool = False,
                 bias: Any = True, frozen: Any = ()) -> None:
        layers = _as_sequence(weights, "weights")
        if len(layers) == 0:
            raise ShapeError("weights is empty: the network needs at least one layer (k >= 1).")
        if biases is None:
            biases = [None] * len(layers)
        bias_items = _as_sequence(biases, "biases")
        if len(bias_items) != len(layers):
            raise ShapeError(
                f"biases has {len(bias_items)} vectors but weights has {len(layers)} layers; "
                "give one bias vector per layer."
            )
        mats: list[Matrix] = []
        for n, layer in enumerate(layers):
            rows = _as_sequence(layer, f"weights[{n}]")
            if len(rows) == 0:
                raise ShapeError(f"weights[{n}] is empty: every layer needs at least one unit.")
            for j, r in enumerate(rows):
                if not _is_seq(r):
                    raise ShapeError(
                        f"weights[{n}][{j}]={r!r} is a number but must be a row (a list of "
                        f"numbers, one per {'input' if n == 0 else f'unit of layer {n - 1}'}); "
                        "weights[n] has shape (out, in)."
                    )
            M = exact_matrix(rows, f"weights[{n}]", allow_float=allow_float)
            if len(M[0]) == 0:
                raise ShapeError(f"weights[{n}][0] is empty: every row needs at least one entry.")
            if n > 0 and len(M[0]) != len(mats[n - 1]):
                flipped = len(M) == len(mats[n - 1])
                raise ShapeError(
                    f"weights[{n}] has {len(M[0])} columns but layer {n - 1} has "
                    f"{len(mats[n - 1])} units (weights[{n - 1}] has {len(mats[n - 1])} rows); "
                    "each layer takes one input per unit of the previous layer."
                    + (f" weights[{n}] has one row per unit of its layer (shape (out, in)); "
                       "it looks transposed." if flipped else "")
                )
            mats.append(M)
        widths = (len(mats[0][0]), *(len(M) for M in mats))
        space = ParameterSpace(widths, bias, frozen)
        flags = space.bias
        items = list(bias_items)
        for n, M in enumerate(mats):
            if items[n] is None:
                if flags[n]:
                    raise ShapeError(f"biases[{n}]=None but layer {n + 1} has a bias; give it, "
                                     "or say bias=False for that layer.")
                items[n] = [0] * len(M)
        bs = tuple(
            exact_vector(items[n], f"biases[{n}]", length=len(M), allow_float=allow_float)
            for n, M in enumerate(mats)
        )
        object.__setattr__(self, "weights", tuple(mats))
        object.__setattr__(self, "biases", bs)
        object.__setattr__(self, "space", space)
        if not all(space.bias):  # only bias-free layers constrain the values
            space.check_point(self.parameters())

    def with_space(self, bias: Any = True, frozen: Any = ()) -> DeepReLU:
        """The same point with another parameterisation (``bias``/``frozen`` as in the class).

        The same weights and biases give the same forward pass: the copy shares the cached one
        (the restricted decision runs the full-space one on this copy)."""
        other = DeepReLU(self.weights, self.biases, bias=bias, frozen=frozen)
        if "_forward" in self.__dict__:
            object.__setattr__(other, "_forward", self.__dict__["_forward"])
        return other

    # -- printing --------------------------------------------------------------------------
    _repr_pretty_ = pretty_as_repr  # hypothesis and IPython print the repr, which pastes back

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.space.parameterisation().items())
        return f"DeepReLU(weights={literal(self.weights)}, biases={literal(self.biases)}{extra})"

    def __str__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.space.parameterisation().items())
        return f"DeepReLU(weights={show(self.weights)}, biases={show(self.biases)}{extra})"

    def _repr_markdown_(self) -> str:
        """Notebook display: widths and each layer's matrix and bias (layers counted from 1)."""
        lines = [f"**DeepReLU** (Equation (2)), widths {' - '.join(map(str, self.widths))}, "
                 f"{self.n_params} parameters", ""]
        for n, (M, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            mat = " \\\\ ".join(" & ".join(latex(t) for t in row) for row in M)
            vec = " \\\\ ".join(latex(t) for t in b)
            lines.append(f"- $W_{{{n + 1}}} = \\begin{{pmatrix}} {mat} \\end{{pmatrix}}$, "
                         f"$b_{{{n + 1}}} = \\begin{{pmatrix}} {vec} \\end{{pmatrix}}$")
        return "\n".join(lines)

    def loss_expression(self, dataset: Dataset) -> Any:
        """The exact loss as a sympy Rational (shown in LaTeX by notebooks); :meth:`loss`
        gives the same number as a Fraction."""
        import sympy

        q = self.loss(dataset)
        return sympy.Rational(q.numerator, q.denominator)

    # -- shape -----------------------------------------------------------------------------
    @property
    def depth(self) -> int:
        """k, the number of affine layers (k - 1 hidden ReLU layers)."""
        return len(self.weights)

    @property
    def widths(self) -> tuple[int, ...]:
        """(d, h_1, ..., h_{k-1}, outputs)."""
        return (self.d, *(len(M) for M in self.weights))

    @property
    def outputs_count(self) -> int:
        """The number of outputs (rows of the last layer; 1 in Equation (2))."""
        return len(self.weights[-1])

    @property
    def d(self) -> int:
        """Input dimension."""
        return len(self.weights[0][0])

    @property
    def n_params(self) -> int:
        """Number of scalar parameters."""
        return self.space.size

    # -- evaluation ------------------------------------------------------------------------
    def forward(self, x: Any) -> Any:
        """f(x), exactly (a tuple of the outputs when there are several)."""
        xs = (exact(x, "x"),) if not _is_seq(x) else exact_vector(x, "x")
        if len(xs) != self.d:
            raise DimensionMismatch(f"x has {len(xs)} coordinates but the network has d={self.d}.")
        h: Sequence[Fraction] = xs
        for n, (M, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = [sum((w * t for w, t in zip(row, h, strict=True)), bj) for row, bj in zip(M, b,
                                                                                        strict=True)]
            h = z if n == self.depth - 1 else [relu(t) for t in z]
        return h[0] if len(h) == 1 else tuple(h)

    __call__ = forward

    def preactivations(self, dataset: Dataset) -> tuple[Table, ...]:
        """Per layer n, the n_points x h_n table of W_n a_{n-1} + b_n (the last is the output).

        The forward pass is kept with the dataset it was made for, as ``ShallowReLU`` keeps its
        pre-activation table: the point is immutable and the tables are tuples, so the rules of
        one deep decision, its search and its ``check()`` share one pass instead of each
        recomputing it. (Identity of the dataset, not equality: a cheap test that cannot be
        fooled.)
        """
        cached = self.__dict__.get("_forward")
        if cached is not None and cached[0] is dataset:
            return cached[1]
        tables = self._forward_pass(dataset)
        object.__setattr__(self, "_forward", (dataset, tables))
        return tables

    def _forward_pass(self, dataset: Dataset) -> tuple[Table, ...]:
        self._check_dims(dataset)
        tables: list[Table] = []
        a: Sequence[Sequence[Fraction]] = dataset.X
        for n, (M, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            units = [(*row, bj) for row, bj in zip(M, b, strict=True)]
            z = tuple(tuple(r) for r in linalg.affine_products(a, units))
            tables.append(z)
            if n < self.depth - 1:
                a = [[relu(t) for t in r] for r in z]
        return tuple(tables)

    def hidden_activations(self, dataset: Dataset) -> tuple[Table, ...]:
        """Per hidden layer (k - 1 of them), the table of relu(pre-activation)."""
        pre = self.preactivations(dataset)
        return tuple(tuple(tuple(relu(t) for t in r) for r in z) for z in pre[:-1])

    def outputs(self, dataset: Dataset) -> list[Any]:
        """f(x_i) for every data point (rows of the outputs when there are several)."""
        rows = self.output_rows(dataset)
        return [r[0] for r in rows] if self.outputs_count == 1 else rows

    def output_rows(self, dataset: Dataset) -> list[tuple[Fraction, ...]]:
        """f(x_i) as a row of every output, for every data point (any number of outputs)."""
        return list(self.preactivations(dataset)[-1])

    def residuals(self, dataset: Dataset) -> list[Any]:
        """r_i = f(x_i) - y_i (rows when there are several outputs)."""
        rows = self.residual_rows(dataset)
        return [r[0] for r in rows] if self.outputs_count == 1 else rows

    def residual_rows(self, dataset: Dataset) -> list[tuple[Fraction, ...]]:
        """r_i = f(x_i) - y_i as rows (any number of outputs)."""
        return [tuple(f - y for f, y in zip(fr, yr, strict=True))
                for fr, yr in zip(self.output_rows(dataset), dataset.Y, strict=True)]

    def loss(self, dataset: Dataset) -> Fraction:
        """Squared loss L = sum_i |f(x_i) - y_i|^2, exactly (Equation (2))."""
        return sum((t * t for r in self.residual_rows(dataset) for t in r), Fraction(0))

    # -- moves -----------------------------------------------------------------------------
    def replace(self, **changes: Any) -> DeepReLU:
        """A copy with ``weights`` and/or ``biases`` replaced."""
        unknown = set(changes) - {"weights", "biases"}
        if unknown:
            raise InvalidType(f"replace() got unknown fields {sorted(unknown)}; "
                              "use weights/biases.")
        parts = {"weights": self.weights, "biases": self.biases, **changes}
        return DeepReLU(parts["weights"], parts["biases"], **self._same_shape_space(
            parts["weights"]))

    def _same_shape_space(self, weights: Any) -> dict[str, Any]:
        """This parameterisation if ``weights`` keep the widths, else only the bias flags (the
        frozen names refer to coordinates that may no longer exist)."""
        kw = self.space.parameterisation()
        try:
            same = tuple(len(M) for M in weights) == self.widths[1:] and \
                len(weights[0][0]) == self.d
        except (TypeError, IndexError):
            same = False
        if not same:
            kw.pop("frozen", None)
            if len(weights) != self.depth:
                kw.pop("bias", None)
        return kw

    def replace_layer(self, n: int, W: Any = None, b: Any = None) -> DeepReLU:
        """A copy with layer n's matrix and/or bias replaced."""
        if not -self.depth <= n < self.depth:
            raise ShapeError(f"n={n} is not a layer index of a depth-{self.depth} network.")
        weights = list(self.weights)
        biases = list(self.biases)
        if W is not None:
            weights[n] = W
        if b is not None:
            biases[n] = b
        return DeepReLU(weights, biases, **self._same_shape_space(weights))

    def parameters(self) -> tuple[Fraction, ...]:
        """All parameters in the flat order of :class:`~relu_minima.exact.params.ParameterSpace`:
        layer by layer, W_n row by row, then b_n."""
        return self.space.flatten(self.weights, self.biases)

    def with_parameters(self, values: Any) -> DeepReLU:
        """The network of the same widths with the flat parameter vector ``values``."""
        vals = exact_vector(values, "values", length=self.n_params)
        weights, biases = self.space.unflatten(vals)
        return DeepReLU(weights, biases, **self.space.parameterisation())

    def distance(self, other: DeepReLU) -> Fraction:
        """Max-norm distance between two parameter points of the same widths."""
        if not isinstance(other, DeepReLU) or self.widths != other.widths:
            raise ShapeError("distance needs two DeepReLU networks of the same widths.")
        return max(abs(a - b) for a, b in zip(self.parameters(), other.parameters(), strict=True))

    # -- conversions -----------------------------------------------------------------------
    @classmethod
    def from_shallow(cls, net: ShallowReLU) -> DeepReLU:
        """The same function as a k = 2 network: weights (W, [v]), biases (b, [c]); the same
        flat layout, so the parameterisation carries over unchanged."""
        if not isinstance(net, ShallowReLU):
            raise InvalidType(f"net={brief(net)} must be a ShallowReLU.")
        return cls([net.W, net.V], [net.b, net.C], bias=net.space.bias,
                   frozen=net.space.frozen)

    def to_shallow(self) -> ShallowReLU:
        """The k = 2 network as a ShallowReLU (inverse of :meth:`from_shallow`)."""
        if self.depth != 2:
            raise ShapeError(f"to_shallow needs depth 2, but this network has depth {self.depth}.")
        V, C = self.weights[1], self.biases[1]
        one = len(V) == 1
        return ShallowReLU(self.weights[0], self.biases[0], V[0] if one else V,
                           C[0] if one else C, **self.space.parameterisation())

    def to_json(self) -> dict[str, Any]:
        """JSON form with exact numbers as strings."""
        return {
            "weights": [[[str(t) for t in row] for row in M] for M in self.weights],
            "biases": [[str(t) for t in b] for b in self.biases],
            **self.space.parameterisation_json(),
        }

    @classmethod
    def from_json(cls, data: Any) -> DeepReLU:
        """Inverse of :meth:`to_json`; also reads ``"bias"`` and ``"frozen"`` (see the class);
        "biases" may be left out when no layer has a bias."""
        missing = [k for k in ("weights", "biases") if not isinstance(data, dict) or (
            k not in data and (k == "weights" or data.get("bias", True) is not False))]
        if missing:
            raise ShapeError(f'params has no key "{missing[0]}": a deep point has '
                             "'weights' and 'biases' (which may be left out with "
                             '"bias": false).')
        unknown = sorted(set(data) - {"weights", "biases", "bias", "frozen"})
        if unknown:
            raise ShapeError(f"params has unknown key(s) {unknown}; a deep point has 'weights', "
                             "'biases' and optionally 'bias' and 'frozen'.")
        return cls(data["weights"], data.get("biases"), bias=data.get("bias", True),
                   frozen=data.get("frozen", ()))

    def _check_dims(self, dataset: Dataset) -> None:
        require_dataset(dataset, pair=False)
        if dataset.k != self.outputs_count:
            raise DimensionMismatch(
                f"params has {self.outputs_count} output(s) (weights[{self.depth - 1}] has "
                f"{self.outputs_count} row(s)) but dataset has k={dataset.k} target(s) per "
                "point; the last layer needs one row per output.")
        if dataset.d != self.d:
            raise DimensionMismatch(
                f"params has d={self.d} inputs (weights[0] has {self.d} columns) but dataset "
                f"has d={dataset.d}; weights[0] must have one column per input coordinate."
            )

    def _check(self) -> None:
        """Re-verify the invariants (used by tests)."""
        require(self.depth >= 1 and self.d >= 1 and len(self.weights[-1]) >= 1,
                f"DeepReLU invariant broken: {self!r}", ShapeError)
        for n, (M, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            require(len(M) >= 1 and len(b) == len(M),
                f"DeepReLU invariant broken: {self!r}", ShapeError)
            cols = self.d if n == 0 else len(self.weights[n - 1])
            require(all(len(r) == cols for r in M),
                f"DeepReLU invariant broken: {self!r}", ShapeError)
            require(all(isinstance(t, Fraction) for r in M for t in r),
                f"DeepReLU invariant broken: {self!r}", ShapeError)
            require(all(isinstance(t, Fraction) for t in b),
                f"DeepReLU invariant broken: {self!r}", ShapeError)


def _is_seq(value: Any) -> bool:
    return not isinstance(value, (str, bytes)) and hasattr(value, "__iter__")
