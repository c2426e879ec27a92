"""The one certificate type: every decision of the library returns a :class:`Certificate`.

A certificate is a verdict (:class:`Verdict`) on one question (is ``params`` a local minimum of
the loss on ``dataset``?) together with the evidence that proves it. Its members are the same
for every kind of network:

* ``verdict``, ``is_local_minimum`` (True / False / None), ``status``;
* ``loss``: the exact loss (a Fraction), or for networks whose loss is irrational an
  :class:`~relu_minima.exact.enclosure.Enclosure` [lower, upper] proven to contain it;
* ``reason`` (one line) and ``proof_text`` (also ``str(cert)``: the proof, for a person to
  check by hand). Both are *derived* from the evidence, never stored: each kind writes its
  proof as lines (``_proof_lines``) and its reason (``_reason``) from the fields that
  ``check()`` re-verifies, and :meth:`Certificate.render` prints them, so what a reader sees
  is exactly what the evidence proves;
* ``witness(radius)``: for "not a local minimum", a point within max-norm ``radius`` whose
  loss is proven strictly lower (found along the stored descent by an exact step, never a
  search), else None; :mod:`relu_minima.verify.witness` writes it;
* ``check()``: re-verifies the *stored evidence* against ``params`` and ``dataset`` (it does
  not re-run the decision), raises :class:`~relu_minima.errors.CertificateError` on any
  mismatch, and returns True;
* ``to_dict()`` / ``to_json()`` and :meth:`Certificate.from_json`: one JSON schema for every
  kind (``docs/certificates.md``), exact numbers as strings. Reading rebuilds the evidence and
  compares every other field (verdict, reason, proof text, witness, ...) with the value
  derived from it, so an edited file is refused on reading or by ``check()``.
* ``to_smtlib(radius)``: the claim as an SMT-LIB 2 script that z3 or cvc5 decides, a check
  that does not use this library's reasoning (:mod:`relu_minima.verify.smt`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from enum import StrEnum
from fractions import Fraction
from typing import Any, ClassVar

from ..errors import CertificateError, InvalidArgument, ReluMinimaError, ShapeError, require
from ..exact.enclosure import Enclosure, strictly_below
from ..exact.germs import descent_step, loss_germ_and_radius
from ..exact.numbers import exact, latex, long_integers
from .witness import find_witness

__all__ = [
    "CLI_WITNESS_HINT",
    "SCHEMA",
    "SCHEMA_VERSION",
    "WITNESS_HINT",
    "WITNESS_RADIUS",
    "Certificate",
    "Verdict",
    "positive_radius",
    "register_certificate",
    "witness_along",
]

SCHEMA = "relu-minima-certificate"
# version 2: every field is verified or derived (reason, proof text, witness are compared on
# reading); version-1 files are still read, their texts and witness derived anew. Version 3:
# a network with several outputs (vector targets and evidence); it is written only for such
# points, so every one-output certificate stays version 2, byte for byte
SCHEMA_VERSION = 2
SEVERAL_OUTPUTS_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)
WITNESS_RADIUS = Fraction(1, 1000)  # the radius of the witness stored in the JSON
# what ``relu-minima verify --json`` adds beside a certificate's fields; not part of the
# certificate, so reading one ignores them (they change nothing that it prints)
COMMAND_LINE_EXTRAS = ("witness_within_radius", "global_optimum")

# how to get the lower point: no radius is certified for a non-minimum, any r > 0 works; the
# command line renders CLI_WITNESS_HINT in its place (its readers have no ``cert`` object)
WITNESS_HINT = ("  cert.witness(r) gives an exact point with strictly lower loss within any "
                "max-norm distance r > 0.")
CLI_WITNESS_HINT = ("  relu-minima verify FILE --witness R prints an exact point with strictly "
                    "lower loss within any max-norm distance R > 0.")


class Verdict(StrEnum):
    """What a decision established about a point."""

    MINIMUM = "local minimum"
    NOT_MINIMUM = "not a local minimum"
    UNDECIDED = "undecided"

    @classmethod
    def of(cls, value: bool | None) -> Verdict:
        return {True: cls.MINIMUM, False: cls.NOT_MINIMUM, None: cls.UNDECIDED}[value]

    @property
    def as_bool(self) -> bool | None:
        return {Verdict.MINIMUM: True, Verdict.NOT_MINIMUM: False, Verdict.UNDECIDED: None}[self]


_KINDS: dict[str, type[Certificate]] = {}


def register_certificate(cls: type[Certificate]) -> type[Certificate]:
    """Class decorator: make ``Certificate.from_json`` able to read ``cls.kind``."""
    _KINDS[cls.kind] = cls
    cls.__repr__ = Certificate.__repr__  # type: ignore[method-assign]  # not the dataclass's
    return cls


def positive_radius(radius: Any, name: str = "radius") -> Fraction:
    """An exact radius > 0, or an :class:`InvalidArgument` naming it."""
    rad = exact(radius, name)
    if rad <= 0:
        raise InvalidArgument(f"{name}={rad} must be positive: a witness lies within max-norm "
                              f"distance {name} > 0 of the point, e.g. {name}=1/1000.")
    return rad


def _long(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` run with Python's int <-> str digit limit lifted (:func:`long_integers`): the
    exact points of large problems have numerators of more than 4,300 digits, Python's default
    limit (a guard against parsing untrusted text, which happens nowhere here)."""
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        with long_integers():
            return fn(*args, **kwargs)

    return run


