"""Find the nearest true statement to a printed one: search over small edits of the printed point.

Used for errata (docs/errata.md): when a printed parameter point fails its claim, the library
tries every single sign flip, then every pair of sign flips, of the printed entries and keeps
the edits whose exact verdict satisfies the claim. The edits are found and certified here, not
guessed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from ...exact.shallow_relu import ShallowReLU

__all__ = ["Repair", "sign_flip_repairs"]


@dataclass(frozen=True)
class Repair:
    """A corrected point and the edit that produced it, e.g. ``"w_2[1]: -1 -> 1"``: entries
    named as the paper names them and counted from 1 (unit 2, input coordinate 1), as every
    text for a reader is."""

    edit: str
    params: ShallowReLU


def _entries(p: ShallowReLU) -> list[tuple[str, tuple]]:
    # the names are for readers (report.md, errata): 1-based; ``where`` stays 0-based
    out = [(f"w_{j + 1}[{k + 1}]", ("W", j, k)) for j in range(p.m) for k in range(p.d)]
    out += [(f"b_{j + 1}", ("b", j)) for j in range(p.m)]
    out += [(f"v_{j + 1}", ("v", j)) for j in range(p.m)]
    out.append(("c", ("c",)))
    return out


def _flip(p: ShallowReLU, where: tuple) -> ShallowReLU:
    W = [list(r) for r in p.W]
    b, v, c = list(p.b), list(p.v), p.c
    if where[0] == "W":
        W[where[1]][where[2]] = -W[where[1]][where[2]]
    elif where[0] == "b":
        b[where[1]] = -b[where[1]]
    elif where[0] == "v":
        v[where[1]] = -v[where[1]]
    else:
        c = -c
    return ShallowReLU(W, b, v, c)


def _value(p: ShallowReLU, where: tuple):
    if where[0] == "W":
        return p.W[where[1]][where[2]]
    return p.c if where[0] == "c" else getattr(p, where[0])[where[1]]


def sign_flip_repairs(
    printed: ShallowReLU, accept: Callable[[ShallowReLU], bool], max_flips: int = 2
) -> list[Repair]:
    """All points reached by flipping the signs of the fewest nonzero entries that ``accept``.

    Searches one flip, then two, ... up to ``max_flips``, and returns the repairs of the
    smallest size that has any (an empty list if none).
    """
    entries = [(name, where) for name, where in _entries(printed) if _value(printed, where) != 0]
    for size in range(1, max_flips + 1):
        found = []
        for combo in itertools.combinations(entries, size):
            p = printed
            for _, where in combo:
                p = _flip(p, where)
            if accept(p):
                edit = ", ".join(f"{name}: {_value(printed, w)} -> {-_value(printed, w)}"
                                 for name, w in combo)
                found.append(Repair(edit, p))
        if found:
            return found
    return []
