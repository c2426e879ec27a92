"""Whole families of deep points decided exactly, each with a proof object (Equation (2)).

A family is a shape of point that users meet (zero initialisation, a layer switched off) and
that the generic search handles badly: the descent, when there is one, changes the outputs only
at order eps^k. Each family here is decided by a construction, not a search, and the
"local minimum" verdicts carry a :class:`FamilyProof` that ``DeepCertificate.check()``
re-verifies from params and data alone. Proofs in docs/deep.md ("Families").

* **all-zero** (:func:`all_zero_decision`): every weight and every hidden bias is 0, the
  output bias c is anything, depth k >= 2. Then f = c. If c != ybar the output bias descends.
  If c = ybar: when every group of equal inputs has mean ybar (the data is not decent,
  Definition 1), no function does better, so theta is a global minimum; otherwise a ramp
  phi(x) = relu(v . x - theta) with sum_i (y_i - ybar) phi(x_i) = S != 0 exists
  (:func:`ramp_feature`), and the path move W_1[1,:] = v, b_1[1] = -theta, W_n[1,1] = 1,
  W_k[1,1] = sign(S) changes the outputs by sign(S) eps^k phi(x_i): the loss drops by
  2 |S| eps^k + O(eps^(2k)).
* **zero layer** (:func:`zero_layer_decision`): some hidden layer n has W_n = 0 and b_n = 0,
  the rest arbitrary. Then h_n = 0 on every input and f = C, one number. Decided here: a
  global minimum when C = ybar and the data is not decent; a first-order descent through a
  unit j of layer n whose tail derivative D_j = dT/dh_n[j] at 0+ is nonzero, fed a ramp of
  the previous layer's features with the sign of D_j. Other points of the family go on to the
  move search (:mod:`relu_minima.verify.deep.moves`).
* **affine tail** / **monotone tail** (:func:`affine_tail_decision`,
  :func:`monotone_tail_decision`): a hidden layer n is <= 0 on the data, the output is ybar,
  and the tail can move each class of points (sharing h_n near theta) only in the direction
  its residuals do not ask for: a minimum, with the signs re-checked.
* **blind spots** and **depth 2** are decided in :mod:`relu_minima.verify.deep.rules` itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ...errors import CertificateError, require
from ...exact.datasets import Dataset
from ...exact.deep_relu import DeepReLU
from ...exact.germs import output_germ_rows, output_germs
from .outputs import parse_value, row, show, value_json
from .tails import affine_tail, monotone_tail_holds, ramps_cannot_help, tail_signs

__all__ = ["FamilyDecision", "FamilyProof", "affine_tail_decision", "all_zero_decision",
           "decide_family", "monotone_tail_decision",
           "ramp_feature", "zero_layer_decision"]


@dataclass(frozen=True)
class FamilyProof:
    """Why a point of a family is a local minimum, as data that :meth:`check` re-verifies.

    ``family`` is "all-zero", "zero layer", "affine tail" or "monotone tail"; ``layer`` the
    zero or switched-off hidden layer (1-based; 0 for all-zero); ``mean`` the mean of the
    targets, params' constant output. For the first two, ``groups`` are the groups of equal
    inputs (0-based point indices), each of mean ``mean``: no function of x has a lower loss
    than that constant, so params is a global minimum. For the tail families, ``tail`` is
    the tail's gradient (affine) or its secant signs (monotone; None: unknown), which
    :meth:`check` recomputes together with the sign conditions (docs/deep.md).
    """

    family: str
    layer: int
    groups: tuple[tuple[int, ...], ...]
    mean: Any  # a k-vector (tuple) for several outputs
    tail: tuple[Fraction | None, ...] = ()  # the tail's gradient g / signs (tail families)

    def check(self, params: DeepReLU, dataset: Dataset) -> None:
        """Raise :class:`CertificateError` unless the proof holds for params and dataset."""
        require(self.family in ("all-zero", "zero layer", "affine tail", "monotone tail"),
                f"unknown family {self.family!r}")
        require(params.outputs_count == 1 or self.family in ("all-zero", "zero layer"),
                "the tail families are for networks with one output")
        if self.family == "monotone tail":
            require(1 <= self.layer < params.depth and params.depth >= 3,
                    "layer must be a hidden layer, depth >= 3")
            require(self.mean == sum(dataset.y, Fraction(0)) / dataset.n
                    and set(params.outputs(dataset)) == {self.mean},
                    "the output is not the constant mean of the targets")
            signs = tail_signs(params, self.layer)
            require(signs == self.tail, "the tail signs are not params'")
            require(monotone_tail_holds(params, dataset, self.layer, signs),
                    "some class can move the way its residuals ask")
            return
        if self.family == "affine tail":
            require(1 <= self.layer < params.depth and params.depth >= 3,
                    "layer must be a hidden layer, depth >= 3")
            require(self.mean == sum(dataset.y, Fraction(0)) / dataset.n
                    and set(params.outputs(dataset)) == {self.mean},
                    "the output is not the constant mean of the targets")
            require(affine_tail(params, self.layer) == self.tail,
                    "the tail gradient is not params'")
            require(ramps_cannot_help(params, dataset, self.tail, self.layer),
                    "layer 1 is positive somewhere, or some ramp lowers the loss")
            return
        if self.family == "all-zero":
            require(self.layer == 0 and params.depth >= 2 and _all_zero(params),
                    "params is not an all-zero network (or layer is not 0)")
        else:
            require(1 <= self.layer < params.depth and _zero_layer(params, self.layer - 1),
                    f"hidden layer {self.layer} of params is not zero")
        require(self.mean == dataset.target_mean, "mean is not the mean")
        require(set(params.outputs(dataset)) == {self.mean},
                "the output is not the constant mean of the targets")
        require(sorted(self.groups) == sorted(dataset.groups().values()),
                "groups are not the groups of equal inputs")
        mean = row(self.mean)
        for g in self.groups:
            require(dataset.mean_of(g) == mean,
                    f"group {[i + 1 for i in g]} does not have mean {show(self.mean)}")

    def to_json(self) -> dict[str, Any]:
        return {"family": self.family, "layer": self.layer, "mean": value_json(self.mean),
                "groups": [[i + 1 for i in g] for g in self.groups],
                "tail": [None if t is None else str(t) for t in self.tail]}

    @classmethod
    def from_json(cls, data: Any) -> FamilyProof:
        if not isinstance(data, dict) or not {"family", "layer", "groups", "mean"} <= set(data):
            raise CertificateError("a family proof needs family, layer, groups and mean")
        return cls(str(data["family"]), int(data["layer"]),
                   tuple(tuple(int(i) - 1 for i in g) for g in data["groups"]),
                   parse_value(data["mean"]),
                   tuple(None if t is None else Fraction(t) for t in data.get("tail", ())))


@dataclass(frozen=True)
class FamilyDecision:
    """A family's verdict: a proof (minimum) or a descent direction (not a minimum)."""

    family: str
    minimum: bool
    reason: str
    proof_lines: tuple[str, ...]
    proof: FamilyProof | None = None
    direction: tuple[Fraction, ...] | None = None


