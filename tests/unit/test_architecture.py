"""The layout's rules, checked on the source (docs/architecture.md).

The lane and the hub are two programs: neither may import the other, and
what both use lives in ``common`` (which knows neither) or in ``sync``'s own
top level (the wire protocol). Only ``lanebox``, the command on top, may
import everything. And no module may import itself back through others:
an import cycle anywhere fails here, lazy imports inside functions included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("common", "drivers", "edge", "lanebox", "pwa", "sync")

ALLOWED: dict[str, set[str]] = {
    "drivers": set(),
    "common": {"drivers"},
    "sync": {"common"},  # the wire protocol, shared by both ends
    "sync.lane": {"common", "sync"},
    "sync.hub": {"common", "sync"},
    "edge": {"common", "drivers", "sync", "sync.lane"},
    "pwa": set(),
    "lanebox": {"common", "drivers", "edge", "pwa", "sync", "sync.lane", "sync.hub"},
}
"""Which layers each layer may import (besides itself)."""


def layer(module: str) -> str:
    """The layer a module belongs to: ``sync.lane`` and ``sync.hub`` are layers of their own."""
    parts = module.split(".")
    if parts[0] == "sync" and len(parts) > 1 and parts[1] in ("lane", "hub"):
        return ".".join(parts[:2])
    return parts[0]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, module: str, known: set[str]) -> set[str]:
    """Every module of ours that ``path`` imports, anywhere in it (lazy imports count too)."""
    found = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    files = {module_name(p, root): p for package in PACKAGES for p in (root / package).rglob("*.py")
             if "__pycache__" not in p.parts}
    known = set(files)
    return {module: imports_of(path, module, known) for module, path in files.items()}


def forbidden_imports(graph: dict[str, set[str]]) -> list[str]:
    problems = []
    for module, targets in sorted(graph.items()):
        allowed = ALLOWED.get(layer(module), set()) | {layer(module)}
        problems += [f"{module} imports {target} ({layer(module)} may not use {layer(target)})"
                     for target in sorted(targets) if layer(target) not in allowed]
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module (or a self-import)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_lane_and_the_hub_never_import_each_other_and_common_knows_neither() -> None:
    assert forbidden_imports(import_graph(ROOT)) == []


def test_there_is_no_import_cycle() -> None:
    assert cycles(import_graph(ROOT)) == []


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A small tree laid out as lanebox is, to show the checks bite."""
    for name, text in {
        "common/__init__.py": "", "common/clock.py": "",
        "edge/__init__.py": "", "edge/server.py": "from common.clock import x\nfrom sync.lane.link import HubLink\n",
        "sync/__init__.py": "", "sync/protocol.py": "",
        "sync/lane/__init__.py": "", "sync/lane/link.py": "from sync.protocol import GAP\n",
        "sync/hub/__init__.py": "", "sync/hub/app.py": "from common.clock import x\n",
        "drivers/__init__.py": "", "lanebox/__init__.py": "", "pwa/__init__.py": "",
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_a_clean_tree_passes(tree: Path) -> None:
    graph = import_graph(tree)
    assert graph["edge.server"] == {"common.clock", "sync.lane.link"}
    assert forbidden_imports(graph) == [] and cycles(graph) == []


@pytest.mark.parametrize("module, line, complaint", [
    ("sync/hub/app.py", "from edge.server import LaneServer\n", "sync.hub.app imports edge.server"),
    ("edge/server.py", "def f():\n    from sync.hub import app\n", "edge.server imports sync.hub.app"),
    ("sync/lane/link.py", "import edge.server\n", "sync.lane.link imports edge.server"),
    ("common/clock.py", "from sync import protocol\n", "common.clock imports sync.protocol"),
    ("sync/protocol.py", "from sync.lane.link import HubLink\n", "sync.protocol imports sync.lane.link"),
])
def test_a_forbidden_import_is_named(tree: Path, module: str, line: str, complaint: str) -> None:
    (tree / module).write_text((tree / module).read_text() + line)
    assert any(problem.startswith(complaint) for problem in forbidden_imports(import_graph(tree)))


def test_a_cycle_is_found_even_through_a_lazy_import(tree: Path) -> None:
    (tree / "common/clock.py").write_text("def later():\n    from common import config\n")
    (tree / "common/config.py").write_text("from common.clock import later\n")
    assert cycles(import_graph(tree)) == [["common.clock", "common.config"]]
