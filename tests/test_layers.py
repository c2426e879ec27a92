"""The package's layers: each imports only the layers below it, and there is no import cycle.

Every import counts, those made only for type hints (under ``if TYPE_CHECKING:``) and those
inside functions included: a cycle through annotations is still two modules that cannot be
read one after the other.

errors < exact < {verify, numeric} < train < paper < testing < the application (cli, report,
the package's __init__). ``numeric`` may not import ``verify`` (and vice versa): floats are
evidence and decisions never depend on them.
"""

from __future__ import annotations

import ast
import functools
import shutil
from pathlib import Path

import pytest

import relu_minima

ROOT = Path(relu_minima.__file__).parent
ALLOWED = {
    "errors": set(),
    "exact": {"errors"},
    "verify": {"errors", "exact"},
    "numeric": {"errors", "exact"},
    "train": {"errors", "exact", "verify", "numeric"},
    "paper": {"errors", "exact", "verify", "numeric", "train"},
    "testing": {"errors", "exact", "verify", "numeric", "train"},
}
APP = {"cli", "report", "__init__", "__main__", "strategies"}


def _layer(module: str) -> str:
    return module.split(".")[0]


def _imports(path: Path, root: Path = ROOT) -> set[str]:
    rel = path.relative_to(root).with_suffix("")
    return set(_parsed_imports(path.read_text(), rel.parts[:-1]))


@functools.cache  # the five tests (and the probes' copies) parse each source text once
def _parsed_imports(text: str, package_parts: tuple[str, ...]) -> frozenset[str]:
    package = list(package_parts)
    out = set()
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = [*base, *(node.module.split(".") if node.module else [])]
                if node.module is None:  # from . import x, y
                    for alias in node.names:
                        out.add(".".join([*target, alias.name]))
                elif target:
                    out.add(".".join(target))
            elif node.module and node.module.startswith("relu_minima."):
                out.add(node.module.removeprefix("relu_minima."))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("relu_minima."):
                    out.add(alias.name.removeprefix("relu_minima."))
    return frozenset(out)


def _modules(root: Path = ROOT) -> dict[str, Path]:
    out = {}
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).with_suffix("")
        out[".".join(rel.parts)] = path
    return out


def test_every_module_belongs_to_a_layer():
    for name in _modules():
        assert _layer(name) in ALLOWED or _layer(name) in APP, f"{name} is in no layer"


def _upward_imports(root: Path = ROOT) -> list[str]:
    bad = []
    for name, path in _modules(root).items():
        layer = _layer(name)
        if layer in APP:
            continue
        for target in _imports(path, root):
            t = _layer(target)
            if t != layer and t not in ALLOWED[layer]:
                bad.append(f"{name} imports {target} ({layer} may import {sorted(ALLOWED[layer])})")
    return bad


def test_no_upward_import():
    bad = _upward_imports()
    assert not bad, "\n".join(bad)


def _find_cycle(root: Path = ROOT) -> None:
    mods = _modules(root)
    graph = {}
    for name, path in mods.items():
        deps = set()
        for target in _imports(path, root):
            # a target may be a module or a package's attribute; resolve to a module we know
            while target and target not in mods and f"{target}.__init__" not in mods:
                target = target.rpartition(".")[0]
            if target:
                deps.add(target if target in mods else f"{target}.__init__")
        graph[name] = deps - {name}
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if dep.endswith("__init__") and node.startswith(dep.removesuffix("__init__")):
                continue  # a module importing its own package's namespace
            if state.get(dep) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*stack, node, dep]))
            if not state.get(dep):
                visit(dep, [*stack, node])
        state[node] = 2

    for name in sorted(graph):
        if not state.get(name):
            visit(name, [])


def test_no_import_cycle():
    _find_cycle()


def _copy(tmp_path: Path) -> Path:
    """A copy of the package's sources to plant probes in (src/ itself is never written)."""
    root = tmp_path / "relu_minima"
    shutil.copytree(ROOT, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_the_layer_test_catches_an_upward_import(tmp_path):
    # the guard itself can fail: an exact module importing verify is reported
    root = _copy(tmp_path)
    (root / "exact" / "_layer_probe.py").write_text("from ..verify import certificate\n")
    assert any("exact._layer_probe imports verify" in line for line in _upward_imports(root))


def test_the_cycle_test_catches_a_cycle_through_type_hints(tmp_path):
    root = _copy(tmp_path)
    (root / "exact" / "_probe_a.py").write_text("from . import _probe_b\n")
    (root / "exact" / "_probe_b.py").write_text(
        "TYPE_CHECKING = False\nif TYPE_CHECKING:\n    from ._probe_a import x\n")
    with pytest.raises(AssertionError, match=r"import cycle: .*_probe_"):
        _find_cycle(root)
