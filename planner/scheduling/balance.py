"""How a period's planned fragments divide over the organisation's themes, against target shares.

A content plan drifts towards whatever is easiest to write; comparing the actual mix with the
agreed one per period makes the drift visible before the audience notices it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from planner.errors import ValidationError
from planner.timekeeping.periods import Period

#: Percentage points a theme's actual share may differ from its target before it is flagged.
DEFAULT_TOLERANCE_POINTS = 5.0

# Floating-point slack when checking that target shares add up to at most 100%.
_EPSILON = 1e-9


class InvalidThemeTargetsError(ValidationError):
    code = "invalid-theme-targets"


class BalanceStatus(StrEnum):
    UNDER = "under"
    ON = "on"
    OVER = "over"


@dataclass(frozen=True, slots=True)
class ThemeTarget:
    theme: str
    share_pct: float


@dataclass(frozen=True, slots=True)
class ThemedFragment:
    at: datetime
    themes: frozenset[str]


@dataclass(frozen=True, slots=True)
class BalanceRow:
    theme: str
    weight: float
    actual_pct: float
    target_pct: float
    difference_pct: float
    status: BalanceStatus


@dataclass(frozen=True, slots=True)
class BalanceReport:
    rows: list[BalanceRow]
    total_fragments: int
    #: share of fragments without any theme; they count in the total, so a plan full of untagged
    #: fragments shows every theme as under target instead of hiding the problem
    untagged_pct: float


def balance_report(
    targets: Sequence[ThemeTarget],
    fragments: Iterable[ThemedFragment],
    *,
    period: Period,
    tolerance_points: float = DEFAULT_TOLERANCE_POINTS,
) -> BalanceReport:
    """Actual versus target share per theme for the fragments planned in ``period``.

    Counting rule: a fragment with n themes counts 1/n towards each of them. Shares then add up to
    100% of the fragments, so tagging a post with three themes cannot make the plan look more
    balanced than it is. Themes with a target come first, in target order; themes that occur
    without a target follow alphabetically with a target of 0%.
    """
    _validate_targets(targets)
    weights: defaultdict[str, float] = defaultdict(float)
    total = 0
    untagged = 0
    for fragment in fragments:
        if not period.contains(fragment.at):
            continue
        total += 1
        if not fragment.themes:
            untagged += 1
            continue
        for theme in fragment.themes:
            weights[theme] += 1 / len(fragment.themes)

    target_by_theme = {target.theme: target.share_pct for target in targets}
    order = [target.theme for target in targets] + sorted(set(weights) - set(target_by_theme))
    rows = []
    for theme in order:
        actual = 100 * weights[theme] / total if total else 0.0
        target_pct = target_by_theme.get(theme, 0.0)
        difference = actual - target_pct
        rows.append(
            BalanceRow(
                theme=theme,
                weight=weights[theme],
                actual_pct=actual,
                target_pct=target_pct,
                difference_pct=difference,
                status=_status(difference, tolerance_points),
            )
        )
    return BalanceReport(
        rows=rows,
        total_fragments=total,
        untagged_pct=100 * untagged / total if total else 0.0,
    )


def _status(difference: float, tolerance: float) -> BalanceStatus:
    if difference < -tolerance:
        return BalanceStatus.UNDER
    if difference > tolerance:
        return BalanceStatus.OVER
    return BalanceStatus.ON


def _validate_targets(targets: Sequence[ThemeTarget]) -> None:
    seen: set[str] = set()
    for target in targets:
        if target.theme in seen:
            raise InvalidThemeTargetsError(
                f"Theme {target.theme!r} has more than one target.", field="themes"
            )
        seen.add(target.theme)
        if not 0 <= target.share_pct <= 100:
            raise InvalidThemeTargetsError(
                f"The target for {target.theme!r} must lie between 0% and 100%, "
                f"not {target.share_pct}%.",
                field="themes",
            )
    total = sum(target.share_pct for target in targets)
    if total > 100 + _EPSILON:
        raise InvalidThemeTargetsError(
            f"Theme targets add up to {total:g}%; they may add up to at most 100%.",
            field="themes",
        )
