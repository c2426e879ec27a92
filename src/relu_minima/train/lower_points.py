"""The explicit lower point behind "bad local minimum, proven" (docs/snap.md, "Bad local
minimum, proven"; issue 22, item 1).

A certified local minimum is *bad* when a point of the same network shape **and
parameterisation** (bias flags, frozen values) has strictly lower exact loss. The candidates:
the user's ``known_points``, the other exact points the snap found, the best affine fit the
network can compute (relu(t) - relu(-t) = t), and the exact global minimiser over the
parameterisation when the search fits its budget. Every loss is recomputed exactly here, and
:meth:`SnapReport.check` recomputes the chosen point's loss again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from ..exact import intmat
from ..exact.datasets import Dataset
from ..exact.deep_relu import DeepReLU
from ..exact.enclosure import Enclosure, strictly_below
from ..exact.shallow_relu import ShallowReLU
from ..verify.globalmin.search import GlobalSearchTooLarge, global_minimum
from .exact_lsq import least_squares
from .restricted_global import restricted_global_minimum
from .snap_report import same_parameterisation

__all__ = ["lower_point"]


def _affine_fit(data: Dataset, intercept: bool = True) -> tuple[list[Fraction], Fraction]:
    """The exact least-squares affine function a . x + a0 of the data (a0 = 0 without an
    intercept)."""
    rows = [[*x, *((Fraction(1),) if intercept else ())] for x in data.X]
    L = math.lcm(*(t.denominator for r in rows for t in r))
    P = np.array([[t.numerator * (L // t.denominator) for t in r] for r in rows], dtype=object)
    Ly = math.lcm(*(t.denominator for t in data.y))
    Y = np.array([t.numerator * (Ly // t.denominator) for t in data.y], dtype=object)
    t = least_squares(P, L, Y, Ly, np.zeros(len(rows[0])), 1e-9).t
    return (list(t[:-1]), t[-1]) if intercept else (list(t), Fraction(0))


def _affine_loss(data: Dataset, a: list[Fraction], a0: Fraction) -> Fraction:
    """sum_i (a . x_i + a0 - y_i)^2: the exact loss of the network of :func:`_affine_network`,
    which computes a . x + a0 (without its n x m table of dead units; check() recomputes the
    network's own loss when it is the lower point). In integers: with x = Xi / Lx, y = Yi / Ly
    and (a, a0) = (A, A0) / Da, the i-th residual is
    (Ly (A . Xi_i + A0 Lx) - Da Lx Yi_i) / (Da Lx Ly)."""
    Da = math.lcm(*(t.denominator for t in (*a, a0)))
    A = [t.numerator * (Da // t.denominator) for t in a]
    Lx = math.lcm(*(t.denominator for x in data.X for t in x))
    Xi = np.array([[t.numerator * (Lx // t.denominator) for t in x] for x in data.X], dtype=object)
    Ly = math.lcm(*(t.denominator for t in data.y))
    Yi = [t.numerator * (Ly // t.denominator) for t in data.y]
    if data.d and intmat.max_abs(Xi) < intmat.INT_SAFE:
        AX = intmat.matvec(Xi.astype(np.int64), A)
    else:
        AX = [sum((int(u) * w for u, w in zip(row, A, strict=True)), 0) for row in Xi]
    A0 = int(a0 * Da) * Lx
    total = sum((Ly * (s + A0) - Da * Lx * yy) ** 2 for s, yy in zip(AX, Yi, strict=True))
    return Fraction(total, (Da * Lx * Ly) ** 2)


def _affine_network(like: Any, data: Dataset
                    ) -> tuple[Any, tuple[list[Fraction], Fraction]] | None:
    """A network of ``like``'s shape *and parameterisation* computing the best affine fit it
    can, and the fit (a, a0) (None with k > 1 outputs): relu(t) - relu(-t) = t needs two
    units in every hidden layer; the intercept sits in the hidden biases, or in c when the
    hidden layer is bias-free, and is 0 when neither exists (then the fit is the best linear
    one)."""
    if data.k > 1:
        from .affine_points import coordinate_network

        net = coordinate_network(like, data)
        return None if net is None else (net, None)
    d = data.d
    if isinstance(like, ShallowReLU):
        hb, ob = like.space.bias
        if like.m < 2 or like.space.frozen:
            return None
        a, a0 = _affine_fit(data, intercept=hb or ob)
        dead = like.m - 2
        W = [a, [-t for t in a]] + [[0] * d] * dead
        b = ([a0, -a0] + [-1] * dead) if hb else [0] * like.m
        return (ShallowReLU(W, b, [1, -1] + [0] * dead, 0 if hb else a0, bias=(hb, ob)),
                (a, a0))
    if not like.space.is_full:
        return None  # a deep restricted network: only the points of its own space compare
    a, a0 = _affine_fit(data)
    widths = like.widths
    if like.depth < 2 or min(widths[1:-1]) < 2:
        return None
    weights, biases = [], []
    for n in range(1, len(widths)):
        h_in, h_out = widths[n - 1], widths[n]
        if n == 1:
            rows = [a, [-t for t in a]]
            bias = [a0, -a0]
        else:
            rows = [[1, -1] + [0] * (h_in - 2), [-1, 1] + [0] * (h_in - 2)]
            bias = [0, 0]
        if n == len(widths) - 1:
            rows, bias = rows[:1], [0]
        else:
            rows += [[0] * h_in] * (h_out - 2)
            bias += [-1] * (h_out - 2)
        weights.append(rows)
        biases.append(bias)
    return DeepReLU(weights, biases), (a, a0)


def _global_point(point: Any, data: Dataset, max_patterns: int | None,
                  attempts: list[str]) -> tuple[Any, str] | None:
    """The exact global minimiser for ``point``'s width *over point's parameterisation*, when
    the search fits within ``max_patterns``."""
    if max_patterns is None or not isinstance(point, ShallowReLU):
        return None
    if data.k > 1:
        attempts.append(f"exact global search: not available for k={data.k} outputs (the "
                        "pattern search is written for one output); 'bad' is proved only by "
                        "an explicit lower point of the same parameterisation")
        return None
    space = point.space
    if space.frozen:
        attempts.append("exact global search skipped: the parameterisation has frozen "
                        "coordinates, which the pattern search does not model")
        return None
    if not space.is_full:
        found = restricted_global_minimum(data, point.m, space.bias, max_patterns)
        if found is None:
            attempts.append(f"exact global search over {space.describe()} skipped: more than "
                            f"max_patterns={max_patterns} patterns")
            return None
        best, solved = found
        attempts.append(f"exact global search over {space.describe()}: L* = {best.loss(data)} "
                        f"with {point.m} unit(s) ({solved} pattern(s) solved)")
        return best, (f"the exact global minimum over this parameterisation ({space.describe()};"
                      f" L* = {best.loss(data)})")
    try:
        cert = global_minimum(data, hidden=point.m, max_patterns=max_patterns)
    except GlobalSearchTooLarge as err:
        attempts.append(f"exact global search skipped: {err}")
        return None
    attempts.append(f"exact global search: L* = {cert.value} with {point.m} unit(s) "
                    f"({cert.patterns_examined} pattern(s) solved, {cert.method})")
    return cert.point, f"the exact global minimum (L* = {cert.value}, global_minimum)"


def lower_point(point: Any, loss: Fraction | Enclosure, data: Dataset, known: Sequence[Any],
                 others: list[tuple[Any, Any]], max_patterns: int | None, attempts: list[str]
                 ) -> tuple[Any, Fraction, str] | tuple[None, None, None]:
    """The explicit point of lowest exact loss among those known, *of point's own
    parameterisation*; returned only when its loss, recomputed here exactly, is strictly below
    ``loss`` (issue 22, item 1: "bad" against a point the network cannot reach is false)."""
    found: list[tuple[Fraction, str, Any]] = []
    for k, q in enumerate(known):
        found.append((q.loss(data), f"known_points[{k}]", q))
    for q, _ in others:  # recomputed: an attempt may carry no certificate (issue 31)
        found.append((q.loss(data), "another exact point found by the snap", q))
    affine = _affine_network(point, data)
    if affine is not None:
        net, fit = affine
        if fit is not None:
            found.append((_affine_loss(data, *fit),
                          "the best affine fit (relu(t) - relu(-t) = t)", net))
        else:
            found.append((net.loss(data), "the best affine fit of the targets in some input "
                          "coordinates (units positive on every point pass them through; exact "
                          "least squares for the output layer)", net))
    best_global = _global_point(point, data, max_patterns, attempts)
    if best_global is not None:
        found.append((best_global[0].loss(data), best_global[1], best_global[0]))
    found = [f for f in found if same_parameterisation(f[2], point)]
    best = min(found, key=lambda item: item[0], default=None)
    if best is None or not strictly_below(best[0], loss):  # loss: exact, or an enclosure
        return None, None, None
    return best[2], best[0], best[1]


