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
    from planner.accounts.models import Role, User
    from planner.accounts.views import bp
    from planner.web.database import db_session
    from planner.web.extensions import login_manager

    app.register_blueprint(bp)

    @login_manager.user_loader
    def _load(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        user = db_session().get(User, int(user_id))
        return user if user is not None and user.is_active else None

    @app.context_processor
    def _roles() -> dict[str, object]:
        return {"Role": Role}
