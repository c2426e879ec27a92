"""The decision rules of the empirical claims are frozen: docs/experiments.md prints the same
table as relu_minima.paper.experiments.rules.RULES, and every empirical check cites its rule."""

from __future__ import annotations

import re
from pathlib import Path

from relu_minima.paper.experiments import rules

DOC = Path(__file__).resolve().parent.parent / "docs" / "experiments.md"


def _doc_rules() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8").split("### Decision rules", 1)[1]
    return {m.group(1): m.group(2) for m in re.finditer(r"^\| `([a-z0-9-]+)` \| (.+) \|$",
                                                         text, re.MULTILINE)}


def test_docs_table_is_the_frozen_rules_word_for_word():
    assert _doc_rules() == rules.RULES


def test_docs_name_the_freeze_date_and_the_seed_round():
    text = DOC.read_text(encoding="utf-8")
    assert f"Frozen on **{rules.FROZEN_ON}**" in text
    assert f'SEED_ROUND = "{rules.SEED_ROUND}"' in text


def test_judging_seeds_are_new():
    # the seeds of earlier releases (1, 2, 3, 5 and the unsalted Table 1 CRCs) are not reused
    import zlib

    from relu_minima.paper.experiments.table1 import PRIMARY, cell_seed

    key = ("jellyfish", "relu", "gd", 4)
    old = zlib.crc32(f"table1/{PRIMARY}/{'/'.join(map(str, key))}".encode())
    assert cell_seed(PRIMARY, key) != old
    assert {rules.judging_seed(n) for n in ("fig1", "fig2", "fig5")}.isdisjoint({1, 2, 3, 5})
    assert rules.judging_seed("fig1") == zlib.crc32(f"{rules.SEED_ROUND}/fig1".encode())
