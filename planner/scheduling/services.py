"""Use cases of the shared calendar: what is planned when, moving it, and the reports around it.

Every move goes through planner.publishing.workflow.schedule_fragment, so the calendar, the form,
the API and "next free slot" obey the same rules (roles, brand gate, no past) and write the same
delivery row. Reports feed the pure modules (cadence, balance, capacity, conflicts) plain values
read in a handful of queries, so the calendar stays quick with thousands of fragments.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from planner.accounts.models import Role, User
from planner.accounts.passwords import token_digest
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.channels.models import Channel
from planner.errors import ConflictError, NotFoundError, ValidationError
from planner.fragments.models import FRAGMENT_KINDS, Fragment, FragmentStatus
from planner.organisation.services import get_organisation
from planner.publishing.models import Delivery, DeliveryState
from planner.publishing.workflow import schedule_fragment, unschedule_fragment
from planner.scheduling import ical
from planner.scheduling.balance import BalanceReport, ThemedFragment, ThemeTarget, balance_report
from planner.scheduling.cadence import CadenceRow, CadenceTarget, PlannedPost, cadence_report
from planner.scheduling.capacity import (
    DEFAULT_EFFORT_MINUTES,
    Assignment,
    CapacityReport,
    CapacitySettings,
    Person,
    capacity_report,
)
from planner.scheduling.conflicts import TimedItem, find_conflicts
from planner.scheduling.models import (
    CalendarFeed,
    CalendarShare,
    EffortEstimate,
    FeedScope,
    PostingSlot,
)
from planner.scheduling.periods import Period
from planner.scheduling.slots import Slot, next_free_slot
from planner.scheduling.timing import Fold, get_zone, resolve_local
from planner.stories.models import Story, Theme, story_themes

#: statuses a fragment has while it sits on the calendar (it has a scheduled_at)
CALENDAR_STATUSES = (FragmentStatus.SCHEDULED, FragmentStatus.PUBLISHED, FragmentStatus.FAILED)
#: delivery states the calendar marks, because someone has to look at them
ATTENTION_STATES = (DeliveryState.FAILED, DeliveryState.MISSED, DeliveryState.NEEDS_CHECK)
#: a drop on a day without a time gets this wall time unless the channel has a slot that day
DEFAULT_DROP_TIME = time(10, 0)
#: the longest window one calendar request may ask for (a month view shows six weeks)
MAX_WINDOW = timedelta(days=100)
FEED_PAST = timedelta(days=30)
FEED_FUTURE = timedelta(days=180)
FEED_TOKEN_PREFIX = "cfk_"  # noqa: S105 - a label, not a secret
SHARE_TOKEN_PREFIX = "cfs_"  # noqa: S105 - a label, not a secret
MAX_SHARE_DAYS = 90


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


def _query_calendar(
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
    return _query_calendar(
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


def get_calendar_fragment(session: Session, actor: User | None, fragment_id: int) -> Fragment:
    require_role(actor, Role.EDITOR)
    return _get_fragment(session, fragment_id)


def _get_fragment(session: Session, fragment_id: int) -> Fragment:
    fragment = session.get(Fragment, fragment_id)
    if fragment is None:
        raise NotFoundError("This fragment does not exist.")
    return fragment


def move_fragment(
    session: Session, actor: User | None, fragment_id: int, at: datetime, now: datetime
) -> Delivery:
    """Put a fragment on the calendar at an aware instant (a drag, a drop or the API)."""
    require_role(actor, Role.EDITOR)
    return schedule_fragment(session, actor, _get_fragment(session, fragment_id), at, now)


def schedule_local(
    session: Session,
    actor: User | None,
    fragment_id: int,
    local: datetime,
    tz: str,
    now: datetime,
    *,
    fold: Fold | None = None,
) -> Delivery:
    """Schedule at a wall time in ``tz``; refuses the DST gap and asks for a fold in the overlap."""
    require_role(actor, Role.EDITOR)
    at = resolve_local(local.replace(tzinfo=None), tz, fold=fold)
    return move_fragment(session, actor, fragment_id, at, now)


def drop_time(session: Session, fragment: Fragment, day: date) -> time:
    """The wall time a fragment dropped on a bare day gets: the channel's first slot that day."""
    slot_time = session.scalar(
        select(PostingSlot.local_time)
        .where(PostingSlot.channel_id == fragment.channel_id, PostingSlot.weekday == day.weekday())
        .order_by(PostingSlot.local_time)
        .limit(1)
    )
    return slot_time or DEFAULT_DROP_TIME


def drop_on_day(
    session: Session, actor: User | None, fragment_id: int, day: date, tz: str, now: datetime
) -> Delivery:
    require_role(actor, Role.EDITOR)
    fragment = _get_fragment(session, fragment_id)
    local = datetime.combine(day, drop_time(session, fragment, day))
    return schedule_local(session, actor, fragment_id, local, tz, now)


