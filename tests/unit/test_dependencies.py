"""What the product imports, it declares: a box installed from the wheel gets
every library its code imports, not only those the test extra happens to bring
(a lane once failed to start from the wheel for want of ``requests``)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("common", "drivers", "edge", "lanebox", "pwa", "sync")


def declared() -> set[str]:
    """The distributions pyproject.toml's ``dependencies`` name, normalised."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {_normal(re.split(r"[\[=<>!~ ]", spec, maxsplit=1)[0]) for spec in project["dependencies"]}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def third_party_imports() -> dict[str, set[str]]:
    """Top-level module → the product files importing it, for modules neither ours nor the standard library's."""
    found: dict[str, set[str]] = {}
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([alias.name for alias in node.names] if isinstance(node, ast.Import) else
                         [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
                for name in names:
                    top = name.split(".")[0]
                    if top not in PRODUCT and top not in sys.stdlib_module_names and top != "__future__":
                        found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_library_the_product_imports_is_a_declared_dependency() -> None:
    distributions = packages_distributions()
    wanted = declared()
    missing = {module: sorted(files) for module, files in third_party_imports().items()
               if not {_normal(d) for d in distributions.get(module, [module])} & wanted}
    assert missing == {}, "add these to pyproject.toml's dependencies (pinned), not only to an extra"
