"""Arithmetic contexts (as in mpmath's): one algorithm, run in float64, complex128, exact
Fractions or mpmath numbers. :mod:`relu_minima.numeric.backend` is written once against them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import ReluMinimaError


# -- arithmetic contexts --------------------------------------------------------------------
@dataclass(frozen=True)
class Context:
    """The arithmetic an algorithm runs in: dtype, activations and loss terms.

    ``activation(name, z, negative_slope)`` returns (s(z), s'(z)) with relu'(0) = 0 (the
    leaky relu's slope there is its negative slope); ``loss_terms(name, f, y)``
    returns (per-point loss, dL/df). Only these functions differ between contexts.
    """

    name: str
    dtype: Any
    exp: Callable[[Any], Any]
    log1p: Callable[[Any], Any]
    tanh: Callable[[Any], Any]
    positive: Callable[[Any], Any]  # the mask z > 0 (real part for complex numbers)
    zero: Any = 0.0
    one: Any = 1.0

    def asarray(self, values: Any) -> np.ndarray:
        if self.dtype is object:
            return np.array(values, dtype=object)
        return np.asarray(values, dtype=self.dtype)

    def sigmoid(self, z: np.ndarray) -> np.ndarray:
        pos = self.positive(z)
        with np.errstate(over="ignore", invalid="ignore"):
            e = self.exp(np.where(pos, -z, z))  # exp of a non-positive number: no overflow
        return np.where(pos, self.one / (self.one + e), e / (self.one + e))

    def softplus(self, t: np.ndarray) -> np.ndarray:
        """log(1 + exp(t)), written so that no branch overflows."""
        pos = self.positive(t)
        with np.errstate(over="ignore", invalid="ignore"):
            e = self.exp(np.where(pos, -t, t))
        return np.where(pos, t, self.zero) + self.log1p(e)

    def activation(self, name: str, z: np.ndarray,
                   negative_slope: Fraction = Fraction(0)) -> tuple[np.ndarray, np.ndarray]:
        if name == "relu":  # with a negative slope s: s z and slope s where z <= 0
            mask = self.positive(z)
            s = Fraction(negative_slope)
            if s == 0:
                return np.where(mask, z, self.zero), np.where(mask, self.one, self.zero)
            low = self.one * s.numerator / s.denominator  # s in this context's numbers
            return np.where(mask, z, low * z), np.where(mask, self.one, low)
        if name == "sigmoid":
            s = self.sigmoid(z)
            return s, s * (self.one - s)
        t = self.tanh(z)
        return t, self.one - t * t

    def loss_terms(self, name: str, f: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if name == "squared":
            r = f - y
            return r * r, 2 * r
        t = -y * f
        return self.softplus(t), -y * self.sigmoid(t)


def _unavailable(what: str) -> Callable[[Any], Any]:
    def refuse(_: Any) -> Any:
        raise ReluMinimaError(
            f"{what} is not rational, so the EXACT context cannot evaluate it; use "
            "mp_context(dps) for any precision or relu_minima.exact.smooth_net for sympy "
            "expressions."
        )

    return refuse


FLOAT = Context("float64", np.float64, np.exp, np.log1p, np.tanh, lambda z: z > 0)
COMPLEX = Context("complex128", np.complex128, np.exp, np.log1p, np.tanh, lambda z: z.real > 0)
EXACT = Context(
    "exact", object, _unavailable("exp"), _unavailable("log"), _unavailable("tanh"),
    lambda z: z > 0, Fraction(0), Fraction(1),
)


def mp_context(dps: int = 50) -> Context:
    """Object arrays of mpmath numbers at ``dps`` decimal digits (set while evaluating)."""
    import mpmath

    ctx = mpmath.MPContext()
    ctx.dps = dps

    def ufunc(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        vec = np.frompyfunc(lambda t: fn(ctx.mpf(t)), 1, 1)
        return lambda z: vec(z)

    return Context(f"mpmath(dps={dps})", object, ufunc(ctx.exp), ufunc(ctx.log1p),
                   ufunc(ctx.tanh), lambda z: z > 0, ctx.mpf(0), ctx.mpf(1))
