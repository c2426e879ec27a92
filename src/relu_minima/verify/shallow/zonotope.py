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

The decision is a branch and bound over sign vectors of the N_j. A node fixes the signs s_k of
some N_k (the cone C_S where s_k N_k . delta >= 0) and is closed by a certificate that phi >= 0
on C_S, checkable by exact sums alone (:class:`CellLeaf`); a fully fixed node always has one
when phi >= 0 there (Farkas). Floats only propose certificates and directions; every
certificate is rebuilt and checked in rationals, and every direction is evaluated exactly.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ...errors import CertificateError, InvalidArgument, ReluMinimaError
from ...exact.linalg import dot, primitive
from . import zonotope_lp as _cell_lp
from .zonotope_lp import IntegerForm, first_violating

__all__ = ["CellBranch", "CellLeaf", "IntegerForm", "ZonotopeCertificate", "decide_mixed",
           "first_violating", "phi", "verify_certificate", "zonotope_generators"]

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


# -- the decision ----------------------------------------------------------------------------
class _Found(Exception):
    def __init__(self, delta: Vec) -> None:
        self.delta = delta


class _Search:
    """Branch and bound (docs/method.md, Lemma D); raises _Found with an exact phi < 0."""

    def __init__(self, pos: tuple[Vec, ...], neg: tuple[Vec, ...], dim: int,
                 proposals: bool = True) -> None:
        self.pos, self.neg, self.dim = pos, neg, dim
        self.proposals = proposals  # False: no float at all (tests of the exact path)
        self.searched = False  # the float descent heuristic runs at most once
        self.view = _cell_lp.FloatView(pos + neg, dim)
        self.pos_f = self.view.array(pos, dim)
        self.neg_f = self.view.array(neg, dim)

    # exact helpers
    def _try_direction(self, delta_f: Sequence[float]) -> None:
        """Raise _Found if the float direction (or a simpler rational near it) has phi < 0."""
        if not all(math.isfinite(t) for t in delta_f):
            return
        top = max((abs(t) for t in delta_f), default=0.0)
        if not top > 0:
            return
        candidates = [self.view.lift_exact([Fraction(t / top).limit_denominator(den)
                                            for t in delta_f])
                      for den in (12, 1000)]  # short numbers first: readable witnesses
        candidates.append(self.view.lift(delta_f))
        for delta in candidates:
            if delta is not None and any(t != 0 for t in delta) and \
                    phi(self.pos, self.neg, delta) < 0:
                raise _Found(delta)

    def _centre(self, signs: dict[int, int]) -> Vec:
        return tuple(sum((s * self.neg[k][c] for k, s in signs.items()), Fraction(0))
                     for c in range(self.dim))

    def _check_leaf(self, leaf: CellLeaf, signs: dict[int, int]) -> bool:
        try:
            check_leaf(self.pos, self.neg, self.dim, leaf, signs)
        except CertificateError:
            return False
        return True

    # the node test
    def relaxation(self, signs: dict[int, int]) -> tuple[CellLeaf | None, int | None]:
        """A proven leaf for C_S, or (None, the generator to branch on)."""
        import numpy as np

        free = [j for j in range(len(self.neg)) if j not in signs]
        fixed = sorted(signs)
        if not self.pos or not self.proposals:
            return None, (free[0] if free else None)
        cone_f = np.array([signs[k] * self.neg_f[k] for k in fixed]).reshape(len(fixed), self.dim)
        centre = self._centre(signs)
        centre_f = np.array(self.view.vec(centre))
        # first each N_j from its nearest positive generators only (a smaller LP; any solution
        # of it solves the full one), then from all of them
        nearest = self._nearest(free)
        prop = None
        for supports in ([nearest, None] if nearest is not None else [None]):
            if supports is None and not self.searched:
                # before the full (slow) LP, a cheap look for a descent; once per decision
                self.searched = True
                self.local_search()
            prop = _cell_lp.float_relaxation(self.pos_f, self.neg_f[free], centre_f, cone_f,
                                             supports)
            if prop is None:
                continue
            t, G, beta, mu = prop
            usage = np.abs(G).sum(axis=1) + np.abs(beta) if len(free) else np.abs(beta)
            if t <= 1 + 1e-7:
                leaf = self._round(signs, free, fixed, centre, G, beta, mu, usage)
                if leaf is not None:
                    return leaf, None
        if prop is None:
            return None, (free[0] if free else None)
        if not free:
            return None, None
        tight = usage >= t - 1e-7 * max(1.0, t)
        load = np.abs(G[tight]).sum(axis=0)
        return None, free[int(np.argmax(load))]

    def _nearest(self, free: list[int]) -> list[list[int]] | None:
        """For each free N_j, the positive generators closest to its line (by |cosine|)."""
        import numpy as np

        keep = 8 * self.dim
        if len(self.pos) <= keep or not free:
            return None
        if not hasattr(self, "_unit_pos"):
            norms = np.linalg.norm(self.pos_f, axis=1)
            self._unit_pos = self.pos_f / np.where(norms > 0, norms, 1.0)[:, None]
        N = self.neg_f[free]
        N = N / np.where((nn := np.linalg.norm(N, axis=1)) > 0, nn, 1.0)[:, None]
        cos = np.abs(N @ self._unit_pos.T)
        return [list(np.argsort(-row)[:keep]) for row in cos]

    def _round(self, signs, free, fixed, centre, G, beta, mu, usage) -> CellLeaf | None:
        prefer = [bool(u < 1 - 1e-7) for u in usage]
        columns = []
        for c, j in enumerate(free):
            col = _cell_lp.exact_combination(self.neg[j], self.pos,
                                             {i: float(G[i, c]) for i in range(len(self.pos))},
                                             prefer)
            if col is None:
                return None
            columns.append((j, tuple(sorted(col.items()))))
        gens = list(self.pos) + [tuple(-signs[k] * t for t in self.neg[k]) for k in fixed]
        coeffs = {i: float(b) for i, b in enumerate(beta)}
        coeffs.update({len(self.pos) + a: float(m) for a, m in enumerate(mu)})
        sol = _cell_lp.exact_combination(centre, gens, coeffs, prefer + [True] * len(fixed))
        if sol is None:
            return None
        npos = len(self.pos)
        leaf = CellLeaf(tuple(columns),
                        tuple(sorted((i, t) for i, t in sol.items() if i < npos)),
                        tuple(sorted((fixed[i - npos], t) for i, t in sol.items() if i >= npos)))
        return leaf if self._check_leaf(leaf, signs) else None

    def exact_leaf(self, signs: dict[int, int]) -> CellLeaf:
        """Every sign fixed: decide c_S in Z_P - cone exactly (float first, then simplex)."""
        import numpy as np

        fixed = sorted(signs)
        cone_f = np.array([signs[k] * self.neg_f[k] for k in fixed]).reshape(len(fixed), self.dim)
        centre = self._centre(signs)
        prop = _cell_lp.float_min_direction(self.pos_f, np.array(self.view.vec(centre)),
                                            cone_f) if self.proposals else None
        if prop is not None and prop[0] < 0:
            self._try_direction(prop[1])
        # exact: beta_i = 2 y_i - 1 with y in [0, 1]; sum y_i 2P_i - sum mu_k s_k N_k = c + sum P
        cols = [tuple(2 * t for t in v) for v in self.pos]
        cols += [tuple(-signs[k] * t for t in self.neg[k]) for k in fixed]
        upper = [Fraction(1)] * len(self.pos) + [None] * len(fixed)
        rhs = tuple(centre[c] + sum((v[c] for v in self.pos), Fraction(0))
                    for c in range(self.dim))
        x, y = _cell_lp.exact_feasible(cols, upper, rhs)
        if x is None:
            if y is None or phi(self.pos, self.neg, y) >= 0:
                raise ReluMinimaError("internal: Farkas vector without descent; please report")
            raise _Found(y)
        npos = len(self.pos)
        leaf = CellLeaf((), tuple((i, 2 * x[i] - 1) for i in range(npos) if 2 * x[i] != 1),
                        tuple((fixed[a], x[npos + a]) for a in range(len(fixed))
                              if x[npos + a] != 0))
        if not self._check_leaf(leaf, signs):
            raise ReluMinimaError("internal: exact leaf does not verify; please report")
        return leaf

    def local_search(self) -> None:
        """Float descent heuristic: linearise the concave part at delta and re-minimise
        (a difference-of-convex step); stop at a repeated sign pattern."""
        import numpy as np

        rng = random.Random(0)
        starts = [np.array([rng.uniform(-1, 1) for _ in range(self.dim)]) for _ in range(3)]
        starts += list(self.neg_f[:3])
        empty = np.zeros((0, self.dim))
        for delta in starts:
            seen = set()
            for _ in range(6):
                s = np.sign(self.neg_f @ delta)
                key = tuple(s)
                if key in seen:
                    break
                seen.add(key)
                prop = _cell_lp.float_min_direction(self.pos_f, s @ self.neg_f, empty)
                if prop is None:
                    break
                delta = np.array(prop[1])
                if prop[0] < 0:
                    self._try_direction(prop[1])

    def run(self) -> CellLeaf | CellBranch:
        # an explicit stack (depth can reach len(neg)); nodes are built bottom-up
        root: dict[str, Any] = {}
        pending: list[tuple[dict[int, int], dict[str, Any], str]] = [({}, root, "tree")]
        while pending:
            signs, parent, slot = pending.pop()
            leaf, j = self.relaxation(signs)
            if leaf is None and not self.searched and self.proposals:
                self.searched = True
                self.local_search()
            if leaf is None and j is None:
                leaf = self.exact_leaf(signs)
            if leaf is not None:
                parent[slot] = leaf
                continue
            node: dict[str, Any] = {"j": j}
            parent[slot] = node
            pending.append(({**signs, j: -1}, node, "minus"))
            pending.append(({**signs, j: 1}, node, "plus"))
        return _freeze(root["tree"])


