"""The exceptions of relu_minima: one root, subclasses that are also ValueError/TypeError.

Every message quotes the offending argument as ``name=value`` (with its position, such as
``X[2][0]``) and says what to do instead.
"""

from __future__ import annotations

__all__ = [
    "CertificateError",
    "DimensionMismatch",
    "InexactNumberError",
    "InvalidNumberError",
    "ReluMinimaError",
    "ShapeError",
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


class CertificateError(ReluMinimaError):
    """Stored evidence does not prove what it claims (a forged or corrupted certificate, or a
    bug): raised by the re-verification, never by a decision."""
