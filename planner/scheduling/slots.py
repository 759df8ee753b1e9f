"""Recurring weekly posting slots per channel, expanded into concrete UTC instants.

A slot is a promise about the wall clock ("Tuesdays at 10:00 in Amsterdam"), so it keeps its local
time across DST and yields at most one instant per local date, as docs/publishing.md requires.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from planner.errors import ValidationError
from planner.timekeeping.wallclock import (
    DEFAULT_TIMEZONE,
    ensure_utc,
    get_zone,
    inspect_local,
    local_date,
)

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class InvalidSlotError(ValidationError):
    code = "invalid-slot"


@dataclass(frozen=True, slots=True)
class Slot:
    """Every ``weekday`` (0 = Monday, as ``date.weekday()``) at wall time ``at`` in ``tz``."""

    weekday: int
    at: time
    tz: str = DEFAULT_TIMEZONE

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise InvalidSlotError(
                f"Weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}.", field="weekday"
            )
        if self.at.tzinfo is not None:
            # The zone belongs to the slot, not to the time, so no fixed offset outlives DST.
            raise InvalidSlotError("A slot's time is a wall time; give the zone as tz.", field="at")
        get_zone(self.tz)

    def __str__(self) -> str:
        return f"{WEEKDAY_NAMES[self.weekday]} {self.at:%H:%M} ({self.tz})"


def upcoming_slots(slots: Iterable[Slot], *, after: datetime, until: datetime) -> list[datetime]:
    """Every slot instant strictly after ``after`` and strictly before ``until``, as aware UTC.

    DST policy, per slot and local date:
    - spring forward: a wall time inside the gap (02:30 on 28 March 2027 in Amsterdam) moves to the
      first valid instant after the gap, the moment the clocks show 03:00. Skipping the day would
      silently drop a post; shifting by the gap length (03:30) would invent a time nobody chose.
    - fall back: a wall time that occurs twice yields the first occurrence only (summer time), the
      same choice as ``timing.DEFAULT_FOLD``, so one local date never gets two deliveries.
    The result is sorted and deduplicated: two slots that land on one instant (a 02:30 slot moved
    to 03:00 next to a 03:00 slot) give one instant.
    """
    start, end = ensure_utc(after), ensure_utc(until)
    if end <= start:
        return []
    found: set[datetime] = set()
    for slot in set(slots):
        # Walk local dates with a day of margin either side: the UTC bounds can fall on a
        # different local date than the wall clock shows.
        day = local_date(start, slot.tz) - timedelta(days=1)
        last = local_date(end, slot.tz) + timedelta(days=1)
        day += timedelta(days=(slot.weekday - day.weekday()) % 7)
        while day <= last:
            # For a gap inspect_local reports the end of the gap, for an overlap the first
            # occurrence as earlier_at: exactly the policy above.
            at = inspect_local(datetime.combine(day, slot.at), slot.tz).earlier_at
            if start < at < end:
                found.add(at)
            day += timedelta(days=7)
    return sorted(found)


def next_free_slot(
    slots: Iterable[Slot],
    taken: Sequence[datetime],
    *,
    after: datetime,
    horizon_days: int = 60,
    tolerance: timedelta = timedelta(0),
) -> datetime | None:
    """The first slot instant after ``after`` that nothing occupies, or None within the horizon.

    A slot counts as occupied when a taken instant lies within ``tolerance`` of it (inclusive); the
    default of zero means only an item planned exactly on the slot occupies it.
    """
    if horizon_days < 1:
        raise ValueError(f"horizon_days must be at least 1, not {horizon_days}")
    if tolerance < timedelta(0):
        raise ValueError("tolerance must not be negative")
    start = ensure_utc(after)
    occupied = sorted(ensure_utc(at) for at in taken)
    for candidate in upcoming_slots(slots, after=start, until=start + timedelta(days=horizon_days)):
        index = bisect_left(occupied, candidate - tolerance)
        if index == len(occupied) or occupied[index] > candidate + tolerance:
            return candidate
    return None
