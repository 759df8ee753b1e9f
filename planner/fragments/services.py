"""Use cases for fragments: split a story into channel drafts, edit them, check them, review them.

Every save is a revision, so an editor can always go back; the brand gate lives here, not in the
views, so the web page and the API refuse the same drafts for the same reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.channels.catalogue import find_kind
from planner.channels.models import Channel
from planner.db import utcnow
from planner.errors import ConflictError, NotFoundError, ValidationError
from planner.fragments.events import fragment_changing
from planner.fragments.gate import require_gate_clear
from planner.fragments.hashtags import TAGS_ARE_TEXT, TAGS_IN_TEXT, clean_tags, hashtags_in_text
from planner.fragments.models import (
    FRAGMENT_KINDS,
    Fragment,
    FragmentRevision,
    FragmentStatus,
)
from planner.fragments.splitting import OrgSettings, PhotoInput, StoryInput, draft
from planner.live.services import record_change
from planner.notifications.models import NotificationKind
from planner.notifications.phrases import Phrase
from planner.notifications.services import approvers, notify
from planner.organisation.services import get_organisation
from planner.stories.models import Photo, Story
from planner.stories.photos import usable_photos

#: the fields a revision keeps and a restore puts back
SNAPSHOT_FIELDS = (
    "parts",
    "title",
    "lead",
    "body",
    "meta_description",
    "video_brief",
    "hashtags",
    "is_sponsored",
    "photo_ids",
)
MAX_PARTS = 25
MAX_PART_LENGTH = 70_000
BEING_PUBLISHED = "This fragment is being published right now; it cannot be changed."


# --- checks ---------------------------------------------------------------------------------


# --- splitting ------------------------------------------------------------------------------


def _org_settings(session: Session) -> OrgSettings:
    org = get_organisation(session)
    return OrgSettings(name=org.name, hashtag=org.hashtag or "")


def _photo_inputs(photos: Sequence[Photo]) -> tuple[PhotoInput, ...]:
    return tuple(
        PhotoInput(
            id=photo.id,
            alt=photo.alt_text,
            width=photo.width,
            height=photo.height,
            focal_x=photo.focal_x,
            focal_y=photo.focal_y,
        )
        for photo in photos
    )


def _story_input(session: Session, story: Story, kind_key: str | None = None) -> StoryInput:
    """The story as the splitter reads it; with a channel kind, only the photos that channel may
    carry (usable_photos: none on channels without images, only described ones elsewhere)."""
    website = get_organisation(session).website
    url = None
    if website:
        base = website if website.startswith("http") else f"https://{website}"
        url = f"{base.rstrip('/')}/verhalen/{story.id}"
    return StoryInput(
        id=story.id,
        title=story.title,
        body=story.body,
        language=story.language,
        themes=tuple(theme.name for theme in story.themes),
        url=url,
        campaign=story.campaign.name if story.campaign else None,
        photos=_photo_inputs(usable_photos(story, kind_key)) if kind_key else (),
    )


def _snapshot(fragment: Fragment) -> dict[str, Any]:
    return {name: getattr(fragment, name) for name in SNAPSHOT_FIELDS}


def _add_revision(session: Session, fragment: Fragment, actor: User) -> FragmentRevision:
    revision = FragmentRevision(
        fragment=fragment, version=fragment.version, snapshot=_snapshot(fragment), author=actor
    )
    session.add(revision)
    return revision


def split_story(
    session: Session,
    actor: User | None,
    story: Story,
    channel_ids: Sequence[int],
    *,
    fragment_kind: str | None = None,
) -> list[Fragment]:
    """One draft per chosen channel, each within its channel's counted limits."""
    actor = require_role(actor, Role.EDITOR)
    if story.consent_withdrawn_at is not None:
        raise ConflictError("Consent for this story was withdrawn; it cannot be split.")
    if not channel_ids:
        raise ValidationError("Choose at least one channel.", field="channels")
    org = _org_settings(session)
    fragments: list[Fragment] = []
    for channel_id in dict.fromkeys(channel_ids):
        channel = session.get(Channel, channel_id)
        if channel is None:
            raise NotFoundError("This channel does not exist.")
        if fragment_kind is not None and fragment_kind not in FRAGMENT_KINDS:
            raise ValidationError("Unknown fragment kind.", field="kind")
        source = _story_input(session, story, channel.kind_key)
        result = draft(source, channel.kind_key, fragment_kind=fragment_kind, org=org)
        fragment = Fragment(
            story=story,
            channel=channel,
            kind=result.fragment_kind,
            parts=list(result.parts),
            title=result.title,
            lead=result.lead,
            body=result.body,
            meta_description=result.meta_description,
            video_brief=result.video_brief,
            hashtags=(
                hashtags_in_text(result.parts)
                if result.fragment_kind in TAGS_IN_TEXT
                else clean_tags(result.hashtags)
            ),
            photo_ids=[int(media_id) for media_id in result.media_ids],
            is_sponsored=False,
            version=1,
            created_by=actor,
        )
        session.add(fragment)
        _add_revision(session, fragment, actor)
        fragments.append(fragment)
    session.flush()
    for fragment in fragments:
        record_event(session, actor, "fragment.create", fragment, story=story.id)
    return fragments


