"""The publishing part of the JSON API: approve a fragment, list its deliveries, and resolve a
delivery that needs a person (retry, mark as posted, cancel)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import g
from pydantic import BaseModel, Field

from planner.api import api
from planner.api.spec import MAX_ID, NO_NUL
from planner.publishing import deliveries
from planner.publishing.models import Delivery
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


class DeliveryQuery(BaseModel):
    fragment: int | None = Field(default=None, ge=1, le=MAX_ID)


class ResolveIn(BaseModel):
    action: Literal["retry", "mark_posted", "cancel"]
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
    summary="Resolve a delivery: retry, mark_posted (with url) or cancel (editors)",
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