def remove_from_calendar(
    session: Session, actor: User | None, fragment_id: int, now: datetime
) -> Fragment:
    require_role(actor, Role.EDITOR)
    return unschedule_fragment(session, actor, _get_fragment(session, fragment_id), now)


# --- slots ----------------------------------------------------------------------------------


def list_slots(session: Session, actor: User | None) -> list[PostingSlot]:
    require_role(actor, Role.EDITOR)
    return list(
        session.scalars(
            select(PostingSlot)
            .join(PostingSlot.channel)
            .options(contains_eager(PostingSlot.channel))
            .order_by(Channel.name, PostingSlot.weekday, PostingSlot.local_time)
        )
    )


def add_slot(
    session: Session, actor: User | None, channel_id: int, weekday: int, local_time: time
) -> PostingSlot:
    actor = require_role(actor, Role.EDITOR)
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise NotFoundError("This channel does not exist.")
    if not 0 <= weekday <= 6:
        raise ValidationError("Choose a day of the week.", field="weekday")
    local_time = local_time.replace(second=0, microsecond=0, tzinfo=None)
    exists = session.scalar(
        select(PostingSlot.id).where(
            PostingSlot.channel_id == channel_id,
            PostingSlot.weekday == weekday,
            PostingSlot.local_time == local_time,
        )
    )
    if exists is not None:
        raise ConflictError("This channel already has a slot at that time.")
    slot = PostingSlot(channel=channel, weekday=weekday, local_time=local_time)
    session.add(slot)
    session.flush()
    record_event(
        session,
        actor,
        "slot.create",
        slot,
        channel=channel.name,
        weekday=weekday,
        at=local_time.strftime("%H:%M"),
    )
    return slot


def delete_slot(session: Session, actor: User | None, slot_id: int) -> None:
    actor = require_role(actor, Role.EDITOR)
    slot = session.get(PostingSlot, slot_id)
    if slot is None:
        raise NotFoundError("This slot does not exist.")
    record_event(session, actor, "slot.delete", slot, channel_id=slot.channel_id)
    session.delete(slot)
    session.flush()


def channel_slots(session: Session, channel: Channel) -> list[Slot]:
    rows = session.scalars(select(PostingSlot).where(PostingSlot.channel_id == channel.id))
    return [Slot(row.weekday, row.local_time, channel.timezone) for row in rows]


def add_to_next_free_slot(
    session: Session, actor: User | None, fragment_id: int, now: datetime
) -> Delivery:
    """Schedule a fragment in its channel's first slot that nothing near it occupies."""
    require_role(actor, Role.EDITOR)
    fragment = _get_fragment(session, fragment_id)
    slots = channel_slots(session, fragment.channel)
    if not slots:
        raise ValidationError(
            "This channel has no posting slots yet: add them under Slots first.", field="slot"
        )
    taken = list(
        session.scalars(
            select(Fragment.scheduled_at).where(
                Fragment.channel_id == fragment.channel_id,
                Fragment.id != fragment.id,
                Fragment.status.in_(CALENDAR_STATUSES),
                Fragment.scheduled_at > now - timedelta(days=1),
            )
        )
    )
    gap = timedelta(minutes=fragment.channel.min_gap_minutes)
    at = next_free_slot(
        slots,
        [t for t in taken if t is not None],
        after=now,
        tolerance=max(gap - timedelta(minutes=1), timedelta(0)),
    )
    if at is None:
        raise ConflictError("Every slot of this channel in the next 60 days is taken.")
    return schedule_fragment(session, actor, fragment, at, now)


# --- reports --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CadenceOverview:
    channels: dict[int, Channel]
    rows: list[CadenceRow]


def cadence_overview(session: Session, actor: User | None, period: Period) -> CadenceOverview:
    """Planned posts per channel and ISO week against each channel's weekly target."""
    require_role(actor, Role.EDITOR)
    channels = {
        c.id: c
        for c in session.scalars(
            select(Channel)
            .where(Channel.is_active.is_(True), Channel.cadence_per_week > 0)
            .order_by(Channel.name)
        )
    }
    whole = period.whole_weeks()
    posts = [
        PlannedPost(channel_id, at)
        for channel_id, at in session.execute(
            select(Fragment.channel_id, Fragment.scheduled_at).where(
                Fragment.status.in_(CALENDAR_STATUSES),
                Fragment.scheduled_at >= whole.start_at,
                Fragment.scheduled_at < whole.end_at,
            )
        )
        if at is not None
    ]
    targets = [CadenceTarget(c.id, c.cadence_per_week) for c in channels.values()]
    return CadenceOverview(channels, cadence_report(targets, posts, period=period))


