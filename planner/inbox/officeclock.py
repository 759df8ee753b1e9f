"""The webcare clock: how much office time lies between two instants, and when a target of office
time runs out. Response times residents feel are counted in the organisation's office hours, so a
message sent on Friday evening is not "late" on Monday at nine.

Pure: instants are aware UTC datetimes; office hours are local wall times in the organisation's
timezone, resolved per day through zoneinfo, so a day that springs forward or falls back counts
the hours that really passed. Public holidays close the office for the whole day.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

#: Monday to Friday, nine to five: what a new installation starts with
DEFAULT_HOURS: dict[int, tuple[time, time]] = {day: (time(9), time(17)) for day in range(5)}
#: how far ahead add_office_time looks for office hours before giving up (a closed office)
SEARCH_DAYS = 400


@dataclass(frozen=True)
class OfficeHours:
    """Weekly windows (0 = Monday) of local wall time, a timezone, and the days that are closed."""

    timezone: str = "Europe/Amsterdam"
    windows: Mapping[int, tuple[time, time]] = field(default_factory=lambda: dict(DEFAULT_HOURS))
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        for day, (start, end) in self.windows.items():
            if not 0 <= day <= 6:
                raise ValueError(f"weekday {day} is not 0 (Monday) to 6 (Sunday)")
            if end <= start and end != time(0):
                raise ValueError("an office day must end after it starts")

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def window_on(self, day: date) -> tuple[datetime, datetime] | None:
        """The office's open period on a local date, as UTC instants; None when closed."""
        if day in self.holidays or day.weekday() not in self.windows:
            return None
        start, end = self.windows[day.weekday()]
        opens = datetime.combine(day, start, self.zone)
        # "00:00" as an end means midnight at the end of the day (a 24-hour service)
        closes_on = day + timedelta(days=1) if end == time(0) else day
        closes = datetime.combine(closes_on, end, self.zone)
        # A wall time in a DST gap does not exist; zoneinfo maps it forward by the gap, which is
        # the moment the office is really open, so the window stays ordered.
        return opens.astimezone(UTC), closes.astimezone(UTC)

    def windows_between(
        self, start: datetime, end: datetime
    ) -> Iterator[tuple[datetime, datetime]]:
        """Open periods (UTC) overlapping [start, end), clipped to it."""
        first = start.astimezone(self.zone).date() - timedelta(days=1)
        last = end.astimezone(self.zone).date()
        day = first
        while day <= last:
            window = self.window_on(day)
            if window is not None:
                lo, hi = max(window[0], start), min(window[1], end)
                if lo < hi:
                    yield lo, hi
            day += timedelta(days=1)

    @property
    def weekly_hours(self) -> float:
        """Office hours in an ordinary week (no holidays), for the staffing formula."""
        total = 0.0
        for start, end in self.windows.values():
            end_minutes = 24 * 60 if end == time(0) else end.hour * 60 + end.minute
            total += (end_minutes - (start.hour * 60 + start.minute)) / 60
        return total


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given where a UTC instant is required")
    return moment.astimezone(UTC)


def office_seconds(start: datetime, end: datetime, hours: OfficeHours) -> float:
    """Office time between two instants, in seconds (0 when end is not after start)."""
    start, end = _aware(start), _aware(end)
    if end <= start:
        return 0.0
    return sum((hi - lo).total_seconds() for lo, hi in hours.windows_between(start, end))


def add_office_time(start: datetime, seconds: float, hours: OfficeHours) -> datetime:
    """The instant at which ``seconds`` of office time have passed since ``start``.

    A target that starts outside office hours starts counting when the office opens.
    """
    start = _aware(start)
    left = max(0.0, seconds)
    day = start.astimezone(hours.zone).date() - timedelta(days=1)
    for _ in range(SEARCH_DAYS):
        window = hours.window_on(day)
        day += timedelta(days=1)
        if window is None or window[1] <= start:
            continue
        lo = max(window[0], start)
        available = (window[1] - lo).total_seconds()
        if left <= available:
            return lo + timedelta(seconds=left)
        left -= available
    raise ValueError("the office is closed for more than a year: check the office hours")


@dataclass(frozen=True)
class ClockReading:
    """Where an open item stands against its target."""

    elapsed_seconds: float
    target_seconds: float
    #: "ok", "amber" (most of the target used) or "red" (target passed)
    colour: str

    @property
    def remaining_seconds(self) -> float:
        return self.target_seconds - self.elapsed_seconds


#: the share of the target after which an item turns amber
AMBER_AT = 0.75


def read_clock(
    since: datetime, now: datetime, target_seconds: float, hours: OfficeHours
) -> ClockReading:
    elapsed = office_seconds(since, now, hours)
    if target_seconds <= 0 or elapsed >= target_seconds:
        colour = "red"
    elif elapsed >= AMBER_AT * target_seconds:
        colour = "amber"
    else:
        colour = "ok"
    return ClockReading(elapsed, target_seconds, colour)


def parse_windows(raw: Mapping[str, Sequence[str]]) -> dict[int, tuple[time, time]]:
    """{"0": ["09:00", "17:00"], ...} as stored in the settings, into windows; raises ValueError."""
    windows: dict[int, tuple[time, time]] = {}
    for key, value in raw.items():
        if not value:
            continue
        if len(value) != 2:
            raise ValueError(f"day {key}: give an opening and a closing time")
        windows[int(key)] = (time.fromisoformat(value[0]), time.fromisoformat(value[1]))
    return windows


def format_windows(windows: Mapping[int, tuple[time, time]]) -> dict[str, list[str]]:
    return {
        str(day): [start.strftime("%H:%M"), end.strftime("%H:%M")]
        for day, (start, end) in sorted(windows.items())
    }
