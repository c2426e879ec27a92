"""The package's layers: each imports only the layers below it, and there is no import cycle.

errors < exact < {verify, numeric} < train < paper < testing < the application (cli, report,
the package's __init__). ``numeric`` may not import ``verify`` (and vice versa): floats are
evidence and decisions never depend on them.
"""

from __future__ import annotations

import ast
from pathlib import Path

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


def _imports(path: Path) -> set[str]:
    rel = path.relative_to(ROOT).with_suffix("")
    package = list(rel.parts[:-1])
    out = set()
    tree = ast.parse(path.read_text())
    typing_only = {id(n) for top in ast.walk(tree) if isinstance(top, ast.If)
                   and getattr(top.test, "id", None) == "TYPE_CHECKING"
                   for n in ast.walk(top)}  # annotations only: not a run-time import
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
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
    return out


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).with_suffix("")
        out[".".join(rel.parts)] = path
    return out


def test_every_module_belongs_to_a_layer():
    for name in _modules():
        assert _layer(name) in ALLOWED or _layer(name) in APP, f"{name} is in no layer"


def test_no_upward_import():
    bad = []
    for name, path in _modules().items():
        layer = _layer(name)
        if layer in APP:
            continue
        for target in _imports(path):
            t = _layer(target)
            if t != layer and t not in ALLOWED[layer]:
                bad.append(f"{name} imports {target} ({layer} may import {sorted(ALLOWED[layer])})")
    assert not bad, "\n".join(bad)


def test_no_import_cycle():
    mods = _modules()
    graph = {}
    for name, path in mods.items():
        deps = set()
        for target in _imports(path):
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


def test_the_layer_test_catches_an_upward_import(tmp_path, monkeypatch):
    # the guard itself can fail: an exact module importing verify is reported
    fake = ROOT / "exact" / "_layer_probe.py"
    fake.write_text("from ..verify import certificate\n")
    try:
        try:
            test_no_upward_import()
        except AssertionError as err:
            assert "exact._layer_probe imports verify" in str(err)
        else:
            raise AssertionError("an upward import was not reported")
    finally:
        fake.unlink()