def theme_balance(session: Session, actor: User | None, period: Period) -> BalanceReport:
    """The share of the period's planned fragments per theme, against each theme's target."""
    require_role(actor, Role.EDITOR)
    themes = list(session.scalars(select(Theme).order_by(Theme.target_share.desc(), Theme.name)))
    targets = [ThemeTarget(t.name, float(t.target_share)) for t in themes if t.target_share > 0]
    fragments = session.scalars(
        select(Fragment)
        .join(Fragment.story)
        .options(contains_eager(Fragment.story).selectinload(Story.themes))
        .where(
            Fragment.status.in_(CALENDAR_STATUSES),
            Fragment.scheduled_at >= period.start_at,
            Fragment.scheduled_at < period.end_at,
        )
    )
    themed = [
        ThemedFragment(f.scheduled_at, frozenset(t.name for t in f.story.themes))
        for f in fragments
        if f.scheduled_at is not None
    ]
    return balance_report(targets, themed, period=period)


def effort_settings(session: Session) -> CapacitySettings:
    minutes = dict(DEFAULT_EFFORT_MINUTES)
    for row in session.scalars(select(EffortEstimate)):
        minutes[row.kind] = row.minutes
    return CapacitySettings(effort_minutes=minutes)


def update_effort(session: Session, actor: User | None, minutes: dict[str, int]) -> None:
    """Change the organisation's effort estimates per fragment kind (admins)."""
    actor = require_role(actor, Role.ADMIN)
    for kind, value in minutes.items():
        if kind not in FRAGMENT_KINDS:
            raise ValidationError(f"Unknown fragment kind {kind!r}.", field=kind)
        if value < 0 or value > 100 * 60:
            raise ValidationError(
                "An estimate lies between 0 and 6000 minutes (100 hours).", field=kind
            )
        row = session.get(EffortEstimate, kind)
        if row is None:
            session.add(EffortEstimate(kind=kind, minutes=value))
        else:
            row.minutes = value
    session.flush()
    record_event(session, actor, "effort.update", None, **minutes)


def workload(session: Session, actor: User | None, period: Period) -> CapacityReport:
    """Hours needed per person and week for the fragments assigned to them, and the plan in FTE."""
    require_role(actor, Role.EDITOR)
    whole = period.whole_weeks()
    rows = session.execute(
        select(Fragment.kind, Fragment.scheduled_at, Fragment.assignee_id).where(
            Fragment.status.in_(CALENDAR_STATUSES),
            Fragment.scheduled_at >= whole.start_at,
            Fragment.scheduled_at < whole.end_at,
        )
    ).all()
    assigned = {person for _, _, person in rows if person is not None}
    users = session.scalars(
        select(User)
        .where(User.is_active.is_(True))
        .where((User.role.in_([Role.EDITOR, Role.ADMIN])) | (User.id.in_(assigned or {0})))
        .order_by(User.name)
    )
    people = [Person(u.id, u.name, u.weekly_hours) for u in users]
    assignments = [Assignment(kind, at, person) for kind, at, person in rows if at is not None]
    return capacity_report(people, assignments, period=period, settings=effort_settings(session))


# --- feeds and share links ------------------------------------------------------------------


def _new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def create_feed(
    session: Session,
    actor: User | None,
    *,
    name: str,
    scope: FeedScope,
    channel_id: int | None = None,
    person_id: int | None = None,
) -> tuple[CalendarFeed, str]:
    """A new subscription URL; the token is returned once and only its hash is kept."""
    actor = require_role(actor, Role.EDITOR)
    name = name.strip()
    if not name:
        raise ValidationError("Give the feed a name.", field="name")
    if len(name) > 100:
        raise ValidationError("A name has at most 100 characters.", field="name")
    channel = person = None
    if scope == FeedScope.CHANNEL:
        channel = session.get(Channel, channel_id) if channel_id else None
        if channel is None:
            raise ValidationError("Choose the channel this feed shows.", field="channel")
    if scope == FeedScope.PERSON:
        person = session.get(User, person_id) if person_id else None
        if person is None:
            raise ValidationError("Choose the person this feed shows.", field="person")
    token = _new_token(FEED_TOKEN_PREFIX)
    feed = CalendarFeed(
        name=name,
        scope=scope,
        channel=channel,
        person=person,
        token_hash=token_digest(token),
        prefix=token[:10],
        created_by=actor,
    )
    session.add(feed)
    session.flush()
    record_event(session, actor, "feed.create", feed, scope=scope.value, name=name)
    return feed, token


def list_feeds(session: Session, actor: User | None) -> list[CalendarFeed]:
    require_role(actor, Role.EDITOR)
    return list(
        session.scalars(
            select(CalendarFeed)
            .options(selectinload(CalendarFeed.channel), selectinload(CalendarFeed.person))
            .order_by(CalendarFeed.revoked_at.is_not(None), CalendarFeed.id.desc())
        )
    )


