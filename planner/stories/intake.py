"""Intake: the links editors hand out and the stories residents send through them, with the
consent they gave, a snapshot of the consent text and the photos they chose to share."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.db import utcnow
from planner.errors import NotFoundError, ValidationError
from planner.media.storage import Storage
from planner.organisation.services import get_organisation
from planner.stories import photos as photo_services
from planner.stories.consent import CONSENT_VERSION, consent_text
from planner.stories.models import (
    Consent,
    IntakeLink,
    Story,
    StorySource,
    StoryStatus,
)
from planner.stories.photos import PhotoUpload
from planner.stories.services import EMAIL_MAX, NAME_MAX, TITLE_MAX, attach_submission, clean_text


@dataclass(frozen=True)
class PublicSubmission:
    """What a person without an account types into an intake form."""

    name: str
    email: str
    title: str
    body: str
    language: str = "nl"
    allow_story: bool = False
    allow_name: bool = False
    allow_photos: bool = False
    #: the honeypot: people never see it, naive bots fill it in
    website: str = ""


def find_open_intake_link(session: Session, token: str, now: datetime) -> IntakeLink | None:
    if not token or len(token) > 64:
        return None
    link = session.scalar(select(IntakeLink).where(IntakeLink.token == token))
    if link is None or not link.is_open(now):
        return None
    return link


def get_open_intake_link(session: Session, token: str, now: datetime) -> IntakeLink:
    link = find_open_intake_link(session, token, now)
    if link is None:
        raise NotFoundError("This link does not exist (any more).")
    return link


def submit_public_story(
    session: Session,
    actor: User | None,
    token: str,
    submission: PublicSubmission,
    now: datetime | None = None,
    *,
    photos: Sequence[PhotoUpload] = (),
    storage: Storage | None = None,
) -> Story | None:
    """A resident sends a story through an intake link, with consent.

    Returns None, storing nothing, when the honeypot was filled in: a bot should not learn that
    it was caught.
    """
    now = now or utcnow()
    link = get_open_intake_link(session, token, now)
    if submission.website.strip():
        return None
    title, body, language = clean_text(submission.title, submission.body, submission.language)
    name = " ".join(submission.name.split())
    email = submission.email.strip().lower()
    if not name:
        raise ValidationError("Tell us your name.", field="name")
    if len(name) > NAME_MAX:
        raise ValidationError("The name is too long.", field="name")
    if email and ("@" not in email or len(email) > EMAIL_MAX or " " in email):
        raise ValidationError("Enter a valid e-mail address, or leave it empty.", field="email")
    if not submission.allow_story:
        raise ValidationError("We can only use your story with your consent.", field="allow_story")
    prepared = photo_services.prepare_photos(photos)
    story = Story(
        title=title,
        body=body,
        language=language,
        source=StorySource.RESIDENT,
        status=StoryStatus.NEW,
        contributor_name=name,
        contributor_email=email or None,
        intake_link=link,
        created_at=now,
        updated_at=now,
    )
    text = consent_text(language, organisation=get_organisation(session).name)
    story.consents.append(
        Consent(
            consent_version=CONSENT_VERSION,
            language=text.language,
            consent_text=text.full_text,
            given_at=now,
            allow_story=True,
            allow_name=submission.allow_name,
            allow_photos=submission.allow_photos,
        )
    )
    session.add(story)
    session.flush()
    record_event(session, actor, "story.submit_public", story, intake_link=link.id)
    attach_submission(session, actor, story, prepared, storage)
    return story


def list_intake_links(session: Session, actor: User | None) -> list[IntakeLink]:
    require_role(actor, Role.EDITOR)
    return list(session.scalars(select(IntakeLink).order_by(IntakeLink.created_at.desc())))


def create_intake_link(
    session: Session,
    actor: User | None,
    *,
    title: str,
    intro: str = "",
    expires_at: datetime | None = None,
) -> IntakeLink:
    actor = require_role(actor, Role.EDITOR)
    title = " ".join(title.split())
    if not title:
        raise ValidationError("Give the link a title.", field="title")
    if len(title) > TITLE_MAX:
        raise ValidationError("The title is too long (at most 200 characters).", field="title")
    link = IntakeLink(
        token=secrets.token_urlsafe(24),
        title=title,
        intro=intro.strip(),
        expires_at=expires_at,
        created_by=actor,
    )
    session.add(link)
    session.flush()
    record_event(session, actor, "intake_link.create", link)
    return link


def close_intake_link(
    session: Session, actor: User | None, link_id: int, now: datetime | None = None
) -> IntakeLink:
    actor = require_role(actor, Role.EDITOR)
    link = session.get(IntakeLink, link_id)
    if link is None:
        raise NotFoundError("This link does not exist (any more).")
    if link.closed_at is None:
        link.closed_at = now or utcnow()
        session.flush()
        record_event(session, actor, "intake_link.close", link)
    return link
