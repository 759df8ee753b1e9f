"""Whether the people assigned to the plan have the hours it needs, per ISO week.

Editorial plans fail on hours before they fail on ideas; estimating effort per fragment kind and
comparing it with each person's weekly hours shows overload early, and the total in FTE gives
management one number to budget with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from planner.errors import ValidationError
from planner.timekeeping.periods import IsoWeek, Period

PersonKey = str | int

#: Effort estimates in minutes per fragment kind; settings may override them.
DEFAULT_EFFORT_MINUTES: Mapping[str, int] = MappingProxyType(
    {"post": 20, "thread": 45, "article": 3 * 60, "video_brief": 8 * 60}
)

#: Hours in one full-time week. 36 is the usual full-time week in Dutch municipalities (CAO
#: Gemeenten); other organisations set their own.
DEFAULT_FTE_HOURS_PER_WEEK = 36.0


class UnknownFragmentKindError(ValidationError):
    code = "unknown-fragment-kind"


class InvalidCapacitySettingsError(ValidationError):
    code = "invalid-capacity-settings"


@dataclass(frozen=True, slots=True)
class CapacitySettings:
    effort_minutes: Mapping[str, int] = field(default_factory=lambda: DEFAULT_EFFORT_MINUTES)
    fte_hours_per_week: float = DEFAULT_FTE_HOURS_PER_WEEK

    def __post_init__(self) -> None:
        if self.fte_hours_per_week <= 0:
            raise InvalidCapacitySettingsError(
                "An FTE week must have a positive number of hours.", field="fte_hours_per_week"
            )
        for kind, minutes in self.effort_minutes.items():
            if minutes < 0:
                raise InvalidCapacitySettingsError(
                    f"The effort for {kind!r} cannot be negative.", field="effort_minutes"
                )

    def minutes_for(self, kind: str) -> int:
        try:
            return self.effort_minutes[kind]
        except KeyError:
            known = ", ".join(sorted(self.effort_minutes))
            raise UnknownFragmentKindError(
                f"No effort estimate for fragment kind {kind!r}; known kinds: {known}.",
                field="kind",
            ) from None


@dataclass(frozen=True, slots=True)
class Person:
    key: PersonKey
    name: str
    weekly_hours: float


@dataclass(frozen=True, slots=True)
class Assignment:
    """One planned fragment: its kind, when it goes out, and who makes it (None: nobody yet)."""

    kind: str
    at: datetime
    person: PersonKey | None
    #: overrides the kind's estimate for an unusually large or small piece
    effort_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class PersonWeekLoad:
    person: PersonKey
    name: str
    week: IsoWeek
    hours_needed: float
    hours_available: float
    is_overloaded: bool

    @property
    def utilisation(self) -> float | None:
        """Needed over available, or None for someone with no hours (cannot be a fraction)."""
        return self.hours_needed / self.hours_available if self.hours_available else None


@dataclass(frozen=True, slots=True)
class WeekLoad:
    week: IsoWeek
    hours_needed: float
    unassigned_hours: float
    fte: float


@dataclass(frozen=True, slots=True)
class CapacityReport:
    people: list[PersonWeekLoad]
    weeks: list[WeekLoad]
    fte_hours_per_week: float

    @property
    def average_fte(self) -> float:
        """The plan's size in FTE: mean hours needed per week over the FTE week."""
        if not self.weeks:
            return 0.0
        return sum(week.fte for week in self.weeks) / len(self.weeks)


def capacity_report(
    people: Sequence[Person],
    assignments: Iterable[Assignment],
    *,
    period: Period,
    settings: CapacitySettings | None = None,
) -> CapacityReport:
    """Hours needed per person and per ISO week of ``period`` (widened to whole weeks).

    Effort is attributed to the week in which the fragment goes out, on the period's wall clock:
    an approximation (an article is partly written the week before) that keeps the rule simple and
    predictable. An assignment to someone not in ``people`` counts against zero available hours,
    so it shows as an overload instead of disappearing.
    """
    settings = settings or CapacitySettings()
    whole = period.whole_weeks()
    weeks = whole.weeks()
    minutes: defaultdict[tuple[PersonKey | None, IsoWeek], int] = defaultdict(int)
    for item in assignments:
        if not whole.contains(item.at):
            continue
        effort = item.effort_minutes
        if effort is None:
            effort = settings.minutes_for(item.kind)
        minutes[(item.person, IsoWeek.of_instant(item.at, period.tz))] += effort

    known = {person.key: person for person in people}
    strangers = sorted({key for key, _ in minutes if key is not None and key not in known}, key=str)
    roster = [*people, *(Person(key, str(key), 0.0) for key in strangers)]
    rows = [
        PersonWeekLoad(
            person=person.key,
            name=person.name,
            week=week,
            hours_needed=(needed := minutes.get((person.key, week), 0) / 60),
            hours_available=person.weekly_hours,
            is_overloaded=needed > person.weekly_hours,
        )
        for person in roster
        for week in weeks
    ]
    totals = []
    for week in weeks:
        week_minutes = sum(value for (_, at_week), value in minutes.items() if at_week == week)
        hours = week_minutes / 60
        totals.append(
            WeekLoad(
                week=week,
                hours_needed=hours,
                unassigned_hours=minutes.get((None, week), 0) / 60,
                fte=hours / settings.fte_hours_per_week,
            )
        )
    return CapacityReport(people=rows, weeks=totals, fte_hours_per_week=settings.fte_hours_per_week)
