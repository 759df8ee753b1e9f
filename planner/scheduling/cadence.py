"""Whether each channel gets the number of posts per week it was promised.

A channel that goes quiet loses its audience and one that floods them loses it too, so every ISO
week of a period gets a status per channel: a gap, ok, or an overload against the target.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from planner.errors import ValidationError
from planner.timekeeping.periods import IsoWeek, Period

#: How far the planned count may stray from the target, as a fraction of the target, before a
#: week is flagged. Relative rather than a fixed number of posts so that one extra post on a
#: channel with a target of 10 a week is fine while doubling a target of 1 is not.
DEFAULT_TOLERANCE = 0.2

ChannelKey = str | int


class InvalidCadenceTargetError(ValidationError):
    code = "invalid-cadence-target"


class CadenceStatus(StrEnum):
    GAP = "gap"
    OK = "ok"
    OVERLOAD = "overload"


@dataclass(frozen=True, slots=True)
class CadenceTarget:
    channel: ChannelKey
    posts_per_week: float

    def __post_init__(self) -> None:
        if self.posts_per_week < 0:
            raise InvalidCadenceTargetError(
                f"A weekly target cannot be negative ({self.posts_per_week}).",
                field="posts_per_week",
            )


@dataclass(frozen=True, slots=True)
class PlannedPost:
    channel: ChannelKey
    at: datetime


@dataclass(frozen=True, slots=True)
class CadenceRow:
    channel: ChannelKey
    week: IsoWeek
    target: float
    planned: int
    difference: float
    status: CadenceStatus


def cadence_status(
    planned: int, target: float, *, tolerance: float = DEFAULT_TOLERANCE
) -> CadenceStatus:
    """Compare one week's count with its target; the band is target × (1 ± tolerance)."""
    if tolerance < 0:
        raise ValueError("tolerance must not be negative")
    # Nothing planned against a positive target is always a gap, however wide the tolerance.
    if planned == 0 and target > 0:
        return CadenceStatus.GAP
    if planned < target * (1 - tolerance):
        return CadenceStatus.GAP
    if planned > target * (1 + tolerance):
        return CadenceStatus.OVERLOAD
    return CadenceStatus.OK


def cadence_report(
    targets: Sequence[CadenceTarget],
    posts: Iterable[PlannedPost],
    *,
    period: Period,
    tolerance: float = DEFAULT_TOLERANCE,
) -> list[CadenceRow]:
    """One row per (target channel, ISO week touched by the period), channels in target order.

    The period is widened to whole ISO weeks: a weekly target compared with three days of a week
    would report false gaps. Weeks are counted on the period's wall clock. Posts on channels
    without a target are ignored, since there is nothing to compare them with.
    """
    whole = period.whole_weeks()
    counts: Counter[tuple[ChannelKey, IsoWeek]] = Counter(
        (post.channel, IsoWeek.of_instant(post.at, period.tz))
        for post in posts
        if whole.contains(post.at)
    )
    weeks = whole.weeks()
    return [
        CadenceRow(
            channel=target.channel,
            week=week,
            target=target.posts_per_week,
            planned=(planned := counts[(target.channel, week)]),
            difference=planned - target.posts_per_week,
            status=cadence_status(planned, target.posts_per_week, tolerance=tolerance),
        )
        for target in targets
        for week in weeks
    ]
