"""Corrections of published work: a newsroom corrects, it does not silently edit.

An article on the organisation's own blog is corrected in place as a new version of its fragment
(planner.blog shows the post with a note of when and what was corrected); on every other channel
a post cannot be changed once it is out, so a correction is a new fragment that names the one it
corrects and goes through review like any other.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.errors import ConflictError, ValidationError
from planner.fragments.gate import require_gate_clear
from planner.fragments.models import Fragment, FragmentStatus
from planner.fragments.services import _add_revision, _snapshot

_CORRECTION_LABEL = {"nl": "Correctie", "en": "Correction"}


def _require_published(fragment: Fragment) -> None:
    if fragment.status != FragmentStatus.PUBLISHED:
        raise ConflictError("Only a published fragment can be corrected.")


def correct_published_text(
    session: Session,
    actor: User | None,
    fragment: Fragment,
    *,
    title: str | None,
    lead: str | None,
    body: str | None,
) -> Fragment:
    """Correct a published article's text in place, as a new version (the blog post follows).

    The fragment stays published; the brand gate's errors still hold the correction back.
    """
    actor = require_role(actor, Role.EDITOR)
    _require_published(fragment)
    if fragment.kind != "article":
        raise ConflictError("Only an article can be corrected in place; make a correction.")
    if not (body or "").strip():
        raise ValidationError("The corrected article needs a body.", field="body")
    before = _snapshot(fragment)
    fragment.title = (title or "").strip() or None
    fragment.lead = (lead or "").strip() or None
    fragment.body = (body or "").strip()
    if _snapshot(fragment) == before:
        raise ValidationError("Nothing was changed: correct the text first.", field="body")
    require_gate_clear(session, fragment, "submit")
    fragment.version += 1
    _add_revision(session, fragment, actor)
    session.flush()
    record_event(session, actor, "fragment.correct", fragment, version=fragment.version)
    return fragment


def make_correction(
    session: Session, actor: User | None, original: Fragment, *, link: str | None = None
) -> Fragment:
    """A draft on the original's channel that corrects it, linked to it (``corrects``).

    For channels where a post cannot be edited: the editor writes what was wrong and what is
    right, and it goes through review and approval like any fragment.
    """
    actor = require_role(actor, Role.EDITOR)
    _require_published(original)
    label = _CORRECTION_LABEL.get(original.story.language, _CORRECTION_LABEL["en"])
    text = "\n\n".join(item for item in (f"{label}: {original.text()}", link) if item)
    correction = Fragment(
        story=original.story,
        channel=original.channel,
        kind=original.kind,
        parts=[text] if original.kind in ("post", "thread") else [],
        title=f"{label}: {original.title}" if original.title else None,
        lead=original.lead if original.kind == "article" else None,
        body=original.body if original.kind == "article" else None,
        video_brief=original.video_brief,
        hashtags=list(original.hashtags),
        photo_ids=[],
        is_sponsored=original.is_sponsored,
        version=1,
        created_by=actor,
        corrects=original,
    )
    session.add(correction)
    _add_revision(session, correction, actor)
    session.flush()
    record_event(session, actor, "fragment.correction", correction, corrects=original.id)
    return correction


def list_corrections(session: Session, actor: User | None, fragment: Fragment) -> list[Fragment]:
    """The corrections made of a published fragment, oldest first."""
    require_role(actor, Role.EDITOR)
    return list(
        session.scalars(
            select(Fragment).where(Fragment.corrects_id == fragment.id).order_by(Fragment.id)
        )
    )
