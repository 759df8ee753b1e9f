"""What the inbox contributes to other pages: the dashboard (open items, urgent when a target has
passed), the reactions to a fragment and to a story, and the webcare team next to the planning
workload."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import render_template, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from planner.accounts.guards import current_actor
from planner.accounts.models import Role, User
from planner.fragments.models import Fragment
from planner.home.dashboard import PANEL_SIZE, Panel
from planner.inbox import services, webcare
from planner.inbox.models import OPEN_STATES, Conversation
from planner.organisation import current as current_organisation
from planner.stories.models import Story
from planner.timekeeping.periods import Period
from planner.web import runtime
from planner.web.database import db_session


def inbox_panel(session: Session, actor: User, now: datetime) -> Panel | None:
    if not actor.has_role(Role.EDITOR):
        return None
    rows = session.scalars(
        select(Conversation)
        .where(Conversation.state.in_(OPEN_STATES))
        .options(joinedload(Conversation.source))
        .order_by(Conversation.waiting_since)
        .limit(PANEL_SIZE)
    ).all()
    settings = webcare.get_settings(session)
    hours = webcare.office_hours(settings, current_organisation.timezone(), now.date())
    red = False
    items = []
    for c in rows:
        clock = webcare.clock_for(c, c.source.kind, settings, hours, now)
        late = clock is not None and clock.reading.colour == "red"
        red = red or late
        who = c.author_name or c.author_handle or c.author_email or _("Someone")
        label = f"{who} · {c.source.name}" + (f" · {_('too late')}" if late else "")
        items.append((label, url_for("inbox.show", conversation_id=c.id)))
    return Panel(
        title=_("Inbox: waiting for an answer"),
        items=items,
        empty=_("Every message has an answer."),
        link=(_("Open the inbox"), url_for("inbox.index", open="1")),
        urgent=red,
    )


def _reactions(conversations: list[Conversation]) -> Markup | None:
    if not current_actor().has_role(Role.EDITOR):
        return None
    return Markup(  # noqa: S704 - a rendered template
        render_template("inbox/_reactions.html", conversations=conversations)
    )


def fragment_reactions(fragment: Fragment) -> Markup | None:
    return _reactions(services.reactions_to(db_session(), fragment_id=fragment.id))


def story_reactions(story: Story) -> Markup | None:
    return _reactions(services.reactions_to(db_session(), story_id=story.id))


def webcare_workload(period: Period) -> Markup | None:
    """The webcare team the measured volume needs, next to what the plan asks (last four weeks)."""
    actor = current_actor()
    if not actor.has_role(Role.EDITOR):
        return None
    today = runtime.now().date()
    report = webcare.webcare_report(
        db_session(),
        actor,
        today - timedelta(days=27),
        today,
        current_organisation.timezone(),
        runtime.now(),
    )
    return Markup(  # noqa: S704 - a rendered template
        render_template("inbox/_workload.html", report=report, period=period)
    )


def open_count(session: Session, actor: User) -> tuple[str, int] | None:
    """The inbox's live count in the menu: open conversations (planner.live)."""
    if not actor.has_role(Role.EDITOR):
        return None
    return "inbox.index", services.count_open(session)
