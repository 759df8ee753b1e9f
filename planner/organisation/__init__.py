"""The organisation that uses this installation: its name, timezone and house settings.

``init_app`` adds the settings pages, the name every page shows, and tells the shell which
timezone times are shown in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from planner.accounts.models import Role
    from planner.organisation import current
    from planner.organisation.views import bp
    from planner.web.shell import NavItem, add_nav

    app.register_blueprint(bp)
    add_nav(app, NavItem("organisation.settings", _l("Settings"), Role.ADMIN, "/settings", 90))

    @app.context_processor
    def _organisation() -> dict[str, object]:
        return {"org_name": current.name()}