def revoke_feed(session: Session, actor: User | None, feed_id: int, now: datetime) -> CalendarFeed:
    actor = require_role(actor, Role.EDITOR)
    feed = session.get(CalendarFeed, feed_id)
    if feed is None:
        raise NotFoundError("This feed does not exist.")
    if feed.revoked_at is None:
        feed.revoked_at = now
        session.flush()
        record_event(session, actor, "feed.revoke", feed)
    return feed


def find_feed(session: Session, token: str) -> CalendarFeed | None:
    """The active feed a URL token belongs to, or None (unknown and revoked look the same)."""
    if not token.startswith(FEED_TOKEN_PREFIX) or len(token) > 100:
        return None
    return session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.token_hash == token_digest(token), CalendarFeed.revoked_at.is_(None)
        )
    )


def render_feed(session: Session, feed: CalendarFeed, now: datetime, *, base_url: str) -> bytes:
    """The feed as RFC 5545 bytes: a month back and half a year ahead, in the org timezone."""
    tz = org_timezone(session)
    filters = CalendarFilters(
        channel_id=feed.channel_id if feed.scope == FeedScope.CHANNEL else None,
        person_id=feed.person_id if feed.scope == FeedScope.PERSON else None,
    )
    entries = _query_calendar(
        session, now - FEED_PAST, now + FEED_FUTURE, tz, filters, with_themes=True
    )
    feed.last_used_at = now
    events = [
        ical.FeedEvent(
            id=entry.fragment.id,
            channel=entry.fragment.channel.name,
            title=entry.title,
            start_at=entry.fragment.scheduled_at or now,
            description=f"{entry.fragment.kind} · {entry.fragment.status.value}",
            url=f"{base_url.rstrip('/')}/fragments/{entry.fragment.id}",
            status=ical.FeedStatus.CONFIRMED
            if entry.fragment.status == FragmentStatus.PUBLISHED
            else ical.FeedStatus.TENTATIVE,
            categories=tuple(entry.fragment.story.themes),
            updated_at=entry.fragment.updated_at,
        )
        for entry in entries
    ]
    return ical.build_feed(feed.name, events, tz=tz, stamp_at=now)


def create_share(
    session: Session, actor: User | None, *, label: str, days: int, now: datetime
) -> tuple[CalendarShare, str]:
    """A read-only calendar link for a reviewer without an account, valid for ``days`` days."""
    actor = require_role(actor, Role.EDITOR)
    label = label.strip()
    if not label:
        raise ValidationError("Say who the link is for.", field="label")
    if len(label) > 100:
        raise ValidationError("A name has at most 100 characters.", field="label")
    if not 1 <= days <= MAX_SHARE_DAYS:
        raise ValidationError("A link stays valid for 1 to 90 days.", field="days")
    token = _new_token(SHARE_TOKEN_PREFIX)
    share = CalendarShare(
        label=label,
        token_hash=token_digest(token),
        prefix=token[:10],
        expires_at=now + timedelta(days=days),
        created_by=actor,
        created_at=now,
    )
    session.add(share)
    session.flush()
    record_event(session, actor, "calendar_share.create", share, label=label, days=days)
    return share, token


def list_shares(session: Session, actor: User | None) -> list[CalendarShare]:
    require_role(actor, Role.EDITOR)
    return list(session.scalars(select(CalendarShare).order_by(CalendarShare.id.desc())))


def revoke_share(
    session: Session, actor: User | None, share_id: int, now: datetime
) -> CalendarShare:
    actor = require_role(actor, Role.EDITOR)
    share = session.get(CalendarShare, share_id)
    if share is None:
        raise NotFoundError("This link does not exist.")
    if share.revoked_at is None:
        share.revoked_at = now
        session.flush()
        record_event(session, actor, "calendar_share.revoke", share)
    return share


def get_open_share(session: Session, token: str, now: datetime) -> CalendarShare:
    share = None
    if token.startswith(SHARE_TOKEN_PREFIX) and len(token) <= 100:
        share = session.scalar(
            select(CalendarShare).where(CalendarShare.token_hash == token_digest(token))
        )
    if share is None or not share.is_open(now):
        raise NotFoundError("This calendar link does not exist, has expired or was revoked.")
    return share


def shared_calendar(
    session: Session, share: CalendarShare, now: datetime, *, weeks: int = 6
) -> list[CalendarEntry]:
    """What a reviewer sees: the coming weeks (and the past one), nothing to change."""
    tz = org_timezone(session)
    return _query_calendar(
        session, now - timedelta(days=7), now + timedelta(weeks=weeks), tz, CalendarFilters()
    )
