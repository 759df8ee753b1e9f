"""Capture: stories from colleagues and residents, their consent, themes, campaigns and privacy.

``init_app`` adds the story pages, the public intake form, the stories part of the API and the
dashboard panels for new stories and one's own."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from planner.accounts.models import Role
    from planner.home.dashboard import DASHBOARD
    from planner.stories import api as _api  # noqa: F401  (declares its API operations)
    from planner.stories import intake_views, photo_views, privacy_views, theme_views  # noqa: F401
    from planner.stories.panels import new_stories_panel, own_stories_panel
    from planner.stories.views import bp
    from planner.web.shell import NavItem, add_nav

    app.register_blueprint(bp)
    add_nav(app, NavItem("stories.index", _l("Stories"), Role.CONTRIBUTOR, "/stories", 20))
    DASHBOARD.contribute(app, new_stories_panel, order=30)
    DASHBOARD.contribute(app, own_stories_panel, order=30)
