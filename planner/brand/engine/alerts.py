"""The finding the engine reports, shaped like Vale's alert so existing tools can read it.

Besides Vale's fields an alert carries absolute code-point offsets, which the web editor uses to
highlight the match without re-deriving it from line and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Severities from least to most serious; MinAlertLevel filters on this order.
LEVELS: tuple[str, ...] = ("suggestion", "warning", "error")


def level_rank(level: str) -> int:
    return LEVELS.index(level)


@dataclass(frozen=True, slots=True)
class Action:
    """What an editor could do about the finding (Vale's `action`: replace, remove, edit, …)."""

    name: str = ""
    params: tuple[str, ...] | None = None

    def to_vale(self) -> dict[str, Any]:
        return {"Name": self.name, "Params": list(self.params) if self.params is not None else None}


@dataclass(frozen=True, slots=True)
class Alert:
    check: str
    severity: str
    line: int
    #: First and last column of the match on its line, 1-based, in code points (as Vale).
    span: tuple[int, int]
    match: str
    message: str
    action: Action = field(default_factory=Action)
    link: str = ""
    description: str = ""
    #: Absolute code-point offsets into the checked text: text[start:end] == match.
    start: int = 0
    end: int = 0

    @property
    def column(self) -> int:
        return self.span[0]

    def to_vale(self) -> dict[str, Any]:
        """The alert as Vale's JSON output writes it (same keys, same order)."""
        return {
            "Action": self.action.to_vale(),
            "Span": [self.span[0], self.span[1]],
            "Check": self.check,
            "Description": self.description,
            "Link": self.link,
            "Message": self.message,
            "Severity": self.severity,
            "Match": self.match,
            "Line": self.line,
        }
