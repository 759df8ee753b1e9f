"""The editorial calendar as an RFC 5545 feed that people subscribe to in Outlook or Google.

Subscribers' clients refresh the feed and match events by UID, so a fragment's UID never changes
and times carry their TZID (with a VTIMEZONE), which keeps 10:00 at 10:00 across DST.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from icalendar import Calendar, Event, Timezone

from planner.timekeeping.wallclock import ensure_utc, get_zone

PRODID = "-//Contentfabriek//Editorial planner//NL"
UID_DOMAIN = "contentfabriek"

#: Publishing is a moment, not a meeting; a short block keeps events visible in week views
#: without suggesting the slot is busy for an hour.
DEFAULT_DURATION = timedelta(minutes=15)


class FeedStatus(StrEnum):
    """The three VEVENT statuses RFC 5545 allows; services map fragment states onto them."""

    TENTATIVE = "TENTATIVE"
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True, slots=True)
class FeedEvent:
    id: int | str
    channel: str
    title: str
    start_at: datetime
    description: str = ""
    url: str | None = None
    status: FeedStatus = FeedStatus.TENTATIVE
    categories: tuple[str, ...] = ()
    duration: timedelta = DEFAULT_DURATION
    #: last change of the fragment; used as DTSTAMP so the feed is byte-stable between changes
    updated_at: datetime | None = None


def event_uid(event_id: int | str, *, kind: str = "fragment") -> str:
    """The stable UID of a calendar entry: the same fragment always gets the same UID."""
    return f"{kind}-{event_id}@{UID_DOMAIN}"


def one_line(text: str) -> str:
    """``text`` without line breaks or other control characters (each becomes a space): a
    calendar's name is one content line, and icalendar refuses to write a raw line break."""
    return " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in text).split())


def build_feed(
    name: str,
    events: Sequence[FeedEvent],
    *,
    tz: str,
    stamp_at: datetime | None = None,
) -> bytes:
    """Serialise ``events`` as an iCalendar feed whose times are shown in ``tz``.

    DTSTAMP is each event's ``updated_at``, else ``stamp_at`` (pass ``clock.now()`` from the
    service), else the current time; with the first two the output depends only on the input.
    """
    zone = get_zone(tz)
    fallback_stamp = ensure_utc(stamp_at) if stamp_at is not None else datetime.now(UTC)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = one_line(name)  # a feed named before names were checked must still be served
    calendar.add("name", name)  # RFC 7986
    calendar.add("x-wr-calname", name)  # what Outlook and Google read
    calendar.add("x-wr-timezone", tz)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    calendar.add_component(_vtimezone(tz, [event.start_at for event in events], fallback_stamp))

    for event in sorted(events, key=lambda item: (ensure_utc(item.start_at), str(item.id))):
        vevent = Event()
        vevent.add("uid", event_uid(event.id))
        stamp = event.updated_at if event.updated_at is not None else fallback_stamp
        # DTSTAMP must be UTC (RFC 5545 3.8.7.2).
        vevent.add("dtstamp", ensure_utc(stamp))
        vevent.add("dtstart", ensure_utc(event.start_at).astimezone(zone))
        vevent.add("duration", event.duration)
        vevent.add("summary", f"{event.channel}: {event.title}")
        if event.description:
            vevent.add("description", event.description)
        if event.url:
            vevent.add("url", event.url)
        vevent.add("status", event.status.value)
        vevent.add("categories", [event.channel, *event.categories])
        vevent.add("transp", "TRANSPARENT")  # a planned post does not make anyone busy
        calendar.add_component(vevent)
    data: bytes = calendar.to_ical()
    return data


def _vtimezone(tz: str, starts: Sequence[datetime], stamp: datetime) -> Timezone:
    # The VTIMEZONE only needs the transitions around the events; the library's default span
    # (1970-2038) would add dozens of observances to every download.
    days = [ensure_utc(start).date() for start in starts] or [stamp.date()]
    first = date(min(days).year - 1, 1, 1)
    last = date(max(days).year + 2, 1, 1)
    return Timezone.from_tzid(tz, first_date=first, last_date=last)
