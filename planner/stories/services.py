"""Use cases for capturing stories: submitting, reviewing, intake links, consent and privacy.

Every function takes the acting user and checks the role itself, so a page, the API and the CLI
get the same rules; every change is written to the audit log. Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from planner.media.storage import Storage
from planner.stories import photos as photo_services
from planner.stories import workflow
from planner.stories.models import (
    LANGUAGES,
    Campaign,
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


# --- reading ------------------------------------------------------------------------------------


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


def clean_text(title: str, body: str, language: str) -> tuple[str, str, str]:
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
    title, body, language = clean_text(title, body, language)
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
    attach_submission(session, actor, story, prepared, storage)
    return story


def attach_submission(
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
    story.title, story.body, story.language = clean_text(title, body, language)
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


# --- consent and privacy ------------------------------------------------------------------------


# --- themes and campaigns -----------------------------------------------------------------------