def _all_zero(p: DeepReLU) -> bool:
    return (all(t == 0 for M in p.weights for row in M for t in row)
            and all(t == 0 for b in p.biases[:-1] for t in b))


def _zero_layer(p: DeepReLU, n: int) -> bool:
    """Layer n (0-based) has W = 0 and b = 0."""
    return all(t == 0 for row in p.weights[n] for t in row) and all(t == 0 for t in p.biases[n])


def ramp_feature(features: Sequence[Sequence[Fraction]], weights: Sequence[Fraction],
                 want: int = 0) -> tuple[tuple[Fraction, ...], Fraction, Fraction] | None:
    """(v, theta, S) with S = sum_i weights_i relu(v . a_i - theta) != 0, or None.

    ``want`` = +1 / -1 asks for that sign of S (0: any sign). With sum_i weights_i = 0 and
    some group of equal features of nonzero weight sum, a ramp with S != 0 always exists
    (docs/deep.md): v injective on the features (moment curve), and a threshold between
    consecutive projections t_(j-1) < theta < t_(j) gives S(theta) = C_j - theta B_j with
    B_j = sum_(t_i >= t_(j)) weights_i, and some B_j != 0.
    """
    distinct = sorted(set(map(tuple, features)))
    dim = len(distinct[0]) if distinct else 0
    candidates: list[tuple[Fraction, ...]] = []
    for t in range(1, 4 * len(distinct) * max(dim, 1) + 2):
        v = tuple(Fraction(t) ** e for e in range(dim))
        if len({sum((a * b for a, b in zip(v, f, strict=True)), Fraction(0))
                for f in distinct}) == len(distinct):
            candidates.append(v)
            break
    candidates += [tuple(Fraction(s if q == e else 0) for e in range(dim))
                   for q in range(dim) for s in (1, -1)]
    for v in list(candidates):
        candidates.append(tuple(-t for t in v))
    for v in candidates:
        proj = [sum((a * b for a, b in zip(v, f, strict=True)), Fraction(0)) for f in features]
        ts = sorted(set(proj))
        cuts = [ts[0] - 1] + [c for lo, hi in itertools.pairwise(ts)
                              for c in ((lo + hi) / 2, (lo + 2 * hi) / 3)]
        for theta in cuts:
            S = sum((w * max(t - theta, Fraction(0)) for w, t in zip(weights, proj, strict=True)),
                    Fraction(0))
            if S != 0 and (want == 0 or (S > 0) == (want > 0)):
                return v, theta, S
    return None


