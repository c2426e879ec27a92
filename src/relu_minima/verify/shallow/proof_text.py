"""The human-readable proof of a LocalMinimumCertificate (its ``__str__``), as lines.

Written to be checked by hand, in the spirit of the paper's Appendix B.4: the loss, the
residuals, the kink pairs, then one paragraph per condition of docs/method.md, Theorem 1.
Every line is derived from the certificate's verified evidence; the certificate's heading
and the rendering are :meth:`relu_minima.verify.certificate.Certificate.render`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any, Protocol

from ...exact.datasets import Dataset
from ...exact.linalg import dot
from ...exact.shallow_relu import ShallowReLU
from ..certificate import WITNESS_HINT
from .kink_forms import KinkForm
from .units import UnitReport


class ShallowProof(Protocol):
    """What the proof text reads of a one-hidden-layer certificate (defined here, below the
    certificate class, so that the two modules do not import each other)."""

    params: ShallowReLU
    dataset: Dataset
    loss: Fraction
    reason: str
    residuals: tuple[Fraction, ...]
    units: tuple[UnitReport, ...]
    radius: Fraction | None
    output_rates: tuple[Fraction, ...] | None

    @property
    def is_local_minimum(self) -> bool | None: ...

    @property
    def kink_pairs(self) -> list[tuple[int, int]]: ...

    def witness(self, radius: Any = ...) -> Any: ...

_MAX_ROWS = 40  # longer lists are cut in the text; to_json() has everything

def _v(vec: Sequence[Fraction]) -> str:
    return "(" + ", ".join(str(t) for t in vec) + ")"


def _pts(ix: Sequence[int]) -> str:
    return ", ".join(str(i + 1) for i in ix) if ix else "none"


TITLE = ("Exact local-minimum certificate (rational arithmetic, no tolerances)", "=" * 68)


def proof_lines(cert: ShallowProof) -> list[str]:
    """The proof below the heading :data:`TITLE`."""
    p, D = cert.params, cert.dataset
    s = p.negative_slope
    out = [
        f"Network f(x) = c + sum_j v_j relu(w_j . x + b_j): m = {p.m} unit(s), d = {p.d}."
        if s == 0 else
        f"Network f(x) = c + sum_j v_j h(w_j . x + b_j): m = {p.m} unit(s), d = {p.d}, with "
        f"h(t) = t (t >= 0), {s} t (t < 0), so h(z) = s z + (1 - s) relu(z) for s = {s} "
        "(docs/activations.md).",
    ]
    for j in range(p.m):
        out.append(f"  unit {j + 1}: w = {_v(p.W[j])}, b = {p.b[j]}, v = {p.v[j]}")
    out += [f"  c = {p.c}", f"Parameterisation: {p.space.describe()}"
            + ("." if p.space.is_full else " (docs/method.md, Theorem 2: only the moving "
               "coordinates move)."),
            f"Dataset: n = {D.n} point(s).",
            f"Loss L = sum_i (f(x_i) - y_i)^2 = {cert.loss}", "",
            "Residuals r_i = f(x_i) - y_i:"]
    for i in range(min(D.n, _MAX_ROWS)):
        out.append(f"  point {i + 1}: x = {_v(D.X[i])}, y = {D.y[i]}, r = {cert.residuals[i]}")
    if D.n > _MAX_ROWS:
        out.append(f"  ... ({D.n - _MAX_ROWS} more in to_json())")
    pairs = cert.kink_pairs
    out.append("")
    out.append(f"Kink pairs (unit, point) with w_j . x_i + b_j = 0 exactly: {len(pairs)}")
    for j, i in pairs[:_MAX_ROWS]:
        out.append(f"  (unit {j + 1}, point {i + 1}) at x = {_v(D.X[i])}")
    out.append("")
    if cert.is_local_minimum:
        if not p.space.is_full:  # Theorem 2: theta' ranges over the points that move only these
            out.append("(theta' below ranges over the points that differ from theta only in "
                       "moving coordinates; Theorem 2.)")
        out += [
            "VERDICT: LOCAL MINIMUM (not necessarily strict). For every theta' with",
            f"|theta' - theta|_inf <= rho = {cert.radius}, no nonzero pre-activation and no",
            "nonzero v_j changes sign, and with Delta = F(theta') - F(theta) on the data,",
            "  L(theta') - L(theta) = 2 r . Delta + |Delta|^2,",
            "where r . Delta = delta_c sum_i r_i + sum_j [contribution of unit j], and each",
            "contribution is >= 0 by the conditions below (docs/method.md, Theorem 1). Hence",
            "L(theta') >= L(theta).",
        ]
    else:
        out += ["VERDICT: NOT A LOCAL MINIMUM.", f"  {cert.reason}.",
                WITNESS_HINT]
    total = sum(cert.residuals, Fraction(0))
    c_moves = p.space.moving[p.space.bias_index(2, 1)]
    out += ["", f"Condition on c: sum_i r_i = {total} "
            + (f"({'holds' if total == 0 else 'FAILS'})." if c_moves
               else "(no condition: c is not a parameter here).")]
    for u in cert.units:
        out += ["", *_unit_paragraph(u, D.d, s, cert.residuals)]
        if not p.space.is_full:
            out += _restriction_lines(cert, u.j)
    return out


def _restriction_lines(cert: ShallowProof, j: int) -> list[str]:
    """What the restricted parameterisation changes for unit j (docs/method.md, Theorem 2)."""
    S = cert.params.space
    names = [S.names[S.weight_index(1, j + 1, k + 1)] for k in range(cert.params.d)]
    names.append(S.names[S.bias_index(1, j + 1)])
    moving = [nm for nm in names if S.moving[S.index(nm)]]
    v_name = S.names[S.weight_index(2, 1, j + 1)]
    lines = []
    if cert.units[j].form.dim == 0:
        why = " that matters: v is held at 0" if moving else ""
        lines.append(f"  (no coordinate of (w, b) moves{why}; the kink condition is empty)")
    else:
        lines.append(f"  (delta ranges over the moving coordinates only: {', '.join(moving)};")
        lines.append("   p and the n_H above are restricted to them)")
    rates = cert.output_rates
    if S.moving[S.index(v_name)] and rates is not None:
        a = rates[j]
        h = "relu" if cert.params.negative_slope == 0 else "h"
        lines.append(f"  {v_name} = v moves: r . {h}(z) = {a} must be 0 "
                     f"({'holds' if a == 0 else 'FAILS'}).")
    else:
        h = "relu" if cert.params.negative_slope == 0 else "h"
        lines.append(f"  {v_name} = v is held fixed: no condition on r . {h}(z).")
    return lines


def _form_lines(u: UnitReport, s: Fraction, residuals: Sequence[Fraction]) -> list[str]:
    """The sign unit j's kink form g must have, and g itself: p and the bending kink inputs
    (with two slopes s != 0 the off points enter p and each kink weight is (1 - s) R)."""
    dec, form = u.decision, u.form
    want = {1: "g >= 0 (v > 0)", -1: "g <= 0 (v < 0)", 0: "g == 0 (v = 0)"}[dec.sigma]
    lines = [
        f"Unit {u.j + 1}: v = {u.v}; the kink form must satisfy {want}.",
        f"  active at points: {_pts(u.active)}",
    ]
    if u.kink_inputs:
        lines.append(f"  on the kink: {len(u.kink_inputs)} distinct input(s)")
    if s == 0:
        lines += [
            "  g(delta) = p . delta + sum_H R_H max(0, n_H . delta), delta = change of (w, b),",
            f"  p = sum over active points of r_i (x_i, 1) = {_v(form.p)}",
        ]
    else:
        lines += [
            f"  g(delta) = p . delta + sum_H (1 - s) R_H max(0, n_H . delta), s = {s}, delta = "
            "change of (w, b),",
            "  p = sum over active points of r_i (x_i, 1) + s * sum over the other points of "
            f"r_i (x_i, 1) = {_v(form.p)}",
        ]
    for x, ix, w in list(zip(u.kink_inputs, u.kink_indices, form.weights, strict=True))[
        :_MAX_ROWS
    ]:
        bend = "bends g" if w != 0 else "does not bend g"
        if s == 0:
            lines.append(f"  kink input x = {_v(x)}: points {_pts(ix)}, residual sum R = {w} "
                         f"({bend})")
        else:
            R = sum((residuals[i] for i in ix), Fraction(0)) if residuals else w
            lines.append(f"  kink input x = {_v(x)}: points {_pts(ix)}, residual sum R = {R}, "
                         f"weight (1 - s) R = {w} ({bend})")
    return lines


def _unit_paragraph(u: UnitReport, d: int, s: Fraction = Fraction(0),
                    residuals: Sequence[Fraction] = ()) -> list[str]:
    """Unit j's paragraph: its kink form (:func:`_form_lines`), then why the sign condition
    holds or fails."""
    dec, form = u.decision, u.form
    lines = _form_lines(u, s, residuals)
    ess = form.essential()
    if dec.sigma == 0 and dec.holds and not ess.normals:
        lines.append("  p = 0 and every R_H = 0, so g == 0: unit j can only change L at order")
        lines.append("  |Delta|^2 >= 0.  holds")
        return lines
    if dec.span_coefficients is None:
        d_ = dec.descent
        lines.append("  p is not a combination of the bending kink normals n_H = (x_H, 1):")
        lines.append(f"  along delta = {_v(d_)} (orthogonal to every n_H) g is linear,")
        lines.append(f"  g(delta) = p . delta = {form(d_)}.  FAILS")
        return lines
    if not ess.normals:
        lines.append("  no kink bends g, so g(delta) = p . delta, and p = 0.  holds")
        return lines
    if dec.holds and dec.convex_weights is not None:
        sign = {1: ">= 0", -1: "<= 0"}[dec.sigma]
        lines.append(f"  every bending R_H has the sign required of g ({sign}), and")
        lines.append(f"  -p = sum_H lambda_H R_H n_H with lambda = {_v(dec.convex_weights)} in "
                     "[0, 1]^H, so")
        lines.append("  sigma g(delta) = sum_H sigma R_H (max(0, n_H . delta) - lambda_H n_H . "
                     "delta) >= 0,")
        lines.append("  each term being >= 0 (max(0, t) >= lambda t for 0 <= lambda <= 1).  holds")
        return lines
    if dec.holds and dec.zonotope is not None:
        z = dec.zonotope
        lines.append("  the bending R_H have mixed signs. With L = sigma p + (1/2) sum_H "
                     "sigma R_H n_H,")
        lines.append("  2 min(sigma g(delta), sigma g(-delta)) = sum_P |P_i . delta| - sum_N "
                     "|N_j . delta|")
        lines.append(f"  for {len(z.pos)} positive generators P_i (the sigma R_H n_H > 0) and "
                     f"{len(z.neg)} negative")
        lines.append("  ones N_j (the |R_H| n_H with sigma R_H < 0, and 2L), so sigma g >= 0 iff "
                     "the zonotope")
        lines.append("  of the N_j lies in that of the P_i (Lemma D of docs/method.md). Proven "
                     f"on {z.leaves} cone(s)")
        lines.append("  of sign choices for the N_j, each by N_j = sum_i gamma_ij P_i with "
                     "sum_j |gamma_ij| <= 1")
        lines.append("  (coefficients in to_json()).  holds")
        return lines
    if not dec.holds and not dec.rays:
        d_ = dec.descent
        lines.append(f"  at delta = {_v(d_)} (found before any ray was enumerated) the unit is at")
        lines.append(f"  bending inputs [{_sides(ess, d_)}] and g(delta) = {form(d_)}.  "
                     f"FAILS along {_v(d_)}")
        return lines
    lines.append(f"  p = sum_H beta_H n_H with beta = {_v(dec.span_coefficients)}, so g vanishes "
                 "on the")
    lines.append("  lineality space {n_H . delta = 0 for all bending H}. On its span, g is linear")
    lines.append("  on each piece (a sign pattern of the n_H . delta); every piece is the cone")
    lines.append("  over the rays below (the 1-dimensional intersections of kink hyperplanes),")
    lines.append("  so the sign of g is decided by its values on them:")
    for r in dec.rays[:_MAX_ROWS]:
        sides = " ".join(_SIDE[s] for s in r.sides)
        ok = (r.value == 0) if dec.sigma == 0 else (dec.sigma * r.value >= 0)
        lines.append(f"    ray {_v(r.direction)}: unit at bending inputs [{sides}], g = {r.value}"
                     f" {'ok' if ok else 'VIOLATES'}")
    if len(dec.rays) > _MAX_ROWS:
        lines.append(f"    ... ({len(dec.rays) - _MAX_ROWS} more rays in to_json())")
    lines.append(f"  {'holds' if dec.holds else 'FAILS along ' + _v(dec.descent)}")
    return lines


_SIDE = {1: "on", 0: "kink", -1: "off"}


def _sides(form: KinkForm, delta: tuple[Fraction, ...]) -> str:
    return " ".join(_SIDE[(t > 0) - (t < 0)] for t in (dot(n, delta) for n in form.normals))
