"""Exact global minima of one-hidden-layer ReLU regression (Equation (1), scalar output).

``global_minimum(dataset, hidden=m)`` returns the exact infimum L* of

    L(W, b, v, c) = sum_i (sum_j v_j relu(w_j . x_i + b_j) + c - y_i)^2

over all parameters, a point attaining it (the infimum is always attained: the achievable
output vectors form a finite union of closed polyhedral cones, docs/global.md Theorem 1) and
the evidence that nothing is lower, as a :class:`GlobalMinimumCertificate`. It is the tool
that turns the paper's "better" (Propositions 1-3, Section 3.1.3) into "bad, proven": a
certified local minimum with L > L* is not global.

Exact for d = 1 (branch and bound over activation patterns, :mod:`.line`); for d >= 2
exact over the cells of the arrangement of the lifted inputs (:mod:`.arrangement`) up to a
budget, ``max_patterns`` (the one name of this budget, here and in ``snap``), beyond which
:class:`GlobalSearchTooLarge` names the size and the argument to raise.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any, ClassVar

from ...errors import CertificateError, InvalidArgument, InvalidType, require
from ...exact import linalg
from ...exact.datasets import Dataset, require_dataset, require_one_output
from ...exact.shallow_relu import ShallowReLU
from ..certificate import Certificate, Verdict, register_certificate
from .arrangement import CellProblem, GlobalSearchTooLarge
from .line import LineProblem, LineSearch, check_line_evidence, key_name, parse_key

__all__ = ["GlobalComparison", "GlobalMinimumCertificate", "GlobalSearchTooLarge",
           "compare_to_global", "gap_report", "global_minimum", "prove_bad"]

# The default cap on the work of one search (``max_patterns``): gap sets (d = 1, before any
# solving), patterns solved (d = 1), or patterns (d >= 2). An exact pattern solve costs about
# a millisecond, so the cap keeps every accepted search to minutes at worst; beyond it
# GlobalSearchTooLarge.
DEFAULT_MAX_PATTERNS = 100_000
# The cap used when a report adds "bad local minimum, proven" on its own (a second or so).
REPORT_MAX_PATTERNS = 2_000
DEFAULT_LIMIT, REPORT_LIMIT = DEFAULT_MAX_PATTERNS, REPORT_MAX_PATTERNS  # the old names


def max_patterns_argument(max_patterns: int, limit: int | None, default: int,
                          where: str) -> int:
    """``max_patterns``, or the deprecated ``limit`` (its old name, kept for one release with a
    DeprecationWarning); both at once is an error naming them."""
    if limit is None:
        return max_patterns
    warnings.warn(f"{where}(limit=...) is deprecated: the budget is called max_patterns "
                  f"(pass max_patterns={limit!r})", DeprecationWarning, stacklevel=3)
    if max_patterns != default:
        raise InvalidArgument(f"{where}: pass max_patterns={max_patterns!r} only (limit= is its "
                              "deprecated old name)")
    _positive_int(limit, "limit", "the deprecated name of max_patterns, a cap on the work, e.g. "
                  "max_patterns=100000")
    return limit


def _reduce(dataset: Dataset) -> tuple[Dataset, tuple[int, ...]]:
    """The dataset on the coordinates ``keep`` of its affine hull (an injective projection of the
    inputs), so that the lifted inputs span; ``keep`` is () when all inputs coincide."""
    x0 = dataset.X[0]
    rows = [[a - b for a, b in zip(x, x0, strict=True)] for x in dataset.X]
    if linalg.has_rank(rows, dataset.d):
        return dataset, tuple(range(dataset.d))
    _, pivots = linalg.rref(rows)
    keep = tuple(pivots)
    if len(keep) in (0, dataset.d):
        return dataset, keep
    return Dataset([[x[p] for p in keep] for x in dataset.X], dataset.y), keep


def _lift(net: ShallowReLU, keep: tuple[int, ...], d: int) -> ShallowReLU:
    """A network on the reduced coordinates as one on all d inputs (zero weight elsewhere)."""
    if len(keep) == d:
        return net
    W = []
    for row in net.W:
        full = [Fraction(0)] * d
        for p, w in zip(keep, row, strict=True):
            full[p] = w
        W.append(full)
    return ShallowReLU(W, net.b, net.v, net.c)


def _problem(dataset: Dataset, hidden: int, max_patterns: int):
    reduced, keep = _reduce(dataset)
    if not keep:
        return "single-input", None, reduced, keep
    if len(keep) == 1:
        P = LineProblem(reduced, hidden)
        n_sets = _count_gap_sets(P)
        if n_sets > max_patterns:
            raise GlobalSearchTooLarge(
                f"hidden={hidden} units on K={P.K} distinct inputs give {n_sets} gap sets to "
                f"bound, above max_patterns={max_patterns}; raise max_patterns or use fewer "
                "units/points")
        return "line", P, reduced, keep
    return "cells", CellProblem(reduced, hidden, max_patterns), reduced, keep


def _count_gap_sets(P: LineProblem) -> int:
    from math import comb

    top = min(max(P.s_N, P.s_A), P.K - 1)
    return sum(comb(P.K - 1, r) for r in range(0 if P.s_A == 0 else 1, top + 1))


def global_minimum(dataset: Dataset, hidden: int, *, prune: bool = True,
                   max_patterns: int = DEFAULT_MAX_PATTERNS,
                   limit: int | None = None) -> GlobalMinimumCertificate:
    """The exact global minimum of the squared loss of ``hidden`` ReLU units on ``dataset``.

    ``prune=False`` solves every activation pattern (the brute force the pruning is measured
    against). ``max_patterns`` caps the work: for d = 1 the gap sets (checked before any work)
    and the patterns solved (checked as the search goes; with ``prune=False`` all of them,
    checked before any work), for d >= 2 the patterns. Beyond it :class:`GlobalSearchTooLarge`
    names the size; the search never runs unbounded. ``limit`` is the deprecated old name of
    ``max_patterns``.

    >>> D1 = Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])
    >>> cert = global_minimum(D1, hidden=1)
    >>> cert.value, cert.attained, cert.check()
    (Fraction(14, 1), True, True)
    """
    dataset = require_one_output(require_dataset(dataset), "global_minimum")
    _positive_int(hidden, "hidden", "the number m of hidden units, e.g. hidden=2")
    max_patterns = max_patterns_argument(max_patterns, limit, DEFAULT_MAX_PATTERNS,
                                         "global_minimum")
    _positive_int(max_patterns, "max_patterns", "a cap on the work, e.g. max_patterns=100000")
    if not isinstance(prune, bool):
        raise InvalidType(f"prune={prune!r} must be True or False.")
    method, P, _, keep = _problem(dataset, hidden, max_patterns)
    if method == "single-input":
        mean = sum(dataset.y, Fraction(0)) / dataset.n
        point = ShallowReLU([[0] * dataset.d] * hidden, [0] * hidden, [0] * hidden, mean)
        return _certificate(dataset, hidden, point, method, 1, 0, 1, {})
    if method == "line":
        if not prune and P.count_all() > max_patterns:
            raise GlobalSearchTooLarge(
                f"prune=False would solve all {P.count_all()} activation patterns of "
                f"hidden={hidden} units on K={P.K} distinct inputs, above "
                f"max_patterns={max_patterns}; raise max_patterns or use fewer units/points")
        search = LineSearch(P, prune=prune, max_patterns=max_patterns).run()
        value, affine, types, z = search.best
        # JSON counts from 1 (docs/certificates.md): gaps, groups and columns alike
        evidence = {
            "solved": {key_name(k, 1): [_shifted(p, 1) for p in v]
                       for k, v in search.solved.items()},
            "windows": {key_name(k, 1): {"windows": [_shifted(w, 1) for w in part],
                                         "passive": [_shifted(h, 1) for h in hints]}
                        for k, (part, hints) in search.windows.items()},
        }
        examined, pruned = search.examined, search.pruned
    else:
        (value, affine, types, z), passives = P.search()
        evidence = {"solved": [_shifted(p, 1) for p in passives]}
        examined, pruned = len(passives), 0
    point = _lift(P.point(affine, types, z), keep, dataset.d)
    require(point.loss(dataset) == value / (P.E * P.E),
            "the realised point does not attain the pattern's optimum (a bug: please report it)")
    evidence["coordinates"] = _shifted(keep, 1)
    return _certificate(dataset, hidden, point, method, examined, pruned, examined + pruned,
                        evidence)


def _positive_int(value: object, name: str, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidType(f"{name}={value!r} must be an int ({what}).")
    if value < 1:
        raise InvalidArgument(f"{name}={value} must be a positive integer ({what}).")


def _shifted(items, by: int):
    """Indices moved by ``by``: +1 into the JSON's 1-based numbering, -1 back."""
    return None if items is None else [int(i) + by for i in items]


