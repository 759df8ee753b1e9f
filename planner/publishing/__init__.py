"""Publishing: the engine (claim, request, settle), deliveries, the archive, adapters and ports.

``init_app`` receives the collaborators the composition root picked (the publisher registry with
the concrete adapters, the credentials box, the owner notifier) and adds the publishing pages, the
publishing part of the API and the dashboard panel of deliveries that need a person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from planner.publishing.runtime import Publishing


def init_app(app: Flask, publishing: Publishing) -> None:
    from flask_babel import lazy_gettext as _l

    from planner.accounts.models import Role
    from planner.fragments.panels import EDITOR
    from planner.home.dashboard import DASHBOARD
    from planner.publishing import api as _api  # noqa: F401  (declares its API operations)
    from planner.publishing import runtime
    from planner.publishing.corrections import published_panel
    from planner.publishing.panels import attention_panel
    from planner.publishing.views import bp
    from planner.web.shell import NavItem, add_nav

    runtime.install(app, publishing)
    app.register_blueprint(bp)
    by_hand = NavItem("publishing.by_hand", _l("To post by hand"), Role.EDITOR, "/publishing", 50)
    add_nav(app, by_hand)
    DASHBOARD.contribute(app, attention_panel, order=10)
    EDITOR.contribute(app, published_panel, order=0)
