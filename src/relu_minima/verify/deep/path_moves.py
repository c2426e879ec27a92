"""Path moves of the deep move search: every weight on one path from a hidden unit to the output.

When the weights on a path from a unit of hidden layer a to the output are zero, moving all of
them changes the outputs only at order eps^(k - a + 1), which no coordinate, pair or unit
revival sees (step 3 of :mod:`relu_minima.verify.deep.moves`). :func:`path_moves` starts each
path by the unit's bias, one of its incoming weights or (a = 1) a ramp relu(v . x - theta) of
the inputs, gives the last weight both signs, and tries it once more *steered*
(:func:`_steered_start`): when the path's first weight is negative the next bias is raised so
the feature is carried inverted instead of switched off, and side units that would carry the
feature at a lower order are kept off (docs/deep.md, "Move order").
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from ...exact.datasets import Dataset
from ...exact.deep_relu import DeepReLU
from ...exact.params import ParameterSpace
from .families import ramp_feature

__all__ = ["Move", "path_moves"]

Move = tuple[tuple[Fraction, ...], str, str]  # (direction, label, kind of move)


def _starts(params: DeepReLU, dataset: Dataset, space: ParameterSpace, a: int,
            j: int) -> list[tuple[dict[int, Fraction], str]]:
    """Ways to start a path at unit j (1-based) of layer a: its bias, an incoming weight, a ramp."""
    out = [({space.bias_index(a, j): Fraction(s)}, f"b_{a}[{j}] {'up' if s > 0 else 'down'}")
           for s in (1, -1)]
    width_in = params.widths[a - 1]
    out += [({space.weight_index(a, j, q): Fraction(s)},
             f"W_{a}[{j},{q}] {'up' if s > 0 else 'down'}")
            for q in range(1, width_in + 1) for s in (1, -1)]
    if a == 1:
        ybar, Y = dataset.mean_of(range(dataset.n)), dataset.Y
        for o in range(dataset.k):  # a ramp for each output's residuals
            for want in (1, -1):
                found = ramp_feature(dataset.X, [y[o] - ybar[o] for y in Y], want)
                if found is not None:
                    v, theta, _ = found
                    entries = {space.weight_index(1, j, q + 1): t for q, t in enumerate(v)}
                    entries[space.bias_index(1, j)] = -theta
                    out.append((entries, f"ramp relu(({', '.join(map(str, v))}) . x - "
                                         f"({theta})) into unit {j} of layer 1"))
    return out


def path_moves(params: DeepReLU, dataset: Dataset) -> Iterator[Move]:
    """Step 3 of the module docstring: every path from a hidden unit to the output, shortest
    first, each started every way :func:`_starts` lists, the last weight with both signs."""
    space = params.space
    k = params.depth
    pre = params.preactivations(dataset)
    acts = params.hidden_activations(dataset)
    starts: dict[tuple[int, int], list[tuple[dict[int, Fraction], str]]] = {}
    for a in range(k - 1, 0, -1):
        units = [range(1, params.widths[n] + 1) for n in range(a, k)]  # layers a..k-1
        for path in itertools.product(*units):
            if (a, path[0]) not in starts:
                starts[a, path[0]] = _starts(params, dataset, space, a, path[0])
            for start, what in starts[a, path[0]]:
                steer = _steered_start(params, dataset, (pre, acts), a, path, start)
                for o, s in [(o, s) for o in range(params.outputs_count) for s in (1, -1)]:
                    entries = dict(start)
                    for n in range(a + 1, k):
                        entries[space.weight_index(n, path[n - a], path[n - a - 1])] = Fraction(1)
                    entries[space.weight_index(k, o + 1, path[-1])] = Fraction(s)
                    route = " -> ".join(f"unit {u} of layer {a + i}" for i, u in enumerate(path))
                    to = "output" if params.outputs_count == 1 else f"output {o + 1}"
                    label = (f"path move: {what}, then the weights along {route} -> {to} up, "
                             f"the last one {'up' if s > 0 else 'down'}")
                    yield space.unit_vector(entries), label, "path"
                    if steer:
                        entries.update(steer)
                        yield (space.unit_vector(entries),
                               label + ", steered: " + ", ".join(
                                   f"{space.names[q]} by {t}" for q, t in sorted(steer.items())),
                               "path")

def _start_feature(params: DeepReLU, dataset: Dataset, tables: Any, a: int, j: int,
                   start: dict[int, Fraction]) -> list[Fraction] | None:
    """phi_i, the order-1 value eps phi_i of unit j (0-based) of layer a under the start move,
    when the unit is nowhere active at theta: relu(dz_i) where its pre-activation is 0 (dz the
    start's change of it), 0 where it is negative. None if the unit is active somewhere."""
    pre, acts = tables  # pre-activations and hidden activations at theta
    column = [row[j] for row in pre[a - 1]]
    if any(t > 0 for t in column):
        return None
    L = params.space.layers[a - 1]
    inputs = dataset.X if a == 1 else acts[a - 2]
    phi = []
    for z, h in zip(column, inputs, strict=True):
        dz = start.get(L.bias + j, Fraction(0)) + sum(
            (start.get(L.start + j * L.inp + q, Fraction(0)) * t for q, t in enumerate(h)),
            Fraction(0))
        phi.append(max(dz, Fraction(0)) if z == 0 else Fraction(0))
    return phi


def _steered_start(params: DeepReLU, dataset: Dataset, tables: Any, a: int,
                   path: tuple[int, ...], start: dict[int, Fraction]) -> dict[int, Fraction]:
    """Bias changes in layer a + 1 that steer the start's feature along the path.

    If the start unit is nowhere active, it becomes eps phi (:func:`_start_feature`). A
    negative weight w into the path's next unit would switch eps w phi off: raising that
    unit's bias by |w| max phi carries eps (|w| max phi - |w| phi) >= 0 instead, the feature
    inverted. Any other unit of layer a + 1 that is nowhere active and receives phi through a
    positive weight w would carry it too (at order 1, swamping the path's higher order): its
    bias is lowered by w max phi + 1, which keeps it off. Later negative weights on the path
    get the next bias raised by 1 + |w| (the largest value the feature can have there).
    Empty when nothing applies.
    """
    if a + 1 >= params.depth:
        return {}
    space = params.space
    pre = tables[0]
    phi = _start_feature(params, dataset, tables, a, path[0] - 1, start)
    out: dict[int, Fraction] = {}
    top = max(phi) if phi is not None else Fraction(0)
    M = params.weights[a] if top > 0 else ()
    for q, row in enumerate(M):
        w = row[path[0] - 1]
        if q == path[1] - 1:
            if w < 0:
                out[space.bias_index(a + 1, q + 1)] = -w * top
        elif w > 0 and all(r[q] <= 0 for r in pre[a]):
            out[space.bias_index(a + 1, q + 1)] = -(w * top + 1)
    # further along, the feature arrives at order 1 with at most gain = max phi times the
    # |weights| passed (order >= 2 once a passed weight is 0): a bias raised by 1 + |w| gain
    # carries it through a negative weight linearly, inverted
    gain = max(top, Fraction(1)) * abs(params.weights[a][path[1] - 1][path[0] - 1])
    for m in range(1, len(path) - 1):
        w = params.weights[a + m][path[m + 1] - 1][path[m] - 1]
        if w < 0:
            out[space.bias_index(a + m + 1, path[m + 1])] = 1 + abs(w) * gain
        gain *= abs(w)
    return out
