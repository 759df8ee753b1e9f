"""The effect's use cases: count clicks, find a short link, record figures typed in by hand, and
add everything up per fragment, story, channel, theme and campaign for a period.

Figures per fragment: ``clicks`` are clicks by people on its links (bots, previews and HEAD
requests are counted apart, in ``bot_clicks``); ``reactions`` are favourites plus replies of the
latest snapshot of each of its publications, plus the latest reactions typed in; ``shares`` are
boosts plus shares typed in; ``reach`` is only ever typed in. Clicks count on the day they
happened; reactions on the day of publication. Every total above a fragment is the sum of its
fragments, so the figures add up across fragment, story, theme and campaign (a story with two
themes counts fully for each theme).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.channels.models import Channel
from planner.effect.models import (
    ClickCount,
    ClickKind,
    ManualMetric,
    ReactionSnapshot,
    TrackedLink,
)
from planner.errors import NotFoundError, ValidationError
from planner.fragments.models import Fragment
from planner.publishing.models import Publication
from planner.stories.models import Campaign, Story, Theme, story_themes

CountKey = tuple[int, date, str, ClickKind]
Dimension = Literal["fragment", "story", "channel", "theme", "campaign"]
DIMENSIONS: tuple[Dimension, ...] = ("fragment", "story", "channel", "theme", "campaign")

#: the largest figure a person can type in (more than the Netherlands has inhabitants, twice)
MAX_FIGURE = 40_000_000
#: the longest period one question may span
MAX_PERIOD_DAYS = 400


def record_clicks(session: Session, batch: Mapping[CountKey, int]) -> None:
    """Add counted clicks to their counters in one statement (insert, or add on conflict)."""
    rows = [
        {"link_id": link, "day": day, "referrer_host": host, "kind": kind.value, "clicks": n}
        for (link, day, host, kind), n in batch.items()
    ]
    table = ClickCount.__table__
    assert isinstance(table, Table)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["link_id", "day", "referrer_host", "kind"],
        set_={"clicks": table.c.clicks + stmt.excluded.clicks},
    )
    session.execute(stmt, rows)


def find_link(session: Session, code: str) -> TrackedLink | None:
    if not code.isalnum() or len(code) > 24:
        return None
    return session.scalar(select(TrackedLink).where(TrackedLink.code == code))


def local_day(at: datetime, tz: str) -> date:
    return at.astimezone(ZoneInfo(tz)).date()


# --- figures typed in by hand ------------------------------------------------------------------


def record_manual_metrics(
    session: Session,
    actor: User | None,
    fragment_id: int,
    *,
    reach: int,
    reactions: int,
    shares: int,
    now: datetime,
) -> ManualMetric:
    """Figures read in a platform's own app; the latest entry per fragment counts (editors)."""
    actor = require_role(actor, Role.EDITOR)
    fragment = session.get(Fragment, fragment_id)
    if fragment is None:
        raise NotFoundError("No such fragment.")
    for name, value in (("reach", reach), ("reactions", reactions), ("shares", shares)):
        if value < 0 or value > MAX_FIGURE:
            raise ValidationError("A figure lies between 0 and 40 million.", field=name)
    metric = ManualMetric(
        fragment_id=fragment.id,
        reach=reach,
        reactions=reactions,
        shares=shares,
        entered_by_id=actor.id,
        entered_by_name=actor.name,
        entered_at=now,
    )
    session.add(metric)
    session.flush()
    return metric


def manual_history(session: Session, fragment_id: int) -> list[ManualMetric]:
    return list(
        session.scalars(
            select(ManualMetric)
            .where(ManualMetric.fragment_id == fragment_id)
            .order_by(ManualMetric.entered_at.desc(), ManualMetric.id.desc())
        )
    )


# --- adding up ---------------------------------------------------------------------------------


@dataclass
class Figures:
    clicks: int = 0
    reactions: int = 0
    shares: int = 0
    reach: int = 0
    bot_clicks: int = 0

    def add(self, other: Figures) -> None:
        self.clicks += other.clicks
        self.reactions += other.reactions
        self.shares += other.shares
        self.reach += other.reach
        self.bot_clicks += other.bot_clicks


@dataclass
class Row:
    key: int | None
    label: str
    figures: Figures = field(default_factory=Figures)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    timezone: str

    @classmethod
    def of(cls, start: date, end: date, tz: str) -> Period:
        if end < start:
            raise ValidationError("The period ends before it starts.", field="end")
        if (end - start).days > MAX_PERIOD_DAYS:
            raise ValidationError(f"A period spans at most {MAX_PERIOD_DAYS} days.", field="end")
        return cls(start, end, tz)

    def utc_bounds(self) -> tuple[datetime, datetime]:
        zone = ZoneInfo(self.timezone)
        first = datetime.combine(self.start, time(), zone)
        after = datetime.combine(self.end + timedelta(days=1), time(), zone)
        return first, after

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def _latest_snapshots(session: Session, first: datetime, after: datetime) -> dict[int, Figures]:
    """Reactions per fragment from the latest snapshot of each publication in the period."""
    latest = (
        select(
            ReactionSnapshot.publication_id,
            func.max(ReactionSnapshot.taken_at).label("taken_at"),
        )
        .join(Publication, Publication.id == ReactionSnapshot.publication_id)
        .where(Publication.published_at >= first, Publication.published_at < after)
        .group_by(ReactionSnapshot.publication_id)
        .subquery()
    )
    rows = session.execute(
        select(
            ReactionSnapshot.fragment_id,
            ReactionSnapshot.favourites,
            ReactionSnapshot.reblogs,
            ReactionSnapshot.replies,
        ).join(
            latest,
            (latest.c.publication_id == ReactionSnapshot.publication_id)
            & (latest.c.taken_at == ReactionSnapshot.taken_at),
        )
    )
    out: dict[int, Figures] = defaultdict(Figures)
    for fragment_id, favourites, reblogs, replies in rows:
        if fragment_id is not None:
            out[fragment_id].add(Figures(reactions=favourites + replies, shares=reblogs))
    return out