def _certificate(dataset, hidden, point, method, examined, pruned, total, evidence):
    return GlobalMinimumCertificate(point, dataset, Verdict.MINIMUM, point.loss(dataset), hidden,
                                    method, examined, pruned, total,
                                    json.dumps(evidence, sort_keys=True))


@register_certificate
@dataclass(frozen=True)
class GlobalMinimumCertificate(Certificate):
    """A proof that ``params`` attains the global minimum ``value`` of the loss on ``dataset``.

    ``verdict`` is ``Verdict.MINIMUM`` (a global minimum is in particular a local one);
    ``value``/``point`` name ``loss``/``params``; ``attained`` is always True (Theorem 1 of
    docs/global.md); ``check()`` re-verifies the point's loss and every pattern's stored
    optimum (KKT from its passive set) or bound (window partition, segment fits).
    """

    kind: ClassVar[str] = "global-minimum"
    params: ShallowReLU
    dataset: Dataset
    verdict: Verdict
    loss: Fraction
    hidden: int
    method: str
    patterns_examined: int
    patterns_pruned: int
    patterns_total: int
    evidence_json: str

    @property
    def value(self) -> Fraction:
        """L*, the exact global minimum."""
        return self.loss

    @property
    def point(self) -> ShallowReLU:
        """A parameter point attaining L*."""
        return self.params

    @property
    def attained(self) -> bool:
        """Always True: the infimum is a minimum (docs/global.md, Theorem 1)."""
        return True

    def gap(self, params: ShallowReLU) -> Fraction:
        """L(params) - L* >= 0 for any point with ``hidden`` units."""
        if not isinstance(params, ShallowReLU) or params.m != self.hidden:
            raise InvalidArgument(f"params must be a ShallowReLU with m={self.hidden} units.")
        return params.loss(self.dataset) - self.loss

    def _witness(self, radius: Fraction) -> None:
        raise CertificateError("a global-minimum certificate proves a minimum: it has no "
                               "witness of a lower point (its verdict must be 'local minimum')")

    # -- evidence ----------------------------------------------------------------------------
    def _evidence(self) -> dict[str, Any]:
        return {"hidden": self.hidden, "method": self.method,
                "patterns_examined": self.patterns_examined,
                "patterns_pruned": self.patterns_pruned, "patterns_total": self.patterns_total,
                "search": json.loads(self.evidence_json)}

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> GlobalMinimumCertificate:
        ev = data["evidence"]
        return cls(ShallowReLU.from_json(data["params"]), Dataset.from_json(data["dataset"]),
                   Verdict(data["verdict"]), Fraction(data["loss"]), int(ev["hidden"]),
                   ev["method"], int(ev["patterns_examined"]),
                   int(ev["patterns_pruned"]), int(ev["patterns_total"]),
                   json.dumps(ev["search"], sort_keys=True))

    def _check_evidence(self) -> None:
        require(self.verdict is Verdict.MINIMUM, "a global-minimum certificate has verdict "
                "'local minimum' (a global minimum is one)")
        require(self.params.m == self.hidden and self.params.d == self.dataset.d,
                f"params has m={self.params.m}, d={self.params.d}; expected m={self.hidden}, "
                f"d={self.dataset.d}")
        require(self.patterns_examined + self.patterns_pruned == self.patterns_total,
                "examined + pruned patterns is not the total")
        method, P, _, keep = _problem(self.dataset, self.hidden, 10**12)
        require(method == self.method, f"method {self.method!r} stored, {method!r} applies")
        ev = json.loads(self.evidence_json)
        if method == "single-input":
            mean = sum(self.dataset.y, Fraction(0)) / self.dataset.n
            require(self.loss == sum(((y - mean) ** 2 for y in self.dataset.y), Fraction(0)),
                    "one distinct input: L* must be the sum of squared deviations from the mean")
            require(ev == {} and (self.patterns_examined, self.patterns_pruned) == (1, 0),
                    "one distinct input: one pattern, solved, and no search evidence")
            return
        require(ev.get("coordinates") == _shifted(keep, 1), "stored coordinates differ")
        scaled = self.loss * P.E * P.E
        if method == "line":
            solved = {parse_key(k, 1): [_shifted(p, -1) for p in v]
                      for k, v in ev["solved"].items()}
            windows = {parse_key(k, 1): ([_shifted(w, -1) for w in e["windows"]],
                                         [_shifted(h, -1) for h in e["passive"]])
                       for k, e in ev["windows"].items()}
            covered = check_line_evidence(P, scaled, solved, windows)
            total = P.count_all()
            n_solved = sum(len(v) for v in solved.values())
        else:
            covered = total = n_solved = P.check(scaled, [_shifted(p, -1) for p in ev["solved"]])
        require(self.patterns_examined == n_solved, f"{self.patterns_examined} patterns "
                f"claimed solved, {n_solved} solutions stored")
        require(covered == total == self.patterns_total,
                f"the evidence covers {covered} of {total} patterns ({self.patterns_total} "
                "claimed)")

    # -- presentation ------------------------------------------------------------------------
    def _reason(self) -> str:
        return (f"L* = {self.loss} is the least loss of {self.hidden} hidden unit(s): every "
                f"activation pattern's exact optimum ({self.patterns_examined} solved) or lower "
                f"bound ({self.patterns_pruned} pruned) is >= L*, and the point attains it")

    def _proof_lines(self) -> list[str]:
        p = self.params
        units = "\n".join(
            f"  unit {j + 1}: w = ({', '.join(str(t) for t in p.W[j])}), b = {p.b[j]}, "
            f"v = {p.v[j]}" for j in range(p.m))
        how = {
            "line": ("the inputs are one-dimensional (after projecting onto their affine hull); "
                     "patterns = canonical sets of unit types (dead / affine / crossing at a gap "
                     "with a side and a sign), solved best-first with window and segment bounds"),
            "cells": ("patterns = canonical sets of cells of the arrangement of the lifted "
                      "inputs, with a sign each; every pattern solved"),
            "single-input": "all inputs coincide: the outputs are one constant, best at the mean",
        }[self.method]
        return [
            f"Global minimum of the squared loss, {self.hidden} hidden unit(s), "
            f"{self.dataset.n} data points (d = {self.dataset.d}).",
            f"L* = {self.loss} (= {float(self.loss):.6g}), attained at",
            units,
            f"  c = {p.c}",
            "Proof (docs/global.md): the outputs of any parameter point lie in the closed cone "
            "of one activation pattern, and every point of every cone is realised (Theorem 1), "
            "so L* is the least of the patterns' exact sign-constrained least-squares optima.",
            f"Method: {how}.",
            f"Patterns: {self.patterns_total} in all; {self.patterns_examined} solved exactly "
            f"(KKT conditions verified from the stored passive sets), {self.patterns_pruned} "
            "pruned by an exact lower bound >= L*.",
            "check() re-derives every optimum and bound from the stored evidence.",
        ]


