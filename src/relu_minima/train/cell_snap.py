"""The snap of a large one-hidden-layer network whose trained point lies inside a cell
(issue 30; docs/snap.md, "Large networks: the cell certificate").

When the float search of the trained cell (:mod:`.active_set`) ends with no pair on a kink and
no unit of negligible output, the exact critical point is the minimiser t* of the cell's
convex quadratic, whose numbers have thousands of digits on a network of a few hundred
parameters (solving for them and deciding them dominated the snap's time). Instead, the float
minimiser is rounded to a short dyadic centre, and
:func:`relu_minima.verify.shallow.cell_certificate.certify_cell_minimum` proves, in exact
integer arithmetic, that t* lies within a stated distance of the centre and inside the cell:
the verdict "local minimum" is about that exact minimiser theta*, within the certificate's
``distance_bound`` of the centre. When the proof does not go through (a point close to a
kink, a singular cell), the exact route (:mod:`.shallow_snap`) decides an exact point.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

import numpy as np

from ..exact.shallow_relu import ShallowReLU
from .active_set import CellProblem
from .rationals import short_rational

__all__ = ["CELL_MIN_UNKNOWNS", "cell_candidate", "cell_unknowns", "up3"]

# the exact route below this many unknowns: it writes the exact critical point down (an exact
# loss, a point any exact tool, an SMT solver included, can re-check) and is quick there
# (2-16-1 on 200 points, 49 unknowns: 0.14 s CPU, the cell route 0.04 s; 4-32-1 on 400
# points, 161 unknowns: 0.48 s against 0.08 s). The cell route is the faster one at every
# size measured.
CELL_MIN_UNKNOWNS = 100
MANTISSA_BITS = 52  # the centre's coordinates: integers below 2^52 over one power of two


def cell_unknowns(pr: CellProblem) -> int:
    return len(pr.live) * (pr.d + 1) + 1


def _dyadic(values: np.ndarray) -> list[Fraction]:
    """The floats rounded to one grid 2^-k, k chosen so that the largest is below
    2^MANTISSA_BITS on it (so the centre's numbers are short and share a denominator)."""
    top = float(np.max(np.abs(values), initial=0.0))
    k = MANTISSA_BITS - (math.frexp(top)[1] if top > 0 else 0)
    scale = Fraction(1, 1 << k) if k >= 0 else Fraction(1 << -k)
    return [int(a) * scale for a in np.rint(np.ldexp(values, k))]


def _centre(pr: CellProblem, start: tuple[dict[int, np.ndarray], float],
            dead_unit: Callable[[CellProblem, int], tuple[list[Fraction], Fraction]]
            ) -> ShallowReLU:
    """The short centre: t rounded to one dyadic grid, v_j the simplest rational within
    ``pr.rel`` of the trained v_j, (w_j, b_j) = u_j / v_j; dead units as the exact route
    writes them (short rationals strictly negative on every point)."""
    U, c = start
    flat = np.concatenate([*(U[j] for j in pr.live), [c]])
    t = _dyadic(flat)
    d = pr.d
    W = [[Fraction(a) for a in row] for row in pr.W.tolist()]
    b = [Fraction(a) for a in pr.b.tolist()]
    v = [Fraction(a) for a in pr.v.tolist()]
    for k, j in enumerate(pr.live):
        u = t[k * (d + 1):(k + 1) * (d + 1)]
        v[j] = short_rational(float(pr.v[j]), pr.rel)
        W[j] = [a / v[j] for a in u[:d]]
        b[j] = u[d] / v[j]
    for j in pr.dead:
        W[j], b[j] = dead_unit(pr, j)
        v[j] = short_rational(float(pr.v[j]), pr.rel)
    return ShallowReLU(W, b, v, t[-1])


def cell_candidate(pr: CellProblem, start: tuple[dict[int, np.ndarray], float],
                   dead_unit: Callable[[CellProblem, int], tuple[list[Fraction], Fraction]],
                   step: Callable[[str], None] = lambda text: None
                   ) -> tuple[ShallowReLU, object | None, str]:
    """(centre, certificate or None, a note on what happened: why the certificate does not
    apply when it does not, and how many dead units the centre keeps dead)."""
    from ..verify.shallow.cell_certificate import cell_attempt

    step("centre")
    centre = _centre(pr, start, dead_unit)
    head = f"cell certificate ({cell_unknowns(pr)} unknowns)"
    cert, why = cell_attempt(centre, pr.dataset, step=lambda text: step(f"{head}: {text}"))
    if cert is None:
        return centre, None, (f"the cell certificate does not apply to the short centre: {why}"
                              "; the exact route decides an exact point")
    dead = (f"; {len(pr.dead)} dead unit(s), kept dead (strictly negative at every point, "
            "so locally constant)" if pr.dead else "")
    if cert.fixed:
        dead += (f"; {len(cert.fixed)} column(s) of the cell's design exact combinations of "
                 "the others, kept at the centre's values")
    return centre, cert, (f"cell certificate: the exact minimiser of the trained cell lies "
                          f"within max-norm {up3(cert.distance_bound)} of the short "
                          f"centre ({cell_unknowns(pr)} unknowns, |t* - t_c| <= "
                          f"{up3(cert.t_radius)}, contraction <= "
                          f"{up3(cert.contraction)}){dead}")


def up3(q: Fraction) -> str:
    """q to 3 significant digits, rounded up (a printed bound stays a bound)."""
    if q <= 0:
        return str(q)
    e = math.floor(math.log10(float(q))) - 2 if float(q) > 0 else -300
    scale = Fraction(10) ** e
    while q / scale >= 1000:
        scale *= 10
    while q / scale < 100:
        scale /= 10
    k = -((-q.numerator * scale.denominator) // (q.denominator * scale.numerator))
    return f"{float(k * scale):.3g}"
