"""Planned items on one channel that sit too close together.

Two posts an hour apart on one channel compete for the same followers' attention (and some
platforms throttle reach for bursts), so the calendar flags every such pair for an editor to judge.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from planner.timekeeping.wallclock import ensure_utc

ItemKey = str | int
ChannelKey = str | int

DEFAULT_MIN_GAP = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class TimedItem:
    key: ItemKey
    channel: ChannelKey
    at: datetime


@dataclass(frozen=True, slots=True)
class Conflict:
    """``first`` goes out no later than ``second``, on ``channel``, only ``gap`` apart."""

    channel: ChannelKey
    first: TimedItem
    second: TimedItem
    gap: timedelta


def find_conflicts(
    items: Iterable[TimedItem], *, min_gap: timedelta = DEFAULT_MIN_GAP
) -> list[Conflict]:
    """Every pair of items on one channel strictly less than ``min_gap`` apart, earliest first.

    All close pairs are reported, not only neighbours: with posts at 10:00, 11:00 and 11:30 the
    10:00/11:30 pair is too close as well, and moving 11:00 alone would not resolve it. Exactly
    ``min_gap`` apart is fine.
    """
    if min_gap <= timedelta(0):
        return []
    by_channel: defaultdict[ChannelKey, list[TimedItem]] = defaultdict(list)
    for item in items:
        by_channel[item.channel].append(item)

    # Each instant is normalised once: a busy month has thousands of items and many pairs.
    found: list[tuple[datetime, datetime, Conflict]] = []
    for channel, group in by_channel.items():
        # sorted() is stable, so items at the same instant keep the caller's order.
        ordered = sorted(((ensure_utc(item.at), item) for item in group), key=lambda pair: pair[0])
        for index, (first_at, first) in enumerate(ordered):
            for second_at, second in ordered[index + 1 :]:
                gap = second_at - first_at
                if gap >= min_gap:
                    # Sorted by time: every later item is at least as far away.
                    break
                found.append((first_at, second_at, Conflict(channel, first, second, gap)))
    found.sort(key=lambda entry: (entry[0], entry[1]))
    return [conflict for _, _, conflict in found]
