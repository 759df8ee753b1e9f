"""When to try a failed delivery again: pure arithmetic over attempts, clocks and Retry-After.

Kept free of I/O so the engine, the calendar ("next try at 14:05") and the tests share one rule.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

#: attempts before a delivery ends in ``failed``; with the defaults below the last one happens
#: roughly 1.5-2.5 hours after the first, still inside a normal "late" grace period.
MAX_ATTEMPTS = 8

BASE_DELAY = 30.0
MAX_DELAY = 3600.0
#: a Retry-After larger than this is treated as this: a channel must not park a post for days.
MAX_RETRY_AFTER = 6 * 3600.0

RandomSource = Callable[[], float]


def backoff_delay(
    attempt: int,
    *,
    base: float = BASE_DELAY,
    cap: float = MAX_DELAY,
    rand: RandomSource = random.random,
) -> float:
    """Seconds to wait after failed attempt number `attempt` (1 for the first try).

    Exponential with *equal jitter*: half of ``min(cap, base * 2**(attempt-1))`` is fixed and the
    other half random. Full jitter spreads load slightly better, but it can retry a struggling
    server after a few milliseconds; equal jitter keeps a floor yet de-synchronises publishers.
    `rand` returns a float in [0, 1) and is injectable so tests are deterministic.
    """
    if attempt < 1:
        raise ValueError("attempt numbers start at 1")
    # Clamp the exponent first so a large attempt number cannot overflow a float.
    exponent = min(attempt - 1, 60)
    ceiling = min(cap, base * (2.0**exponent))
    half = ceiling / 2.0
    return half + half * rand()


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from `now` that a Retry-After header asks for, or None when absent or unreadable.

    Both forms of RFC 9110 are understood: delta-seconds ("120") and an HTTP-date. A date in the
    past means "now" (0.0). `now` must be timezone-aware.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        return float(int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        # parsedate_to_datetime returns a naive value for "-0000"; HTTP-dates are always GMT.
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def next_attempt_at(
    attempt: int,
    now: datetime,
    *,
    retry_after: float | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    base: float = BASE_DELAY,
    cap: float = MAX_DELAY,
    rand: RandomSource = random.random,
) -> datetime | None:
    """When to make the attempt after failed attempt `attempt`, or None when it was the last one.

    The channel's Retry-After is a floor, never a reason to retry sooner than our own backoff, and
    is itself bounded by `MAX_RETRY_AFTER`.
    """
    if attempt >= max_attempts:
        return None
    delay = backoff_delay(attempt, base=base, cap=cap, rand=rand)
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return now + timedelta(seconds=delay)
