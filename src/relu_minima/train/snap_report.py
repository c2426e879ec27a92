"""The :class:`SnapReport`: what ``snap`` did, what it proved, and what is only evidence."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..errors import InvalidArgument, require
from ..exact.datasets import Dataset
from ..exact.enclosure import Enclosure, strictly_below
from ..verify.display import short_numbers, short_text
from .cell_snap import up3
from .rationals import long_integers

__all__ = ["STATUSES", "SnapReport", "certificate_dict", "same_parameterisation"]

MINIMUM = "local minimum"
NOT_MINIMUM = "not a local minimum"
UNDECIDED = "undecided"
NOT_NEAR = "not near a stationary point"
STATUSES = (MINIMUM, NOT_MINIMUM, UNDECIDED, NOT_NEAR)
MAX_LINES = 120  # str(report): the summary and the start of the proof (issue 25, item 9)


def certificate_dict(cert: Any) -> dict[str, Any]:
    """The certificate as a JSON-able dict (``to_dict()``, or an older ``to_json()`` dict)."""
    if hasattr(cert, "to_dict"):
        return cert.to_dict()
    data = cert.to_json()
    return json.loads(data) if isinstance(data, str) else data


def _num(x: Any) -> str:
    text = str(x)
    if len(text) <= 40:
        return text
    if isinstance(x, Fraction):
        num, den = len(str(abs(x.numerator))), len(str(x.denominator))
        return f"{float(x):.12g} (exact: {num}/{den} digits; report.exact)"
    return short_numbers(text)


@dataclass(frozen=True)
class SnapReport:
    """The result of :func:`relu_minima.train.snap`.

    ``status`` is one of "local minimum", "not a local minimum" (both proved by
    ``certificate``), "undecided" (deep networks: the certificate proves neither; see
    ``evidence``) or "not near a stationary point" (no exact point close to the trained one was
    found: no certificate is claimed, ``gradient_norm`` is the evidence).
    """

    status: str
    params: Any | None  # the exact snapped point
    dataset: Dataset
    certificate: Any | None
    trained: Any  # the trained point as an exact model (the doubles' binary values)
    trained_loss: float  # float64, numpy backend
    gradient_norm: float  # float64 at the trained point (relu'(0) = 0): evidence
    snapped_loss: Fraction | Enclosure | None  # an enclosure for box and cell certificates
    distance: Fraction | None  # max-norm, snapped vs trained (binary values)
    kink_pairs: tuple[tuple[int, int], ...]  # (unit, point), 0-based; exact zeros
    attempts: tuple[str, ...]
    evidence: dict[str, Any] = field(default_factory=dict)
    lower_point: Any | None = None  # an exact point of the same shape with lower loss
    lower_loss: Fraction | None = None
    lower_source: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def is_local_minimum(self) -> bool | None:
        """True / False when proved by the certificate, None otherwise."""
        return None if self.status in (UNDECIDED, NOT_NEAR) else self.status == MINIMUM

    @property
    def bad_local_minimum(self) -> bool:
        """A proven local minimum, and an explicit point with strictly lower exact loss."""
        return self.status == MINIMUM and self.lower_point is not None

    @property
    def exit_code(self) -> int:
        """As ``relu-minima verify``: 0 minimum, 1 not a minimum, 3 undecided / not near."""
        return {MINIMUM: 0, NOT_MINIMUM: 1}.get(self.status, 3)

    def witness(self, radius: Any) -> Any | None:
        """A point within max-norm ``radius`` of the snapped point with strictly lower exact
        loss (the certificate's witness), or None when there is none to give."""
        if self.certificate is None or self.status != NOT_MINIMUM:
            return None
        return self.certificate.witness(radius)

    # -- presentation ------------------------------------------------------------------------------
    def summary(self) -> list[str]:
        lines = [
            "Snap of a trained network to an exact point (relu_minima.train.snap)",
            "=" * 76,
            f"Trained point: loss {self.trained_loss!r} (float64); gradient norm "
            f"{self.gradient_norm:.3g} (float64, relu'(0) = 0: evidence, not proof).",
        ]
        if self.params is None:
            why = [a for a in self.attempts if a.startswith("not near a stationary point: ")]
            detail = why[-1][len("not near a stationary point: "):] if why else ""
            detail = detail.removesuffix("; no certificate is claimed")
            lines.append("No exact point near the trained one was found; no certificate is "
                         "claimed." + (f" The {detail.removeprefix('the ')}." if detail else ""))
        else:
            what = "exact loss" if isinstance(self.snapped_loss, Fraction) else "loss in"
            lines.append(f"Snapped point: {what} {_num(self.snapped_loss)}; max-norm distance "
                         f"{float(self.distance):.3g} from the trained point.")
            pairs = ", ".join(f"({j + 1}, {i + 1})" for j, i in self.kink_pairs[:20])
            more = " ..." if len(self.kink_pairs) > 20 else ""
            lines.append("Kink pairs (unit, point), 1-based, exactly on a kink: "
                         + (pairs + more if pairs else "none") + ".")
        lines.append(f"Verdict: {self.status.upper()}"
                     + (" (proved by the certificate below)." if self.status in
                        (MINIMUM, NOT_MINIMUM) else "."))
        cert = self.certificate
        if getattr(cert, "kind", None) == "smooth" and cert.radius is not None:
            lines.append(self._smooth_sentence())
        if getattr(cert, "kind", None) == "shallow-relu-cell":
            bound = cert.distance_bound
            lines.append(f"About: the exact minimiser theta* of the snapped point's activation "
                         f"cell, within max-norm {up3(bound)} of the snapped point (a short "
                         f"centre) and {up3(bound + self.distance)} of the trained point; "
                         "the verdict is about theta*, not about either point.")
        if self.bad_local_minimum:
            below = (f"{_num(self.snapped_loss)}" if not isinstance(self.snapped_loss, Enclosure)
                     else f"{_num(self.snapped_loss.lower)}, the lower end of the enclosure "
                     f"{_num(self.snapped_loss)} of the minimum's loss")
            lines.append(f"BAD LOCAL MINIMUM, PROVEN: {self.lower_source} has exact loss "
                         f"{_num(self.lower_loss)} < {below} (the point is in "
                         "to_dict()['lower_point']).")
        for key, value in self.evidence.items():
            lines.append(f"  evidence {key}: {value}")
        lines.append("How:")
        lines.extend(f"  - {a}" for a in self.attempts)
        return lines

    def _smooth_sentence(self) -> str:
        """What a box certificate's verdict is about (docs/smooth.md): never the snapped point
        (the box centre) nor the trained point themselves."""
        cert = self.certificate
        box = f"the box snapped point +- {cert.radius}"
        if cert.verdict.value == NOT_MINIMUM and cert.krawczyk_bound is None:
            return (f"About: no point inside {box} is a local minimum (strict concavity along "
                    "an exact direction over the whole box).")
        bound = cert.krawczyk_bound
        return (f"About: the critical point theta* in {box}, within max-norm {float(bound):.3g} "
                f"of the snapped point (the box centre) and {float(bound + self.distance):.3g} "
                "of the trained point; the verdict is about theta*, not about either point.")

    def __str__(self) -> str:
        """The summary and the certificate's proof, long exact numbers shortened to a decimal
        and their digit counts (issue 25, item 9); the exact values: :meth:`exact`,
        ``certificate.proof_text``, :meth:`to_json`."""
        with long_integers():  # snapped points of large problems have > 4300-digit numbers
            text = "\n".join(self.summary())
            if self.certificate is not None:
                text += "\n\n" + str(self.certificate)
            return short_text(text, max_lines=MAX_LINES,
                              more=": the whole proof is str(report.certificate)")

    def __repr__(self) -> str:
        where = "" if self.distance is None else f", distance {float(self.distance):.3g}"
        loss = "" if self.snapped_loss is None else f", loss {_num(self.snapped_loss)}"
        return f"<SnapReport: {self.status}{loss}{where}; str() for the proof>"

    def _repr_markdown_(self) -> str:
        """Notebook display: the verdict, the summary (numbers shortened) and how to get the
        exact values; the proof is ``print(report)``."""
        with long_integers():
            body = short_text("\n".join(self.summary()[2:]), max_lines=40)
        return (f"**SnapReport: {self.status}** (exit code {self.exit_code})\n\n```text\n{body}\n"
                "```\n\nExact values: `report.exact('params')`, `report.exact('snapped_loss')`,"
                " `report.to_json()`; the proof: `print(report)` or "
                "`report.certificate.proof_text`.")

    def _repr_html_(self) -> str:
        import html

        with long_integers():
            body = html.escape(short_text("\n".join(self.summary()[2:]), max_lines=40))
        return (f"<p><b>SnapReport: {html.escape(self.status)}</b> (exit code "
                f"{self.exit_code})</p><pre>{body}</pre><p>Exact values: "
                "<code>report.exact('params')</code>, <code>report.to_json()</code>.</p>")

    EXACT_FIELDS = ("params", "snapped_loss", "distance", "lower_point", "lower_loss",
                    "trained", "kink_pairs")

    def exact(self, name: str) -> Any:
        """The exact value of a field the display shortens (``params``, ``snapped_loss``,
        ``distance``, ``lower_point``, ``lower_loss``, ``trained``, ``kink_pairs``)."""
        if name not in self.EXACT_FIELDS:
            raise InvalidArgument(f"exact({name!r}): the exact fields are "
                                  f"{', '.join(self.EXACT_FIELDS)}.")
        return getattr(self, name)

    # -- re-verification ---------------------------------------------------------------------
    def check(self) -> bool:
        """Re-verify every sentence the report prints (issue 22, items 1-2): the certificate
        (its own ``check()``) is about ``params`` and ``dataset`` and gives ``status``;
        ``snapped_loss``, ``distance`` and ``kink_pairs`` are those of ``params``; a lower point
        lies in ``params``' own parameterisation (same bias flags, same frozen values) and its
        exact loss is ``lower_loss`` < ``snapped_loss``. Raises CertificateError; returns True."""
        with long_integers():
            if self.status == NOT_NEAR:
                require(self.params is None and self.certificate is None
                        and self.lower_point is None, "'not near' claims nothing")
                return True
            cert = self.certificate
            require(cert is not None and cert.params == self.params
                    and cert.dataset == self.dataset, "the certificate is about another point")
            cert.check()
            require(cert.status == self.status, f"status {self.status!r} is not the "
                    f"certificate's verdict {cert.status!r}")
            require(str(self.snapped_loss) == str(cert.loss), "snapped_loss is not the "
                    "certificate's loss")
            require(self.distance == _distance(self.params, self.trained),
                    "distance is not the max-norm distance from the trained point")
            self._check_lower()
        return True

    def _check_lower(self) -> None:
        if self.lower_point is None:
            require(self.lower_loss is None, "a lower loss without a lower point")
            return
        require(self.status == MINIMUM, "'bad' is only said of a local minimum")
        require(same_parameterisation(self.lower_point, self.params),
                "the lower point is not a point of the trained network's parameterisation "
                f"({self.params.space.describe()})")
        require(self.lower_point.loss(self.dataset) == self.lower_loss
                and strictly_below(self.lower_loss, self.snapped_loss),
                "the lower point's exact loss is not the stated one, below the snapped loss")

    def to_dict(self) -> dict[str, Any]:
        """Everything as JSON-able values, exact numbers as strings."""
        with long_integers():
            return self._to_dict()

    def _to_dict(self) -> dict[str, Any]:
        def s(x: Any) -> str | None:
            return None if x is None else str(x)

        return {
            "schema": "relu-minima-snap-report",
            "schema_version": 1,
            "status": self.status,
            "is_local_minimum": self.is_local_minimum,
            "bad_local_minimum": self.bad_local_minimum,
            "trained_loss": self.trained_loss,
            "gradient_norm": self.gradient_norm,
            "snapped_loss": s(self.snapped_loss),
            "distance": s(self.distance),
            "kink_pairs": [{"unit": j + 1, "point": i + 1} for j, i in self.kink_pairs],
            "params": None if self.params is None else self.params.to_json(),
            "trained_params": self.trained.to_json(),
            "certificate": None if self.certificate is None
            else certificate_dict(self.certificate),
            "lower_point": None if self.lower_point is None else {
                "source": self.lower_source, "loss": s(self.lower_loss),
                "params": self.lower_point.to_json()},
            "evidence": dict(self.evidence),
            "attempts": list(self.attempts),
            "options": dict(self.options),
            "summary": "\n".join(self.summary()),
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent)


def _distance(a: Any, b: Any) -> Fraction:
    from ..exact.deep_relu import DeepReLU
    from ..exact.shallow_relu import ShallowReLU

    if type(a) is type(b) and hasattr(a, "distance"):
        return a.distance(b)
    a = DeepReLU.from_shallow(a) if isinstance(a, ShallowReLU) else a
    b = DeepReLU.from_shallow(b) if isinstance(b, ShallowReLU) else b
    return a.distance(b)


def same_parameterisation(a: Any, b: Any) -> bool:
    """Same activation, bias flags, frozen names and values (a point of one is a point of the
    other's parameter set)."""
    if getattr(a, "negative_slope", 0) != getattr(b, "negative_slope", 0):
        return False
    sa, sb = getattr(a, "space", None), getattr(b, "space", None)
    if sa is None or sb is None or sa.bias != sb.bias or set(sa.frozen) != set(sb.frozen):
        return False
    ta, tb = a.parameters(), b.parameters()
    return all(ta[k] == tb[k] for k, moving in enumerate(sa.moving) if not moving)
