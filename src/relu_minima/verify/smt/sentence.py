"""The SMT-LIB 2 script stating a certificate's claim, as checks that a solver answers.

Every part of a claim is checked by asserting its *negation*: "unsat" then proves the part
(nothing satisfies the negation), "sat" comes with a model that contradicts it. The script uses
the certificate's ``params``, ``dataset``, ``loss`` and ``verdict`` and a radius, never the
rest of its evidence (kink forms, zonotope points, germs, family proofs); for "not a local
minimum" it also states the certificate's witness point, which is a claim checked like the
others. The parts, by verdict (L* = the certificate's loss, r = the radius):

* every kind, **loss**: L(theta) != L* (expected unsat: the stated loss is theta's);
* "local minimum", **ball**: some theta' with |theta' - theta|_inf <= r (moving coordinates
  only; fixed ones equal theta's) has L(theta') < L* (expected unsat). When r is inside the
  radius the certificate proves (``shallow-relu`` and the kinds built on it), "sat" refutes the
  certificate; a kind that proves a minimum without a radius is checked at a given or the
  default radius, where "unsat" still proves the minimum but "sat" is no verdict (a minimum
  may hold on a smaller ball only);
* "global minimum", **everywhere**: some theta' anywhere has L(theta') < L* (expected unsat);
* "not a local minimum", **witness**: the witness w = ``cert.witness(r)`` lies outside the
  ball of radius r or moves a fixed coordinate (expected unsat); **segment**: some point
  theta + s (w - theta), 0 < s <= 1, has L >= L* (expected unsat). Together they prove that
  every neighbourhood of theta holds a strictly lower point (the points of the segment near
  theta), i.e. "not a local minimum", and that w is one within r. Optionally (``existential``)
  **exists**: some theta' in the ball has L(theta') < L* (expected sat: the solver finds a lower
  point of its own; unsat refutes).

Each check runs after ``(reset-assertions)``, the definitions kept
(``:global-declarations true``): one script, and no incremental solving, which is orders of
magnitude slower for z3 on these sentences (measured: Proposition 1's ball, 0.1 s against more
than 10 minutes under ``push``/``pop``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ...errors import CertificateError, InvalidArgument
from ...exact.numbers import exact
from .claim import Claim, claim_of
from .network import Network, literal, network_of, network_text

__all__ = ["DEFAULT_RADIUS", "SUPPORTED_KINDS", "Check", "NothingToCheck", "Sentence",
           "UnsupportedCertificate", "certified_radius", "sentence_of"]

DEFAULT_RADIUS = Fraction(1, 1000)
SUPPORTED_KINDS = ("shallow-relu", "deep-relu", "restricted-deep", "global-minimum")
_SMOOTH = ("sigmoid/tanh networks: the loss involves exp, a transcendental function outside "
           "the real polynomial arithmetic (with if-then-else) that SMT solvers decide")
_WHY_NOT = {"smooth": _SMOOTH, "smooth-point": _SMOOTH}


class UnsupportedCertificate(InvalidArgument):
    """A certificate kind that has no SMT sentence (the message names the supported kinds)."""


class NothingToCheck(InvalidArgument):
    """An undecided certificate: it states nothing, so there is nothing to re-check."""


@dataclass(frozen=True)
class Check:
    """One ``(check-sat)`` of the script: the negation of one part of the claim.

    ``expected`` is the answer that confirms the part; the other answer refutes the certificate
    when ``refutes`` is True, and is no verdict otherwise (``otherwise`` says what it means).
    ``show`` names the terms whose values a solver's model reports on the other answer.
    """

    name: str
    asserts: str
    expected: str
    refutes: bool
    otherwise: str
    lines: tuple[str, ...]
    show: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sentence:
    """The script: a ``preamble`` (definitions) and one block per check (``checks`` in order);
    ``text`` is the whole file."""

    preamble: str
    blocks: tuple[str, ...]
    checks: tuple[Check, ...]
    kind: str
    verdict: str
    claim: str
    radius: Fraction | None
    radius_note: str

    @property
    def text(self) -> str:
        return self.preamble + "".join(self.blocks) + "(exit)\n"


def certified_radius(cert: Any) -> Fraction | None:
    """The radius of the ball on which the certificate's proof says L >= L(theta), or None.

    ``shallow-relu`` minima carry it (evidence ``radius``); a ``deep-relu`` certificate decided
    by the depth-2 criterion has it in its one-hidden-layer certificate, a ``restricted-deep``
    one in its inner certificate (a full-space ball contains the restricted one). Other proofs
    of a minimum (deep families, blind spots, a dead layer) give no radius. Read from the
    certificate's JSON (:func:`~.claim.claim_of`).
    """
    return claim_of(cert).radius


def _supported(cert: Any) -> Claim:
    """The claim of a certificate of a supported kind that states something."""
    if isinstance(cert, (str, dict)):
        data = json.loads(cert) if isinstance(cert, str) else cert
        kind = data.get("kind") if isinstance(data, dict) else None
    else:
        kind = getattr(cert, "kind", None)
    if kind not in SUPPORTED_KINDS:
        why = _WHY_NOT.get(kind, "no SMT sentence is written for it")
        raise UnsupportedCertificate(
            f"kind={kind!r} cannot be re-checked by an SMT solver ({why}); supported kinds: "
            f"{', '.join(SUPPORTED_KINDS)}.")
    cert = claim_of(cert)
    if cert.is_local_minimum is None:
        raise NothingToCheck(
            f"the certificate is undecided ({cert.reason}): it states nothing about the point, "
            "so there is nothing for a solver to confirm or refute.")
    return cert


def _positive(radius: Any) -> Fraction:
    r = exact(radius, "radius")
    if r <= 0:
        raise InvalidArgument(f"radius={r} must be positive, e.g. radius=1/1000.")
    return r


def _pins(net: Network) -> list[str]:
    return [f"(assert (= {p} theta_{p}))" for p, moves in zip(net.names, net.moving,
                                                            strict=True) if moves]


def _ball(net: Network) -> list[str]:
    return [f"(assert (<= (- radius) (- {p} theta_{p}) radius))"
            for p, moves in zip(net.names, net.moving, strict=True) if moves]


def _moving(net: Network) -> tuple[str, ...]:
    return tuple(p for p, moves in zip(net.names, net.moving, strict=True) if moves)


def _loss_check(net: Network, loss: Fraction) -> Check:
    return Check("loss", f"theta' = theta and L(theta') != {loss}", "unsat", True,
                 f"the certificate's loss {loss} is not the loss at theta",
                 (*_pins(net), "(assert (not (= loss L_claimed)))"), ("loss",))


def _minimum_checks(cert: Claim, net: Network, radius: Fraction | None
                    ) -> tuple[list[Check], Fraction, str]:
    own = cert.radius
    if radius is None:
        r = own if own is not None else DEFAULT_RADIUS
        note = ("the certificate's own radius: its proof covers this ball" if own is not None
                else f"the certificate proves a minimum without a radius; the default r = {r}")
    else:
        r = radius
        note = (f"given; inside the certificate's radius {own}" if own is not None and r <= own
                else f"given; the certificate's proof covers radius {own}" if own is not None
                else "given; the certificate proves a minimum without a radius")
    refutes = own is not None and r <= own
    otherwise = ("a strictly lower point within the certified radius: the certificate is wrong"
                 if refutes else f"a strictly lower point within {r}, which does not contradict "
                 "a minimum on a smaller ball: no verdict (try a smaller radius)")
    ball = Check("ball", f"|theta' - theta|_inf <= {r} and L(theta') < {cert.loss}", "unsat",
                 refutes, otherwise, (*_ball(net), "(assert (< loss L_claimed))"),
                 (*_moving(net), "loss"))
    return [_loss_check(net, cert.loss), ball], r, note


def _witness_lines(net: Network, w: Any) -> list[str]:
    lines = ["", "; w: the certificate's witness, a point claimed within the radius with lower "
             "loss", "; s: the position on the segment from theta (s = 0) to w (s = 1)"]
    lines += [f"(define-fun w_{p} () Real {literal(q)})"
              for p, q in zip(net.names, w.parameters(), strict=True)]
    return [*lines, "(declare-const s Real)"]


def _not_minimum_checks(cert: Claim, net: Network, radius: Fraction, existential: bool
                        ) -> tuple[list[Check], list[str]]:
    w = cert.witness_within(radius)
    if w is None:
        raise CertificateError("the certificate gives no witness point")
    inside = [f"(<= (- radius) (- w_{p} theta_{p}) radius)" if moves else
              f"(= w_{p} theta_{p})" for p, moves in zip(net.names, net.moving, strict=True)]
    where = Check("witness", f"w lies outside the ball of radius {radius} or moves a fixed "
                  "coordinate", "unsat", True, "the witness is not within the radius",
                  (f"(assert (not (and {' '.join(inside)})))",))
    segment = [f"(assert (= {p} (+ theta_{p} (* s (- w_{p} theta_{p})))))"
               for p in _moving(net)]
    below = Check("segment", f"a point theta + s (w - theta), 0 < s <= 1, has L >= {cert.loss}",
                  "unsat", True, "a point between theta and the witness is not lower: the "
                  "certificate's descent is wrong",
                  ("(assert (< 0 s))", "(assert (<= s 1))", *segment,
                   "(assert (>= loss L_claimed))"), ("s", "loss"))
    checks = [_loss_check(net, cert.loss), where, below]
    if existential:
        checks.append(Check("exists", f"|theta' - theta|_inf <= {radius} and L(theta') < "
                            f"{cert.loss}", "sat", True, f"no lower point within {radius}: "
                            "theta is a local minimum, the certificate is wrong",
                            (*_ball(net), "(assert (< loss L_claimed))"),
                            (*_moving(net), "loss")))
    return checks, _witness_lines(net, w)


def sentence_of(cert: Any, radius: Any = None, *, existential: bool = False
                ) -> Sentence:
    """The SMT-LIB 2 script of ``cert``'s claim (module docstring); ``radius`` None means the
    certificate's own radius (a minimum), :data:`DEFAULT_RADIUS` where it has none, and the
    witness radius 1/1000 for "not a local minimum". ``cert`` is a certificate, its JSON text
    or the parsed JSON: the claim is read from the JSON as written (:mod:`.claim`), so that an
    edited file reaches the solver instead of this library's own checks."""
    cert = _supported(cert)
    r = None if radius is None else _positive(radius)
    extra: list[str] = []
    if cert.kind == "global-minimum":
        if r is not None:
            raise InvalidArgument(f"radius={r}: a global-minimum certificate claims that no "
                                  "point anywhere is lower; leave radius out.")
        if cert.is_local_minimum is not True:
            raise CertificateError(f"a global-minimum certificate with verdict {cert.status!r}: "
                                   "its verdict is 'local minimum' (a global minimum is one)")
        net = network_of(cert.params.with_space(), cert.dataset)
        claim = (f"theta is a global minimum with {cert.params.m} hidden unit(s): "
                 f"L(theta) = {cert.loss} and no theta' has L(theta') < {cert.loss}")
        checks = [_loss_check(net, cert.loss),
                  Check("everywhere", f"L(theta') < {cert.loss} for some theta'", "unsat", True,
                        "a point with lower loss: the global minimum is wrong",
                        ("(assert (< loss L_claimed))",), (*_moving(net), "loss"))]
        note = "none: the claim is about the whole parameter space"
    elif cert.is_local_minimum:
        net = network_of(cert.params, cert.dataset)
        checks, r, note = _minimum_checks(cert, net, r)
        claim = (f"theta is a local minimum: L(theta) = {cert.loss} and L(theta') >= "
                 f"{cert.loss} for every theta' with |theta' - theta|_inf <= {r}")
    else:
        net = network_of(cert.params, cert.dataset)
        note = "given" if r is not None else f"the witness radius {DEFAULT_RADIUS} (default)"
        r = DEFAULT_RADIUS if r is None else r
        checks, extra = _not_minimum_checks(cert, net, r, existential)
        claim = (f"theta is not a local minimum: every neighbourhood holds a point with loss "
                 f"< L(theta) = {cert.loss}, and the witness w within {r} is one")
    preamble, blocks = _script(cert, net, claim, checks, r, note, extra)
    verdict = "global minimum" if cert.kind == "global-minimum" else cert.status
    return Sentence(preamble, blocks, tuple(checks), cert.kind, verdict, claim, r, note)


