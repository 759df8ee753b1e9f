"""TODO docstring."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.channels.models import Channel
from planner.errors import ConflictError, NotFoundError, ValidationError
from planner.scheduling.models import (
    PostingSlot,
)


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
