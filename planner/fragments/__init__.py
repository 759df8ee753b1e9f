"""Fragments: one story told on one channel, split, edited, checked and submitted for review.

``init_app`` adds the fragment pages, the fragments part of the API and the dashboard panel of
fragments waiting for review."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from planner.accounts.models import Role
    from planner.fragments import api as _api  # noqa: F401  (declares its API operations)
    from planner.fragments.panels import review_count, review_panel, spread_panel, urgent_panel
    from planner.fragments.views import bp
    from planner.home.dashboard import DASHBOARD
    from planner.live.views import COUNTS
    from planner.stories.panels import STORY_PAGE
    from planner.web.shell import NavItem, add_nav

    app.register_blueprint(bp)
    add_nav(app, NavItem("fragments.index", _l("Fragments"), Role.EDITOR, "/fragments", 30))
    DASHBOARD.contribute(app, urgent_panel, order=0)
    COUNTS.contribute(app, review_count, order=20)
    DASHBOARD.contribute(app, review_panel, order=20)
    STORY_PAGE.contribute(app, spread_panel, order=10)
