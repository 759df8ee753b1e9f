"""Recording and reading audit events; callers pass the acting user explicitly."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.models import AuditEvent


def record_event(
    session: Session,
    actor: User | None,
    action: str,
    target: Any = None,
    **details: Any,
) -> AuditEvent:
    target_type = None
    target_id = None
    if target is not None:
        target_type = getattr(target, "__tablename__", type(target).__name__).rstrip("s")
        target_id = str(getattr(target, "id", target))
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        details=details,
    )
    session.add(event)
    return event


def list_events(
    session: Session, actor: User, *, page: int = 1, per_page: int = 50, action: str | None = None
) -> tuple[list[AuditEvent], int]:
    require_role(actor, Role.ADMIN)
    query = select(AuditEvent).options(joinedload(AuditEvent.actor))
    count = select(func.count(AuditEvent.id))
    if action:
        query = query.where(AuditEvent.action.startswith(action))
        count = count.where(AuditEvent.action.startswith(action))
    total = session.scalar(count) or 0
    rows = session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    ).all()
    return list(rows), total
