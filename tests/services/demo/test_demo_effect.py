"""The demo's month of effect: every publication of the last 30 days has a tracked link with
clicks, Mastodon posts have snapshots, the other platforms figures typed in, and goals exist, so
the Effect page is full on the first run."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.effect import report
from planner.effect.models import Goal, ManualMetric, ReactionSnapshot, TrackedLink
from planner.effect.services import Period, effect_by
from planner.media.storage import FileSystemStorage
from planner.publishing.models import Publication

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
TZ = "Europe/Amsterdam"


def test_the_demo_has_a_plausible_month_of_clicks_and_reactions(
    db: Session, tmp_path: Path
) -> None:
    from planner.demo.seed import seed_demo

    seed_demo(db, NOW, FileSystemStorage(tmp_path / "media"))
    db.flush()
    sanne = db.scalars(select(User).where(User.email == "sanne@zuiderhaven.example")).one()
    period = Period(date(2026, 11, 6), date(2026, 12, 5), TZ)

    recent = db.scalars(
        select(Publication).where(Publication.published_at >= NOW - timedelta(days=29))
    ).all()
    assert len(recent) >= 15
    linked = set(db.scalars(select(TrackedLink.fragment_id)))
    assert {p.fragment_id for p in recent} <= linked

    channels = effect_by(db, sanne, period, "channel")
    assert len([c for c in channels if c.figures.clicks > 0]) >= 6
    total = sum(c.figures.clicks for c in channels)
    assert 1_000 < total < 10_000
    assert all(c.figures.bot_clicks < c.figures.clicks for c in channels)
    daily = report.daily_by_channel(db, sanne, period)
    busy_days = {
        n for clicks, _reactions in daily.channels.values() for n, v in enumerate(clicks) if v
    }
    assert len(busy_days) >= 25  # a month, not a week
    assert db.scalars(select(ReactionSnapshot)).first() is not None
    assert db.scalars(select(ManualMetric).where(ManualMetric.entered_by_id == sanne.id)).first()
    goals = report.goal_progress(db, sanne, TZ, NOW.date())
    assert len(goals) == len(db.scalars(select(Goal)).all()) >= 3
    assert all(0 < g.percent < 100 for g in goals)
