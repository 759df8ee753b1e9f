"""The inbox: what residents say to the organisation, answered in time (listening.md).

Only what is addressed to the organisation is read: mentions of and messages to its own Mastodon
accounts, mail to its own addresses, its own forms, and the feeds it chose to follow. No keyword
monitoring, no following of people.

``init_app`` adds the inbox pages, the inbound webhook endpoint, the API operations, the panels on
the dashboard, the fragment and story pages and the workload page, registers the answers as a
delivery kind of the publishing engine and the messages with the privacy requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from planner.accounts.models import Role
    from planner.fragments.panels import EDITOR
    from planner.home.dashboard import DASHBOARD
    from planner.inbox import api as _api  # noqa: F401  (declares its API operations)
    from planner.inbox import panels
    from planner.inbox.privacy import erase_messages, export_messages
    from planner.inbox.replies import register_kinds
    from planner.inbox.views import bp, hooks
    from planner.live.views import COUNTS
    from planner.publishing import runtime as publishing_runtime
    from planner.scheduling.panels import WORKLOAD
    from planner.stories.panels import STORY_PAGE
    from planner.stories.privacy import PersonalData, register_personal_data
    from planner.web import runtime
    from planner.web.extensions import csrf
    from planner.web.shell import NavItem, add_nav

    app.register_blueprint(bp)
    # Signed by the sender (Standard Webhooks), not by a browser session: CSRF does not apply.
    csrf.exempt(hooks)
    app.register_blueprint(hooks)
    add_nav(app, NavItem("inbox.index", _l("Inbox"), Role.EDITOR, "/inbox", 35))
    COUNTS.contribute(app, panels.open_count, order=10)
    DASHBOARD.contribute(app, panels.inbox_panel, order=5)
    EDITOR.contribute(app, panels.fragment_reactions, order=60)
    STORY_PAGE.contribute(app, panels.story_reactions, order=60)
    WORKLOAD.contribute(app, panels.webcare_workload, order=50)
    register_kinds(
        publishing_runtime.get(app).secret_box, runtime.settings(app).allow_loopback_targets
    )
    register_personal_data(PersonalData("inbox_messages", export_messages, erase_messages))