def gap_report(params: ShallowReLU, dataset: Dataset,
               cert: GlobalMinimumCertificate | None = None) -> dict[str, Any]:
    """L(params), L*, the gap, and the certificate used (computed when not given)."""
    if cert is None:
        cert = global_minimum(dataset, params.m)
    if cert.dataset != dataset:
        raise CertificateError("the certificate is for another dataset")
    return {"loss": params.loss(dataset), "optimum": cert.value, "gap": cert.gap(params),
            "certificate": cert}


@dataclass(frozen=True)
class GlobalComparison:
    """A certified local minimum beside the exact global optimum of its problem.

    ``proven_bad`` is True exactly when the local certificate's verdict is "local minimum"
    (re-checked) and L* < L in exact arithmetic: then the point is a bad local minimum, proven
    (the global certificate is a point with lower loss, and its ``check()`` proves nothing is
    lower still). With L = L* the local minimum is a global one.
    """

    local: Certificate
    optimum: GlobalMinimumCertificate

    @property
    def loss(self) -> Fraction:
        return self.local.loss

    @property
    def value(self) -> Fraction:
        """L*, the global optimum."""
        return self.optimum.value

    @property
    def gap(self) -> Fraction:
        """L - L* >= 0."""
        return self.local.loss - self.optimum.value

    @property
    def proven_bad(self) -> bool:
        return self.local.is_local_minimum is True and self.optimum.value < self.local.loss

    @property
    def line(self) -> str:
        """One sentence for a report."""
        if self.proven_bad:
            return (f"bad local minimum, proven: global optimum L* = {self.value} < "
                    f"L = {self.loss} (gap {self.gap}; exact global-minimum certificate, "
                    f"{self.optimum.patterns_total} activation patterns)")
        if self.local.is_local_minimum is True:
            return (f"global minimum, proven: L = L* = {self.value} (exact global-minimum "
                    f"certificate, {self.optimum.patterns_total} activation patterns)")
        return (f"global optimum L* = {self.value}, L = {self.loss} (gap {self.gap}); the "
                f"point is {self.local.status}")

    def to_dict(self) -> dict[str, Any]:
        return {"global_optimum": str(self.value), "gap": str(self.gap),
                "proven_bad": self.proven_bad, "line": self.line,
                "global_point": self.optimum.point.to_json()}


