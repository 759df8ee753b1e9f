"""Turning wall-clock input into UTC instants and back, refusing what no wall clock can show.

Every planned time is typed as a local wall time but stored as an aware UTC instant; this is the
one place that converts, so a spring-forward gap or a fall-back overlap is decided once, at input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from planner.errors import ValidationError

Fold = Literal["earlier", "later"]

#: The organisation's timezone unless configured otherwise (docs/publishing.md, "Time").
DEFAULT_TIMEZONE: Final = "Europe/Amsterdam"

#: What the form preselects when a wall time occurs twice (fall back): the first occurrence, which
#: is still summer time. Editors think "half past two, before the clocks go back"; the later
#: occurrence stays one explicit click away, and the service never picks silently.
DEFAULT_FOLD: Final[Fold] = "earlier"

_MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class UnknownTimezoneError(ValidationError):
    code = "unknown-timezone"


class InvalidInstantError(ValidationError):
    code = "invalid-instant"


class NonexistentLocalTimeError(ValidationError):
    """The wall time falls in a spring-forward gap; ``first_valid_at`` is where the gap ends."""

    code = "nonexistent-local-time"

    def __init__(
        self,
        message: str,
        *,
        gap_starts: datetime,
        gap_ends: datetime,
        first_valid_at: datetime,
        field: str | None = None,
    ) -> None:
        super().__init__(
            message,
            field=field,
            gap_starts=gap_starts.isoformat(),
            gap_ends=gap_ends.isoformat(),
            first_valid_at=first_valid_at.isoformat(),
        )
        self.gap_starts = gap_starts
        self.gap_ends = gap_ends
        self.first_valid_at = first_valid_at


class AmbiguousLocalTimeError(ValidationError):
    """The wall time occurs twice (fall back); the caller must pass ``fold`` to choose."""

    code = "ambiguous-local-time"

    def __init__(
        self,
        message: str,
        *,
        earlier_at: datetime,
        later_at: datetime,
        field: str | None = None,
    ) -> None:
        super().__init__(
            message,
            field=field,
            earlier_at=earlier_at.isoformat(),
            later_at=later_at.isoformat(),
        )
        self.earlier_at = earlier_at
        self.later_at = later_at


@dataclass(frozen=True, slots=True)
class LocalResolution:
    """What one naive wall time means in a zone, without raising.

    ``kind`` is "unique", "gap" or "overlap". For "unique" both instants are equal; for "overlap"
    they are the first and second occurrence; for "gap" both are the first valid instant after the
    gap (the moment the clocks jump), which is what recurring slots fall back on.
    """

    local: datetime
    tz: str
    kind: Literal["unique", "gap", "overlap"]
    earlier_at: datetime
    later_at: datetime


def get_zone(tz: str) -> ZoneInfo:
    """The zone for an IANA name, or a user-facing error naming what was typed."""
    try:
        # ZoneInfo raises ValueError for malformed keys ("../x", ""), ZoneInfoNotFoundError for
        # unknown ones and, on some platforms, an OSError for a directory such as "Europe".
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError, TypeError):
        raise UnknownTimezoneError(
            f"Unknown timezone {tz!r}: use an IANA name such as {DEFAULT_TIMEZONE!r}.",
            field="timezone",
            timezone=str(tz),
        ) from None


def validate_timezone(tz: str) -> str:
    """Return ``tz`` unchanged if it names a zone, so forms can store it; raise otherwise."""
    get_zone(tz)
    return tz


def inspect_local(local: datetime, tz: str) -> LocalResolution:
    """Classify a naive wall time in ``tz`` as unique, in a gap, or in an overlap."""
    if local.tzinfo is not None:
        raise ValueError("inspect_local expects a naive wall time, not an aware datetime")
    zone = get_zone(tz)
    wall = local.replace(fold=0)
    # PEP 495: fold=0 applies the offset in force before a transition, fold=1 the one after.
    # A wall time is real only if converting to UTC and back gives the same wall time.
    first = wall.replace(tzinfo=zone).astimezone(UTC)
    second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    first_ok = _wall(first, zone) == wall
    second_ok = _wall(second, zone) == wall
    if first_ok and second_ok and first != second:
        return LocalResolution(wall, tz, "overlap", min(first, second), max(first, second))
    if first_ok or second_ok:
        at = first if first_ok else second
        return LocalResolution(wall, tz, "unique", at, at)
    jump = _transition_between(min(first, second), max(first, second), zone)
    return LocalResolution(wall, tz, "gap", jump, jump)


def resolve_local(local: datetime, tz: str, *, fold: Fold | None = None) -> datetime:
    """The aware UTC instant a person means by a naive wall time in ``tz``.

    Raises NonexistentLocalTimeError for a time inside a spring-forward gap (no ``fold`` can help:
    the form must ask for another time) and AmbiguousLocalTimeError for a time that occurs twice
    unless ``fold`` says which occurrence. ``fold`` is ignored when the time is unique.
    """
    if fold not in (None, "earlier", "later"):
        raise ValueError(f"fold must be 'earlier', 'later' or None, not {fold!r}")
    res = inspect_local(local, tz)
    if res.kind == "unique":
        return res.earlier_at
    zone = get_zone(tz)
    hm, on = _hm(res.local), f"on {_long_date(res.local.date())} in {tz}"
    if res.kind == "gap":
        before = _offset(res.earlier_at - timedelta(seconds=1), zone)
        after = _offset(res.earlier_at, zone)
        gap_starts = (res.earlier_at + before).replace(tzinfo=None)
        gap_ends = (res.earlier_at + after).replace(tzinfo=None)
        gap = NonexistentLocalTimeError(
            f"{hm} does not exist {on}: clocks jump from {_hm(gap_starts)} to {_hm(gap_ends)}. "
            f"Choose a time before {_hm(gap_starts)} or from {_hm(gap_ends)}.",
            gap_starts=gap_starts,
            gap_ends=gap_ends,
            first_valid_at=res.earlier_at,
            field="time",
        )
        # for the pages: the same sentence as a catalogue message, its values apart (the day is
        # a date, written out in the reader's language)
        gap.template = GAP_TEMPLATE
        gap.params = {
            "time": hm,
            "day": res.local.date(),
            "zone": tz,
            "start": _hm(gap_starts),
            "end": _hm(gap_ends),
        }
        raise gap
    if fold is None:
        twice = AmbiguousLocalTimeError(
            f"{hm} occurs twice {on}: first at {_describe(res.earlier_at, zone)}, then at "
            f"{_describe(res.later_at, zone)}. Choose which one.",
            earlier_at=res.earlier_at,
            later_at=res.later_at,
            field="time",
        )
        twice.template = TWICE_TEMPLATE
        twice.params = {
            "time": hm,
            "day": res.local.date(),
            "zone": tz,
            "first": _describe(res.earlier_at, zone),
            "second": _describe(res.later_at, zone),
        }
        raise twice
    return res.earlier_at if fold == "earlier" else res.later_at


def to_local(instant: datetime, tz: str) -> datetime:
    """An aware UTC instant as an aware wall time in ``tz``, for display and for grouping by day."""
    _require_aware(instant, "to_local")
    return instant.astimezone(get_zone(tz))


def local_date(instant: datetime, tz: str) -> date:
    """The calendar date on the wall in ``tz`` at ``instant``."""
    return to_local(instant, tz).date()


def ensure_utc(instant: datetime) -> datetime:
    """The same instant with tzinfo UTC; naive datetimes are a programming error here."""
    _require_aware(instant, "ensure_utc")
    return instant.astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 timestamp that carries its offset (or Z) into an aware UTC datetime.

    A timestamp without an offset is refused rather than guessed: the API must never decide on the
    client's behalf which zone a wall time was meant in.
    """
    cleaned = text.strip()
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        raise InvalidInstantError(
            f"{text!r} is not an ISO 8601 timestamp; expected e.g. 2026-10-25T02:30:00+02:00.",
            field="at",
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise InvalidInstantError(
            f"{text!r} has no UTC offset, so it could mean different moments; add one, e.g. "
            f"{parsed.isoformat()}+01:00 or {parsed.isoformat()}Z.",
            field="at",
        )
    return parsed.astimezone(UTC)


def _require_aware(instant: datetime, where: str) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{where} expects an aware datetime, got a naive one: {instant!r}")


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None, fold=0)


