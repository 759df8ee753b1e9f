"""The fragments feature's panels: fragments waiting for your review on the dashboard, a story's
spread on its page, and the slot on the fragment editor where the features above it add theirs
(approval, the schedule, deliveries, reactions)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import render_template, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import Session

from planner.accounts.guards import current_actor
from planner.accounts.models import Role, User
from planner.fragments.forms import kind_labels, status_labels
from planner.fragments.models import Fragment, FragmentStatus
from planner.fragments.services import list_fragments, list_story_spread, list_urgent
from planner.home.dashboard import PANEL_SIZE, Panel
from planner.stories.models import Story
from planner.web.database import db_session
from planner.web.panels import Slot

#: panels below the editor, each rendered by the feature that owns it; None shows nothing
EDITOR: Slot[Callable[[Fragment], Markup | None]] = Slot("fragment-editor")


def review_panel(session: Session, actor: User, _now: datetime) -> Panel | None:
    if not actor.has_role(Role.EDITOR):
        return None
    waiting = sorted(
        (
            f
            for f in list_fragments(session, actor, status=FragmentStatus.IN_REVIEW)
            if f.created_by_id != actor.id
        ),
        key=lambda f: not f.is_urgent,  # urgent first, otherwise in the list's order
    )
    return Panel(
        title=_("Waiting for your review"),
        items=[
            (
                f"{f.title or f.story.title} · {f.channel.name}",
                url_for("fragments.edit", fragment_id=f.id),
            )
            for f in waiting[:PANEL_SIZE]
        ],
        empty=_("Nothing waits for your review."),
        link=(_("All fragments"), url_for("fragments.index", status="in_review")),
    )


def urgent_panel(session: Session, actor: User, _now: datetime) -> Panel | None:
    """The rapid-response lane first: urgent fragments not yet published, before every panel."""
    if not actor.has_role(Role.EDITOR):
        return None
    waiting = list_urgent(session, actor)
    if not waiting:
        return None
    labels = status_labels()
    return Panel(
        title=_("Urgent"),
        items=[
            (
                f"{labels.get(f.status.value, f.status.value)}: "
                f"{f.title or f.story.title} · {f.channel.name}",
                url_for("fragments.edit", fragment_id=f.id),
            )
            for f in waiting[:PANEL_SIZE]
        ],
        urgent=True,
    )


def spread_panel(story: Story) -> Markup | None:
    """The story's spread: every fragment made from it, per channel; editors only."""
    actor = current_actor()
    if not actor.has_role(Role.EDITOR):
        return None
    return Markup(  # noqa: S704 - a rendered template
        render_template(
            "fragments/_spread.html",
            story=story,
            spread=list_story_spread(db_session(), actor, story.id),
            fragment_status_labels=status_labels(),
            fragment_kind_labels=kind_labels(),
        )
    )


def review_count(session: Session, actor: User) -> tuple[str, int] | None:
    """The approvals' live count in the menu: fragments in review by someone else (planner.live)."""
    if not actor.has_role(Role.EDITOR):
        return None
    waiting = list_fragments(session, actor, status=FragmentStatus.IN_REVIEW)
    return "fragments.index", sum(1 for f in waiting if f.created_by_id != actor.id)
