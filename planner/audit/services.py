"""Recording and reading audit events; callers pass the acting user explicitly.

Reading the log is an admin's right; that check belongs to the page that shows it (the settings,
planner.organisation.services.read_audit_log), because accounts sit above this module.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.audit.models import AuditEvent


class Actor(Protocol):
    """Whoever acts: a signed-in user (anything with an id); None is the system itself."""

    @property
    def id(self) -> int: ...


def _singular(table: str) -> str:
    """A table's name for one row: stories → story, deliveries → delivery, fragments → fragment."""
    if table.endswith("ies"):
        return table[:-3] + "y"
    return table.rstrip("s")


def record_event(
    session: Session,
    actor: Actor | None,
    action: str,
    target: Any = None,
    **details: Any,
) -> AuditEvent:
    target_type = None
    target_id = None
    if target is not None:
        target_type = _singular(getattr(target, "__tablename__", type(target).__name__))
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
    session: Session, *, page: int = 1, per_page: int = 50, action: str | None = None
) -> tuple[list[AuditEvent], int]:
    """One page of events, newest first, and how many there are in all."""
    query = select(AuditEvent)
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
