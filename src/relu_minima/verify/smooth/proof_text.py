"""The human-readable proof of a SmoothCertificate (its ``__str__``), as lines.

Derived from the certificate's evidence, which ``check()`` recomputes. A printed bound is
rounded *outward* (an upper bound up, a lower bound down, to four significant digits), so that
the printed inequality is implied by the verified one; radii are printed exactly.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ...exact.enclosure import decimal_str
from ..certificate import Verdict
from .intervals import decimal_down, decimal_up, sci

__all__ = ["at_least", "at_most", "exact_radius", "proof_lines"]


def at_most(q: Fraction) -> str:
    """An upper bound, printed rounded up: "<= at_most(q)" holds whenever "<= q" does."""
    return sci(decimal_up(q, 4))  # 4 significant digits, shown exactly


def at_least(q: Fraction) -> str:
    """A lower bound, printed rounded down."""
    return sci(decimal_down(q, 4))


def exact_radius(q: Fraction) -> str:
    """A box radius exactly: 2^-k for a power of two, else its decimal or fraction."""
    if q > 0 and q.numerator == 1 and q.denominator & (q.denominator - 1) == 0:
        return f"2^-{q.denominator.bit_length() - 1}"
    return decimal_str(q)


def proof_lines(cert: Any) -> list[str]:
    """The proof of a smooth certificate (:class:`~.box_certificate.SmoothCertificate`)."""
    net = cert.params
    shape = f"{net.d}-{net.m}-1 {net.activation} network"
    subject = ("" if cert.verdict is Verdict.UNDECIDED else
               " (no point inside the box below is one)" if cert.concave else
               " (of the critical point theta* in the box below, not of its centre)")
    lines = [f"{cert.status.upper()}{subject}: {cert.objective} loss of a {shape} on "
             f"{cert.dataset.n} points (ball arithmetic, {cert.precision}-bit midpoints)."]
    if cert.verdict is Verdict.UNDECIDED:
        return [*lines, f"Reason: {cert.reason}", f"L(params) in {cert.loss}."]
    rho = exact_radius(cert.radius)
    if not net.space.is_full:
        lines.append(f"Parameterisation: {net.space.describe()}; L is taken as a function "
                     "of the moving coordinates only, the others held at params' values.")
    lines.append(f"Box X: the exact rational centre c = params (theta, {cert._objective().n} "
                 f"{'moving ' if not net.space.is_full else ''}coordinates, layout w_1..w_m, b, "
                 f"v, c) +- {rho} in max norm.")
    if cert.start is not None and cert.start != net:
        lines.append(f"Start: the given point lies at max-norm distance <= "
                     f"{at_most(cert.start.distance(net))} from c (Newton's method, float64 then "
                     "ball midpoints, found c; only the tests below prove anything).")
    if cert.concave:
        return [*lines,
                "1. Curvature: the exact direction u (stored) has u^T H u <= "
                f"{at_most(cert.curvature)} < 0 at every point of X (Hessian enclosure over "
                "X), so t -> L(x + t u) is strictly concave near 0 for every x inside X: no "
                "point of X's interior is a local minimum (Newton's method had approached a "
                "critical point near c; no Krawczyk box was proven, its Hessian being singular).",
                f"2. L(c) in {cert.loss}; the exact point c + t u (stored, u signed) has loss in "
                f"{cert.lower_loss}, strictly lower.", f"Reason: {cert.reason}"]
    lines.append(
        "1. Krawczyk: with Y an approximate inverse of the midpoint Hessian (float64, or at "
        "the working precision), K(X) = c - Y grad L(c) + (I - Y H(X))(X - c) satisfies "
        f"|K(X) - c|_inf <= {at_most(cert.krawczyk_bound)} < {rho} "
        f"(||I - Y H(X)||_inf <= {at_most(cert.contraction)}), so X contains "
        "exactly one critical point theta* of L, and theta* lies in K(X).")
    if cert.verdict is Verdict.MINIMUM:
        inner = ("" if cert.inner_radius is None else
                 f", on the inner box c +- {exact_radius(cert.inner_radius)}, whose Krawczyk "
                 "image is inside it too, so it holds theta*")
        lines += [
            "2. Hessian: for Q = float eigenvectors of mid H(X) scaled by |lambda|^-1/2 (or "
            "the inverse transpose of a Cholesky factor of mid H(X) at the working precision), "
            "Gershgorin's discs of the ball matrix Q^T H(X) Q lie right of "
            f"{at_least(cert.pd_margin)} > 0, so every Hessian on X is positive "
            f"definite (lambda_min >= {at_least(cert.eigen_lower)}); L is strictly "
            "convex on X and theta* is its unique minimiser there: a strict local minimum.",
            f"3. L(theta*) in {cert.loss} (Taylor at c with Lagrange remainder in H(X){inner}).",
        ]
    else:
        lines += [
            "2. Negative curvature: the exact direction u (stored) has u^T H u <= "
            f"{at_most(cert.curvature)} < 0 at every point of X, in particular at theta*, "
            "where the gradient vanishes: L(theta* + t u) < L(theta*) for small t != 0, so "
            "theta* is not a local minimum.",
            f"3. L(theta*) in {cert.loss}; the exact point c + t u (stored) has loss in "
            f"{cert.lower_loss}, strictly lower.",
        ]
    return [*lines, f"Reason: {cert.reason}"]
