"""The first-order descents of a one-hidden-layer point with k > 1 outputs (docs/method.md,
"Several outputs", necessity of N1-N4), as :class:`~.units.Descent` records and flat
directions.

* "bias": (sum_i r_i)_l != 0 for a moving c_l: c moves by -S_M / |S_M|_inf (first order
  2 t S . dc = -2 t |S_M|^2 / |S_M|_inf);
* "unit": v_j != 0 and g_j(delta) < 0: u_j moves along delta (first order 2 t g_j(delta));
* "output": (a_j)_l != 0 for a moving V[l, j]: v_j moves by -a_M / |a_M|_inf;
* "saddle": v_j = 0, a_jM = 0 and G_jl(delta) != 0 for some l in M_j: u_j moves by eps delta
  and v_j by -tau eps w / |w|_inf with w = G_jM(delta); the loss changes by
  eps^2 (-2 tau |w|^2 / |w|_inf + tau^2 A |w|^2 / |w|_inf^2) + O(eps^3) with
  A = sum_i relu(z_ij)^2, negative for tau = min(1, |w|_inf / A); moving v_j the other way
  raises it at order eps^2.

Each descent is also re-derived by ``check()`` from the verified unit evidence, and the loss
germ along its flat direction must decrease.
"""

from __future__ import annotations

from fractions import Fraction

from ...errors import CertificateError
from ...exact import linalg
from ...exact.linalg import dot
from ...exact.shallow_relu import ShallowReLU, activation
from .several import UnitReportK, moving_biases, unit_moving_k
from .units import Descent, embed, place_unit_step

__all__ = ["first_descent_k", "flat_direction_k"]

Vec = tuple[Fraction, ...]


def _vec(v: Vec | None) -> str:
    return "(" + ", ".join(str(t) for t in (v or ())) + ")"


def _normalised(w: Vec) -> Vec:
    top = max(abs(t) for t in w)
    return tuple(t / top for t in w)


def _on(outputs: tuple[int, ...], w: Vec) -> Vec:
    """w with the entries outside ``outputs`` set to 0."""
    return tuple(t if o in outputs else Fraction(0) for o, t in enumerate(w))


def first_descent_k(params: ShallowReLU, residuals: tuple[Vec, ...],
                    units: list[UnitReportK]) -> Descent | None:
    """The first failing condition among N1-N4 (module docstring), or None."""
    k = params.k
    total = tuple(linalg.exact_sum(r[o] for r in residuals) for o in range(k))
    S = _on(moving_biases(params.space), total)
    if any(S):
        rate = -dot(S, S) / max(abs(t) for t in S)
        return Descent("bias", None, None, rate,
                       f"the output bias c is not optimal: sum of residuals = {_vec(total)}, "
                       f"which is not 0 in a moving entry of c, so moving c by -t "
                       f"{_vec(_normalised(S))} changes L at rate {2 * rate} < 0")
    h = "relu" if params.negative_slope == 0 else "h"  # the activation's name in the texts
    for u in units:
        name = f"unit {u.j + 1}"
        if u.mode == "sign fails":
            d = _unit_direction(params, u, u.sign.descent)
            g = u.sign.form(u.sign.descent)
            return Descent("unit", u.j, d, g,
                           f"{name} (v = {_vec(u.v)}): moving (w, b) along {_vec(d)} changes L "
                           f"at rate 2 g(delta) = {2 * g} < 0, g = v . G")
        a = _on(u.outputs, u.rate)
        if any(a):
            rate = -dot(a, a) / max(abs(t) for t in a)
            return Descent("output", u.j, None, rate,
                           f"{name}: dL/dv = 2 sum_i r_i {h}(z_i) = "
                           f"{_vec(tuple(2 * t for t in u.rate))}"
                           f", not 0 in a moving entry of v, so moving v by -t "
                           f"{_vec(_normalised(a))} changes L at rate {2 * rate} < 0")
        if u.zeros and not u.zeros[-1].holds:
            delta = u.zeros[-1].descent
            w = _on(u.outputs, u.form(delta))
            d = _unit_direction(params, u, delta)
            return Descent("saddle", u.j, d, -dot(w, w) / max(abs(t) for t in w),
                           f"{name} has v = 0 and its vector kink form is not identically zero "
                           f"in the moving outputs: G({_vec(d)}) = {_vec(w)}; moving (w, b) by "
                           "eps delta and v by -tau eps G/|G|_inf changes L by eps^2 (-2 tau "
                           "|G|^2/|G|_inf + tau^2 A |G|^2/|G|_inf^2) + O(eps^3) < 0 for "
                           f"0 < tau < 2 |G|_inf / A (A = sum_i {h}(z_i)^2), and moving v the "
                           "other way raises it at order eps^2: neither a local minimum nor a "
                           "local maximum (a saddle)")
    return None


def _unit_direction(params: ShallowReLU, u: UnitReportK, delta: Vec) -> Vec:
    keep = unit_moving_k(params.space, u.j, u.v)
    return embed(delta, keep, params.d + 1)


def flat_direction_k(params: ShallowReLU, dataset: object, units: list[UnitReportK],
                     residuals: tuple[Vec, ...], descent: Descent) -> Vec:
    """The descent as one straight line in parameter space (module docstring)."""
    space, k = params.space, params.k
    entries: dict[int, Fraction] = {}
    if descent.kind == "bias":
        total = tuple(linalg.exact_sum(r[o] for r in residuals) for o in range(k))
        S = _normalised(_on(moving_biases(space), total))
        for o in range(k):
            entries[space.bias_index(2, o + 1)] = -S[o]
        return space.unit_vector(entries)
    j = descent.unit
    if j is None:
        raise CertificateError(f"descent of kind {descent.kind!r} without a unit")
    u = units[j]
    if descent.kind == "output":
        a = _normalised(_on(u.outputs, u.rate))
        for o in range(k):
            entries[space.weight_index(2, o + 1, j + 1)] = -a[o]
        return space.unit_vector(entries)
    delta = place_unit_step(space, entries, j, descent.direction, descent.kind)
    if descent.kind == "saddle":
        keep = unit_moving_k(space, j, u.v)
        w = _on(u.outputs, u.form(tuple(delta[q] for q in keep)))
        table = params.preactivation_table(dataset)  # type: ignore[arg-type]
        s = params.negative_slope
        A = sum((activation(table.value(i, j), s) ** 2 for i in range(len(table.num))),
                Fraction(0))
        top_w = max(abs(t) for t in w)
        tau = Fraction(1) if A == 0 else min(Fraction(1), top_w / A)
        for o in range(k):
            entries[space.weight_index(2, o + 1, j + 1)] = -tau * w[o] / top_w
    return space.unit_vector(entries)
