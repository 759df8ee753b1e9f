"""Planned items on one channel that sit too close together.

Two posts an hour apart on one channel compete for the same followers' attention (and some
platforms throttle reach for bursts), so the calendar flags every such pair for an editor to judge.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import TypeVar

from planner.timekeeping.wallclock import ensure_utc

ItemKey = str | int
ChannelKey = str | int
K = TypeVar("K", bound=Hashable)
C = TypeVar("C", bound=Hashable)

DEFAULT_MIN_GAP = timedelta(hours=2)
_NO_GAP = timedelta(0)


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


def conflict_partners(
    items: Iterable[tuple[K, C, datetime]], min_gaps: Mapping[C, timedelta]
) -> dict[K, list[K]]:
    """For each item in a close pair, the keys of the items it is too close to, in time order.

    The same pairs as ``find_conflicts`` (per channel, strictly less than that channel's gap
    apart; a channel missing from ``min_gaps`` gets DEFAULT_MIN_GAP), from ``(key, channel,
    instant)`` tuples and without an object per pair: a busy month has thousands of items and tens
    of thousands of close pairs. On a channel sorted by time, an item's partners are the items
    within a gap either side of it, a slice found by two binary searches. Items in no pair are
    absent.
    """
    by_channel: defaultdict[C, list[tuple[datetime, K]]] = defaultdict(list)
    for key, channel, at in items:
        by_channel[channel].append((at if at.tzinfo is UTC else ensure_utc(at), key))
    partners: dict[K, list[K]] = {}
    for channel, group in by_channel.items():
        gap = min_gaps.get(channel, DEFAULT_MIN_GAP)
        if gap <= _NO_GAP or len(group) < 2:
            continue
        # sorted() is stable, so items at the same instant keep the caller's order.
        group.sort(key=itemgetter(0))
        instants = [at for at, _key in group]
        keys = [key for _at, key in group]
        for index, at in enumerate(instants):
            first = bisect_right(instants, at - gap, 0, index)
            end = bisect_left(instants, at + gap, index + 1)
            if first < index or end > index + 1:
                partners[keys[index]] = keys[first:index] + keys[index + 1 : end]
    return partners
