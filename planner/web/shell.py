"""The application shell: navigation for the areas people work in.

Each feature adds its area in its ``init_app``, with the role that may use it, so the shell knows
no feature; the services enforce the same rules again.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_login import current_user

_KEY = "planner.nav"


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    #: a lazy string, translated when the menu is drawn
    label: object
    #: whatever the signed-in user's ``has_role`` accepts
    role: object
    #: the URL prefix that marks this item as the current page
    prefix: str
    #: place in the menu, low first
    order: int = 50


def add_nav(app: Flask, item: NavItem) -> None:
    items: list[NavItem] = app.extensions.setdefault(_KEY, [])
    if item not in items:
        items.append(item)
        items.sort(key=lambda i: i.order)


def visible_nav() -> list[NavItem]:
    if not current_user.is_authenticated:
        return []
    items: list[NavItem] = current_app.extensions.get(_KEY, [])
    return [item for item in items if current_user.has_role(item.role)]


def init_app(app: Flask) -> None:
    @app.context_processor
    def _shell() -> dict[str, object]:
        return {"nav_items": visible_nav(), "current_path": request.path}
