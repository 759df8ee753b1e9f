from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from planner.scheduling.ical import FeedEvent, FeedStatus, build_feed, event_uid
from planner.timekeeping.wallclock import UnknownTimezoneError

AMS = "Europe/Amsterdam"
STAMP = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def events() -> list[FeedEvent]:
    return [
        FeedEvent(
            7,
            "LinkedIn",
            "Nieuwe fietsroute; open, eerlijk",
            datetime(2027, 3, 28, 8, 0, tzinfo=UTC),  # 10:00 CEST, the spring-forward Sunday
            description="Over de route\nen de werkzaamheden",
            url="https://planner.example/fragments/7",
            status=FeedStatus.CONFIRMED,
            categories=("mobiliteit",),
        ),
        FeedEvent(3, "Mastodon", "Inspraakavond", datetime(2026, 10, 25, 9, 0, tzinfo=UTC)),
    ]


def parse(feed: bytes) -> Calendar:
    return Calendar.from_ical(feed)


def test_build_feed_round_trips_through_icalendar_with_calendar_properties():
    calendar = parse(build_feed("Redactie Gemeente", events(), tz=AMS, stamp_at=STAMP))
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).startswith("-//Contentfabriek//")
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["X-WR-CALNAME"]) == "Redactie Gemeente"
    assert str(calendar["X-WR-TIMEZONE"]) == AMS
    timezones = calendar.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == [AMS]


def test_build_feed_gives_times_with_their_tzid_and_keeps_the_instant():
    calendar = parse(build_feed("R", events(), tz=AMS, stamp_at=STAMP))
    by_uid = {str(event["UID"]): event for event in calendar.events}
    spring = by_uid["fragment-7@contentfabriek"]
    assert spring["DTSTART"].params["TZID"] == AMS
    start = spring.decoded("DTSTART")
    assert (start.hour, start.minute) == (10, 0)
    assert start.astimezone(UTC) == datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    autumn = by_uid["fragment-3@contentfabriek"].decoded("DTSTART")
    assert autumn.astimezone(UTC) == datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
    assert autumn.hour == 10


def test_build_feed_fills_event_fields():
    calendar = parse(build_feed("R", events(), tz=AMS, stamp_at=STAMP))
    event = next(e for e in calendar.events if str(e["UID"]) == event_uid(7))
    assert str(event["SUMMARY"]) == "LinkedIn: Nieuwe fietsroute; open, eerlijk"
    assert str(event["DESCRIPTION"]) == "Over de route\nen de werkzaamheden"
    assert str(event["URL"]) == "https://planner.example/fragments/7"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DURATION") == timedelta(minutes=15)
    assert event.decoded("DTSTAMP") == STAMP
    assert event.categories == ["LinkedIn", "mobiliteit"]


def test_build_feed_uids_are_stable_across_builds():
    def uids(feed: bytes) -> list[str]:
        return sorted(str(event["UID"]) for event in parse(feed).events)

    first = build_feed("R", events(), tz=AMS, stamp_at=STAMP)
    second = build_feed("R", list(reversed(events())), tz=AMS, stamp_at=STAMP + timedelta(days=1))
    assert uids(first) == uids(second) == ["fragment-3@contentfabriek", "fragment-7@contentfabriek"]


def test_build_feed_is_byte_identical_for_identical_input():
    assert build_feed("R", events(), tz=AMS, stamp_at=STAMP) == build_feed(
        "R", events(), tz=AMS, stamp_at=STAMP
    )


def test_build_feed_prefers_the_events_own_change_time_as_dtstamp():
    changed = datetime(2026, 8, 1, 7, 0, tzinfo=UTC)
    event = FeedEvent(1, "X", "T", datetime(2026, 9, 2, tzinfo=UTC), updated_at=changed)
    parsed = parse(build_feed("R", [event], tz=AMS, stamp_at=STAMP))
    assert parsed.events[0].decoded("DTSTAMP") == changed


def test_build_feed_uses_crlf_line_endings():
    feed = build_feed("R", events(), tz=AMS, stamp_at=STAMP)
    assert feed.startswith(b"BEGIN:VCALENDAR\r\n")
    assert b"\n" not in feed.replace(b"\r\n", b"")


def test_build_feed_with_no_events_is_still_a_valid_calendar():
    calendar = parse(build_feed("Leeg", [], tz=AMS, stamp_at=STAMP))
    assert calendar.events == []
    assert calendar.walk("VTIMEZONE")


def test_build_feed_refuses_an_unknown_timezone():
    with pytest.raises(UnknownTimezoneError):
        build_feed("R", events(), tz="Europe/Atlantis", stamp_at=STAMP)
