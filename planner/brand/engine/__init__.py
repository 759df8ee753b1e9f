"""The brand-check engine: Vale-compatible style rules over Markdown and plain text, pure Python.

Import from here; the submodules are implementation. Nothing here touches Flask or a database.
"""

from planner.brand.engine.alerts import LEVELS, Action, Alert, Positions
from planner.brand.engine.config import (
    ImportReport,
    LoadedConfig,
    RuleReport,
    build_config,
    find_config,
    load_config,
    load_styles,
    parse_config,
)
from planner.brand.engine.errors import ConfigError
from planner.brand.engine.examples import ExampleOutcome, ExampleReport, run_rule_examples
from planner.brand.engine.markup import Document, parse
from planner.brand.engine.runner import check_document, check_text

__all__ = [
    "LEVELS",
    "Action",
    "Alert",
    "ConfigError",
    "Document",
    "ExampleOutcome",
    "ExampleReport",
    "ImportReport",
    "LoadedConfig",
    "Positions",
    "RuleReport",
    "build_config",
    "check_document",
    "check_text",
    "find_config",
    "load_config",
    "load_styles",
    "parse",
    "parse_config",
    "run_rule_examples",
]
