"""What the stories feature puts on the dashboard: new stories for editors, one's own for
contributors."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.home.dashboard import PANEL_SIZE, Panel
from planner.stories.models import StoryStatus
from planner.stories.services import StoryFilters, list_stories


def new_stories_panel(session: Session, actor: User, _now: datetime) -> Panel | None:
    if not actor.has_role(Role.EDITOR):
        return None
    stories = list_stories(session, actor, StoryFilters(status=StoryStatus.NEW))
    return Panel(
        title=_("New stories"),
        items=[
            (story.title, url_for("stories.show", story_id=story.id))
            for story in stories[:PANEL_SIZE]
        ],
        empty=_("No new stories. Share the intake link to hear more."),
        link=(_("All stories"), url_for("stories.index", status="new")),
    )


def own_stories_panel(session: Session, actor: User, _now: datetime) -> Panel | None:
    if actor.has_role(Role.EDITOR):
        return None
    stories = list_stories(session, actor)
    return Panel(
        title=_("Your stories"),
        items=[
            (story.title, url_for("stories.show", story_id=story.id))
            for story in stories[:PANEL_SIZE]
        ],
        empty=_("You have not shared a story yet."),
        link=(_("Share a story"), url_for("stories.new")),
    )
