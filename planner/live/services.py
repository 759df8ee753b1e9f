"""Record a change for the live updates, read the log after an event id, and keep presence.

``record_change`` adds a row (flush, never commit) and, on PostgreSQL, a ``NOTIFY`` that the
database delivers only when the transaction commits: a stream never announces a change that was
rolled back, and never misses one, because it reads the log by id after every wake-up.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.live.models import ChangeEvent, Presence

#: the PostgreSQL channel every change is announced on
CHANNEL = "planner_changes"
#: someone whose stream has not said so for this long has left the fragment
PRESENCE_TTL = timedelta(seconds=45)
#: a resumed stream replays at most this far back
KEEP = timedelta(days=2)


def record_change(
    session: Session,
    topic: str,
    now: datetime,
    *,
    subject_id: int | None = None,
    user_id: int | None = None,
    actor: User | None = None,
    data: dict[str, Any] | None = None,
) -> ChangeEvent:
    event = ChangeEvent(
        topic=topic,
        subject_id=subject_id,
        user_id=user_id,
        actor_id=actor.id if actor is not None else None,
        data={**(data or {}), **({"actor": actor.name} if actor is not None else {})},
        created_at=now,
    )
    session.add(event)
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_notify(CHANNEL, str(event.id))))
    return event


def last_event_id(session: Session) -> int:
    return session.scalar(select(func.max(ChangeEvent.id))) or 0


def changes_after(
    session: Session, user_id: int, after: int, *, limit: int = 200
) -> list[ChangeEvent]:
    """What this person may see after event ``after``, oldest first."""
    return list(
        session.scalars(
            select(ChangeEvent)
            .where(
                ChangeEvent.id > after,
                or_(ChangeEvent.user_id.is_(None), ChangeEvent.user_id == user_id),
            )
            .order_by(ChangeEvent.id)
            .limit(limit)
        )
    )


def prune(session: Session, now: datetime) -> int:
    result = session.execute(delete(ChangeEvent).where(ChangeEvent.created_at < now - KEEP))
    return int(getattr(result, "rowcount", 0) or 0)


def present(session: Session, user: User, fragment_id: int, now: datetime) -> None:
    """This person has the fragment open; announced to the others when they arrive."""
    row = session.get(Presence, (user.id, fragment_id))
    arrived = row is None or row.seen_at < now - PRESENCE_TTL
    if row is None:
        session.add(Presence(user_id=user.id, fragment_id=fragment_id, seen_at=now))
    else:
        row.seen_at = now
    session.flush()
    if arrived:
        record_change(session, "presence", now, subject_id=fragment_id, actor=user)


def leave(session: Session, user: User, fragment_id: int, now: datetime) -> None:
    session.execute(
        delete(Presence).where(Presence.user_id == user.id, Presence.fragment_id == fragment_id)
    )
    record_change(session, "presence", now, subject_id=fragment_id, actor=user)


def others_present(session: Session, user_id: int, fragment_id: int, now: datetime) -> list[str]:
    """Names of the other people who have this fragment open now."""
    return list(
        session.scalars(
            select(User.name)
            .join(Presence, Presence.user_id == User.id)
            .where(
                Presence.fragment_id == fragment_id,
                Presence.user_id != user_id,
                Presence.seen_at >= now - PRESENCE_TTL,
            )
            .order_by(User.name)
        )
    )
