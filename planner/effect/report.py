"""What the Effect page shows, and the goals campaigns and themes aim for.

Four charts, each also a table and a CSV: clicks and reactions per day and channel; the best
stories of the period; themes against their goals; channels against the hours spent on them (the
effort estimates per fragment kind of planner.scheduling.reports, for what each channel
published in the period: which channel earns its hours).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.channels.models import Channel
from planner.effect.models import (
    ClickCount,
    ClickKind,
    Goal,
    GoalMetric,
    ReactionSnapshot,
    TrackedLink,
)
from planner.effect.services import Dimension, Figures, Period, Row, effect_by
from planner.errors import NotFoundError, ValidationError
from planner.fragments.models import Fragment
from planner.publishing.models import Publication
from planner.scheduling.reports import effort_settings
from planner.stories.models import Campaign, Theme

BEST_STORIES = 10
MAX_TARGET = 100_000_000


@dataclass(frozen=True)
class Daily:
    """Clicks and reactions per day for each channel (reactions on the day of publication)."""

    days: list[date]
    #: channel name -> (clicks per day, reactions per day)
    channels: dict[str, tuple[list[int], list[int]]]


def daily_by_channel(session: Session, actor: User | None, period: Period) -> Daily:
    require_role(actor, Role.EDITOR)
    days = period.days()
    index = {day: n for n, day in enumerate(days)}
    series: dict[str, tuple[list[int], list[int]]] = {}

    def line(name: str) -> tuple[list[int], list[int]]:
        return series.setdefault(name, ([0] * len(days), [0] * len(days)))

    clicks = session.execute(
        select(Channel.name, ClickCount.day, func.sum(ClickCount.clicks))
        .join(TrackedLink, TrackedLink.id == ClickCount.link_id)
        .join(Channel, Channel.id == TrackedLink.channel_id)
        .where(ClickCount.day >= period.start, ClickCount.day <= period.end)
        .where(ClickCount.kind == ClickKind.PERSON)
        .group_by(Channel.name, ClickCount.day)
    )
    for name, day, total in clicks:
        line(name)[0][index[day]] += int(total)
    first, after = period.utc_bounds()
    latest = (
        select(
            ReactionSnapshot.publication_id,
            func.max(ReactionSnapshot.taken_at).label("taken_at"),
        )
        .group_by(ReactionSnapshot.publication_id)
        .subquery()
    )
    reactions = session.execute(
        select(
            Publication.channel_name,
            Publication.published_at,
            ReactionSnapshot.favourites + ReactionSnapshot.replies,
        )
        .join(ReactionSnapshot, ReactionSnapshot.publication_id == Publication.id)
        .join(
            latest,
            (latest.c.publication_id == ReactionSnapshot.publication_id)
            & (latest.c.taken_at == ReactionSnapshot.taken_at),
        )
        .where(Publication.published_at >= first, Publication.published_at < after)
    )
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(period.timezone)
    for name, at, total in reactions:
        day = at.astimezone(zone).date()
        if day in index:
            line(name)[1][index[day]] += int(total)
    return Daily(days, dict(sorted(series.items())))


def best_stories(session: Session, actor: User | None, period: Period) -> list[Row]:
    rows = effect_by(session, actor, period, "story")
    return rows[:BEST_STORIES]


@dataclass(frozen=True)
class ChannelEffort:
    row: Row
    hours: float

    @property
    def clicks_per_hour(self) -> float | None:
        return self.row.figures.clicks / self.hours if self.hours else None


def channels_against_hours(
    session: Session, actor: User | None, period: Period
) -> list[ChannelEffort]:
    by_channel = {row.key: row for row in effect_by(session, actor, period, "channel")}
    minutes = effort_settings(session).effort_minutes
    first, after = period.utc_bounds()
    published = session.execute(
        select(Channel.id, Channel.name, Fragment.kind, func.count(Publication.id))
        .join(Fragment, Fragment.id == Publication.fragment_id)
        .join(Channel, Channel.id == Fragment.channel_id)
        .where(Publication.published_at >= first, Publication.published_at < after)
        .group_by(Channel.id, Channel.name, Fragment.kind)
    )
    hours: dict[int, float] = defaultdict(float)
    names: dict[int, str] = {}
    for channel_id, name, kind, count in published:
        hours[channel_id] += minutes.get(kind, 0) * int(count) / 60
        names[channel_id] = name
    out = []
    for channel_id in set(hours) | {k for k in by_channel if k is not None}:
        row = by_channel.get(channel_id) or Row(channel_id, names.get(channel_id, ""))
        out.append(ChannelEffort(row, round(hours.get(channel_id, 0.0), 1)))
    return sorted(out, key=lambda c: (-c.row.figures.clicks, c.row.label))


# --- goals -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    goal: Goal
    label: str
    reached: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.reached / self.goal.target)) if self.goal.target else 0


def set_goal(
    session: Session,
    actor: User | None,
    *,
    campaign_id: int | None = None,
    theme_id: int | None = None,
    metric: GoalMetric,
    target: int,
    starts_on: date,
    due_on: date,
) -> Goal:
    """A new goal for a campaign or a theme (editors)."""
    require_role(actor, Role.EDITOR)
    if (campaign_id is None) == (theme_id is None):
        raise ValidationError("A goal belongs to a campaign or to a theme.", field="campaign")
    if campaign_id is not None and session.get(Campaign, campaign_id) is None:
        raise NotFoundError("No such campaign.")
    if theme_id is not None and session.get(Theme, theme_id) is None:
        raise NotFoundError("No such theme.")
    if target <= 0 or target > MAX_TARGET:
        raise ValidationError("A target is a positive number.", field="target")
    Period.of(starts_on, due_on, "UTC")
    goal = Goal(
        campaign_id=campaign_id,
        theme_id=theme_id,
        metric=metric,
        target=target,
        starts_on=starts_on,
        due_on=due_on,
    )
    session.add(goal)
    session.flush()
    return goal


def remove_goal(session: Session, actor: User | None, goal_id: int) -> None:
    require_role(actor, Role.EDITOR)
    goal = session.get(Goal, goal_id, with_for_update=True)
    if goal is None:
        raise NotFoundError("No such goal.")
    session.delete(goal)
    session.flush()


def _value(figures: Figures, metric: GoalMetric) -> int:
    return figures.clicks if metric == GoalMetric.CLICKS else figures.reactions


def goal_progress(
    session: Session,
    actor: User | None,
    tz: str,
    today: date,
    *,
    campaign_id: int | None = None,
    theme_id: int | None = None,
) -> list[Progress]:
    """Every goal (or those of one campaign or theme) with what was reached so far."""
    query = select(Goal).order_by(Goal.due_on, Goal.id)
    if campaign_id is not None:
        query = query.where(Goal.campaign_id == campaign_id)
    if theme_id is not None:
        query = query.where(Goal.theme_id == theme_id)
    out = []
    for goal in session.scalars(query):
        end = min(goal.due_on, today)
        reached = 0
        if end >= goal.starts_on:
            period = Period(goal.starts_on, end, tz)
            dimension: Dimension = "campaign" if goal.campaign_id is not None else "theme"
            key = goal.campaign_id if goal.campaign_id is not None else goal.theme_id
            for row in effect_by(session, actor, period, dimension):
                if row.key == key:
                    reached = _value(row.figures, goal.metric)
        label = goal.campaign.name if goal.campaign else (goal.theme.name if goal.theme else "")
        out.append(Progress(goal, label, reached))
    return out


def local_today(now: datetime, tz: str) -> date:
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(tz)).date()
