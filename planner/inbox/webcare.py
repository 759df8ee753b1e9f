"""Webcare: the organisation's office hours and targets, the clock on every open item, the warning
before a target passes, the response-time report and the team it takes, and the retention period.

The clock and the formulas are pure (planner.inbox.officeclock, .staffing, .stats); this module
reads the settings and the conversations they work on. Public holidays come from the ``holidays``
package for the configured country.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import holidays as holiday_calendars
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.errors import ValidationError
from planner.inbox import events
from planner.inbox.models import (
    OPEN_STATES,
    Conversation,
    ConversationState,
    Direction,
    InboxSettings,
    InboxSource,
    Message,
    Note,
    SourceKind,
)
from planner.inbox.officeclock import (
    DEFAULT_HOURS,
    ClockReading,
    OfficeHours,
    add_office_time,
    format_windows,
    office_seconds,
    parse_windows,
    read_clock,
)
from planner.inbox.staffing import Staffing, webcare_fte
from planner.inbox.stats import median, percentile
from planner.stories.models import Theme

#: first-response targets in office minutes: an hour on social media, a working day by mail
DEFAULT_TARGETS = {
    SourceKind.MASTODON.value: 60,
    SourceKind.WEBHOOK.value: 8 * 60,
    SourceKind.MAILBOX.value: 8 * 60,
}
ANONYMISED = "[geanonimiseerd]"


def get_settings(session: Session) -> InboxSettings:
    """The settings row, created with the defaults on first use."""
    row = session.get(InboxSettings, 1)
    if row is None:
        row = InboxSettings(
            id=1,
            office_hours=format_windows(DEFAULT_HOURS),
            targets=dict(DEFAULT_TARGETS),
        )
        session.add(row)
        session.flush()
    return row


@lru_cache(maxsize=16)
def _holidays(country: str, first: int, last: int) -> frozenset[date]:
    try:
        calendar = holiday_calendars.country_holidays(country, years=range(first, last + 1))
    except NotImplementedError:
        return frozenset()
    return frozenset(calendar.keys())


def office_hours(settings: InboxSettings, timezone: str, around: date) -> OfficeHours:
    """The office hours as the pure clock wants them, with the holidays of the years around."""
    return OfficeHours(
        timezone=timezone,
        windows=parse_windows(settings.office_hours or {}),
        holidays=_holidays(settings.holiday_country, around.year - 1, around.year + 1),
    )


def target_seconds(settings: InboxSettings, kind: SourceKind) -> float:
    minutes = (settings.targets or {}).get(kind.value, DEFAULT_TARGETS.get(kind.value, 60))
    return float(minutes) * 60


def update_settings(
    session: Session,
    actor: User | None,
    *,
    office_hours: dict[str, list[str]],
    holiday_country: str,
    targets: dict[str, int],
    retention_days: int,
    handling_minutes: int,
    fte_hours: float,
    productive_share: float,
    now: datetime,
) -> InboxSettings:
    actor = require_role(actor, Role.ADMIN)
    try:
        windows = parse_windows(office_hours)
        OfficeHours(windows=windows)
    except ValueError as exc:
        raise ValidationError(
            "Give office hours as opening and closing times (09:00 and 17:00).",
            field="office_hours",
        ) from exc
    if not windows:
        raise ValidationError("The office needs at least one open day.", field="office_hours")
    if holiday_country and holiday_country not in holiday_calendars.list_supported_countries():
        raise ValidationError("Unknown country for public holidays.", field="holiday_country")
    if any(int(v) <= 0 for v in targets.values()):
        raise ValidationError("A target must be at least one minute.", field="targets")
    if not 30 <= retention_days <= 3650:
        raise ValidationError("Keep conversations 30 to 3650 days.", field="retention_days")
    if not 1 <= handling_minutes <= 240 or not 1 <= fte_hours <= 60:
        raise ValidationError("Handling time or working week out of range.", field="fte_hours")
    if not 0.1 <= productive_share <= 1:
        raise ValidationError("The productive share lies between 0.1 and 1.", field="fte_hours")
    row = get_settings(session)
    row.office_hours = format_windows(windows)
    row.holiday_country = holiday_country or "NL"
    row.targets = {k: int(v) for k, v in targets.items()}
    row.retention_days = retention_days
    row.handling_minutes = handling_minutes
    row.fte_hours = fte_hours
    row.productive_share = productive_share
    row.updated_at = now
    session.flush()
    record_event(session, actor, "inbox.settings", None)
    return row


# --- the clock on each item ----------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    reading: ClockReading
    due_at: datetime


def clock_for(
    conversation: Conversation,
    kind: SourceKind,
    settings: InboxSettings,
    hours: OfficeHours,
    now: datetime,
) -> Clock | None:
    """The clock of an open item (None once answered or closed)."""
    if conversation.state not in OPEN_STATES or conversation.waiting_since is None:
        return None
    target = target_seconds(settings, kind)
    reading = read_clock(conversation.waiting_since, now, target, hours)
    return Clock(reading, add_office_time(conversation.waiting_since, target, hours))


def warn_at_risk(session: Session, now: datetime, timezone: str) -> int:
    """Tell the team once per wait when an open item turns amber or red (response_time_at_risk).

    Run by the scheduler; reads only the open items whose clock started and who were not warned.
    """
    settings = get_settings(session)
    hours = office_hours(settings, timezone, now.date())
    rows = session.execute(
        select(Conversation, InboxSource.kind)
        .join(InboxSource, Conversation.source_id == InboxSource.id)
        .where(
            Conversation.state.in_(OPEN_STATES),
            Conversation.waiting_since.is_not(None),
            Conversation.at_risk_warned_at.is_(None),
        )
        .limit(500)
    ).all()
    warned = 0
    for conversation, kind in rows:
        clock = clock_for(conversation, kind, settings, hours, now)
        if clock is None or clock.reading.colour == "ok":
            continue
        conversation.at_risk_warned_at = now
        events.response_time_at_risk.send(
            conversation, session=session, due_at=clock.due_at, colour=clock.reading.colour
        )
        warned += 1
    session.flush()
    return warned


# --- reports ------------------------------------------------------------------------------------


@dataclass
class ResponseRow:
    week: str
    monday: date
    source: str
    answered: int
    median_minutes: float | None
    p90_minutes: float | None


@dataclass
class WebcareReport:
    start_on: date
    end_on: date
    rows: list[ResponseRow]
    #: open conversations by state and clock colour
    open_by_state: dict[str, int]
    open_by_colour: dict[str, int]
    #: inbound messages per theme in the period ("" for without a theme)
    volume_by_theme: dict[str, int]
    messages_per_week: float
    handling_minutes: float
    handling_measured: bool
    staffing: Staffing
    office_hours_per_week: float
    weeks: list[date] = field(default_factory=list)


#: fewer measured answers than this: the settings' handling time is used instead
MIN_HANDLING_SAMPLES = 5


def webcare_report(
    session: Session, actor: User | None, start_on: date, end_on: date, timezone: str, now: datetime
) -> WebcareReport:
    """Median and 90th percentile first response per week and source (office minutes), the open
    queue, volume per theme, and the team the measured volume and handling time need."""
    require_role(actor, Role.EDITOR)
    settings = get_settings(session)
    hours = office_hours(settings, timezone, start_on)
    start = datetime.combine(start_on, time(0), hours.zone)
    end = datetime.combine(end_on + timedelta(days=1), time(0), hours.zone)
    answered = session.execute(
        select(
            Conversation.first_message_at,
            Conversation.first_response_office_seconds,
            InboxSource.kind,
        )
        .join(InboxSource, Conversation.source_id == InboxSource.id)
        .where(
            Conversation.first_response_at.is_not(None),
            Conversation.first_message_at >= start,
            Conversation.first_message_at < end,
        )
    ).all()
    groups: dict[tuple[date, str], list[float]] = defaultdict(list)
    for first_at, seconds, kind in answered:
        local = first_at.astimezone(hours.zone).date()
        monday = local - timedelta(days=local.weekday())
        groups[(monday, kind.value)].append((seconds or 0) / 60)
    rows = [
        ResponseRow(
            week=f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}",
            monday=monday,
            source=source,
            answered=len(values),
            median_minutes=median(values),
            p90_minutes=percentile(values, 90),
        )
        for (monday, source), values in sorted(groups.items())
    ]
    open_rows = session.execute(
        select(Conversation, InboxSource.kind)
        .join(InboxSource, Conversation.source_id == InboxSource.id)
        .where(Conversation.state.in_(OPEN_STATES))
    ).all()
    by_state: dict[str, int] = defaultdict(int)
    by_colour: dict[str, int] = {"ok": 0, "amber": 0, "red": 0}
    for conversation, kind in open_rows:
        by_state[conversation.state.value] += 1
        clock = clock_for(conversation, kind, settings, hours, now)
        if clock is not None:
            by_colour[clock.reading.colour] += 1
    # Grouped by the theme's name and folded in Python: PostgreSQL will not match a bound
    # coalesce() in SELECT with its twin in GROUP BY.
    volume: dict[str, int] = {}
    for name, count in session.execute(
        select(Theme.name, func.count(Message.id))
        .select_from(Message)
        .join(Conversation, Message.conversation_id == Conversation.id)
        .outerjoin(Theme, Conversation.theme_id == Theme.id)
        .where(
            Message.direction == Direction.INBOUND,
            Message.received_at >= start,
            Message.received_at < end,
        )
        .group_by(Theme.name)
    ).all():
        volume[name or ""] = volume.get(name or "", 0) + count
    weeks = max(1.0, ((end_on - start_on).days + 1) / 7)
    per_week = sum(volume.values()) / weeks
    samples = [
        s
        for s in session.scalars(
            select(Message.handling_seconds).where(
                Message.direction == Direction.OUTBOUND,
                Message.handling_seconds.is_not(None),
                Message.created_at >= start,
                Message.created_at < end,
            )
        )
        if s is not None
    ]
    measured = len(samples) >= MIN_HANDLING_SAMPLES
    handling = (
        (median([s / 60 for s in samples]) or 0.0) if measured else float(settings.handling_minutes)
    )
    staffing = webcare_fte(
        per_week,
        handling,
        fte_hours=settings.fte_hours,
        productive_share=settings.productive_share,
        office_hours_per_week=hours.weekly_hours,
    )
    mondays = []
    monday = start_on - timedelta(days=start_on.weekday())
    while monday <= end_on:
        mondays.append(monday)
        monday += timedelta(days=7)
    return WebcareReport(
        start_on=start_on,
        end_on=end_on,
        rows=rows,
        open_by_state=dict(by_state),
        open_by_colour=by_colour,
        volume_by_theme=volume,
        messages_per_week=per_week,
        handling_minutes=handling,
        handling_measured=measured,
        staffing=staffing,
        office_hours_per_week=hours.weekly_hours,
        weeks=mondays,
    )


def response_office_seconds(
    settings: InboxSettings, timezone: str, since: datetime, answered_at: datetime
) -> int:
    hours = office_hours(settings, timezone, since.date())
    return int(office_seconds(since, answered_at, hours))


# --- retention ------------------------------------------------------------------------------------


def anonymise_conversation(session: Session, conversation: Conversation, now: datetime) -> None:
    """Keep the numbers (times, source, theme, state), drop who and what (AVG/GDPR)."""
    conversation.author_key = f"anon:{conversation.id}"
    conversation.author_name = None
    conversation.author_handle = None
    conversation.author_email = None
    conversation.subject = None
    conversation.anonymised_at = now
    session.execute(
        update(Message)
        .where(Message.conversation_id == conversation.id)
        .values(body=ANONYMISED, subject=None, remote_url=None, attachments=[], references=[]),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        update(Note).where(Note.conversation_id == conversation.id).values(body=ANONYMISED),
        execution_options={"synchronize_session": False},
    )


def anonymise_expired(session: Session, now: datetime, *, batch: int = 200) -> int:
    """Closed conversations older than the retention period lose their personal data."""
    settings = get_settings(session)
    cutoff = now - timedelta(days=settings.retention_days)
    rows = list(
        session.scalars(
            select(Conversation)
            .where(
                Conversation.state.in_(
                    (
                        ConversationState.CLOSED,
                        ConversationState.NO_ACTION,
                        ConversationState.ANSWERED,
                    )
                ),
                Conversation.anonymised_at.is_(None),
                Conversation.last_message_at < cutoff,
            )
            .limit(batch)
        )
    )
    for conversation in rows:
        anonymise_conversation(session, conversation, now)
    session.flush()
    if rows:
        record_event(session, None, "inbox.anonymise", None, conversations=len(rows))
    return len(rows)


def describe_settings(settings: InboxSettings) -> dict[str, Any]:
    return {
        "office_hours": settings.office_hours,
        "holiday_country": settings.holiday_country,
        "targets": settings.targets,
        "retention_days": settings.retention_days,
    }
