"""What the inbox's signals (planner.inbox.events) become for people: a notification for whoever
was given a conversation or whose response time is about to pass, and a live update that moves
the inbox counts on everyone's screen.

Receivers run inside the transaction that made the change: the notification row and the change-log
row commit with it (PostgreSQL delivers the NOTIFY only then), and e-mail leaves later, claimed
once by the scheduler.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.db import utcnow
from planner.inbox import events
from planner.inbox.models import Conversation
from planner.live.services import record_change
from planner.notifications.models import NotificationKind
from planner.notifications.phrases import Phrase
from planner.notifications.services import notify


def _title(conversation: Conversation) -> str:
    return conversation.subject or conversation.author_name or f"#{conversation.id}"


def _changed(session: Session, conversation: Conversation, what: str, actor: Any = None) -> None:
    record_change(
        session,
        "inbox",
        utcnow(),
        subject_id=conversation.id,
        actor=actor if isinstance(actor, User) else None,
        data={"what": what},
    )


def _on_received(conversation: Conversation, **kwargs: Any) -> None:
    _changed(kwargs["session"], conversation, "received")


def _on_assigned(conversation: Conversation, **kwargs: Any) -> None:
    session: Session = kwargs["session"]
    assignee: User = kwargs["assignee"]
    actor: User | None = kwargs.get("actor")
    if actor is None or actor.id != assignee.id:
        notify(
            session,
            [assignee],
            NotificationKind.INBOX_ASSIGNED,
            Phrase("Assigned to you: %(title)s", title=_title(conversation)),
            utcnow(),
            link=f"/inbox/{conversation.id}",
            body=(
                Phrase("%(name)s gave you this conversation.", name=actor.name)
                if actor
                else Phrase("Someone gave you this conversation.")
            ),
            dedupe_key=f"assign:{conversation.id}:{conversation.version}:{assignee.id}",
        )
    _changed(session, conversation, "assigned", actor)


def _on_answered(conversation: Conversation, **kwargs: Any) -> None:
    _changed(kwargs["session"], conversation, "answered", kwargs.get("actor"))


def _on_at_risk(conversation: Conversation, **kwargs: Any) -> None:
    session: Session = kwargs["session"]
    due_at: datetime = kwargs["due_at"]
    if conversation.assignee is not None:
        people = [conversation.assignee]
    else:
        people = list(
            session.scalars(
                select(User).where(
                    User.is_active.is_(True), User.role.in_([Role.EDITOR, Role.ADMIN])
                )
            )
        )
    notify(
        session,
        people,
        NotificationKind.RESPONSE_DUE,
        Phrase("Response time almost up: %(title)s", title=_title(conversation)),
        utcnow(),
        link=f"/inbox/{conversation.id}",
        body=Phrase("Answer by %(due)s UTC.", due=f"{due_at:%Y-%m-%d %H:%M}"),
        dedupe_key=f"risk:{conversation.id}:{due_at.isoformat()}",
        urgent=kwargs.get("colour") == "red",
    )
    _changed(session, conversation, "at_risk")


def connect_reactions() -> None:
    """Idempotent: blinker keeps one connection per receiver."""
    events.message_received.connect(_on_received)
    events.conversation_assigned.connect(_on_assigned)
    events.conversation_answered.connect(_on_answered)
    events.response_time_at_risk.connect(_on_at_risk)
