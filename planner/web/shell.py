"""The application shell: navigation for the areas people work in.

Areas appear once their feature is installed (its endpoint exists) and only for roles that may
use them; the services enforce the same rules again.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from planner.accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    role: Role
    #: the URL prefix that marks this item as the current page
    prefix: str


NAV = (
    NavItem("web.dashboard", _l("Dashboard"), Role.CONTRIBUTOR, "/dashboard"),
    NavItem("stories.index", _l("Stories"), Role.CONTRIBUTOR, "/stories"),
    NavItem("fragments.index", _l("Fragments"), Role.EDITOR, "/fragments"),
    NavItem("scheduling.calendar", _l("Calendar"), Role.EDITOR, "/calendar"),
    NavItem("publishing.by_hand", _l("To post by hand"), Role.EDITOR, "/publishing"),
    NavItem("brand.index", _l("Brand style"), Role.EDITOR, "/brand"),
    NavItem("channels.index", _l("Channels"), Role.EDITOR, "/channels"),
    NavItem("organisation.settings", _l("Settings"), Role.ADMIN, "/settings"),
)


def visible_nav() -> list[NavItem]:
    if not current_user.is_authenticated:
        return []
    endpoints = current_app.view_functions
    return [i for i in NAV if i.endpoint in endpoints and current_user.has_role(i.role)]


def init_app(app: Flask) -> None:
    @app.context_processor
    def _shell() -> dict[str, object]:
        return {
            "nav_items": visible_nav(),
            "current_path": request.path,
            "Role": Role,
            "org_name": _org_name(),
        }


def _org_name() -> str:
    from flask import g

    if "org_name" not in g:
        from planner.organisation.services import get_organisation
        from planner.web.database import db_session

        g.org_name = get_organisation(db_session()).name
    return str(g.org_name)
