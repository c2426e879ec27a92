"""Checks of Propositions 1-3 and Remark 1 (Section 3.1.3, Appendix B.4): exact certificates."""

from __future__ import annotations

from fractions import Fraction

import sympy

from ...exact.datasets import Dataset
from ...exact.shallow import ShallowReLU
from ...verify.dispatch import verify_local_minimum
from .. import examples as ex
from ..registry import ClaimResult, Context, Status, implements
from ..repairs import sign_flip_repairs


def _json(p: ShallowReLU) -> dict:
    return p.to_json()


def _block(text: str) -> str:
    return "```text\n" + text + "\n```"


@implements("prop1")
def check_prop1(ctx: Context) -> ClaimResult:
    cert = verify_local_minimum(ex.PROP1_POINT, ex.D1)
    other = ex.PROP1_COMPARISON.loss(ex.D1)
    ok = cert.is_local_minimum and cert.loss == 18 and other == 14 and other < cert.loss
    cmp_cert = verify_local_minimum(ex.PROP1_COMPARISON, ex.D1)
    return ClaimResult(
        Status.VERIFIED if ok else Status.REFUTED,
        f"(w,b,v,c) = (1,-3,1,0) is a local minimum with L = {cert.loss} (exact certificate, "
        f"radius {cert.radius}); L(-7,-4,1,0) = {other} < {cert.loss}, so it is not global. "
        f"The comparison point is itself a local minimum: {cmp_cert.is_local_minimum}.",
        _block(str(cert)),
        data={"loss": str(cert.loss), "comparison_loss": str(other),
              "comparison_is_local_minimum": cmp_cert.is_local_minimum},
    )


def remark1_level_set() -> tuple[list[dict], sympy.Expr]:
    """Solve F(theta') = F(theta) near the Proposition 1 point, and L along the rescaling orbit.

    Near (1, -3, 1, 0) points x = 5, 4 stay active, x = 1, -1 stay inactive and x = 3 is on the
    kink, so F(theta') = F(theta) reads v(5w + b) + c = 2, v(4w + b) + c = 1, c = 0 (and then
    v relu(3w + b) = 0 holds). Returns the solution set and L(a) along (a, -3a, 1/a, 0), a > 0.
    """
    w, b, v, c = sympy.symbols("w b v c", real=True)
    sols = sympy.solve([v * (5 * w + b) + c - 2, v * (4 * w + b) + c - 1, c], [b, v, c], dict=True)
    a = sympy.symbols("a", positive=True)
    loss = sum(((1 / a) * sympy.Max(0, a * int(x[0]) - 3 * a) - int(y)) ** 2
               for x, y in ex.D1)
    return sols, sympy.simplify(loss)


@implements("remark1")
def check_remark1(ctx: Context) -> ClaimResult:
    cert = verify_local_minimum(ex.PROP1_POINT, ex.D1)
    unit = cert.units[0]
    flat = (sum(cert.residuals) == 0 and all(t == 0 for t in unit.form.p)
            and all(wt == 0 for wt in unit.form.weights))
    sols, loss_on_orbit = remark1_level_set()
    w = sympy.Symbol("w", real=True)
    one_dim = (len(sols) == 1 and sympy.simplify(sols[0][sympy.Symbol("b", real=True)] + 3 * w) == 0
               and sympy.simplify(sols[0][sympy.Symbol("v", real=True)] - 1 / w) == 0)
    ok = cert.is_local_minimum and flat and one_dim and loss_on_orbit == 18
    return ClaimResult(
        Status.VERIFIED if ok else Status.REFUTED,
        "Not strict: L = 18 on the rescaling curve (w, b, v, c) = (a, -3a, 1/a, 0), a > 0 "
        "(sympy: L(a) simplifies to 18); and within the certificate's radius L - 18 = |Delta|^2 "
        "exactly (every kink form vanishes), so {L = 18} there is exactly that 1-dimensional "
        "curve (sympy solves F(theta') = F(theta): b = -3w, v = 1/w, c = 0).",
        f"Solutions of F(theta') = F(theta): `{sols}`; L along the orbit: `{loss_on_orbit}`.",
        data={"level_set": str(sols), "loss_on_orbit": str(loss_on_orbit)},
    )


def _perfect(p: ShallowReLU, D: Dataset) -> bool:
    return p.loss(D) == 0


def prop2_repairs() -> tuple[list, list]:
    """Sign-flip repairs of the two printed Proposition 2 points (see repairs.py)."""
    glob = sign_flip_repairs(ex.PROP2_GLOBAL_PRINTED, lambda p: _perfect(p, ex.D2))
    loc = sign_flip_repairs(
        ex.PROP2_LOCAL_PRINTED,
        lambda p: p.loss(ex.D2) > 0 and verify_local_minimum(p, ex.D2).is_local_minimum,
    )
    return glob, loc


