"""Reviewer links: let one person without an account see one fragment and approve or comment.

The token travels only in the link; the database keeps its SHA-256, so a leaked dump opens
nothing. A reviewer's approval counts as one approval step, under the same rules as an editor's
(the brand gate, withdrawn consent, the fragment's status, the version they read), and is recorded
with their typed name, marked as a reviewer's. Only someone who did not write or edit the text
since its last approval makes a link for it, and an approval through a link whose maker has since
edited the text is refused: a link is never a way to approve one's own text. A link is spent once
the reviewer has decided.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.approval.models import ApprovalDecision, FragmentApproval, ReviewLink
from planner.approval.services import (
    MAX_COMMENT_LENGTH,
    approvals_needed,
    authors_since_approval,
    current_approvals,
    require_seen_version,
)
from planner.audit.services import record_event
from planner.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from planner.fragments.gate import require_gate_clear
from planner.fragments.models import Fragment, FragmentStatus
from planner.fragments.services import lock_for_change

DEFAULT_VALID_DAYS = 7
MAX_VALID_DAYS = 60
MAX_NAME_LENGTH = 200

OWN_LINK = (
    "You wrote or edited this fragment since it was last approved; a colleague who did not "
    "makes the reviewer link."
)
LINK_OF_AN_AUTHOR = (
    "The editor who made this link has since edited the text, so this link cannot approve it. "
    "Ask for a new link."
)
LINK_USED = "This review link has already been used. Ask for a new one."


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_review_link(
    session: Session,
    actor: User | None,
    fragment: Fragment,
    now: datetime,
    *,
    days: int = DEFAULT_VALID_DAYS,
) -> tuple[ReviewLink, str]:
    """A new link for ``fragment``; returns the row and the token (shown once, never stored)."""
    actor = require_role(actor, Role.EDITOR)
    if actor.id in authors_since_approval(session, fragment):
        raise PermissionDeniedError(OWN_LINK)
    if not 1 <= days <= MAX_VALID_DAYS:
        raise ValidationError(
            f"A reviewer link is valid for 1 to {MAX_VALID_DAYS} days.", field="days"
        )
    token = secrets.token_urlsafe(32)
    link = ReviewLink(
        token_hash=hash_token(token),
        fragment=fragment,
        expires_at=now + timedelta(days=days),
        created_by=actor,
        created_at=now,
    )
    session.add(link)
    session.flush()
    record_event(session, actor, "review_link.create", fragment, link=link.id, days=days)
    return link, token


def list_review_links(session: Session, actor: User | None, fragment: Fragment) -> list[ReviewLink]:
    require_role(actor, Role.EDITOR)
    return list(
        session.scalars(
            select(ReviewLink)
            .where(ReviewLink.fragment_id == fragment.id)
            .order_by(ReviewLink.id.desc())
        )
    )


def revoke_review_link(
    session: Session, actor: User | None, link_id: int, now: datetime
) -> ReviewLink:
    actor = require_role(actor, Role.EDITOR)
    link = session.get(ReviewLink, link_id)
    if link is None:
        raise NotFoundError("This reviewer link does not exist.")
    if link.revoked_at is None:
        link.revoked_at = now
        session.flush()
        record_event(session, actor, "review_link.revoke", link.fragment, link=link.id)
    return link


def open_review_link(session: Session, token: str, now: datetime) -> ReviewLink:
    """The link for ``token`` if it may still be used; otherwise a clear refusal."""
    link = session.scalar(select(ReviewLink).where(ReviewLink.token_hash == hash_token(token)))
    if link is None:
        raise NotFoundError("This review link is not valid. Ask for a new one.")
    if link.revoked_at is not None:
        raise ConflictError("This review link has been withdrawn. Ask for a new one.")
    if link.used_at is not None:
        raise ConflictError(LINK_USED)
    if now >= link.expires_at:
        raise ConflictError("This review link has expired. Ask for a new one.")
    return link


def _clean_name(name: str | None) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise ValidationError("Fill in your name.", field="name")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ValidationError(f"A name has at most {MAX_NAME_LENGTH} characters.", field="name")
    return cleaned


def _clean_comment(comment: str | None, *, required: bool) -> str | None:
    cleaned = (comment or "").strip()
    if required and not cleaned:
        raise ValidationError("Say what should change.", field="comment")
    if len(cleaned) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            f"A comment has at most {MAX_COMMENT_LENGTH} characters.", field="comment"
        )
    return cleaned or None


def approve_as_reviewer(
    session: Session,
    token: str,
    name: str | None,
    now: datetime,
    *,
    comment: str | None = None,
    seen_version: int | None = None,
) -> FragmentApproval:
    """Record an outside reviewer's approval of the version they read as one step; the last step
    approves the fragment. The link is spent."""
    link = open_review_link(session, token, now)
    fragment = lock_for_change(session, link.fragment)
    require_seen_version(fragment, seen_version)
    reviewer = _clean_name(name)
    text = _clean_comment(comment, required=False)
    if fragment.story.consent_withdrawn_at is not None:
        raise ConflictError(
            "Consent for this story was withdrawn; nothing made from it can be published."
        )
    needed = approvals_needed(fragment)
    allowed = {FragmentStatus.IN_REVIEW} | ({FragmentStatus.DRAFT} if needed == 0 else set())
    if fragment.status not in allowed:
        raise ConflictError("This fragment is not waiting for review right now.")
    if needed and link.created_by_id in authors_since_approval(session, fragment):
        raise ConflictError(LINK_OF_AN_AUTHOR)
    require_gate_clear(session, fragment, "approve")
    done = current_approvals(session, fragment)
    if any(a.approver_id is None for a in done):
        # An outside approval fills one step at most; the other step is an editor's.
        raise ConflictError("A reviewer already approved this version; an editor approves next.")
    step = len(done) + 1
    approval = FragmentApproval(
        fragment=fragment,
        version=fragment.version,
        step=step,
        decision=ApprovalDecision.APPROVED,
        approver=None,
        reviewer_name=reviewer,
        review_link=link,
        comment=text,
        created_at=now,
    )
    session.add(approval)
    link.used_at = now
    if step >= needed:
        fragment.status = FragmentStatus.APPROVED
    session.flush()
    record_event(
        session,
        None,
        "fragment.approve",
        fragment,
        step=step,
        of=max(needed, 1),
        version=fragment.version,
        reviewer=reviewer,
        link=link.id,
    )
    return approval


def comment_as_reviewer(
    session: Session,
    token: str,
    name: str | None,
    comment: str | None,
    now: datetime,
    *,
    seen_version: int | None = None,
) -> FragmentApproval:
    """An outside reviewer asks for changes: recorded, the fragment returns to its author, and
    the link is spent."""
    link = open_review_link(session, token, now)
    fragment = lock_for_change(session, link.fragment)
    require_seen_version(fragment, seen_version)
    reviewer = _clean_name(name)
    text = _clean_comment(comment, required=True)
    if fragment.status not in (
        FragmentStatus.DRAFT,
        FragmentStatus.IN_REVIEW,
        FragmentStatus.APPROVED,
    ):
        raise ConflictError("This fragment is already planned; ask the editor directly.")
    approval = FragmentApproval(
        fragment=fragment,
        version=fragment.version,
        step=len(current_approvals(session, fragment)) + 1,
        decision=ApprovalDecision.CHANGES_REQUESTED,
        approver=None,
        reviewer_name=reviewer,
        review_link=link,
        comment=text,
        created_at=now,
    )
    session.add(approval)
    link.used_at = now
    fragment.status = FragmentStatus.DRAFT
    session.flush()
    record_event(
        session, None, "fragment.request_changes", fragment, reviewer=reviewer, link=link.id
    )
    return approval


def list_decisions(session: Session, fragment: Fragment) -> list[FragmentApproval]:
    """Every decision on the fragment, newest first, for the approval panel's history."""
    return list(
        session.scalars(
            select(FragmentApproval)
            .where(FragmentApproval.fragment_id == fragment.id)
            .order_by(FragmentApproval.id.desc())
        )
    )
