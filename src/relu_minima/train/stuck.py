"""Stuck at a kink: a point that is not a local minimum, which gradient training cannot leave.

Section 3.1.2's failed XOR runs include exact points that the certificates prove *not* local
minima, whose only descent moves raise a bias that is exactly 0: the input (0, 0) sits on the
kink of a unit that is inactive at every other point, and relu'(0) = 0. Such a point is a
saddle of the error surface, but not one that training escapes. :func:`stuck_at_kink` proves
this from the exact point, for the training rule stated in :data:`RULE`:

Let J be the units whose pre-activation z_ij = w_j . x_i + b_j is <= 0 at every data point
(*inert* units: dead, or on a kink, everywhere), and S the set of parameters where this holds.

1. On S the partial derivatives of the squared loss in w_j, b_j and v_j (j in J) vanish, for
   any values of the other parameters: every term carries relu'(z_ij) = 0 or relu(z_ij) = 0.
   S is defined by these coordinates alone. So a gradient step from a point of S leaves them
   unchanged, and the next point is in S again: a run that is in S stays in S for ever, with
   the units J frozen.
2. The run's own final parameters (the doubles' exact binary values) are in S.
3. The certificate's witnesses (lower points at radii 1/1000 and 10^-6; the classifier checks
   both) change only coordinates of units in J: the descent they prove is a move gradient
   training never makes.
4. On S the network computes what the network without the units J computes; at the snapped
   point that smaller network is a certified local minimum (or, with no unit left, the best
   constant): near the point, no point of S has lower loss.
5. The exact gradient at the snapped point (relu'(0) = 0) is 0: a run started there never
   moves.

Facts 1-5 are checked exactly (Fractions); the proof text lists them with their numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..exact.datasets import Dataset
from ..exact.shallow_relu import ShallowReLU

__all__ = ["RULE", "StuckProof", "exact_gradient", "inert_units", "stuck_at_kink"]

RULE = ("gradient descent theta <- theta - eta_t grad L(theta), full batch, any step sizes "
        "eta_t > 0, exact arithmetic, relu'(0) = 0 (the trainer's convention); equally any "
        "rule whose step in a coordinate is 0 while that coordinate's gradient has been 0 at "
        "every step (momentum or Adam whose moments for it are 0)")


@dataclass(frozen=True)
class StuckProof:
    """The exact facts behind "stuck at a kink" (module docstring, facts 1-5)."""

    units: tuple[int, ...]  # J, 0-based
    kinks: tuple[tuple[int, int], ...]  # (unit in J, point) with z = 0 at the snapped point
    smaller: str  # how fact 4 was established

    def text(self) -> str:
        units = ", ".join(str(j + 1) for j in self.units)
        kinks = ", ".join(f"unit {j + 1} at point {i + 1}" for j, i in self.kinks)
        return (f"stuck at a kink: units {units} are inactive or on a kink at every data point "
                f"(kinks: {kinks}), at the snapped point and at the run's own final parameters;"
                f" on that set their gradient is 0 for any other parameters, so {RULE} never "
                "moves them; the certificate's lower points (radii 1/1000 and 10^-6) move only "
                f"them; the network without them is {self.smaller}; the exact gradient at the "
                "point is 0")


def _pre(net: ShallowReLU, x: Any, j: int) -> Fraction:
    return sum((w * t for w, t in zip(net.W[j], x, strict=True)), Fraction(net.b[j]))


def inert_units(net: ShallowReLU, dataset: Dataset) -> set[int]:
    """The units whose pre-activation is <= 0 at every data point (exactly)."""
    return {j for j in range(net.m) if all(_pre(net, x, j) <= 0 for x in dataset.X)}


def exact_gradient(net: ShallowReLU, dataset: Dataset) -> list[Fraction]:
    """The exact gradient of sum_i (f(x_i) - y_i)^2 (a positive multiple of the loss's) with
    relu'(0) = 0, ordered (W rows, b, v, c)."""
    z = [[_pre(net, x, j) for j in range(net.m)] for x in dataset.X]
    res = [sum((v * max(t, 0) for v, t in zip(net.v, row, strict=True)), Fraction(net.c)) - y
           for row, y in zip(z, dataset.y, strict=True)]
    gw, gb, gv = [], [], []
    for j in range(net.m):
        active = [(r, x) for r, x, row in zip(res, dataset.X, z, strict=True) if row[j] > 0]
        gw.extend(sum((2 * r * net.v[j] * x[k] for r, x in active), Fraction(0))
                  for k in range(dataset.d))
        gb.append(sum((2 * r * net.v[j] for r, _ in active), Fraction(0)))
        gv.append(sum((2 * r * max(row[j], 0) for r, row in zip(res, z, strict=True)),
                      Fraction(0)))
    return gw + gb + gv + [2 * sum(res, Fraction(0))]


def _moved_units(point: ShallowReLU, witness: ShallowReLU) -> set[int] | None:
    """The units whose (w, b, v) the witness changes; None if it changes c."""
    if witness.c != point.c:
        return None
    return {j for j in range(point.m) if (list(point.W[j]), point.b[j], point.v[j])
            != (list(witness.W[j]), witness.b[j], witness.v[j])}


def _smaller_is_minimum(point: ShallowReLU, keep: list[int], dataset: Dataset) -> str | None:
    """Fact 4: the network without the inert units, at the snapped point, is a certified local
    minimum (a description) or None."""
    if not keep:  # only the constant c: the loss is a strictly convex quadratic in c
        mean = sum(dataset.y, Fraction(0)) / dataset.n
        return "the constant model, at its best constant" if point.c == mean else None
    from ..verify.dispatch import verify_local_minimum

    small = ShallowReLU([point.W[j] for j in keep], [point.b[j] for j in keep],
                        [point.v[j] for j in keep], point.c)
    cert = verify_local_minimum(small, dataset)
    if cert.is_local_minimum is not True:
        return None
    return f"a certified local minimum ({len(keep)} unit(s), exact loss {cert.loss})"


def stuck_at_kink(point: ShallowReLU, witness: ShallowReLU, trained: ShallowReLU,
                  dataset: Dataset) -> StuckProof | None:
    """The proof that the exact ``point`` (certified not a minimum, ``witness`` a lower point
    near it) is one gradient training cannot leave, for the run ending at ``trained``; None
    when one of facts 1-5 (module docstring) fails."""
    moved = _moved_units(point, witness)
    inert = inert_units(point, dataset)
    if not moved or not moved <= inert or not moved <= inert_units(trained, dataset):
        return None
    if any(g != 0 for g in exact_gradient(point, dataset)):
        return None
    units = sorted(inert & inert_units(trained, dataset))
    smaller = _smaller_is_minimum(point, [j for j in range(point.m) if j not in units], dataset)
    if smaller is None:
        return None
    kinks = tuple((j, i) for j in units for i, x in enumerate(dataset.X) if _pre(point, x, j) == 0)
    return StuckProof(tuple(units), kinks, smaller)
