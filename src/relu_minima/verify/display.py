"""Short displays of texts full of exact numbers (issue 25, item 9).

An exact critical point of a noisy problem has rationals of thousands of digits; a notebook or
terminal shows each long one as a decimal approximation and its digit count instead. The exact
values stay one call away (the certificate's ``proof_text``, ``to_json()``, or the report's
``exact(...)``): this only shortens what is *displayed*, never what is stored or checked.
"""

from __future__ import annotations

import re
from fractions import Fraction

__all__ = ["MAX_LINE", "MAX_NUMBER", "short_numbers", "short_text"]

MAX_NUMBER = 24  # characters: a longer integer or fraction is shown shortened
MAX_LINE = 400  # characters: a longer line is cut, saying how much is left out
# an integer or fraction, not part of a decimal such as 4.405E-4 (those have bounded length)
_NUMBER = re.compile(r"(?<![\d.])-?\d+(?:/\d+)?(?![\d.])")


def _short(match: re.Match[str]) -> str:
    text = match.group(0)
    if len(text) <= MAX_NUMBER:
        return text
    q = Fraction(text)
    num, _, den = text.lstrip("-").partition("/")
    digits = f"{len(num)}/{len(den)} digits" if den else f"{len(num)} digits"
    try:
        approx = f"{float(q):.6g}"
    except OverflowError:
        approx = f"{'-' if q < 0 else ''}~1e{len(num) - len(den or '1')}"
    return f"{approx}[{digits}]"


def short_numbers(text: str) -> str:
    """``text`` with every integer or fraction longer than MAX_NUMBER characters written as a
    decimal approximation and its digit count, e.g. ``0.333333[2219/2219 digits]``."""
    return _NUMBER.sub(_short, text)


def short_text(text: str, max_lines: int | None = None, more: str = "") -> str:
    """:func:`short_numbers`, lines cut at MAX_LINE characters, and at most ``max_lines``
    lines, each cut saying so (``more``: where the rest is)."""
    lines = short_numbers(text).splitlines()
    out = [line if len(line) <= MAX_LINE else
           f"{line[:MAX_LINE]} ... [{len(line) - MAX_LINE} more characters]" for line in lines]
    if max_lines is not None and len(out) > max_lines:
        out = [*out[:max_lines], f"... [{len(out) - max_lines} more lines{more}]"]
    return "\n".join(out)