@implements("prop2")
def check_prop2(ctx: Context) -> ClaimResult:
    g_cert = verify_local_minimum(ex.PROP2_GLOBAL_PRINTED, ex.D2)
    l_cert = verify_local_minimum(ex.PROP2_LOCAL_PRINTED, ex.D2)
    glob, loc = prop2_repairs()
    if g_cert.loss == 0 and l_cert.is_local_minimum and l_cert.loss > 0:
        return ClaimResult(Status.VERIFIED, "both printed points are as claimed",
                           _block(str(l_cert)))
    lines = [
        f"As printed, the 'global minimum' has L = {g_cert.loss} (not a perfect fit; "
        f"{g_cert.status}) and the 'local minimum' has L = {l_cert.loss} and is "
        f"{l_cert.status}: {l_cert.reason}.",
        "",
        "Nearest true statement (smallest sign-flip edits found by `repairs.sign_flip_repairs`, "
        "each certified):",
    ]
    for r in glob:
        lines.append(f"- global: {r.edit} gives L = {r.params.loss(ex.D2)} (perfect fit): "
                     f"`{_json(r.params)}`")
    for r in loc:
        c = verify_local_minimum(r.params, ex.D2)
        lines.append(f"- local: {r.edit} gives a certified {c.status} with L = {c.loss}: "
                     f"`{_json(r.params)}`")
        lines += ["", _block(str(c))]
    fixed = bool(glob) and bool(loc)
    if fixed:
        fixed_local = verify_local_minimum(loc[0].params, ex.D2)
        summary = (f"As printed both points fail (L = {g_cert.loss}, not 0; the second is "
                   f"{l_cert.status}, L = {l_cert.loss}). Corrected by the library: global with "
                   f"{glob[0].edit} (L = {glob[0].params.loss(ex.D2)}), local with {loc[0].edit} "
                   f"({fixed_local.status}, L = {fixed_local.loss}).")
    else:
        summary = "As printed both points fail and no sign-flip repair was found."
    return ClaimResult(
        Status.ERRATUM if fixed else Status.REFUTED,
        summary,
        "\n".join(lines),
        data={"printed_global_loss": str(g_cert.loss), "printed_local_loss": str(l_cert.loss),
              "printed_local_is_local_minimum": l_cert.is_local_minimum,
              "repairs_global": [r.edit for r in glob], "repairs_local": [r.edit for r in loc]},
    )


@implements("prop2-blind-spot")
def check_prop2_blind_spot(ctx: Context) -> ClaimResult:
    glob, _ = prop2_repairs()
    if not glob:
        return ClaimResult(Status.REFUTED, "no perfect-fit point near the printed one")
    p = glob[0].params
    x3 = ex.D2.X[2]
    z = p.preactivations(Dataset([x3], [0]))[0]
    all_off = all(t < 0 for t in z)
    zero = p.loss(ex.D2) == 0
    return ClaimResult(
        Status.VERIFIED if all_off and zero else Status.REFUTED,
        f"For the corrected global point ({glob[0].edit}), both pre-activations at x3 = 1 are "
        f"negative ({', '.join(str(t) for t in z)}) and L = {p.loss(ex.D2)}: a blind spot at a "
        "perfect fit.",
        data={"preactivations_at_x3": [str(t) for t in z]},
    )


@implements("prop3")
def check_prop3(ctx: Context) -> ClaimResult:
    better = verify_local_minimum(ex.PROP3_BETTER, ex.D3)
    worse = verify_local_minimum(ex.PROP3_WORSE, ex.D3)
    ok = better.is_local_minimum and worse.is_local_minimum and better.loss < worse.loss
    return ClaimResult(
        Status.VERIFIED if ok else Status.REFUTED,
        f"Both points are certified local minima; L = {better.loss} (claimed better) < "
        f"L = {worse.loss}." if ok else
        f"better: {better.status}, L = {better.loss}; worse: {worse.status}, L = {worse.loss}",
        _block(str(better)) + "\n\n" + _block(str(worse)),
        data={"better_loss": str(better.loss), "worse_loss": str(worse.loss)},
    )


def least_squares_line(points: list[tuple[Fraction, Fraction]]) -> tuple[Fraction, Fraction]:
    """Exact least-squares fit y = slope x + intercept (the normal equations, by hand)."""
    n = len(points)
    mx = sum((x for x, _ in points), Fraction(0)) / n
    my = sum((y for _, y in points), Fraction(0)) / n
    sxx = sum(((x - mx) ** 2 for x, _ in points), Fraction(0))
    sxy = sum(((x - mx) * (y - my) for x, y in points), Fraction(0))
    slope = sxy / sxx
    return slope, my - slope * mx


def region_report(p: ShallowReLU, D: Dataset) -> dict[str, dict]:
    """Per region (x < 6, x >= 6): fitted values, the LS line's values, and the units used."""
    out = {}
    z = p.preactivations(D)
    for name, keep in (("I", lambda x: x < 6), ("II", lambda x: x >= 6)):
        idx = [i for i, (x, _) in enumerate(D) if keep(x[0])]
        pts = [(D.X[i][0], D.y[i]) for i in idx]
        slope, icpt = least_squares_line(pts)
        fitted = [p.outputs(D)[i] for i in idx]
        ls = [slope * x + icpt for x, _ in pts]
        perfect = all(f == y for f, (_, y) in zip(fitted, pts, strict=True))
        units = sorted({j for i in idx for j in range(p.m) if z[i][j] > 0})
        out[name] = {"perfect": perfect, "least_squares": fitted == ls, "units": units,
                     "optimal_affine": perfect or fitted == ls}
    return out


@implements("prop3-regions")
def check_prop3_regions(ctx: Context) -> ClaimResult:
    b = region_report(ex.PROP3_BETTER, ex.D3)
    w = region_report(ex.PROP3_WORSE, ex.D3)
    ok = (all(r["optimal_affine"] for r in (*b.values(), *w.values()))
          and b["I"]["perfect"] and len(b["I"]["units"]) == 2 and len(b["II"]["units"]) == 1
          and w["II"]["perfect"] and len(w["II"]["units"]) == 2 and len(w["I"]["units"]) == 1)
    return ClaimResult(
        Status.VERIFIED if ok else Status.REFUTED,
        "Better point: region I fitted perfectly by 2 units, region II by its exact "
        "least-squares line with 1 unit; worse point: region I by its least-squares line with "
        "1 unit, region II perfectly by 2 units." if ok else f"better {b}, worse {w}",
        data={"better": b, "worse": w},
    )


__all__ = ["least_squares_line", "prop2_repairs", "region_report", "remark1_level_set"]