def monotone_tail_decision(params: DeepReLU, dataset: Dataset) -> FamilyDecision | None:
    """A hidden layer switched off on the data whose tail moves each class's output only in
    the direction its residuals do not ask for (docs/deep.md): a minimum, else None."""
    mean = sum(dataset.y, Fraction(0)) / dataset.n
    if params.depth < 3 or set(params.outputs(dataset)) != {mean}:
        return None
    for n in range(1, params.depth):
        signs = tail_signs(params, n)
        if monotone_tail_holds(params, dataset, n, signs):
            break
    else:
        return None
    proof = FamilyProof("monotone tail", n, (), mean, tuple(signs))
    lines = (f"Layer {n} is <= 0 at every data point, so h_{n} = 0 on the data and f = ybar = "
             f"{mean}. Near theta h_{n}' is 0 except at the points where a unit is on its kink, "
             "where it is small and >= 0; points with equal inputs or dead in an earlier layer "
             "share it (a class K). Along each unit j the tail's secant slopes have the sign "
             f"s_j = {[None if t is None else int(t) for t in signs]} for every nearby tail "
             "(dead units stay dead, active ones active, kinks lie between 0 and their input's "
             "slope), so f(K) - f(rest) has the sign s of K's units, and L' >= L - 2 sum_K "
             "(sum_K (y_i - ybar)) (f(K) - C') with s sum_K (y_i - ybar) <= 0 for every K "
             "(checked exactly). So L' >= L near theta: a local minimum.",)
    return FamilyDecision("monotone tail", True, f"hidden layer {n} is switched off on the "
                          "data and the tail can move each class only against its residuals",
                          lines, proof=proof)


def affine_tail_decision(params: DeepReLU, dataset: Dataset) -> FamilyDecision | None:
    """A hidden layer n switched off on the data (every pre-activation <= 0), the output the
    mean, and the tail affine near h_n = 0 with gradient signs that no feature on the kinks
    can use: a minimum. None when params is not such a point."""
    mean = sum(dataset.y, Fraction(0)) / dataset.n
    if params.depth < 3 or set(params.outputs(dataset)) != {mean}:
        return None
    for n in range(1, params.depth):
        g = affine_tail(params, n)
        if ramps_cannot_help(params, dataset, g, n):
            break
    else:
        return None
    proof = FamilyProof("affine tail", n, (), mean, g)
    lines = (f"Layer {n} is <= 0 at every data point, so h_{n} = 0 on the data and f = ybar = "
             f"{mean}. Every tail pre-activation at h_{n} = 0 is nonzero, so near theta the "
             f"tail is affine: f(x) = C' + sum_j gamma_j h_{n}'[j](x) with gamma_j near g_j, "
             f"g = ({', '.join(map(str, g))}), of the same sign; h_{n}'[j](x_i) is 0 where unit "
             "j is strictly negative and small and >= 0 where it is 0 (the set Z_j). Then "
             "L' >= L - 2 sum_j gamma_j S_j with S_j = sum_(i in Z_j) (y_i - ybar) "
             "h'[j](x_i), and for every unit with Z_j nonempty either g_j (y_i - ybar) <= 0 on "
             "all of Z_j, or (layer 1) g_j S <= 0 at every breakpoint value of S on the line "
             "through Z_j (checked exactly). So L' >= L near theta: a local minimum.",)
    return FamilyDecision("affine tail", True, f"hidden layer {n} is switched off on the data "
                          "and the tail is affine near 0 with gradient signs that no feature "
                          "on the kinks can use", lines, proof=proof)


def _groups_have_mean(dataset: Dataset, mean: Any) -> tuple[tuple[int, ...], ...] | None:
    groups = tuple(dataset.groups().values())
    ok = all(dataset.mean_of(g) == row(mean) for g in groups)
    return groups if ok else None


