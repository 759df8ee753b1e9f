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
    from planner.publishing.connect_views import bp as connect_bp
    from planner.publishing.corrections import published_panel
    from planner.publishing.panels import attention_panel
    from planner.publishing.views import bp
    from planner.web.shell import NavItem, add_nav

    runtime.install(app, publishing)
    app.register_blueprint(bp)
    app.register_blueprint(connect_bp)
    by_hand = NavItem("publishing.by_hand", _l("To post by hand"), Role.EDITOR, "/publishing", 50)
    add_nav(app, by_hand)
    DASHBOARD.contribute(app, attention_panel, order=10)
    pause_item = NavItem(
        "publishing.pause_page", _l("Crisis pause"), Role.EDITOR, "/publishing/pause", 90
    )
    add_nav(app, pause_item)

    @app.context_processor
    def _pause_banner() -> dict[str, object]:
        # The banner on every page while publishing is paused: one read of a small table.
        from flask_login import current_user
        from sqlalchemy.exc import SQLAlchemyError

        from planner.publishing.pause import active_pauses
        from planner.web.database import db_session

        if not current_user.is_authenticated:
            return {"publishing_pauses": []}
        try:
            return {"publishing_pauses": active_pauses(db_session())}
        except SQLAlchemyError:  # an error page after a failed transaction still renders
            return {"publishing_pauses": []}

    EDITOR.contribute(app, published_panel, order=0)
