"""TODO docstring."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.channels.models import Channel
from planner.errors import ValidationError
from planner.fragments.models import FRAGMENT_KINDS, Fragment
from planner.scheduling.balance import BalanceReport, ThemedFragment, ThemeTarget, balance_report
from planner.scheduling.cadence import CadenceRow, CadenceTarget, PlannedPost, cadence_report
from planner.scheduling.capacity import (
    DEFAULT_EFFORT_MINUTES,
    Assignment,
    CapacityReport,
    CapacitySettings,
    Person,
    capacity_report,
)
from planner.scheduling.models import (
    EffortEstimate,
)
from planner.scheduling.services import CALENDAR_STATUSES
from planner.stories.models import Story, Theme
from planner.timekeeping.periods import Period


@dataclass(frozen=True, slots=True)
class CadenceOverview:
    channels: dict[int, Channel]
    rows: list[CadenceRow]


def cadence_overview(session: Session, actor: User | None, period: Period) -> CadenceOverview:
    """Planned posts per channel and ISO week against each channel's weekly target."""
    require_role(actor, Role.EDITOR)
    channels = {
        c.id: c
        for c in session.scalars(
            select(Channel)
            .where(Channel.is_active.is_(True), Channel.cadence_per_week > 0)
            .order_by(Channel.name)
        )
    }
    whole = period.whole_weeks()
    posts = [
        PlannedPost(channel_id, at)
        for channel_id, at in session.execute(
            select(Fragment.channel_id, Fragment.scheduled_at).where(
                Fragment.status.in_(CALENDAR_STATUSES),
                Fragment.scheduled_at >= whole.start_at,
                Fragment.scheduled_at < whole.end_at,
            )
        )
        if at is not None
    ]
    targets = [CadenceTarget(c.id, c.cadence_per_week) for c in channels.values()]
    return CadenceOverview(channels, cadence_report(targets, posts, period=period))


def theme_balance(session: Session, actor: User | None, period: Period) -> BalanceReport:
    """The share of the period's planned fragments per theme, against each theme's target."""
    require_role(actor, Role.EDITOR)
    themes = list(session.scalars(select(Theme).order_by(Theme.target_share.desc(), Theme.name)))
    targets = [ThemeTarget(t.name, float(t.target_share)) for t in themes if t.target_share > 0]
    fragments = session.scalars(
        select(Fragment)
        .join(Fragment.story)
        .options(contains_eager(Fragment.story).selectinload(Story.themes))
        .where(
            Fragment.status.in_(CALENDAR_STATUSES),
            Fragment.scheduled_at >= period.start_at,
            Fragment.scheduled_at < period.end_at,
        )
    )
    themed = [
        ThemedFragment(f.scheduled_at, frozenset(t.name for t in f.story.themes))
        for f in fragments
        if f.scheduled_at is not None
    ]
    return balance_report(targets, themed, period=period)


def effort_settings(session: Session) -> CapacitySettings:
    minutes = dict(DEFAULT_EFFORT_MINUTES)
    for row in session.scalars(select(EffortEstimate)):
        minutes[row.kind] = row.minutes
    return CapacitySettings(effort_minutes=minutes)


def update_effort(session: Session, actor: User | None, minutes: dict[str, int]) -> None:
    """Change the organisation's effort estimates per fragment kind (admins)."""
    actor = require_role(actor, Role.ADMIN)
    for kind, value in minutes.items():
        if kind not in FRAGMENT_KINDS:
            raise ValidationError(f"Unknown fragment kind {kind!r}.", field=kind)
        if value < 0 or value > 100 * 60:
            raise ValidationError(
                "An estimate lies between 0 and 6000 minutes (100 hours).", field=kind
            )
        row = session.get(EffortEstimate, kind)
        if row is None:
            session.add(EffortEstimate(kind=kind, minutes=value))
        else:
            row.minutes = value
    session.flush()
    record_event(session, actor, "effort.update", None, **minutes)


def workload(session: Session, actor: User | None, period: Period) -> CapacityReport:
    """Hours needed per person and week for the fragments assigned to them, and the plan in FTE."""
    require_role(actor, Role.EDITOR)
    whole = period.whole_weeks()
    rows = session.execute(
        select(Fragment.kind, Fragment.scheduled_at, Fragment.assignee_id).where(
            Fragment.status.in_(CALENDAR_STATUSES),
            Fragment.scheduled_at >= whole.start_at,
            Fragment.scheduled_at < whole.end_at,
        )
    ).all()
    assigned = {person for _, _, person in rows if person is not None}
    users = session.scalars(
        select(User)
        .where(User.is_active.is_(True))
        .where((User.role.in_([Role.EDITOR, Role.ADMIN])) | (User.id.in_(assigned or {0})))
        .order_by(User.name)
    )
    people = [Person(u.id, u.name, u.weekly_hours) for u in users]
    assignments = [Assignment(kind, at, person) for kind, at, person in rows if at is not None]
    return capacity_report(people, assignments, period=period, settings=effort_settings(session))
