"""What the calendar puts on the dashboard (what goes out in the coming seven days), and the slot
on the workload page where the features above it add the work they bring (the inbox's webcare)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from babel.dates import format_datetime
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.home.dashboard import PANEL_SIZE, Panel
from planner.scheduling.services import list_calendar
from planner.timekeeping.periods import Period
from planner.web.panels import Slot

#: panels beside the planning workload, each rendered by the feature that owns it (for the period
#: the page shows); None shows nothing
WORKLOAD: Slot[Callable[[Period], Markup | None]] = Slot("workload")

#: panels below the theme balance (the themes' goals and what they reached), for its period
BALANCE: Slot[Callable[[Period], Markup | None]] = Slot("balance")


def coming_week_panel(session: Session, actor: User, now: datetime) -> Panel | None:
    if not actor.has_role(Role.EDITOR):
        return None
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
