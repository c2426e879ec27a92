"""One-hidden-layer sigmoid and tanh networks, modelled exactly with sympy (Section 3.1).

f(x) = c + sum_j v_j s(w_j . x + b_j) with s = sigmoid (1 / (1 + e^-t)) or tanh; the
parameters are exact rationals. The squared loss sum_i (f(x_i) - y_i)^2 and the logistic loss
sum_i log(1 + exp(-y_i f(x_i))) (targets +-1) are closed-form sympy expressions, exact (they
contain e^q for rational q, so they are not rational themselves), evaluable to any precision
with mpmath. :mod:`relu_minima.numeric` uses the same flat layout and agrees with these values.

>>> net = SmoothNet([[0]], [0], [2], 1, activation="sigmoid")
>>> net.expression([5])
2
>>> from relu_minima.exact.datasets import Dataset
>>> net.loss_expression(Dataset([0, 1], [2, 2]))
0
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy

from ..errors import DimensionMismatch, InvalidArgument, InvalidNumberError, ShapeError
from .datasets import Dataset, require_dataset, require_one_output
from .numbers import exact, exact_rows, exact_vector, literal, pretty_as_repr, show
from .params import ParameterSpace

__all__ = ["SmoothNet", "activation_expression"]

ACTIVATIONS = ("sigmoid", "tanh")


def activation_expression(name: str, t: sympy.Expr) -> sympy.Expr:
    """sigmoid(t) = 1 / (1 + exp(-t)) or tanh(t), as sympy expressions."""
    if name == "sigmoid":
        return 1 / (1 + sympy.exp(-t))
    if name == "tanh":
        return sympy.tanh(t)
    raise InvalidArgument(f"activation={name!r} must be 'sigmoid' or 'tanh'.")


def _q(value: Fraction) -> sympy.Rational:
    return sympy.Rational(value.numerator, value.denominator)


@dataclass(frozen=True, init=False)
class SmoothNet:
    """f(x) = c + sum_j v_j s(w_j . x + b_j), s = sigmoid or tanh, exact rational parameters.

    ``W`` is m rows of d numbers (a flat list means d = 1); floats are refused. ``bias`` and
    ``frozen`` set the parameterisation as for :class:`~relu_minima.exact.shallow_relu.ShallowReLU`
    (docs/parameterisation.md); the interval decision then works on the moving coordinates.
    """

    W: tuple[tuple[Fraction, ...], ...]
    b: tuple[Fraction, ...]
    v: tuple[Fraction, ...]
    c: Fraction
    activation: str

    space: ParameterSpace = field(repr=False)  # which coordinates move

    def __init__(self, W: Any, b: Any, v: Any, c: Any, *, activation: str = "sigmoid",
                 bias: Any = True, frozen: Any = ()) -> None:
        if activation not in ACTIVATIONS:
            raise InvalidArgument(f"activation={activation!r} must be 'sigmoid' or 'tanh'.")
        W_exact = exact_rows(W, "W", what="units")
        m = len(W_exact)
        space = ParameterSpace((len(W_exact[0]), m, 1), bias, frozen)
        b = [0] * m if b is None and not space.bias[0] else b
        c = 0 if c is None and not space.bias[1] else c
        for name, value in (("b", b), ("c", c)):
            if value is None:
                raise ShapeError(f"{name}=None but layer {1 if name == 'b' else 2} has a bias; "
                                 f"give {name}, or say bias=False for that layer.")
        object.__setattr__(self, "W", W_exact)
        object.__setattr__(self, "b", exact_vector(b, "b", length=m))
        object.__setattr__(self, "v", exact_vector(v, "v", length=m))
        object.__setattr__(self, "c", exact(c, "c"))
        object.__setattr__(self, "activation", activation)
        object.__setattr__(self, "space", space)
        if not all(space.bias):
            space.check_point(self.parameters())

    def with_space(self, bias: Any = True, frozen: Any = ()) -> SmoothNet:
        """The same point with another parameterisation (as for ShallowReLU)."""
        return SmoothNet(self.W, self.b, self.v, self.c, activation=self.activation, bias=bias,
                         frozen=frozen)

    _repr_pretty_ = pretty_as_repr  # hypothesis and IPython print the repr, which pastes back

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.space.parameterisation().items())
        return (f"SmoothNet(W={literal(self.W)}, b={literal(self.b)}, v={literal(self.v)}, "
                f"c={literal(self.c)}, activation={self.activation!r}{extra})")

    def __str__(self) -> str:
        return (f"SmoothNet(W={show(self.W)}, b={show(self.b)}, v={show(self.v)}, "
                f"c={show(self.c)}, activation={self.activation!r})")

    def _repr_markdown_(self) -> str:
        """Notebook display: the formula and one table row per unit (counted from 1)."""
        rows = "\n".join(f"| {j + 1} | {show(self.W[j])} | {show(self.b[j])} | "
                         f"{show(self.v[j])} |" for j in range(self.m))
        return (f"**SmoothNet** f(x) = c + sum_j v_j {self.activation}(w_j . x + b_j), "
                f"m = {self.m} unit(s), d = {self.d}\n\n| unit | w | b | v |\n"
                f"| --- | --- | --- | --- |\n{rows}\n\nc = {show(self.c)}")

    @property
    def m(self) -> int:
        """Number of hidden units."""
        return len(self.W)

    @property
    def d(self) -> int:
        """Input dimension."""
        return len(self.W[0])

    def parameters(self) -> tuple[Fraction, ...]:
        """The flat parameter vector w_1..w_m, b, v, c (ParameterSpace's layout)."""
        return self.space.flatten((self.W, (self.v,)), (self.b, (self.c,)))

    def parameter_symbols(self) -> tuple[sympy.Symbol, ...]:
        """Symbols w_j_k, b_j, v_j, c in the flat layout (1-based names)."""
        ws = [sympy.Symbol(f"w_{j + 1}_{k + 1}") for j in range(self.m) for k in range(self.d)]
        return (*ws, *sympy.symbols(f"b_1:{self.m + 1}"), *sympy.symbols(f"v_1:{self.m + 1}"),
                sympy.Symbol("c"))

    def _f(self, x: tuple[Fraction, ...], params: tuple[Any, ...]) -> sympy.Expr:
        m, d = self.m, self.d
        out = params[-1]
        for j in range(m):
            t = sum((params[j * d + k] * _q(x[k]) for k in range(d)), params[m * d + j])
            out += params[m * d + m + j] * activation_expression(self.activation, t)
        return out

    def _x(self, x: Any) -> tuple[Fraction, ...]:
        xs = exact_vector(x if hasattr(x, "__iter__") and not isinstance(x, str) else [x], "x")
        if len(xs) != self.d:
            raise DimensionMismatch(f"x has {len(xs)} coordinates but the network has d={self.d}.")
        return xs

    def expression(self, x: Any) -> sympy.Expr:
        """f(x) as an exact sympy expression."""
        return sympy.simplify(self._f(self._x(x), tuple(_q(t) for t in self.parameters())))

    def symbolic_loss(self, dataset: Dataset, loss: str = "squared"
                      ) -> tuple[sympy.Expr, tuple[sympy.Symbol, ...]]:
        """The loss as a closed-form expression in the parameter symbols (flat layout)."""
        require_one_output(require_dataset(dataset, pair=False), "SmoothNet")
        if dataset.d != self.d:
            raise DimensionMismatch(f"params has d={self.d} but dataset has d={dataset.d}.")
        syms = self.parameter_symbols()
        terms = []
        for i, (x, y) in enumerate(dataset):
            f = self._f(x, syms)
            if loss == "squared":
                terms.append((f - _q(y)) ** 2)
            elif loss == "logistic":
                if y not in (1, -1):
                    raise InvalidNumberError(f"y[{i}]={y} but the logistic loss needs +-1.")
                terms.append(sympy.log(1 + sympy.exp(-_q(y) * f)))
            else:
                raise InvalidNumberError(f"loss={loss!r} must be 'squared' or 'logistic'.")
        return sympy.Add(*terms), syms

    def loss_expression(self, dataset: Dataset, loss: str = "squared", *,
                        simplify: bool = True) -> sympy.Expr:
        """The loss at these exact parameters, a closed-form sympy expression."""
        expr, syms = self.symbolic_loss(dataset, loss)
        value = expr.subs(dict(zip(syms, (_q(t) for t in self.parameters()), strict=True)))
        return sympy.simplify(value) if simplify else value

    def loss(self, dataset: Dataset, loss: str = "squared", dps: int = 50) -> Any:
        """The loss evaluated with mpmath to ``dps`` significant digits (an mpmath mpf)."""
        import mpmath

        expr = self.loss_expression(dataset, loss, simplify=False)
        with mpmath.workdps(dps + 10):
            return mpmath.mpf(sympy.N(expr, dps + 10))

    def gradient(self, dataset: Dataset, loss: str = "squared", dps: int = 30) -> list[Any]:
        """dL/dtheta (flat layout) by symbolic differentiation, evaluated to ``dps`` digits."""
        expr, syms = self.symbolic_loss(dataset, loss)
        point = dict(zip(syms, (_q(t) for t in self.parameters()), strict=True))
        return [sympy.N(sympy.diff(expr, s).subs(point), dps) for s in syms]

    def distance(self, other: SmoothNet) -> Fraction:
        """Max-norm distance between the flat parameter vectors (same shape)."""
        if not isinstance(other, SmoothNet) or (other.m, other.d) != (self.m, self.d):
            raise ShapeError(f"other={other!r} must be a SmoothNet with m={self.m}, d={self.d}.")
        return max(abs(a - b) for a, b in zip(self.parameters(), other.parameters(),
                                               strict=True))

    @classmethod
    def from_json(cls, data: Any) -> SmoothNet:
        """Inverse of :meth:`to_json` (keys W, b, v, c and activation; optionally "bias" and
        "frozen", and then b or c may be left out for a bias-free layer)."""
        missing = [k for k in ("W", "v", "activation")
                   if not isinstance(data, dict) or k not in data]
        if missing:
            raise ShapeError(f'params has no key "{missing[0]}": a sigmoid/tanh network has '
                             "'W', 'b', 'v', 'c' and 'activation' ('sigmoid' or 'tanh').")
        return cls(data["W"], data.get("b"), data["v"], data.get("c"),
                   activation=data["activation"], bias=data.get("bias", True),
                   frozen=data.get("frozen", ()))

    def to_json(self) -> dict[str, Any]:
        """JSON form with exact numbers as strings."""
        return {"W": [[str(t) for t in r] for r in self.W], "b": [str(t) for t in self.b],
                "v": [str(t) for t in self.v], "c": str(self.c), "activation": self.activation,
                **self.space.parameterisation_json()}
