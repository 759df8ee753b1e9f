"""The crisis pause: the moment a tragedy happens, cheerful scheduled posts must stop.

A person (editor or admin) pauses publishing for everything or for one channel, with a reason.
While a pause is open the engine claims nothing it covers, and each delivery of a fragment that
falls due there is *held* (``held_at``): it waits, visible on the attention page, until a person
releases it (it goes out at once, even while the pause lasts) or cancels it. Ending the pause
sends nothing by itself: what was held stays held. Inbox answers are not paused: webcare keeps
answering residents in a crisis.

The fence. The pause and the engine's claim exclude each other: on PostgreSQL the claim takes a
shared transaction-level advisory lock before it reads what is due and the pause takes the same
lock exclusively before it writes, so a claim either committed before the pause (those rows were
already on their way: the pause reports how many were being sent) or reads after the pause has
committed; on SQLite both hold the single write lock (``BEGIN IMMEDIATE``). Rows claimed just
before the pause are checked once more right before their request leaves and go back to held.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.channels.models import Channel
from planner.errors import ConflictError, NotFoundError, ValidationError
from planner.live.services import record_change
from planner.publishing.models import (
    FRAGMENT_DELIVERY,
    Delivery,
    DeliveryState,
    PublishingPause,
    pause_scope,
)

#: the advisory lock a claim shares and a pause takes alone (PostgreSQL); "CFPAUSE" in ASCII
FENCE_KEY = 0x4346504155534500
MAX_REASON = 1000
#: the states a held delivery is in (it is still the fragment's one planned publication)
HOLDABLE = (DeliveryState.PENDING, DeliveryState.RETRYING)


@dataclass(frozen=True)
class PauseResult:
    pause: PublishingPause
    #: deliveries already being sent when the pause committed (claimed before it)
    in_flight: int


def open_pause_covering(channel_id: Any) -> Any:
    """SQL: an open pause covers this channel (a column or a value)."""
    return exists(
        select(PublishingPause.id).where(
            PublishingPause.ended_at.is_(None),
            or_(PublishingPause.channel_id.is_(None), PublishingPause.channel_id == channel_id),
        )
    )


def held_by_pause() -> Any:
    """SQL: a delivery the pause covers: a fragment's, not released, on a paused channel."""
    return (
        (Delivery.kind == FRAGMENT_DELIVERY)
        & Delivery.released_at.is_(None)
        & open_pause_covering(Delivery.channel_id)
    )


