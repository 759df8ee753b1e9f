"""Limits that keep imported style rules from stalling or flooding the server.

A style package is other people's input: its YAML may try to expand itself (anchors and aliases,
"billion laughs"), its fields may be huge, and its regular expressions may backtrack for ever
(`(a|aa)+$`). Rule files are read here without anchors or aliases and with a size bound on every
field, and every pattern a rule runs over a document goes through the wrappers below, which give
it a time budget; a rule that exceeds its budget is switched off and reported, never retried.
"""

from __future__ import annotations

import contextvars
import re
import time
from collections.abc import Mapping
from typing import Any

import regex
import yaml

from planner.brand.engine.errors import ConfigError

#: A rule file (YAML) as a whole.
MAX_RULE_CHARS = 256 * 1024
#: One text field: message, description, link, a token, a pattern, a swap key or value.
MAX_FIELD_CHARS = 4_000
#: The `script` of a script rule (never run, but stored and shown).
MAX_SCRIPT_CHARS = 64 * 1024
#: Entries of one list (tokens, exceptions) or mapping (swap, either).
MAX_ITEMS = 10_000
#: Lists inside mappings inside the rule: deeper nesting is never a valid rule.
MAX_DEPTH = 4

#: Time one pattern may take over one unit of text, and one rule over one whole document.
REGEX_TIMEOUT = 0.25
RULE_BUDGET = 1.0


class RuleTimeoutError(Exception):
    """A rule's pattern exceeded its time budget; the rule must be switched off."""


class _NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing anchors (&a) and aliases (*a, including `<<: *a`)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _AliasRefusedError(event.start_mark.line + 1)
        return super().compose_node(parent, index)


class _AliasRefusedError(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


# Go's YAML parser (Vale's) accepts \' inside a double-quoted string; PyYAML does not.
_GO_ESCAPE = re.compile(r"\\'")


def load_yaml(source: str, path: str) -> Any:
    """One YAML document as Vale reads it, with no anchors, no aliases and a size bound."""
    if len(source) > MAX_RULE_CHARS:
        raise ConfigError(
            f"the file is larger than {MAX_RULE_CHARS // 1024} KB", path=path, key="size"
        )
    try:
        try:
            return yaml.load(source, Loader=_NoAliasLoader)  # noqa: S506 - a safe loader
        except yaml.YAMLError as exc:
            if "unknown escape character" not in str(exc) or "\\'" not in source:
                raise
            return yaml.load(_GO_ESCAPE.sub("'", source), Loader=_NoAliasLoader)  # noqa: S506
    except _AliasRefusedError as exc:
        raise ConfigError(
            f"line {exc.line}: YAML anchors and aliases (&name, *name) are not allowed "
            "in a style file",
            path=path,
            key="yaml",
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", path=path) from exc


def check_sizes(data: Any, path: str, key: str = "", depth: int = 0) -> None:
    """Refuse a rule whose fields are larger than any real rule needs, naming the field."""
    where = key or "rule"
    if depth > MAX_DEPTH:
        raise ConfigError(f"'{where}' is nested too deeply", path=path, key=where)
    if isinstance(data, str):
        limit = MAX_SCRIPT_CHARS if key == "script" else MAX_FIELD_CHARS
        if len(data) > limit:
            raise ConfigError(f"'{where}' is longer than {limit} characters", path=path, key=where)
    elif isinstance(data, Mapping):
        if len(data) > MAX_ITEMS:
            raise ConfigError(f"'{where}' has more than {MAX_ITEMS} entries", path=path, key=where)
        for k, v in data.items():
            check_sizes(str(k), path, key or str(k), depth + 1)
            check_sizes(v, path, key or str(k), depth + 1)
    elif isinstance(data, list):
        if len(data) > MAX_ITEMS:
            raise ConfigError(f"'{where}' has more than {MAX_ITEMS} entries", path=path, key=where)
        for item in data:
            check_sizes(item, path, where, depth + 1)


# --- running patterns within a budget -----------------------------------------------------


class Budget:
    """Matching time a rule has left; only time spent inside its patterns is charged."""

    def __init__(self, seconds: float) -> None:
        self.left = seconds


_BUDGET: contextvars.ContextVar[Budget | None] = contextvars.ContextVar(
    "brand_rule_budget", default=None
)


class budget:  # noqa: N801 - used as a context manager, reads like a statement
    """Within `with budget(b):` every wrapped pattern call is charged to the Budget `b`."""

    def __init__(self, allowance: Budget) -> None:
        self.allowance = allowance
        self._token: contextvars.Token[Budget | None] | None = None

    def __enter__(self) -> Budget:
        self._token = _BUDGET.set(self.allowance)
        return self.allowance

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _BUDGET.reset(self._token)


def charge_to(allowance: Budget) -> contextvars.Token[Budget | None]:
    """Charge pattern time to `allowance` until stop_charging (a cheap `with budget(...)`)."""
    return _BUDGET.set(allowance)


def stop_charging(token: contextvars.Token[Budget | None]) -> None:
    _BUDGET.reset(token)


def _timeout() -> float:
    allowance = _BUDGET.get()
    if allowance is None:
        return REGEX_TIMEOUT
    if allowance.left <= 0:
        raise RuleTimeoutError("time budget used up")
    return min(allowance.left, REGEX_TIMEOUT)


def _charge(started: float) -> None:
    allowance = _BUDGET.get()
    if allowance is not None:
        allowance.left -= time.perf_counter() - started


def finditer(pattern: regex.Pattern[str], text: str, pos: int = 0) -> list[regex.Match[str]]:
    """Every match of pattern in text, within the time budget; RuleTimeoutError past it."""
    timeout = _timeout()
    started = time.perf_counter()
    try:
        return list(pattern.finditer(text, pos, timeout=timeout))
    except TimeoutError:
        raise RuleTimeoutError(pattern.pattern) from None
    finally:
        _charge(started)


def search(pattern: regex.Pattern[str], text: str, pos: int = 0) -> regex.Match[str] | None:
    timeout = _timeout()
    started = time.perf_counter()
    try:
        return pattern.search(text, pos, timeout=timeout)
    except TimeoutError:
        raise RuleTimeoutError(pattern.pattern) from None
    finally:
        _charge(started)


def match(pattern: regex.Pattern[str], text: str) -> regex.Match[str] | None:
    timeout = _timeout()
    started = time.perf_counter()
    try:
        return pattern.match(text, timeout=timeout)
    except TimeoutError:
        raise RuleTimeoutError(pattern.pattern) from None
    finally:
        _charge(started)


def fullmatch(pattern: regex.Pattern[str], text: str) -> regex.Match[str] | None:
    timeout = _timeout()
    started = time.perf_counter()
    try:
        return pattern.fullmatch(text, timeout=timeout)
    except TimeoutError:
        raise RuleTimeoutError(pattern.pattern) from None
    finally:
        _charge(started)


def sub(pattern: regex.Pattern[str], replacement: str, text: str) -> str:
    timeout = _timeout()
    started = time.perf_counter()
    try:
        return str(pattern.sub(replacement, text, timeout=timeout))
    except TimeoutError:
        raise RuleTimeoutError(pattern.pattern) from None
    finally:
        _charge(started)
