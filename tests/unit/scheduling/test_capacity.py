from datetime import UTC, date, datetime

import pytest

from planner.scheduling.capacity import (
    DEFAULT_EFFORT_MINUTES,
    Assignment,
    CapacitySettings,
    InvalidCapacitySettingsError,
    Person,
    UnknownFragmentKindError,
    capacity_report,
)
from planner.timekeeping.periods import IsoWeek, Period

AMS = "Europe/Amsterdam"
# ISO weeks 2027-W10 (Mon 8 March) and 2027-W11.
PERIOD = Period(date(2027, 3, 8), date(2027, 3, 21), AMS)
W10 = datetime(2027, 3, 9, 9, tzinfo=UTC)
W11 = datetime(2027, 3, 16, 9, tzinfo=UTC)
ANNE = Person("anne", "Anne", 8)
BRAM = Person("bram", "Bram", 32)


def test_default_effort_estimates_match_the_agreed_values():
    assert dict(DEFAULT_EFFORT_MINUTES) == {
        "post": 20,
        "thread": 45,
        "article": 180,
        "video_brief": 480,
    }


def test_capacity_report_adds_hours_per_person_and_week_and_flags_overload():
    assignments = [
        Assignment("article", W10, "anne"),
        Assignment("video_brief", W10, "anne"),
        Assignment("post", W10, "bram"),
        Assignment("thread", W11, "bram"),
    ]
    report = capacity_report([ANNE, BRAM], assignments, period=PERIOD)
    rows = {(row.person, row.week): row for row in report.people}
    anne_w10 = rows[("anne", IsoWeek(2027, 10))]
    assert anne_w10.hours_needed == pytest.approx(11)
    assert anne_w10.is_overloaded
    assert anne_w10.utilisation == pytest.approx(11 / 8)
    assert rows[("anne", IsoWeek(2027, 11))].hours_needed == 0
    assert rows[("bram", IsoWeek(2027, 10))].hours_needed == pytest.approx(20 / 60)
    assert not rows[("bram", IsoWeek(2027, 11))].is_overloaded
    assert len(report.people) == 4


def test_capacity_report_totals_in_fte_with_a_configurable_week():
    assignments = [Assignment("article", W10, "anne")] * 12  # 36 h in W10, nothing in W11
    municipal = capacity_report([ANNE], assignments, period=PERIOD)
    assert [week.fte for week in municipal.weeks] == pytest.approx([1.0, 0.0])
    assert municipal.average_fte == pytest.approx(0.5)
    forty = capacity_report(
        [ANNE], assignments, period=PERIOD, settings=CapacitySettings(fte_hours_per_week=40)
    )
    assert forty.weeks[0].fte == pytest.approx(0.9)


def test_capacity_report_uses_overrides_and_custom_estimates():
    settings = CapacitySettings(effort_minutes={"post": 30, "podcast": 240})
    assignments = [
        Assignment("post", W10, "bram"),
        Assignment("podcast", W10, "bram"),
        Assignment("post", W10, "bram", effort_minutes=90),
    ]
    report = capacity_report([BRAM], assignments, period=PERIOD, settings=settings)
    assert report.people[0].hours_needed == pytest.approx(6)


def test_capacity_report_keeps_unassigned_and_unknown_people_visible():
    assignments = [Assignment("article", W10, None), Assignment("post", W10, "carla")]
    report = capacity_report([ANNE], assignments, period=PERIOD)
    assert report.weeks[0].unassigned_hours == pytest.approx(3)
    assert report.weeks[0].hours_needed == pytest.approx(3 + 20 / 60)
    carla = [row for row in report.people if row.person == "carla"]
    assert carla[0].hours_available == 0
    assert carla[0].is_overloaded
    assert carla[0].utilisation is None


def test_capacity_report_ignores_work_outside_the_period():
    outside = Assignment("article", datetime(2027, 3, 22, 9, tzinfo=UTC), "anne")
    report = capacity_report([ANNE], [outside], period=PERIOD)
    assert sum(week.hours_needed for week in report.weeks) == 0


def test_capacity_report_refuses_an_unknown_kind():
    with pytest.raises(UnknownFragmentKindError, match="podcast"):
        capacity_report([ANNE], [Assignment("podcast", W10, "anne")], period=PERIOD)


def test_capacity_settings_refuse_a_non_positive_fte_week():
    with pytest.raises(InvalidCapacitySettingsError):
        CapacitySettings(fte_hours_per_week=0)
