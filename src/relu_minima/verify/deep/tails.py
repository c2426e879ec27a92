"""Sign bounds for the tail of a deep network behind a switched-off layer (Equation (2)).

A hidden layer n that is <= 0 at every data point gives h_n = 0 on the data; near theta,
h_n' vanishes except at the points where a unit is on its kink, and the output moves only
through the tail (layers n+1..k) evaluated near h_n = 0. These functions compute, exactly,
what the tail can do there: its gradient when it is affine (:func:`affine_tail`), the
signs of its secant slopes when it is monotone (:func:`tail_signs`), the classes of points
that share h_n near theta (:func:`classes_before`), and the tests of the "affine tail" and
"monotone tail" families of :mod:`relu_minima.verify.deep.families` (proofs in docs/deep.md).
"""

from __future__ import annotations

from fractions import Fraction

from ...exact.datasets import Dataset
from ...exact.deep_relu import DeepReLU

__all__ = ["affine_tail", "classes_before", "kink_ramp_values", "line_positions",
           "monotone_tail_holds", "ramps_cannot_help", "tail_signs"]


def affine_tail(params: DeepReLU, n: int = 1) -> tuple[Fraction, ...] | None:
    """g = dT/dh_n at h_n = 0 when every tail pre-activation there is nonzero, else None.

    With h_n = 0 the pre-activations of layers n+1..k-1 are the same on every input; when
    none is 0 they keep their signs near theta, so the tail T is affine near h_n = 0 with
    gradient g = W_k D_(k-1) W_(k-1) ... D_(n+1) W_(n+1) (D_m: 1 on the active units of m).
    """
    h: list[Fraction] = [Fraction(0)] * len(params.weights[n - 1])
    masks = []
    for M, b in zip(params.weights[n:-1], params.biases[n:-1], strict=True):
        z = [sum((w * t for w, t in zip(row, h, strict=True)), bj) for row, bj in zip(M, b,
                                                                                    strict=True)]
        if any(t == 0 for t in z):
            return None
        masks.append([t > 0 for t in z])
        h = [max(t, Fraction(0)) for t in z]
    g = list(params.weights[-1][0])
    for M, mask in zip(reversed(params.weights[n:-1]), reversed(masks), strict=True):
        g = [sum((g[q] * M[q][j] for q in range(len(M)) if mask[q]), Fraction(0))
             for j in range(len(M[0]))]
    return tuple(g)


def line_positions(points: list[tuple[Fraction, ...]]) -> list[Fraction] | None:
    """t_i with x_i = p + t_i e on one line through the points, or None if not collinear."""
    distinct = sorted(set(points))
    if len(distinct) == 1:
        return [Fraction(0)] * len(points)
    p0 = distinct[0]
    e = tuple(a - b for a, b in zip(distinct[1], p0, strict=True))
    c = next(q for q, t in enumerate(e) if t)
    out = []
    for x in points:
        t = (x[c] - p0[c]) / e[c]
        if any(x[q] - p0[q] != t * e[q] for q in range(len(e))):
            return None
        out.append(t)
    return out


def kink_ramp_values(params: DeepReLU, dataset: Dataset, j: int) -> list[Fraction] | None:
    """The values that bound the sign of S = sum_(i in Z) r'_i relu(a . x_i + b) over every
    small (a, b), Z the points where unit j of layer 1 is on its kink; None if Z's inputs are
    not on one line. On the line, a . x + b is an affine function alpha t + beta of the
    position t: S is relu(beta) sum_Z r' (alpha = 0), or |alpha| times
    sum_Z r'_i relu(+-(t_i - tau)), piecewise linear in tau with breaks at the t_i, 0 on one
    side and of slope sign -+sum_Z r' on the other: its signs are those of sum_Z r' and of
    its values at tau = t_i.
    """
    ybar = sum(dataset.y, Fraction(0)) / dataset.n
    pre = params.preactivations(dataset)[0]
    Z = [i for i in range(dataset.n) if pre[i][j] == 0]
    if not Z:
        return []
    ts = line_positions([dataset.X[i] for i in Z])
    if ts is None:
        return None
    r = [dataset.y[i] - ybar for i in Z]
    out = [sum(r, Fraction(0))]
    for tau in ts:
        for s in (1, -1):
            out.append(sum((ri * max(s * (t - tau), Fraction(0)) for ri, t in
                            zip(r, ts, strict=True)), Fraction(0)))
    return out


def classes_before(params: DeepReLU, dataset: Dataset, n: int) -> list[list[int]]:
    """Points that share h_n on a whole neighbourhood of theta: equal inputs, or points at
    which some layer m < n is strictly negative in every unit (both see h_m = 0 there; the
    ReLU only: with ``negative_slope`` != 0 such a layer still sees its inputs)."""
    label = list(range(dataset.n))

    def join(i: int, j: int) -> None:
        a, b = label[i], label[j]
        label[:] = [a if t == b else t for t in label]

    for ix in dataset.groups().values():
        for i in ix[1:]:
            join(ix[0], i)
    dead_layers = params.preactivations(dataset)[:n - 1] if params.negative_slope == 0 else ()
    for z in dead_layers:
        dead = [i for i, row in enumerate(z) if all(t < 0 for t in row)]
        for i in dead[1:]:
            join(dead[0], i)
    out: dict[int, list[int]] = {}
    for i, t in enumerate(label):
        out.setdefault(t, []).append(i)
    return list(out.values())