class Certificate:
    """Base of every certificate (see the module docstring for the members).

    Subclasses are frozen dataclasses with fields ``params``, ``dataset``, ``verdict`` and
    ``loss`` and their evidence, and implement ``_reason``, ``_proof_lines``, ``_evidence``,
    ``_from_dict``, ``_check_evidence`` and ``_witness``; ``title`` is the heading of the
    proof. Kinds whose loss is an enclosure override ``loss_at`` and ``_check_loss``.
    """

    kind: ClassVar[str] = "abstract"
    title: ClassVar[tuple[str, ...]] = ()  # heading lines of the proof text
    # check() requires a witness within each of these radii of a "not a local minimum" point
    witness_check_radii: ClassVar[tuple[Fraction, ...]] = (Fraction(1), Fraction(1, 10**6))

    params: Any
    dataset: Any
    verdict: Verdict
    loss: Any  # Fraction, or Enclosure

    # -- verdict ---------------------------------------------------------------------------
    @property
    def is_local_minimum(self) -> bool | None:
        """True (proven minimum), False (proven not), None (undecided: see ``reason``)."""
        return self.verdict.as_bool

    @property
    def status(self) -> str:
        return self.verdict.value

    # -- derived texts ------------------------------------------------------------------------
    @property
    @_long
    def reason(self) -> str:
        """One line: why (the failing condition, the proof's key step, or what was tried),
        derived from the evidence."""
        return self._reason()

    def _reason(self) -> str:  # pragma: no cover - every kind overrides it
        raise NotImplementedError

    def _proof_lines(self) -> list[str]:  # pragma: no cover - every kind overrides it
        raise NotImplementedError

    @_long
    def render(self, witness_hint: str = WITNESS_HINT) -> str:
        """The proof text: the kind's heading and proof lines (a nested certificate's lines
        included), with ``witness_hint`` for the line saying how to get the lower point."""
        lines = [*self.title, *self._proof_lines()]
        return "\n".join(witness_hint if line == WITNESS_HINT else line for line in lines)

    @property
    def proof_text(self) -> str:
        """The proof, for a person to check by hand (:meth:`render`)."""
        return self.render()

    def __str__(self) -> str:
        return self.proof_text

    def __repr__(self) -> str:
        """One short line: the class, verdict, loss and point (the proof is ``str``)."""
        point = str(self.params)
        if len(point) > 100:  # a large network: its shape, not its numbers
            point = f"{type(self.params).__name__} with {len(self.params.parameters())} parameters"
        return (f"<{type(self).__name__}: {self.status}, loss {self.loss}, at {point}, "
                f"n = {len(self.dataset.y)} points>")

    def _repr_markdown_(self) -> str:
        """Notebook display: the verdict, the loss in LaTeX, then the proof, its long exact
        numbers shortened to decimals and digit counts and at most 80 lines (the exact proof
        is ``print(cert)`` / ``cert.proof_text``, issue 25 item 9)."""
        from .display import short_numbers, short_text

        loss = self._loss_tex()
        head = (f"**{self.status}** ({self.kind}); {self._loss_words()} "
                f"${loss if len(loss) <= 80 else short_numbers(loss)}$")
        body = short_text(self.proof_text, max_lines=80, more=": print(cert) for the whole proof")
        return head + "\n\n" + "```text\n" + body + "\n```"

    def _repr_latex_(self) -> str:
        """The loss, for front ends that show LaTeX only."""
        return f"${self._loss_tex()}$ ({self.status})"

    def _loss_words(self) -> str:
        return "enclosed loss" if isinstance(self.loss, Enclosure) else "exact loss"

    def _loss_tex(self) -> str:
        if isinstance(self.loss, Enclosure):  # the loss is not rational: its proven interval
            return f"L \\in \\text{{{self.loss}}}"
        return f"L = {latex(self.loss)}"

    # -- witnesses --------------------------------------------------------------------------
    def witness(self, radius: Any = WITNESS_RADIUS) -> Any:
        """A point within max-norm ``radius`` with proven strictly lower loss, or None.

        None unless the verdict is "not a local minimum". The point is computed from the stored
        evidence by an exact step (:func:`witness_along`), at any scale of input.
        """
        rad = positive_radius(radius)
        if self.verdict is not Verdict.NOT_MINIMUM:
            return None
        return self._witness(rad)

    def _witness(self, radius: Fraction) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def loss_at(self, point: Any) -> Fraction | Enclosure:
        """The loss of another point of the same model on ``dataset`` (exact here)."""
        return point.loss(self.dataset)

    # -- re-verification ---------------------------------------------------------------------
    @_long
    def check(self) -> bool:
        """Re-verify the stored evidence against ``params`` and ``dataset``.

        Raises :class:`~relu_minima.errors.CertificateError` on any mismatch; returns True.
        """
        require(isinstance(self.verdict, Verdict), f"verdict={self.verdict!r} is not a Verdict")
        try:
            self._check_loss()
            self._check_evidence()
            if self.verdict is Verdict.NOT_MINIMUM:
                for rad in self.witness_check_radii:
                    w = self.witness(rad)
                    require(w is not None and w.distance(self.params) <= rad
                            and strictly_below(self.loss_at(w), self.loss),
                            f"no strictly lower point within radius {rad} along the evidence")
            require(bool(self.reason), "the certificate gives no reason")
        except ReluMinimaError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, AttributeError,
                ZeroDivisionError) as err:  # pieces of evidence of the wrong shape or kind
            raise CertificateError(f"the certificate's evidence does not fit together: "
                                   f"{err!r}") from None
        return True

    def _check_loss(self) -> None:
        require(self.loss == self.params.loss(self.dataset),
                f"stored loss {self.loss} is not the loss of params on dataset")

    def _check_evidence(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    # -- JSON ----------------------------------------------------------------------------------
    def _evidence(self) -> dict[str, Any]:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def schema_version(self) -> int:
        """2, or 3 for a network with several outputs (the one-output schema is unchanged)."""
        k = getattr(self.dataset, "k", 1)
        return SEVERAL_OUTPUTS_VERSION if k > 1 else SCHEMA_VERSION

    @_long
    def to_dict(self) -> dict[str, Any]:
        """The certificate as JSON-able data, exact numbers as strings (schema in docs/)."""
        w = (find_witness(self, WITNESS_RADIUS) if self.verdict is Verdict.NOT_MINIMUM
             else None)
        return {
            "schema": SCHEMA,
            "schema_version": self.schema_version,
            "kind": self.kind,
            "verdict": self.verdict.value,
            "is_local_minimum": self.is_local_minimum,
            "loss": str(self.loss),
            "reason": self.reason,
            "params": self.params.to_json(),
            "dataset": self.dataset.to_json(),
            "evidence": self._evidence(),
            "witness": None if w is None else w.to_dict(),
            "proof_text": self.proof_text,
        }

    def to_json(self, indent: int | None = None) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict(), indent=indent)

    def to_smtlib(self, radius: Any = None) -> str:
        """The certificate's claim as an SMT-LIB 2 script (``z3 FILE.smt2``): every check in it
        answered as its comment expects proves the claim. ``radius`` None: the certificate's
        own radius, else a documented default (:func:`relu_minima.verify.smt.sentence_of`)."""
        from .smt import sentence_of

        return sentence_of(self, radius).text

    @staticmethod
    def from_json(text: str | dict[str, Any]) -> Certificate:
        """Read a certificate written by :meth:`to_json`; then ``check()`` re-verifies it.

        Reading rebuilds the stored evidence without deciding anything, then derives every
        other field from it (verdict flag, reason, proof text, witness, the kind's derived
        evidence) and compares: an edited field is refused here, an edited piece of evidence
        by ``check()``. A version-1 file is read too; its texts and witness are not compared
        but derived anew (they are what is printed).
        """
        try:
            data = json.loads(text) if isinstance(text, str) else text
        except json.JSONDecodeError as err:
            raise ShapeError(f"text is not JSON: {err}") from None
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise ShapeError(f"text is not a relu_minima certificate (schema {SCHEMA!r}).")
        version = data.get("schema_version")
        if version not in READABLE_VERSIONS:
            raise ShapeError(f"schema_version={version!r}: this library reads versions "
                             f"{', '.join(map(str, READABLE_VERSIONS))}.")
        kind = data.get("kind")
        if kind not in _KINDS:
            _load_kinds()
        if kind not in _KINDS:
            raise ShapeError(f"kind={kind!r} is not a certificate kind; known: {sorted(_KINDS)}.")
        with long_integers():  # numbers of any length, as written by to_dict
            try:
                cert = _KINDS[kind]._from_dict(data)
                if version in (SCHEMA_VERSION, SEVERAL_OUTPUTS_VERSION):
                    _compare_or_explain(cert, {k: v for k, v in data.items()
                                               if k not in COMMAND_LINE_EXTRAS})
                else:  # version 1: the fields version 2 still has must agree
                    fresh = cert.to_dict()
                    for key in ("verdict", "is_local_minimum", "loss", "params", "dataset"):
                        _compare(fresh[key], data.get(key), key)
            except ReluMinimaError:
                raise
            except (KeyError, TypeError, ValueError, IndexError, AttributeError) as err:
                raise CertificateError(f"the certificate's data do not fit together: {err!r}"
                                       ) from None
        return cert

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> Certificate:  # pragma: no cover
        raise NotImplementedError


