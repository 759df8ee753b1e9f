"""The finding the engine reports, shaped like Vale's alert so existing tools can read it.

Besides Vale's fields an alert carries absolute code-point offsets, which the web editor uses to
highlight the match without re-deriving it from line and column.
"""

from __future__ import annotations

import bisect
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


class Positions:
    """Line and column (1-based, code points) of absolute offsets in one text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        at = text.find("\n")
        while at != -1:
            self.starts.append(at + 1)
            at = text.find("\n", at + 1)

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def alert(
        self,
        check: str,
        severity: str,
        start: int,
        end: int,
        message: str,
        *,
        action: Action | None = None,
        link: str = "",
        description: str = "",
        first_column: bool = False,
    ) -> Alert:
        line, column = self.line_col(start)
        if first_column:
            column = 1
        match = self.text[start:end]
        return Alert(
            check=check,
            severity=severity,
            line=line,
            span=(column, column + max(len(match), 1) - 1),
            match=match,
            message=message,
            action=action or Action(),
            link=link,
            description=description,
            start=start,
            end=end,
        )
