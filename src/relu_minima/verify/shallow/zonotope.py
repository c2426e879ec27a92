"""Mixed-sign kink forms: the sign decided as a zonotope containment (docs/method.md, Lemma D).

For sigma g(delta) = p'.delta + sum_H R'_H max(0, n_H.delta) (p' = sigma p, R' = sigma R),
with L = p' + (1/2) sum_H R'_H n_H,

    2 min(sigma g(delta), sigma g(-delta)) = phi(delta)
        = sum_{i in P} |P_i . delta| - sum_{j in N} |N_j . delta|,

where the positive generators P_i are the R'_H n_H with R'_H > 0 and the negative ones N_j
are the |R'_H| n_H with R'_H < 0 together with 2L, collinear generators merged into one
(signed) generator per line. So sigma g >= 0 everywhere iff phi >= 0 iff the zonotope
Z_N = sum_j [-N_j, N_j] lies inside Z_P = sum_i [-P_i, P_i]; the number of vertices of Z_N
(the cells of the arrangement of the *negative* hyperplanes only) is what makes it hard.

The decision (:mod:`.zonotope_search`) is a branch and bound over sign vectors of the N_j. A
node fixes the signs s_k of some N_k (the cone C_S where s_k N_k . delta >= 0) and is closed by
a certificate that phi >= 0 on C_S, checkable by exact sums alone (:class:`CellLeaf`); a fully
fixed node always has one when phi >= 0 there (Farkas). Floats only propose certificates and
directions; every certificate is rebuilt and checked in rationals, and every direction is
evaluated exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ...errors import CertificateError
from ...exact.linalg import dot, primitive
from .zonotope_lp import IntegerForm, first_violating

__all__ = ["CellBranch", "CellLeaf", "IntegerForm", "ZonotopeCertificate", "first_violating", "phi",
           "verify_certificate", "zonotope_generators"]

Vec = tuple[Fraction, ...]
Sparse = tuple[tuple[int, Fraction], ...]


# -- the reduction ---------------------------------------------------------------------------
def zonotope_generators(p: Sequence[Fraction], normals: Sequence[Vec],
                        weights: Sequence[Fraction], sigma: int) -> tuple[tuple[Vec, ...],
                                                                          tuple[Vec, ...]]:
    """(P, N): the generators of Z_P and Z_N for sigma g, one per line, in a canonical order.

    A generator a u on the line of the primitive vector u contributes |a| |u . delta| with the
    sign of its side; generators on one line add up to (sum of signed |a|) |u . delta|, so each
    line keeps one generator on the side of the sign of the sum (none if it is zero).
    """
    dim = len(p)
    half = Fraction(1, 2)
    L = [sigma * t for t in p]
    for n, w in zip(normals, weights, strict=True):
        for k in range(dim):
            L[k] += half * sigma * w * n[k]
    lines: dict[Vec, Fraction] = {}

    def add(v: Sequence[Fraction], signed: Fraction) -> None:
        if signed == 0 or all(t == 0 for t in v):
            return
        u = primitive(v)
        first = next(k for k in range(dim) if u[k] != 0)
        if u[first] < 0:
            u = tuple(-t for t in u)
        scale = abs(v[first] / u[first])
        lines[u] = lines.get(u, Fraction(0)) + signed * scale

    for n, w in zip(normals, weights, strict=True):
        add(n, sigma * w)
    add([2 * t for t in L], Fraction(-1))
    pos = tuple(tuple(w * t for t in u) for u, w in sorted(lines.items()) if w > 0)
    neg = tuple(tuple(-w * t for t in u) for u, w in sorted(lines.items()) if w < 0)
    return pos, neg


def phi(pos: Sequence[Vec], neg: Sequence[Vec], delta: Sequence[Fraction]) -> Fraction:
    """sum |P_i . delta| - sum |N_j . delta| (twice the smaller of sigma g(+-delta))."""
    return (sum((abs(dot(v, delta)) for v in pos), Fraction(0))
            - sum((abs(dot(v, delta)) for v in neg), Fraction(0)))


# -- the certificate -------------------------------------------------------------------------
@dataclass(frozen=True)
class CellLeaf:
    """phi >= 0 on the cone C_S of this node (S, s = the signs fixed on the path to it):

    N_j = sum_i gamma[j]_i P_i for every j not in S,
    sum_{k in S} s_k N_k = sum_i beta_i P_i - sum_{k in S} mu_k s_k N_k with mu >= 0,
    sum_j |gamma[j]_i| + |beta_i| <= 1 for every i.
    """

    columns: tuple[tuple[int, Sparse], ...]  # (j, gamma[j]) for every j not in S
    beta: Sparse
    mu: Sparse  # (k, mu_k) for k in S


@dataclass(frozen=True)
class CellBranch:
    """C_S split by the sign of N_j . delta: plus (s_j = +1) and minus (s_j = -1) cover it."""

    j: int
    plus: CellLeaf | CellBranch
    minus: CellLeaf | CellBranch


@dataclass(frozen=True)
class ZonotopeCertificate:
    """Z_N inside Z_P, i.e. sigma g >= 0 everywhere: the generators and the closed tree."""

    pos: tuple[Vec, ...]
    neg: tuple[Vec, ...]
    tree: CellLeaf | CellBranch

    @property
    def leaves(self) -> int:
        stack, count = [self.tree], 0
        while stack:
            node = stack.pop()
            if isinstance(node, CellLeaf):
                count += 1
            else:
                stack += [node.plus, node.minus]
        return count

    def to_dict(self) -> dict[str, Any]:
        s = str

        def sparse(vals: Sparse) -> dict[str, str]:
            return {s(i): s(t) for i, t in vals}

        def node(n: CellLeaf | CellBranch) -> dict[str, Any]:
            if isinstance(n, CellLeaf):
                return {"columns": {s(j): sparse(col) for j, col in n.columns},
                        "beta": sparse(n.beta), "mu": sparse(n.mu)}
            return {"branch_on": n.j, "plus": node(n.plus), "minus": node(n.minus)}

        return {"positive_generators": [[s(t) for t in v] for v in self.pos],
                "negative_generators": [[s(t) for t in v] for v in self.neg],
                "tree": node(self.tree)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ZonotopeCertificate:
        """Inverse of :meth:`to_dict` (``verify_certificate`` then checks it)."""
        def sparse(vals: dict[str, str]) -> Sparse:
            return tuple((int(i), Fraction(t)) for i, t in vals.items())

        def node(n: dict[str, Any]) -> CellLeaf | CellBranch:
            if "branch_on" in n:
                return CellBranch(int(n["branch_on"]), node(n["plus"]), node(n["minus"]))
            return CellLeaf(tuple((int(j), sparse(col)) for j, col in n["columns"].items()),
                            sparse(n["beta"]), sparse(n["mu"]))

        def vecs(vs: list[list[str]]) -> tuple[Vec, ...]:
            return tuple(tuple(Fraction(t) for t in v) for v in vs)

        return cls(vecs(data["positive_generators"]), vecs(data["negative_generators"]),
                   node(data["tree"]))


def _fail(msg: str) -> None:
    raise CertificateError(f"zonotope certificate: {msg}")


def _combination(vals: Sparse, gens: Sequence[Vec], dim: int, what: str) -> list[Fraction]:
    out = [Fraction(0)] * dim
    for i, t in vals:
        if not 0 <= i < len(gens):
            _fail(f"{what} names generator {i}, which does not exist")
        for k in range(dim):
            out[k] += t * gens[i][k]
    return out


def check_leaf(pos: Sequence[Vec], neg: Sequence[Vec], dim: int, leaf: CellLeaf,
               signs: dict[int, int]) -> None:
    """The identities of one leaf at the signs fixed on its path (CertificateError if not)."""
    cols = [j for j, _ in leaf.columns]
    if sorted(cols) != [j for j in range(len(neg)) if j not in signs]:
        _fail(f"leaf {signs} covers generators {cols}, not every unfixed one")
    used = [Fraction(0)] * len(pos)
    for j, col in leaf.columns:
        if _combination(col, pos, dim, f"column {j}") != list(neg[j]):
            _fail(f"N_{j} is not the stated combination of positive generators")
        for i, t in col:
            used[i] += abs(t)
    for i, t in leaf.beta:
        if not 0 <= i < len(pos):
            _fail(f"beta names generator {i}, which does not exist")
        used[i] += abs(t)
    if any(u > 1 for u in used):
        _fail(f"a positive generator is used more than once at leaf {signs}")
    if any(k not in signs or t < 0 for k, t in leaf.mu):
        _fail(f"mu must be >= 0 on fixed generators only, at leaf {signs}")
    centre = [sum((s * neg[k][c] for k, s in signs.items()), Fraction(0))
              for c in range(dim)]
    rhs = _combination(leaf.beta, pos, dim, "beta")
    for k, t in leaf.mu:
        for c in range(dim):
            rhs[c] -= t * signs[k] * neg[k][c]
    if rhs != centre:
        _fail(f"the centre identity fails at leaf {signs}")


def verify_certificate(p: Sequence[Fraction], normals: Sequence[Vec],
                       weights: Sequence[Fraction], sigma: int,
                       cert: ZonotopeCertificate) -> None:
    """Re-check every identity of the certificate exactly; raise CertificateError if one fails."""
    pos, neg = zonotope_generators(p, normals, weights, sigma)
    if (pos, neg) != (cert.pos, cert.neg):
        _fail("the stored generators are not those of the form")
    dim = len(p)
    stack: list[tuple[CellLeaf | CellBranch, dict[int, int]]] = [(cert.tree, {})]
    while stack:
        node, signs = stack.pop()
        if isinstance(node, CellBranch):
            if not 0 <= node.j < len(neg) or node.j in signs:
                _fail(f"branch on generator {node.j}, which is absent or already fixed")
            stack.append((node.plus, {**signs, node.j: 1}))
            stack.append((node.minus, {**signs, node.j: -1}))
            continue
        if not isinstance(node, CellLeaf):
            _fail(f"a node of type {type(node).__name__} is neither a leaf nor a branch")
        check_leaf(pos, neg, dim, node, signs)