def compare_to_global(cert: Certificate, *, max_patterns: int = REPORT_MAX_PATTERNS,
                      limit: int | None = None) -> GlobalComparison | None:
    """``cert`` (a decision on a one-hidden-layer point) beside the exact global optimum.

    None when the question is not one this module answers (not a ``ShallowReLU`` point with one
    output) or the exact search would exceed ``max_patterns`` (a report then simply says
    nothing about it).
    Both certificates are re-checked before the comparison is made. ``limit`` is the
    deprecated old name of ``max_patterns``.
    """
    if not isinstance(cert, Certificate):
        raise InvalidType(f"cert={cert!r:.60} must be a Certificate (from "
                          "verify_local_minimum).")
    max_patterns = max_patterns_argument(max_patterns, limit, REPORT_MAX_PATTERNS,
                                         "compare_to_global")
    _positive_int(max_patterns, "max_patterns", "a cap on the work, e.g. max_patterns=5000")
    if not isinstance(cert.params, ShallowReLU) or isinstance(cert, GlobalMinimumCertificate):
        return None
    if cert.params.k > 1:  # the global search is for one output (vector targets: None)
        return None
    # a point of a restricted space (frozen coordinates, no bias) is a minimum of another
    # problem than the one solved here
    if not getattr(getattr(cert.params, "space", None), "is_full", True):
        return None
    optimum = _cached_optimum(cert.dataset, cert.params.m, max_patterns)
    if optimum is None:
        return None
    cert.check()
    return GlobalComparison(cert, optimum)