def _compare_or_explain(cert: Certificate, data: dict[str, Any]) -> None:
    """Compare ``data`` with what ``cert`` (read from it) derives; on a mismatch, the cause
    ``check()`` names (an edited piece of evidence) is the better message, else the field."""
    try:
        _compare(json.loads(json.dumps(cert.to_dict())), data, "")  # as JSON: lists, not tuples
    except CertificateError:
        cert.check()
        raise


def _compare(derived: Any, stored: Any, path: str) -> None:
    """Raise :class:`CertificateError` at the first field where ``stored`` (read from JSON)
    differs from ``derived`` (written from the evidence rebuilt from it)."""
    where = path or "the certificate"
    if isinstance(derived, dict) and isinstance(stored, dict):
        extra = sorted(set(stored) - set(derived))
        require(not extra, f"field {path + '.' if path else ''}{extra[0] if extra else ''} is "
                "not part of this certificate's schema")
        for key, value in derived.items():
            require(key in stored, f"field {path + '.' if path else ''}{key} is missing")
            _compare(value, stored[key], f"{path}.{key}" if path else key)
        return
    if isinstance(derived, list) and isinstance(stored, list):
        require(len(derived) == len(stored), f"field {where} has {len(stored)} entries; the "
                f"evidence gives {len(derived)}")
        for k, (a, b) in enumerate(zip(derived, stored, strict=True)):
            _compare(a, b, f"{path}[{k}]")
        return
    require(type(derived) is type(stored) and derived == stored,
            f"field {where} = {_short(stored)} is not what the certificate's evidence gives "
            f"({_short(derived)}): the certificate was edited")


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _load_kinds() -> None:
    """Import the modules that define certificate kinds (they register on import)."""
    import importlib

    for name in ("shallow.criterion", "deep.certificate", "smooth.box_certificate",
                 "smooth.point_certificate",
                 "globalmin.search", "deep.restricted"):
        try:
            importlib.import_module(f"{__package__}.{name}")
        except ImportError:  # an optional kind (e.g. needing python-flint) is not installed
            pass


