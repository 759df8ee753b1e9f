"""The calendar part of the JSON API: read a window of the plan, schedule and unschedule.

Scheduling takes either an instant with its offset or a wall time with its IANA zone; the wall
time goes through planner.timekeeping.wallclock like the web form, so the DST gap is refused and the
overlap needs an explicit ``fold`` here too. Well-formed requests that the current state forbids
(a time in the past, a fragment not approved, the brand gate) are 409 conflicts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Annotated, Literal
from zoneinfo import available_timezones

from flask import Response, g
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, RootModel, field_validator
from sqlalchemy.orm import Session

from planner.accounts.models import Role
from planner.accounts.permissions import require_role
from planner.api import api
from planner.api.spec import MAX_ID
from planner.errors import ConflictError, ValidationError
from planner.fragments import services as fragment_services
from planner.fragments.models import Fragment
from planner.publishing.models import Delivery
from planner.scheduling import planning, services
from planner.scheduling.json_body import json_response
from planner.timekeeping.periods import Period
from planner.timekeeping.wallclock import (
    AmbiguousLocalTimeError,
    Fold,
    NonexistentLocalTimeError,
    UnknownTimezoneError,
    to_local,
)
from planner.web import runtime
from planner.web.database import db_session

#: A wall time to the minute (seconds allowed): "2026-12-01T10:00".
LOCAL_PATTERN = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
    r"|^[0-9]{4}-(0[13-9]|1[0-2])-(29|30)T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
    r"|^[0-9]{4}-(0[13578]|1[02])-31T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
)
#: Beyond this the calendar has nothing to say, and date arithmetic must not overflow.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9000, 1, 1)


@cache
def _zones() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z or z == "UTC")


class CalendarQuery(BaseModel):
    start: date
    end: date
    channel: int | None = Field(default=None, ge=1, le=MAX_ID)
    theme: int | None = Field(default=None, ge=1, le=MAX_ID)


class CalendarEventOut(BaseModel):
    id: int
    title: str
    channel_id: int
    channel: str
    kind: str
    status: str
    #: the latest delivery's state (pending, sent, failed, ...), if the fragment has one
    delivery_state: str | None
    scheduled_at: datetime | None
    #: the same instant on the organisation's wall clock, without offset
    local: str | None
    timezone: str
    #: ids of fragments on the same channel closer than the channel's minimum gap
    conflicts_with: list[int]


class ScheduleAt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: AwareDatetime = Field(description="An ISO 8601 instant with its offset")


class ScheduleLocal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    local: str = Field(pattern=LOCAL_PATTERN, description="A wall time, e.g. 2026-12-01T10:00")
    timezone: Annotated[
        str | None,
        Field(
            max_length=64,
            json_schema_extra={"enum": _zones()},
            description="The wall clock of `local`; without it the fragment's channel's "
            "timezone, else the organisation's",
        ),
    ] = None
    fold: Literal["earlier", "later"] | None = Field(
        default=None,
        description="For a wall time that occurs twice (clocks go back): which one. "
        "Without it such a time is refused with 422 and both instants.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None and value not in _zones():
            raise ValueError("use an IANA timezone name such as Europe/Amsterdam")
        return value


class ScheduleIn(RootModel[ScheduleAt | ScheduleLocal]):
    pass


def _out(fragment: Fragment, tz: str, state: str | None) -> CalendarEventOut:
    local = to_local(fragment.scheduled_at, tz) if fragment.scheduled_at else None
    return CalendarEventOut(
        id=fragment.id,
        title=services.fragment_title(fragment),
        channel_id=fragment.channel_id,
        channel=fragment.channel.name,
        kind=fragment.kind,
        status=fragment.status.value,
        delivery_state=state,
        scheduled_at=fragment.scheduled_at,
        local=local.replace(tzinfo=None).isoformat(timespec="minutes") if local else None,
        timezone=tz,
        conflicts_with=[],
    )


@api.operation(
    "GET",
    "/calendar",
    summary="Fragments on the calendar from start to end (local dates, end exclusive; "
    "at most 100 days from start are returned)",
    tags=["calendar"],
    response=CalendarEventOut,
    query=CalendarQuery,
    errors=(403,),
    many=True,
)
def calendar_window(query: CalendarQuery) -> Response:
    session = db_session()
    tz = services.org_timezone(session)
    # Nothing is planned before FIRST_DAY or after LAST_DAY; clamping keeps date arithmetic in
    # range for any date the schema allows.
    start = max(query.start, FIRST_DAY)
    if query.end <= start or start >= LAST_DAY:
        require_role(g.api_user, Role.EDITOR)
        return json_response([])
    end = min(query.end, start + timedelta(days=100))
    period = Period(start, end - timedelta(days=1), tz)
    rows = services.list_calendar_rows(
        session,
        g.api_user,
        start_at=period.start_at,
        end_at=min(period.end_at, period.start_at + services.MAX_WINDOW),
        filters=services.CalendarFilters(channel_id=query.channel, theme_id=query.theme),
        tz=tz,
    )
    # CalendarEventOut's fields as plain dicts, keys in sorted order (see json_body): validating
    # values that come straight from the database would cost more than reading them.
    return json_response(
        [
            {
                "channel": row.channel,
                "channel_id": row.channel_id,
                "conflicts_with": row.conflicts_with,
                "delivery_state": row.delivery_state,
                "id": row.id,
                "kind": row.kind,
                "local": row.local,
                "scheduled_at": row.scheduled_at,
                "status": row.status,
                "timezone": tz,
                "title": row.title,
            }
            for row in rows
        ]
    )


def _schedule(
    session: Session, fragment_id: int, body: ScheduleAt | ScheduleLocal, now: datetime
) -> Delivery:
    if isinstance(body, ScheduleAt):
        planning.require_within_horizon(body.at, now)  # before converting: it could overflow
        return planning.move_fragment(
            session, g.api_user, fragment_id, body.at.astimezone(UTC), now
        )
    try:
        local = datetime.fromisoformat(body.local)
    except ValueError:
        raise ValidationError(f"{body.local!r} is not a wall time.", field="local") from None
    fold: Fold | None = body.fold
    return planning.schedule_local(
        session, g.api_user, fragment_id, local, body.timezone, now, fold=fold
    )


@api.operation(
    "POST",
    "/fragments/<int:fragment_id>/schedule",
    summary='Plan a fragment: {"at": instant with offset} or {"local": wall time, "timezone"}',
    tags=["calendar"],
    response=CalendarEventOut,
    body=ScheduleIn,
    errors=(403, 409),
)
def schedule_fragment_api(fragment_id: int, body: ScheduleIn) -> CalendarEventOut:
    session = db_session()
    fragment_services.get_fragment(session, g.api_user, fragment_id)
    try:
        delivery = _schedule(session, fragment_id, body.root, _clock_now())
    except (NonexistentLocalTimeError, AmbiguousLocalTimeError, UnknownTimezoneError):
        raise  # the wall time itself is wrong: 422 with what to choose
    except ValidationError as exc:
        if exc.field == "local" or exc.message == planning.BEYOND_HORIZON:
            raise  # a time no plan can have: 422
        # Well-formed, but the moment has passed: a conflict with the clock, not bad input.
        raise ConflictError(exc.message, field=exc.field) from exc
    tz = services.org_timezone(session)
    return _out(delivery.fragment, tz, delivery.state.value)


@api.operation(
    "DELETE",
    "/fragments/<int:fragment_id>/schedule",
    summary="Take a fragment off the calendar; it stays approved",
    tags=["calendar"],
    response=CalendarEventOut,
    errors=(403, 409),
)
def unschedule_fragment_api(fragment_id: int) -> CalendarEventOut:
    session = db_session()
    fragment = planning.remove_from_calendar(session, g.api_user, fragment_id, _clock_now())
    return _out(fragment, services.org_timezone(session), "cancelled")


def _clock_now() -> datetime:
    now: datetime = runtime.now()
    return now
