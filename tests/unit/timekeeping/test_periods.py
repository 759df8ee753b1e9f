from datetime import UTC, date, datetime

import pytest

from planner.timekeeping.periods import InvalidPeriodError, IsoWeek, Period

AMS = "Europe/Amsterdam"


def test_isoweek_of_instant_uses_the_local_date():
    # Sunday 23:30 UTC is already Monday 00:30 in Amsterdam (winter).
    at = datetime(2027, 1, 3, 23, 30, tzinfo=UTC)
    assert IsoWeek.of_instant(at, AMS) == IsoWeek(2027, 1)
    assert IsoWeek.of_instant(at, "UTC") == IsoWeek(2026, 53)


def test_isoweek_next_crosses_the_year_and_prints_like_iso():
    assert IsoWeek(2026, 53).next() == IsoWeek(2027, 1)
    assert str(IsoWeek(2027, 1)) == "2027-W01"
    assert IsoWeek(2027, 1).monday == date(2027, 1, 4)


def test_period_bounds_follow_the_wall_clock_across_dst():
    period = Period(date(2027, 3, 28), date(2027, 3, 28), AMS)
    assert period.start_at == datetime(2027, 3, 27, 23, 0, tzinfo=UTC)
    assert period.end_at == datetime(2027, 3, 28, 22, 0, tzinfo=UTC)  # a 23-hour day
    assert period.contains(datetime(2027, 3, 28, 21, 59, tzinfo=UTC))
    assert not period.contains(datetime(2027, 3, 28, 22, 0, tzinfo=UTC))


def test_period_weeks_include_partial_edges():
    period = Period(date(2026, 12, 30), date(2027, 1, 5), AMS)
    assert period.weeks() == [IsoWeek(2026, 53), IsoWeek(2027, 1)]
    whole = period.whole_weeks()
    assert (whole.start_on, whole.end_on) == (date(2026, 12, 28), date(2027, 1, 10))


def test_period_refuses_an_end_before_the_start():
    with pytest.raises(InvalidPeriodError):
        Period(date(2027, 1, 2), date(2027, 1, 1), AMS)
