"""What the effect puts on other pages: a fragment's and a story's own figures (with the form to
type in figures from a platform's app), and the goals' progress on the dashboard."""

from __future__ import annotations

from datetime import datetime

from flask import render_template, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.guards import current_actor
from planner.accounts.models import Role, User
from planner.effect import report, services
from planner.effect.forms import MetricsForm
from planner.fragments.models import Fragment
from planner.home.dashboard import PANEL_SIZE, Panel
from planner.organisation import current as organisation
from planner.stories.models import Campaign, Story
from planner.timekeeping.periods import Period
from planner.web import runtime
from planner.web.database import db_session


def fragment_figures(fragment: Fragment) -> Markup | None:
    if not current_actor().has_role(Role.EDITOR):
        return None
    session = db_session()
    return Markup(  # noqa: S704 - a rendered template
        render_template(
            "effect/_figures.html",
            figures=services.fragment_figures(session, [fragment.id]),
            history=services.manual_history(session, fragment.id)[:5],
            form=MetricsForm(),
            fragment=fragment,
        )
    )


def story_figures(story: Story) -> Markup | None:
    if not current_actor().has_role(Role.EDITOR):
        return None
    session = db_session()
    ids = session.scalars(select(Fragment.id).where(Fragment.story_id == story.id)).all()
    return Markup(  # noqa: S704 - a rendered template
        render_template(
            "effect/_figures.html",
            figures=services.fragment_figures(session, ids),
            history=[],
            form=None,
            fragment=None,
        )
    )


def goals_panel(session: Session, actor: User, now: datetime) -> Panel | None:
    if not actor.has_role(Role.EDITOR):
        return None
    tz = organisation.timezone()
    today = report.local_today(now, tz)
    open_goals = [
        p for p in report.goal_progress(session, actor, tz, today) if p.goal.due_on >= today
    ]
    if not open_goals:
        return None
    return Panel(
        title=_("Goals"),
        items=[
            (
                _(
                    "%(name)s: %(reached)s of %(target)s (%(percent)s%%)",
                    name=p.label,
                    reached=format_decimal(p.reached),
                    target=format_decimal(p.goal.target),
                    percent=p.percent,
                ),
                url_for("effect.index") + "#goals",
            )
            for p in open_goals[:PANEL_SIZE]
        ],
        link=(_("Effect"), url_for("effect.index")),
    )


def _goals_markup(title: str, goals: list[report.Progress]) -> Markup:
    return Markup(  # noqa: S704 - a rendered template
        render_template("effect/_goals.html", title=title, goals=goals)
    )


def campaign_goals(campaign: Campaign) -> Markup | None:
    """A campaign's goals and what they reached, on the campaign's page."""
    tz = organisation.timezone()
    today = report.local_today(runtime.now(), tz)
    goals = report.goal_progress(db_session(), current_actor(), tz, today, campaign_id=campaign.id)
    return _goals_markup(_("Goals of this campaign"), goals)


def theme_goals(_period: Period) -> Markup | None:
    """The themes' goals beside the theme balance."""
    tz = organisation.timezone()
    today = report.local_today(runtime.now(), tz)
    goals = [
        p
        for p in report.goal_progress(db_session(), current_actor(), tz, today)
        if p.goal.theme_id is not None
    ]
    return _goals_markup(_("Goals of the themes"), goals)
