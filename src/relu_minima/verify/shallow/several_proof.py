"""The human-readable proof of a one-hidden-layer certificate with k > 1 outputs (Theorem 3 of
docs/method.md), as lines derived from the verified evidence."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from ..certificate import WITNESS_HINT
from .kink_forms import SignDecision
from .several import UnitReportK, moving_biases

__all__ = ["several_proof_lines"]

_MAX_ROWS = 40


def _v(vec: Sequence[Fraction] | None) -> str:
    return "(" + ", ".join(str(t) for t in (vec or ())) + ")"


def _outs(outputs: Sequence[int]) -> str:
    return ", ".join(str(o + 1) for o in outputs) if outputs else "none"


def several_proof_lines(cert: Any) -> list[str]:
    """The proof below the certificate's heading (k outputs)."""
    p, D = cert.params, cert.dataset
    out = [f"Network f(x) = c + sum_j v_j relu(w_j . x + b_j) with k = {p.k} outputs (v_j, c in "
           f"Q^k): m = {p.m} unit(s), d = {p.d}."]
    for j in range(p.m):
        out.append(f"  unit {j + 1}: w = {_v(p.W[j])}, b = {p.b[j]}, v = {_v(p.v_of(j))}")
    out += [f"  c = {_v(p.C)}", f"Parameterisation: {p.space.describe()}.",
            f"Dataset: n = {D.n} point(s), targets in Q^{p.k}.",
            f"Loss L = sum_i |f(x_i) - y_i|^2 = {cert.loss}", "",
            "Residuals r_i = f(x_i) - y_i (vectors):"]
    for i in range(min(D.n, _MAX_ROWS)):
        out.append(f"  point {i + 1}: x = {_v(D.X[i])}, y = {_v(D.Y[i])}, "
                   f"r = {_v(cert.residuals[i])}")
    if D.n > _MAX_ROWS:
        out.append(f"  ... ({D.n - _MAX_ROWS} more in to_json())")
    out.append("")
    out += _verdict_lines(cert)
    total = tuple(sum((r[o] for r in cert.residuals), Fraction(0)) for o in range(p.k))
    out += ["", f"Condition on c: sum_i r_i = {_v(total)} must vanish in the moving entries of "
            f"c (outputs {_outs(moving_biases(p.space))}): "
            + ("holds." if all(total[o] == 0 for o in moving_biases(p.space)) else "FAILS.")]
    for u in cert.units:
        out += ["", *_unit_lines(u)]
    return out


def _verdict_lines(cert: Any) -> list[str]:
    if cert.is_local_minimum:
        return [
            "VERDICT: LOCAL MINIMUM (not necessarily strict). For every theta' with",
            f"|theta' - theta|_inf <= rho = {cert.radius} (moving only the moving coordinates),",
            "no nonzero pre-activation changes sign, and with Delta = F(theta') - F(theta),",
            "  L(theta') - L(theta) = 2 r . Delta + |Delta|^2,",
            "  r . Delta = dc . sum_i r_i + sum_j [dv_j . a_j + v'_j . G_j(du_j)],",
            "where the first two terms vanish by the conditions on c and a_j, and",
            "v'_j . G_j(du_j) >= kappa_j |G_jM(du_j)|_inf - |dv_j|_1 |G_jM(du_j)|_inf >= 0 by",
            "each unit's cone condition (v_j . G_j >= kappa_j |G_jM|_inf, and |dv_j|_1 <= k rho",
            "<= kappa_j) or G_jM == 0 (docs/method.md, Theorem 3). Hence L(theta') >= L(theta).",
        ]
    if cert.verdict.value == "undecided":
        return ["VERDICT: UNDECIDED.", f"  {cert.reason}."]
    return ["VERDICT: NOT A LOCAL MINIMUM.", f"  {cert.reason}.", WITNESS_HINT]


def _decision_line(d: SignDecision) -> str:
    how = ("a violating direction " + _v(d.descent) if d.descent is not None else
           "a zonotope certificate (Lemma D)" if d.zonotope is not None else
           "Lemma C weights" if d.convex_weights is not None else
           f"{len(d.rays)} ray value(s) (Lemma A)")
    return f"{'holds' if d.holds else 'FAILS'} ({how}; in to_json())"


def _unit_lines(u: UnitReportK) -> list[str]:
    G = u.form
    lines = [f"Unit {u.j + 1}: v = {_v(u.v)}; moving entries of v: outputs {_outs(u.outputs)}.",
             f"  active at points: {', '.join(str(i + 1) for i in u.active) or 'none'}; "
             f"{len(u.kink_inputs)} distinct kink input(s)",
             "  G(delta) = P delta + sum_H R_H max(0, n_H . delta) in Q^k, delta = change of the "
             "moving (w, b):"]
    for o, row in enumerate(G.P):
        lines.append(f"    P row {o + 1} = {_v(row)}")
    for x, w in list(zip(u.kink_inputs, G.weights, strict=True))[:_MAX_ROWS]:
        lines.append(f"    kink input x = {_v(x)}: R_H = {_v(w)}")
    ok = all(u.rate[o] == 0 for o in u.outputs)
    lines.append(f"  a = sum_i r_i relu(z_i) = {_v(u.rate)}: zero in the moving outputs "
                 f"{'holds' if ok else 'FAILS'}.")
    mode = u.mode
    if mode == "held":
        lines.append("  (u or v of this unit cannot change the output: no condition on G)")
    elif mode == "zero":
        for o, d in zip(u.outputs, u.zeros, strict=False):
            lines.append(f"  v = 0: G_{o + 1} == 0 (output {o + 1}): {_decision_line(d)}")
    else:
        lines.append(f"  g = v . G >= 0: {_decision_line(u.sign)}")
    lines += _cone_lines(u, mode)
    return lines


def _cone_lines(u: UnitReportK, mode: str) -> list[str]:
    if mode == "v fixed":
        return ["  no entry of v moves, so v . G >= 0 is the whole condition."]
    if mode == "aligned":
        bound = ("no bound on dv (v_M = 0)" if u.kappa is None else
                 f"kappa = |v|^2 / max_(l in M) |v_l| = {u.kappa}")
        return ["  every column of P and every R_H is a multiple of v, so G = v (v . G) / |v|^2 "
                f"and the cone condition holds with {bound}."]
    if mode == "silent":
        return ["  G_l == 0 for every moving output l (P_l = 0 and every R_Hl = 0): moving v "
                "does not change the first order."]
    if mode == "cone":
        return [f"  cone condition v . G >= kappa max_(l in M) |G_l| with kappa = {u.kappa}: "
                f"{len(u.cone)} sign decisions of (v - s kappa e_l) . G >= 0 hold (in "
                "to_json())."]
    if mode == "critical":
        return [f"  cone condition FAILS: at the critical direction delta = {_v(u.critical)}, "
                f"v . G(delta) = 0 but G(delta) = {_v(u.form(u.critical))}; second order "
                "decides (see the verdict)."]
    return []
