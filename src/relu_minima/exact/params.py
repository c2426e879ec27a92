"""The parameter space of a layered network: the one place the flat parameter layout is written.

A network with widths (h_0 = d, h_1, ..., h_k = 1) has k affine layers; layer n (1-based, as
in Equation (2)) has a weight matrix W_n of shape (h_n, h_{n-1}) and a bias vector b_n. A
parameter point is the flat vector

    theta = (W_1 row by row, b_1, W_2 row by row, b_2, ..., W_k, b_k),

so a one-hidden-layer network (Equation (1)) with m units and d inputs reads
``[w_1 (d), ..., w_m (d), b_1..b_m, v_1..v_m, c]``, P = m(d + 2) + 1 coordinates. Every other
module (the exact models, the deep decision's germs, the numpy backend, the fuzzer, the
strategies) goes through :class:`ParameterSpace` to read or write that layout.

Coordinates are named 1-based for readers: ``W_n[j,k]`` is the weight from unit k of layer
n-1 (input k for n = 1) into unit j of layer n, ``b_n[j]`` the bias of that unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ..errors import ShapeError

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
    """Widths (d, h_1, ..., h_{k-1}, 1) and the flat layout of their parameters."""

    widths: tuple[int, ...]

    def __post_init__(self) -> None:
        widths = tuple(self.widths)
        if len(widths) < 2 or any(isinstance(h, bool) or not isinstance(h, int) or h < 1
                                  for h in widths):
            raise ShapeError(
                f"widths={self.widths!r} must be at least two positive integers (d, ..., 1)."
            )
        if widths[-1] != 1:
            raise ShapeError(f"widths={self.widths!r} must end in 1: the output is scalar.")
        object.__setattr__(self, "widths", widths)

    @classmethod
    def shallow(cls, d: int, m: int) -> ParameterSpace:
        """The space of Equation (1): d inputs, m hidden units, one output."""
        return cls((d, m, 1))

    # -- shape -------------------------------------------------------------------------------
    @property
    def d(self) -> int:
        """Input dimension h_0."""
        return self.widths[0]

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

    def unit_vector(self, entries: dict[int, Any]) -> tuple[Any, ...]:
        """The direction with ``entries`` {position: value} and zeros elsewhere."""
        from fractions import Fraction

        u = [Fraction(0)] * self.size
        for p, value in entries.items():
            u[p] = Fraction(value)
        return tuple(u)