def _latest_manual(session: Session, first: datetime, after: datetime) -> dict[int, Figures]:
    """The latest typed-in figures of each fragment published in the period."""
    published = (
        select(Publication.fragment_id)
        .where(Publication.published_at >= first, Publication.published_at < after)
        .where(Publication.fragment_id.is_not(None))
    )
    latest = (
        select(func.max(ManualMetric.id).label("id"))
        .where(ManualMetric.fragment_id.in_(published))
        .group_by(ManualMetric.fragment_id)
        .subquery()
    )
    out: dict[int, Figures] = {}
    for metric in session.scalars(
        select(ManualMetric).join(latest, latest.c.id == ManualMetric.id)
    ):
        out[metric.fragment_id] = Figures(
            reactions=metric.reactions, shares=metric.shares, reach=metric.reach
        )
    return out


def _clicks(session: Session, period: Period) -> dict[int, Figures]:
    rows = session.execute(
        select(TrackedLink.fragment_id, ClickCount.kind, func.sum(ClickCount.clicks))
        .join(TrackedLink, TrackedLink.id == ClickCount.link_id)
        .where(ClickCount.day >= period.start, ClickCount.day <= period.end)
        .where(TrackedLink.fragment_id.is_not(None))
        .group_by(TrackedLink.fragment_id, ClickCount.kind)
    )
    out: dict[int, Figures] = defaultdict(Figures)
    for fragment_id, kind, total in rows:
        if fragment_id is None:
            continue
        if kind == ClickKind.PERSON:
            out[fragment_id].clicks += int(total)
        else:
            out[fragment_id].bot_clicks += int(total)
    return out


def figures_per_fragment(session: Session, period: Period) -> dict[int, Figures]:
    """Every fragment with any figure in the period."""
    first, after = period.utc_bounds()
    out: dict[int, Figures] = defaultdict(Figures)
    for part in (
        _clicks(session, period),
        _latest_snapshots(session, first, after),
        _latest_manual(session, first, after),
    ):
        for fragment_id, figures in part.items():
            out[fragment_id].add(figures)
    return dict(out)


def effect_by(
    session: Session, actor: User | None, period: Period, dimension: Dimension
) -> list[Row]:
    """The period's figures grouped by one dimension, largest number of clicks first."""
    require_role(actor, Role.EDITOR)
    if dimension not in DIMENSIONS:
        raise ValidationError(f"Unknown grouping {dimension!r}.", field="by")
    per_fragment = figures_per_fragment(session, period)
    if not per_fragment:
        return []
    ids = list(per_fragment)
    rows: dict[int | None, Row] = {}

    def add(key: int | None, label: str, figures: Figures) -> None:
        rows.setdefault(key, Row(key, label)).figures.add(figures)

    if dimension == "theme":
        pairs = session.execute(
            select(Fragment.id, Theme.id, Theme.name)
            .join(Story, Story.id == Fragment.story_id)
            .join(story_themes, story_themes.c.story_id == Story.id)
            .join(Theme, Theme.id == story_themes.c.theme_id)
            .where(Fragment.id.in_(ids))
        )
        for fragment_id, key, label in pairs:
            add(key, label, per_fragment[fragment_id])
    else:
        found = session.execute(
            select(
                Fragment.id,
                Fragment.title,
                Story.id,
                Story.title,
                Channel.id,
                Channel.name,
                Campaign.id,
                Campaign.name,
            )
            .join(Story, Story.id == Fragment.story_id)
            .join(Channel, Channel.id == Fragment.channel_id)
            .outerjoin(Campaign, Campaign.id == Story.campaign_id)
            .where(Fragment.id.in_(ids))
        )
        for f_id, f_title, s_id, s_title, c_id, c_name, k_id, k_name in found:
            figures = per_fragment[f_id]
            if dimension == "fragment":
                add(f_id, f"{f_title or s_title} · {c_name}", figures)
            elif dimension == "story":
                add(s_id, s_title, figures)
            elif dimension == "channel":
                add(c_id, c_name, figures)
            elif k_id is not None:
                add(k_id, k_name, figures)
    return sorted(rows.values(), key=lambda r: (-r.figures.clicks, -r.figures.reactions, r.label))


def fragment_figures(session: Session, fragment_ids: Iterable[int]) -> Figures:
    """All figures ever counted for these fragments (a story's or a fragment's own page)."""
    ids = list(fragment_ids)
    total = Figures()
    if not ids:
        return total
    everything = Period(date(2000, 1, 1), date(2999, 12, 31), "UTC")
    for fragment_id, figures in figures_per_fragment(session, everything).items():
        if fragment_id in ids:
            total.add(figures)
    return total
