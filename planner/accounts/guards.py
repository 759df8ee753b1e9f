"""Page guards: who must sign in, and which role a page needs before its view runs.

The guard only decides where to send a visitor; what a user may do is checked again in the
services, so a forgotten decorator cannot open a door.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort
from flask_login import current_user

from planner.accounts.models import Role, User
from planner.web.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


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
