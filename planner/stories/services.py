"""Use cases for capturing stories: submitting, reviewing, intake links, consent and privacy.

Every function takes the acting user and checks the role itself, so a page, the API and the CLI
get the same rules; every change is written to the audit log. Services flush, never commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.db import utcnow
from planner.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from planner.media.storage import Storage
from planner.stories import photos as photo_services
from planner.stories import workflow
from planner.stories.consent import CONSENT_VERSION, consent_text
from planner.stories.models import (
    LANGUAGES,
    Campaign,
    Consent,
    IntakeLink,
    Story,
    StoryComment,
    StorySource,
    StoryStatus,
    Theme,
)
from planner.stories.photos import PhotoUpload

TITLE_MAX = 200
BODY_MAX = 50_000
NAME_MAX = 200
EMAIL_MAX = 254


@dataclass(frozen=True)
class StoryFilters:
    status: StoryStatus | None = None
    theme_id: int | None = None
    source: StorySource | None = None
    contributor_id: int | None = None
    campaign_id: int | None = None
    q: str | None = None


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


# --- reading ------------------------------------------------------------------------------------


def list_themes(session: Session) -> list[Theme]:
    return list(session.scalars(select(Theme).order_by(Theme.name)))


def list_campaigns(session: Session) -> list[Campaign]:
    return list(session.scalars(select(Campaign).order_by(Campaign.starts_on, Campaign.name)))


def list_editors(session: Session) -> list[User]:
    rows = session.scalars(
        select(User)
        .where(User.is_active.is_(True), User.role.in_([Role.EDITOR, Role.ADMIN]))
        .order_by(User.name)
    )
    return list(rows)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_stories(
    session: Session, actor: User | None, filters: StoryFilters | None = None
) -> list[Story]:
    """Stories newest first; contributors only ever see their own."""
    actor = require_role(actor, Role.CONTRIBUTOR)
    filters = filters or StoryFilters()
    query = select(Story).options(
        selectinload(Story.themes),
        selectinload(Story.contributor),
        selectinload(Story.campaign),
        selectinload(Story.photos),
    )
    if not actor.has_role(Role.EDITOR):
        query = query.where(Story.contributor_id == actor.id)
    elif filters.contributor_id is not None:
        query = query.where(Story.contributor_id == filters.contributor_id)
    if filters.status is not None:
        query = query.where(Story.status == filters.status)
    if filters.source is not None:
        query = query.where(Story.source == filters.source)
    if filters.campaign_id is not None:
        query = query.where(Story.campaign_id == filters.campaign_id)
    if filters.theme_id is not None:
        query = query.where(Story.themes.any(Theme.id == filters.theme_id))
    q = (filters.q or "").replace("\x00", "").strip()
    if q:
        pattern = _like(q)
        query = query.where(
            or_(Story.title.ilike(pattern, escape="\\"), Story.body.ilike(pattern, escape="\\"))
        )
    return list(session.scalars(query.order_by(Story.created_at.desc(), Story.id.desc())))


def get_story(session: Session, actor: User | None, story_id: int) -> Story:
    actor = require_role(actor, Role.CONTRIBUTOR)
    story = session.get(Story, story_id)
    if story is None:
        raise NotFoundError("This story does not exist.")
    if not actor.has_role(Role.EDITOR) and story.contributor_id != actor.id:
        raise PermissionDeniedError("You can only read your own stories.")
    return story


def is_publishable(story: Story) -> bool:
    """May a fragment of this story go out? Not when declined or when consent was withdrawn."""
    if story.status == StoryStatus.DECLINED or story.consent_withdrawn_at is not None:
        return False
    if story.consents:
        return any(c.allow_story and c.withdrawn_at is None for c in story.consents)
    return True


# --- submitting ---------------------------------------------------------------------------------


def _clean_text(title: str, body: str, language: str) -> tuple[str, str, str]:
    if "\x00" in title or "\x00" in body:
        raise ValidationError("The text contains a character we cannot store.", field="body")
    title = " ".join(title.split())
    body = body.strip()
    if not title:
        raise ValidationError("Give the story a title.", field="title")
    if len(title) > TITLE_MAX:
        raise ValidationError("The title is too long (at most 200 characters).", field="title")
    if not body:
        raise ValidationError("Tell the story: the text is empty.", field="body")
    if len(body) > BODY_MAX:
        raise ValidationError("The story is too long.", field="body")
    if language not in LANGUAGES:
        raise ValidationError("Choose Dutch or English.", field="language")
    return title, body, language


def _themes(session: Session, theme_ids: Sequence[int]) -> list[Theme]:
    if not theme_ids:
        return []
    found = list(session.scalars(select(Theme).where(Theme.id.in_(set(theme_ids)))))
    if len(found) != len(set(theme_ids)):
        raise ValidationError("Choose themes from the list.", field="themes")
    return found


def _campaign(session: Session, campaign_id: int | None) -> Campaign | None:
    if campaign_id is None:
        return None
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise ValidationError("Choose a campaign from the list.", field="campaign")
    return campaign


def submit_story(
    session: Session,
    actor: User | None,
    *,
    title: str,
    body: str,
    language: str = "nl",
    theme_ids: Sequence[int] = (),
    campaign_id: int | None = None,
    photos: Sequence[PhotoUpload] = (),
    storage: Storage | None = None,
) -> Story:
    """A colleague sends in a story from the street; the source is always 'employee'.

    Photos are checked before anything is stored: one bad file stores neither story nor photos.
    """
    actor = require_role(actor, Role.CONTRIBUTOR)
    title, body, language = _clean_text(title, body, language)
    prepared = photo_services.prepare_photos(photos)
    story = Story(
        title=title,
        body=body,
        language=language,
        source=StorySource.EMPLOYEE,
        status=StoryStatus.NEW,
        contributor=actor,
        themes=_themes(session, theme_ids),
        campaign=_campaign(session, campaign_id),
    )
    session.add(story)
    session.flush()
    record_event(session, actor, "story.submit", story, source=story.source.value)
    _attach(session, actor, story, prepared, storage)
    return story


def _attach(
    session: Session,
    actor: User | None,
    story: Story,
    prepared: Sequence[photo_services.PreparedPhoto],
    storage: Storage | None,
) -> None:
    if not prepared:
        return
    if storage is None:
        raise RuntimeError("photos need a storage")
    photo_services.attach_photos(session, actor, story, prepared, storage)


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
    title, body, language = _clean_text(submission.title, submission.body, submission.language)
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
    text = consent_text(language)
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
    _attach(session, actor, story, prepared, storage)
    return story


# --- editing ------------------------------------------------------------------------------------


def accept_story(session: Session, actor: User | None, story_id: int) -> Story:
    return set_story_status(session, actor, story_id, StoryStatus.ACCEPTED)


def decline_story(session: Session, actor: User | None, story_id: int, reason: str) -> Story:
    return set_story_status(session, actor, story_id, StoryStatus.DECLINED, reason=reason)


def set_story_status(
    session: Session,
    actor: User | None,
    story_id: int,
    status: StoryStatus,
    *,
    reason: str | None = None,
) -> Story:
    actor = require_role(actor, Role.EDITOR)
    story = get_story(session, actor, story_id)
    if not workflow.can_move(story.status, status):
        raise ConflictError(
            "A story cannot move from this status to that one.",
            current=story.status.value,
            target=status.value,
        )
    if status == StoryStatus.DECLINED:
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError("Say why the story is declined.", field="reason")
        story.decline_reason = reason
    else:
        story.decline_reason = None
    previous = story.status
    story.status = status
    if status == StoryStatus.ACCEPTED and story.editor_id is None:
        story.editor = actor
    session.flush()
    action = {StoryStatus.ACCEPTED: "story.accept", StoryStatus.DECLINED: "story.decline"}.get(
        status, "story.status"
    )
    record_event(session, actor, action, story, previous=previous.value, status=status.value)
    return story


def assign_editor(
    session: Session, actor: User | None, story_id: int, editor_id: int | None
) -> Story:
    actor = require_role(actor, Role.EDITOR)
    story = get_story(session, actor, story_id)
    editor = None
    if editor_id is not None:
        editor = session.get(User, editor_id)
        if editor is None or not editor.has_role(Role.EDITOR):
            raise ValidationError("Choose an editor from the list.", field="editor")
    story.editor = editor
    session.flush()
    record_event(session, actor, "story.assign", story, editor=editor_id)
    return story


def update_story(
    session: Session,
    actor: User | None,
    story_id: int,
    *,
    title: str,
    body: str,
    language: str,
    theme_ids: Sequence[int] = (),
    campaign_id: int | None = None,
) -> Story:
    """Editors edit any story; a contributor edits their own while it is still new."""
    actor = require_role(actor, Role.CONTRIBUTOR)
    story = get_story(session, actor, story_id)
    if not can_edit_story(actor, story):
        raise PermissionDeniedError("You can change your story only while it is new.")
    story.title, story.body, story.language = _clean_text(title, body, language)
    story.themes = _themes(session, theme_ids)
    if actor.has_role(Role.EDITOR):
        story.campaign = _campaign(session, campaign_id)
    session.flush()
    record_event(session, actor, "story.update", story)
    return story


def can_edit_story(actor: User, story: Story) -> bool:
    if actor.has_role(Role.EDITOR):
        return True
    return story.contributor_id == actor.id and story.status == StoryStatus.NEW


def add_comment(session: Session, actor: User | None, story_id: int, body: str) -> StoryComment:
    actor = require_role(actor, Role.EDITOR)
    story = get_story(session, actor, story_id)
    body = body.strip()
    if not body:
        raise ValidationError("Write a comment first.", field="body")
    if len(body) > 5000:
        raise ValidationError("The comment is too long.", field="body")
    comment = StoryComment(story=story, author=actor, body=body)
    session.add(comment)
    session.flush()
    record_event(session, actor, "story.comment", story, comment=comment.id)
    return comment


# --- intake links -------------------------------------------------------------------------------


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


# --- consent and privacy ------------------------------------------------------------------------


def withdraw_consent(
    session: Session, actor: User | None, story_id: int, now: datetime | None = None
) -> Story:
    """Record, on the person's request, that we may no longer use their story."""
    actor = require_role(actor, Role.EDITOR)
    story = get_story(session, actor, story_id)
    now = now or utcnow()
    if story.consent_withdrawn_at is None:
        story.consent_withdrawn_at = now
    for consent in story.consents:
        if consent.withdrawn_at is None:
            consent.withdrawn_at = now
    session.flush()
    record_event(session, actor, "story.withdraw_consent", story)
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
    stories = _stories_of(session, email)
    data = {
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
    anonymised = deleted = 0
    for story in _stories_of(session, email):
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


# --- themes and campaigns -----------------------------------------------------------------------

THEME_NAME_MAX = 100
CAMPAIGN_NAME_MAX = 200
DESCRIPTION_MAX = 2000


def _clean_name(name: str, limit: int) -> str:
    if "\x00" in name:
        raise ValidationError("The text contains a character we cannot store.", field="name")
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Give it a name.", field="name")
    if len(name) > limit:
        raise ValidationError("The name is too long.", field="name")
    return name


def _clean_description(description: str) -> str:
    if "\x00" in description:
        raise ValidationError("The text contains a character we cannot store.", field="description")
    description = description.strip()
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError("The description is too long.", field="description")
    return description


def _unique_name(
    session: Session, model: type[Theme] | type[Campaign], name: str, own: int | None
) -> None:
    # SQLite lowercases ASCII only: compare the exact name too, which the unique index enforces.
    clash = session.scalar(
        select(model.id).where(or_(model.name == name, func.lower(model.name) == name.lower()))
    )
    if clash is not None and clash != own:
        raise ValidationError("That name is already in use.", field="name")


def get_theme(session: Session, actor: User | None, theme_id: int) -> Theme:
    require_role(actor, Role.CONTRIBUTOR)
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise NotFoundError("This theme does not exist.")
    return theme


def _theme_fields(
    session: Session, name: str, description: str, target_share: int, own: int | None
) -> tuple[str, str, int]:
    name = _clean_name(name, THEME_NAME_MAX)
    _unique_name(session, Theme, name, own)
    if not 0 <= target_share <= 100:
        raise ValidationError(
            "The target share is a percentage from 0 to 100.", field="target_share"
        )
    return name, _clean_description(description), target_share


def create_theme(
    session: Session, actor: User | None, *, name: str, description: str = "", target_share: int = 0
) -> Theme:
    actor = require_role(actor, Role.EDITOR)
    name, description, target_share = _theme_fields(session, name, description, target_share, None)
    theme = Theme(name=name, description=description, target_share=target_share)
    session.add(theme)
    session.flush()
    record_event(session, actor, "theme.create", theme, target_share=target_share)
    return theme


def update_theme(
    session: Session,
    actor: User | None,
    theme_id: int,
    *,
    name: str,
    description: str = "",
    target_share: int = 0,
) -> Theme:
    actor = require_role(actor, Role.EDITOR)
    theme = get_theme(session, actor, theme_id)
    theme.name, theme.description, theme.target_share = _theme_fields(
        session, name, description, target_share, theme.id
    )
    session.flush()
    record_event(session, actor, "theme.update", theme, target_share=theme.target_share)
    return theme


def get_campaign(session: Session, actor: User | None, campaign_id: int) -> Campaign:
    require_role(actor, Role.CONTRIBUTOR)
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFoundError("This campaign does not exist.")
    return campaign


def _campaign_fields(
    session: Session,
    name: str,
    description: str,
    starts_on: date | None,
    ends_on: date | None,
    own: int | None,
) -> tuple[str, str, date, date]:
    name = _clean_name(name, CAMPAIGN_NAME_MAX)
    _unique_name(session, Campaign, name, own)
    if starts_on is None:
        raise ValidationError("When does the campaign start?", field="starts_on")
    if ends_on is None:
        raise ValidationError("When does the campaign end?", field="ends_on")
    if ends_on < starts_on:
        raise ValidationError("The campaign cannot end before it starts.", field="ends_on")
    return name, _clean_description(description), starts_on, ends_on


def create_campaign(
    session: Session,
    actor: User | None,
    *,
    name: str,
    starts_on: date | None,
    ends_on: date | None,
    description: str = "",
) -> Campaign:
    actor = require_role(actor, Role.EDITOR)
    name, description, starts_on, ends_on = _campaign_fields(
        session, name, description, starts_on, ends_on, None
    )
    campaign = Campaign(name=name, description=description, starts_on=starts_on, ends_on=ends_on)
    session.add(campaign)
    session.flush()
    record_event(session, actor, "campaign.create", campaign)
    return campaign


def update_campaign(
    session: Session,
    actor: User | None,
    campaign_id: int,
    *,
    name: str,
    starts_on: date | None,
    ends_on: date | None,
    description: str = "",
) -> Campaign:
    actor = require_role(actor, Role.EDITOR)
    campaign = get_campaign(session, actor, campaign_id)
    (
        campaign.name,
        campaign.description,
        campaign.starts_on,
        campaign.ends_on,
    ) = _campaign_fields(session, name, description, starts_on, ends_on, campaign.id)
    session.flush()
    record_event(session, actor, "campaign.update", campaign)
    return campaign
