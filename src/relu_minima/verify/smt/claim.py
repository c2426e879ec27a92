"""What an SMT sentence reads of a certificate: its claim, taken from the certificate's JSON as
written, never from the library's reasoning.

A certificate file is read field by field (``kind``, ``verdict``, ``loss``, ``params``,
``dataset``, the radius its proof claims, the witness point), without
:meth:`~relu_minima.verify.certificate.Certificate.from_json`, which would refuse an edited
file by the library's own checks: the point of a second checker is that a forged claim reaches
the solver, which refutes it. Only the models' readers (``ShallowReLU.from_json``,
``DeepReLU.from_json``, ``Dataset.from_json``) are used, to turn strings into exact numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ...errors import CertificateError
from ...exact.datasets import Dataset
from ...exact.deep_relu import DeepReLU
from ...exact.shallow_relu import ShallowReLU

__all__ = ["Claim", "claim_of"]

_MODELS = {"shallow-relu": ShallowReLU, "global-minimum": ShallowReLU,
           "deep-relu": DeepReLU, "restricted-deep": DeepReLU}


@dataclass(frozen=True)
class Claim:
    """A certificate's claim: ``verdict`` about ``params`` on ``dataset`` with loss ``loss``;
    ``radius`` the max-norm radius on which its proof says L >= L(theta) (None: no radius is
    claimed); ``witness`` the stated lower point of a "not a local minimum" verdict and
    ``witness_radius`` the radius it was given for."""

    kind: str
    verdict: str
    loss: Fraction
    params: Any
    dataset: Dataset
    reason: str
    radius: Fraction | None
    witness: Any | None
    witness_radius: Fraction | None

    @property
    def is_local_minimum(self) -> bool | None:
        return {"local minimum": True, "not a local minimum": False}.get(self.verdict)

    @property
    def status(self) -> str:
        return self.verdict

    def witness_within(self, radius: Fraction) -> Any | None:
        """The stated witness w, or the point theta + t (w - theta) of its segment at max-norm
        distance ``radius`` when w is farther (the sentence proves the whole segment lower)."""
        if self.witness is None:
            return None
        theta, w = self.params.parameters(), self.witness.parameters()
        far = max((abs(a - b) for a, b in zip(w, theta, strict=True)), default=Fraction(0))
        if far <= radius:
            return self.witness
        t = radius / far
        return self.params.with_parameters([a + t * (b - a)
                                            for a, b in zip(theta, w, strict=True)])


def _claimed_radius(data: dict[str, Any]) -> Fraction | None:
    """The radius a certificate's proof claims, read from its evidence: a one-hidden-layer
    minimum's ``radius``; a deep point's through its depth-2 certificate; a restricted one's
    through its inner certificate."""
    if data.get("verdict") != "local minimum":
        return None
    ev = data.get("evidence") or {}
    kind = data.get("kind")
    if kind == "shallow-relu":
        if ev.get("radius") is None:
            raise CertificateError("a shallow-relu 'local minimum' certificate carries no radius "
                                   "(evidence 'radius'): it is malformed")
        return Fraction(ev["radius"])
    inner = ev.get("shallow") if kind == "deep-relu" else ev.get("inner")
    if kind in ("deep-relu", "restricted-deep") and isinstance(inner, dict):
        return _claimed_radius(inner)
    return None


def claim_of(cert: Any) -> Claim:
    """The claim of ``cert``: a certificate object, its JSON text or the parsed JSON."""
    if isinstance(cert, str):
        data = json.loads(cert)
    elif isinstance(cert, dict):
        data = cert
    else:
        data = json.loads(cert.to_json())
    try:
        kind = data["kind"]
        model = _MODELS.get(kind)
        params = model.from_json(data["params"]) if model is not None else None
        w = data.get("witness")
        return Claim(kind, data["verdict"], Fraction(data["loss"]), params,
                     Dataset.from_json(data["dataset"]), str(data.get("reason", "")),
                     _claimed_radius(data),
                     None if not w or model is None else model.from_json(w["params"]),
                     None if not w else Fraction(w["radius"]))
    except (KeyError, TypeError, ValueError) as err:
        raise CertificateError(f"the certificate's claim cannot be read: {err!r}") from None
