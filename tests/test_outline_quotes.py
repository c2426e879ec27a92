"""Claims that quote the reference text quote it verbatim (outline ``source``), checked against
shared/reference/ when a checkout has it beside it (skipped otherwise: nothing is downloaded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from relu_minima.paper import all_claims

FILES = {"002": "002_55563b24d046befa.txt", "000": "000_cf735c0742343504.txt"}


def _reference_dir() -> Path | None:
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "reference"
        if candidate.is_dir():
            return candidate
    return None


QUOTED = [c for c in all_claims() if c.source]


def test_the_issue_24_claims_are_quoted():
    keys = {c.key for c in QUOTED}
    assert {"jellyfish-relu", "prop3-no-blind-spot", "typo-table-ref", "typo-b1-sign",
            "typo-b2-complement", "typo-b2-dead-layer", "typo-thm1-index", "b3-from-cor1",
            "fig1-stuck", "hamey-xor", "zero-init", "fig2-review", "fig2-review-time",
            "fig2-review-eps"} <= keys
    assert all(c.source in FILES for c in QUOTED)


@pytest.mark.parametrize("claim", QUOTED, ids=lambda c: c.key)
def test_quote_is_verbatim(claim):
    ref = _reference_dir()
    if ref is None:
        pytest.skip("shared/reference/ is not beside this checkout")
    text = (ref / FILES[claim.source]).read_text(encoding="utf-8")
    assert claim.paper_says in text
