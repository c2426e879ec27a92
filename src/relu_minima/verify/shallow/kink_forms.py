"""Sign of a kink form: the one piecewise-linear function behind every local-minimum test.

Small kink sets are decided by every ray of Lemma A (docs/method.md), enumerated in integers
(:mod:`.kink_rays`); larger ones by Lemma C (:mod:`.kink_convex`) or Lemma D
(:mod:`relu_minima.verify.shallow.zonotope_search`), whose float LPs only propose. The rays in
rationals below remain the reference (``decide_sign_by_rays``, ``_rays``).

For a hidden unit j of a one-hidden-layer network at a point theta, with residuals
r_i = f(x_i) - y_i and lifted inputs n_i = (x_i, 1), the *kink form* is

    g_j(delta) = p_j . delta + sum_H R_jH max(0, n_H . delta),      delta in Q^(d+1),

where p_j = sum of r_i n_i over the points where unit j is active, and H runs over the
distinct inputs on unit j's kink (pre-activation exactly 0), R_jH being the sum of the
residuals of the points at that input. g_j is half the one-sided derivative of the loss when
u_j = (w_j, b_j) moves along delta, per unit of v_j (docs/method.md, Lemma 2).

g is positively homogeneous and linear on every cell of the central arrangement of the
hyperplanes {n_H . delta = 0} (only those with R_H != 0 matter). Its sign is therefore decided
by finitely many rays: the lineality space of the arrangement, where g is linear, and the
one-dimensional intersections of the hyperplanes inside their span V, which generate every
cell of the (essential) arrangement restricted to V. Nothing is sampled.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ...errors import CertificateError, InvalidArgument
from ...exact import linalg
from ...exact.linalg import dot, primitive
from ...exact.numbers import sign
from .kink_rays import IntegerRays

if TYPE_CHECKING:  # Lemma C/D (kink_convex, zonotope*) load with the first form above the
    # rays threshold or the first proof that carries them (issue 30: small problems never do)
    from .zonotope import ZonotopeCertificate

__all__ = ["KinkForm", "RayValue", "SignDecision", "decide_sign", "decide_sign_by_rays",
           "decide_zero"]

Vec = tuple[Fraction, ...]

# Up to this many (r - 1)-subsets of the bending kinks, decide_sign enumerates the rays of
# Lemma A in integers (kink_rays) instead of running Lemma C / Lemma D with float LPs: exact,
# no scipy import. Measured (benchmarks/bench_small_instances.py --threshold, warm, one
# process): the rays cost about as much as Lemma C's single LP at 30-120 subsets (d + 1 = 3..5)
# when every kink weight has the wanted sign, and as much as Lemma D's LPs at 500-2,000 subsets
# with mixed signs; below that they are faster, and the first LP costs a scipy import besides.
RAYS_THRESHOLD = {"convex": 64, "mixed": 512}


@dataclass(frozen=True)
class KinkForm:
    """g(delta) = p . delta + sum_H weights[H] * max(0, normals[H] . delta)."""

    p: Vec
    normals: tuple[Vec, ...]
    weights: tuple[Fraction, ...]

    def __call__(self, delta: Sequence[Fraction]) -> Fraction:
        total = dot(self.p, delta)
        for n, w in zip(self.normals, self.weights, strict=True):
            t = dot(n, delta)
            if t > 0:
                total += w * t
        return total

    @property
    def dim(self) -> int:
        return len(self.p)

    def essential(self) -> KinkForm:
        """The same function without the kinks of weight zero (they do not bend g), nor those
        with a zero normal (max(0, 0) = 0; they arise only when a restricted parameterisation
        removes every coordinate a kink normal has, docs/method.md)."""
        keep = [k for k, w in enumerate(self.weights)
                if w != 0 and any(t != 0 for t in self.normals[k])]
        return KinkForm(self.p, tuple(self.normals[k] for k in keep),
                        tuple(self.weights[k] for k in keep))


@dataclass(frozen=True)
class RayValue:
    """g evaluated on one ray of the arrangement; ``sides[H]`` is the sign of n_H . direction."""

    direction: Vec
    value: Fraction
    sides: tuple[int, ...]


@dataclass(frozen=True)
class SignDecision:
    """Whether sigma * g >= 0 everywhere (or g == 0 everywhere), with the evidence.

    ``span_coefficients`` (beta with p = sum beta_H n_H over the bending kinks) proves that g
    vanishes on the lineality space; ``rays`` are the generators checked; ``descent`` is a
    direction that violates the property, when it fails. ``convex_weights`` (Lemma C) and
    ``zonotope`` (Lemma D: the cells of the negative kinks, for mixed signs) are the other two
    proofs of ``holds``; at most one of rays / convex_weights / zonotope carries a holding
    verdict.
    """

    holds: bool
    sigma: int  # +1: g >= 0 wanted; -1: g <= 0 wanted; 0: g == 0 wanted
    form: KinkForm
    span_coefficients: Vec | None
    rays: tuple[RayValue, ...]
    descent: Vec | None
    # convex case (Lemma C): lambda in [0, 1]^H with -p = sum_H lambda_H R_H n_H over the
    # bending kinks, every sigma R_H > 0; proves sigma g >= 0 without any ray
    convex_weights: Vec | None = None
    # mixed signs (Lemma D): Z_N inside Z_P, closed by exact leaves over negative-kink cells
    zonotope: ZonotopeCertificate | None = None

    def _check(self) -> None:
        """Re-verify every stored piece against the form (raises CertificateError): the span
        coefficients (or that p is outside the span of the normals), each ray's value and
        sides, the Lemma C weights, the zonotope, the violating direction; then that they
        prove ``holds`` (every piece is printed by the proof text, needed or not)."""
        g = self.form
        ess = g.essential()
        _require((self.descent is None or len(self.descent) == g.dim)
                 and all(len(r.direction) == g.dim for r in self.rays),
                 f"a stored direction does not have the form's {g.dim} coordinates")
        self._check_span(ess)
        every_ray = set(_rays(ess)) if self.rays else set()
        for r in self.rays:
            _require(r.direction in every_ray, f"{r.direction} is not a ray of the arrangement")
            _require(g(r.direction) == r.value, f"g({r.direction}) != {r.value}")
            _require(r.sides == tuple(sign(dot(n, r.direction)) for n in ess.normals),
                     f"the stored sides of ray {r.direction} are not its sides")
        _require(not self.rays or self.span_coefficients is not None,
                 "rays are stored without the span coefficients they rest on")
        if self.convex_weights is not None:
            from .kink_convex import is_convex_certificate

            _require(is_convex_certificate(ess.p, ess.normals, ess.weights, self.sigma,
                                           self.convex_weights),
                     "the Lemma C weights do not prove the sign")
        if self.zonotope is not None:
            _require(self.sigma in (1, -1), "a zonotope certificate needs sigma = +-1")
            from .zonotope import verify_certificate

            verify_certificate(ess.p, ess.normals, ess.weights, self.sigma,
                                          self.zonotope)
        if self.descent is not None:
            value = g(self.descent)
            _require((value != 0) if self.sigma == 0 else (self.sigma * value < 0),
                     f"g({self.descent}) = {value} does not violate the condition")
            _require(not self.holds and self.convex_weights is None and self.zonotope is None,
                     "a violating direction is stored with a proof that the condition holds")
            return
        _require(self.holds, "holds=False without a violating direction")
        if self.zonotope is not None or self.convex_weights is not None:
            return
        _require({r.direction for r in self.rays} == set(_rays(ess)) and len(self.rays) == len(
            set(_rays(ess))), "ray list is incomplete")
        for r in self.rays:
            _require((r.value == 0) if self.sigma == 0 else (self.sigma * r.value >= 0),
                     f"the ray {r.direction} violates the condition")

    def _check_span(self, ess: KinkForm) -> None:
        """p = sum_H beta_H n_H as stored, or (no coefficients) p outside span(normals) and the
        violating direction orthogonal to every normal, as the proof text says."""
        if self.span_coefficients is not None:
            _require(len(self.span_coefficients) == len(ess.normals),
                     "span coefficients of the wrong length")
            combo = [sum((b * n[k] for b, n in zip(self.span_coefficients, ess.normals,
                                                     strict=True)), Fraction(0))
                     for k in range(self.form.dim)]
            _require(tuple(combo) == ess.p, "p is not the stated combination of kink normals")
            return
        if self.form.dim == 0:  # no coordinate moves: the empty condition
            return
        _require(_lineality_violation(ess)[1] is not None and self.descent is not None
                 and all(dot(n, self.descent) == 0 for n in ess.normals),
                 "no span coefficients, but p is a combination of the kink normals (or the "
                 "direction is not orthogonal to them)")

    def to_dict(self) -> dict[str, Any]:
        """The decision and its evidence, exact numbers as strings (for certificate JSON)."""
        s = str

        def vec(v: Vec | None) -> list[str] | None:
            return None if v is None else [s(t) for t in v]

        return {
            "condition": {1: "g >= 0", -1: "g <= 0", 0: "g == 0"}[self.sigma],
            "holds": self.holds,
            "proof": ("descent" if self.descent is not None else "zonotope"
                      if self.zonotope is not None else "convex"
                      if self.convex_weights is not None else "rays"),
            "form": {"p": vec(self.form.p), "normals": [vec(n) for n in self.form.normals],
                     "weights": vec(self.form.weights)},
            "span_coefficients": vec(self.span_coefficients),
            "rays": [{"direction": vec(r.direction), "g": s(r.value), "sides": list(r.sides)}
                     for r in self.rays],
            "descent_direction": vec(self.descent),
            "convex_weights": vec(self.convex_weights),
            "zonotope": None if self.zonotope is None else self.zonotope.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SignDecision:
        """Inverse of :meth:`to_dict` (nothing is decided; ``_check()`` verifies)."""
        def vec(v: Sequence[str] | None) -> Vec | None:
            return None if v is None else tuple(Fraction(t) for t in v)

        f = data["form"]
        form = KinkForm(vec(f["p"]), tuple(vec(n) for n in f["normals"]), vec(f["weights"]))
        sigma = {"g >= 0": 1, "g <= 0": -1, "g == 0": 0}[data["condition"]]
        rays = tuple(RayValue(vec(r["direction"]), Fraction(r["g"]), tuple(r["sides"]))
                     for r in data["rays"])
        zono = data.get("zonotope")
        if zono is not None:
            from .zonotope import ZonotopeCertificate
        return cls(bool(data["holds"]), sigma, form, vec(data["span_coefficients"]), rays,
                   vec(data["descent_direction"]), vec(data["convex_weights"]),
                   None if zono is None else ZonotopeCertificate.from_dict(zono))


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise CertificateError(f"kink-form decision: {message}")


def _rays(form: KinkForm) -> list[Vec]:
    """Both orientations of every 1-dimensional flat of the arrangement inside V = span(normals).

    Each cell of the arrangement restricted to V is a pointed cone (the normals span V), so it
    is the conical hull of its extreme rays, and each extreme ray spans such a flat.
    """
    out = []
    for line in sorted(_lines(form)):
        out.append(line)
        out.append(tuple(-t for t in line))
    return out


def _lines(form: KinkForm) -> Iterator[Vec]:
    """The flats of :func:`_rays`, each once (oriented), generated lazily so that a search for
    a violating ray stops at the first one instead of enumerating all C(K, r - 1) subsets."""
    normals = list(form.normals)
    if not normals:
        return
    basis, _ = linalg.rref(normals)
    r = len(basis)
    if r == 1:
        yield _oriented(primitive(basis[0]))
        return
    seen: set[Vec] = set()
    for subset in itertools.combinations(range(len(normals)), r - 1):
        # coordinates c of delta = sum c_k basis_k with n_s . delta = 0 for s in subset
        A = [[dot(normals[s], bk) for bk in basis] for s in subset]
        null = linalg.nullspace(A, r)
        if len(null) != 1:
            continue  # the chosen hyperplanes are dependent: no line here
        c = null[0]
        delta = [sum((ck * bk[t] for ck, bk in zip(c, basis, strict=True)), Fraction(0))
                 for t in range(form.dim)]
        line = _oriented(primitive(delta))
        if line not in seen:
            seen.add(line)
            yield line


def _quick_candidates(form: KinkForm) -> Iterator[Vec]:
    """Cheap directions tried before the arrangement: +-p and +-n_H. Any direction that
    violates the sign is a valid descent (checked exactly); finding none proves nothing."""
    for vec in (form.p, *form.normals):
        if any(t != 0 for t in vec):
            line = primitive(vec)
            yield line
            yield tuple(-t for t in line)


def _search(form: KinkForm, ess: KinkForm, violates: Callable[[Fraction], bool]
            ) -> tuple[list[RayValue], Vec | None]:
    """Rays checked (in canonical order when none violates) and the first violating direction."""
    for delta in _quick_candidates(ess):
        if violates(form(delta)):
            return [], delta
    rays = []
    for line in _lines(ess):
        for delta in (line, tuple(-t for t in line)):
            value = form(delta)
            rays.append(RayValue(delta, value, tuple(sign(dot(n, delta)) for n in ess.normals)))
            if violates(value):
                return rays, delta
    rays.sort(key=lambda ray: _rays_order(ray.direction))
    return rays, None


def _rays_order(direction: Vec) -> tuple[Vec, int]:
    # the order of _rays: lines sorted, each before its negation
    line = _oriented(direction)
    return line, 0 if line == direction else 1


def _oriented(vec: Vec) -> Vec:
    first = next(t for t in vec if t != 0)
    return vec if first > 0 else tuple(-t for t in vec)


def _lineality_violation(form: KinkForm) -> tuple[Vec | None, Vec | None]:
    """(beta, None) if p lies in span(normals), else (None, w) with w . n_H = 0 and p . w != 0."""
    ess = form
    if not ess.normals:
        if all(t == 0 for t in ess.p):
            return (), None
        return None, primitive(ess.p)
    transposed = [[n[k] for n in ess.normals] for k in range(ess.dim)]
    beta = linalg.solve(transposed, list(ess.p))
    if beta is not None:
        return beta, None
    for w in linalg.nullspace(list(ess.normals), ess.dim):
        if dot(ess.p, w) != 0:
            return None, w
    raise CertificateError("internal: p outside span(normals) but orthogonal to its complement")


def decide_sign(form: KinkForm, sigma: int, *, max_subsets: int | None = None
                ) -> SignDecision:
    """Decide sigma * g(delta) >= 0 for all delta (sigma = +1 or -1), exactly.

    Small kink sets (at most ``max_subsets`` (r - 1)-subsets of the bending kinks; default
    ``RAYS_THRESHOLD`` for the signs of the weights) by every ray of Lemma A, in integers;
    larger ones by Lemma C (one zonotope point) or Lemma D (the zonotope containment), whose
    float LPs only propose.
    ``max_subsets=0`` forces the second path and a huge value the first (the tests use both).
    """
    if sigma not in (1, -1):
        raise InvalidArgument(f"sigma={sigma!r} must be +1 or -1.")
    ess = form.essential()
    beta, off = _lineality_violation(ess)
    if off is not None:
        # on the lineality space g is the linear map p . w: one of +-w decreases sigma * g
        direction = off if sigma * dot(ess.p, off) < 0 else tuple(-t for t in off)
        return SignDecision(False, sigma, form, None, (), direction)
    rays = IntegerRays(ess.p, ess.normals, ess.weights)
    if max_subsets is None:
        convex = all(sigma * w > 0 for w in ess.weights)
        max_subsets = RAYS_THRESHOLD["convex" if convex else "mixed"]
    if rays.subsets <= max_subsets:
        return _by_integer_rays(form, ess, beta, rays, sigma)
    from .kink_convex import convex_certificate
    from .zonotope import first_violating
    from .zonotope_search import decide_mixed

    lam = convex_certificate(ess.p, ess.normals, ess.weights, sigma)
    if lam is not None:
        return SignDecision(True, sigma, form, beta, (), None, lam)
    delta = first_violating(ess.p, ess.normals, ess.weights, sigma,
                                       list(_quick_candidates(ess)))
    if delta is not None:
        return SignDecision(False, sigma, form, beta, (), delta)
    # mixed signs (or a convex case the floats could not settle): Lemma D
    cert, descent = decide_mixed(ess.p, ess.normals, ess.weights, sigma)
    return SignDecision(cert is not None, sigma, form, beta, (), descent, None, cert)


def _by_integer_rays(form: KinkForm, ess: KinkForm, beta: Vec | None, rays: IntegerRays,
                     sigma: int) -> SignDecision:
    """Lemma A's decision from :class:`IntegerRays` (sigma = 0: g == 0 wanted)."""
    def violates(value: int) -> bool:
        return value != 0 if sigma == 0 else sigma * value < 0

    visited, descent = rays.search(violates, list(_quick_candidates(ess)))
    values = tuple(RayValue(tuple(map(Fraction, delta)), Fraction(value, rays.den), sides)
                   for delta, value, sides in visited)
    return SignDecision(descent is None, sigma, form, beta, values,
                        None if descent is None else tuple(Fraction(t) for t in descent))


