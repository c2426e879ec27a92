"""The exceptions of relu_minima: one root, subclasses that are also ValueError/TypeError.

Every message quotes the offending argument as ``name=value`` (with its position, such as
``X[2][0]``) and says what to do instead.
"""

from __future__ import annotations

__all__ = [
    "CertificateError",
    "ClaimCheckError",
    "DimensionMismatch",
    "InexactNumberError",
    "InvalidArgument",
    "InvalidNumberError",
    "InvalidType",
    "MissingDependency",
    "NotDecentError",
    "ReluMinimaError",
    "ShapeError",
    "require",
]


class ReluMinimaError(Exception):
    """Root of every error this library raises on purpose."""


class InvalidNumberError(ReluMinimaError, ValueError):
    """A value is not a finite rational number (NaN, infinity, an unparsable string, sqrt(2))."""


class InexactNumberError(ReluMinimaError, TypeError):
    """A binary float was given where an exact rational is required."""


class ShapeError(ReluMinimaError, ValueError):
    """Ragged rows, wrong lengths, empty data, or shapes that do not fit together."""


class DimensionMismatch(ShapeError):
    """Parameters and dataset disagree on the input dimension d."""


class InvalidArgument(ReluMinimaError, ValueError):
    """An argument that is not a number is invalid: an unknown scheme name, a non-positive radius
    or budget, a bad option."""


class InvalidType(ReluMinimaError, TypeError):
    """An argument of the wrong kind of object (a list where a Dataset is needed, an unknown
    keyword)."""


class NotDecentError(ReluMinimaError, ValueError):
    """Theorem 1 (ii) needs a decent dataset (Definition 1) and this one is not."""


class CertificateError(ReluMinimaError, ValueError):
    """A certificate's stored evidence does not prove its verdict (raised by ``check()``).

    It means a forged or corrupted certificate, or a bug in this library: please report it.
    """


class MissingDependency(ReluMinimaError, ImportError):
    """An optional package (an extra such as ``relu-minima[digits]``) or a user-supplied data
    file is needed and absent; the message says what to install or pass."""


class ClaimCheckError(ReluMinimaError):
    """A fact that a check of the paper relies on did not hold; the check reports it failed."""


def require(condition: object, message: str,
            error: type[ReluMinimaError] = CertificateError) -> None:
    """Raise ``error(message)`` unless ``condition`` holds.

    The run-time replacement for ``assert`` (which ``python -O`` strips): every fact a verdict
    or a status depends on goes through here.
    """
    if not condition:
        raise error(message)
