"""The one certificate type: every decision of the library returns a :class:`Certificate`.

A certificate is a verdict (:class:`Verdict`) on one question (is ``params`` a local minimum of
the loss on ``dataset``?) together with the evidence that proves it. Its members are the same
for every kind of network:

* ``verdict``, ``is_local_minimum`` (True / False / None), ``status``, ``loss``, ``reason``;
* ``proof_text`` (also ``str(cert)``): the proof, for a person to check by hand;
* ``witness(radius)``: for "not a local minimum", an exact point within max-norm ``radius``
  with strictly lower loss (found along the stored descent direction by an exact step, never a
  search), else None;
* ``check()``: re-verifies the *stored evidence* against ``params`` and ``dataset`` (it does
  not re-run the decision), raises :class:`~relu_minima.errors.CertificateError` on any
  mismatch, and returns True;
* ``to_dict()`` / ``to_json()`` and :meth:`Certificate.from_json`: one JSON schema for every
  kind (``docs/certificates.md``), exact numbers as strings, so a certificate written to disk
  can be re-checked later;
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
from ..exact.germs import descent_step, loss_germ_and_radius
from ..exact.numbers import exact, latex, long_integers

__all__ = [
    "SCHEMA",
    "SCHEMA_VERSION",
    "Certificate",
    "Verdict",
    "positive_radius",
    "register_certificate",
    "witness_along",
]

SCHEMA = "relu-minima-certificate"
SCHEMA_VERSION = 1


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
    """``fn`` run with Python's int <-> str digit limit lifted (:func:`long_integers`)."""
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        with long_integers():
            return fn(*args, **kwargs)

    return run


