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
from typing import Any, NamedTuple

from sqlalchemy import Select, String, select, type_coerce
from sqlalchemy.orm import Session, contains_eager

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.channels.models import Channel
from planner.errors import ValidationError
from planner.fragments.models import Fragment, FragmentStatus
from planner.organisation.models import Organisation
from planner.organisation.services import get_organisation
from planner.publishing.models import Delivery, DeliveryState
from planner.scheduling.conflicts import TimedItem, conflict_partners, find_conflicts
from planner.stories.models import Story, Theme, story_themes
from planner.timekeeping.wallclock import get_zone

#: statuses a fragment has while it sits on the calendar (it has a scheduled_at)
CALENDAR_STATUSES = (FragmentStatus.SCHEDULED, FragmentStatus.PUBLISHED, FragmentStatus.FAILED)
#: what the calendar shows: those, and fragments withdrawn with their story's consent (at the time
#: they were planned, marked withdrawn; they count for no report, cadence or free slot)
SHOWN_STATUSES = (*CALENDAR_STATUSES, FragmentStatus.WITHDRAWN)
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
    """The organisation's timezone: one column, read on every calendar request."""
    # A Core read: one column needs none of the ORM's machinery.
    tz = session.connection().scalar(
        select(Organisation.timezone).order_by(Organisation.id).limit(1)
    )
    return str(tz) if tz is not None else get_organisation(session).timezone


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
    statuses = [filters.status] if filters.status in SHOWN_STATUSES else list(SHOWN_STATUSES)
    if filters.status is not None and filters.status not in SHOWN_STATUSES:
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


class CalendarRow(NamedTuple):
    """One fragment on the calendar as the JSON endpoints send it: plain values from one row."""

    id: int
    #: the fragment's own title, else its story's
    title: str
    kind: str
    #: a FragmentStatus value
    status: str
    #: the UTC instant
    scheduled_at: datetime
    #: the wall time in the calendar's timezone, to the minute: "2026-12-01T10:00"
    local: str
    channel_id: int
    channel: str
    colour: str
    #: the DeliveryState value of the fragment's latest delivery, if it has one
    delivery_state: str | None
    #: ids of fragments on the same channel closer than its minimum gap, ascending
    conflicts_with: Sequence[int]


_SCHEDULED = FragmentStatus.SCHEDULED.value
#: "T00:00" to "T23:59", the time part of every wall time to the minute
_CLOCK = tuple(f"T{hour:02d}:{minute:02d}" for hour in range(24) for minute in range(60))


def list_calendar_rows(
    session: Session,
    actor: User | None,
    *,
    start_at: datetime,
    end_at: datetime,
    filters: CalendarFilters | None = None,
    tz: str | None = None,
) -> list[CalendarRow]:
    """What list_calendar finds, as plain rows for the JSON endpoints, in one statement.

    A busy month is thousands of fragments, asked for by a whole team every few seconds: no
    entities, no enum or timestamp conversion the answer does not need, deliveries joined rather
    than read by a second query, and conflicts in one pass.
    """
    require_role(actor, Role.EDITOR)
    _check_window(start_at, end_at)
    filters = filters or CalendarFilters()
    if filters.status is not None and filters.status not in SHOWN_STATUSES:
        return []
    statuses = [filters.status] if filters.status is not None else list(SHOWN_STATUSES)
    query = (
        select(
            Fragment.id,
            Fragment.title,
            Story.title,
            Fragment.kind,
            # Enum values as stored: the answer needs the words, not the members.
            type_coerce(Fragment.status, String),
            Fragment.scheduled_at,
            Fragment.channel_id,
            Channel.name,
            Channel.colour,
            Channel.min_gap_minutes,
            type_coerce(Delivery.state, String),
        )
        .join(Channel, Channel.id == Fragment.channel_id)
        .join(Story, Story.id == Fragment.story_id)
        # Every delivery a fragment ever had, the latest last: a fragment planned again has
        # cancelled ones. (A correlated "latest delivery" subquery costs the database more.)
        .outerjoin(Delivery, Delivery.fragment_id == Fragment.id)
        .where(
            Fragment.status.in_(statuses),
            Fragment.scheduled_at >= start_at,
            Fragment.scheduled_at < end_at,
        )
        .order_by(Fragment.scheduled_at, Fragment.id, Delivery.id)
    )
    # Core rows, without the ORM's result wrapping: plain columns are all this reads.
    rows = session.connection().execute(_filtered(query, filters)).all()
    # One row per fragment, in the first one's place, with the latest delivery's state.
    latest = {row[0]: row for row in rows}
    if len(latest) < len(rows):
        rows = list(latest.values())
    minutes = {row[6]: row[9] for row in rows}
    gaps = {channel_id: timedelta(minutes=gap) for channel_id, gap in minutes.items()}
    partners = conflict_partners(
        ((row[0], row[6], row[5]) for row in rows if row[4] == _SCHEDULED), gaps
    )
    zone = get_zone(tz or org_timezone(session))
    # Formatting is most of the cost of a wall time (isoformat() alone is ~2 µs): each day is
    # formatted once and the time of day comes from a table.
    days: dict[int, str] = {}
    none: tuple[int, ...] = ()
    found: list[int] | None
    out = []
    for row in rows:
        wall = row[5].astimezone(zone)
        day = days.get(ordinal := wall.toordinal())
        if day is None:
            day = days[ordinal] = wall.date().isoformat()
        if found := partners.get(row[0]):
            found.sort()
        # tuple.__new__ skips the named tuple's Python-level __new__: a third of the cost.
        out.append(
            tuple.__new__(
                CalendarRow,
                (
                    row[0],
                    row[1] or row[2],
                    row[3],
                    row[4],
                    row[5],
                    day + _CLOCK[wall.hour * 60 + wall.minute],
                    row[6],
                    row[7],
                    row[8],
                    row[10],
                    found or none,
                ),
            )
        )
    return out


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
