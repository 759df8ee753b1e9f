from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from planner.scheduling.slots import InvalidSlotError, Slot, next_free_slot, upcoming_slots

AMS = "Europe/Amsterdam"
ZONE = ZoneInfo(AMS)


def local(at: datetime) -> datetime:
    return at.astimezone(ZONE)


def test_upcoming_slots_keep_ten_oclock_local_across_spring_forward():
    sundays = Slot(weekday=6, at=time(10, 0), tz=AMS)
    found = upcoming_slots(
        [sundays],
        after=datetime(2027, 3, 14, tzinfo=UTC),
        until=datetime(2027, 4, 12, tzinfo=UTC),
    )
    assert [local(at).date() for at in found] == [
        date(2027, 3, 14),
        date(2027, 3, 21),
        date(2027, 3, 28),
        date(2027, 4, 4),
        date(2027, 4, 11),
    ]
    assert {local(at).time() for at in found} == {time(10, 0)}
    # The UTC hour changes on the transition day, the wall time does not.
    assert [at.hour for at in found] == [9, 9, 8, 8, 8]


def test_upcoming_slots_keep_ten_oclock_local_across_fall_back():
    sundays = Slot(weekday=6, at=time(10, 0), tz=AMS)
    found = upcoming_slots(
        [sundays],
        after=datetime(2026, 10, 11, tzinfo=UTC),
        until=datetime(2026, 11, 9, tzinfo=UTC),
    )
    assert {local(at).time() for at in found} == {time(10, 0)}
    assert [at.hour for at in found] == [8, 8, 9, 9, 9]
    assert max(Counter(local(at).date() for at in found).values()) == 1


def test_upcoming_slots_move_a_slot_in_the_gap_to_the_end_of_the_gap():
    slot = Slot(weekday=6, at=time(2, 30), tz=AMS)
    found = upcoming_slots(
        [slot], after=datetime(2027, 3, 27, tzinfo=UTC), until=datetime(2027, 3, 29, tzinfo=UTC)
    )
    assert found == [datetime(2027, 3, 28, 1, 0, tzinfo=UTC)]
    assert local(found[0]).time() == time(3, 0)


def test_upcoming_slots_use_only_the_first_occurrence_on_fall_back_day():
    slot = Slot(weekday=6, at=time(2, 30), tz=AMS)
    found = upcoming_slots(
        [slot], after=datetime(2026, 10, 24, tzinfo=UTC), until=datetime(2026, 10, 26, tzinfo=UTC)
    )
    assert found == [datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]


def test_upcoming_slots_merge_slots_that_land_on_one_instant():
    moved = Slot(weekday=6, at=time(2, 30), tz=AMS)
    regular = Slot(weekday=6, at=time(3, 0), tz=AMS)
    found = upcoming_slots(
        [moved, regular, regular],
        after=datetime(2027, 3, 27, tzinfo=UTC),
        until=datetime(2027, 3, 29, tzinfo=UTC),
    )
    assert found == [datetime(2027, 3, 28, 1, 0, tzinfo=UTC)]


def test_upcoming_slots_are_sorted_over_several_weekdays():
    slots = [Slot(3, time(9, 0)), Slot(0, time(16, 30)), Slot(0, time(8, 0))]
    found = upcoming_slots(
        slots, after=datetime(2026, 6, 1, tzinfo=UTC), until=datetime(2026, 6, 15, tzinfo=UTC)
    )
    assert found == sorted(found)
    assert [(local(at).weekday(), local(at).time()) for at in found] == [
        (0, time(8, 0)),
        (0, time(16, 30)),
        (3, time(9, 0)),
        (0, time(8, 0)),
        (0, time(16, 30)),
        (3, time(9, 0)),
    ]


def test_upcoming_slots_bounds_are_exclusive():
    slot = Slot(0, time(10, 0))
    at = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # Monday 10:00 CEST
    assert upcoming_slots([slot], after=at, until=at + timedelta(days=7)) == []
    assert upcoming_slots(
        [slot], after=at - timedelta(seconds=1), until=at + timedelta(days=1)
    ) == [at]


def test_upcoming_slots_empty_when_until_not_after_after():
    at = datetime(2026, 6, 1, tzinfo=UTC)
    assert upcoming_slots([Slot(0, time(10, 0))], after=at, until=at) == []


@pytest.mark.parametrize(
    ("weekday", "at", "tz"),
    [(7, time(10, 0), AMS), (-1, time(10, 0), AMS), (0, time(10, 0, tzinfo=UTC), AMS)],
)
def test_slot_refuses_invalid_values(weekday, at, tz):
    with pytest.raises(InvalidSlotError):
        Slot(weekday, at, tz)


