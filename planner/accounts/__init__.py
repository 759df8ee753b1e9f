"""People who sign in, their roles, sessions and personal API tokens.

``init_app`` adds the sign-in and account pages, tells the login manager how a session finds its
user, and declares the accounts part of the API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from planner.accounts import api as _api  # noqa: F401  (declares its API operations)
    from planner.accounts import sessions
    from planner.accounts.models import Role, User
    from planner.accounts.views import bp
    from planner.db import utcnow
    from planner.web.database import db_session
    from planner.web.extensions import login_manager

    app.register_blueprint(bp)

    @login_manager.user_loader
    def _load(key: str) -> User | None:
        # The cookie carries a session key, not a user id: the server says whether it still holds.
        return sessions.user_for_session(db_session(), key, utcnow())

    @app.context_processor
    def _roles() -> dict[str, object]:
        return {"Role": Role}