@lru_cache(maxsize=64)
def _cached_optimum(dataset: Dataset, hidden: int, max_patterns: int
                    ) -> GlobalMinimumCertificate | None:
    """The checked global optimum, or None beyond ``max_patterns`` (certificates are
    immutable, so the reports of several points on one dataset share one search)."""
    try:
        optimum = global_minimum(dataset, hidden, max_patterns=max_patterns)
    except GlobalSearchTooLarge:
        return None
    optimum.check()
    return optimum


def prove_bad(cert: Certificate, *, max_patterns: int = REPORT_MAX_PATTERNS,
              limit: int | None = None) -> GlobalComparison | None:
    """The proof that a certified local minimum is bad (L* < L exactly), or None.

    None unless ``cert`` certifies a local minimum of a one-hidden-layer network whose exact
    global optimum is found within ``max_patterns`` and is strictly lower (``limit``: the
    deprecated old name of ``max_patterns``).

    >>> from relu_minima.verify.dispatch import verify_local_minimum
    >>> D1 = Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])
    >>> proof = prove_bad(verify_local_minimum(ShallowReLU([1], [-3], [1], 0), D1))
    >>> print(proof.line.split(" (")[0])
    bad local minimum, proven: global optimum L* = 14 < L = 18
    """
    max_patterns = max_patterns_argument(max_patterns, limit, REPORT_MAX_PATTERNS, "prove_bad")
    comparison = compare_to_global(cert, max_patterns=max_patterns)
    return comparison if comparison is not None and comparison.proven_bad else None
