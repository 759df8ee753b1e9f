"""The effect: what came of what we published, counted by the organisation itself without
tracking anyone (issue 15; the README's "Measuring the effect" has the processing register).

Links in what the engine publishes become our own short links (``/l/<code>``, planner.effect
.tracking, handed to the engine by the scheduler task); a click raises a counter per link, day,
referrer host and kind, never more. Mastodon reports reactions to our posts at fixed moments after
publication (planner.effect.snapshots); figures from platforms without an API are typed in.
``init_app`` adds the redirect, the Effect page, the API operations, the panels on the fragment,
story and dashboard pages and the process's click counter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from planner.accounts.models import Role
    from planner.effect import api as _api  # noqa: F401  (declares its API operations)
    from planner.effect import panels, runtime
    from planner.effect.counting import ClickCounter
    from planner.effect.views import bp, public
    from planner.fragments.panels import EDITOR
    from planner.home.dashboard import DASHBOARD
    from planner.scheduling.panels import BALANCE
    from planner.stories.panels import CAMPAIGN_PAGE, STORY_PAGE
    from planner.web import runtime as web_runtime
    from planner.web.shell import NavItem, add_nav

    settings = web_runtime.settings(app)
    counter = ClickCounter(
        web_runtime.session_factory(app),
        interval=settings.click_flush_seconds,
    )
    runtime.install(app, runtime.Effect(counter))
    app.register_blueprint(public)
    app.register_blueprint(bp)
    add_nav(app, NavItem("effect.index", _l("Effect"), Role.EDITOR, "/effect", 45))
    EDITOR.contribute(app, panels.fragment_figures, order=70)
    STORY_PAGE.contribute(app, panels.story_figures, order=70)
    DASHBOARD.contribute(app, panels.goals_panel, order=80)
    CAMPAIGN_PAGE.contribute(app, panels.campaign_goals, order=50)
    BALANCE.contribute(app, panels.theme_goals, order=50)
