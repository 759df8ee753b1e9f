from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from planner.scheduling.conflicts import (
    DEFAULT_MIN_GAP,
    TimedItem,
    conflict_partners,
    find_conflicts,
)

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def item(key: int, channel: str, minutes: int) -> TimedItem:
    return TimedItem(key, channel, T0 + timedelta(minutes=minutes))


def test_find_conflicts_flags_every_close_pair_on_one_channel():
    items = [item(1, "linkedin", 0), item(2, "linkedin", 60), item(3, "linkedin", 90)]
    pairs = [(c.first.key, c.second.key, c.gap) for c in find_conflicts(items)]
    assert pairs == [
        (1, 2, timedelta(hours=1)),
        (1, 3, timedelta(minutes=90)),
        (2, 3, timedelta(minutes=30)),
    ]


def test_find_conflicts_ignores_other_channels_and_exact_gaps():
    items = [item(1, "linkedin", 0), item(2, "mastodon", 10), item(3, "linkedin", 120)]
    assert find_conflicts(items) == []


def test_find_conflicts_orders_pairs_regardless_of_input_order():
    items = [item(2, "x", 100), item(1, "x", 0), item(9, "y", 50), item(8, "y", 20)]
    conflicts = find_conflicts(items)
    assert [(c.channel, c.first.key, c.second.key) for c in conflicts] == [
        ("x", 1, 2),
        ("y", 8, 9),
    ]


def test_find_conflicts_uses_the_configured_gap():
    items = [item(1, "x", 0), item(2, "x", 100)]
    assert find_conflicts(items, min_gap=timedelta(minutes=90)) == []
    assert len(find_conflicts(items, min_gap=timedelta(hours=3))) == 1


def test_find_conflicts_flags_items_at_the_same_instant():
    conflicts = find_conflicts([item(1, "x", 0), item(2, "x", 0)])
    assert [(c.first.key, c.second.key, c.gap) for c in conflicts] == [(1, 2, timedelta(0))]


def test_conflict_partners_lists_both_sides_of_every_close_pair_in_time_order():
    items = [(1, "x", T0), (2, "x", T0 + timedelta(minutes=60)), (3, "x", T0 + timedelta(hours=3))]
    items.append((4, "x", T0 - timedelta(minutes=30)))
    assert conflict_partners(items, {"x": timedelta(hours=2)}) == {
        1: [4, 2],
        2: [4, 1],
        4: [1, 2],
    }
    assert conflict_partners(items, {"x": timedelta(0)}) == {}
    # A channel without a gap of its own gets the default two hours.
    assert conflict_partners(items[:2], {}) == {1: [2], 2: [1]}


ZONES = (UTC, timezone(timedelta(hours=2)), ZoneInfo("Europe/Amsterdam"))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.integers(min_value=0, max_value=600),
            st.sampled_from(ZONES),
        ),
        max_size=40,
    ),
    st.dictionaries(
        st.sampled_from(["a", "b", "c"]),
        st.integers(min_value=0, max_value=180).map(lambda m: timedelta(minutes=m)),
    ),
)
def test_conflict_partners_agrees_with_find_conflicts(
    spec: list[tuple[str, int, tzinfo]], gaps: dict[str, timedelta]
) -> None:
    items = [
        (key, channel, (T0 + timedelta(minutes=minutes)).astimezone(zone))
        for key, (channel, minutes, zone) in enumerate(spec)
    ]
    partners = conflict_partners(items, gaps)

    expected: dict[int, set[int]] = {}
    for channel in "abc":
        group = [TimedItem(k, c, at) for k, c, at in items if c == channel]
        for pair in find_conflicts(group, min_gap=gaps.get(channel, DEFAULT_MIN_GAP)):
            expected.setdefault(int(pair.first.key), set()).add(int(pair.second.key))
            expected.setdefault(int(pair.second.key), set()).add(int(pair.first.key))
    assert {key: set(found) for key, found in partners.items()} == expected
    instant = {key: at for key, _channel, at in items}
    for found in partners.values():
        assert len(found) == len(set(found))
        assert [instant[k] for k in found] == sorted(instant[k] for k in found)
