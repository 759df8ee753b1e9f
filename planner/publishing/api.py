"""The publishing part of the JSON API: add a channel with how it publishes (the publisher and
its write-only secret), list deliveries, and resolve a delivery that needs a person (retry, mark
as posted, cancel)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from flask import g
from pydantic import BaseModel, Field

from planner.accounts.models import Role
from planner.accounts.permissions import require_role
from planner.api import api
from planner.api.spec import MAX_ID, NO_NUL
from planner.channels import services
from planner.channels.api import KIND_PATTERN, SOME_TEXT, ChannelOut, channel_out
from planner.channels.models import Channel
from planner.errors import ConflictError, ValidationError
from planner.publishing import deliveries, pause
from planner.publishing import runtime as publishing_runtime
from planner.publishing.models import Delivery, PublishingPause
from planner.publishing.publisher_settings import PublisherInput, configure_publisher
from planner.publishing.registry import PUBLISHER_KINDS
from planner.web import runtime
from planner.web.database import db_session


def _now() -> datetime:
    now: datetime = runtime.now()
    return now


class DeliveryOut(BaseModel):
    id: int
    fragment_id: int
    channel_id: int
    state: str
    due_at: datetime
    not_before: datetime
    attempt: int
    fragment_version: int
    last_error: str | None
    remote_id: str | None
    remote_url: str | None
    sent_at: datetime | None
    #: held by a crisis pause since then; it waits for release or cancel
    held_at: datetime | None = None
    released_at: datetime | None = None


class DeliveryQuery(BaseModel):
    fragment: int | None = Field(default=None, ge=1, le=MAX_ID)


class ResolveIn(BaseModel):
    action: Literal["retry", "mark_posted", "cancel", "release"]
    url: str | None = Field(default=None, max_length=2000, pattern=NO_NUL)


def delivery_out(delivery: Delivery) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.id,
        fragment_id=delivery.fragment_id,
        channel_id=delivery.channel_id,
        state=delivery.state.value,
        due_at=delivery.due_at,
        not_before=delivery.not_before,
        attempt=delivery.attempt,
        fragment_version=delivery.fragment_version,
        last_error=delivery.last_error,
        remote_id=delivery.remote_id,
        remote_url=delivery.remote_url,
        sent_at=delivery.sent_at,
        held_at=delivery.held_at,
        released_at=delivery.released_at,
    )


@api.operation(
    "GET",
    "/deliveries",
    summary="Deliveries, newest first; filter by fragment (editors)",
    tags=["publishing"],
    response=DeliveryOut,
    query=DeliveryQuery,
    errors=(403,),
    many=True,
)
def list_deliveries(query: DeliveryQuery) -> list[DeliveryOut]:
    found = deliveries.list_deliveries(db_session(), g.api_user, fragment_id=query.fragment)
    return [delivery_out(d) for d in found]


@api.operation(
    "POST",
    "/deliveries/<int:delivery_id>/resolve",
    summary="Resolve a delivery: retry, mark_posted (with url), cancel or release (editors)",
    tags=["publishing"],
    response=DeliveryOut,
    body=ResolveIn,
    errors=(403, 409),
)
def resolve_delivery(delivery_id: int, body: ResolveIn) -> DeliveryOut:
    session = db_session()
    delivery = deliveries.get_delivery(session, g.api_user, delivery_id)
    deliveries.resolve_delivery(session, g.api_user, delivery, body.action, _now(), url=body.url)
    return delivery_out(delivery)


class PublisherIn(BaseModel):
    """Publisher settings; the secret is write-only (webhook secret, token or password)."""

    kind: str = Field(max_length=32, pattern="^(" + "|".join(PUBLISHER_KINDS) + ")$")
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


class PauseIn(BaseModel):
    reason: str = Field(min_length=1, max_length=1000, pattern=SOME_TEXT)
    #: one channel; without it everything is paused
    channel_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class ResumeIn(BaseModel):
    channel_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class PauseOut(BaseModel):
    id: int
    scope: str
    channel_id: int | None
    reason: str
    started_at: datetime
    started_by_id: int | None
    ended_at: datetime | None
    #: deliveries already being sent when the pause committed (only in the pause's answer)
    in_flight: int | None = None


def pause_out(paused: PublishingPause, in_flight: int | None = None) -> PauseOut:
    return PauseOut(
        id=paused.id,
        scope=paused.scope,
        channel_id=paused.channel_id,
        reason=paused.reason,
        started_at=paused.started_at,
        started_by_id=paused.started_by_id,
        ended_at=paused.ended_at,
        in_flight=in_flight,
    )


@api.operation(
    "POST",
    "/publishing/pause",
    summary="Crisis pause: stop publishing everywhere or on one channel, with a reason (editors)",
    tags=["publishing"],
    response=PauseOut,
    body=PauseIn,
    status=201,
    errors=(403, 404, 409),
)
def pause_publishing(body: PauseIn) -> PauseOut:
    result = pause.pause_publishing(
        db_session(), g.api_user, _now(), reason=body.reason, channel_id=body.channel_id
    )
    return pause_out(result.pause, result.in_flight)


@api.operation(
    "POST",
    "/publishing/resume",
    summary="End the crisis pause everywhere or on one channel; held deliveries stay held",
    tags=["publishing"],
    response=PauseOut,
    body=ResumeIn,
    errors=(403, 404, 409),
)
def resume_publishing(body: ResumeIn) -> PauseOut:
    return pause_out(
        pause.resume_publishing(db_session(), g.api_user, _now(), channel_id=body.channel_id)
    )


@api.operation(
    "GET",
    "/publishing/pauses",
    summary="The open crisis pauses (editors)",
    tags=["publishing"],
    response=PauseOut,
    errors=(403,),
    many=True,
)
def list_pauses() -> list[PauseOut]:
    session = db_session()
    require_role(g.api_user, Role.EDITOR)
    return [pause_out(p) for p in pause.active_pauses(session)]