class Certificate:
    """Base of every certificate (see the module docstring for the members).

    Subclasses are frozen dataclasses with fields ``params``, ``dataset``, ``verdict``, ``loss``
    and ``reason``, and implement ``_evidence``, ``_from_dict``, ``_check_evidence`` and
    ``proof_text``; descent-based ones store a flat ``direction``.
    """

    kind: ClassVar[str] = "abstract"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every subclass's proof text and check print exact numbers of any length: the exact
        points of large problems have numerators of more than 4,300 digits, Python's default
        limit on int <-> str conversion (a guard against parsing untrusted text, which
        happens nowhere here)."""
        super().__init_subclass__(**kwargs)
        prop = cls.__dict__.get("proof_text")
        if isinstance(prop, property) and prop.fget is not None:
            cls.proof_text = property(_long(prop.fget))  # type: ignore[assignment]
        if "check" in cls.__dict__:
            cls.check = _long(cls.__dict__["check"])  # type: ignore[method-assign]

    params: Any
    dataset: Any
    verdict: Verdict
    loss: Any
    reason: str

    # -- verdict ---------------------------------------------------------------------------
    @property
    def is_local_minimum(self) -> bool | None:
        """True (proven minimum), False (proven not), None (undecided: see ``reason``)."""
        return self.verdict.as_bool

    @property
    def status(self) -> str:
        return self.verdict.value

    # -- presentation -----------------------------------------------------------------------
    @property
    def proof_text(self) -> str:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def __str__(self) -> str:
        return self.proof_text

    def __repr__(self) -> str:
        """One short line: the class, verdict, exact loss and point (the proof is ``str``)."""
        point = str(self.params)
        if len(point) > 100:  # a large network: its shape, not its numbers
            point = f"{type(self.params).__name__} with {len(self.params.parameters())} parameters"
        return (f"<{type(self).__name__}: {self.status}, loss {self.loss}, at {point}, "
                f"n = {len(self.dataset.y)} points>")

    def _repr_markdown_(self) -> str:
        """Notebook display: the verdict, the exact loss in LaTeX, then the proof."""
        head = f"**{self.status}** ({self.kind}); exact loss ${self._loss_tex()}$"
        return head + "\n\n" + "```text\n" + self.proof_text + "\n```"

    def _repr_latex_(self) -> str:
        """The exact loss, for front ends that show LaTeX only."""
        return f"${self._loss_tex()}$ ({self.status})"

    def _loss_tex(self) -> str:
        if isinstance(self.loss, (int, Fraction)):
            return f"L = {latex(self.loss)}"
        # an enclosure (smooth networks: the loss is not rational), as it prints itself
        return f"L \\in \\text{{{self.loss}}}"

    # -- witnesses --------------------------------------------------------------------------
    def witness(self, radius: Any = Fraction(1, 1000)) -> Any:
        """A point within max-norm ``radius`` with strictly lower exact loss, or None.

        None unless the verdict is "not a local minimum". The point is computed from the stored
        evidence by an exact step (:func:`witness_along`), at any scale of input.
        """
        rad = positive_radius(radius)
        if self.verdict is not Verdict.NOT_MINIMUM:
            return None
        return self._witness(rad)

    def _witness(self, radius: Fraction) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    # -- re-verification ---------------------------------------------------------------------
    @_long
    def check(self) -> bool:
        """Re-verify the stored evidence against ``params`` and ``dataset``.

        Raises :class:`~relu_minima.errors.CertificateError` on any mismatch; returns True.
        """
        require(isinstance(self.verdict, Verdict), f"verdict={self.verdict!r} is not a Verdict")
        require(self.loss == self.params.loss(self.dataset),
                f"stored loss {self.loss} is not the loss of params on dataset")
        require(bool(self.reason), "the certificate gives no reason")
        self._check_evidence()
        if self.verdict is Verdict.NOT_MINIMUM:
            for rad in (Fraction(1), Fraction(1, 10**6)):
                w = self.witness(rad)
                require(w is not None and w.distance(self.params) <= rad
                        and w.loss(self.dataset) < self.loss,
                        f"no strictly lower point within radius {rad} along the evidence")
        return True

    def _check_evidence(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    # -- JSON ----------------------------------------------------------------------------------
    def _evidence(self) -> dict[str, Any]:  # pragma: no cover - overridden
        raise NotImplementedError

    @_long
    def to_dict(self) -> dict[str, Any]:
        """The certificate as JSON-able data, exact numbers as strings (schema in docs/)."""
        w = self.witness() if self.verdict is Verdict.NOT_MINIMUM else None
        return {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "kind": self.kind,
            "verdict": self.verdict.value,
            "is_local_minimum": self.is_local_minimum,
            "loss": str(self.loss),
            "reason": self.reason,
            "params": self.params.to_json(),
            "dataset": self.dataset.to_json(),
            "evidence": self._evidence(),
            "witness": None if w is None else {"radius": "1/1000", "params": w.to_json(),
                                               "loss": str(w.loss(self.dataset))},
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

        Reading rebuilds the stored evidence without deciding anything, so tampering with the
        JSON (a verdict, a number, a ray) is caught by ``check()``, or here when the pieces do
        not fit together.
        """
        try:
            data = json.loads(text) if isinstance(text, str) else text
        except json.JSONDecodeError as err:
            raise ShapeError(f"text is not JSON: {err}") from None
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise ShapeError(f"text is not a relu_minima certificate (schema {SCHEMA!r}).")
        if data.get("schema_version") != SCHEMA_VERSION:
            raise ShapeError(f"schema_version={data.get('schema_version')!r}: this library reads "
                             f"version {SCHEMA_VERSION}.")
        kind = data.get("kind")
        if kind not in _KINDS:
            _load_kinds()
        if kind not in _KINDS:
            raise ShapeError(f"kind={kind!r} is not a certificate kind; known: {sorted(_KINDS)}.")
        with long_integers():  # numbers of any length, as written by to_dict
            try:
                cert = _KINDS[kind]._from_dict(data)
            except ReluMinimaError:
                raise
            except (KeyError, TypeError, ValueError, IndexError) as err:
                raise CertificateError(f"the certificate's data do not fit together: {err!r}"
                                       ) from None
            require(cert.verdict.value == data["verdict"],
                    "verdict field disagrees with the evidence")
            require(str(cert.loss) == data["loss"], "loss field disagrees")
        return cert

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> Certificate:  # pragma: no cover
        raise NotImplementedError


def _load_kinds() -> None:
    """Import the modules that define certificate kinds (they register on import)."""
    import importlib

    for name in ("shallow", "deep", "smooth", "global_min", "restricted"):
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
