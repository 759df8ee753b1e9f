"""The inbox's part of a privacy request (AVG/GDPR): the messages a person sent us, found by
their e-mail address or their handle, exported or anonymised. Registered with the stories'
privacy page (planner.stories.privacy.register_personal_data), which sits below the inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from planner.inbox.models import Conversation
from planner.inbox.webcare import anonymise_conversation
from planner.publishing.models import Publication


def _conversations(session: Session, identifier: str) -> list[Conversation]:
    key = identifier.strip().lower()
    if not key:
        return []
    return list(
        session.scalars(
            select(Conversation)
            .where(
                or_(
                    Conversation.author_key == key,
                    func.lower(Conversation.author_email) == key,
                    func.lower(Conversation.author_handle) == key,
                )
            )
            .order_by(Conversation.id)
        )
    )


def export_messages(session: Session, identifier: str) -> list[dict[str, Any]]:
    return [
        {
            "conversation": c.id,
            "source": c.source.name,
            "name": c.author_name,
            "email": c.author_email,
            "handle": c.author_handle,
            "state": c.state.value,
            "messages": [
                {
                    "direction": m.direction.value,
                    "received_at": m.received_at.isoformat(),
                    "subject": m.subject,
                    "text": m.body,
                    "attachments": [a.get("name") for a in m.attachments],
                }
                for m in c.messages
            ],
        }
        for c in _conversations(session, identifier)
    ]


def erase_messages(session: Session, identifier: str, now: datetime) -> int:
    """Anonymise every conversation of the person; our archived answers lose their handle."""
    conversations = _conversations(session, identifier)
    for conversation in conversations:
        handle = conversation.author_handle
        delivery_ids = [m.delivery_id for m in conversation.messages if m.delivery_id is not None]
        anonymise_conversation(session, conversation, now)
        if handle and delivery_ids:
            # The archive keeps what we published, but not who it was addressed to.
            for publication in session.scalars(
                select(Publication).where(Publication.delivery_id.in_(delivery_ids))
            ):
                publication.parts = [p.replace(handle, "@[verwijderd]") for p in publication.parts]
    session.flush()
    return len(conversations)
