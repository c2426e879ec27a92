"""The translator: a layered ReLU network, its data and its squared loss as SMT-LIB 2 text.

This is the part of the re-check a reader has to trust besides the solver, so it is short and
does one thing: it writes

* the point theta, one ``(define-fun theta_P () Real value)`` per coordinate P, named after
  :class:`~relu_minima.exact.params.ParameterSpace`'s names (``W_1[2,1]`` is ``W1_2_1``,
  ``b_2[1]`` is ``b2_1``);
* the point theta' that the sentences speak about: one ``declare-const`` per moving
  coordinate, and a ``define-fun`` equal to theta's value per fixed one (a bias of a
  bias-free layer, a frozen name);
* per data point i and hidden layer n, ``(define-fun hn_i_j () Real (relu ...))`` for unit j;
  per output k, ``f_i_k`` (no ReLU after the last layer), the residual ``r_i_k = f_i_k - y_i_k``
  and ``loss`` = the sum of the squared residuals (Equations (1) and (2));

with every number an exact rational literal: ``3``, ``(- 3)``, ``(/ 13 3)``, ``(- (/ 13 3))``.
ReLU is ``(ite (> t 0) t 0)``. Targets are rows (one entry per output), so a network with k
outputs needs no other change here than its k-row last layer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ...errors import InvalidType, ShapeError, require
from ...exact.deep_relu import DeepReLU
from ...exact.params import ParameterSpace
from ...exact.shallow_relu import ShallowReLU

__all__ = ["Network", "literal", "network_of", "network_text", "smt_name"]

Rows = tuple[tuple[Fraction, ...], ...]


@dataclass(frozen=True)
class Network:
    """What the translator reads: the layers at theta, which coordinates move, and the data.

    ``weights[n]`` has one row per unit of layer n + 1 (0-based list, 1-based names),
    ``theta``/``names``/``moving`` follow the flat layout of ``ParameterSpace``; ``X`` has one
    row per point and ``Y`` one row of targets per point (one entry per output).
    """

    weights: tuple[Rows, ...]
    biases: tuple[tuple[Fraction, ...], ...]
    theta: tuple[Fraction, ...]
    names: tuple[str, ...]
    moving: tuple[bool, ...]
    why_fixed: tuple[str, ...]
    X: Rows
    Y: Rows
    space: ParameterSpace

    def weight(self, n: int, j: int, k: int) -> str:
        """The name of W_n[j,k] (1-based)."""
        return self.names[self.space.weight_index(n, j, k)]

    def bias(self, n: int, j: int) -> str:
        """The name of b_n[j] (1-based)."""
        return self.names[self.space.bias_index(n, j)]


def smt_name(name: str) -> str:
    """``W_1[2,1]`` -> ``W1_2_1``, ``b_2[1]`` -> ``b2_1`` (SMT-LIB simple symbols)."""
    m = re.fullmatch(r"([Wb])_(\d+)\[(\d+)(?:,(\d+))?\]", name)
    require(m is not None, f"parameter name {name!r} has no SMT form", ShapeError)
    return "_".join(g for g in (m.group(1) + m.group(2), m.group(3), m.group(4)) if g)


def literal(q: Fraction | int) -> str:
    """An exact rational as an SMT-LIB Real term: ``3``, ``(- 3)``, ``(/ 13 3)``,
    ``(- (/ 13 3))`` (numerals are Reals in the logic QF_NRA)."""
    q = Fraction(q)
    body = str(abs(q.numerator)) if q.denominator == 1 else \
        f"(/ {abs(q.numerator)} {q.denominator})"
    return f"(- {body})" if q < 0 else body


def network_of(params: Any, dataset: Any) -> Network:
    """The translator's view of a ``ShallowReLU`` or ``DeepReLU`` point and its ``Dataset``
    (a one-hidden-layer point is the depth-2 network with the same flat layout)."""
    if isinstance(params, ShallowReLU):
        params = DeepReLU.from_shallow(params)
    if not isinstance(params, DeepReLU):
        raise InvalidType(f"params of type {type(params).__name__} is not a ReLU network; the "
                          "SMT sentence covers ShallowReLU and DeepReLU points.")
    space = params.space
    why = []
    for p, name in enumerate(space.names):
        layer = next(L for L in space.layers if L.start <= p < L.stop)
        why.append("" if space.moving[p] else
                   "frozen" if name in space.frozen else f"layer {layer.n} has no bias")
    Y = tuple((y,) for y in dataset.y)  # one output; k outputs: one row of k targets per point
    net = Network(params.weights, params.biases, params.parameters(),
                  tuple(smt_name(t) for t in space.names), space.moving, tuple(why),
                  tuple(dataset.X), Y, space)
    require(len(net.X[0]) == len(net.weights[0][0]) and len(net.weights[-1]) == len(net.Y[0]),
            "params and dataset disagree on the input or output dimension", ShapeError)
    return net


def _sum(terms: Sequence[str]) -> str:
    if not terms:
        return "0"
    return terms[0] if len(terms) == 1 else f"(+ {' '.join(terms)})"


def _times(weight: str, x: Fraction | None, h: str) -> str | None:
    """weight * input: a literal input x (layer 1) is folded in (None: the term is 0), a
    hidden unit h of the layer below is a product of two terms."""
    if x is None:
        return f"(* {weight} {h})"
    if x == 0:
        return None
    return weight if x == 1 else f"(* {literal(x)} {weight})"


def network_text(net: Network) -> list[str]:
    """The SMT-LIB lines defining the parameters, every layer output, the residuals and ``loss``."""
    lines = ["(define-fun relu ((t Real)) Real (ite (> t 0) t 0))", "",
             "; theta: the certificate's point, every coordinate"]
    lines += [f"(define-fun theta_{name} () Real {literal(value)})"
              for name, value in zip(net.names, net.theta, strict=True)]
    lines += ["", "; theta': declared where it moves, equal to theta where it is held fixed"]
    for name, moves, why in zip(net.names, net.moving, net.why_fixed, strict=True):
        lines.append(f"(declare-const {name} Real)" if moves else
                     f"(define-fun {name} () Real theta_{name}) ; fixed ({why})")
    depth = len(net.weights)
    squares = []
    for i, (x, y) in enumerate(zip(net.X, net.Y, strict=True), start=1):
        lines += ["", f"; data point {i}: x = ({', '.join(map(str, x))}), "
                      f"y = ({', '.join(map(str, y))})"]
        prev: list[tuple[Fraction | None, str]] = [(t, "") for t in x]  # literal inputs
        for n, M in enumerate(net.weights, start=1):
            out = []
            for j in range(1, len(M) + 1):
                terms = [_times(net.weight(n, j, k), t, h)
                         for k, (t, h) in enumerate(prev, start=1)]
                pre = _sum([t for t in terms if t is not None] + [net.bias(n, j)])
                if n < depth:
                    name = f"h{n}_{i}_{j}"
                    lines.append(f"(define-fun {name} () Real (relu {pre}))")
                else:
                    name = f"f_{i}_{j}"
                    lines.append(f"(define-fun {name} () Real {pre})")
                    lines.append(f"(define-fun r_{i}_{j} () Real (- {name} {literal(y[j - 1])}))")
                    squares.append(f"(* r_{i}_{j} r_{i}_{j})")
                out.append((None, name))
            prev = out
    lines += ["", "; the squared loss L(theta') = sum over points and outputs of r^2",
              f"(define-fun loss () Real {_sum(squares)})"]
    return lines