def test_next_free_slot_skips_taken_slots():
    slots = [Slot(0, time(10, 0)), Slot(2, time(10, 0))]
    after = datetime(2026, 6, 1, tzinfo=UTC)  # Monday 02:00 local
    monday = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    wednesday = datetime(2026, 6, 3, 8, 0, tzinfo=UTC)
    assert next_free_slot(slots, [], after=after) == monday
    assert next_free_slot(slots, [monday], after=after) == wednesday
    assert next_free_slot(slots, [monday, wednesday], after=after) == monday + timedelta(days=7)


def test_next_free_slot_tolerance_treats_nearby_items_as_occupying():
    slots = [Slot(0, time(10, 0))]
    after = datetime(2026, 6, 1, tzinfo=UTC)
    near = datetime(2026, 6, 1, 8, 10, tzinfo=UTC)
    assert next_free_slot(slots, [near], after=after) == datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    assert next_free_slot(slots, [near], after=after, tolerance=timedelta(minutes=15)) == datetime(
        2026, 6, 8, 8, 0, tzinfo=UTC
    )


def test_next_free_slot_returns_none_when_the_horizon_is_full():
    slots = [Slot(0, time(10, 0))]
    after = datetime(2026, 6, 1, tzinfo=UTC)
    taken = upcoming_slots(slots, after=after, until=after + timedelta(days=14))
    assert len(taken) == 2
    assert next_free_slot(slots, taken, after=after, horizon_days=14) is None
    assert next_free_slot(slots, taken, after=after, horizon_days=15) is not None


def test_next_free_slot_across_spring_forward_returns_the_moved_slot():
    slot = Slot(6, time(2, 30))
    assert next_free_slot([slot], [], after=datetime(2027, 3, 27, tzinfo=UTC)) == datetime(
        2027, 3, 28, 1, 0, tzinfo=UTC
    )


wall_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
slot_sets = st.lists(
    st.builds(Slot, st.integers(0, 6), wall_times, st.sampled_from([AMS, "America/New_York"])),
    min_size=1,
    max_size=4,
)
# Windows around both 2026/2027 transitions in Europe and the US.
starts = st.datetimes(
    min_value=datetime(2026, 9, 1), max_value=datetime(2027, 4, 30), timezones=st.just(UTC)
)


def real_instants(day: date, wall_time: time, zone: ZoneInfo) -> list[datetime]:
    """Every UTC instant at which the wall clock shows this time (0, 1 or 2), by brute force."""
    wall = datetime.combine(day, wall_time)
    candidates = {wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1)}
    return sorted(at for at in candidates if at.astimezone(zone).replace(tzinfo=None) == wall)


def oracle(day: date, wall_time: time, zone: ZoneInfo) -> datetime:
    """The slot instant by brute force, independent of the code under test."""
    real = real_instants(day, wall_time, zone)
    if real:
        return real[0]
    # In a gap: walk minute by minute to the first instant the wall clock shows a later time.
    wall = datetime.combine(day, wall_time)
    at = wall.replace(tzinfo=zone, fold=1).astimezone(UTC).replace(second=0, microsecond=0)
    while at.astimezone(zone).replace(tzinfo=None) < wall:
        at += timedelta(minutes=1)
    return at


@settings(max_examples=75, deadline=None, database=None)
@given(slots=slot_sets, after=starts, days=st.integers(1, 60))
@example(
    slots=[Slot(6, time(2, 30), AMS), Slot(6, time(2, 0), "America/New_York")],
    after=datetime(2027, 3, 1, tzinfo=UTC),
    days=30,
)
@example(slots=[Slot(6, time(2, 30), AMS)], after=datetime(2026, 10, 20, tzinfo=UTC), days=10)
def test_upcoming_slots_invariants(slots, after, days):
    until = after + timedelta(days=days)
    found = upcoming_slots(slots, after=after, until=until)

    assert found == sorted(set(found))
    assert all(after < at < until and at.tzinfo is not None for at in found)
    expected: set[datetime] = set()
    for slot in set(slots):
        zone = ZoneInfo(slot.tz)
        per_date: Counter[date] = Counter()
        day = after.astimezone(zone).date() - timedelta(days=1)
        while day <= until.astimezone(zone).date() + timedelta(days=1):
            at = oracle(day, slot.at, zone)
            if day.weekday() == slot.weekday and after < at < until:
                expected.add(at)
                per_date[day] += 1
                wall = at.astimezone(zone)
                assert wall.date() == day
                if real_instants(day, slot.at, zone):
                    assert wall.time() == slot.at
                else:  # in a gap: moved later, never earlier
                    assert wall.time() > slot.at
            day += timedelta(days=1)
        assert all(count == 1 for count in per_date.values())
    assert set(found) == expected
