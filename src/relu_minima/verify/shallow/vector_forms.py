"""Vector kink forms: one hidden unit of a network with k outputs (docs/method.md, "Several
outputs").

With k outputs the residuals r_i are k-vectors and unit j contributes v_j relu(u_j . n_i) with
v_j in Q^k. Its *vector kink form* is

    G_j(delta) = P_j delta + sum_H R_jH max(0, n_H . delta)  in Q^k,

P_j = sum over the active points of r_i n_i^T (k rows), R_jH = sum of the residual vectors of
the points at kink input H. For a in Q^k, a . G_j is an ordinary (scalar) kink form
(:class:`~relu_minima.verify.shallow.kink_forms.KinkForm`) with p = P_j^T a and weights
a . R_jH: :meth:`VectorForm.component`. The unit's first-order condition is the scalar form
g_j = v_j . G_j >= 0; the cone condition of Theorem 3,

    v_j . G_j(delta) >= kappa max_(l in M) |G_jl(delta)|   for every delta,

(M: the outputs whose entry of v_j moves) is what makes that first-order condition survive
the moves of v_j itself. :func:`cone_constant` computes the largest such kappa exactly from the
rays of the arrangement, or a *critical* direction delta (g_j(delta) = 0, G_jM(delta) != 0) at
which no kappa > 0 exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ...errors import InvalidArgument, require
from ...exact import linalg
from ...exact.linalg import dot
from .kink_forms import KinkForm, _lines

__all__ = ["ConeResult", "VectorForm", "aligned", "cone_constant"]

Vec = tuple[Fraction, ...]


@dataclass(frozen=True)
class VectorForm:
    """G(delta) = P delta + sum_H weights[H] max(0, normals[H] . delta), with values in Q^k.

    ``P`` is k rows of ``dim`` numbers, ``weights`` one k-vector per kink normal."""

    P: tuple[Vec, ...]
    normals: tuple[Vec, ...]
    weights: tuple[Vec, ...]

    @property
    def k(self) -> int:
        return len(self.P)

    @property
    def dim(self) -> int:
        return len(self.P[0]) if self.P else 0

    def __call__(self, delta: Sequence[Fraction]) -> Vec:
        sides = [max(dot(n, delta), Fraction(0)) for n in self.normals]
        return tuple(dot(row, delta) + sum((w[o] * t for w, t in zip(self.weights, sides,
                                                                      strict=True) if t),
                                           Fraction(0))
                     for o, row in enumerate(self.P))

    def component(self, a: Sequence[Fraction]) -> KinkForm:
        """The scalar kink form a . G (p = P^T a, weights a . R_H)."""
        p = tuple(sum((t * row[q] for t, row in zip(a, self.P, strict=True)), Fraction(0))
                  for q in range(self.dim))
        return KinkForm(p, self.normals, tuple(dot(a, w) for w in self.weights))

    def output(self, o: int) -> KinkForm:
        """The scalar form of output o (0-based): G_o = e_o . G."""
        return KinkForm(self.P[o], self.normals, tuple(w[o] for w in self.weights))

    def restricted(self, keep: tuple[int, ...]) -> VectorForm:
        """The form on the moving coordinates ``keep`` of delta (docs/method.md, Theorem 2)."""
        def proj(vec: Vec) -> Vec:
            return tuple(vec[q] for q in keep)

        return VectorForm(tuple(proj(r) for r in self.P), tuple(proj(n) for n in self.normals),
                          self.weights)

    def essential_normals(self, outputs: Sequence[int], v: Sequence[Fraction]) -> list[Vec]:
        """The nonzero normals whose weight bends v . G or some output in ``outputs``."""
        return [n for n, w in zip(self.normals, self.weights, strict=True)
                if any(t != 0 for t in n) and (dot(v, w) != 0 or any(w[o] != 0
                                                                   for o in outputs))]

    def to_dict(self) -> dict[str, Any]:
        def vec(v: Vec) -> list[str]:
            return [str(t) for t in v]

        return {"P": [vec(r) for r in self.P], "normals": [vec(n) for n in self.normals],
                "weights": [vec(w) for w in self.weights]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VectorForm:
        def vec(v: Sequence[str]) -> Vec:
            return tuple(Fraction(t) for t in v)

        return cls(tuple(vec(r) for r in data["P"]), tuple(vec(n) for n in data["normals"]),
                   tuple(vec(w) for w in data["weights"]))


def aligned(form: VectorForm, v: Vec) -> bool:
    """Every column of P and every kink weight R_H (of a nonzero normal) is a multiple of v:
    then G(delta) = v ghat(delta) with ghat = (v . G) / |v|^2."""
    cols = [tuple(row[q] for row in form.P) for q in range(form.dim)]
    cols += [w for n, w in zip(form.normals, form.weights, strict=True) if any(n)]
    vv = dot(v, v)
    # a zero column is 0 . v (skipped: a dead unit's form is all zeros)
    return vv != 0 and all(tuple(t * vv for t in c) == tuple(dot(c, v) * s for s in v)
                           for c in cols if any(c))


@dataclass(frozen=True)
class ConeResult:
    """The cone constant ``kappa`` (None: no output in M feels the unit on any ray, any kappa
    works), or a ``critical`` direction: g(delta) = 0 and G_M(delta) != 0."""

    kappa: Fraction | None
    critical: Vec | None


def _top(form: VectorForm, outputs: Sequence[int], delta: Sequence[Fraction]) -> Fraction:
    """max over l in outputs of |G_l(delta)|."""
    value = form(delta)
    return max((abs(value[o]) for o in outputs), default=Fraction(0))


def cone_constant(form: VectorForm, v: Vec, outputs: Sequence[int]) -> ConeResult:
    """The largest kappa with v . G >= kappa max_(l in outputs) |G_l| everywhere, or a critical
    direction, assuming v . G >= 0 everywhere (decided before).

    Lemma F of docs/method.md: on the lineality space of the bending normals G is linear, so
    every w there with G_M(w) != 0 is critical (v . G(w) = 0, a linear function >= 0 on a
    line); otherwise G(delta) = G(pi_V delta), every cell in V is a pointed cone, and
    h(delta) = v . G(delta) - kappa |G_M(delta)|_inf is concave and positively homogeneous
    on each cell (linear minus convex), hence superadditive: h >= 0 on the cell iff on its
    extreme rays, which are lines of the arrangement. So kappa* is the least ratio
    v . G(r) / |G_M(r)|_inf over the rays with G_M(r) != 0, and a ray with v . G(r) = 0 !=
    G_M(r) is critical.
    """
    ess = form.essential_normals(outputs, v)
    for w in linalg.nullspace(ess, form.dim) if form.dim else []:
        if _top(form, outputs, w) != 0:
            return ConeResult(None, w)
    g = form.component(v)
    best: Fraction | None = None
    probe = KinkForm(tuple(Fraction(0) for _ in range(form.dim)), tuple(ess),
                     tuple(Fraction(1) for _ in ess))
    for line in _lines(probe):
        for ray in (line, tuple(-t for t in line)):
            top = _top(form, outputs, ray)
            if top == 0:
                continue
            value = g(ray)
            require(value >= 0, f"cone_constant needs v . G >= 0, but it is {value} at {ray}",
                    InvalidArgument)
            if value == 0:
                return ConeResult(None, ray)
            ratio = value / top
            best = ratio if best is None or ratio < best else best
    return ConeResult(best, None)
