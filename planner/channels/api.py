"""The channels part of the JSON API: list the organisation's channels and add one."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import g
from pydantic import BaseModel, Field

from planner.api import api
from planner.api.spec import NO_NUL
from planner.channels import services
from planner.channels.catalogue import all_kinds
from planner.channels.models import Channel
from planner.errors import ConflictError, ValidationError
from planner.publishing import runtime as publishing_runtime
from planner.web import runtime
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


class PublisherIn(BaseModel):
    """Publisher settings; the secret is write-only (webhook secret, token or password)."""

    kind: Literal["manual", "blog", "webhook", "mastodon", "wordpress", "newsletter"]
    url: str | None = Field(default=None, max_length=2000, pattern=NO_NUL)
    username: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    host: str | None = Field(default=None, max_length=255, pattern=NO_NUL)
    port: int | None = Field(default=None, ge=1, le=65535)
    sender: str | None = Field(default=None, max_length=320, pattern=NO_NUL)
    recipients: list[Annotated[str, Field(max_length=320, pattern=NO_NUL)]] = Field(
        default_factory=list, max_length=20
    )
    secret: str | None = Field(default=None, max_length=2000, pattern=NO_NUL)


class ChannelIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, pattern=SOME_TEXT)
    kind: str = Field(max_length=32, pattern=KIND_PATTERN)
    colour: str = Field(default="#4A5560", pattern=r"^#[0-9A-Fa-f]{6}$")
    timezone: str = Field(default="Europe/Amsterdam", max_length=64, pattern=NO_NUL)
    cadence_per_week: Annotated[float, Field(ge=0, le=100)] = 0.0
    handle: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    #: admins only: approval steps and the publisher (planner.publishing.publisher_settings)
    approval_steps: int | None = Field(default=None, ge=0, le=2)
    publisher: PublisherIn | None = None


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


@api.operation(
    "POST",
    "/channels",
    summary="Add a channel (editors)",
    tags=["channels"],
    response=ChannelOut,
    body=ChannelIn,
    status=201,
    errors=(403, 409),
)
def create_channel(body: ChannelIn) -> ChannelOut:
    try:
        channel = services.create_channel(
            db_session(),
            g.api_user,
            name=body.name,
            kind_key=body.kind,
            colour=body.colour,
            timezone=body.timezone,
            cadence_per_week=body.cadence_per_week,
            handle=body.handle,
        )
    except ValidationError as exc:
        # The body was well formed; a taken name or an unknown timezone is a state conflict.
        raise ConflictError(exc.message, field=exc.field) from exc
    if body.publisher is not None or body.approval_steps is not None:
        try:
            _configure_publisher(channel, body)
        except ValidationError as exc:
            # Same reasoning: a webhook without its URL, or a refused address, is well-formed JSON.
            raise ConflictError(exc.message, field=exc.field) from exc
    return channel_out(channel)


def _configure_publisher(channel: Channel, body: ChannelIn) -> None:
    from planner.publishing.publisher_settings import PublisherInput, configure_publisher

    given = body.publisher
    configure_publisher(
        db_session(),
        g.api_user,
        channel,
        PublisherInput(
            kind=given.kind if given else channel.publisher_kind,
            approval_steps=body.approval_steps,
            url=given.url if given else None,
            username=given.username if given else None,
            host=given.host if given else None,
            port=given.port if given else None,
            sender=given.sender if given else None,
            recipients=list(given.recipients) if given else [],
            secret=given.secret if given else None,
        ),
        publishing_runtime.secret_box(),
        allow_loopback=runtime.settings().allow_loopback_targets,
    )