# --- reading --------------------------------------------------------------------------------


def get_fragment(session: Session, actor: User | None, fragment_id: int) -> Fragment:
    require_role(actor, Role.EDITOR)
    fragment = session.get(Fragment, fragment_id)
    if fragment is None:
        raise NotFoundError("This fragment does not exist.")
    return fragment


def list_fragments(
    session: Session,
    actor: User | None,
    *,
    status: FragmentStatus | None = None,
    channel_id: int | None = None,
    story_id: int | None = None,
) -> list[Fragment]:
    require_role(actor, Role.EDITOR)
    query = select(Fragment)
    if status is not None:
        query = query.where(Fragment.status == status)
    if channel_id is not None:
        query = query.where(Fragment.channel_id == channel_id)
    if story_id is not None:
        query = query.where(Fragment.story_id == story_id)
    return list(session.scalars(query.order_by(Fragment.updated_at.desc(), Fragment.id.desc())))


def list_revisions(
    session: Session, actor: User | None, fragment: Fragment
) -> list[FragmentRevision]:
    require_role(actor, Role.EDITOR)
    return list(
        session.scalars(
            select(FragmentRevision)
            .where(FragmentRevision.fragment_id == fragment.id)
            .order_by(FragmentRevision.version.desc())
        )
    )


# --- changing -------------------------------------------------------------------------------

_UNSET: Any = object()


def lock_for_change(session: Session, fragment: Fragment) -> Fragment:
    """Fence a change of the fragment row: lock it and read it again before deciding anything.

    On PostgreSQL this is ``SELECT … FOR UPDATE``: an approval and an edit arriving together run
    one after the other, and the second sees the first's version and status (so nothing is left
    "approved" with an approval of an older version, and two saves of one version give one new
    version and one conflict). On SQLite a writing request holds the write lock from its start
    (BEGIN IMMEDIATE), so the read is already current; reading again costs one statement.
    Every service that changes a fragment's status or text calls this first.
    """
    session.flush()
    session.refresh(fragment, with_for_update=True)
    return fragment


def _require_editable(fragment: Fragment, *, scheduled_ok: bool = False) -> None:
    allowed = {FragmentStatus.DRAFT, FragmentStatus.IN_REVIEW}
    if scheduled_ok:
        allowed.add(FragmentStatus.SCHEDULED)
    if fragment.status not in allowed:
        raise ConflictError("Only drafts and fragments in review can be changed.")


def _clean_parts(fragment: Fragment, parts: Sequence[str]) -> list[str]:
    cleaned = [part.replace("\r\n", "\n").strip() for part in parts]
    if fragment.kind == "post" and len(cleaned) != 1:
        raise ValidationError("A post has exactly one text.", field="parts")
    if fragment.kind == "thread" and not 1 <= len(cleaned) <= MAX_PARTS:
        raise ValidationError(f"A thread has 1 to {MAX_PARTS} parts.", field="parts")
    if fragment.kind in ("article", "video_brief") and cleaned:
        raise ValidationError("Articles and video briefs have no parts.", field="parts")
    if any(len(part) > MAX_PART_LENGTH for part in cleaned):
        raise ValidationError("A part is too long.", field="parts")
    return cleaned


def media_limit(fragment: Fragment) -> int | None:
    """How many photos the fragment's channel carries (0 when it takes no images)."""
    kind = find_kind(fragment.channel.kind_key)
    if kind is None or not kind.images:
        return 0
    return kind.media_per_post


