"""The mechanism behind Figure 2 (Section 3.1.1): scaling the inputs by tau and the linear
regions of a ReLU network at initialisation.

The paper: "we scale the inputs by a factor tau. The intuition is not to force the datasets
into the blind spot of the model, but rather to concentrate most of the datapoints in very few
linear regions (given by the initialization of the MLP)." The reviewer (reference material):
with zero biases scaling "should not alter the regions over which each ReLU activates".

Exact facts (proofs in docs/experiments_mechanisms.md):

* :func:`scaled_preactivations_agree` -- Theorem A (positive homogeneity): if every hidden
  bias is 0, each hidden pre-activation satisfies z_l(tau x) = tau z_l(x) for tau > 0, so the
  activation pattern of every point, hence the set of linear regions the data hit, does not
  depend on tau.
* :func:`first_layer_equivalence` -- for any biases, the network on tau x is the network with
  first-layer weights tau W_1 on x: scaling the data is scaling the first layer's weights.
* :func:`one_layer_region_curve` -- with biases, one hidden layer: the exact number of
  regions hit on every interval of tau (breakpoints t = -b_j / (w_j . x_i)); below the
  smallest positive breakpoint each point has the pattern [b_j > 0 or (b_j = 0 and
  w_j . x_i > 0)], one region when no bias is 0.

:func:`regions_hit_numpy` counts patterns in floating point for large data: evidence only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ...errors import InvalidArgument, ShapeError
from ...exact.deep_relu import DeepReLU
from ...exact.numbers import exact, exact_rows

__all__ = [
    "RegionCurve",
    "activation_pattern",
    "first_layer_equivalence",
    "one_layer_region_curve",
    "regions_hit",
    "regions_hit_numpy",
    "scaled_preactivations_agree",
    "zero_bias_scaling",
]

Pattern = tuple[tuple[bool, ...], ...]


def _preactivations(net: DeepReLU, x: Sequence[Fraction]) -> list[list[Fraction]]:
    """Hidden pre-activations of one point, layer by layer (exact)."""
    a: Sequence[Fraction] = x
    out = []
    for M, b in zip(net.weights[:-1], net.biases[:-1], strict=True):
        z = [sum((w * t for w, t in zip(row, a, strict=True)), bj) for row, bj in
             zip(M, b, strict=True)]
        out.append(z)
        a = [t if t > 0 else Fraction(0) for t in z]
    return out


def activation_pattern(net: DeepReLU, x: Sequence[Any]) -> Pattern:
    """Which hidden units are active (pre-activation > 0) at ``x``, layer by layer (exact).
    Two points with the same pattern lie in the same linear region of the network."""
    point = tuple(exact(t, "x") for t in x)
    if len(point) != net.d:
        raise ShapeError(f"x has {len(point)} entries; the network takes d={net.d} inputs.")
    return tuple(tuple(t > 0 for t in z) for z in _preactivations(net, point))


def regions_hit(net: DeepReLU, X: Any, tau: Any = 1) -> int:
    """The number of distinct activation patterns of the points tau x_i (exact)."""
    t = exact(tau, "tau")
    rows = exact_rows(X, "X", what="points")
    return len({activation_pattern(net, [t * v for v in row]) for row in rows})


def scaled_preactivations_agree(net: DeepReLU, X: Any, tau: Any) -> bool:
    """Theorem A, checked exactly at one tau > 0: z_l(tau x_i) = tau z_l(x_i) for every hidden
    layer and point (it must hold when every hidden bias is 0)."""
    t = exact(tau, "tau")
    if t <= 0:
        raise InvalidArgument(f"tau={tau!r} must be positive.")
    rows = exact_rows(X, "X", what="points")
    for row in rows:
        scaled = _preactivations(net, [t * v for v in row])
        plain = _preactivations(net, list(row))
        if any(a != t * b for za, zb in zip(scaled, plain, strict=True)
               for a, b in zip(za, zb, strict=True)):
            return False
    return True


def first_layer_equivalence(net: DeepReLU, X: Any, tau: Any) -> bool:
    """f(tau x; W_1, ...) = f(x; tau W_1, ...) exactly at every point, for any biases."""
    t = exact(tau, "tau")
    rows = exact_rows(X, "X", what="points")
    W = [[[t * w for w in row] for row in net.weights[0]], *net.weights[1:]]
    scaled_net = DeepReLU(W, net.biases)
    return all(net([t * v for v in row]) == scaled_net(list(row)) for row in rows)


@dataclass(frozen=True)
class RegionCurve:
    """Regions hit by tau x_i for a one-hidden-layer network, for every tau > 0 (exact).

    ``breakpoints`` t_1 < ... < t_m are the positive values -b_j / (w_j . x_i); ``counts[0]``
    holds on (0, t_1), ``counts[r]`` on (t_r, t_(r+1)), ``counts[m]`` on (t_m, oo);
    ``at_breakpoints[r - 1]`` at t_r itself.
    """

    breakpoints: tuple[Fraction, ...]
    counts: tuple[int, ...]
    at_breakpoints: tuple[int, ...]
    limit_pattern_count: int  # distinct patterns [b_j > 0 or (b_j = 0 and w_j.x_i > 0)]

    def count_at(self, tau: Any) -> int:
        t = exact(tau, "tau")
        if t <= 0:
            raise InvalidArgument(f"tau={tau!r} must be positive.")
        for r, bp in enumerate(self.breakpoints):
            if t < bp:
                return self.counts[r]
            if t == bp:
                return self.at_breakpoints[r]
        return self.counts[-1]


def one_layer_region_curve(W: Any, b: Any, X: Any) -> RegionCurve:
    """The exact number of regions hit by {tau x_i} for every tau > 0: unit j is active at
    tau x_i iff tau s_ij + b_j > 0 (s_ij = w_j . x_i), whose truth changes only at
    tau = -b_j / s_ij. Swept from tau = 0+: a unit starts active iff b_j > 0 (or b_j = 0 and
    s_ij > 0), is inactive at its breakpoint (pre-activation 0) and flips after it."""
    rows = exact_rows(X, "X", what="points")
    Wr = exact_rows(W, "W", what="units")
    bs = [exact(t, "b") for t in b]
    if len(bs) != len(Wr) or len(Wr[0]) != len(rows[0]):
        raise ShapeError(f"W is {len(Wr)}x{len(Wr[0])}, b has {len(bs)} entries, the points "
                         f"have {len(rows[0])}: need W h x d and b of length h.")
    state = []
    events: dict[Fraction, list[tuple[int, int]]] = {}
    for i, x in enumerate(rows):
        row = []
        for j, (wj, bj) in enumerate(zip(Wr, bs, strict=True)):
            sij = sum((w * v for w, v in zip(wj, x, strict=True)), Fraction(0))
            row.append(bj > 0 or (bj == 0 and sij > 0))
            if sij != 0 and bj != 0 and (bj > 0) != (sij > 0):  # -b/s > 0
                events.setdefault(-bj / sij, []).append((i, j))
        state.append(row)
    limit = len({tuple(r) for r in state})
    counts, at_bps = [limit], []
    for t in sorted(events):
        for i, j in events[t]:
            state[i][j] = False  # pre-activation exactly 0 at t
        at_bps.append(len({tuple(r) for r in state}))
        for i, j in events[t]:
            state[i][j] = bs[j] < 0  # flipped: active after t iff b_j < 0
        counts.append(len({tuple(r) for r in state}))
    return RegionCurve(tuple(sorted(events)), tuple(counts), tuple(at_bps), limit)


def zero_bias_scaling(net: DeepReLU, X: Any, taus: Sequence[Any]) -> tuple[bool, list[int]]:
    """Theorem A checked exactly at every tau in ``taus``: (whether z_l(tau x_i) = tau z_l(x_i)
    at every hidden layer and point, the number of regions hit at each tau). The scaled
    pre-activations are computed from tau x_i, not from the theorem."""
    ts = [exact(t, "tau") for t in taus]
    if any(t <= 0 for t in ts):
        raise InvalidArgument(f"taus={list(taus)!r} must be positive.")
    rows = exact_rows(X, "X", what="points")
    plain = [_preactivations(net, list(row)) for row in rows]
    agree, counts = True, []
    for t in ts:
        patterns = set()
        for row, zp in zip(rows, plain, strict=True):
            zs = _preactivations(net, [t * v for v in row])
            agree = agree and all(a == t * c for la, lc in zip(zs, zp, strict=True)
                                  for a, c in zip(la, lc, strict=True))
            patterns.add(tuple(tuple(a > 0 for a in layer) for layer in zs))
        counts.append(len(patterns))
    return agree, counts


def regions_hit_numpy(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                      X: np.ndarray, taus: Sequence[float]) -> list[int]:
    """Evidence (floats): the number of distinct hidden activation patterns of tau X for each
    tau; ``weights[l]`` has shape (fan_in, fan_out) (hidden layers only)."""
    counts = []
    for tau in taus:
        a, bits = np.asarray(X, dtype=float) * tau, []
        for W, b in zip(weights, biases, strict=True):
            z = a @ W + b
            bits.append(z > 0)
            a = np.maximum(z, 0.0)
        packed = np.packbits(np.concatenate(bits, axis=1), axis=1)
        counts.append(len(np.unique(packed, axis=0)))
    return counts
