"""The effect in the JSON API: figures typed in for a fragment, and the figures per fragment,
story, channel, theme or campaign for a period."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from flask import g
from pydantic import BaseModel, Field

from planner.api import api
from planner.effect import services
from planner.effect.services import MAX_FIGURE
from planner.organisation.services import get_organisation
from planner.web import runtime
from planner.web.database import db_session


class MetricsIn(BaseModel):
    reach: int = Field(default=0, ge=0, le=MAX_FIGURE)
    reactions: int = Field(default=0, ge=0, le=MAX_FIGURE)
    shares: int = Field(default=0, ge=0, le=MAX_FIGURE)


class MetricsOut(BaseModel):
    id: int
    fragment_id: int
    reach: int
    reactions: int
    shares: int
    entered_by: str
    entered_at: datetime


class EffectQuery(BaseModel):
    by: Literal["fragment", "story", "channel", "theme", "campaign"] = "fragment"
    #: first and last day, in the organisation's timezone
    start: date
    end: date


class FiguresOut(BaseModel):
    id: int | None
    name: str
    clicks: int
    reactions: int
    shares: int
    reach: int
    bot_clicks: int


class EffectOut(BaseModel):
    by: str
    start: date
    end: date
    timezone: str
    items: list[FiguresOut]


@api.operation(
    "POST",
    "/fragments/<int:fragment_id>/metrics",
    summary="Figures read in a platform's own app (reach, reactions, shares) for a fragment",
    tags=["effect"],
    response=MetricsOut,
    status=201,
    body=MetricsIn,
    errors=(403, 404, 422),
)
def enter_fragment_metrics(fragment_id: int, body: MetricsIn) -> MetricsOut:
    metric = services.record_manual_metrics(
        db_session(),
        g.api_user,
        fragment_id,
        reach=body.reach,
        reactions=body.reactions,
        shares=body.shares,
        now=runtime.now(),
    )
    return MetricsOut(
        id=metric.id,
        fragment_id=metric.fragment_id,
        reach=metric.reach,
        reactions=metric.reactions,
        shares=metric.shares,
        entered_by=metric.entered_by_name,
        entered_at=metric.entered_at,
    )


@api.operation(
    "GET",
    "/effect",
    summary="Clicks, reactions, shares and reach per fragment, story, channel, theme or campaign",
    tags=["effect"],
    response=EffectOut,
    query=EffectQuery,
    errors=(403, 422),
)
def get_effect(query: EffectQuery) -> EffectOut:
    session = db_session()
    tz = get_organisation(session, runtime.settings().timezone).timezone
    period = services.Period.of(query.start, query.end, tz)
    rows = services.effect_by(session, g.api_user, period, query.by)
    return EffectOut(
        by=query.by,
        start=period.start,
        end=period.end,
        timezone=tz,
        items=[
            FiguresOut(
                id=r.key,
                name=r.label,
                clicks=r.figures.clicks,
                reactions=r.figures.reactions,
                shares=r.figures.shares,
                reach=r.figures.reach,
                bot_clicks=r.figures.bot_clicks,
            )
            for r in rows
        ],
    )