def _clean_photo_ids(fragment: Fragment, photo_ids: Sequence[int]) -> list[int]:
    """Photos of the fragment's own story, each once, in the given order, within the limit."""
    own = {photo.id for photo in fragment.story.photos}
    cleaned = list(dict.fromkeys(int(photo_id) for photo_id in photo_ids))
    if any(photo_id not in own for photo_id in cleaned):
        raise ValidationError("Choose photos of this fragment's own story.", field="photo_ids")
    limit = media_limit(fragment)
    if limit is not None and len(cleaned) > limit:
        if limit == 0:
            raise ValidationError("This channel carries no photos.", field="photo_ids")
        raise ValidationError(
            "You chose more photos than this channel carries.", field="photo_ids", limit=limit
        )
    return cleaned


def update_fragment(
    session: Session,
    actor: User | None,
    fragment: Fragment,
    *,
    parts: Sequence[str] = _UNSET,
    title: str | None = _UNSET,
    lead: str | None = _UNSET,
    body: str | None = _UNSET,
    meta_description: str | None = _UNSET,
    video_brief: dict[str, Any] | None = _UNSET,
    hashtags: Sequence[str] = _UNSET,
    is_sponsored: bool = _UNSET,
    photo_ids: Sequence[int] = _UNSET,
    expected_version: int | None = None,
) -> Fragment:
    """Save the given fields as a new version; nothing given, nothing saved."""
    actor = require_role(actor, Role.EDITOR)
    lock_for_change(session, fragment)
    _require_editable(fragment, scheduled_ok=True)
    if expected_version is not None and expected_version != fragment.version:
        raise ConflictError(
            "Someone else saved this fragment in the meantime; reload it to see their changes.",
            version=fragment.version,
        )
    before = _snapshot(fragment)
    if parts is not _UNSET:
        fragment.parts = _clean_parts(fragment, parts)
    for name, value in (("title", title), ("lead", lead), ("body", body)):
        if value is not _UNSET:
            setattr(fragment, name, (value or "").strip() or None)
    if meta_description is not _UNSET:
        text = (meta_description or "").strip()
        if len(text) > 300:
            raise ValidationError("The meta description is too long.", field="meta_description")
        fragment.meta_description = text or None
    if video_brief is not _UNSET:
        fragment.video_brief = dict(video_brief) if video_brief else None
    if fragment.kind in TAGS_IN_TEXT:
        # A post's hashtags are the ones in its text; a list that says otherwise is refused.
        in_text = hashtags_in_text(fragment.parts)
        if hashtags is not _UNSET and {t.lower() for t in clean_tags(hashtags)} != {
            t.lower() for t in in_text
        }:
            raise ValidationError(TAGS_ARE_TEXT, field="hashtags")
        fragment.hashtags = in_text
    elif hashtags is not _UNSET:
        fragment.hashtags = clean_tags(hashtags)
    if is_sponsored is not _UNSET:
        fragment.is_sponsored = bool(is_sponsored)
    if photo_ids is not _UNSET:
        fragment.photo_ids = _clean_photo_ids(fragment, photo_ids)
    if _snapshot(fragment) == before:
        return fragment
    if fragment.status == FragmentStatus.SCHEDULED:
        # The approval was for the old text: planning takes it off the calendar (and refuses,
        # raising ConflictError, while its delivery is being sent).
        fragment_changing.send(session, fragment=fragment, actor=actor)
    fragment.version += 1
    _add_revision(session, fragment, actor)
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConflictError(BEING_PUBLISHED) from exc
    record_event(session, actor, "fragment.update", fragment, version=fragment.version)
    # Whoever else has it open is warned before they overwrite it (planner.live).
    record_change(
        session,
        "fragment",
        utcnow(),
        subject_id=fragment.id,
        actor=actor,
        data={"version": fragment.version},
    )
    return fragment


