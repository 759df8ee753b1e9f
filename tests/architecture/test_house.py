"""The house rules the code keeps, checked from its own source (the import contracts in setup.cfg
are checked by lint-imports in `make test`; these add what a contract cannot say)."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

PLANNER = Path(__file__).resolve().parents[2] / "planner"
#: kernel modules at the top of the package, not feature packages
KERNEL = {
    "__init__",
    "cli",
    "commands",
    "config",
    "db",
    "errors",
    "clock",
    "markup",
    "migrate",
    "models",
}


def _modules() -> list[Path]:
    return sorted(PLANNER.rglob("*.py"))


def _feature(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "planner" or parts[1] in KERNEL:
        return None
    return parts[1]


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every planner module a file imports, at module level and inside functions."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("planner"):
            if node.module == "planner":
                found += [(f"planner.{alias.name}", node.lineno) for alias in node.names]
            else:
                found.append((node.module, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("planner.")]
    return found


def test_no_two_feature_packages_import_each_other() -> None:
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in _modules():
        relative = path.relative_to(PLANNER.parent).with_suffix("")
        source = _feature(".".join(relative.parts))
        if source is None:
            continue
        for module, line in _imports(path):
            target = _feature(module)
            if target is not None and target != source:
                edges[(source, target)].append(f"{relative}:{line} imports {module}")
    mutual = {
        f"{a} <-> {b}": edges[(a, b)][:3] + edges[(b, a)][:3]
        for (a, b) in edges
        if a < b and (b, a) in edges
    }
    assert mutual == {}


def test_a_long_module_says_why_in_its_docstring() -> None:
    unexplained = []
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") <= 500:
            continue
        doc = ast.get_docstring(ast.parse(text)) or ""
        if "long because" not in " ".join(doc.split()):
            unexplained.append(str(path.relative_to(PLANNER.parent)))
    assert unexplained == []


def test_collaborators_are_reached_through_typed_accessors() -> None:
    """Only the modules that own an extension key touch app.extensions."""
    owners = {
        "web/runtime.py",
        "web/panels.py",
        "web/shell.py",
        "publishing/runtime.py",
        "effect/runtime.py",
        "live/runtime.py",
        "jobs/tasks.py",
        "api/__init__.py",
    }
    lookups = [
        str(path.relative_to(PLANNER))
        for path in _modules()
        if re.search(r"(?:\bapp|current_app|\))\.extensions\b", path.read_text(encoding="utf-8"))
        and str(path.relative_to(PLANNER)) not in owners
    ]
    assert lookups == []


@pytest.mark.parametrize(
    "folder", sorted(p.name for p in PLANNER.iterdir() if (p / "__init__.py").exists())
)
def test_views_and_api_never_commit(folder: str) -> None:
    """The request commits once at its end (planner.web.database); a view that commits itself
    would save half a refused change."""
    offenders = [
        f"{path.relative_to(PLANNER)}:{number}"
        for path in (PLANNER / folder).rglob("*.py")
        if path.name.endswith(("views.py", "api.py", "panel.py", "panels.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\bcommit\(\)", line)
    ]
    assert offenders == []
