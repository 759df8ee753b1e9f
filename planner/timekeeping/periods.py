"""Calendar periods and ISO weeks as seen on the organisation's wall clock.

Cadence, balance and capacity all count planned items per day or week; a post at 00:30 local time
on a Monday belongs to that Monday's week even though it is still Sunday in UTC, so the grouping
happens here, in the organisation's timezone, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from planner.errors import ValidationError
from planner.timekeeping.wallclock import get_zone, inspect_local, local_date


class InvalidPeriodError(ValidationError):
    code = "invalid-period"


@dataclass(frozen=True, slots=True, order=True)
class IsoWeek:
    """An ISO 8601 week (Monday to Sunday); ``str()`` gives the familiar "2026-W43"."""

    year: int
    week: int

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @classmethod
    def of_instant(cls, instant: datetime, tz: str) -> IsoWeek:
        return cls.of(local_date(instant, tz))

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 7)

    def next(self) -> IsoWeek:
        return IsoWeek.of(self.monday + timedelta(days=7))

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive range of local dates in one timezone, e.g. "March 2027 in Amsterdam"."""

    start_on: date
    end_on: date
    tz: str

    def __post_init__(self) -> None:
        get_zone(self.tz)
        if self.end_on < self.start_on:
            raise InvalidPeriodError(
                f"The period ends ({self.end_on.isoformat()}) before it starts "
                f"({self.start_on.isoformat()}).",
                field="end_on",
            )

    @property
    def start_at(self) -> datetime:
        """The first UTC instant of the period (local midnight, or the end of a midnight gap)."""
        return _start_of_day(self.start_on, self.tz)

    @property
    def end_at(self) -> datetime:
        """The first UTC instant after the period (exclusive bound)."""
        return _start_of_day(self.end_on + timedelta(days=1), self.tz)

    def contains(self, instant: datetime) -> bool:
        return self.start_on <= local_date(instant, self.tz) <= self.end_on

    def days(self) -> Iterator[date]:
        day = self.start_on
        while day <= self.end_on:
            yield day
            day += timedelta(days=1)

    def weeks(self) -> list[IsoWeek]:
        """Every ISO week the period touches, in order, including partial first and last weeks."""
        weeks = [IsoWeek.of(self.start_on)]
        last = IsoWeek.of(self.end_on)
        while weeks[-1] < last:
            weeks.append(weeks[-1].next())
        return weeks

    def whole_weeks(self) -> Period:
        """The period widened to Monday of its first week and Sunday of its last."""
        weeks = self.weeks()
        return Period(weeks[0].monday, weeks[-1].sunday, self.tz)

    @classmethod
    def for_weeks(cls, first: IsoWeek, last: IsoWeek, tz: str) -> Period:
        return cls(first.monday, last.sunday, tz)


def _start_of_day(day: date, tz: str) -> datetime:
    # A few zones have skipped midnight itself (e.g. America/Santiago in some years); the day then
    # begins at the first valid instant, which inspect_local reports for a gap.
    return inspect_local(datetime.combine(day, time()), tz).earlier_at
