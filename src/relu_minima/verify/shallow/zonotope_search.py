"""The search behind Lemma D (docs/method.md): branch and bound over the sign vectors of the
negative generators, closing each node with an exact leaf (:class:`.zonotope.CellLeaf`) or
splitting it, until sigma g >= 0 is proved everywhere or a direction with sigma g < 0 is found.

Floats (:mod:`.zonotope_lp`) only propose leaves and directions; every leaf is rebuilt and
checked in rationals, and every direction is evaluated exactly.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from ...errors import CertificateError, InvalidArgument, ReluMinimaError
from ...exact.linalg import dot, primitive
from . import zonotope_lp as _cell_lp
from .zonotope import (
    CellBranch,
    CellLeaf,
    Vec,
    ZonotopeCertificate,
    check_leaf,
    phi,
    zonotope_generators,
)

__all__ = ["decide_mixed"]


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
