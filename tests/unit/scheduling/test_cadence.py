from datetime import UTC, date, datetime, timedelta

import pytest

from planner.scheduling.cadence import (
    CadenceStatus,
    CadenceTarget,
    InvalidCadenceTargetError,
    PlannedPost,
    cadence_report,
    cadence_status,
)
from planner.timekeeping.periods import IsoWeek, Period

AMS = "Europe/Amsterdam"
# ISO weeks 2026-W41 (Mon 5 Oct) to 2026-W43 (Mon 19 Oct .. Sun 25 Oct, the fall-back Sunday).
PERIOD = Period(date(2026, 10, 5), date(2026, 10, 25), AMS)


def posts(channel: str, first: datetime, count: int) -> list[PlannedPost]:
    return [PlannedPost(channel, first + timedelta(hours=3 * i)) for i in range(count)]


@pytest.mark.parametrize(
    ("planned", "target", "expected"),
    [
        (0, 1, CadenceStatus.GAP),
        (1, 1, CadenceStatus.OK),
        (2, 1, CadenceStatus.OVERLOAD),
        (4, 5, CadenceStatus.OK),
        (3, 5, CadenceStatus.GAP),
        (6, 5, CadenceStatus.OK),
        (7, 5, CadenceStatus.OVERLOAD),
        (0, 0, CadenceStatus.OK),
        (1, 0, CadenceStatus.OVERLOAD),
    ],
)
def test_cadence_status_compares_within_a_relative_band(planned, target, expected):
    assert cadence_status(planned, target, tolerance=0.2) == expected


def test_cadence_status_calls_an_empty_week_a_gap_whatever_the_tolerance():
    assert cadence_status(0, 1, tolerance=1.0) == CadenceStatus.GAP


def test_cadence_report_gives_one_row_per_channel_and_week():
    items = [
        *posts("linkedin", datetime(2026, 10, 5, 8, tzinfo=UTC), 3),
        *posts("linkedin", datetime(2026, 10, 12, 8, tzinfo=UTC), 6),
        *posts("mastodon", datetime(2026, 10, 20, 8, tzinfo=UTC), 2),
        *posts("instagram", datetime(2026, 10, 20, 8, tzinfo=UTC), 9),  # no target: ignored
    ]
    targets = [CadenceTarget("linkedin", 3), CadenceTarget("mastodon", 2)]
    rows = cadence_report(targets, items, period=PERIOD)
    table = {(row.channel, str(row.week)): (row.planned, row.status) for row in rows}
    assert table == {
        ("linkedin", "2026-W41"): (3, CadenceStatus.OK),
        ("linkedin", "2026-W42"): (6, CadenceStatus.OVERLOAD),
        ("linkedin", "2026-W43"): (0, CadenceStatus.GAP),
        ("mastodon", "2026-W41"): (0, CadenceStatus.GAP),
        ("mastodon", "2026-W42"): (0, CadenceStatus.GAP),
        ("mastodon", "2026-W43"): (2, CadenceStatus.OK),
    }
    assert [row.channel for row in rows[:3]] == ["linkedin"] * 3
    assert rows[1].difference == 3


def test_cadence_report_counts_weeks_on_the_local_clock():
    # Sunday 25 Oct 23:30 UTC is Monday 26 Oct 00:30 in Amsterdam: week 44, outside the period.
    late = PlannedPost("linkedin", datetime(2026, 10, 25, 23, 30, tzinfo=UTC))
    inside = PlannedPost("linkedin", datetime(2026, 10, 25, 22, 30, tzinfo=UTC))
    rows = cadence_report([CadenceTarget("linkedin", 1)], [late, inside], period=PERIOD)
    assert {row.week: row.planned for row in rows}[IsoWeek(2026, 43)] == 1


def test_cadence_report_widens_a_partial_period_to_whole_weeks():
    period = Period(date(2026, 10, 7), date(2026, 10, 8), AMS)  # Wed-Thu of W41
    monday = PlannedPost("linkedin", datetime(2026, 10, 5, 8, tzinfo=UTC))
    rows = cadence_report([CadenceTarget("linkedin", 1)], [monday], period=period)
    assert [(row.week, row.planned, row.status) for row in rows] == [
        (IsoWeek(2026, 41), 1, CadenceStatus.OK)
    ]


def test_cadence_target_refuses_negative_targets():
    with pytest.raises(InvalidCadenceTargetError):
        CadenceTarget("linkedin", -1)
