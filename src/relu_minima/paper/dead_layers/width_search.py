"""Searches over the width h for the Figure 6 sentence (Section 3.2, Appendix B.1, Eq. (3)).

"The smallest h such that P(every weight > 0) >= p at the mean mu holds for every width h' in
[h, top]" is decided here without evaluating P at every integer (the Figure 6 check used to,
10^4 mpmath evaluations per scheme). Interval bound, for a width interval [h1, h2]:

    log P(h) = sum over weight layers l of  n_l(h) * log Phi(mu / s_l(h)),

with n_l(h) the number of weights of layer l (d h, h^2, h: positive, increasing in h) and
s_l(h) its standard deviation. For every scheme of :data:`bounds.INIT_SCHEMES` each variance
(1/h, 1/fan_in, 2/(fan_in + fan_out), a constant) is non-increasing in h, so mu / s_l(h) is
monotone in h and log Phi(mu / s_l(h)) <= 0 attains its minimum over [h1, h2] at an end. Hence

    log P(h) >= sum_l n_l(h2) * min(log Phi(mu / s_l(h1)), log Phi(mu / s_l(h2)))  on [h1, h2]

(the largest count times the most negative logarithm). If that lower bound reaches log p the
whole interval satisfies the condition; otherwise the interval is halved, and single widths are
decided by :func:`bounds.prop4_probability` itself, as before. Both are evaluated with mpmath at
``dps`` digits, the standard every Figure 6 number is held to.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import mpmath

from ...errors import InvalidArgument
from ...exact.numbers import exact
from . import bounds

__all__ = ["smallest_width_for", "smallest_width_for_scan", "width_interval_lower_bound"]


def _layer_laws(scheme: str, d_in: int, hidden_layers: int, fixed_std: Fraction
                ) -> list[tuple[Callable[[int], int], Callable[[int], Fraction]]]:
    """(count(h), variance(h)) per kind of weight layer: first, hidden-to-hidden, output."""
    if scheme not in bounds.INIT_SCHEMES:
        raise InvalidArgument(f"scheme={scheme!r} is not one of {bounds.INIT_SCHEMES}.")
    variance: Callable[[int, int, int], Fraction] = {
        "lecun": lambda h, fan_in, fan_out: Fraction(1, h),
        "lecun-fan-in": lambda h, fan_in, fan_out: Fraction(1, fan_in),
        "xavier": lambda h, fan_in, fan_out: Fraction(2, fan_in + fan_out),
        "fixed": lambda h, fan_in, fan_out: fixed_std**2,
    }[scheme]
    layers: list[tuple[Callable[[int], int], Callable[[int], Fraction]]] = [
        (lambda h: d_in * h, lambda h: variance(h, d_in, h)),
        (lambda h: h, lambda h: variance(h, h, 1)),
    ]
    if hidden_layers > 1:
        layers.append((lambda h: (hidden_layers - 1) * h * h, lambda h: variance(h, h, h)))
    return layers


def _log_phi(mean: mpmath.mpf, var: Fraction) -> mpmath.mpf:
    return mpmath.log1p(-mpmath.ncdf(-mean / mpmath.sqrt(mpmath.mpf(var.numerator)
                                                          / var.denominator)))


def width_interval_lower_bound(mean: Any, scheme: str, d_in: int, h1: int, h2: int,
                               hidden_layers: int, *, fixed_std: Any = Fraction(1, 100),
                               dps: int = 30) -> mpmath.mpf:
    """A lower bound on log P(every weight > 0) for every width h in [h1, h2] (module doc)."""
    if not 1 <= h1 <= h2:
        raise InvalidArgument(f"h1={h1}, h2={h2}: need 1 <= h1 <= h2.")
    std = exact(fixed_std, "fixed_std")
    with mpmath.workdps(dps):
        m = bounds.to_mpf(mean, "mean")
        total = mpmath.mpf(0)
        for count, variance in _layer_laws(scheme, d_in, hidden_layers, std):
            total += count(h2) * min(_log_phi(m, variance(h1)), _log_phi(m, variance(h2)))
        return total


def smallest_width_for_scan(mean: Any, scheme: str, hidden: int, top: int = 10_000,
                            *, p: Any = Fraction(99, 100), dps: int = 30) -> int:
    """The reference: P evaluated at every integer h from ``top`` down (slow; tests and the
    benchmark's baseline). Returns the smallest h with P(h') >= p for all h' in [h, top]
    (``top + 1`` if P(top) < p)."""
    q = exact(p, "p")
    target = mpmath.mpf(q.numerator) / q.denominator
    h = top
    while h >= 1 and bounds.prop4_probability(mean, scheme, 2, h, hidden, dps=dps) >= target:
        h -= 1
    return h + 1


def smallest_width_for(mean: Any, scheme: str, hidden: int, top: int = 10_000,
                       *, p: Any = Fraction(99, 100), dps: int = 30,
                       counter: list[int] | None = None) -> int:
    """Smallest h <= ``top`` with P(every weight > 0) >= p at ``mean`` for every h' in
    [h, top], d = 2 (the same answer as :func:`smallest_width_for_scan`), by interval bounds
    (module doc). ``counter``, if given, receives the number of evaluations (bounds and
    points) in its first entry."""
    q = exact(p, "p")
    if not 0 < q < 1:
        raise InvalidArgument(f"p={p!r} must lie strictly between 0 and 1.")
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise InvalidArgument(f"top={top!r} must be a positive integer.")
    with mpmath.workdps(dps):
        target = mpmath.mpf(q.numerator) / q.denominator
        log_target = mpmath.log(target)
    calls = [0]

    def largest_failure(lo: int, hi: int) -> int | None:
        """The largest h in [lo, hi] with P(h) < p, or None."""
        calls[0] += 1
        if lo == hi:  # one width: decided by the probability itself, as the scan does
            ok = bounds.prop4_probability(mean, scheme, 2, lo, hidden, dps=dps) >= target
            return None if ok else lo
        if width_interval_lower_bound(mean, scheme, 2, lo, hi, hidden, dps=dps) >= log_target:
            return None
        mid = (lo + hi) // 2
        right = largest_failure(mid + 1, hi)
        return right if right is not None else largest_failure(lo, mid)

    worst = largest_failure(1, top)
    if counter is not None:
        counter[:1] = calls
    return 1 if worst is None else worst + 1
