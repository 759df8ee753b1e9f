"""The front door and the dashboard: what needs the signed-in person now.

The dashboard owns a slot (``planner.home.dashboard.DASHBOARD``) that every feature fills with its
own panels in its ``init_app``, so the home page imports no feature above it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from planner.accounts.models import Role
    from planner.home.views import bp
    from planner.web.shell import NavItem, add_nav

    app.register_blueprint(bp)
    add_nav(app, NavItem("home.dashboard", _l("Dashboard"), Role.CONTRIBUTOR, "/dashboard", 10))
