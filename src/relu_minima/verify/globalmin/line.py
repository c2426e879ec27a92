"""The exact global minimum of one-hidden-layer ReLU regression with one input (d = 1).

Method and proof: docs/global.md. In short, with the distinct inputs t_0 < ... < t_{K-1}:

* a unit is dead, *affine* (its pre-activation >= 0 on every point), or *crossing* at a gap
  k (between t_k and t_{k+1}), of side P (active on the prefix t_0..t_k) or S (the suffix), and
  sign sigma = sign(v); on the data it contributes sigma (mu r_k + nu r_{k+1}), mu, nu >= 0, with
  the rays r_k = relu(t_k - t) (side P) or relu(t - t_k) (side S): the closed cone of the cell;
* a *pattern* is a set of such types in canonical form: family N (no affine unit, s_N =
  min(m, 4(K-1)) crossing types) or family A (the affine unit, which with c gives every affine
  function, and s_A = min(m-1, 2(K-1)) crossing types of side S); every parameter point's
  outputs lie in some pattern's cone and every point of every cone is realised (Lemmas 1-3 of
  docs/global.md), so L* = min over patterns of an exact sign-constrained least-squares problem;
* the search is best-first branch and bound over *keys* (a gap set with, per gap, an
  orientation sigma or a free "jump" when both signs meet there): a key is pruned by the window
  bound (the loss splits over consecutive windows; a window with one oriented gap inside admits
  at least the one-kink optimum V1, a window with none the affine optimum R), a gap set by the
  segment bound (affine fits between its gaps). A key gets its window bound only when it comes
  up with more than two patterns; the partition is chosen from float fits and valued exactly.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ...errors import CertificateError
from ...exact.datasets import Dataset
from ...exact.shallow_relu import ShallowReLU
from .arrangement import GlobalSearchTooLarge
from .sign_qp import solve_nnls, verify_passive_set

__all__ = ["LineProblem", "LineSearch", "key_name", "parse_key"]

Type = tuple[int, int, int]  # (side: 0 = P / 1 = S, gap k, sigma = +1 / -1)
Key = tuple[tuple[int, int], ...]  # ((gap, orientation: +1 / -1 / 0 = jump), ...), gaps increasing


def key_name(key: Key, base: int = 0) -> str:
    """'3+,7-,9j' (gap numbers from ``base``; j = jump); '' for the affine pattern alone."""
    return ",".join(f"{k + base}{'+' if o > 0 else '-' if o < 0 else 'j'}" for k, o in key)


def parse_key(text: str, base: int = 0) -> Key:
    """Inverse of :func:`key_name`."""
    if not text:
        return ()
    return tuple((int(part[:-1]) - base, {"+": 1, "-": -1, "j": 0}[part[-1]])
                 for part in text.split(","))


class LineProblem:
    """The data of one 1-D problem, scaled to integers: T_k = D (t_k - t_0), S_k = E sum y."""

    def __init__(self, dataset: Dataset, m: int) -> None:
        groups: dict[Fraction, list[Fraction]] = {}
        for x, y in dataset:
            groups.setdefault(x[0], []).append(y)
        self.t = tuple(sorted(groups))
        self.K = K = len(self.t)
        self.m = m
        self.E = math.lcm(*(y.denominator for y in dataset.y))
        self.D = math.lcm(*(u.denominator for u in self.t))
        self.T = [int((u - self.t[0]) * self.D) for u in self.t]
        self.n = [len(groups[u]) for u in self.t]
        self.S = [int(sum(groups[u]) * self.E) for u in self.t]
        self.YY = sum(int(y * self.E) ** 2 for y in dataset.y)
        self.mean_sq = [Fraction(s * s, c) for s, c in zip(self.S, self.n, strict=True)]
        self.SS0 = self.YY - sum(self.mean_sq, Fraction(0))  # within-group sum of squares
        self.s_N = min(m, 4 * (K - 1))
        self.s_A = min(m - 1, 2 * (K - 1))
        # unsigned columns: 0 ones, 1 T, 2 + k: relu(T_k - T), 2 + K + k: relu(T - T_k)
        cols = [[1] * K, list(self.T)]
        cols += [[max(self.T[k] - u, 0) for u in self.T] for k in range(K)]
        cols += [[max(u - self.T[k], 0) for u in self.T] for k in range(K)]
        self.cols = cols
        w = [[c[i] * self.n[i] for i in range(K)] for c in cols]
        self.G0 = [[sum(a * b for a, b in zip(wa, cb, strict=True)) for cb in cols] for wa in w]
        self.h0 = [sum(a * s for a, s in zip(c, self.S, strict=True)) for c in cols]
        self._R: dict[tuple[int, int], Fraction] = {}
        self._V: dict[tuple[int, int, int, int], tuple[Fraction, tuple[int, ...]]] = {}
        self._Vf: dict[tuple[int, int, int, int], float] = {}
        # float prefix sums (n, nT, nT^2, S, ST, S^2/n) for the window values that only *choose*
        # a partition (its bound is then valued exactly)
        rows = [(c, c * t, c * t * t, s, s * t, s * s / c) for c, t, s in
                zip(map(float, self.n), map(float, self.T), map(float, self.S), strict=True)]
        self._pre = [np.concatenate([[0.0], np.cumsum(col)]) for col in zip(*rows, strict=True)]

    # -- patterns ----------------------------------------------------------------------------
    def columns(self, affine: bool, types: Sequence[Type]) -> tuple[list[tuple[int, int]], int]:
        """(unsigned column id, sign) of each variable, and the number of free variables."""
        cols = [(0, 1), (1, 1)] if affine else [(0, 1)]
        nfree = len(cols)
        for side, k, sigma in types:
            base = 2 + side * self.K
            cols += [(base + k, sigma), (base + k + 1, sigma)]
        return cols, nfree

    def system(self, affine: bool, types: Sequence[Type]):
        cols, nfree = self.columns(affine, types)
        G = [[sa * sb * self.G0[a][b] for b, sb in cols] for a, sa in cols]
        h = [s * self.h0[a] for a, s in cols]
        return G, h, list(range(nfree))

    def value(self, scaled: Fraction) -> Fraction:
        return scaled / (self.E * self.E)

    def point(self, affine: bool, types: Sequence[Type], z: Sequence[Fraction]) -> ShallowReLU:
        """The parameter point (w_j, b_j, v_j = sigma_j, c) realising the outputs M z."""
        q = Fraction(self.D, self.E)
        t, W, b, v = self.t, [], [], []
        if affine:
            beta = z[1] * q
            alpha = z[0] / self.E - beta * t[0]
            e = -min(beta * u for u in t)  # beta t + e >= 0 on the data, = 0 at one point
            c = alpha - e
            W.append(beta)
            b.append(e)
            v.append(Fraction(1))
            rest = z[2:]
        else:
            c, rest = z[0] / self.E, z[1:]
        for i, (side, k, sigma) in enumerate(types):
            mu, nu = rest[2 * i] * q, rest[2 * i + 1] * q
            sgn = -1 if side == 0 else 1  # P: mu (t_k - t) + nu (t_k+1 - t); S: the negative
            W.append(sgn * (mu + nu))
            b.append(-sgn * (mu * t[k] + nu * t[k + 1]))
            v.append(Fraction(sigma))
        while len(W) < self.m:  # dead units (only when the data allow fewer patterns)
            W.append(Fraction(0))
            b.append(Fraction(0))
            v.append(Fraction(0))
        return ShallowReLU([[w] for w in W], b, v, c)

    # -- keys --------------------------------------------------------------------------------
    def gap_sets(self) -> Iterator[tuple[int, ...]]:
        top = min(max(self.s_N, self.s_A), self.K - 1)
        for r in range(0 if self.s_A == 0 else 1, top + 1):
            yield from itertools.combinations(range(self.K - 1), r)

    def keys(self, gaps: Sequence[int]) -> Iterator[Key]:
        for orient in itertools.product((1, -1, 0), repeat=len(gaps)):
            key = tuple(zip(gaps, orient, strict=True))
            if self.count(key):
                yield key

    def count(self, key: Key) -> int:
        """Number of patterns with this key (family N and family A).

        A sigma-gap takes P, S or both (2x + x^2 by size), a jump gap a set of {P+, S+, P-, S-}
        with both signs (4x^2 + 4x^3 + x^4 = x^2 (2 + x)^2); with u = (#sigma-gaps) +
        2 (#jumps) the product is x^u (2 + x)^u, so family N has C(u, s_N - u) 2^(2u - s_N)
        patterns; family A has one when u = s_A.
        """
        return self._count(sum(1 if o else 2 for _, o in key), bool(key))

    def _count(self, u: int, nonempty: bool) -> int:
        n = self.s_N
        count_n = math.comb(u, n - u) * 2 ** (2 * u - n) if nonempty and u <= n <= 2 * u else 0
        return count_n + (1 if u == self.s_A else 0)

    def count_gap_set(self, r: int) -> int:
        """Number of patterns over all keys of one gap set of size r (j jumps, r - j signs)."""
        return sum(math.comb(r, j) * 2 ** (r - j) * self._count(r + j, r > 0)
                   for j in range(r + 1))

    def count_all(self) -> int:
        return sum(self.count_gap_set(len(g)) for g in self.gap_sets())

    def patterns(self, key: Key) -> Iterator[tuple[bool, tuple[Type, ...]]]:
        """(affine, types) for every pattern with this key, in a fixed order."""
        if key:
            options = []
            for k, o in key:
                if o:
                    options.append([((0, k, o),), ((1, k, o),), ((0, k, o), (1, k, o))])
                else:
                    four = [(0, k, 1), (1, k, 1), (0, k, -1), (1, k, -1)]
                    options.append([s for r in (2, 3, 4) for s in itertools.combinations(four, r)
                                    if {x[2] for x in s} == {1, -1}])
            for choice in itertools.product(*options):
                types = tuple(x for part in choice for x in part)
                if len(types) == self.s_N:
                    yield False, types
        if sum(1 if o else 2 for _, o in key) == self.s_A:
            yield True, tuple((1, k, s) for k, o in key for s in ((o,) if o else (1, -1)))

    # -- bounds ------------------------------------------------------------------------------
    def affine_window(self, a: int, b: int) -> Fraction:
        """R(a, b): the least affine-fit loss on the groups a..b (means, weighted; scaled)."""
        if (a, b) not in self._R:
            if a == b:
                self._R[a, b] = Fraction(0)
            else:
                G, h = self._window_system(a, b, [0, 1], [1, 1])
                yy = sum(self.mean_sq[a:b + 1], Fraction(0))
                self._R[a, b] = verify_passive_set(G, h, yy, [0, 1], [0, 1])
        return self._R[a, b]

    def kink_window(self, a: int, k: int, b: int, sigma: int) -> tuple[Fraction, tuple[int, ...]]:
        """V1(a, k, b, sigma): least loss on groups a..b of an affine function plus sigma times
        a hinge with its kink in [t_k, t_k+1] (the passive set is the evidence)."""
        if (a, k, b, sigma) not in self._V:
            G, h = self._window_system(a, b, [0, 1, 2 + self.K + k, 3 + self.K + k],
                                       [1, 1, sigma, sigma])
            yy = sum(self.mean_sq[a:b + 1], Fraction(0))
            sol = solve_nnls(G, h, yy, [0, 1])
            self._V[a, k, b, sigma] = (sol.value, sol.passive)
        return self._V[a, k, b, sigma]

    def kink_window_float(self, a: int, k: int, b: int, sigma: int) -> float:
        """V1(a, k, b, sigma) in floats (it only *chooses* a partition, whose bound is then
        valued exactly): every window at once, from prefix sums, on the first call."""
        if not self._Vf:
            self._float_table()
        return self._Vf[a, k, b, sigma]

    def _float_table(self) -> None:
        """The least fit over the subsets of hinge columns whose coefficients come out >= 0
        (the optimum's support is one of them), batched over all windows (a, k, b)."""
        K, pre = self.K, self._pre
        wins = np.array([(a, k, b) for a in range(K) for b in range(a + 1, K)
                         for k in range(a, b)], dtype=int).reshape(-1, 3)
        a, k, b = wins.T

        def rng(col: int, lo: np.ndarray) -> np.ndarray:
            return pre[col][b + 1] - pre[col][lo]

        T = np.array(self.T, dtype=float)
        (t1, lo1), (t2, lo2) = (T[k], k + 1), (T[k + 1], k + 2)
        G = np.zeros((len(wins), 4, 4))
        h = np.zeros((len(wins), 4))
        G[:, 0, 0], G[:, 0, 1], G[:, 1, 1] = rng(0, a), rng(1, a), rng(2, a)
        h[:, 0], h[:, 1] = rng(3, a), rng(4, a)
        for i, (tau, lo) in enumerate(((t1, lo1), (t2, lo2)), start=2):
            G[:, 0, i] = rng(1, lo) - tau * rng(0, lo)
            G[:, 1, i] = rng(2, lo) - tau * rng(1, lo)
            h[:, i] = rng(4, lo) - tau * rng(3, lo)
        G[:, 2, 2] = rng(2, lo1) - 2 * t1 * rng(1, lo1) + t1 * t1 * rng(0, lo1)
        G[:, 3, 3] = rng(2, lo2) - 2 * t2 * rng(1, lo2) + t2 * t2 * rng(0, lo2)
        G[:, 2, 3] = rng(2, lo2) - (t1 + t2) * rng(1, lo2) + t1 * t2 * rng(0, lo2)
        G = np.triu(G) + np.swapaxes(np.triu(G, 1), 1, 2)
        yy = rng(5, a)
        for sigma in (1, -1):
            sign = np.array([1.0, 1.0, sigma, sigma])
            Gs, hs = G * sign[:, None] * sign[None, :], h * sign
            best = yy.copy()
            for idx in ([0, 1], [0, 1, 2], [0, 1, 3], [0, 1, 2, 3]):
                z = np.linalg.pinv(Gs[:, idx][:, :, idx]) @ hs[:, idx, None]
                val = yy - (hs[:, idx] * z[:, :, 0]).sum(axis=1)
                ok = (z[:, 2:, 0] >= 0).all(axis=1)
                best = np.where(ok, np.minimum(best, val), best)
            for (wa, wk, wb), v in zip(wins.tolist(), np.maximum(best, 0.0).tolist(),
                                       strict=True):
                self._Vf[wa, wk, wb, sigma] = v

    def _window_system(self, a: int, b: int, ids: list[int], signs: list[int]):
        cols = [[s * x for x in self.cols[i][a:b + 1]] for i, s in zip(ids, signs, strict=True)]
        n, S = self.n[a:b + 1], self.S[a:b + 1]
        G = [[sum(x * y * c for x, y, c in zip(u, v, n, strict=True)) for v in cols]
             for u in cols]
        return G, [sum(x * s for x, s in zip(u, S, strict=True)) for u in cols]

    def segment_bound(self, gaps: Sequence[int]) -> Fraction:
        """SS0 + the sum of R over the segments between the gaps (Lemma 4 of docs/global.md)."""
        edges = [-1, *gaps, self.K - 1]
        return self.SS0 + sum((self.affine_window(edges[i] + 1, edges[i + 1])
                               for i in range(len(edges) - 1)), Fraction(0))

    def window_bound(self, key: Key) -> tuple[Fraction, list[tuple[int, int]]]:
        """The best window partition (chosen in floats, valued exactly) and its exact bound."""
        orient = dict(key)
        K = self.K
        best: list[float] = [0.0] + [-1.0] * K
        back = [0] * (K + 1)
        for b in range(K):
            inside: int | None = None
            for a in range(b, -1, -1):
                if a <= b - 1 and a in orient:  # gap a is now fully inside [a..b]
                    if inside is not None or orient[a] == 0:
                        break
                    inside = a
                if inside is None:
                    val = float(self.affine_window(a, b))
                else:
                    val = self.kink_window_float(a, inside, b, orient[inside])
                if best[a] + val > best[b + 1]:
                    best[b + 1], back[b + 1] = best[a] + val, a
        part, b = [], K
        while b > 0:
            part.append((back[b], b - 1))
            b = back[b]
        part.reverse()
        edges = [-1, *orient, K - 1]  # the segment partition, in case floats chose worse
        seg = [(edges[i] + 1, edges[i + 1]) for i in range(len(edges) - 1)]
        bound, seg_bound = self.partition_bound(key, part), self.partition_bound(key, seg)
        return (bound, part) if bound >= seg_bound else (seg_bound, seg)

    def partition_bound(self, key: Key, part: Sequence[tuple[int, int]],
                        hints: Sequence[Sequence[int] | None] | None = None) -> Fraction:
        """SS0 + sum of the window values of a partition; with ``hints`` (passive sets) the
        kink windows are verified by the KKT conditions instead of solved."""
        orient = dict(key)
        expected = 0
        total = self.SS0
        for i, (a, b) in enumerate(part):
            if a != expected or b < a or b >= self.K:
                raise CertificateError(f"windows {list(part)} do not partition the groups "
                                       f"0..{self.K - 1}")
            expected = b + 1
            inside = [k for k in orient if a <= k < b]
            if len(inside) > 1 or (inside and orient[inside[0]] == 0):
                raise CertificateError(f"window {a}..{b} holds gaps {inside} of key "
                                       f"{key_name(key)}: at most one oriented gap is allowed")
            if not inside:
                total += self.affine_window(a, b)
            elif hints is None:
                total += self.kink_window(a, inside[0], b, orient[inside[0]])[0]
            else:
                k, sigma = inside[0], orient[inside[0]]
                G, h = self._window_system(a, b, [0, 1, 2 + self.K + k, 3 + self.K + k],
                                           [1, 1, sigma, sigma])
                yy = sum(self.mean_sq[a:b + 1], Fraction(0))
                total += verify_passive_set(G, h, yy, [0, 1], hints[i] or ())
        if expected != self.K:
            raise CertificateError(f"windows {list(part)} do not cover groups 0..{self.K - 1}")
        return total

    def window_hints(self, key: Key, part: Sequence[tuple[int, int]]) -> list[list[int] | None]:
        orient = dict(key)
        out: list[list[int] | None] = []
        for a, b in part:
            inside = [k for k in orient if a <= k < b]
            out.append(None if not inside else
                       list(self.kink_window(a, inside[0], b, orient[inside[0]])[1]))
        return out


@dataclass
class LineSearch:
    """Branch and bound over keys (best first); ``prune=False`` solves every pattern."""

    problem: LineProblem
    prune: bool = True
    max_patterns: int | None = None  # most patterns solved before GlobalSearchTooLarge
    best: tuple[Fraction, bool, tuple[Type, ...], tuple[Fraction, ...]] | None = None
    solved: dict[Key, list[list[int]]] = field(default_factory=dict)
    windows: dict[Key, tuple[list[tuple[int, int]], list[list[int] | None]]] = \
        field(default_factory=dict)
    examined: int = 0
    pruned: int = 0
    eager: int = 2  # keys with at most this many patterns are solved without a window bound

    def run(self) -> LineSearch:
        """Best first: gap sets by their segment bound; a key enters with its gap set's bound,
        and gets its (costlier) window bound only when it comes up and has more than
        ``eager`` patterns (solving a few small QPs is cheaper than bounding them)."""
        P = self.problem
        heap: list = []
        tick = itertools.count()
        for gaps in P.gap_sets():
            lb = P.segment_bound(gaps) if self.prune else Fraction(0)
            heapq.heappush(heap, (lb, next(tick), "G", gaps, None))
        while heap and (self.best is None or not self.prune or heap[0][0] < self.best[0]):
            lb, _, kind, item, part = heapq.heappop(heap)
            if kind == "G":
                for key in P.keys(item):
                    heapq.heappush(heap, (lb, next(tick), "K", key, None))
            elif self.prune and part is None and P.count(item) > self.eager:
                bound, part = P.window_bound(item)
                if bound > lb:  # re-queued with the better bound (and its evidence)
                    heapq.heappush(heap, (bound, next(tick), "K", item, part))
                else:
                    self._solve(item)
            else:
                self._solve(item)
        for _, _, kind, item, part in heap:  # everything left is pruned by its bound
            if kind == "G":
                self.pruned += P.count_gap_set(len(item))
            else:
                self.pruned += P.count(item)
                if part is not None:  # else its gap set's segment bound covers it
                    self.windows[item] = (part, P.window_hints(item, part))
        return self

    def _solve(self, key: Key) -> None:
        P = self.problem
        if self.max_patterns is not None and self.examined + P.count(key) > self.max_patterns:
            raise GlobalSearchTooLarge(
                f"the search has solved {self.examined} of {P.count_all()} activation patterns "
                f"(m={P.m} units, K={P.K} distinct inputs) without closing the gap, and the "
                f"next key would pass max_patterns={self.max_patterns}; raise max_patterns or use "
                "fewer units/points")
        passives = []
        for affine, types in P.patterns(key):
            G, h, free = P.system(affine, types)
            sol = solve_nnls(G, h, Fraction(P.YY), free)
            passives.append(list(sol.passive))
            self.examined += 1
            if self.best is None or sol.value < self.best[0]:
                self.best = (sol.value, affine, types, sol.z)
        self.solved[key] = passives


def check_line_evidence(P: LineProblem, value_scaled: Fraction,
                        solved: dict[Key, list[list[int]]],
                        windows: dict[Key, tuple[list[tuple[int, int]], list]]) -> int:
    """Re-verify that no pattern is below ``value_scaled``: every gap set is beaten by its
    segment bound or each of its keys has window evidence or solved patterns (KKT-verified).
    Every stored piece is verified, needed or not, so no false statement passes unread.
    Returns the number of patterns covered; raises CertificateError on any gap."""
    for key in (*solved, *windows):
        gaps = [k for k, _ in key]
        if (gaps != sorted(set(gaps)) or not all(0 <= k < P.K - 1 for k in gaps)
                or not P.count(key)):
            raise CertificateError(f"key {key_name(key)} is not a key of this problem")
    for key, (part, hints) in windows.items():
        bound = P.partition_bound(key, [tuple(w) for w in part], hints)
        if bound < value_scaled:
            raise CertificateError(f"key {key_name(key)}: the window bound {bound} is "
                                   f"below the claimed optimum {value_scaled}")
    for key, passives in solved.items():
        pats = list(P.patterns(key))
        if len(pats) != len(passives):
            raise CertificateError(f"key {key_name(key)}: {len(passives)} solutions for "
                                   f"{len(pats)} patterns")
        for (affine, types), passive in zip(pats, passives, strict=True):
            G, h, free = P.system(affine, types)
            val = verify_passive_set(G, h, Fraction(P.YY), free, passive)
            if val < value_scaled:
                raise CertificateError(f"pattern {types} of key {key_name(key)} has optimum "
                                       f"{val} below the claimed {value_scaled}")
    covered = 0
    for gaps in P.gap_sets():
        if P.segment_bound(gaps) >= value_scaled:
            covered += P.count_gap_set(len(gaps))
            continue
        for key in P.keys(gaps):
            if key not in windows and key not in solved:
                raise CertificateError(f"key {key_name(key)} has neither a bound nor solutions")
            covered += P.count(key)
    return covered
