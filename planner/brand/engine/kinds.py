"""Where a rule file becomes a rule: the rule kinds by their ``extends`` name (spelling among
them, which needs its dictionaries) and the validation Vale applies before compiling one.

Apart from rules.py so the rule kinds (rules.py, spelling.py) import downwards only.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from planner.brand.engine import safety
from planner.brand.engine.errors import ConfigError
from planner.brand.engine.rules import (
    COMMON_KEYS,
    TYPE_KEYS,
    Capitalization,
    Conditional,
    Consistency,
    DisabledRule,
    Existence,
    Metric,
    Occurrence,
    Readability,
    Repetition,
    Rule,
    Substitution,
)
from planner.brand.engine.spelling import Spelling

RULE_TYPES: dict[str, type[Rule]] = {
    "existence": Existence,
    "substitution": Substitution,
    "occurrence": Occurrence,
    "repetition": Repetition,
    "consistency": Consistency,
    "conditional": Conditional,
    "capitalization": Capitalization,
    "readability": Readability,
    "metric": Metric,
    "spelling": Spelling,
    "sequence": DisabledRule,
    "script": DisabledRule,
}


def parse_rule(name: str, source: str, path: str, *, styles_path: Path | None = None) -> Rule:
    """Validate a rule file as Vale does (required keys, no unknown keys) and compile it.

    The YAML may hold no anchors or aliases and every field has a size bound (safety.py).
    `styles_path` is where spelling rules look for their dictionaries and word lists.
    """
    return build_rule(name, safety.load_yaml(source, path), path, styles_path=styles_path)


def build_rule(
    name: str, data: Any, path: str, *, styles_path: Path | None = None, builtin: bool = False
) -> Rule:
    if not isinstance(data, Mapping):
        raise ConfigError("a rule file must be a YAML mapping", path=path)
    safety.check_sizes(data, path)
    extends = data.get("extends")
    if not extends:
        raise ConfigError("missing the required 'extends' key", path=path, key="extends")
    if extends not in RULE_TYPES:
        raise ConfigError(
            f"'extends' must be one of {sorted(RULE_TYPES)}, not {extends!r}",
            path=path,
            key="extends",
        )
    if "message" not in data:
        raise ConfigError("missing the required 'message' key", path=path, key="message")
    allowed = COMMON_KEYS | TYPE_KEYS[str(extends)]
    for key in data:
        if key not in allowed:
            raise ConfigError(f"unknown key {key!r} for a {extends} rule", path=path, key=str(key))
    try:
        if extends == "spelling":
            return Spelling(name, data, path, styles_path=styles_path, builtin=builtin)
        return RULE_TYPES[str(extends)](name, data, path)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"invalid value: {exc}", path=path) from exc
