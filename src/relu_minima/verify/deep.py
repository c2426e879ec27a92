"""Exact local-minimum certificates for deep ReLU networks (Lemma 2, Corollary 1, Theorem 1).

``verify_deep_local_minimum(params, dataset)`` decides, in exact rational arithmetic, whether a
:class:`~relu_minima.deep.DeepReLU` point is a local minimum of Equation (2), and says
"undecided" (with the reason) when its exact reasoning does not settle the point. The rules,
in the order they are tried (proofs in docs/deep.md):

1. **Output bias** (first order). Moving b_k by t shifts every output by t, so
   L(b_k + t) = L + 2 t sum_i r_i + N t^2. If sum_i r_i != 0 the point is not a minimum.
2. **Class-mean bound** (covers every blind spot). Join two data points when they have the
   same input, or when some hidden layer has every unit strictly negative at both (then both
   see h_n = 0, and share one output on a whole neighbourhood, because strict inequalities
   persist). On that neighbourhood L >= B = sum over classes of the within-class squared
   deviation. If L = B the point is a local minimum. At a strict blind spot (a hidden layer
   inactive on every point) there is one class, so the point is a local minimum iff its
   constant output equals the mean of the targets (the corrected Theorem 1 (i)).
3. **Depth 2**: the complete one-hidden-layer criterion of :mod:`relu_minima.certificates`.
4. **Descent directions** (first and second order). Along a ray theta + eps u the outputs
   are, for small eps > 0, polynomials in eps (a ReLU of a polynomial germ is the germ or 0,
   by the sign of its lowest coefficient), so the loss is a polynomial P(eps) there. If the
   lowest nonzero coefficient of P - L is negative, the point is not a minimum. Directions
   tried: every coordinate (both signs; at a point where L is differentiable this finds any
   nonzero gradient), for units with a zero pre-activation, revivals of the unit (bias
   up, together with each outgoing weight, both signs: the second-order "saddle" moves),
   then every sign vector on 2, 3 or 4 coordinates (moves along a path of weights, whose
   product changes the outputs only at order 3 or 4), up to ``max_directions`` in all.
5. Otherwise: undecided, with the reason.

Lemma 2 / Corollary 1 are certified by :func:`blind_spot_gradient_vanishes`: at a strict
blind spot in layer n the loss does not depend on layers 1..n on a neighbourhood.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..errors import ShapeError
from ..exact.datasets import Dataset
from ..exact.deep import DeepReLU
from ..exact.numbers import exact

__all__ = [
    "BlindSpot",
    "DeepCertificate",
    "blind_spot_gradient_vanishes",
    "find_blind_spot",
    "loss_germ",
    "verify_deep_local_minimum",
]

Poly = tuple[Fraction, ...]  # coefficients of eps^0, eps^1, ...
_ZERO: Poly = ()


# -- polynomial germs at eps -> 0+ -------------------------------------------------------------
def _trim(p: Sequence[Fraction]) -> Poly:
    p = list(p)
    while p and p[-1] == 0:
        p.pop()
    return tuple(p)


def _add(p: Poly, q: Poly) -> Poly:
    n = max(len(p), len(q))
    return _trim([(p[i] if i < len(p) else 0) + (q[i] if i < len(q) else 0) for i in range(n)])


def _mul(p: Poly, q: Poly) -> Poly:
    if not p or not q:
        return _ZERO
    out = [Fraction(0)] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        if a:
            for j, b in enumerate(q):
                out[i + j] += a * b
    return _trim(out)


def _germ_sign(p: Poly) -> int:
    """Sign of p(eps) for all small eps > 0."""
    for c in p:
        if c:
            return 1 if c > 0 else -1
    return 0


def _relu_germ(p: Poly) -> Poly:
    return p if _germ_sign(p) > 0 else _ZERO


def _output_germs(params: DeepReLU, dataset: Dataset, direction: Sequence[Fraction]) -> list[Poly]:
    """f(x_i) along theta + eps * direction, as polynomials valid for small eps > 0."""
    moved = _layers(params, direction)
    outs = []
    for x in dataset.X:
        h: list[Poly] = [_trim([t]) for t in x]
        for n, (M, b) in enumerate(moved):
            z = []
            for row, bj in zip(M, b, strict=True):
                acc = bj
                for w, t in zip(row, h, strict=True):
                    acc = _add(acc, _mul(w, t))
                z.append(acc)
            h = z if n == len(moved) - 1 else [_relu_germ(t) for t in z]
        outs.append(h[0])
    return outs


def _layers(params: DeepReLU, direction: Sequence[Fraction]):
    pos = 0
    out = []
    for M, b in zip(params.weights, params.biases, strict=True):
        rows = []
        for row in M:
            rows.append([_trim([w, direction[pos + q]]) for q, w in enumerate(row)])
            pos += len(row)
        bias = [_trim([t, direction[pos + j]]) for j, t in enumerate(b)]
        pos += len(b)
        out.append((rows, bias))
    return out


def loss_germ(params: DeepReLU, dataset: Dataset, direction: Sequence[Any]) -> Poly:
    """The loss along theta + eps * direction as a polynomial in eps, valid for small eps > 0.

    Its constant term is L(theta); its eps-coefficient is the one-sided directional derivative.
    """
    u = tuple(exact(t, f"direction[{p}]") for p, t in enumerate(direction))
    if len(u) != params.n_params:
        raise ShapeError(f"direction has {len(u)} entries but params has {params.n_params}.")
    params._check_dims(dataset)
    total: Poly = _ZERO
    for f, y in zip(_output_germs(params, dataset, u), dataset.y, strict=True):
        r = _add(f, (-y,))
        total = _add(total, _mul(r, r))
    return total


# -- blind spots -----------------------------------------------------------------------------
@dataclass(frozen=True)
class BlindSpot:
    """Hidden layer ``layer`` (paper's index n, 1-based; weights[n-1]) inactive on all data.

    ``strict``: every pre-activation of the layer is < 0 at every data point; otherwise all are
    <= 0 and ``zeros`` lists the (point, unit) pairs (0-based) where one is exactly 0.
    """

    layer: int
    strict: bool
    zeros: tuple[tuple[int, int], ...]


def find_blind_spot(params: DeepReLU, dataset: Dataset) -> BlindSpot | None:
    """The first strictly inactive hidden layer, else the first non-strict one, else None."""
    pre = params.preactivations(dataset)[:-1]
    weak = None
    for n, z in enumerate(pre, start=1):
        if all(t < 0 for row in z for t in row):
            return BlindSpot(n, True, ())
        if weak is None and all(t <= 0 for row in z for t in row):
            zeros = tuple((i, j) for i, row in enumerate(z) for j, t in enumerate(row) if t == 0)
            weak = BlindSpot(n, False, zeros)
    return weak


def blind_spot_gradient_vanishes(params: DeepReLU, dataset: Dataset) -> bool:
    """Lemma 2 / Corollary 1, exactly: at a strict blind spot in layer n, the directional
    derivative of L along every coordinate of layers 1..n is 0 (in fact L is locally
    constant in them), so gradient-based training never moves those layers.

    Returns False when there is no strict blind spot.
    """
    spot = find_blind_spot(params, dataset)
    if spot is None or not spot.strict:
        return False
    count = sum(len(M) * len(M[0]) + len(M) for M in params.weights[: spot.layer])
    base = params.loss(dataset)
    for p in range(count):
        for s in (1, -1):
            u = [Fraction(0)] * params.n_params
            u[p] = Fraction(s)
            if loss_germ(params, dataset, u) != _trim([base]):
                return False
    return True


# -- the certificate -------------------------------------------------------------------------
@dataclass(frozen=True)
class DeepCertificate:
    """The exact verdict on one deep parameter point, with its proof.

    ``is_local_minimum``: True / False (proven) or None (undecided, see ``reason``).
    ``case`` names the rule that decided: "blind spot", "output bias", "class-mean bound",
    "depth-2 criterion", "descent direction" or "undecided".
    """

    params: DeepReLU
    dataset: Dataset
    is_local_minimum: bool | None
    loss: Fraction
    case: str
    reason: str
    proof: tuple[str, ...]
    blind_spot: BlindSpot | None = None
    constant_output: Fraction | None = None  # the blind spot's output on every data point
    target_mean: Fraction = Fraction(0)
    lower_bound: Fraction | None = None  # the class-mean bound B (rule 2)
    direction: tuple[Fraction, ...] | None = None  # descent direction (flat parameters)
    germ: Poly | None = None  # loss polynomial along ``direction``
    shallow: Any = field(default=None, repr=False)  # LocalMinimumCertificate (depth 2)

    @property
    def status(self) -> str:
        return {True: "local minimum", False: "not a local minimum", None: "undecided"}[
            self.is_local_minimum
        ]

    def witness(self, radius: Any = Fraction(1, 1000)) -> DeepReLU | None:
        """A point within max-norm ``radius`` with strictly lower exact loss, or None."""
        rad = exact(radius, "radius")
        if rad <= 0:
            raise ValueError(f"radius={rad} must be positive.")
        if self.is_local_minimum is not False:
            return None
        if self.shallow is not None and self.direction is None:
            w = self.shallow.witness(rad)
            return None if w is None else DeepReLU.from_shallow(w)
        assert self.direction is not None
        top = max(abs(t) for t in self.direction)
        step = rad / top
        if self.case in ("output bias", "blind spot"):
            # L(b_k + t) = L + 2 t S + N t^2 decreases on the whole segment to the optimum
            mean_r = self.germ[1] / (2 * self.dataset.n) if len(self.germ) > 1 else Fraction(0)
            step = min(step, abs(mean_r) / top)
        base = self.params.parameters()
        for _ in range(2000):
            cand = self.params.with_parameters(
                [a + step * u for a, u in zip(base, self.direction, strict=True)])
            if cand.loss(self.dataset) < self.loss:
                assert cand.distance(self.params) <= rad
                return cand
            step /= 2
        raise AssertionError("no decrease along a proven descent direction; please report")

    def check(self) -> None:
        """Re-verify the certificate from the raw params and dataset (AssertionError if wrong)."""
        p, D = self.params, self.dataset
        assert self.loss == p.loss(D), "loss differs"
        assert self.target_mean == sum(D.y, Fraction(0)) / D.n
        assert self.reason
        if self.is_local_minimum is True:
            assert self.lower_bound is not None or self.shallow is not None or p.depth == 1
            if p.depth == 1 and self.lower_bound is None:
                for q in range(p.n_params):
                    g = loss_germ(p, D, _unit_vector(p.n_params, {q: 1}))
                    assert len(g) < 2 or g[1] == 0, "gradient does not vanish"
            elif self.lower_bound is not None:
                assert _class_bound(p, D) == self.lower_bound == self.loss, "bound not attained"
            else:
                self.shallow.check()
                assert self.shallow.is_local_minimum is True
            assert self.witness() is None
        elif self.is_local_minimum is False:
            if self.direction is not None:
                g = loss_germ(p, D, self.direction)
                assert g == self.germ and _germ_sign(_add(g, (-self.loss,))) < 0
            else:
                self.shallow.check()
                assert self.shallow.is_local_minimum is False
            for rad in (Fraction(1), Fraction(1, 1000)):
                w = self.witness(rad)
                assert w is not None and w.distance(p) <= rad and w.loss(D) < self.loss
        else:
            assert self.witness() is None
        if self.blind_spot is not None and self.blind_spot.strict:
            assert find_blind_spot(p, D) == self.blind_spot
            assert set(p.outputs(D)) == {self.constant_output}

    def __str__(self) -> str:
        p = self.params
        lines = [
            "Exact local-minimum certificate for a deep ReLU network (rational arithmetic)",
            "=" * 76,
            f"Widths (d, h_1, ..., h_(k-1), 1) = {p.widths}, depth k = {p.depth}; "
            f"N = {self.dataset.n} data point(s).",
            f"Loss L = sum_i (M(x_i) - y_i)^2 = {self.loss}; mean of targets = {self.target_mean}.",
            f"Verdict: {self.status.upper()}"
            + ("." if self.case == self.status else f" ({self.case})."),
            "",
            *self.proof,
        ]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """JSON form with exact numbers as strings."""
        def s(v: Any) -> Any:
            return None if v is None else str(v)

        return {
            "params": self.params.to_json(),
            "dataset": self.dataset.to_json(),
            "is_local_minimum": self.is_local_minimum,
            "status": self.status,
            "case": self.case,
            "loss": str(self.loss),
            "reason": self.reason,
            "proof": list(self.proof),
            "blind_spot": None if self.blind_spot is None else {
                "layer": self.blind_spot.layer, "strict": self.blind_spot.strict,
                "zeros": [list(z) for z in self.blind_spot.zeros]},
            "constant_output": s(self.constant_output),
            "target_mean": str(self.target_mean),
            "lower_bound": s(self.lower_bound),
            "direction": None if self.direction is None else [str(t) for t in self.direction],
            "germ": None if self.germ is None else [str(t) for t in self.germ],
            "witness": None if self.is_local_minimum is not False else
            self.witness().to_json(),
        }


# -- the decision procedure --------------------------------------------------------------------
def _classes(params: DeepReLU, dataset: Dataset) -> list[list[int]]:
    """Points that share one output on a whole neighbourhood of params (rule 2)."""
    parent = list(range(dataset.n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    for ix in dataset.groups().values():
        for i in ix[1:]:
            join(ix[0], i)
    for z in params.preactivations(dataset)[:-1]:
        dead = [i for i, row in enumerate(z) if all(t < 0 for t in row)]
        for i in dead[1:]:
            join(dead[0], i)
    out: dict[int, list[int]] = {}
    for i in range(dataset.n):
        out.setdefault(find(i), []).append(i)
    return list(out.values())


def _class_bound(params: DeepReLU, dataset: Dataset) -> Fraction:
    total = Fraction(0)
    for cls in _classes(params, dataset):
        ys = [dataset.y[i] for i in cls]
        m = sum(ys, Fraction(0)) / len(ys)
        total += sum(((t - m) ** 2 for t in ys), Fraction(0))
    return total


def _unit_vector(size: int, entries: dict[int, int]) -> tuple[Fraction, ...]:
    u = [Fraction(0)] * size
    for p, s in entries.items():
        u[p] = Fraction(s)
    return tuple(u)


def _candidate_directions(params: DeepReLU, dataset: Dataset):
    """Coordinates (+-), then unit revivals (bias +1 with one outgoing weight +-1), then every
    sign vector on 2, 3, 4 coordinates (the caller's budget cuts this last family)."""
    seen: set[tuple[Fraction, ...]] = set()
    for u, label in _structured_directions(params, dataset):
        seen.add(u)
        yield u, label
    size = params.n_params
    names = _parameter_names(params)
    if params.depth == 1:
        return  # convex: the coordinates decide (and the caller's proof relies on that)
    for k in range(2, min(4, size) + 1):
        # products of k parameters along a path (e.g. output weight x hidden weight x input
        # weight, with the output bias cancelling the constant part) first change the
        # outputs at order k: a coordinate or a revival cannot see them
        for support in itertools.combinations(range(size), k):
            for signs in itertools.product((1, -1), repeat=k):
                u = _unit_vector(size, dict(zip(support, signs, strict=True)))
                if u not in seen:
                    yield u, ", ".join(f"{names[q]} {'up' if t > 0 else 'down'}"
                                       for q, t in zip(support, signs, strict=True))


def _parameter_names(params: DeepReLU) -> list[str]:
    """Names of the flat coordinates, 1-based as in the proof text: W_n[j,k] (weight from
    unit k of layer n-1 into unit j of layer n), then b_n[j]."""
    names = []
    for n, M in enumerate(params.weights, start=1):
        names += [f"W_{n}[{j},{k}]" for j in range(1, len(M) + 1)
                  for k in range(1, len(M[0]) + 1)]
        names += [f"b_{n}[{j}]" for j in range(1, len(M) + 1)]
    return names


def _structured_directions(params: DeepReLU, dataset: Dataset):
    size = params.n_params
    names = _parameter_names(params)
    for p in range(size):
        yield _unit_vector(size, {p: 1}), f"{names[p]} increasing"
        yield _unit_vector(size, {p: -1}), f"{names[p]} decreasing"
    pre = params.preactivations(dataset)
    offsets = []
    pos = 0
    for M in params.weights:
        offsets.append(pos)
        pos += len(M) * len(M[0]) + len(M)
    for n in range(params.depth - 1):
        M = params.weights[n]
        bias0 = offsets[n] + len(M) * len(M[0])
        nxt = params.weights[n + 1]
        for j in range(len(M)):
            if not any(row[j] == 0 for row in pre[n]):
                continue
            for q in range(len(nxt)):
                out_pos = offsets[n + 1] + q * len(nxt[0]) + j
                for s in (1, -1):
                    yield (_unit_vector(size, {bias0 + j: 1, out_pos: s}),
                           f"revive unit {j + 1} of layer {n + 1} (bias up) with its weight "
                           f"into unit {q + 1} of layer {n + 2} {'up' if s > 0 else 'down'}")


def _describe_params(p: DeepReLU) -> list[str]:
    out = []
    for n, (M, b) in enumerate(zip(p.weights, p.biases, strict=True), start=1):
        rows = "; ".join("(" + ", ".join(str(t) for t in r) + ")" for r in M)
        out.append(f"  W_{n} = [{rows}], b_{n} = ({', '.join(str(t) for t in b)})")
    return out


def verify_deep_local_minimum(params: DeepReLU, dataset: Dataset,
                              *, max_directions: int = 4000) -> DeepCertificate:
    """Decide exactly whether ``params`` is a local minimum of Equation (2) on ``dataset``.

    Never returns True or False without an exact proof; see the module docstring for the
    rules and docs/deep.md for their proofs.

    >>> from relu_minima import Dataset
    >>> D = Dataset([0, 1], [0, 2])
    >>> dead = DeepReLU([[[1]], [[1]]], [[-5], [1]])     # layer 1 dead, output 1 = mean
    >>> verify_deep_local_minimum(dead, D).is_local_minimum
    True
    >>> verify_deep_local_minimum(dead.replace_layer(1, b=[0]), D).status
    'not a local minimum'
    """
    if not isinstance(params, DeepReLU):
        raise ShapeError(f"params of type {type(params).__name__} must be a DeepReLU.")
    if not isinstance(dataset, Dataset):
        raise ShapeError(f"dataset={dataset!r} must be a relu_minima.Dataset.")
    params._check_dims(dataset)
    N = dataset.n
    outputs = params.outputs(dataset)
    residuals = [f - y for f, y in zip(outputs, dataset.y, strict=True)]
    loss = sum((r * r for r in residuals), Fraction(0))
    ybar = sum(dataset.y, Fraction(0)) / N
    S = sum(residuals, Fraction(0))
    spot = find_blind_spot(params, dataset)
    head = [*_describe_params(params), ""]
    common = {"params": params, "dataset": dataset, "loss": loss, "target_mean": ybar,
              "blind_spot": spot}
    bk = params.n_params - 1  # flat position of the output bias b_k
    bias_dir = _unit_vector(params.n_params, {bk: -1 if S > 0 else 1})

    if spot is not None and spot.strict:
        c = outputs[0]
        n = spot.layer
        proof = [
            *head,
            f"Blind spot: every unit of hidden layer n = {n} has a strictly negative "
            "pre-activation at every data point (checked exactly). Strict inequalities persist "
            "on a neighbourhood U of theta, so on U h_n(x_i) = 0 for all i and the output "
            "M(x_i) equals one number C(theta') (a function of layers n+1..k only) for all i.",
            f"At theta, C = {c}. On U, L(theta') = sum_i (C(theta') - y_i)^2 "
            f"= N (C - ybar)^2 + sum_i (y_i - ybar)^2 with ybar = {ybar}.",
        ]
        if c == ybar:
            bound = _class_bound(params, dataset)
            proof.append(f"Since C = ybar, L(theta) = sum_i (y_i - ybar)^2 = {loss} <= L(theta') "
                         "on U: theta is a local minimum (not strict: all of U with C = ybar "
                         "has the same loss).")
            return DeepCertificate(is_local_minimum=True, case="blind spot",
                                   reason=f"strict blind spot in hidden layer {n}, and its "
                                   f"constant output {c} equals the mean of the targets",
                                   proof=tuple(proof), constant_output=c, lower_bound=bound,
                                   **common)
        germ = loss_germ(params, dataset, bias_dir)
        proof.append(f"Since C != ybar, moving the output bias b_k by t (layers 1..k-1 "
                     f"untouched, so layer n stays dead) gives L = {loss} + ({2 * S}) t + {N} t^2, "
                     f"strictly lower for t between 0 and {-2 * S / N} (exclusive): "
                     "theta is NOT a local minimum, although Theorem 1 (i) as printed says it is.")
        return DeepCertificate(is_local_minimum=False, case="blind spot",
                               reason=f"strict blind spot in hidden layer {n}, but its constant "
                               f"output {c} differs from the mean {ybar} of the targets: the "
                               "output bias decreases the loss", proof=tuple(proof),
                               constant_output=c, direction=bias_dir, germ=germ, **common)

    if S != 0:
        germ = loss_germ(params, dataset, bias_dir)
        proof = [*head, f"sum_i r_i = {S} != 0. Moving the output bias b_k by t shifts every "
                 f"output by t, so L(t) = {loss} + ({2 * S}) t + {N} t^2 < L for t strictly "
                 f"between 0 and {-2 * S / N}: not a local minimum."]
        return DeepCertificate(is_local_minimum=False, case="output bias",
                               reason=f"the output bias is not optimal (sum of residuals {S})",
                               proof=tuple(proof), direction=bias_dir, germ=germ, **common)

    bound = _class_bound(params, dataset)
    if bound == loss:
        classes = _classes(params, dataset)
        proof = [*head, "Class-mean bound: points with equal inputs, and points at which some "
                 "hidden layer is strictly negative in every unit, share one output on a "
                 "neighbourhood U of theta (strict inequalities persist). Classes (1-based): "
                 + "; ".join("{" + ", ".join(str(i + 1) for i in c) + "}" for c in classes) + ".",
                 "On U, L >= sum over classes of sum_(i in class) (y_i - class mean)^2 "
                 f"= {bound} = L(theta): theta is a local minimum."]
        reason = "the loss equals the class-mean lower bound valid on a neighbourhood"
        if spot is not None:
            reason += (f" (non-strict blind spot in hidden layer {spot.layer}: points with a zero "
                       "pre-activation are fitted exactly)")
        return DeepCertificate(is_local_minimum=True, case="class-mean bound", reason=reason,
                               proof=tuple(proof), lower_bound=bound, **common)

    if params.depth == 2:
        from .shallow import verify_local_minimum

        shallow = verify_local_minimum(params.to_shallow(), dataset)
        proof = [*head, "Depth 2: this is the one-hidden-layer network of Equation (1); the "
                 "complete criterion of relu_minima.certificates decides it:", "",
                 *str(shallow).splitlines()]
        return DeepCertificate(is_local_minimum=shallow.is_local_minimum,
                               case="depth-2 criterion", reason=shallow.reason,
                               proof=tuple(proof), shallow=shallow, **common)

    tried = 0
    base = _trim([loss])
    for u, label in _candidate_directions(params, dataset):
        if tried >= max_directions:
            break
        tried += 1
        germ = loss_germ(params, dataset, u)
        diff = _add(germ, tuple(-t for t in base))
        if _germ_sign(diff) < 0:
            order = next(i for i, t in enumerate(diff) if t)
            proof = [*head, f"Along theta + eps u with u = {label}, the outputs are polynomials "
                     "in eps for small eps > 0 (each ReLU keeps the sign of its argument's "
                     "lowest nonzero coefficient), so the loss is the polynomial "
                     + " + ".join(f"({t}) eps^{i}" for i, t in enumerate(germ) if t)
                     + f". Its lowest-order change is ({diff[order]}) eps^{order} < 0: "
                     "not a local minimum."]
            return DeepCertificate(is_local_minimum=False, case="descent direction",
                                   reason=f"the loss decreases at order {order} along {label}",
                                   proof=tuple(proof), direction=u, germ=germ, **common)
    if params.depth == 1 and tried == 2 * params.n_params:
        proof = [*head, "Depth 1: M(x) = W_1 x + b_1 is linear in the parameters, so L is a "
                 "convex quadratic; every coordinate directional derivative is 0 (checked "
                 "exactly), so the gradient vanishes and theta is a global minimum."]
        return DeepCertificate(is_local_minimum=True, case="convex (depth 1)",
                               reason="depth 1: convex loss with zero gradient",
                               proof=tuple(proof), **common)
    why = (f"sum of residuals is 0, the loss {loss} exceeds the class-mean bound {bound}, and "
           f"none of the {tried} exact directions tried (coordinates, unit revivals and "
           "sign vectors on up to 4 coordinates, in that order) "
           "decreases the loss at any order; deciding needs higher-order or multi-direction "
           "reasoning that this library does not attempt for depth >= 3")
    if spot is not None:
        why = (f"non-strict blind spot in hidden layer {spot.layer} (zero pre-activations at "
               f"(point, unit) {[(i + 1, j + 1) for i, j in spot.zeros][:10]}); " + why)
    return DeepCertificate(is_local_minimum=None, case="undecided", reason=why,
                           proof=(*head, "Undecided: " + why + "."), lower_bound=bound,
                           **common)
