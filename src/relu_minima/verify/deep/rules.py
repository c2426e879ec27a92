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
   option to raise. The certificate records the search and ``check()`` repeats it.

Each rule returns a :class:`~relu_minima.verify.deep.certificate.DeepCertificate` with its
evidence only: the reason and the proof are derived from it (:mod:`.proof_text`).

Lemma 2 / Corollary 1 are certified by :func:`blind_spot_gradient_vanishes`: at a strict
blind spot in layer n the loss does not depend on layers 1..n on a neighbourhood.
"""

from __future__ import annotations

from fractions import Fraction

from ...errors import ShapeError
from ...exact.datasets import Dataset, require_dataset
from ...exact.deep_relu import DeepReLU
from ...exact.germs import loss_germ
from ..certificate import Verdict
from ..shallow.criterion import verify_shallow
from .blind_spots import BlindSpot, blind_spot_gradient_vanishes, class_bound, find_blind_spot
from .certificate import DeepCertificate, SearchRecord, bias_direction
from .families import decide_family
from .moves import check_budget, search_descent

__all__ = [
    "BlindSpot",
    "DeepCertificate",
    "blind_spot_gradient_vanishes",
    "find_blind_spot",
    "loss_germ",
    "verify_deep_local_minimum",
]

# -- the decision procedure --------------------------------------------------------------------
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
    dataset = require_dataset(dataset)
    params._check_dims(dataset)
    outputs = params.outputs(dataset)
    residuals = [f - y for f, y in zip(outputs, dataset.y, strict=True)]
    loss = sum((r * r for r in residuals), Fraction(0))
    S = sum(residuals, Fraction(0))
    spot = find_blind_spot(params, dataset)
    # the proof's text is derived by the certificate from this evidence (.proof_text)
    common = {"params": params, "dataset": dataset, "loss": loss,
              "target_mean": sum(dataset.y, Fraction(0)) / dataset.n, "blind_spot": spot}
    bias_dir = bias_direction(params, S)

    if spot is not None and spot.strict:
        c = outputs[0]
        if c == common["target_mean"]:
            return DeepCertificate(verdict=Verdict.MINIMUM, case="blind spot", constant_output=c,
                                   lower_bound=class_bound(params, dataset), **common)
        return DeepCertificate(verdict=Verdict.NOT_MINIMUM, case="blind spot", constant_output=c,
                               direction=bias_dir, germ=loss_germ(params, dataset, bias_dir),
                               **common)

    if S != 0:
        return DeepCertificate(verdict=Verdict.NOT_MINIMUM, case="output bias",
                               direction=bias_dir, germ=loss_germ(params, dataset, bias_dir),
                               **common)

    family = decide_family(params, dataset) if params.depth >= 3 else None
    if family is not None:
        if family.minimum:
            return DeepCertificate(verdict=Verdict.MINIMUM, case=f"family: {family.family}",
                                   family=family.proof, **common)
        return DeepCertificate(verdict=Verdict.NOT_MINIMUM, case=f"family: {family.family}",
                               direction=family.direction,
                               germ=loss_germ(params, dataset, family.direction), **common)

    bound = class_bound(params, dataset)
    if bound == loss:
        return DeepCertificate(verdict=Verdict.MINIMUM, case="class-mean bound",
                               lower_bound=bound, **common)

    if params.depth == 2:
        shallow = verify_shallow(params.to_shallow(), dataset)
        # the flat layouts of a depth-2 DeepReLU and its ShallowReLU coincide (exact.params)
        return DeepCertificate(verdict=shallow.verdict, case="depth-2 criterion",
                               shallow=shallow, direction=shallow.direction, **common)

    found = search_descent(params, dataset, loss, max_directions=max_directions,
                           time_limit=time_limit)
    if found.direction is not None:
        return DeepCertificate(verdict=Verdict.NOT_MINIMUM, case="descent direction",
                               direction=found.direction, germ=found.germ, **common)
    if params.depth == 1 and found.out_of is None:
        return DeepCertificate(verdict=Verdict.MINIMUM, case="convex (depth 1)", **common)
    return DeepCertificate(verdict=Verdict.UNDECIDED, case="undecided", lower_bound=bound,
                           search=SearchRecord.of(found, max_directions), **common)
