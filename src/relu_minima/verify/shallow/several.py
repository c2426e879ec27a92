"""One hidden layer with k > 1 outputs: the unit evidence and conditions of Theorem 3
(docs/method.md, "Several outputs").

With k outputs the residuals are k-vectors r_i, and unit j has the vector kink form G_j
(:mod:`.vector_forms`) and the output rate a_j = sum_i r_i relu(z_ij) in Q^k. The conditions,
in the order the decision checks them (each failure is a descent, :mod:`.several_descent`):

* (N1) the residual sum vanishes in every output whose entry of c moves;
* per unit: (N3) v_j != 0: g_j = v_j . G_j >= 0 on the moving coordinates S_j of u_j;
  (N2) a_j vanishes in every output l whose entry V[l, j] moves (the set M_j);
  (N4) v_j = 0: G_jl == 0 on S_j for every l in M_j;
* per unit with v_j != 0: the cone condition (C) with a constant kappa_j > 0, shown by one of:
  v_j's entries are all fixed ("v fixed": first order is all there is); G_j is a multiple of
  v_j ("aligned", kappa_j = |v_j|^2 / max_(l in M_j) |v_jl|); G_jl == 0 for every l in M_j
  ("silent", no bound); or kappa_j and the 2 |M_j| sign decisions of
  (v_j - s kappa_j e_l) . G_j >= 0 ("cone"). Otherwise a *critical* direction delta has
  g_j(delta) = 0 and G_jM(delta) != 0, and second order decides (:mod:`.second_order`).

Everything here is computed from params and dataset alone, by the decision and by ``check()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

from ...errors import CertificateError, require
from ...exact import linalg
from ...exact.datasets import Dataset
from ...exact.linalg import dot
from ...exact.params import ParameterSpace
from ...exact.shallow_relu import ShallowReLU
from .kink_forms import KinkForm, SignDecision, decide_sign, decide_sign_by_rays, decide_zero
from .vector_forms import VectorForm, aligned, cone_constant

__all__ = [
    "UnitReportK",
    "VectorEvidence",
    "decide_unit",
    "moving_biases",
    "moving_outputs",
    "unit_bounds",
    "unit_moving_k",
    "vector_evidence",
]

Vec = tuple[Fraction, ...]


def moving_outputs(space: ParameterSpace, j: int) -> tuple[int, ...]:
    """M_j: the outputs l (0-based) whose weight V[l, j] = W_2[l+1, j+1] moves."""
    return tuple(o for o in range(space.outputs)
                 if space.moving[space.weight_index(2, o + 1, j + 1)])


def moving_biases(space: ParameterSpace) -> tuple[int, ...]:
    """The outputs l (0-based) whose entry of c = b_2[l+1] moves."""
    return tuple(o for o in range(space.outputs) if space.moving[space.bias_index(2, o + 1)])


def unit_moving_k(space: ParameterSpace, j: int, vj: Vec) -> tuple[int, ...]:
    """The moving coordinates of u_j (0-based, b_j last); none when v_j = 0 is held fixed in
    every output (the unit then never changes the output)."""
    if all(t == 0 for t in vj) and not moving_outputs(space, j):
        return ()
    pos = [space.weight_index(1, j + 1, q + 1) for q in range(space.d)]
    pos.append(space.bias_index(1, j + 1))
    return tuple(q for q, p in enumerate(pos) if space.moving[p])


@dataclass(frozen=True)
class VectorEvidence:
    """Residual rows, and per unit its active points, kinks, vector form (on S_j) and rate."""

    residuals: tuple[Vec, ...]
    lifted: list[Vec]
    units: list[tuple[tuple[int, ...], dict[Vec, list[int]], VectorForm]]
    rates: tuple[Vec, ...]  # a_j = sum_i r_i relu(z_ij), k numbers per unit


def vector_evidence(params: ShallowReLU, dataset: Dataset) -> VectorEvidence:
    """What params and dataset determine before any decision (k outputs)."""
    table = params.preactivation_table(dataset)  # checks dimensions
    residuals = tuple(params.residual_rows(dataset))
    lifted = [(*x, Fraction(1)) for x in dataset.X]
    n, num, k = dataset.n, table.num, params.k
    actives = [tuple(i for i in range(n) if num[i][j] > 0) for j in range(params.m)]
    s = params.negative_slope
    groups = actives if not s else [*actives, tuple(range(n))]
    if any(groups):
        sums = [linalg.group_sums([tuple(r[o] * t for t in x) for r, x in zip(
            residuals, lifted, strict=True)], groups) for o in range(k)]
    else:  # every unit dead on every point (a blind spot): every P_j is 0, no products needed
        sums = [[(Fraction(0),) * len(lifted[0])] * params.m for _ in range(k)]
    if s:  # h(z) = s z + (1 - s) relu(z): the off points count with slope s (activations.md)
        sums = [[tuple((1 - s) * a + s * t for a, t in zip(row, rows[-1], strict=True))
                 for row in rows[:-1]] for rows in sums]
    # sums[o][j] = row o of P_j
    space = params.space
    units, rates = [], []
    for j in range(params.m):
        kinks: dict[Vec, list[int]] = {}
        for i in range(n):
            if num[i][j] == 0:
                kinks.setdefault(dataset.X[i], []).append(i)
        P = tuple(tuple(sums[o][j]) for o in range(k))
        weights = tuple(tuple((1 - s) * linalg.exact_sum(residuals[i][o] for i in ix)
                              for o in range(k)) for ix in kinks.values())
        form = VectorForm(P, tuple((*x, Fraction(1)) for x in kinks), weights)
        keep = unit_moving_k(space, j, params.v_of(j))
        if not space.is_full:
            form = form.restricted(keep)
        units.append((actives[j], kinks, form))
        u = (*params.W[j], params.b[j])
        rates.append(tuple(dot(u, row) for row in P))  # a_jo = u_j . P_j[o] (h(z) = z or s z)
    return VectorEvidence(residuals, lifted, units, tuple(rates))


@dataclass(frozen=True)
class UnitReportK:
    """What the proof says about hidden unit j (0-based) of a network with k > 1 outputs.

    ``form`` is G_j on the moving coordinates of u_j, ``rate`` a_j, ``outputs`` M_j; ``sign``
    the decision of g_j = v_j . G_j >= 0 (v_j != 0); ``zeros`` the decisions G_jl == 0 for l
    in M_j (v_j = 0), up to the first that fails; ``kappa`` and ``cone`` the cone condition;
    ``critical`` a direction where it fails. :attr:`mode` says which case applies."""

    j: int
    v: Vec
    active: tuple[int, ...]
    kink_inputs: tuple[Vec, ...]
    kink_indices: tuple[tuple[int, ...], ...]
    form: VectorForm
    rate: Vec
    outputs: tuple[int, ...]
    sign: SignDecision | None
    zeros: tuple[SignDecision, ...] = ()
    kappa: Fraction | None = None
    cone: tuple[SignDecision, ...] = ()
    critical: Vec | None = None

    @cached_property  # derived from frozen fields; the aligned test costs on wide data
    def mode(self) -> str:
        """"held", "zero", "sign fails", "v fixed", "critical", "cone", "aligned" or
        "silent" (module docstring), derived from the evidence."""
        if all(t == 0 for t in self.v):
            return "held" if not self.outputs or self.form.dim == 0 else "zero"
        if self.form.dim == 0:
            return "held"
        if self.sign is not None and not self.sign.holds:
            return "sign fails"
        if not self.outputs:
            return "v fixed"
        if self.critical is not None:
            return "critical"
        if self.cone:
            return "cone"
        return "aligned" if aligned(self.form, self.v) else "silent"

    def to_dict(self) -> dict[str, Any]:
        s = str
        return {
            "moving_outputs": [o + 1 for o in self.outputs],
            "mode": self.mode,
            "form": self.form.to_dict(),
            "rate": [s(t) for t in self.rate],
            "zero_decisions": [d.to_dict() for d in self.zeros],
            "kappa": None if self.kappa is None else s(self.kappa),
            "cone_decisions": [d.to_dict() for d in self.cone],
            "critical": None if self.critical is None else [s(t) for t in self.critical],
        }


def _silent(form: VectorForm, outputs: tuple[int, ...]) -> bool:
    """G_l == 0 for every l in outputs, read off the form: P_l = 0 and every bending weight 0."""
    for o in outputs:
        ess = form.output(o).essential()
        if any(t != 0 for t in ess.p) or ess.normals:
            return False
    return True


def aligned_kappa(v: Vec, outputs: tuple[int, ...]) -> Fraction | None:
    """kappa = |v|^2 / max_(l in M) |v_l| for an aligned unit (None: v_M = 0, no bound)."""
    top = max((abs(v[o]) for o in outputs), default=Fraction(0))
    return None if top == 0 else dot(v, v) / top


def cone_forms(form: VectorForm, v: Vec, kappa: Fraction, outputs: tuple[int, ...]) -> list[Any]:
    """The forms (v - s kappa e_l) . G for l in outputs, s = +1, -1, in that order."""
    out = []
    for o in outputs:
        for s in (1, -1):
            a = tuple(t - (s * kappa if q == o else 0) for q, t in enumerate(v))
            out.append(form.component(a))
    return out


def _decide(form: KinkForm) -> SignDecision:
    """form >= 0, exactly: by the rays of Lemma A when the form has few bending kinks (a few
    small exact solves, cheaper than the float LPs of Lemma D), else :func:`decide_sign`."""
    if len(form.essential().normals) <= 4:
        return decide_sign_by_rays(form, 1)
    return decide_sign(form, 1)


def decide_unit(j: int, v: Vec, active: tuple[int, ...], kinks: dict[Vec, list[int]],
                form: VectorForm, rate: Vec, outputs: tuple[int, ...]) -> UnitReportK:
    """The conditions of unit j (module docstring), decided exactly."""
    base = dict(j=j, v=v, active=active, kink_inputs=tuple(kinks),
                kink_indices=tuple(tuple(ix) for ix in kinks.values()), form=form, rate=rate,
                outputs=outputs)
    if all(t == 0 for t in v):
        zeros: list[SignDecision] = []
        if form.dim:
            for o in outputs:
                zeros.append(decide_zero(form.output(o)))
                if not zeros[-1].holds:
                    break
        return UnitReportK(**base, sign=None, zeros=tuple(zeros))
    if form.dim == 0:
        return UnitReportK(**base, sign=None)
    sign = _decide(form.component(v))
    if not sign.holds or not outputs:
        return UnitReportK(**base, sign=sign)
    if aligned(form, v):
        return UnitReportK(**base, sign=sign, kappa=aligned_kappa(v, outputs))
    if _silent(form, outputs):
        return UnitReportK(**base, sign=sign)
    found = cone_constant(form, v, outputs)
    if found.critical is not None:
        return UnitReportK(**base, sign=sign, critical=found.critical)
    kappa = found.kappa if found.kappa is not None else Fraction(1)
    cone = tuple(_decide(g) for g in cone_forms(form, v, kappa, outputs))
    require(all(d.holds for d in cone), "internal: the cone constant of the rays does not pass "
            "its sign decisions (a bug: please report it)", CertificateError)
    return UnitReportK(**base, sign=sign, kappa=kappa, cone=cone)


def unit_bounds(units: list[UnitReportK], k: int) -> list[Fraction]:
    """kappa_j / k for every unit whose cone condition bounds the moves of v_j."""
    return [u.kappa / k for u in units if u.kappa is not None and u.mode in ("aligned", "cone")]


def check_unit(u: UnitReportK, fresh: tuple[Any, ...], v: Vec, rate: Vec,
               outputs: tuple[int, ...]) -> None:
    """Re-verify the stored evidence of one unit against the recomputed (active, kinks, form)."""
    active, kinks, form = fresh
    name = f"unit {u.j + 1}"
    require(u.v == v and u.rate == rate and u.outputs == outputs,
            f"{name}: stored v, rate or moving outputs are not params'")
    require(u.active == active and (u.kink_inputs, u.kink_indices) == (
        tuple(kinks), tuple(tuple(ix) for ix in kinks.values())),
            f"{name}: stored active points or kinks are not params'")
    require(u.form == form, f"{name}: stored vector kink form is not the one of params")
    mode = u.mode
    zero_v = all(t == 0 for t in v)
    require((u.sign is None) == (zero_v or form.dim == 0), f"{name}: sign decision misplaced")
    if u.sign is not None:
        require(u.sign.sigma == 1 and u.sign.form == form.component(v),
                f"{name}: the sign decision is not about g = v . G >= 0")
        u.sign._check()
    _check_zeros(u, form, outputs, zero_v)
    require(not u.cone or mode == "cone", f"{name}: cone decisions stored in mode {mode}")
    require(u.critical is None or mode == "critical", f"{name}: critical direction misplaced")
    if mode == "aligned":
        require(u.kappa == aligned_kappa(v, outputs), f"{name}: kappa is not |v|^2 / |v_M|")
    elif mode == "cone":
        require(u.kappa is not None and u.kappa > 0 and len(u.cone) == 2 * len(outputs),
                f"{name}: the cone condition needs kappa > 0 and 2 |M| decisions")
        found = cone_constant(form, v, outputs)  # kappa is derived (Lemma F), not chosen
        require(found.critical is None and u.kappa == (found.kappa or Fraction(1)),
                f"{name}: kappa is not the largest constant of Lemma F")
        for d, g in zip(u.cone, cone_forms(form, v, u.kappa, outputs), strict=True):
            require(d.sigma == 1 and d.form == g and d.holds,
                    f"{name}: a cone decision is not (v - s kappa e_l) . G >= 0")
            d._check()
    elif mode == "critical":
        crit = u.critical
        require(crit is not None and len(crit) == form.dim and u.kappa is None,
                f"{name}: a critical direction needs the unit's coordinates")
        g = form.component(v)(crit)
        top = form(crit)
        require(g == 0 and any(top[o] != 0 for o in outputs),
                f"{name}: the critical direction has g != 0 or G_M = 0 there")
        require(crit == cone_constant(form, v, outputs).critical,
                f"{name}: the critical direction is not the first one of Lemma F")
    elif mode == "silent":
        require(u.kappa is None and _silent(form, outputs), f"{name}: G_M is not zero")
    else:
        require(u.kappa is None, f"{name}: kappa stored in mode {mode}")


def _check_zeros(u: UnitReportK, form: VectorForm, outputs: tuple[int, ...],
                 zero_v: bool) -> None:
    name = f"unit {u.j + 1}"
    if not zero_v or form.dim == 0:
        require(not u.zeros, f"{name}: zero decisions stored for v != 0")
        return
    want = [form.output(o) for o in outputs]
    require(0 < len(u.zeros) <= len(want) or not want, f"{name}: zero decisions missing")
    for k, d in enumerate(u.zeros):
        require(d.sigma == 0 and d.form == want[k], f"{name}: a zero decision is not G_l == 0")
        d._check()
        require(d.holds or k == len(u.zeros) - 1, f"{name}: decisions after a failing one")
    require(len(u.zeros) == len(want) or not u.zeros[-1].holds,
            f"{name}: the zero decisions stop before a failure")


def unit_from_dict(data: dict[str, Any], j: int) -> UnitReportK:
    """Inverse of the JSON of a k-output unit (nothing decided; ``check()`` verifies)."""
    o = data["outputs"]

    def vec(v: Any) -> Vec | None:
        return None if v is None else tuple(Fraction(t) for t in v)

    return UnitReportK(
        j, vec(data["v"]), tuple(int(i) - 1 for i in data["active_points"]),
        tuple(tuple(Fraction(t) for t in k["input"]) for k in data["kinks"]),
        tuple(tuple(int(i) - 1 for i in k["points"]) for k in data["kinks"]),
        VectorForm.from_dict(o["form"]), vec(o["rate"]),
        tuple(int(t) - 1 for t in o["moving_outputs"]),
        None if data["decision"] is None else SignDecision.from_dict(data["decision"]),
        tuple(SignDecision.from_dict(d) for d in o["zero_decisions"]),
        None if o["kappa"] is None else Fraction(o["kappa"]),
        tuple(SignDecision.from_dict(d) for d in o["cone_decisions"]), vec(o["critical"]))
