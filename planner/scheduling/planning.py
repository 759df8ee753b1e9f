"""From review to the calendar: approve, request changes, schedule and unschedule a fragment.

These are the transitions editors make by hand. Each one passes the brand gate
(planner.fragments.services.require_gate_clear) and writes what the publishing engine needs in
the same transaction: scheduling a fragment writes its delivery row, unscheduling cancels it. A
delivery that is already being sent is never moved or cancelled from here; publishing.md's fencing
rule decides that, so the outcome does not depend on who was faster.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.approval import services as approval_services
from planner.audit.services import record_event
from planner.channels.models import Channel
from planner.errors import ConflictError, ValidationError
from planner.fragments import services as fragment_services
from planner.fragments.events import fragment_changing
from planner.fragments.gate import require_gate_clear
from planner.fragments.models import Fragment, FragmentStatus
from planner.fragments.progress import story_follows_fragments
from planner.fragments.services import BEING_PUBLISHED
from planner.live.services import record_change
from planner.publishing.models import ACTIVE_DELIVERY_STATES, Delivery, DeliveryState
from planner.publishing.wake import request_wake
from planner.scheduling.models import (
    PostingSlot,
)
from planner.scheduling.services import CALENDAR_STATUSES, org_timezone
from planner.scheduling.slots import Slot, next_free_slot
from planner.timekeeping.wallclock import Fold, resolve_local


def active_delivery(session: Session, fragment: Fragment) -> Delivery | None:
    return session.scalar(
        select(Delivery).where(
            Delivery.fragment_id == fragment.id, Delivery.state.in_(ACTIVE_DELIVERY_STATES)
        )
    )


EDITED_AFTER_SCHEDULING = "The fragment was edited after it was scheduled."


def release_schedule(session: Session, *, fragment: Fragment, actor: User | None) -> None:
    """Editing a scheduled fragment takes it off the calendar: the delivery is cancelled and the
    fragment is a draft again, because the approval was for the old text.

    Receives ``planner.fragments.events.fragment_changing``. The cancellation is fenced like every
    delivery update (Delivery's version column is its attempt): if the engine claimed the row after
    we read it, the flush fails and the edit with it, so the text that goes out is always the text
    that was approved (docs/publishing.md).
    """
    for delivery in session.scalars(
        select(Delivery).where(
            Delivery.fragment_id == fragment.id, Delivery.state.in_(ACTIVE_DELIVERY_STATES)
        )
    ):
        if delivery.state == DeliveryState.SENDING:
            raise ConflictError(BEING_PUBLISHED)
        delivery.state = DeliveryState.CANCELLED
        delivery.last_error = EDITED_AFTER_SCHEDULING
    fragment.status = FragmentStatus.DRAFT
    fragment.scheduled_at = None
    record_event(session, actor, "fragment.unschedule", fragment, reason="edited")


def suggested_time(session: Session, fragment: Fragment, now: datetime) -> datetime | None:
    """The time an edit took the fragment off the calendar from, while it is still ahead: the
    editor gets it back as a suggestion once the new text is approved."""
    if active_delivery(session, fragment) is not None:
        return None
    latest = session.scalar(
        select(Delivery)
        .where(Delivery.fragment_id == fragment.id, Delivery.state == DeliveryState.CANCELLED)
        .order_by(Delivery.updated_at.desc(), Delivery.id.desc())
        .limit(1)
    )
    if latest is None or latest.last_error != EDITED_AFTER_SCHEDULING or latest.due_at <= now:
        return None
    return latest.due_at


def connect_reactions() -> None:
    """Listen to the features below: an edit releases the schedule. Idempotent."""
    fragment_changing.connect(_on_fragment_changing)


def _on_fragment_changing(session: Session, **kwargs: Any) -> None:
    release_schedule(session, fragment=kwargs["fragment"], actor=kwargs.get("actor"))


#: how far ahead a fragment may be planned: a year-9999 typo is refused, never stored (a time
#: near the end of the calendar breaks every page that adds an hour to it)
SCHEDULING_HORIZON = timedelta(days=5 * 366)
BEYOND_HORIZON = "Choose a time within the next five years."


def require_within_horizon(at: datetime, now: datetime, *, field: str = "at") -> None:
    """Refuse (ValidationError, a 422) a time more than five years ahead; comparing needs no
    conversion, so a time at the very end of the calendar cannot overflow here."""
    if at > now + SCHEDULING_HORIZON:
        raise ValidationError(BEYOND_HORIZON, field=field)


def schedule_fragment(
    session: Session,
    actor: User | None,
    fragment: Fragment,
    at: datetime,
    now: datetime,
    *,
    immediately: bool = False,
) -> Delivery:
    """Put an approved fragment on the calendar at ``at`` (an aware instant), or move it there.

    Writes or moves the delivery row in the same transaction. Refused: times in the past, a
    fragment that is not approved (unless its channel needs no approval), the brand gate, withdrawn
    consent, and a fragment whose delivery is being sent right now.
    """
    actor = require_role(actor, Role.EDITOR)
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValidationError("A publication time needs its timezone.", field="at")
    if at <= now and not immediately:
        raise ValidationError("Choose a time in the future.", field="at")
    require_within_horizon(at, now)
    fragment_services.lock_for_change(session, fragment)
    approval_services.require_consent(fragment)
    allowed = {FragmentStatus.APPROVED, FragmentStatus.SCHEDULED}
    if approval_services.approvals_needed(fragment) == 0:
        allowed |= {FragmentStatus.DRAFT, FragmentStatus.IN_REVIEW}
    if fragment.status not in allowed:
        raise ConflictError("Only an approved fragment can be scheduled.")
    if not fragment.channel.is_active:
        raise ConflictError("This channel is switched off; switch it on to plan on it.")
    require_gate_clear(session, fragment, "schedule")
    delivery = active_delivery(session, fragment)
    if delivery is not None and delivery.state == DeliveryState.SENDING:
        raise ConflictError("This fragment is being published right now; it cannot be moved.")
    if delivery is None:
        delivery = Delivery(
            fragment=fragment,
            channel=fragment.channel,
            due_at=at,
            not_before=at,
            state=DeliveryState.PENDING,
            fragment_version=fragment.version,
            scheduled_by=actor,
            created_at=now,
        )
        session.add(delivery)
    else:
        delivery.due_at = at
        delivery.not_before = at
        delivery.state = DeliveryState.PENDING
        delivery.fragment_version = fragment.version
        delivery.last_error = None
    previous = fragment.scheduled_at
    fragment.scheduled_at = at
    fragment.status = FragmentStatus.SCHEDULED
    session.flush()
    story_follows_fragments(session, [fragment.id])
    record_event(
        session,
        actor,
        "fragment.schedule" if previous is None else "fragment.reschedule",
        fragment,
        at=at.isoformat(),
        previous=previous.isoformat() if previous else None,
    )
    _calendar_changed(session, actor, fragment, now)
    return delivery


def _calendar_changed(session: Session, actor: User, fragment: Fragment, now: datetime) -> None:
    """Tell the team's open calendars (planner.live): they refetch."""
    record_change(
        session,
        "calendar",
        now,
        subject_id=fragment.id,
        actor=actor,
        data={"status": fragment.status.value},
    )


def publish_now(
    session: Session, actor: User | None, fragment: Fragment, now: datetime
) -> Delivery:
    """The rapid-response lane: an approved urgent fragment goes out now, not at a planned time.

    The four-eyes rule holds exactly as for scheduling (an approved fragment only); the engine is
    woken (planner.publishing.wake) so it goes out within seconds of this commit.
    """
    actor = require_role(actor, Role.EDITOR)
    if not fragment.is_urgent:
        raise ConflictError("Only an urgent fragment can be published right away; schedule it.")
    delivery = schedule_fragment(session, actor, fragment, now, now, immediately=True)
    request_wake(session)
    record_event(session, actor, "fragment.publish_now", fragment, delivery=delivery.id)
    return delivery


def unschedule_fragment(
    session: Session, actor: User | None, fragment: Fragment, now: datetime
) -> Fragment:
    """Take a scheduled fragment off the calendar: it stays approved, its delivery is cancelled."""
    actor = require_role(actor, Role.EDITOR)
    fragment_services.lock_for_change(session, fragment)
    if fragment.status != FragmentStatus.SCHEDULED:
        raise ConflictError("This fragment is not scheduled.")
    delivery = active_delivery(session, fragment)
    if delivery is not None:
        if delivery.state == DeliveryState.SENDING:
            raise ConflictError("This fragment is being published right now; it cannot be moved.")
        delivery.state = DeliveryState.CANCELLED
        delivery.updated_at = now
    fragment.scheduled_at = None
    fragment.status = FragmentStatus.APPROVED
    session.flush()
    record_event(session, actor, "fragment.unschedule", fragment)
    _calendar_changed(session, actor, fragment, now)
    return fragment


#: a drop on a day without a time gets this wall time unless the channel has a slot that day
DEFAULT_DROP_TIME = time(10, 0)


def move_fragment(
    session: Session, actor: User | None, fragment_id: int, at: datetime, now: datetime
) -> Delivery:
    """Put a fragment on the calendar at an aware instant (a drag, a drop or the API)."""
    require_role(actor, Role.EDITOR)
    return schedule_fragment(
        session, actor, fragment_services.get_fragment(session, actor, fragment_id), at, now
    )


def planning_zone(session: Session, fragment: Fragment) -> str:
    """The wall clock a fragment is planned on: its channel's timezone, else the organisation's.

    The one rule for every way in that takes a wall time without naming a zone: the keyboard
    form, the editor's schedule panel and the API. The calendar's drag and drop names its own
    zone (the organisation's, which the calendar shows).
    """
    return fragment.channel.timezone or org_timezone(session)


def schedule_local(
    session: Session,
    actor: User | None,
    fragment_id: int,
    local: datetime,
    tz: str | None,
    now: datetime,
    *,
    fold: Fold | None = None,
) -> Delivery:
    """Schedule at a wall time in ``tz`` (None: the fragment's planning zone).

    The DST gap is refused (NonexistentLocalTimeError) and a time in the overlap needs ``fold``
    (AmbiguousLocalTimeError): planner.timekeeping.wallclock decides both, once, here.
    """
    require_role(actor, Role.EDITOR)
    fragment = fragment_services.get_fragment(session, actor, fragment_id)
    zone = tz or planning_zone(session, fragment)
    # A wall time is at most a day away from its instant: refuse before converting, which
    # overflows at the end of the calendar.
    wall = local.replace(tzinfo=now.tzinfo)
    require_within_horizon(wall, now + timedelta(days=1), field="local")
    if wall < now - timedelta(days=1):
        raise ValidationError("Choose a time in the future.", field="local")
    at = resolve_local(local.replace(tzinfo=None), zone, fold=fold)
    return schedule_fragment(session, actor, fragment, at, now)


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
    fragment = fragment_services.get_fragment(session, actor, fragment_id)
    local = datetime.combine(day, drop_time(session, fragment, day))
    return schedule_local(session, actor, fragment_id, local, tz, now)


def remove_from_calendar(
    session: Session, actor: User | None, fragment_id: int, now: datetime
) -> Fragment:
    require_role(actor, Role.EDITOR)
    return unschedule_fragment(
        session, actor, fragment_services.get_fragment(session, actor, fragment_id), now
    )


def channel_slots(session: Session, channel: Channel) -> list[Slot]:
    rows = session.scalars(select(PostingSlot).where(PostingSlot.channel_id == channel.id))
    return [Slot(row.weekday, row.local_time, channel.timezone) for row in rows]


def add_to_next_free_slot(
    session: Session, actor: User | None, fragment_id: int, now: datetime
) -> Delivery:
    """Schedule a fragment in its channel's first slot that nothing near it occupies."""
    require_role(actor, Role.EDITOR)
    fragment = fragment_services.get_fragment(session, actor, fragment_id)
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