def decide_sign_by_rays(form: KinkForm, sigma: int) -> SignDecision:
    """The exhaustive reference of Lemma A: every ray of the arrangement (slow when the sign
    holds; kept for tests and benchmarks)."""
    if sigma not in (1, -1):
        raise InvalidArgument(f"sigma={sigma!r} must be +1 or -1.")
    ess = form.essential()
    beta, off = _lineality_violation(ess)
    if off is not None:
        direction = off if sigma * dot(ess.p, off) < 0 else tuple(-t for t in off)
        return SignDecision(False, sigma, form, None, (), direction)
    rays, descent = _search(form, ess, lambda value: sigma * value < 0)
    return SignDecision(descent is None, sigma, form, beta, tuple(rays), descent)


def decide_zero(form: KinkForm) -> SignDecision:
    """Decide g == 0 identically, by Lemma A with both signs: p in span(normals) and g = 0 on
    every ray.

    For a unit's kink form the normals (x_H, 1) of distinct inputs are pairwise
    non-parallel, the functions |n_H . delta| are then linearly independent, and
    g(delta) + g(-delta) = sum R_H |n_H . delta| vanishes only if every R_H = 0 (Lemma B of
    docs/method.md): the first bending ray already fails. Parallel normals can cancel
    (max(0, t) - max(0, 2t)/2 == 0), which the rays decide as well.
    """
    ess = form.essential()
    if not ess.normals and all(t == 0 for t in form.p):
        return SignDecision(True, 0, form, (), (), None)
    beta, off = _lineality_violation(ess)
    if off is not None:
        return SignDecision(False, 0, form, None, (), off)
    # the same rays as _search over _lines, in integers (lazily: stops at the first violation)
    return _by_integer_rays(form, ess, beta, IntegerRays(ess.p, ess.normals, ess.weights), 0)
