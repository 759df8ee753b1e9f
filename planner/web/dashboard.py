"""What the dashboard shows: each feature contributes panels for the signed-in user.

The dashboard answers "what needs me now?": deliveries that went wrong, fragments waiting for
someone else's review, new stories to accept, and what goes out in the coming week; contributors
see their own stories and where they stand. Every list is short and links to where the work is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from babel.dates import format_datetime
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User

#: items per panel; each panel links to the full list
PANEL_SIZE = 6


@dataclass
class Panel:
    title: str
    items: list[tuple[str, str]] = field(default_factory=list)  # (label, url)
    empty: str = ""
    link: tuple[str, str] | None = None


def dashboard_panels(session: Session, actor: User, now: datetime) -> list[Panel]:
    panels: list[Panel] = []
    from planner.publishing.views import dashboard_panel as publishing_panel

    publishing = publishing_panel(session, actor)
    if publishing is not None:
        panels.append(publishing)
    if actor.has_role(Role.EDITOR):
        panels += [
            _review_panel(session, actor),
            _new_stories_panel(session, actor),
            _coming_week_panel(session, actor, now),
        ]
    else:
        panels.append(_own_stories_panel(session, actor))
    return panels


def _review_panel(session: Session, actor: User) -> Panel:
    from planner.fragments.models import FragmentStatus
    from planner.fragments.services import list_fragments

    waiting = [
        f
        for f in list_fragments(session, actor, status=FragmentStatus.IN_REVIEW)
        if f.created_by_id != actor.id
    ]
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


def _new_stories_panel(session: Session, actor: User) -> Panel:
    from planner.stories.models import StoryStatus
    from planner.stories.services import StoryFilters, list_stories

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


def _coming_week_panel(session: Session, actor: User, now: datetime) -> Panel:
    from planner.scheduling.services import list_calendar

    entries = list_calendar(session, actor, start_at=now, end_at=now + timedelta(days=7))
    entries.sort(key=lambda e: e.local_start)
    return Panel(
        title=_("Going out this week"),
        items=[
            (
                # local_start is already the organisation's wall time: format it, don't convert it
                f"{format_datetime(e.local_start, 'EEE d MMM HH:mm', locale=get_locale())}"
                f" · {e.title} · {e.fragment.channel.name}",
                url_for("fragments.edit", fragment_id=e.fragment.id),
            )
            for e in entries[:PANEL_SIZE]
        ],
        empty=_("Nothing is planned for the coming seven days."),
        link=(_("Open the calendar"), url_for("scheduling.calendar")),
    )


def _own_stories_panel(session: Session, actor: User) -> Panel:
    from planner.stories.services import list_stories

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
