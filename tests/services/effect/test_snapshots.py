"""Reactions per post: the snapshot job reads favourites, boosts and replies of our published
status from a Mastodon server on 127.0.0.1 at the configured moments after publication (frozen
clock), once per moment, only the latest moment after downtime, and the figures follow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from planner import create_app
from planner.clock import FrozenClock
from planner.effect.models import ReactionSnapshot
from planner.effect.services import fragment_figures
from planner.effect.snapshots import parse_moments, take_snapshots
from planner.errors import ValidationError
from planner.jobs import tasks
from planner.publishing.engine import EngineConfig, publish_due
from planner.publishing.models import Publication
from planner.publishing.registry import PublisherRegistry
from tests.conftest import make_settings
from tests.factories import engine_delivery, mastodon_channel
from tests.fakes.mastodon import FakeMastodon
from tests.services.effect.conftest import Live

MOMENTS = parse_moments("1h,24h,7d,30d")


def _publish(
    live: Live, mastodon: FakeMastodon, registry: PublisherRegistry, clock: FrozenClock
) -> tuple[int, str]:
    with live.factory.begin() as session:
        channel = mastodon_channel(session, mastodon.url)
        fragment_id = engine_delivery(session, channel, clock.now()).fragment_id
    config = EngineConfig(concurrency=1)
    assert publish_due(live.factory, clock, registry.build, worker="t", config=config).sent == 1
    assert fragment_id is not None
    return fragment_id, mastodon.statuses[0]["id"]


def _snapshots(live: Live) -> list[tuple[str, int, int, int]]:
    with live.factory() as session:
        return [
            (s.moment, s.favourites, s.reblogs, s.replies)
            for s in session.scalars(select(ReactionSnapshot).order_by(ReactionSnapshot.due_at))
        ]


def test_snapshots_are_taken_at_their_moments_once_and_the_figures_follow(
    live: Live,
    mastodon: FakeMastodon,
    mastodon_registry: PublisherRegistry,
    frozen: FrozenClock,
) -> None:
    fragment_id, status_id = _publish(live, mastodon, mastodon_registry, frozen)
    build = mastodon_registry.build
    mastodon.react(status_id, favourites=3, reblogs=1, replies=0)

    frozen.advance(timedelta(minutes=59))
    assert take_snapshots(live.factory, frozen, build, MOMENTS).taken == 0
    assert mastodon.reads == {}  # nothing asked before the first moment

    frozen.advance(timedelta(minutes=1))
    assert take_snapshots(live.factory, frozen, build, MOMENTS).taken == 1
    assert take_snapshots(live.factory, frozen, build, MOMENTS).taken == 0  # once per moment
    assert mastodon.reads == {status_id: 1}
    assert _snapshots(live) == [("1h", 3, 1, 0)]

    mastodon.react(status_id, favourites=12, reblogs=4, replies=2)
    frozen.advance(timedelta(hours=23))
    take_snapshots(live.factory, frozen, build, MOMENTS)
    # The scheduler is down for a month: only the latest moment is read, not a late "7d".
    mastodon.react(status_id, favourites=20, reblogs=5, replies=3)
    frozen.advance(timedelta(days=30))
    take_snapshots(live.factory, frozen, build, MOMENTS)
    assert _snapshots(live) == [("1h", 3, 1, 0), ("24h", 12, 4, 2), ("30d", 20, 5, 3)]
    assert mastodon.reads == {status_id: 3}
    with live.factory() as session:
        due = session.scalars(select(ReactionSnapshot.due_at)).all()
        published_at = session.scalars(select(Publication.published_at)).one()
        figures = fragment_figures(session, [fragment_id])
    assert sorted(d - published_at for d in due) == [
        timedelta(hours=1),
        timedelta(hours=24),
        timedelta(days=30),
    ]
    # the latest snapshot counts: favourites and replies are reactions, boosts are shares
    assert (figures.reactions, figures.shares) == (23, 5)


def test_a_failing_server_is_asked_again_at_the_next_tick(
    live: Live,
    mastodon: FakeMastodon,
    mastodon_registry: PublisherRegistry,
    frozen: FrozenClock,
) -> None:
    _fragment_id, _status_id = _publish(live, mastodon, mastodon_registry, frozen)
    mastodon.statuses.clear()  # the status is gone for a moment: 404
    frozen.advance(timedelta(hours=2))
    report = take_snapshots(live.factory, frozen, mastodon_registry.build, MOMENTS)
    assert (report.taken, report.failed) == (0, 1)
    assert _snapshots(live) == []


def test_the_scheduler_tick_takes_the_configured_moments(
    live: Live,
    mastodon: FakeMastodon,
    mastodon_registry: PublisherRegistry,
    frozen: FrozenClock,
    tmp_path: Path,
) -> None:
    _fragment_id, status_id = _publish(live, mastodon, mastodon_registry, frozen)
    mastodon.react(status_id, favourites=7)

    def app_at(clock: FrozenClock, **changes: Any) -> Flask:
        settings = make_settings(tmp_path, database_url=live.url, extra={"clock": clock}, **changes)
        return create_app(settings)

    make: Callable[..., Flask] = app_at
    frozen.advance(timedelta(hours=2))
    report = tasks.measure(make(frozen, effect_snapshot_after="2h,3d"))
    assert report is not None
    assert report.taken == 1
    assert _snapshots(live) == [("2h", 7, 0, 0)]


def test_moments_are_checked() -> None:
    assert [m for m, _ in parse_moments("30d, 1h,24h")] == ["1h", "24h", "30d"]
    for bad in ("", "1w", "0h", "h", "1h,,2h"):
        with pytest.raises(ValidationError):
            parse_moments(bad)
