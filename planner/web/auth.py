"""Signing in through Flask-Login, and the page-level guard that sends strangers to sign in.

The guard only decides where to send a visitor; what a user may do is checked again in the
services, so a forgotten decorator cannot open a door.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from planner.accounts.models import Role, User
from planner.web.database import db_session
from planner.web.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = cast(str, _l("Please sign in to see this page."))
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        user = db_session().get(User, int(user_id))
        return user if user is not None and user.is_active else None


def current_actor() -> User:
    """The signed-in user, for passing into services."""
    return cast(User, current_user._get_current_object())


def role_required(role: Role) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_actor().has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


contributor_required = role_required(Role.CONTRIBUTOR)
editor_required = role_required(Role.EDITOR)
admin_required = role_required(Role.ADMIN)
