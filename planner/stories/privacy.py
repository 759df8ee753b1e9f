"""Privacy: consent withdrawn stops a story; a contributor's data can be exported or erased
(stories, comments, consents and photo files), by e-mail address, as the AVG/GDPR requires."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.db import utcnow
from planner.errors import NotFoundError, ValidationError
from planner.media.storage import Storage
from planner.stories import photos as photo_services
from planner.stories.events import consent_withdrawn
from planner.stories.models import (
    Story,
)
from planner.stories.services import get_story


@dataclass(frozen=True)
class PersonalData:
    """Personal data a feature above stories holds (the inbox's messages), reached by the same
    request: ``export(session, identifier)`` returns JSON-ready records, ``erase(session,
    identifier, now)`` anonymises or deletes them and says how many. The identifier is an e-mail
    address or a handle ("@name@server"). Features register in their ``init_app``, so this module
    never imports them."""

    name: str
    export: Callable[[Session, str], list[dict[str, Any]]]
    erase: Callable[[Session, str, datetime], int]


_HOLDERS: dict[str, PersonalData] = {}


def register_personal_data(holder: PersonalData) -> None:
    """Process-wide, like the blinker reactions; registering a name again replaces it."""
    _HOLDERS[holder.name] = holder


def _is_handle(identifier: str) -> bool:
    return identifier.strip().startswith("@")


def withdraw_consent(
    session: Session, actor: User | None, story_id: int, now: datetime | None = None
) -> Story:
    """Record, on the person's request, that we may no longer use their story.

    Everything stops in the same transaction: the features above react to ``consent_withdrawn``
    (publishing cancels the deliveries and marks the fragments withdrawn)."""
    actor = require_role(actor, Role.EDITOR)
    story = get_story(session, actor, story_id)
    now = now or utcnow()
    if story.consent_withdrawn_at is None:
        story.consent_withdrawn_at = now
    for consent in story.consents:
        if consent.withdrawn_at is None:
            consent.withdrawn_at = now
    session.flush()
    consent_withdrawn.send(session, story=story, actor=actor, now=now)
    record_event(session, actor, "story.withdraw_consent", story)
    return story


def find_story_to_withdraw(session: Session, story_id: int | None) -> Story:
    """The story a resident's withdrawal link names (the link was checked by its signature)."""
    story = session.get(Story, story_id) if story_id is not None else None
    if story is None:
        raise NotFoundError("This link does not exist (any more).")
    return story


def withdraw_own_consent(session: Session, story_id: int | None, now: datetime) -> Story:
    """The resident withdraws consent themselves, through the signed link they were given
    (planner.stories.withdrawal checked it): no account, so no actor; the audit says who."""
    story = find_story_to_withdraw(session, story_id)
    if story.consent_withdrawn_at is None:
        story.consent_withdrawn_at = now
        for consent in story.consents:
            if consent.withdrawn_at is None:
                consent.withdrawn_at = now
        session.flush()
        record_event(session, None, "story.withdraw_consent", story, by="contributor")
    return story


def _stories_of(session: Session, email: str) -> list[Story]:
    email = email.strip().lower()
    if not email:
        raise ValidationError("Enter an e-mail address.", field="email")
    user_ids = select(User.id).where(User.email == email)
    return list(
        session.scalars(
            select(Story)
            .where(or_(Story.contributor_email == email, Story.contributor_id.in_(user_ids)))
            .order_by(Story.id)
        )
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_contributor_data(
    session: Session, actor: User | None, email: str, now: datetime | None = None
) -> dict[str, Any]:
    """Everything we hold about a contributor's stories, for a data subject access request."""
    actor = require_role(actor, Role.ADMIN)
    if not email.strip():
        raise ValidationError("Enter an e-mail address.", field="email")
    stories = [] if _is_handle(email) else _stories_of(session, email)
    data: dict[str, Any] = {
        "email": email.strip().lower(),
        "exported_at": (now or utcnow()).isoformat(),
        "stories": [
            {
                "id": s.id,
                "title": s.title,
                "body": s.body,
                "language": s.language,
                "source": s.source.value,
                "status": s.status.value,
                "contributor_name": s.contributor_display,
                "contributor_email": s.contributor_email,
                "created_at": _iso(s.created_at),
                "consent_withdrawn_at": _iso(s.consent_withdrawn_at),
                "themes": [t.name for t in s.themes],
                "consents": [
                    {
                        "version": c.consent_version,
                        "language": c.language,
                        "text": c.consent_text,
                        "given_at": _iso(c.given_at),
                        "allow_story": c.allow_story,
                        "allow_name": c.allow_name,
                        "allow_photos": c.allow_photos,
                        "withdrawn_at": _iso(c.withdrawn_at),
                    }
                    for c in s.consents
                ],
                "comments": [
                    {"body": c.body, "created_at": _iso(c.created_at)} for c in s.comments
                ],
                "photos": [
                    {
                        "id": p.id,
                        "alt_text": p.alt_text,
                        "sha256": p.sha256,
                        "mime": p.mime,
                        "width": p.width,
                        "height": p.height,
                        "byte_size": p.byte_size,
                        "created_at": _iso(p.created_at),
                    }
                    for p in s.photos
                ],
            }
            for s in stories
        ],
    }
    for holder in _HOLDERS.values():
        data[holder.name] = holder.export(session, email.strip())
    # The audit log must not become a second copy of the personal data: no address in it.
    record_event(session, actor, "privacy.export", None, stories=len(stories))
    return data


def erase_contributor(
    session: Session, actor: User | None, email: str, storage: Storage | None = None
) -> tuple[int, int]:
    """Remove a contributor's personal data: keep (anonymised) what consent lets us keep.

    Their photos always go, rows and stored files (a photo may show them); the anonymised text
    stays when consent allows it. Returns (anonymised, deleted).
    """
    actor = require_role(actor, Role.ADMIN)
    if not email.strip():
        raise ValidationError("Enter an e-mail address.", field="email")
    anonymised = deleted = 0
    # What other features hold counts as anonymised (they keep the numbers, not the person).
    for holder in _HOLDERS.values():
        anonymised += holder.erase(session, email.strip(), utcnow())
    for story in [] if _is_handle(email) else _stories_of(session, email):
        if story.photos:
            if storage is None:
                raise RuntimeError("erasing photos needs a storage")
            photo_services.remove_photos(session, list(story.photos), storage)
        keep = story.consent_withdrawn_at is None and (
            not story.consents
            or any(c.allow_story and c.withdrawn_at is None for c in story.consents)
        )
        if keep:
            story.contributor = None
            story.contributor_name = None
            story.contributor_email = None
            for consent in story.consents:
                consent.allow_name = False
            anonymised += 1
        else:
            session.delete(story)
            deleted += 1
    session.flush()
    record_event(session, actor, "privacy.erase", None, anonymised=anonymised, deleted=deleted)
    return anonymised, deleted
