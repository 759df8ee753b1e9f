"""The webcare clock in office time: weekends, evenings, public holidays and both DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from planner.inbox.officeclock import OfficeHours, add_office_time, office_seconds, read_clock

AMS = OfficeHours(holidays=frozenset({date(2026, 12, 25), date(2026, 12, 26)}))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_office_seconds_counts_only_the_open_hours_of_a_weekday() -> None:
    # Thursday 3 December 2026, CET (UTC+1): 09:00-17:00 local is 08:00-16:00 UTC.
    assert office_seconds(utc(2026, 12, 3, 7), utc(2026, 12, 3, 9), AMS) == 3600
    assert office_seconds(utc(2026, 12, 3, 15, 30), utc(2026, 12, 3, 20), AMS) == 1800


def test_a_friday_evening_message_waits_for_monday_morning() -> None:
    friday_evening = utc(2026, 12, 4, 19)  # 20:00 local
    assert office_seconds(friday_evening, utc(2026, 12, 7, 8), AMS) == 0  # Monday 09:00 local
    due = add_office_time(friday_evening, 3600, AMS)
    assert due == utc(2026, 12, 7, 9)  # Monday 10:00 local


def test_public_holidays_are_closed_all_day() -> None:
    # Thursday 24 Dec at 16:30 local, a one-hour target: 30 minutes on the 24th, then Christmas
    # and Boxing Day (Friday, Saturday) and Sunday are closed; Monday 28 Dec 09:30 local.
    start = utc(2026, 12, 24, 15, 30)
    assert add_office_time(start, 3600, AMS) == utc(2026, 12, 28, 8, 30)


def test_spring_forward_day_counts_real_hours() -> None:
    # 29 March 2026: clocks go from 02:00 to 03:00. A 24-hour service that day lasts 23 hours.
    always = OfficeHours(windows={d: (time(0), time(0)) for d in range(7)})
    start = datetime(2026, 3, 29, 0, 0, tzinfo=always.zone).astimezone(UTC)
    end = datetime(2026, 3, 30, 0, 0, tzinfo=always.zone).astimezone(UTC)
    assert office_seconds(start, end, always) == 23 * 3600


def test_fall_back_day_counts_real_hours() -> None:
    always = OfficeHours(windows={d: (time(0), time(0)) for d in range(7)})
    start = datetime(2026, 10, 25, 0, 0, tzinfo=always.zone).astimezone(UTC)
    end = datetime(2026, 10, 26, 0, 0, tzinfo=always.zone).astimezone(UTC)
    assert office_seconds(start, end, always) == 25 * 3600


def test_office_window_follows_the_wall_clock_across_dst() -> None:
    # 09:00 local is 08:00 UTC in winter and 07:00 UTC in summer.
    friday_before = utc(2026, 3, 27, 15, 30)  # 16:30 CET
    due = add_office_time(friday_before, 3600, AMS)
    assert due == utc(2026, 3, 30, 7, 30)  # Monday 09:30 CEST


def test_dutch_holidays_come_from_the_holidays_package() -> None:
    import holidays

    nl = holidays.country_holidays("NL", years=2026)
    assert date(2026, 4, 27) in nl  # Koningsdag
    hours = OfficeHours(holidays=frozenset(nl))
    # Monday 27 April 2026 is closed: a message at 10:00 local waits until Tuesday.
    start = datetime(2026, 4, 27, 10, tzinfo=hours.zone).astimezone(UTC)
    assert office_seconds(start, start + timedelta(hours=10), hours) == 0


@pytest.mark.parametrize(
    ("minutes", "colour"), [(30, "ok"), (45, "amber"), (59, "amber"), (60, "red"), (90, "red")]
)
def test_the_clock_turns_amber_then_red(minutes: int, colour: str) -> None:
    start = utc(2026, 12, 3, 8)
    reading = read_clock(start, start + timedelta(minutes=minutes), 3600, AMS)
    assert reading.colour == colour


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        office_seconds(datetime(2026, 1, 1), utc(2026, 1, 2), AMS)


def test_weekly_hours() -> None:
    assert AMS.weekly_hours == 40