def share_fence(session: Session) -> None:
    """The claim's side of the fence; call first in the claiming transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock_shared(FENCE_KEY)))


def _take_fence(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(FENCE_KEY)))


def hold_due(session: Session, now: datetime) -> list[int]:
    """Hold every claimable delivery that is due and covered by an open pause (engine side)."""
    rows = session.execute(
        update(Delivery)
        .where(
            Delivery.state.in_(HOLDABLE),
            Delivery.held_at.is_(None),
            Delivery.not_before <= now,
            held_by_pause(),
        )
        .values(held_at=now, updated_at=now)
        .returning(Delivery.id, Delivery.fragment_id),
        execution_options={"synchronize_session": False},
    ).all()
    for row in rows:
        record_event(
            session,
            None,
            "delivery.held",
            SimpleNamespace(__tablename__="fragments", id=row.fragment_id),
            delivery=row.id,
        )
    return [row.id for row in rows]


def is_paused(session: Session, channel_id: int | None) -> bool:
    """Whether an open pause covers this channel now (the engine asks right before a send)."""
    return bool(session.scalar(select(open_pause_covering(channel_id))))


def active_pauses(session: Session) -> list[PublishingPause]:
    """Open pauses, everything first; read on every page for the banner."""
    return list(
        session.scalars(
            select(PublishingPause)
            .where(PublishingPause.ended_at.is_(None))
            .options(joinedload(PublishingPause.channel), joinedload(PublishingPause.started_by))
            .order_by(PublishingPause.channel_id.is_not(None), PublishingPause.started_at)
        )
    )


def _channel(session: Session, channel_id: int | None) -> Channel | None:
    if channel_id is None:
        return None
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise NotFoundError("This channel does not exist.")
    return channel


def pause_publishing(
    session: Session,
    actor: User | None,
    now: datetime,
    *,
    reason: str | None,
    channel_id: int | None = None,
) -> PauseResult:
    """Stop publishing everywhere (or on one channel) until someone resumes it."""
    actor = require_role(actor, Role.EDITOR)
    cleaned = (reason or "").strip()
    if not cleaned:
        raise ValidationError("Say why publishing is paused.", field="reason")
    if len(cleaned) > MAX_REASON:
        raise ValidationError("Keep the reason under 1000 characters.", field="reason")
    channel = _channel(session, channel_id)
    scope = pause_scope(channel_id)
    _take_fence(session)
    if session.scalar(
        select(PublishingPause.id).where(
            PublishingPause.scope == scope, PublishingPause.ended_at.is_(None)
        )
    ):
        raise ConflictError(
            "Publishing is already paused there." if channel else "Publishing is already paused."
        )
    pause = PublishingPause(
        scope=scope,
        channel_id=channel_id,
        reason=cleaned,
        started_at=now,
        started_by_id=actor.id,
    )
    session.add(pause)
    session.flush()
    sending = select(func.count(Delivery.id)).where(
        Delivery.state == DeliveryState.SENDING, Delivery.kind == FRAGMENT_DELIVERY
    )
    if channel_id is not None:
        sending = sending.where(Delivery.channel_id == channel_id)
    in_flight = session.scalar(sending) or 0
    record_event(
        session,
        actor,
        "publishing.pause",
        channel,
        scope=scope,
        reason=cleaned,
        in_flight=in_flight,
    )
    # Every open page shows the banner at once (planner.live), not only after navigating.
    record_change(
        session,
        "publishing",
        now,
        actor=actor,
        data={"paused": True, "scope": scope, "reason": cleaned},
    )
    return PauseResult(pause, in_flight)


def resume_publishing(
    session: Session, actor: User | None, now: datetime, *, channel_id: int | None = None
) -> PublishingPause:
    """End the pause of this scope; what it held stays held until a person releases it."""
    actor = require_role(actor, Role.EDITOR)
    channel = _channel(session, channel_id)
    scope = pause_scope(channel_id)
    pause = session.scalar(
        select(PublishingPause)
        .where(PublishingPause.scope == scope, PublishingPause.ended_at.is_(None))
        .with_for_update()
    )
    if pause is None:
        raise ConflictError(
            "This channel is not paused." if channel else "Publishing is not paused."
        )
    pause.ended_at = now
    pause.ended_by_id = actor.id
    session.flush()
    held = session.scalar(
        select(func.count(Delivery.id)).where(
            Delivery.held_at.is_not(None), Delivery.state.in_(HOLDABLE)
        )
    )
    record_event(session, actor, "publishing.resume", channel, scope=scope, still_held=held)
    still_paused = session.scalar(
        select(PublishingPause.id).where(PublishingPause.ended_at.is_(None)).limit(1)
    )
    record_change(
        session,
        "publishing",
        now,
        actor=actor,
        data={"paused": still_paused is not None, "scope": scope},
    )
    return pause


def release_delivery(
    session: Session, actor: User | None, delivery: Delivery, now: datetime
) -> Delivery:
    """A person decided this held delivery may go out: now, even while the pause lasts."""
    actor = require_role(actor, Role.EDITOR)
    if delivery.held_at is None or delivery.state not in HOLDABLE:
        raise ConflictError("Only a held delivery can be released.", state=delivery.state.value)
    delivery.held_at = None
    delivery.released_at = now
    delivery.not_before = now
    delivery.updated_at = now
    session.flush()
    record_event(session, actor, "delivery.release", delivery.fragment, delivery=delivery.id)
    return delivery


def list_held(session: Session, actor: User | None) -> list[Delivery]:
    require_role(actor, Role.EDITOR)
    return list(
        session.scalars(
            select(Delivery)
            .where(Delivery.held_at.is_not(None), Delivery.state.in_(HOLDABLE))
            .options(joinedload(Delivery.fragment), joinedload(Delivery.channel))
            .order_by(Delivery.due_at, Delivery.id)
            .limit(500)
        )
    )
