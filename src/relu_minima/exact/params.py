"""The parameter space of a layered network: the one place the flat parameter layout is written.

A network with widths (h_0 = d, h_1, ..., h_k) has k affine layers; layer n (1-based, as
in Equation (2)) has a weight matrix W_n of shape (h_n, h_{n-1}) and a bias vector b_n. The
last width is the number of outputs (1 for Equations (1) and (2); more for a network with
several outputs under the summed squared loss). A parameter point is the flat vector

    theta = (W_1 row by row, b_1, W_2 row by row, b_2, ..., W_k, b_k),

so a one-hidden-layer network (Equation (1)) with m units and d inputs reads
``[w_1 (d), ..., w_m (d), b_1..b_m, v_1..v_m, c]``, P = m(d + 2) + 1 coordinates (with k
outputs the output layer is W_2 = V, k rows of m, then c, k numbers). Every other
module (the exact models, the deep decision's germs, the numpy backend, the fuzzer, the
strategies) goes through :class:`ParameterSpace` to read or write that layout.

Coordinates are named 1-based for readers: ``W_n[j,k]`` is the weight from unit k of layer
n-1 (input k for n = 1) into unit j of layer n, ``b_n[j]`` the bias of that unit.

The space also records the *parameterisation*, i.e. which coordinates move: a layer
may have no bias (``bias[n-1] = False``: b_n is identically 0 and not a parameter, as in
``nn.Linear(..., bias=False)``), and any coordinate may be *frozen* (held at its value). The
flat layout is the same for every parameterisation (a bias-free layer keeps its zero bias
coordinates, held fixed), so evaluation, germs and witnesses never depend on it; only the
decisions do, and they move only :attr:`ParameterSpace.moving` coordinates. The defaults
(every layer with a bias, nothing frozen) are the full space of Equations (1) and (2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ..errors import InvalidArgument, ShapeError
from .numbers import pretty_as_repr

__all__ = ["LayerSlice", "ParameterSpace"]


@dataclass(frozen=True)
class LayerSlice:
    """Where layer n (1-based) lives in theta: W_n is theta[start:bias], b_n is theta[bias:stop]."""

    n: int
    out: int
    inp: int
    start: int
    bias: int
    stop: int


@dataclass(frozen=True)
class ParameterSpace:
    """Widths (d, h_1, ..., h_{k-1}, outputs), the flat layout of their parameters, and which
    of them move.

    ``bias``: True/False for every layer, or one flag per layer (layer 1 first); a layer without
    bias has b_n = 0 held fixed. ``frozen``: names (``"W_1[2,1]"``, ``"b_2[1]"``) or positions of
    coordinates held at their values. Both are stored normalised: ``bias`` as one bool per
    layer, ``frozen`` as names in layout order.

    >>> S = ParameterSpace((2, 3, 1), bias=(False, True), frozen=["b_2[1]"])
    >>> S.is_full, S.bias, S.frozen, len(S.fixed_positions)
    (False, (False, True), ('b_2[1]',), 4)
    >>> S.describe()
    'layer 1 has no bias (b_1 = 0, not a parameter); held fixed: b_2[1]'
    """

    widths: tuple[int, ...]
    bias: Any = True
    frozen: Any = ()

    _repr_pretty_ = pretty_as_repr  # hypothesis and IPython print the repr, which pastes back

    def __post_init__(self) -> None:
        widths = tuple(self.widths)
        if len(widths) < 2 or any(isinstance(h, bool) or not isinstance(h, int) or h < 1
                                  for h in widths):
            raise ShapeError(
                f"widths={self.widths!r} must be at least two positive integers (d, ..., "
                "outputs)."
            )
        object.__setattr__(self, "widths", widths)
        object.__setattr__(self, "bias", self._normal_bias(self.bias))
        object.__setattr__(self, "frozen", self._normal_frozen(self.frozen))

    def _normal_bias(self, bias: Any) -> tuple[bool, ...]:
        k = len(self.widths) - 1
        if isinstance(bias, bool):
            return (bias,) * k
        if isinstance(bias, (str, bytes)) or not hasattr(bias, "__iter__"):
            raise InvalidArgument(f"bias={bias!r} must be True, False or one flag per layer "
                                  f"(a list of {k} booleans, layer 1 first).")
        flags = tuple(bias)
        if not all(isinstance(t, bool) for t in flags):
            raise InvalidArgument(f"bias={list(flags)!r} must hold only True/False, one per layer.")
        if len(flags) != k:
            raise ShapeError(
                f"bias={list(flags)!r} has {len(flags)} flag(s) but widths {widths_text(self)} "
                f"have {k} layer(s) (layers 1..{k}); give one flag per layer, layer 1 first."
            )
        return flags

    def _normal_frozen(self, frozen: Any) -> tuple[str, ...]:
        if isinstance(frozen, (str, bytes)):
            frozen = [frozen]  # one name, not its characters
        if not hasattr(frozen, "__iter__"):
            raise InvalidArgument(f"frozen={frozen!r} must be a list of parameter names such as "
                                  f"{self.names[0]!r}.")
        positions = set()
        for item in frozen:
            if isinstance(item, int) and not isinstance(item, bool):
                if not 0 <= item < self.size:
                    raise ShapeError(f"frozen position {item} is outside 0..{self.size - 1}.")
                p = item
            elif isinstance(item, str):
                try:
                    p = self.index(item)
                except ShapeError as err:
                    raise ShapeError(f"frozen name {item!r} does not exist: {err}") from None
            else:
                raise InvalidArgument(f"frozen entry {item!r} must be a parameter name such as "
                                      f"{self.names[0]!r}.")
            n = self._layer_of(p)
            if not self.bias[n.n - 1] and p >= n.bias:
                raise InvalidArgument(
                    f"frozen name {self.names[p]!r} is the bias of layer {n.n}, which has no "
                    "bias (bias=False there): it is already 0 and not a parameter; drop it "
                    "from frozen.")
            positions.add(p)
        return tuple(self.names[p] for p in sorted(positions))

    @classmethod
    def shallow(cls, d: int, m: int, k: int = 1) -> ParameterSpace:
        """The space of Equation (1): d inputs, m hidden units, one output (k outputs)."""
        return cls((d, m, k))

    # -- shape -------------------------------------------------------------------------------
    @property
    def d(self) -> int:
        """Input dimension h_0."""
        return self.widths[0]

    @property
    def outputs(self) -> int:
        """The number of outputs (the last width)."""
        return self.widths[-1]

    @property
    def depth(self) -> int:
        """k, the number of affine layers."""
        return len(self.widths) - 1

    @cached_property
    def layers(self) -> tuple[LayerSlice, ...]:
        """One :class:`LayerSlice` per layer, in order."""
        out, pos = [], 0
        for n, (i, o) in enumerate(zip(self.widths, self.widths[1:], strict=False), start=1):
            out.append(LayerSlice(n, o, i, pos, pos + o * i, pos + o * i + o))
            pos += o * i + o
        return tuple(out)

    @property
    def size(self) -> int:
        """P, the number of coordinates of theta."""
        return self.layers[-1].stop

    def weight_index(self, n: int, j: int, k: int) -> int:
        """Position of W_n[j,k] (all 1-based) in theta."""
        L = self._layer(n)
        if not (1 <= j <= L.out and 1 <= k <= L.inp):
            raise ShapeError(f"W_{n}[{j},{k}] does not exist: W_{n} has shape ({L.out}, {L.inp}).")
        return L.start + (j - 1) * L.inp + (k - 1)

    def bias_index(self, n: int, j: int) -> int:
        """Position of b_n[j] (1-based) in theta."""
        L = self._layer(n)
        if not 1 <= j <= L.out:
            raise ShapeError(f"b_{n}[{j}] does not exist: layer {n} has {L.out} unit(s).")
        return L.bias + (j - 1)

    def _layer_of(self, p: int) -> LayerSlice:
        return next(L for L in self.layers if L.start <= p < L.stop)

    def _layer(self, n: int) -> LayerSlice:
        if not 1 <= n <= self.depth:
            raise ShapeError(f"layer n={n} does not exist: layers are 1..{self.depth}.")
        return self.layers[n - 1]

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Reader's names of the coordinates, in layout order (1-based)."""
        out: list[str] = []
        for L in self.layers:
            out += [f"W_{L.n}[{j},{k}]" for j in range(1, L.out + 1) for k in range(1, L.inp + 1)]
            out += [f"b_{L.n}[{j}]" for j in range(1, L.out + 1)]
        return tuple(out)

    def index(self, name: str) -> int:
        """Position of the coordinate called ``name`` (such as ``"W_2[1,3]"`` or ``"b_1[2]"``)."""
        try:
            return self._positions[name.replace(" ", "")]
        except KeyError:
            raise ShapeError(
                f"name={name!r} is not a parameter of widths {self.widths}; names look like "
                f"{self.names[0]!r} or {self.names[-1]!r}."
            ) from None

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {name: p for p, name in enumerate(self.names)}

    # -- the parameterisation -----------------------------------------------------------------
    @property
    def is_full(self) -> bool:
        """True when every coordinate moves (every layer has a bias, nothing frozen)."""
        return all(self.bias) and not self.frozen

    @cached_property
    def fixed_positions(self) -> frozenset[int]:
        """Positions that do not move: the biases of bias-free layers and the frozen names."""
        out = {self.index(name) for name in self.frozen}
        for L, has in zip(self.layers, self.bias, strict=True):
            if not has:
                out.update(range(L.bias, L.stop))
        return frozenset(out)

    @cached_property
    def moving(self) -> tuple[bool, ...]:
        """moving[p] is True when coordinate p is a parameter of the question."""
        fixed = self.fixed_positions
        return tuple(p not in fixed for p in range(self.size))

    def with_parameterisation(self, *, bias: Any = None, frozen: Any = None) -> ParameterSpace:
        """A copy with ``bias`` and/or ``frozen`` replaced (None keeps the current one)."""
        return ParameterSpace(self.widths, self.bias if bias is None else bias,
                              self.frozen if frozen is None else frozen)

    def require_full(self, error: type[Exception] = InvalidArgument) -> None:
        """Refuse a restricted parameterisation where a decision moves every coordinate."""
        if not self.is_full:
            raise error(f"params has a restricted parameterisation ({self.describe()}) but "
                        "this decision moves every parameter; use verify_local_minimum(params, "
                        "dataset), which decides the restricted question "
                        "(relu_minima.verify.deep.restricted).")

    def describe(self) -> str:
        """One line saying which coordinates move (for proof texts)."""
        parts = [f"layer {n} has no bias (b_{n} = 0, not a parameter)"
                 for n, has in enumerate(self.bias, start=1) if not has]
        if self.frozen:
            parts.append("held fixed: " + ", ".join(self.frozen))
        return "; ".join(parts) if parts else "every weight and bias is a parameter"

    def check_point(self, theta: Sequence[Any]) -> None:
        """Refuse a point whose bias-free layers have a nonzero bias."""
        for L, has in zip(self.layers, self.bias, strict=True):
            if not has and any(t != 0 for t in theta[L.bias:L.stop]):
                raise InvalidArgument(
                    f"b_{L.n}={[str(t) for t in theta[L.bias:L.stop]]} but layer {L.n} has no "
                    f"bias (bias=False there): its bias must be 0 (or omitted); give the layer "
                    "a bias (bias=True) to use these values.")

    def parameterisation(self) -> dict[str, Any]:
        """The keyword arguments (``bias``, ``frozen``) that rebuild this parameterisation on a
        model; empty for the full space."""
        out: dict[str, Any] = {}
        if not all(self.bias):
            out["bias"] = self.bias
        if self.frozen:
            out["frozen"] = self.frozen
        return out

    def parameterisation_json(self) -> dict[str, Any]:
        """{"bias": [...], "frozen": [...]} for JSON, empty for the full space."""
        return {k: list(v) for k, v in self.parameterisation().items()}

    # -- flatten / unflatten ----------------------------------------------------------------
    def flatten(self, weights: Sequence[Sequence[Sequence[Any]]],
                biases: Sequence[Sequence[Any]]) -> tuple[Any, ...]:
        """theta from per-layer matrices (rows = units) and bias vectors."""
        out: list[Any] = []
        for M, b in zip(weights, biases, strict=True):
            for row in M:
                out.extend(row)
            out.extend(b)
        if len(out) != self.size:
            raise ShapeError(f"the layers hold {len(out)} numbers but widths {self.widths} "
                             f"need {self.size}.")
        return tuple(out)

    def unflatten(self, theta: Sequence[Any]) -> tuple[tuple[tuple[tuple[Any, ...], ...], ...],
                                                        tuple[tuple[Any, ...], ...]]:
        """(weights, biases) from theta: the inverse of :meth:`flatten`."""
        if len(theta) != self.size:
            raise ShapeError(f"theta has {len(theta)} entries but widths {self.widths} need "
                             f"{self.size}.")
        weights, biases = [], []
        for L in self.layers:
            weights.append(tuple(tuple(theta[L.start + j * L.inp: L.start + (j + 1) * L.inp])
                                 for j in range(L.out)))
            biases.append(tuple(theta[L.bias:L.stop]))
        return tuple(weights), tuple(biases)

    def moved_fixed(self, direction: Sequence[Any]) -> list[str]:
        """Names of the fixed coordinates that ``direction`` moves (empty when it respects the
        parameterisation)."""
        return [self.names[p] for p in sorted(self.fixed_positions) if direction[p] != 0]

    def unit_vector(self, entries: dict[int, Any]) -> tuple[Any, ...]:
        """The direction with ``entries`` {position: value} and zeros elsewhere."""
        from fractions import Fraction

        u = [Fraction(0)] * self.size
        for p, value in entries.items():
            u[p] = Fraction(value)
        return tuple(u)


def widths_text(space: ParameterSpace) -> str:
    return str(tuple(space.widths))
