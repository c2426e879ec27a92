"""The paper's certificates and the exact part of the report, byte for byte.

A change of layout or of speed must leave every certificate JSON and the report unchanged;
an intended change of either is made by re-running ``python tests/golden/make_golden.py`` and
reviewing the diff of ``tests/golden/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden.make_golden import certificates, report

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def current() -> dict[str, str]:
    return certificates()


def test_every_golden_certificate_is_produced(current: dict[str, str]) -> None:
    stored = {p.stem for p in GOLDEN.glob("*.json")} - {"report"}
    assert set(current) == stored or set(current) == stored - {"smooth_sigmoid", "smooth_box"}


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.json")), ids=lambda p: p.stem)
def test_certificate_json_is_byte_identical(path: Path, current: dict[str, str]) -> None:
    if path.stem == "report":
        pytest.skip("the report has its own test")
    if path.stem not in current:
        pytest.skip(f"{path.stem} needs an optional dependency")
    assert current[path.stem] + "\n" == path.read_text()


@pytest.mark.slow
def test_report_of_the_exact_claims_is_byte_identical() -> None:
    assert report() + "\n" == (GOLDEN / "report.json").read_text()
