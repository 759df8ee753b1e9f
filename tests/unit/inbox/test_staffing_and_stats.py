"""The webcare FTE formula and the nearest-rank percentiles of the response-time report."""

from __future__ import annotations

import pytest

from planner.inbox.staffing import webcare_fte
from planner.inbox.stats import median, percentile


def test_fte_from_volume_and_handling_time() -> None:
    # 288 messages a week at 6 minutes: 28.8 hours; 36-hour weeks at 80 %: 28.8 / 28.8 = 1 FTE.
    staffing = webcare_fte(288, 6, fte_hours=36, productive_share=0.8, office_hours_per_week=40)
    assert staffing.workload_hours == pytest.approx(28.8)
    assert staffing.workload_fte == pytest.approx(1.0)
    assert staffing.coverage_fte == pytest.approx(40 / 36)
    assert staffing.needed_fte == pytest.approx(40 / 36)


def test_a_large_volume_needs_more_than_coverage() -> None:
    # The tax office's 150,000 messages a year is about 2,885 a week.
    staffing = webcare_fte(150_000 / 52, 8, office_hours_per_week=40)
    assert staffing.needed_fte == pytest.approx(150_000 / 52 * 8 / 60 / (36 * 0.8))
    assert staffing.needed_fte > 13


@pytest.mark.parametrize(
    "bad", [{"fte_hours": 0}, {"productive_share": 0}, {"productive_share": 1.5}]
)
def test_impossible_settings_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"week|share"):
        webcare_fte(10, 5, **bad)


def test_nearest_rank_percentiles() -> None:
    values = [5.0, 1.0, 3.0, 2.0, 4.0, 10.0, 6.0, 7.0, 8.0, 9.0]
    assert median(values) == 5.0
    assert percentile(values, 90) == 9.0
    assert percentile(values, 100) == 10.0
    assert percentile([], 50) is None
    assert median([42.0]) == 42.0