def _global_minimum(family: str, layer: int, params: DeepReLU, dataset: Dataset,
                    mean: Fraction, groups: tuple[tuple[int, ...], ...]) -> FamilyDecision:
    proof = FamilyProof(family, layer, groups, mean)
    lines = (f"The output is the constant ybar = {show(mean)} on every input, and every group of "
             "equal inputs has mean ybar (the data is not decent, Definition 1): any function g "
             "of x has sum_i (g(x_i) - y_i)^2 >= sum over groups of sum (y_i - group mean)^2 "
             "= sum_i (y_i - ybar)^2 = L(theta). So theta is a global, hence local, minimum.",)
    return FamilyDecision(family, True, "the output is the mean of the targets and every group "
                          "of equal inputs has that mean: no function does better",
                          lines, proof=proof)


def all_zero_decision(params: DeepReLU, dataset: Dataset) -> FamilyDecision | None:
    """The all-zero family (module docstring); None if params is not in it or c != ybar."""
    if params.depth < 2 or not _all_zero(params):
        return None
    mean = dataset.target_mean
    if params.biases[-1] != row(mean):
        return None  # the output-bias rule decides
    head = ("All-zero network: every weight and hidden bias is 0, so f = b_k = ybar.",)
    groups = _groups_have_mean(dataset, mean)
    if groups is not None:
        d = _global_minimum("all-zero", 0, params, dataset, mean, groups)
        return FamilyDecision(d.family, True, d.reason, head + d.proof_lines, proof=d.proof)
    # the first output with a group whose mean differs (Definition 1, output by output)
    Y, mrow = dataset.Y, row(mean)
    out = next(o for o in range(dataset.k)
               if any(dataset.mean_of(g)[o] != mrow[o] for g in dataset.groups().values()))
    found = ramp_feature(dataset.X, [y[out] - mrow[out] for y in Y])
    if found is None:  # pragma: no cover - excluded by the groups test (docs/deep.md)
        return None
    v, theta, S = found
    space, k = params.space, params.depth
    entries = {space.weight_index(1, 1, q + 1): t for q, t in enumerate(v)}
    entries[space.bias_index(1, 1)] = -theta
    for n in range(2, k):
        entries[space.weight_index(n, 1, 1)] = 1
    entries[space.weight_index(k, out + 1, 1)] = 1 if S > 0 else -1
    u = space.unit_vector(entries)
    which = "" if dataset.k == 1 else f" in output {out + 1}"
    lines = (*head, f"Some group of equal inputs has a mean other than ybar{which}, and the "
             f"ramp phi(x) = relu(v . x - ({theta})) with v = ({', '.join(map(str, v))}) has "
             f"S = sum_i (y_i - ybar) phi(x_i) = {S} != 0{which}. The path move W_1[1,:] = eps "
             f"v, b_1[1] = -eps theta, W_n[1,1] = eps (1 < n < k), W_k[{out + 1},1] = "
             f"{'' if S > 0 else '-'}eps changes every output{which} by "
             f"{'+' if S > 0 else '-'}eps^{k} phi(x_i), so "
             f"L(eps) = L - 2 |S| eps^{k} + O(eps^{2 * k}) < L for small eps > 0.")
    return FamilyDecision("all-zero", False, f"all-zero network: the path move through unit 1 "
                          f"of every layer lowers the loss at order {k}", lines, direction=u)


def zero_layer_decision(params: DeepReLU, dataset: Dataset) -> FamilyDecision | None:
    """The zero-layer family (module docstring); None when not in it or not decided here."""
    zero = [n for n in range(params.depth - 1) if _zero_layer(params, n)]
    if not zero:
        return None
    n = zero[-1]  # the last zero layer: its tail is the shortest
    mean = dataset.target_mean
    outs = params.outputs(dataset)
    if set(outs) != {mean}:
        return None  # not constant = mean: the output-bias rule decides
    head = (f"Hidden layer {n + 1} is zero (W = 0, b = 0), so h_{n + 1} = 0 on every input and "
            f"f = ybar = {show(mean)} on the data.",)
    groups = _groups_have_mean(dataset, mean)
    if groups is not None:
        d = _global_minimum("zero layer", n + 1, params, dataset, mean, groups)
        return FamilyDecision(d.family, True, d.reason, head + d.proof_lines, proof=d.proof)
    space = params.space
    if n == 0:
        feats = [tuple(x) for x in dataset.X]
    else:
        feats = [tuple(row) for row in params.hidden_activations(dataset)[n - 1]]
    if dataset.k > 1:
        return _zero_layer_vector(params, dataset, n, feats, head)
    weights = [y - mean for y in dataset.y]
    for j in range(len(params.weights[n])):
        bump = space.unit_vector({space.bias_index(n + 1, j + 1): 1})
        germ = output_germs(params, Dataset([dataset.X[0]], [0]), bump)[0][0]
        D = germ[1] if len(germ) > 1 else Fraction(0)
        if D == 0:
            continue
        found = ramp_feature(feats, weights, want=1 if D > 0 else -1)
        if found is None:
            continue
        v, theta, S = found
        lines = (*head, f"The tail (layers {n + 2}..k) has one-sided derivative D = {D} along "
                 f"h_{n + 1}[{j + 1}] at 0, so with h_{n + 1}[{j + 1}] = eps phi(x_i) and phi = "
                 f"relu(v . a - ({theta})) of the layer-{n} features a, v = "
                 f"({', '.join(map(str, v))}), every output moves by eps D phi(x_i) + O(eps^2). "
                 f"S = sum_i (y_i - ybar) phi(x_i) = {S} has the sign of D, so "
                 f"L(eps) = L - 2 D S eps + O(eps^2) < L for small eps > 0.")
        return _ramp_decision(space, n, j, v, theta, lines)
    return None


