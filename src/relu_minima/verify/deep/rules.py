"""Exact local-minimum certificates for deep ReLU networks (Lemma 2, Corollary 1, Theorem 1).

``verify_deep_local_minimum(params, dataset)`` decides, in exact rational arithmetic, whether a
:class:`~relu_minima.exact.deep_relu.DeepReLU` point is a local minimum of Equation (2), and says
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
3. **Depth 2**: the complete one-hidden-layer criterion of
   :mod:`relu_minima.verify.shallow.criterion`.
4. **Families** (depth >= 3, :mod:`relu_minima.verify.deep.families`; tried right after
   rule 1, so that their minima carry the family's own proof): all-zero networks
   (any depth and widths, any output bias), networks with one zero hidden layer, and a
   hidden layer switched off on the data with an affine or monotone tail are decided by a
   construction;
   "local minimum" verdicts carry a ``FamilyProof`` that ``check()`` re-verifies.
5. **Descent moves** (:mod:`relu_minima.verify.deep.moves`). Along a ray theta + eps u the
   outputs are, for small eps > 0, polynomials in eps, so the loss is a polynomial P(eps);
   if the lowest nonzero coefficient of P - L is negative the point is not a minimum.
   Tried in order, stopping at the first proven descent: coordinates, unit revivals, path
   moves (every weight on one path to the output: order up to k), kink sign vectors, random
   kink moves, sign vectors on 2-4 coordinates, up to ``max_directions`` moves or
   ``time_limit`` seconds (a progress bar shows after a second).
6. Otherwise: undecided, with the reason: what was tried, which budget ran out, which
   option to raise.

Lemma 2 / Corollary 1 are certified by :func:`blind_spot_gradient_vanishes`: at a strict
blind spot in layer n the loss does not depend on layers 1..n on a neighbourhood.
"""

from __future__ import annotations

from fractions import Fraction

from ...errors import ShapeError
from ...exact.datasets import Dataset
from ...exact.deep_relu import DeepReLU
from ...exact.germs import loss_germ
from ...exact.params import ParameterSpace
from ..certificate import Verdict
from ..shallow.criterion import verify_shallow
from .blind_spots import BlindSpot, blind_spot_gradient_vanishes, find_blind_spot
from .blind_spots import class_bound as _class_bound
from .blind_spots import output_classes as _classes
from .deep_certificate import DeepCertificate
from .families import decide_family
from .moves import SearchResult, check_budget, search_descent

__all__ = [
    "BlindSpot",
    "DeepCertificate",
    "blind_spot_gradient_vanishes",
    "find_blind_spot",
    "loss_germ",
    "verify_deep_local_minimum",
]


# -- the decision procedure --------------------------------------------------------------------
def _describe_params(p: DeepReLU) -> list[str]:
    out = []
    for n, (M, b) in enumerate(zip(p.weights, p.biases, strict=True), start=1):
        rows = "; ".join("(" + ", ".join(str(t) for t in r) + ")" for r in M)
        out.append(f"  W_{n} = [{rows}], b_{n} = ({', '.join(str(t) for t in b)})")
    return out


