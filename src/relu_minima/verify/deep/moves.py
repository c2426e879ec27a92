"""Exact descent moves for deep ReLU networks, in the order most likely to descend (Equation (2)).

Along theta + eps u the loss is, for small eps > 0, a polynomial P(eps) (the loss germ,
:mod:`relu_minima.exact.germs`); the sign of the lowest-order nonzero coefficient of P - L
decides whether the loss drops along u, exactly. :func:`search_descent` tries directions in
this order and stops at the first proven descent:

1. **coordinates** (both signs): order 1 at a differentiable point; order 2 at a kink;
2. **unit revivals**: a unit with a zero pre-activation, bias up with one outgoing weight up
   or down (the second-order saddle moves);
3. **path moves**: all the weights on one path from a unit of hidden layer a to the output,
   started by that unit's bias (a revival carried to the output), one of its incoming
   weights, or, for a = 1, a ramp relu(v . x - theta) of the inputs; the last weight takes
   both signs; and once more *steered* (:mod:`relu_minima.verify.deep.path_moves`): when
   the path's first weight is negative the next bias is raised so the feature is carried
   inverted instead of switched off, and side units that would carry the feature at a lower
   order are kept off. When the
   weights on the path are zero the outputs change only at order eps^(k - a + 1), which no
   coordinate, pair or revival sees. Shorter paths (lower order) first;
4. **kink sign vectors**: sign vectors on 2 or 3 of the biases and outgoing weights of units
   with a zero pre-activation at some data point (:func:`kink_coordinates`): a unit revived
   at some points and silenced at others, its effect carried to the output;
5. **random kink moves** (:func:`random_kink_moves`, seeded): 2-5 coordinates near the
   kinks with unequal magnitudes;
6. **sign vectors** on 2, 3, 4 coordinates (exhaustive, cut by the budget).

Only *moving* coordinates are moved (``params.space``, :mod:`relu_minima.exact.params`): under
a restricted parameterisation (bias-free layers, frozen coordinates) the coordinates, kink
and exhaustive sign vectors and random kink moves draw from the moving ones, and a revival or
path move that touches a fixed coordinate is tried with that coordinate left out
(:func:`within_moving`). A direction that leaves every fixed coordinate at 0 stays in the
restricted set, so its descent is a descent there (a first- or second-order one as much as
any). In the full space nothing is left out and the moves are exactly the ones listed.

The proof that the order loses nothing (a later move is never needed when an earlier one
descends) is simply that the search stops only at a *proven* descent: any order is sound, and
this one puts the cheap, low-order moves first (docs/deep.md, "Move order").
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ...errors import InvalidArgument
from ...exact.datasets import Dataset
from ...exact.deep_relu import DeepReLU
from ...exact.germs import Poly, add, germ_sign, mul, trim
from ...exact.params import ParameterSpace
from .path_moves import Move, path_moves

__all__ = [
    "GermEvaluator",
    "Move",
    "SearchResult",
    "check_budget",
    "kink_coordinates",
    "ordered_moves",
    "path_moves",
    "random_kink_moves",
    "search_descent",
]

# a search that runs longer than this shows a progress bar (on stderr)
_PROGRESS_AFTER = 1.0


def check_budget(value: Any, name: str, integer: bool) -> Any:
    """A positive budget option (integer or number of seconds), or an InvalidArgument naming it."""
    if value is None:
        return None
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok or not value > 0 or value != value:
        what = "a positive integer" if integer else "a positive number of seconds"
        raise InvalidArgument(f"{name}={value!r} must be {what}, e.g. {name}="
                              f"{100000 if integer else 60}.")
    return value


def _moving(space: ParameterSpace) -> list[int]:
    """The positions of the moving coordinates, in layout order (all of them in the full
    space)."""
    return [p for p in range(space.size) if space.moving[p]]


def within_moving(moves: Iterator[Move], space: ParameterSpace) -> Iterator[Move]:
    """The moves with every fixed coordinate of ``space`` left out (unchanged in the full
    space); a move left with nothing is dropped. The label says the exact move: its entries,
    and which move it came from without which fixed coordinates."""
    fixed = space.fixed_positions
    names = space.names
    for u, label, kind in moves:
        dropped = [q for q in sorted(fixed) if u[q]]
        if not dropped:
            yield u, label, kind
            continue
        v = tuple(Fraction(0) if q in fixed else t for q, t in enumerate(u))
        if any(v):
            entries = ", ".join(f"{names[q]} by {t}" for q, t in enumerate(v) if t)
            yield (v, f"{entries} (the {kind} move '{label}' without its fixed coordinate(s) "
                   f"{', '.join(names[q] for q in dropped)})", kind)


def _coordinates(space: ParameterSpace) -> Iterator[Move]:
    names = space.names
    for p in _moving(space):
        yield space.unit_vector({p: 1}), f"{names[p]} increasing", "coordinate"
        yield space.unit_vector({p: -1}), f"{names[p]} decreasing", "coordinate"


def _revivals(params: DeepReLU, dataset: Dataset, space: ParameterSpace) -> Iterator[Move]:
    pre = params.preactivations(dataset)
    for n in range(params.depth - 1):
        nxt = params.weights[n + 1]
        for j in range(len(params.weights[n])):
            if not any(row[j] == 0 for row in pre[n]):
                continue
            for q in range(len(nxt)):
                bias_pos = space.bias_index(n + 1, j + 1)
                out_pos = space.weight_index(n + 2, q + 1, j + 1)
                for s in (1, -1):
                    yield (space.unit_vector({bias_pos: 1, out_pos: s}),
                           f"revive unit {j + 1} of layer {n + 1} (bias up) with its weight "
                           f"into unit {q + 1} of layer {n + 2} {'up' if s > 0 else 'down'}",
                           "revival")


def _sign_vectors(space: ParameterSpace, coords: list[int] | None = None,
                  kind: str = "sign vector", largest: int = 4) -> Iterator[Move]:
    names = space.names
    pool = list(range(space.size)) if coords is None else coords
    for k in range(2, min(largest, len(pool)) + 1):
        for support in itertools.combinations(pool, k):
            for signs in itertools.product((1, -1), repeat=k):
                yield (space.unit_vector(dict(zip(support, signs, strict=True))),
                       ", ".join(f"{names[q]} {'up' if t > 0 else 'down'}"
                                 for q, t in zip(support, signs, strict=True)), kind)


def kink_coordinates(params: DeepReLU, dataset: Dataset) -> list[int]:
    """The biases and outgoing weights of units with a zero pre-activation at some data point
    (the moving ones).

    Only at such a unit can a move switch a ReLU on at some points and not at others, which is
    how a zero-gradient point of a piecewise-linear network gets a descent of order 2 or 3
    from moves of equal magnitude (a unit revived where the residuals ask for it, and silenced
    where they do not).
    """
    moving = params.space.moving
    return [q for q in _kink_positions(params, dataset) if moving[q]]


def _kink_positions(params: DeepReLU, dataset: Dataset) -> list[int]:
    """:func:`kink_coordinates`, fixed ones included."""
    space = params.space
    pre = params.preactivations(dataset)
    out: list[int] = []
    for n in range(params.depth - 1):
        for j in range(len(params.weights[n])):
            if any(row[j] == 0 for row in pre[n]):
                out.append(space.bias_index(n + 1, j + 1))
                out += [space.weight_index(n + 2, q + 1, j + 1)
                        for q in range(len(params.weights[n + 1]))]
    return out


_MAGNITUDES = tuple(Fraction(t) for t in (1, -1, 2, -2, 4, -4, "1/4", "-1/4"))


def random_kink_moves(params: DeepReLU, dataset: Dataset, count: int = 1500,
                      seed: int = 0) -> Iterator[Move]:
    """Sparse moves of unequal magnitudes on the coordinates near the kinks (seeded: the same
    point always gets the same moves, so verdicts are reproducible).

    The support (2-5 coordinates) is drawn from :func:`kink_coordinates`, every weight leaving
    a unit at or after the first layer with a unit on a kink, and the output bias; the
    magnitudes from +-1/4, +-1, +-2, +-4. A descent that needs one unit silenced by more than
    another is revived (a bias of 2 against a weight of 1) is out of reach of sign vectors.
    Only moving coordinates are drawn.
    """
    import random

    space = params.space
    kinks = _kink_positions(params, dataset)
    if not kinks:
        return
    first = min(n for n, L in enumerate(space.layers) if any(L.bias <= q < L.stop
                                                              for q in kinks))
    pool = sorted(set(kinks) | {q for L in space.layers[first + 1:]
                                for q in range(L.start, L.bias)}
                  | {space.bias_index(params.depth, o + 1)
                     for o in range(params.outputs_count)})
    pool = [q for q in pool if space.moving[q]]
    if not pool:
        return
    rng = random.Random(seed)
    names = space.names
    for _ in range(count):
        support = rng.sample(pool, min(len(pool), rng.randint(2, 5)))
        entries = {q: rng.choice(_MAGNITUDES) for q in support}
        yield (space.unit_vector(entries),
               ", ".join(f"{names[q]} by {t}" for q, t in sorted(entries.items())),
               "random kink move")


def ordered_moves(params: DeepReLU, dataset: Dataset) -> Iterator[Move]:
    """Every move of the module docstring, in order, without repeats."""
    space = params.space
    seen: set[tuple[Fraction, ...]] = set()
    families = [_coordinates(space)]
    if params.depth > 1:  # depth 1 is convex: the coordinates decide
        families += [within_moving(_revivals(params, dataset, space), space),
                     within_moving(path_moves(params, dataset), space),
                     _sign_vectors(space, kink_coordinates(params, dataset), "kink sign vector",
                                   3),
                     random_kink_moves(params, dataset), _sign_vectors(space, _moving(space))]
    for move in itertools.chain(*families):
        if move[0] not in seen:
            seen.add(move[0])
            yield move


def _with_recentred_output(germ_of: GermEvaluator, u: tuple[Fraction, ...],
                           out_pos: list[tuple[int, int]]
                           ) -> Iterator[tuple[tuple[Fraction, ...], Poly, str]]:
    """(u, its loss germ), then u with the output bias moved against the mean first-order
    output change (each moving entry, for several outputs).

    A move through an active unit also shifts every output by a constant at order eps (the
    unit's value times the moved weight), which costs N (shift)^2 eps^2 and can hide a gain at
    order 3 or more; the output bias is linear in eps, so it cancels that shift exactly (the
    outputs move by exactly -shift eps, so their germs are shifted, not recomputed).
    ``out_pos`` lists (output, position) of the moving output bias entries; empty: u is tried
    alone.
    """
    outs = germ_of.outputs(u)
    yield u, germ_of.loss(outs), ""
    if not out_pos:
        return
    shifts = {}
    for o, _ in out_pos:
        first = [f[o][1] if len(f[o]) > 1 else Fraction(0) for f in outs]
        shifts[o] = sum(first, Fraction(0)) / len(first)
    if any(shifts.values()):
        v = list(u)
        for o, pos in out_pos:
            v[pos] -= shifts[o]
        moved = [[add(f, (Fraction(0), -shifts[o])) if o in shifts else f
                  for o, f in enumerate(fs)] for fs in outs]
        note = (f" (output bias moved by {-shifts[0]} eps to cancel the mean shift)"
                if len(outs[0]) == 1 else
                " (output biases moved by (" + ", ".join(str(-shifts.get(o, 0))
                                                         for o in range(len(outs[0])))
                + ") eps to cancel the mean shifts)")
        yield tuple(v), germ_of.loss(moved), note


class GermEvaluator:
    """:func:`~relu_minima.exact.germs.loss_germ` for many sparse directions at one point.

    The same polynomials, computed faster: a unit whose row and bias do not move and whose
    inputs are constants keeps its value at theta (computed once), so only the units a sparse
    move touches do polynomial arithmetic. Equal to ``loss_germ`` (tests/test_deep_moves.py).
    """

    def __init__(self, params: DeepReLU, dataset: Dataset) -> None:
        self.params, self.dataset = params, dataset
        self.pre = params.preactivations(dataset)
        self.layers = params.space.layers

    def __call__(self, u: tuple[Fraction, ...]) -> Poly:
        return self.loss(self.outputs(u))

    def loss(self, outs: list[list[Poly]]) -> Poly:
        total: Poly = ()
        for fs, ys in zip(outs, self.dataset.Y, strict=True):
            for f, y in zip(fs, ys, strict=True):
                r = add(f, (-y,))
                total = add(total, mul(r, r))
        return total

    def outputs(self, u: tuple[Fraction, ...]) -> list[list[Poly]]:
        """The output germs f(x_i) along theta + eps u, a list of every output's per point."""
        p, layers = self.params, self.layers
        moved = [[any(u[L.start + j * L.inp: L.start + (j + 1) * L.inp]) or u[L.bias + j] != 0
                  for j in range(L.out)] for L in layers]
        outs: list[list[Poly]] = []
        for i, x in enumerate(self.dataset.X):
            h: list[Poly] = [trim([t]) for t in x]
            const = True
            for n, (M, b) in enumerate(zip(p.weights, p.biases, strict=True)):
                L = layers[n]
                z: list[Poly] = []
                for j, (row, bj) in enumerate(zip(M, b, strict=True)):
                    if const and not moved[n][j]:
                        z.append(trim([self.pre[n][i][j]]))
                        continue
                    acc: Poly = trim([bj, u[L.bias + j]])
                    base = L.start + j * L.inp
                    for q, (w, t) in enumerate(zip(row, h, strict=True)):
                        if t:
                            acc = add(acc, mul(trim([w, u[base + q]]), t))
                    z.append(acc)
                if n < len(layers) - 1:
                    h = [t if germ_sign(t) > 0 else () for t in z]
                    const = all(len(t) <= 1 for t in h)
                else:
                    h = z
            outs.append(h)
        return outs


@dataclass(frozen=True)
class SearchResult:
    """The first proven descent (direction, label, germ, order), or how far the search got."""

    direction: tuple[Fraction, ...] | None
    label: str
    germ: Poly | None
    order: int | None
    tried: int
    counts: dict[str, int]  # moves tried, by kind
    out_of: str | None  # which budget ran out, if any

    def kinds_tried(self) -> str:
        """The moves tried, by kind ("3 coordinates, 1 revival"), or "none"."""
        return ", ".join(f"{n} {kind}{'s' if n != 1 else ''}"
                         for kind, n in self.counts.items()) or "none"

    def budget_advice(self, max_directions: int, time_limit: float | None) -> str | None:
        """Which budget stopped the search and how to raise it; None if every move was tried
        (then a larger budget would not help)."""
        if self.out_of is None:
            return None
        name = self.out_of.split("=")[0]
        flag = "--" + name.replace("_", "-")
        now = max_directions if name == "max_directions" else time_limit
        return (f"the search stopped when its budget {self.out_of} ran out: raise "
                f"{name} (e.g. verify_local_minimum(params, dataset, {name}={10 * now}), "
                f"assert_local_minimum(..., {name}=...), or {flag} on the command line) "
                "to try more moves")


def search_descent(params: DeepReLU, dataset: Dataset, loss: Fraction, *,
                   max_directions: int, time_limit: float | None) -> SearchResult:
    """Try :func:`ordered_moves` until one provably lowers the loss or a budget runs out.
    Only the moving coordinates of ``params.space`` move."""
    base = trim([loss])
    germ_of = GermEvaluator(params, dataset)
    space = params.space
    out_pos = [(o, space.bias_index(params.depth, o + 1)) for o in range(params.outputs_count)
               if space.moving[space.bias_index(params.depth, o + 1)]]
    start = time.monotonic()
    deadline = None if time_limit is None else start + time_limit
    counts: dict[str, int] = {}
    tried = 0
    bar = None
    out_of = None
    try:
        for u, label, kind in ordered_moves(params, dataset):
            now = time.monotonic()
            if tried >= max_directions:
                out_of = f"max_directions={max_directions}"
                break
            if deadline is not None and now > deadline:
                out_of = f"time_limit={time_limit}"
                break
            if bar is None and now - start > _PROGRESS_AFTER:
                from tqdm import tqdm  # only long searches pay for the import

                bar = tqdm(total=max_directions, initial=tried, desc="exact descent search",
                           unit="dir", file=sys.stderr, leave=False)
            tried += 1
            counts[kind] = counts.get(kind, 0) + 1
            if bar is not None:
                bar.update(1)
            for v, germ, note in _with_recentred_output(germ_of, u, out_pos):
                diff = add(germ, tuple(-t for t in base))
                if germ_sign(diff) < 0:
                    order = next(i for i, t in enumerate(diff) if t)
                    return SearchResult(v, label + note, germ, order, tried, counts, None)
    finally:
        if bar is not None:
            bar.close()
    return SearchResult(None, "", None, None, tried, counts, out_of)