def _ramp_decision(space: Any, n: int, j: int, v: Any, theta: Fraction,
                   lines: tuple[str, ...]) -> FamilyDecision:
    """The zero-layer verdict: the ramp relu(v . a - theta) fed into unit j of hidden layer
    n + 1 (one output or k) descends, along the flat direction of its weights and bias."""
    entries = {space.weight_index(n + 1, j + 1, q + 1): t for q, t in enumerate(v)}
    entries[space.bias_index(n + 1, j + 1)] = -theta
    return FamilyDecision("zero layer", False, f"hidden layer {n + 1} is zero: a ramp fed "
                          f"into its unit {j + 1} lowers the loss at first order", lines,
                          direction=space.unit_vector(entries))


def _zero_layer_vector(params: DeepReLU, dataset: Dataset, n: int, feats: list[Any],
                       head: tuple[str, ...]) -> FamilyDecision | None:
    """The zero-layer descent with k outputs: the tail's one-sided derivative D_j along
    h_n[j] is a k-vector, every output moves by eps D_j phi(x_i) + O(eps^2), and
    L(eps) = L - 2 eps sum_i phi(x_i) D_j . (y_i - ybar) + O(eps^2): a ramp with
    S = sum_i phi(x_i) w_i > 0, w_i = D_j . (y_i - ybar), descends."""
    space, mean = params.space, row(dataset.target_mean)
    blank = Dataset([dataset.X[0]], [[0] * dataset.k])
    for j in range(len(params.weights[n])):
        bump = space.unit_vector({space.bias_index(n + 1, j + 1): 1})
        germs = output_germ_rows(params, blank, bump)[0][0]
        D = tuple(g[1] if len(g) > 1 else Fraction(0) for g in germs)
        if not any(D):
            continue
        weights = [sum((d * (y - m) for d, y, m in zip(D, yr, mean, strict=True)), Fraction(0))
                   for yr in dataset.Y]
        found = ramp_feature(feats, weights, want=1)
        if found is None:
            continue
        v, theta, S = found
        lines = (*head, f"The tail (layers {n + 2}..k) has one-sided derivative D = {show(D)} "
                 f"along h_{n + 1}[{j + 1}] at 0, so with h_{n + 1}[{j + 1}] = eps phi(x_i) and "
                 f"phi = relu(v . a - ({theta})) of the layer-{n} features a, v = "
                 f"({', '.join(map(str, v))}), every output moves by eps D phi(x_i) + O(eps^2). "
                 f"S = sum_i phi(x_i) D . (y_i - ybar) = {S} > 0, so "
                 "L(eps) = L - 2 S eps + O(eps^2) < L for small eps > 0.")
        return _ramp_decision(space, n, j, v, theta, lines)
    return None


def decide_family(params: DeepReLU, dataset: Dataset) -> FamilyDecision | None:
    """The first family that decides params (all-zero, zero layer, affine tail), else None.

    The families are proved for the ReLU (a unit that is off outputs 0): with another
    ``negative_slope`` none of them applies (docs/activations.md)."""
    if params.negative_slope != 0:
        return None
    found = all_zero_decision(params, dataset) or zero_layer_decision(params, dataset)
    if found is not None or params.outputs_count > 1:  # the tail families: one output only
        return found
    return affine_tail_decision(params, dataset) or monotone_tail_decision(params, dataset)