# -- one witness search for every descent-based certificate ---------------------------------
def witness_along(deep: Any, dataset: Any, direction: Sequence[Fraction], radius: Fraction,
                  convert: Callable[[Any], Any] = lambda net: net) -> Any:
    """The exact point theta + eps u, inside max-norm ``radius``, with strictly lower loss.

    ``deep`` is the point as a layered network (``weights``/``biases``), ``direction`` a flat
    descent direction u. The step comes from the loss germ and its validity radius
    (:mod:`relu_minima.exact.germs`), so it is exact at any scale; the lower loss is checked
    exactly before the point is returned (``convert`` maps it back to the caller's model).
    """
    germ, valid = loss_germ_and_radius(deep, dataset, direction)
    top = max(abs(t) for t in direction)
    require(top > 0, "the descent direction is zero")
    step = descent_step(germ, valid, radius / top)
    require(step is not None, "the stored direction is not a descent direction: the loss germ "
            f"{[str(t) for t in germ]} does not decrease")
    base = deep.parameters()
    point = deep.with_parameters([a + step * u for a, u in zip(base, direction, strict=True)])
    require(point.loss(dataset) < germ[0] if germ else False,
            "the step along a proven descent direction did not lower the loss (a bug: please "
            "report it)")
    return convert(point)


def fraction_list(values: Sequence[Any] | None) -> list[str] | None:
    """Exact numbers as strings (JSON), None kept."""
    return None if values is None else [str(t) for t in values]


def parse_fractions(values: Sequence[str] | None) -> tuple[Fraction, ...] | None:
    """Inverse of :func:`fraction_list`."""
    return None if values is None else tuple(Fraction(t) for t in values)
