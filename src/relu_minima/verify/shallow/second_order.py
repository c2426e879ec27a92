"""Second order at a one-hidden-layer point with k > 1 outputs whose cone condition fails
(docs/method.md, "Several outputs", Lemma G).

When every first-order condition holds (N1-N4) but some unit j has a *critical* direction
delta (g_j(delta) = v_j . G_j(delta) = 0 while G_jM(delta) != 0), the moves of v_j across its
own direction are no longer controlled at first order. Along a straight line theta + eps u
that moves u_l by eps t_l (t_l critical for every moved unit), V by eps S and c by eps gamma
(moving entries only), the outputs change exactly by eps D1 + eps^2 D2 with
D1_i = gamma + sum_l (S_l relu(z_il) + v_l psi_l(t_l)_i), D2_i = sum_l S_l psi_l(t_l)_i
(psi: the change of relu(u_l . n_i) per unit of t_l), so

    L(eps) - L = eps^2 Q + O(eps^3),    Q = |D1|^2 + 2 sum_l S_l . G_l(t_l)

(the eps term vanishes by N1, N2 and g_l(t_l) = 0). Q < 0 proves a descent. Two families of
such moves are tested exactly:

* **joint**: every unit with v_l != 0 moves in the lineality space L_l of its kinks (where
  psi_l and G_l are linear, and g_l = 0 since it is linear and >= 0), V and c freely; Q is
  then a quadratic form, and an exact symmetric elimination either proves it positive
  semidefinite or returns a vector with Q < 0;
* **ray**: a critical unit moves along its critical direction (which may leave L_l), V and c
  at their best response (an exact least-squares problem in the moving entries).

A candidate counts only when the exact loss germ along it decreases. When none does, the point
is *undecided*: Q >= 0 on these moves does not prove a minimum (the quadratic form is only
semidefinite, and other curves may descend at higher order), which is said in the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ...exact import linalg
from ...exact.datasets import Dataset
from ...exact.deep_relu import DeepReLU
from ...exact.germs import germ_sign, loss_germ
from ...exact.linalg import dot
from ...exact.shallow_relu import ShallowReLU, relu
from .several import UnitReportK, moving_biases, moving_outputs, unit_moving_k
from .units import embed

__all__ = ["MAX_JOINT", "SecondOrder", "negative_direction", "second_order_test"]

Vec = tuple[Fraction, ...]
MAX_JOINT = 80  # the joint form is skipped (and said so) above this many variables


@dataclass(frozen=True)
class SecondOrder:
    """What the second-order test did: the critical units (0-based), the joint form's size and
    outcome ("positive semidefinite", "Q < 0", "skipped"), and per critical ray (unit, least Q).
    ``direction`` is the flat descent it found (None: none), with ``value`` its Q."""

    critical: tuple[int, ...]
    joint_size: int
    joint: str
    rays: tuple[tuple[int, Fraction | None], ...]
    direction: Vec | None
    value: Fraction | None

    def to_dict(self) -> dict[str, Any]:
        return {"critical_units": [j + 1 for j in self.critical], "joint_size": self.joint_size,
                "joint": self.joint,
                "rays": [{"unit": j + 1, "least_q": None if q is None else str(q)}
                         for j, q in self.rays],
                "direction": None if self.direction is None else [str(t) for t in
                                                                  self.direction],
                "value": None if self.value is None else str(self.value)}


def negative_direction(M: list[list[Fraction]]) -> Vec | None:
    """A vector z with z^T M z < 0 for the symmetric matrix M, or None when M is positive
    semidefinite (exact symmetric elimination: a negative diagonal entry, or a zero one with a
    nonzero entry in its row, gives z; a positive pivot is eliminated by its Schur complement,
    and z is lifted back through the eliminated pivots at their minimising values)."""
    n = len(M)
    A = [list(row) for row in M]
    active = list(range(n))
    steps: list[tuple[int, dict[int, Fraction]]] = []
    while active:
        w: dict[int, Fraction] | None = None
        neg = next((i for i in active if A[i][i] < 0), None)
        if neg is not None:
            w = {neg: Fraction(1)}
        for i in ([] if w is not None else active):
            if A[i][i] == 0:
                j = next((j for j in active if j != i and A[i][j] != 0), None)
                if j is not None:
                    w = {i: -(abs(A[j][j]) + 1) / (2 * A[i][j]), j: Fraction(1)}
                    break
        if w is not None:
            for p, coeffs in reversed(steps):
                w[p] = -sum((c * w.get(q, Fraction(0)) for q, c in coeffs.items()), Fraction(0))
            return tuple(w.get(i, Fraction(0)) for i in range(n))
        p = next((i for i in active if A[i][i] > 0), None)
        if p is None:
            return None  # what is left is the zero matrix
        active.remove(p)
        coeffs = {q: A[p][q] / A[p][p] for q in active if A[p][q] != 0}
        steps.append((p, coeffs))
        for i in active:
            if A[i][p] != 0:
                f = A[i][p] / A[p][p]
                for q in active:
                    A[i][q] -= f * A[p][q]
    return None


class _Moves:
    """The variables of the second-order moves and their first-order output changes."""

    def __init__(self, params: ShallowReLU, dataset: Dataset, units: list[UnitReportK]) -> None:
        self.params, self.dataset, self.units = params, dataset, units
        table = params.preactivation_table(dataset)
        self.phi = [[relu(table.value(i, j)) for i in range(dataset.n)] for j in range(params.m)]
        self.lifted = [(*x, Fraction(1)) for x in dataset.X]
        space = params.space
        # (kind, data): ("V", (o, l)) or ("c", o); their output changes are unit columns
        self.outer = [("V", (o, j)) for j in range(params.m) for o in moving_outputs(space, j)]
        self.outer += [("c", o) for o in moving_biases(space)]

    def outer_column(self, var: tuple[str, Any]) -> dict[tuple[int, int], Fraction]:
        kind, data = var
        if kind == "c":
            return {(i, data): Fraction(1) for i in range(self.dataset.n)}
        o, j = data
        return {(i, o): t for i, t in enumerate(self.phi[j]) if t}

    def unit_column(self, j: int, t: Vec) -> dict[tuple[int, int], Fraction]:
        """v_j psi_j(t)_i per (point, output), t in R^(d+1) (kinks: max(0, n_i . t))."""
        u = self.units[j]
        out: dict[tuple[int, int], Fraction] = {}
        kinks = {i for ix in u.kink_indices for i in ix}
        for i in range(self.dataset.n):
            z = dot(self.lifted[i], t)
            psi = z if i in u.active else (max(z, Fraction(0)) if i in kinks else Fraction(0))
            if psi:
                for o, vo in enumerate(u.v):
                    if vo:
                        out[i, o] = vo * psi
        return out

    def flat(self, unit_moves: dict[int, Vec], outer: Vec) -> Vec:
        space = self.params.space
        entries: dict[int, Fraction] = {}
        for j, t in unit_moves.items():
            for q in range(self.params.d):
                entries[space.weight_index(1, j + 1, q + 1)] = t[q]
            entries[space.bias_index(1, j + 1)] = t[-1]
        for (kind, data), z in zip(self.outer, outer, strict=True):
            p = (space.bias_index(2, data + 1) if kind == "c"
                 else space.weight_index(2, data[0] + 1, data[1] + 1))
            entries[p] = z
        return space.unit_vector(entries)


def _gram(cols: list[dict[tuple[int, int], Fraction]]) -> list[list[Fraction]]:
    return [[sum((a[key] * t for key, t in b.items() if key in a), Fraction(0)) for b in cols]
            for a in cols]


def _descends(params: ShallowReLU, dataset: Dataset, u: Vec, base: Fraction) -> bool:
    germ = loss_germ(DeepReLU.from_shallow(params), dataset, u)
    return germ_sign((Fraction(0), *germ[1:])) < 0 and (not germ or germ[0] == base)


def _joint(mv: _Moves) -> tuple[int, str, Vec | None, Fraction | None]:
    """The joint quadratic form over the lineality moves of every unit with v != 0, V and c."""
    params, space = mv.params, mv.params.space
    unit_vars: list[tuple[int, Vec]] = []  # (unit, basis vector in R^(d+1))
    for u in mv.units:
        if all(t == 0 for t in u.v) or u.form.dim == 0:
            continue
        keep = unit_moving_k(space, u.j, u.v)
        for b in linalg.nullspace(list(u.form.normals), u.form.dim):
            unit_vars.append((u.j, embed(b, keep, params.d + 1)))
    size = len(unit_vars) + len(mv.outer)
    if size > MAX_JOINT:
        return size, "skipped", None, None
    cols = [mv.unit_column(j, t) for j, t in unit_vars] + [mv.outer_column(v) for v in mv.outer]
    M = _gram(cols)
    for a, (j, t) in enumerate(unit_vars):  # the cross terms 2 S[o, j] (P_j t)_o
        full = mv.units[j].form
        keep = unit_moving_k(space, j, mv.units[j].v)
        tr = tuple(t[q] for q in keep)
        for b, var in enumerate(mv.outer, start=len(unit_vars)):
            if var[0] == "V" and var[1][1] == j:
                value = dot(full.P[var[1][0]], tr)
                M[a][b] += value
                M[b][a] += value
    z = negative_direction(M)
    if z is None:
        return size, "positive semidefinite", None, None
    moves: dict[int, list[Fraction]] = {}
    for (j, t), za in zip(unit_vars, z, strict=False):
        acc = moves.setdefault(j, [Fraction(0)] * (params.d + 1))
        for q in range(params.d + 1):
            acc[q] += za * t[q]
    value = sum((z[a] * M[a][b] * z[b] for a in range(size) for b in range(size)
                 if M[a][b] and z[a] and z[b]), Fraction(0))
    u = mv.flat({j: tuple(t) for j, t in moves.items()}, z[len(unit_vars):])
    return size, "Q < 0", u, value


def _ray(mv: _Moves, u: UnitReportK) -> tuple[Fraction | None, Vec | None]:
    """The least Q along the critical ray of unit u, V and c at their best response."""
    params = mv.params
    keep = unit_moving_k(params.space, u.j, u.v)
    t = embed(u.critical, keep, params.d + 1)
    a0 = mv.unit_column(u.j, t)
    G = u.form(u.critical)
    cols = [mv.outer_column(v) for v in mv.outer]
    M = _gram(cols)
    e = [G[v[1][0]] if v[0] == "V" and v[1][1] == u.j else Fraction(0) for v in mv.outer]
    b = [sum((col[key] * val for key, val in a0.items() if key in col), Fraction(0)) + ei
         for col, ei in zip(cols, e, strict=True)]
    base = sum((val * val for val in a0.values()), Fraction(0))
    x = linalg.solve(M, [-t_ for t_ in b]) if M else ()
    if x is None:  # b outside the range of M: a kernel vector z with z . b != 0 is unbounded
        z = next(z for z in linalg.nullspace(M, len(M)) if dot(z, b) != 0)
        scale = -(base + 1) / (2 * dot(z, b))
        x, value = tuple(scale * s for s in z), -Fraction(1)
    else:
        value = base + dot(b, x)  # = min over X of |A X + a0|^2 + 2 e . X
    if value >= 0:
        return value, None
    return value, mv.flat({u.j: t}, x)


def second_order_test(params: ShallowReLU, dataset: Dataset, units: list[UnitReportK],
                      loss: Fraction) -> SecondOrder:
    """Run the joint test, then the ray of every critical unit; stop at the first candidate
    whose exact loss germ decreases (module docstring)."""
    critical = tuple(u.j for u in units if u.mode == "critical")
    mv = _Moves(params, dataset, units)
    size, joint, u, value = _joint(mv)
    if u is not None and _descends(params, dataset, u, loss):
        return SecondOrder(critical, size, joint, (), u, value)
    rays: list[tuple[int, Fraction | None]] = []
    for j in critical:
        q, u = _ray(mv, units[j])
        rays.append((j, q))
        if u is not None and _descends(params, dataset, u, loss):
            return SecondOrder(critical, size, joint, tuple(rays), u, q)
    return SecondOrder(critical, size, joint, tuple(rays), None, None)
