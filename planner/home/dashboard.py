"""The dashboard's panels: each answers "what needs me now?" for one feature.

A panel is a short list of links to where the work is; features contribute them through the
``DASHBOARD`` slot, in the order they registered with, urgent ones first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.web.panels import Slot

#: items per panel; each panel links to the full list
PANEL_SIZE = 6


@dataclass
class Panel:
    title: str
    items: list[tuple[str, str]] = field(default_factory=list)  # (label, url)
    empty: str = ""
    link: tuple[str, str] | None = None
    #: shown before every other panel (an urgent fragment, a breached response time)
    urgent: bool = False


Contributor = Callable[[Session, User, datetime], Panel | None]

DASHBOARD: Slot[Contributor] = Slot("dashboard")


def dashboard_panels(session: Session, actor: User, now: datetime) -> list[Panel]:
    panels = [
        panel
        for contributor in DASHBOARD.contributors()
        if (panel := contributor(session, actor, now)) is not None
    ]
    return sorted(panels, key=lambda panel: not panel.urgent)