def _freeze(node: Any) -> CellLeaf | CellBranch:
    if isinstance(node, CellLeaf):
        return node
    return CellBranch(node["j"], _freeze(node["plus"]), _freeze(node["minus"]))


def decide_mixed(p: Sequence[Fraction], normals: Sequence[Vec], weights: Sequence[Fraction],
                 sigma: int, proposals: bool = True
                 ) -> tuple[ZonotopeCertificate | None, Vec | None]:
    """(certificate, None) if sigma g >= 0 everywhere, else (None, delta) with sigma g(delta) < 0.

    Complete: every node either closes with an exact leaf or is split, and a node with every
    sign fixed is decided exactly (docs/method.md, Lemma D). ``proposals=False`` switches the
    floats off (every node is split down to exact leaves: for tests of the exact path only).
    """
    if sigma not in (1, -1):
        raise InvalidArgument(f"sigma={sigma!r} must be +1 or -1.")
    pos, neg = zonotope_generators(p, normals, weights, sigma)
    search = _Search(pos, neg, len(p), proposals)
    try:
        tree = search.run()
    except _Found as found:
        delta = primitive(found.delta)
        value = sigma * _g(p, normals, weights, delta)
        if value >= 0:  # phi(delta) < 0 means one of +-delta is a descent
            delta = tuple(-t for t in delta)
        return None, delta
    return ZonotopeCertificate(pos, neg, tree), None


def _g(p, normals, weights, delta) -> Fraction:
    total = dot(p, delta)
    for n, w in zip(normals, weights, strict=True):
        t = dot(n, delta)
        if t > 0:
            total += w * t
    return total
