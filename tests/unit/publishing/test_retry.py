"""Retry timing: exponential backoff with equal jitter, Retry-After in both forms, a last attempt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.publishing.retry import (
    MAX_ATTEMPTS,
    MAX_RETRY_AFTER,
    backoff_delay,
    next_attempt_at,
    parse_retry_after,
)

NOW = datetime(2025, 10, 26, 0, 30, tzinfo=UTC)


def test_backoff_delay_doubles_from_the_base() -> None:
    # With the random half at its maximum the delay is the full exponential ceiling.
    assert [backoff_delay(n, rand=lambda: 1.0) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


def test_backoff_delay_keeps_half_as_a_floor() -> None:
    assert backoff_delay(3, rand=lambda: 0.0) == 60


def test_backoff_delay_is_capped() -> None:
    assert backoff_delay(50, rand=lambda: 1.0) == 3600
    assert backoff_delay(10_000, rand=lambda: 1.0) == 3600


def test_backoff_delay_rejects_attempt_zero() -> None:
    with pytest.raises(ValueError, match="start at 1"):
        backoff_delay(0)


@given(attempt=st.integers(1, 200), r=st.floats(0, 1, exclude_max=True))
def test_backoff_delay_stays_between_half_and_full_ceiling(attempt: int, r: float) -> None:
    ceiling = min(3600.0, 30.0 * 2 ** min(attempt - 1, 60))
    assert ceiling / 2 <= backoff_delay(attempt, rand=lambda: r) <= ceiling


def test_parse_retry_after_reads_delta_seconds() -> None:
    assert parse_retry_after("120", NOW) == 120.0
    assert parse_retry_after(" 0 ", NOW) == 0.0


def test_parse_retry_after_reads_http_dates() -> None:
    assert parse_retry_after("Sun, 26 Oct 2025 00:31:30 GMT", NOW) == 90.0


def test_parse_retry_after_treats_past_dates_as_now() -> None:
    assert parse_retry_after("Sat, 25 Oct 2025 00:00:00 GMT", NOW) == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "1.5", "٣"])
def test_parse_retry_after_ignores_unreadable_values(value: str | None) -> None:
    assert parse_retry_after(value, NOW) is None


def test_next_attempt_at_uses_backoff() -> None:
    assert next_attempt_at(1, NOW, rand=lambda: 0.0) == NOW + timedelta(seconds=15)


def test_next_attempt_at_honours_a_longer_retry_after() -> None:
    assert next_attempt_at(1, NOW, retry_after=600, rand=lambda: 0.0) == NOW + timedelta(
        seconds=600
    )


def test_next_attempt_at_does_not_retry_sooner_than_backoff() -> None:
    assert next_attempt_at(2, NOW, retry_after=1, rand=lambda: 0.0) == NOW + timedelta(seconds=30)


def test_next_attempt_at_bounds_retry_after() -> None:
    later = next_attempt_at(1, NOW, retry_after=10 * 24 * 3600, rand=lambda: 0.0)
    assert later == NOW + timedelta(seconds=MAX_RETRY_AFTER)


def test_next_attempt_at_gives_up_after_the_last_attempt() -> None:
    assert next_attempt_at(MAX_ATTEMPTS - 1, NOW) is not None
    assert next_attempt_at(MAX_ATTEMPTS, NOW) is None
    assert next_attempt_at(3, NOW, max_attempts=3) is None