def _script(cert: Any, net: Network, claim: str, checks: list[Check],
            radius: Fraction | None, note: str, extra: list[str]) -> tuple[str, tuple[str, ...]]:
    """The preamble (header comments, options, definitions) and one block per check, each
    starting with ``(reset-assertions)`` so that a solver may run it again."""
    widths = "-".join(str(t) for t in (len(net.X[0]), *(len(M) for M in net.weights)))
    head = [
        "; relu-minima: a certificate's claim as an SMT-LIB 2 script (re-check with any solver:",
        ";   z3 FILE.smt2, cvc5 FILE.smt2); the answers, in order, are listed below",
        f"; kind {cert.kind}, verdict '{cert.status}', widths {widths}, "
        f"{len(net.X)} data point(s)",
        f"; parameterisation: {net.space.describe()}",
        *(["; one hidden layer: w_j = W1_j_*, b_j = b1_j, v_j = W2_1_j, c = b2_1"]
          if len(net.weights) == 2 else []),
        f"; CLAIM: {claim}.",
        f"; radius: {note}.",
        "; Each check asserts the negation of a part of the claim; the answer that confirms it:",
        *(f";   check {k} ({c.name}): {c.asserts} -> {c.expected}"
          for k, c in enumerate(checks, start=1)),
        "; Only params, dataset, loss, verdict and radius are read from the certificate"
        + (" (and its witness point)." if extra else "."),
        "",
        "(set-info :smt-lib-version 2.6)",
        "(set-option :global-declarations true) ; definitions survive (reset-assertions)",
        "(set-option :produce-models true)",
        "(set-logic QF_NRA)",
        *network_text(net),
        "",
        f"(define-fun L_claimed () Real {literal(cert.loss)}) ; the certificate's loss L(theta)",
        *([f"(define-fun radius () Real {literal(radius)})"] if radius is not None else []),
        *extra,
    ]
    blocks = ["\n".join(["", f"; check {k} ({c.name}): {c.asserts}",
                          f";   {c.expected} confirms; otherwise: {c.otherwise}",
                          "(reset-assertions)", *c.lines,
                          f"(check-sat) ; expected: {c.expected}", ""])
              for k, c in enumerate(checks, start=1)]
    return "\n".join(head) + "\n", tuple(blocks)
