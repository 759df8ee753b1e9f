"""Role checks used by every service, so permissions hold whatever the entry point."""

from __future__ import annotations

from planner.accounts.models import Role, User
from planner.errors import PermissionDeniedError


def require_role(actor: User | None, role: Role) -> User:
    if actor is None or not actor.has_role(role):
        raise PermissionDeniedError(f"This needs the {role.value} role.", required=role.value)
    return actor