def _offset(instant: datetime, zone: ZoneInfo) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    if offset is None:  # pragma: no cover - ZoneInfo always answers for an aware instant
        raise ValueError(f"{zone.key} has no offset at {instant.isoformat()}")
    return offset


def _transition_between(low: datetime, high: datetime, zone: ZoneInfo) -> datetime:
    """The first whole second in (low, high] whose offset differs from the offset at ``low``.

    Transitions happen on whole seconds, so bisecting over seconds is exact; the window is at most
    the size of the jump (hours), so this takes a handful of steps.
    """
    start_offset = _offset(low, zone)
    lo, hi = 0, int((high - low).total_seconds())
    while lo < hi:
        mid = (lo + hi) // 2
        if _offset(low + timedelta(seconds=mid), zone) == start_offset:
            lo = mid + 1
        else:
            hi = mid
    return low + timedelta(seconds=lo)


#: the two refusals as catalogue messages (planner.web.forms.error_message fills them in)
GAP_TEMPLATE = (
    "%(time)s does not exist on %(day)s in %(zone)s: clocks jump from %(start)s to %(end)s. "
    "Choose a time before %(start)s or from %(end)s."
)
TWICE_TEMPLATE = (
    "%(time)s occurs twice on %(day)s in %(zone)s: first at %(first)s, then at %(second)s. "
    "Choose which one."
)


def _hm(wall: datetime) -> str:
    return wall.strftime("%H:%M") if wall.second == 0 else wall.strftime("%H:%M:%S")


def _long_date(day: date) -> str:
    # Spelled out by hand: strftime("%B") follows the process locale, and messages must not.
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _describe(instant: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    offset = local.strftime("%z")
    return f"{instant.astimezone(UTC):%H:%M} UTC (UTC{offset[:3]}:{offset[3:]}, {local.tzname()})"
