"""The witness of a "not a local minimum" verdict, computed and written in one place.

A witness is a point within max-norm ``radius`` of the certificate's point whose loss is proven
strictly lower: an exact loss for ReLU networks, an :class:`~relu_minima.exact.enclosure.Enclosure`
for sigmoid/tanh ones. :func:`find_witness` computes it from the certificate's evidence
(``cert.witness``), :class:`Witness` writes it: one sentence (the test assertions and both
commands of the command line print it) and one JSON block (the certificate's ``witness``
field and the command line's ``witness_within_radius``). :func:`no_witness_sentence` says why
there is none.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..exact.enclosure import Enclosure
from ..exact.numbers import exact

__all__ = ["Witness", "find_witness", "no_witness_sentence"]


@dataclass(frozen=True)
class Witness:
    """A point within ``radius`` of the certificate's point, ``distance`` from it, with
    ``loss`` proven strictly below the certificate's ``base_loss``."""

    radius: Fraction
    point: Any
    distance: Fraction
    loss: Fraction | Enclosure
    base_loss: Fraction | Enclosure

    def sentence(self, subject: str = "the point") -> str:
        """"within max-norm radius r of <subject> (distance d): exact loss L' < L (...)"."""
        head = f"within max-norm radius {self.radius} of {subject} (distance {self.distance}): "
        if isinstance(self.loss, Enclosure) or isinstance(self.base_loss, Enclosure):
            return (head + f"loss in {self.loss} < {self.base_loss} (interval arithmetic: every "
                    "value of the first lies below every value of the second)")
        return (head + f"exact loss {self.loss} < {self.base_loss} "
                f"(decrease {self.base_loss - self.loss})")

    def to_dict(self) -> dict[str, Any]:
        """Exact numbers as strings; ``params`` in the model's own JSON format."""
        return {"radius": str(self.radius), "params": self.point.to_json(),
                "loss": str(self.loss), "distance": str(self.distance)}


def find_witness(cert: Any, radius: Any) -> Witness | None:
    """The witness of ``cert`` within ``radius`` (None unless a lower point is proven there)."""
    point = cert.witness(radius)
    if point is None:
        return None
    return Witness(exact(radius, "radius"), point, point.distance(cert.params),
                   cert.loss_at(point), cert.loss)


def no_witness_sentence(cert: Any, radius: Any, subject: str = "the point") -> str:
    """Why ``cert`` gives no witness within ``radius``, from its verdict."""
    if cert.is_local_minimum is True:
        return f"{subject} is a local minimum."
    if cert.is_local_minimum is None:
        return f"the verdict is {cert.status}, so no lower point is known."
    return (f"no point of proven lower loss within max-norm radius {radius} of {subject} follows "
            "from the stored evidence (the decrease is below the resolution of the loss "
            "enclosure there); a larger radius may give one.")
