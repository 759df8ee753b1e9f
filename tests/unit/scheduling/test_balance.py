from datetime import UTC, date, datetime

import pytest

from planner.scheduling.balance import (
    BalanceStatus,
    InvalidThemeTargetsError,
    ThemedFragment,
    ThemeTarget,
    balance_report,
)
from planner.timekeeping.periods import Period

AMS = "Europe/Amsterdam"
PERIOD = Period(date(2026, 11, 1), date(2026, 11, 30), AMS)
IN = datetime(2026, 11, 10, 9, tzinfo=UTC)


def fragment(*themes: str, at: datetime = IN) -> ThemedFragment:
    return ThemedFragment(at, frozenset(themes))


def test_balance_report_counts_multi_theme_fragments_fractionally():
    fragments = [
        fragment("wonen"),
        fragment("wonen"),
        fragment("klimaat", "wonen"),
        fragment("werk"),
    ]
    targets = [ThemeTarget("wonen", 50), ThemeTarget("klimaat", 30), ThemeTarget("werk", 20)]
    report = balance_report(targets, fragments, period=PERIOD)
    rows = {row.theme: row for row in report.rows}
    assert report.total_fragments == 4
    assert rows["wonen"].weight == pytest.approx(2.5)
    assert rows["wonen"].actual_pct == pytest.approx(62.5)
    assert rows["klimaat"].actual_pct == pytest.approx(12.5)
    assert rows["werk"].actual_pct == pytest.approx(25)
    assert sum(row.actual_pct for row in report.rows) == pytest.approx(100)
    assert rows["wonen"].difference_pct == pytest.approx(12.5)
    assert (rows["wonen"].status, rows["klimaat"].status, rows["werk"].status) == (
        BalanceStatus.OVER,
        BalanceStatus.UNDER,
        BalanceStatus.ON,
    )


def test_balance_report_lists_untargeted_themes_after_targets():
    report = balance_report(
        [ThemeTarget("wonen", 100)], [fragment("wonen"), fragment("sport")], period=PERIOD
    )
    assert [(row.theme, row.target_pct, row.status) for row in report.rows] == [
        ("wonen", 100, BalanceStatus.UNDER),
        ("sport", 0.0, BalanceStatus.OVER),
    ]


def test_balance_report_ignores_fragments_outside_the_period_and_reports_untagged():
    outside = fragment("wonen", at=datetime(2026, 12, 1, 9, tzinfo=UTC))
    report = balance_report(
        [ThemeTarget("wonen", 50)], [fragment("wonen"), fragment(), outside], period=PERIOD
    )
    assert report.total_fragments == 2
    assert report.untagged_pct == pytest.approx(50)
    assert report.rows[0].actual_pct == pytest.approx(50)


def test_balance_report_tolerance_is_in_percentage_points():
    fragments = [fragment("wonen")] * 6 + [fragment("werk")] * 4
    targets = [ThemeTarget("wonen", 50), ThemeTarget("werk", 50)]
    strict = balance_report(targets, fragments, period=PERIOD, tolerance_points=5)
    loose = balance_report(targets, fragments, period=PERIOD, tolerance_points=10)
    assert [row.status for row in strict.rows] == [BalanceStatus.OVER, BalanceStatus.UNDER]
    assert [row.status for row in loose.rows] == [BalanceStatus.ON, BalanceStatus.ON]


def test_balance_report_with_no_fragments_reports_zero_shares():
    report = balance_report([ThemeTarget("wonen", 40)], [], period=PERIOD)
    assert report.total_fragments == 0
    assert report.rows[0].actual_pct == 0
    assert report.rows[0].status == BalanceStatus.UNDER


@pytest.mark.parametrize(
    "targets",
    [
        [ThemeTarget("wonen", 70), ThemeTarget("werk", 40)],
        [ThemeTarget("wonen", -5)],
        [ThemeTarget("wonen", 20), ThemeTarget("wonen", 20)],
    ],
)
def test_balance_report_refuses_inconsistent_targets(targets):
    with pytest.raises(InvalidThemeTargetsError):
        balance_report(targets, [], period=PERIOD)
