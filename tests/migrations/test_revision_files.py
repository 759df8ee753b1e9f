"""Migrations are reviewed code: dated file names and a real downgrade in every revision."""

import ast
import re
from pathlib import Path

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"


def test_revision_files_are_dated_and_downgradable() -> None:
    files = sorted(VERSIONS.glob("*.py"))
    assert files
    for path in files:
        assert re.match(r"\d{4}_\d{2}_\d{2}_\w+\.py$", path.name), path.name
        tree = ast.parse(path.read_text(encoding="utf-8"))
        funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        body = funcs["downgrade"].body
        assert not (len(body) == 1 and isinstance(body[0], ast.Pass)), (
            f"{path.name}: empty downgrade"
        )
