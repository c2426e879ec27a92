"""docs/architecture.md names every module of src/relu_minima, so a reader can find each one."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_module_is_named_in_the_architecture_doc():
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    src = ROOT / "src" / "relu_minima"
    missing = sorted(str(p.relative_to(src)) for p in src.rglob("*.py")
                     if p.name != "__init__.py" and p.name not in doc)
    assert not missing, f"modules not named in docs/architecture.md: {missing}"
