"""The stories feature's panels: what it puts on the dashboard (new stories for editors, one's own
for contributors), and the slot on a story's page where the features above it add theirs (the
fragments made from it, its reactions, its figures)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.home.dashboard import PANEL_SIZE, Panel
from planner.stories.models import Campaign, Story, StoryStatus
from planner.stories.services import StoryFilters, list_stories
from planner.web.panels import Slot

#: panels below a story, each rendered by the feature that owns it; None shows nothing
STORY_PAGE: Slot[Callable[[Story], Markup | None]] = Slot("story-page")

#: panels on a campaign's page (its goals and what they reached); None shows nothing
CAMPAIGN_PAGE: Slot[Callable[[Campaign], Markup | None]] = Slot("campaign-page")


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
