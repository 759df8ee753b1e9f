"""Use cases for the organisation's channels: editors add and change them, everyone reads them."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.channels.catalogue import find_kind
from planner.channels.models import Channel
from planner.errors import NotFoundError, ValidationError

_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _validate(
    session: Session,
    *,
    name: str,
    kind_key: str,
    colour: str,
    timezone: str,
    cadence_per_week: float,
    existing: Channel | None = None,
) -> str:
    clean = name.strip()
    if not clean:
        raise ValidationError("Enter a name for the channel.", field="name")
    if len(clean) > 100:
        raise ValidationError("The name is too long.", field="name")
    taken = session.scalar(select(Channel).where(Channel.name == clean))
    if taken is not None and taken is not existing:
        raise ValidationError("Another channel already has this name.", field="name")
    if find_kind(kind_key) is None:
        raise ValidationError("Unknown channel kind.", field="kind_key")
    if not _HEX.match(colour):
        raise ValidationError("Give the colour as #RRGGBB.", field="colour")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError("Unknown timezone.", field="timezone") from exc
    if not 0 <= cadence_per_week <= 100:
        raise ValidationError("Cadence must be between 0 and 100 a week.", field="cadence_per_week")
    return clean


def create_channel(
    session: Session,
    actor: User | None,
    *,
    name: str,
    kind_key: str,
    colour: str = "#4A5560",
    timezone: str = "Europe/Amsterdam",
    cadence_per_week: float = 0.0,
    handle: str | None = None,
) -> Channel:
    actor = require_role(actor, Role.EDITOR)
    clean = _validate(
        session,
        name=name,
        kind_key=kind_key,
        colour=colour,
        timezone=timezone,
        cadence_per_week=cadence_per_week,
    )
    channel = Channel(
        name=clean,
        kind_key=kind_key,
        colour=colour.upper(),
        timezone=timezone,
        cadence_per_week=cadence_per_week,
        handle=(handle or "").strip() or None,
    )
    session.add(channel)
    session.flush()
    record_event(session, actor, "channel.create", channel, name=clean, kind=kind_key)
    return channel


def update_channel(
    session: Session,
    actor: User | None,
    channel: Channel,
    *,
    name: str,
    kind_key: str,
    colour: str,
    timezone: str,
    cadence_per_week: float,
    handle: str | None,
    is_active: bool,
) -> Channel:
    actor = require_role(actor, Role.EDITOR)
    channel.name = _validate(
        session,
        name=name,
        kind_key=kind_key,
        colour=colour,
        timezone=timezone,
        cadence_per_week=cadence_per_week,
        existing=channel,
    )
    channel.kind_key = kind_key
    channel.colour = colour.upper()
    channel.timezone = timezone
    channel.cadence_per_week = cadence_per_week
    channel.handle = (handle or "").strip() or None
    channel.is_active = is_active
    session.flush()
    record_event(session, actor, "channel.update", channel)
    return channel


def list_channels(
    session: Session, actor: User | None, *, active_only: bool = False
) -> list[Channel]:
    require_role(actor, Role.CONTRIBUTOR)
    query = select(Channel).order_by(Channel.name)
    if active_only:
        query = query.where(Channel.is_active.is_(True))
    return list(session.scalars(query))


def get_channel(session: Session, actor: User | None, channel_id: int) -> Channel:
    require_role(actor, Role.CONTRIBUTOR)
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise NotFoundError("This channel does not exist.")
    return channel
