"""The fragments feature's panels: what it puts on the dashboard (fragments waiting for your
review), and the slot on the fragment editor where the features above it add theirs (approval,
the schedule, deliveries, reactions)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.fragments.models import Fragment, FragmentStatus
from planner.fragments.services import list_fragments
from planner.home.dashboard import PANEL_SIZE, Panel
from planner.web.panels import Slot

#: panels below the editor, each rendered by the feature that owns it; None shows nothing
EDITOR: Slot[Callable[[Fragment], Markup | None]] = Slot("fragment-editor")


def review_panel(session: Session, actor: User, _now: datetime) -> Panel | None:
    if not actor.has_role(Role.EDITOR):
        return None
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
