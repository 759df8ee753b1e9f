"""Errors of the brand-check engine: a broken configuration or rule is the author's to fix."""

from __future__ import annotations

from typing import Any

from planner.errors import PlannerError


class ConfigError(PlannerError):
    """A .vale.ini, style folder or rule file that cannot be used; names the file and the key."""

    code = "brand-config-error"

    def __init__(
        self, message: str, *, path: str | None = None, key: str | None = None, **details: Any
    ) -> None:
        where = f"{path}: " if path else ""
        super().__init__(f"{where}{message}", path=path, key=key, **details)
        self.path = path
        self.key = key