def ramps_cannot_help(params: DeepReLU, dataset: Dataset,
                       g: tuple[Fraction, ...] | None, n: int = 1) -> bool:
    """Layer n is <= 0 on the data, and for every unit j on a kink at some points Z_j,
    g_j != 0 and either g_j sum_(i in K) (y_i - ybar) <= 0 for every class K in Z_j of points
    that share h_n near theta (:func:`classes_before`; then g_j S <= 0 for any nonnegative
    feature), or (n = 1) g_j S <= 0 for every value of :func:`kink_ramp_values`.
    Then no move lowers the loss (docs/deep.md)."""
    pre = params.preactivations(dataset)[n - 1]
    if g is None or any(t > 0 for row in pre for t in row):
        return False
    ybar = sum(dataset.y, Fraction(0)) / dataset.n
    classes = classes_before(params, dataset, n)
    for j, gj in enumerate(g):
        Z = {i for i in range(dataset.n) if pre[i][j] == 0}
        if not Z:
            continue
        if gj == 0:
            return False
        # a class shares h_n'[j] near theta (and lies inside Z or outside it)
        if all(gj * sum((dataset.y[i] - ybar for i in c), Fraction(0)) <= 0
               for c in classes if Z & set(c)):
            continue
        values = kink_ramp_values(params, dataset, j) if n == 1 else None
        if values is None or any(gj * S > 0 for S in values):
            return False
    return True


def tail_signs(params: DeepReLU, n: int) -> tuple[Fraction | None, ...]:
    """Per unit j of layer n, a sign s with s (T'(v + t e_j) - T'(v)) >= 0 for every t >= 0,
    every small v >= 0 and every tail T' near theta's (0: the difference is 0), or None.

    Secant slopes along e_j are propagated through layers n+1..k at h_n = 0: a unit strictly
    negative there stays dead (slope 0), a positive one stays active (slope passes), one at 0
    is a kink (relu is monotone and 1-Lipschitz: the secant lies between 0 and the incoming
    one). Two bounds are kept: a structural sign (a weight != 0 keeps its sign under small
    changes; a zero weight from a moving unit leaves the sign unknown), and the exact interval
    of slopes in the limit, whose strict signs (lo > 0 or hi < 0) survive small changes.
    """
    h = [Fraction(0)] * len(params.weights[n - 1])
    states = []
    for M, b in zip(params.weights[n:-1], params.biases[n:-1], strict=True):
        z = [sum((w * t for w, t in zip(row, h, strict=True)), bj) for row, bj in zip(M, b,
                                                                                    strict=True)]
        states.append([(t > 0) - (t < 0) for t in z])
        h = [max(t, Fraction(0)) for t in z]
    out: list[Fraction | None] = []
    for j in range(len(h0 := params.weights[n - 1])):
        cur = [(Fraction(int(q == j)),) * 2 + (int(q == j),) for q in range(len(h0))]
        for m, M in enumerate(params.weights[n:], start=0):
            nxt = []
            for v, row in enumerate(M):
                lo = hi = Fraction(0)
                tag: int | None = 0  # 0 here: no moving input yet
                for w, (a, c, t) in zip(row, cur, strict=True):
                    lo, hi = lo + min(w * a, w * c), hi + max(w * a, w * c)
                    if t == 0:
                        continue
                    part = None if (w == 0 or t is None) else ((w > 0) - (w < 0)) * t
                    tag = part if tag == 0 else (tag if tag == part else None)
                if m < len(states):
                    state = states[m][v]
                    if state < 0:
                        lo = hi = Fraction(0)
                        tag = 0
                    elif state == 0:
                        lo, hi = min(lo, Fraction(0)), max(hi, Fraction(0))
                nxt.append((lo, hi, tag))
            cur = nxt
        lo, hi, tag = cur[0]
        out.append(Fraction(tag) if tag is not None else
                   Fraction(1) if lo > 0 else Fraction(-1) if hi < 0 else None)
    return tuple(out)


def monotone_tail_holds(params: DeepReLU, dataset: Dataset, n: int,
                         signs: tuple[Fraction | None, ...]) -> bool:
    """Layer n <= 0 on the data; every class K of points sharing h_n near theta that lies in
    some Z_j sees one sign s among its units' tail signs, and s sum_K (y_i - ybar) <= 0."""
    pre = params.preactivations(dataset)[n - 1]
    if any(t > 0 for row in pre for t in row):
        return False
    ybar = sum(dataset.y, Fraction(0)) / dataset.n
    for K in classes_before(params, dataset, n):
        units = [j for j in range(len(signs)) if pre[K[0]][j] == 0]
        if not units:
            continue
        if any(signs[j] is None for j in units):
            return False
        nonzero = {signs[j] for j in units} - {0}
        if len(nonzero) > 1:
            return False
        if nonzero and nonzero.pop() * sum((dataset.y[i] - ybar for i in K), Fraction(0)) > 0:
            return False
    return True
