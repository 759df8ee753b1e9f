"""What the dashboard shows: each feature contributes panels for the signed-in user."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from planner.accounts.models import User


@dataclass
class Panel:
    title: str
    items: list[tuple[str, str]] = field(default_factory=list)  # (label, url)
    empty: str = ""
    link: tuple[str, str] | None = None


def dashboard_panels(session: Session, actor: User) -> list[Panel]:
    panels: list[Panel] = []
    from planner.publishing.views import dashboard_panel as publishing_panel

    publishing = publishing_panel(session, actor)
    if publishing is not None:
        panels.append(publishing)
    return panels