def verify_deep_local_minimum(params: DeepReLU, dataset: Dataset, *, max_directions: int = 4000,
                              time_limit: float | None = None) -> DeepCertificate:
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
    params.space.require_full()  # these rules move every coordinate (issue 18)
    check_budget(max_directions, "max_directions", integer=True)
    check_budget(time_limit, "time_limit", integer=False)
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
    space = ParameterSpace(params.widths)
    bias_dir = space.unit_vector({space.bias_index(params.depth, 1): -1 if S > 0 else 1})

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
            return DeepCertificate(verdict=Verdict.MINIMUM, case="blind spot",
                                   reason=f"strict blind spot in hidden layer {n}, and its "
                                   f"constant output {c} equals the mean of the targets",
                                   proof=tuple(proof), constant_output=c, lower_bound=bound,
                                   **common)
        germ = loss_germ(params, dataset, bias_dir)
        proof.append(f"Since C != ybar, moving the output bias b_k by t (layers 1..k-1 "
                     f"untouched, so layer n stays dead) gives L = {loss} + ({2 * S}) t + {N} t^2, "
                     f"strictly lower for t between 0 and {-2 * S / N} (exclusive): "
                     "theta is NOT a local minimum, although Theorem 1 (i) as printed says it is.")
        return DeepCertificate(verdict=Verdict.NOT_MINIMUM, case="blind spot",
                               reason=f"strict blind spot in hidden layer {n}, but its constant "
                               f"output {c} differs from the mean {ybar} of the targets: the "
                               "output bias decreases the loss", proof=tuple(proof),
                               constant_output=c, direction=bias_dir, germ=germ, **common)

    if S != 0:
        germ = loss_germ(params, dataset, bias_dir)
        proof = [*head, f"sum_i r_i = {S} != 0. Moving the output bias b_k by t shifts every "
                 f"output by t, so L(t) = {loss} + ({2 * S}) t + {N} t^2 < L for t strictly "
                 f"between 0 and {-2 * S / N}: not a local minimum."]
        return DeepCertificate(verdict=Verdict.NOT_MINIMUM, case="output bias",
                               reason=f"the output bias is not optimal (sum of residuals {S})",
                               proof=tuple(proof), direction=bias_dir, germ=germ, **common)

    family = decide_family(params, dataset) if params.depth >= 3 else None
    if family is not None:
        if family.minimum:
            return DeepCertificate(verdict=Verdict.MINIMUM, case=f"family: {family.family}",
                                   reason=family.reason, proof=(*head, *family.proof_lines),
                                   family=family.proof, **common)
        germ = loss_germ(params, dataset, family.direction)
        return DeepCertificate(verdict=Verdict.NOT_MINIMUM, case=f"family: {family.family}",
                               reason=family.reason, proof=(*head, *family.proof_lines),
                               direction=family.direction, germ=germ, **common)

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
        return DeepCertificate(verdict=Verdict.MINIMUM, case="class-mean bound", reason=reason,
                               proof=tuple(proof), lower_bound=bound, **common)

    if params.depth == 2:
        shallow = verify_shallow(params.to_shallow(), dataset)
        proof = [*head, "Depth 2: this is the one-hidden-layer network of Equation (1); the "
                 "complete criterion of relu_minima.verify.shallow.criterion decides it:", "",
                 *str(shallow).splitlines()]
        # the flat layouts of a depth-2 DeepReLU and its ShallowReLU coincide (exact.params)
        return DeepCertificate(verdict=shallow.verdict, case="depth-2 criterion",
                               reason=shallow.reason, proof=tuple(proof), shallow=shallow,
                               direction=shallow.direction, **common)

    found = search_descent(params, dataset, loss, max_directions=max_directions,
                           time_limit=time_limit)
    if found.direction is not None:
        germ, order = found.germ, found.order
        proof = [*head, f"Along theta + eps u with u = {found.label}, the outputs are "
                 "polynomials in eps for small eps > 0 (each ReLU keeps the sign of its "
                 "argument's lowest nonzero coefficient), so the loss is the polynomial "
                 + " + ".join(f"({t}) eps^{i}" for i, t in enumerate(germ) if t)
                 + f". Its lowest-order change is ({germ[order]}) eps^{order} < 0: "
                 "not a local minimum."]
        return DeepCertificate(verdict=Verdict.NOT_MINIMUM, case="descent direction",
                               reason=f"the loss decreases at order {order} along {found.label}",
                               proof=tuple(proof), direction=found.direction, germ=germ,
                               **common)
    if params.depth == 1 and found.out_of is None:
        proof = [*head, "Depth 1: M(x) = W_1 x + b_1 is linear in the parameters, so L is a "
                 "convex quadratic; every coordinate directional derivative is 0 (checked "
                 "exactly), so the gradient vanishes and theta is a global minimum."]
        return DeepCertificate(verdict=Verdict.MINIMUM, case="convex (depth 1)",
                               reason="depth 1: convex loss with zero gradient",
                               proof=tuple(proof), **common)
    why = _undecided_reason(loss, bound, found, max_directions, time_limit)
    if spot is not None:
        why = (f"non-strict blind spot in hidden layer {spot.layer} (zero pre-activations at "
               f"(point, unit) {[(i + 1, j + 1) for i, j in spot.zeros][:10]}); " + why)
    return DeepCertificate(verdict=Verdict.UNDECIDED, case="undecided", reason=why,
                           proof=(*head, "Undecided: " + why + "."), lower_bound=bound,
                           **common)


def _undecided_reason(loss: Fraction, bound: Fraction, found: SearchResult,
                      max_directions: int, time_limit: float | None) -> str:
    """What was tried, which budget ran out, and which option to raise."""
    tried = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in found.counts.items())
    why = (f"sum of residuals is 0, the loss {loss} exceeds the class-mean bound {bound}, no "
           "family rule applies (all-zero, zero layer, affine or monotone tail, blind spot, "
           f"depth 2), and none of the {found.tried} exact moves tried ({tried or 'none'}; in "
           "the order coordinates, unit revivals, path moves, kink sign vectors, random kink "
           "moves, sign vectors on 2-4 coordinates) lowers the loss at any order")
    if found.out_of is not None:
        name = found.out_of.split("=")[0]
        flag = "--" + name.replace("_", "-")
        now = max_directions if name == "max_directions" else time_limit
        why += (f"; the search stopped when its budget {found.out_of} ran out: raise "
                f"{name} (e.g. verify_local_minimum(params, dataset, {name}={10 * now}), "
                f"assert_local_minimum(..., {name}=...), or {flag} on the command line) "
                "to try more moves")
    else:
        why += ("; every move was tried, so a larger budget would not help: the point needs "
                "reasoning beyond these moves (it may well be a local minimum)")
    return why
