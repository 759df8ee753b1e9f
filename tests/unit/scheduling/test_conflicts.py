from datetime import UTC, datetime, timedelta

from planner.scheduling.conflicts import TimedItem, find_conflicts

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
