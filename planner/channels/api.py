"""The channels part of the JSON API: list the organisation's channels.

Adding one, with how it publishes, is publishing's operation (planner.publishing.api).
"""

from __future__ import annotations

from typing import Any

from flask import g
from pydantic import BaseModel, Field

from planner.api import api
from planner.channels import services
from planner.channels.catalogue import all_kinds
from planner.channels.models import Channel
from planner.web.database import db_session

SOME_TEXT = r"^[^\x00]*[^\x00\s\x1c-\x1f][^\x00]*$"
#: the catalogue's kind keys, so the document lists what the service accepts
KIND_PATTERN = "^(" + "|".join(kind.key for kind in all_kinds()) + ")$"


class ChannelOut(BaseModel):
    id: int
    name: str
    kind: str
    colour: str
    timezone: str
    cadence_per_week: float
    handle: str | None
    is_active: bool
    #: how fragments reach the platform, its non-secret settings, and whether a secret is stored
    approval_steps: int = 1
    publisher_kind: str = "manual"
    publisher_settings: dict[str, Any] = Field(default_factory=dict)
    has_secret: bool = False


def channel_out(channel: Channel) -> ChannelOut:
    return ChannelOut(
        id=channel.id,
        name=channel.name,
        kind=channel.kind_key,
        colour=channel.colour,
        timezone=channel.timezone,
        cadence_per_week=channel.cadence_per_week,
        handle=channel.handle,
        is_active=channel.is_active,
        approval_steps=channel.approval_steps,
        publisher_kind=channel.publisher_kind,
        publisher_settings=dict(channel.publisher_settings or {}),
        has_secret=channel.publisher_secret is not None,
    )


@api.operation(
    "GET",
    "/channels",
    summary="The organisation's channels",
    tags=["channels"],
    response=ChannelOut,
    errors=(403,),
    many=True,
)
def list_channels() -> list[ChannelOut]:
    return [channel_out(c) for c in services.list_channels(db_session(), g.api_user)]
