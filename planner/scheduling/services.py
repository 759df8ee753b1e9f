"""Use cases of the shared calendar: what is planned when, moving it, and the reports around it.

Every move goes through planner.publishing.workflow.schedule_fragment, so the calendar, the form,
the API and "next free slot" obey the same rules (roles, brand gate, no past) and write the same
delivery row. Reports feed the pure modules (cadence, balance, capacity, conflicts) plain values
read in a handful of queries, so the calendar stays quick with thousands of fragments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, contains_eager

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.channels.models import Channel
from planner.errors import ValidationError
from planner.fragments.models import Fragment, FragmentStatus
from planner.organisation.services import get_organisation
from planner.publishing.models import Delivery, DeliveryState
from planner.scheduling.conflicts import TimedItem, find_conflicts
from planner.stories.models import Story, Theme, story_themes
from planner.timekeeping.wallclock import get_zone

#: statuses a fragment has while it sits on the calendar (it has a scheduled_at)
CALENDAR_STATUSES = (FragmentStatus.SCHEDULED, FragmentStatus.PUBLISHED, FragmentStatus.FAILED)
#: delivery states the calendar marks, because someone has to look at them
ATTENTION_STATES = (DeliveryState.FAILED, DeliveryState.MISSED, DeliveryState.NEEDS_CHECK)
#: the longest window one calendar request may ask for (a month view shows six weeks)
MAX_WINDOW = timedelta(days=100)


@dataclass(frozen=True, slots=True)
class CalendarFilters:
    channel_id: int | None = None
    theme_id: int | None = None
    campaign_id: int | None = None
    status: FragmentStatus | None = None
    person_id: int | None = None


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    id: int
    name: str
    colour: str
    min_gap_minutes: int


@dataclass(slots=True)
class StoryInfo:
    id: int
    title: str
    themes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class FragmentInfo:
    """The columns of a fragment the calendar shows: read as plain rows, not ORM entities, so a
    month of thousands of fragments does not decode every text and JSON column."""

    id: int
    title: str | None
    kind: str
    status: FragmentStatus
    scheduled_at: datetime | None
    updated_at: datetime
    channel_id: int
    assignee_id: int | None
    channel: ChannelInfo
    story: StoryInfo


@dataclass(slots=True)
class CalendarEntry:
    fragment: FragmentInfo
    #: the wall time in the calendar's timezone (naive), as FullCalendar gets it
    local_start: datetime
    delivery_state: DeliveryState | None = None
    conflict_with: list[int] = field(default_factory=list)

    @property
    def needs_attention(self) -> bool:
        return self.delivery_state in ATTENTION_STATES

    @property
    def title(self) -> str:
        return fragment_title(self.fragment)


def fragment_title(fragment: Fragment | FragmentInfo) -> str:
    if fragment.title:
        return fragment.title
    return fragment.story.title


def org_timezone(session: Session) -> str:
    return get_organisation(session).timezone


# --- the calendar ---------------------------------------------------------------------------


def _filtered(
    query: Select[*tuple[Any, ...]], filters: CalendarFilters
) -> Select[*tuple[Any, ...]]:
    if filters.channel_id is not None:
        query = query.where(Fragment.channel_id == filters.channel_id)
    if filters.campaign_id is not None:
        query = query.where(Story.campaign_id == filters.campaign_id)
    if filters.theme_id is not None:
        query = query.where(Story.themes.any(Theme.id == filters.theme_id))
    if filters.person_id is not None:
        query = query.where(Fragment.assignee_id == filters.person_id)
    return query


def _check_window(start_at: datetime, end_at: datetime) -> None:
    if start_at.tzinfo is None or end_at.tzinfo is None:
        raise ValidationError("A calendar window needs times with their timezone.", field="start")
    if end_at <= start_at:
        raise ValidationError("The window ends before it starts.", field="end")
    if end_at - start_at > MAX_WINDOW:
        raise ValidationError("Ask for at most 100 days at a time.", field="end")


def query_calendar(
    session: Session,
    start_at: datetime,
    end_at: datetime,
    tz: str,
    filters: CalendarFilters,
    *,
    with_themes: bool = False,
) -> list[CalendarEntry]:
    statuses = [filters.status] if filters.status in CALENDAR_STATUSES else list(CALENDAR_STATUSES)
    if filters.status is not None and filters.status not in CALENDAR_STATUSES:
        return []
    # One query for the columns of fragments with their channel and story (joined, served by
    # ix_fragments_status_scheduled_at), one for their deliveries in the same window.
    query = (
        select(
            Fragment.id,
            Fragment.title,
            Fragment.kind,
            Fragment.status,
            Fragment.scheduled_at,
            Fragment.updated_at,
            Fragment.channel_id,
            Fragment.assignee_id,
            Channel.name,
            Channel.colour,
            Channel.min_gap_minutes,
            Story.id,
            Story.title,
        )
        .join(Channel, Channel.id == Fragment.channel_id)
        .join(Story, Story.id == Fragment.story_id)
        .where(
            Fragment.status.in_(statuses),
            Fragment.scheduled_at >= start_at,
            Fragment.scheduled_at < end_at,
        )
        .order_by(Fragment.scheduled_at, Fragment.id)
    )
    channels: dict[int, ChannelInfo] = {}
    stories: dict[int, StoryInfo] = {}
    fragments = []
    for row in session.execute(_filtered(query, filters)):
        channel = channels.get(row[6])
        if channel is None:
            channel = channels[row[6]] = ChannelInfo(row[6], row[8], row[9], row[10])
        story = stories.get(row[11])
        if story is None:
            story = stories[row[11]] = StoryInfo(row[11], row[12])
        fragments.append(
            FragmentInfo(
                id=row[0],
                title=row[1],
                kind=row[2],
                status=row[3],
                scheduled_at=row[4],
                updated_at=row[5],
                channel_id=row[6],
                assignee_id=row[7],
                channel=channel,
                story=story,
            )
        )
    if with_themes and stories:
        for story_id, name in session.execute(
            select(story_themes.c.story_id, Theme.name)
            .join(Theme, Theme.id == story_themes.c.theme_id)
            .where(story_themes.c.story_id.in_(list(stories)))
            .order_by(Theme.name)
        ):
            stories[story_id].themes.append(name)
    states: dict[int, DeliveryState] = {}
    if fragments:
        rows = session.execute(
            select(Delivery.fragment_id, Delivery.state)
            .join(Fragment, Fragment.id == Delivery.fragment_id)
            .where(Fragment.scheduled_at >= start_at, Fragment.scheduled_at < end_at)
            .order_by(Delivery.id)
        )
        for fragment_id, state in rows:
            states[fragment_id] = state  # the latest delivery wins
    zone = get_zone(tz)
    entries = [
        CalendarEntry(
            fragment=fragment,
            local_start=(fragment.scheduled_at or start_at).astimezone(zone).replace(tzinfo=None),
            delivery_state=states.get(fragment.id),
        )
        for fragment in fragments
    ]
    _mark_conflicts(entries)
    return entries


def _mark_conflicts(entries: Sequence[CalendarEntry]) -> None:
    by_channel: defaultdict[int, list[CalendarEntry]] = defaultdict(list)
    for entry in entries:
        if entry.fragment.status == FragmentStatus.SCHEDULED:
            by_channel[entry.fragment.channel_id].append(entry)
    index = {entry.fragment.id: entry for entry in entries}
    for group in by_channel.values():
        gap = timedelta(minutes=group[0].fragment.channel.min_gap_minutes)
        items = [
            TimedItem(e.fragment.id, e.fragment.channel_id, e.fragment.scheduled_at)
            for e in group
            if e.fragment.scheduled_at is not None
        ]
        for conflict in find_conflicts(items, min_gap=gap):
            index[int(conflict.first.key)].conflict_with.append(int(conflict.second.key))
            index[int(conflict.second.key)].conflict_with.append(int(conflict.first.key))


def list_calendar(
    session: Session,
    actor: User | None,
    *,
    start_at: datetime,
    end_at: datetime,
    filters: CalendarFilters | None = None,
    tz: str | None = None,
) -> list[CalendarEntry]:
    """Fragments on the calendar between two instants, with delivery state and conflicts."""
    require_role(actor, Role.EDITOR)
    _check_window(start_at, end_at)
    return query_calendar(
        session, start_at, end_at, tz or org_timezone(session), filters or CalendarFilters()
    )


def list_conflicts(entries: Sequence[CalendarEntry]) -> list[tuple[CalendarEntry, CalendarEntry]]:
    """Pairs of entries flagged as too close, each pair once, earliest first."""
    index = {entry.fragment.id: entry for entry in entries}
    pairs = []
    for entry in entries:
        for other in entry.conflict_with:
            if other > entry.fragment.id and other in index:
                pair = sorted((entry, index[other]), key=lambda e: e.local_start)
                pairs.append((pair[0], pair[1]))
    return sorted(pairs, key=lambda p: p[0].local_start)


def list_to_plan(
    session: Session, actor: User | None, filters: CalendarFilters | None = None, limit: int = 200
) -> list[Fragment]:
    """Approved fragments without a date: what the "to plan" list offers for dragging."""
    require_role(actor, Role.EDITOR)
    query = (
        select(Fragment)
        .join(Fragment.channel)
        .join(Fragment.story)
        .options(contains_eager(Fragment.channel), contains_eager(Fragment.story))
        .where(
            Fragment.status == FragmentStatus.APPROVED,
            Fragment.scheduled_at.is_(None),
            Channel.is_active.is_(True),
            Story.consent_withdrawn_at.is_(None),
        )
        .order_by(Fragment.updated_at.desc(), Fragment.id)
        .limit(limit)
    )
    return list(session.scalars(_filtered(query, filters or CalendarFilters())))


# --- slots ----------------------------------------------------------------------------------


# --- reports --------------------------------------------------------------------------------


# --- feeds and share links ------------------------------------------------------------------
