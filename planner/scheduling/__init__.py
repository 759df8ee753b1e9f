"""The shared calendar: planning (the only schedule, move and unschedule), slots, cadence,
theme balance, capacity, feeds and reviewer links ("calendar" would shadow the standard library).

``init_app`` adds the calendar pages, the calendar part of the API and the dashboard panel of what
goes out this week."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from planner.accounts.models import Role
    from planner.fragments.panels import EDITOR
    from planner.home.dashboard import DASHBOARD
    from planner.scheduling import api as _api  # noqa: F401  (declares its API operations)
    from planner.scheduling import feed_views, peek_views, report_views, slot_views  # noqa: F401
    from planner.scheduling.editor_panel import schedule_panel
    from planner.scheduling.panels import coming_week_panel
    from planner.scheduling.views import bp
    from planner.web.shell import NavItem, add_nav

    app.register_blueprint(bp)
    add_nav(app, NavItem("scheduling.calendar", _l("Calendar"), Role.EDITOR, "/calendar", 40))
    DASHBOARD.contribute(app, coming_week_panel, order=40)
    EDITOR.contribute(app, schedule_panel, order=20)