def restore_revision(
    session: Session, actor: User | None, fragment: Fragment, version: int
) -> Fragment:
    """Put an earlier version back, as a new version (history is never rewritten)."""
    actor = require_role(actor, Role.EDITOR)
    lock_for_change(session, fragment)
    _require_editable(fragment)
    revision = session.scalar(
        select(FragmentRevision).where(
            FragmentRevision.fragment_id == fragment.id, FragmentRevision.version == version
        )
    )
    if revision is None:
        raise NotFoundError("This version does not exist.")
    for name in SNAPSHOT_FIELDS:
        if name in revision.snapshot:
            setattr(fragment, name, revision.snapshot[name])
    if fragment.kind in TAGS_IN_TEXT:
        fragment.hashtags = hashtags_in_text(fragment.parts)
    fragment.version += 1
    _add_revision(session, fragment, actor)
    session.flush()
    record_event(session, actor, "fragment.restore", fragment, version=version)
    return fragment


#: an urgent fragment waits in the rapid-response lane until it is published
URGENT_OPEN = (
    FragmentStatus.DRAFT,
    FragmentStatus.IN_REVIEW,
    FragmentStatus.APPROVED,
    FragmentStatus.SCHEDULED,
    FragmentStatus.FAILED,
)


def list_urgent(session: Session, actor: User | None) -> list[Fragment]:
    """Urgent fragments not yet published, waiting for review first, newest first."""
    require_role(actor, Role.EDITOR)
    found = session.scalars(
        select(Fragment)
        .where(Fragment.is_urgent.is_(True), Fragment.status.in_(URGENT_OPEN))
        .order_by(Fragment.id.desc())
        .limit(50)
    )
    order = {FragmentStatus.IN_REVIEW: 0, FragmentStatus.APPROVED: 1}
    return sorted(found, key=lambda f: order.get(f.status, 2))


def submit_for_review(session: Session, actor: User | None, fragment: Fragment) -> Fragment:
    """The brand gate: a draft goes to review only when no error-level finding remains."""
    actor = require_role(actor, Role.EDITOR)
    lock_for_change(session, fragment)
    if fragment.status != FragmentStatus.DRAFT:
        raise ConflictError("Only a draft can be submitted for review.", action="submit")
    require_gate_clear(session, fragment, "submit")
    fragment.status = FragmentStatus.IN_REVIEW
    session.flush()
    record_event(session, actor, "fragment.submit", fragment)
    _ask_approvers(session, actor, fragment)
    return fragment


def _ask_approvers(session: Session, actor: User, fragment: Fragment) -> None:
    """A review is requested from every possible approver at once (the author cannot approve);
    an urgent fragment says so in the title and comes first in their bell and mail."""
    now = utcnow()
    title = fragment.title or fragment.story.title
    notify(
        session,
        approvers(session, besides=fragment.created_by_id or actor.id),
        NotificationKind.REVIEW_REQUESTED,
        (
            Phrase("Urgent, for review: %(title)s", title=title)
            if fragment.is_urgent
            else Phrase("For review: %(title)s", title=title)
        ),
        now,
        link=f"/fragments/{fragment.id}",
        body=Phrase(
            "%(name)s asks you to review this fragment (%(channel)s).",
            name=actor.name,
            channel=fragment.channel.name,
        ),
        dedupe_key=f"review:{fragment.id}:{fragment.version}",
        urgent=fragment.is_urgent,
    )
    record_change(
        session,
        "approval",
        now,
        subject_id=fragment.id,
        actor=actor,
        data={"urgent": fragment.is_urgent},
    )


def save_and_submit(
    session: Session,
    actor: User | None,
    fragment: Fragment,
    *,
    expected_version: int | None = None,
    **changes: Any,
) -> Fragment:
    """What the editor's "submit for review" button does: save what is on the screen, then submit.

    A refusal of the save raises as update_fragment does; a refusal of the submit raises a
    ConflictError with ``action="submit"`` after the save, so the caller can keep the saved text.
    """
    update_fragment(session, actor, fragment, expected_version=expected_version, **changes)
    return submit_for_review(session, actor, fragment)


# --- demo -----------------------------------------------------------------------------------


def list_story_spread(session: Session, actor: User | None, story_id: int) -> list[Fragment]:
    """Every fragment made from one story, by channel then date: the story page's "spread"."""
    require_role(actor, Role.EDITOR)
    query = (
        select(Fragment)
        .join(Channel, Fragment.channel_id == Channel.id)
        .where(Fragment.story_id == story_id)
        .order_by(Channel.name, Fragment.scheduled_at, Fragment.id)
    )
    return list(session.scalars(query))
