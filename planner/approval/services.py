"""Approval use cases: approve a version (past the warnings the approver acknowledges with a
reason), request changes, and the rules about who may approve.

"Own" text is whatever a person wrote or edited since the fragment was last approved: anyone who
authored a revision since then (the creator too, until a first approval) never approves it, never
makes a reviewer link for it, and a reviewer link they made never counts as the second pair of
eyes for it. Approvals name the version the approver read; an old form never approves newer
text. The brand gate (planner.fragments.gate) is asked on every approval, so the page, the
reviewer link and the API refuse the same fragments. The publishing engine asks
``approval_shortfall`` again at send time, so a version that lacks the approvals its channel
needs never goes out, whatever raced before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.approval.models import ApprovalDecision, FragmentApproval, ReviewLink
from planner.audit.services import record_event
from planner.errors import ConflictError, PermissionDeniedError, ValidationError
from planner.fragments.gate import (
    MAX_REASON,
    acknowledge_warning,
    held_findings,
    require_gate_clear,
)
from planner.fragments.models import Fragment, FragmentRevision, FragmentStatus
from planner.fragments.services import lock_for_change
from planner.notifications.phrases import Phrase
from planner.notifications.services import notify_mentions

MAX_COMMENT_LENGTH = 5_000

OWN_TEXT = (
    "You wrote or edited this version since it was last approved, so another editor approves it."
)
VERSION_MOVED = (
    "The fragment changed after you read it; read the new version before you approve it."
)


def current_approvals(session: Session, fragment: Fragment) -> list[FragmentApproval]:
    """Approvals of the fragment as it is now, oldest first (edits void earlier ones)."""
    return approvals_of_version(session, fragment.id, fragment.version)


def approvals_of_version(
    session: Session, fragment_id: int, version: int
) -> list[FragmentApproval]:
    return list(
        session.scalars(
            select(FragmentApproval)
            .where(
                FragmentApproval.fragment_id == fragment_id,
                FragmentApproval.version == version,
                FragmentApproval.decision == ApprovalDecision.APPROVED,
            )
            .order_by(FragmentApproval.id)
        )
    )


def approvals_needed(fragment: Fragment) -> int:
    return fragment.channel.approval_steps


def last_approved_version(session: Session, fragment: Fragment, before: int) -> int:
    """The newest version below ``before`` that had every approval its channel needs (0: none)."""
    needed = max(approvals_needed(fragment), 1)
    versions = session.scalars(
        select(FragmentApproval.version)
        .where(
            FragmentApproval.fragment_id == fragment.id,
            FragmentApproval.decision == ApprovalDecision.APPROVED,
            FragmentApproval.version < before,
        )
        .group_by(FragmentApproval.version)
        .having(func.count(FragmentApproval.id) >= needed)
    )
    return max(versions, default=0)


def authors_since_approval(
    session: Session, fragment: Fragment, version: int | None = None
) -> set[int]:
    """Everyone who wrote or edited ``version`` (default: the current one) since the fragment was
    last approved: the authors of every revision after that, and the creator if it never was."""
    version = fragment.version if version is None else version
    last = last_approved_version(session, fragment, version)
    authors = {
        author_id
        for author_id in session.scalars(
            select(FragmentRevision.author_id).where(
                FragmentRevision.fragment_id == fragment.id,
                FragmentRevision.version > last,
                FragmentRevision.version <= version,
                FragmentRevision.author_id.is_not(None),
            )
        )
        if author_id is not None
    }
    if last == 0 and fragment.created_by_id is not None:
        authors.add(fragment.created_by_id)
    return authors


def is_own_text(session: Session, actor: User, fragment: Fragment) -> bool:
    """Whether ``actor`` wrote or edited the fragment's current version since its last approval."""
    return actor.id in authors_since_approval(session, fragment)


def counting_approvals(
    session: Session, fragment: Fragment, version: int, approvals: Sequence[FragmentApproval]
) -> list[FragmentApproval]:
    """The approvals of ``version`` that count as other people's eyes: staff who did not write or
    edit it, each once, and at most one reviewer whose link was made by someone who did not."""
    authors = authors_since_approval(session, fragment, version)
    seen: set[int] = set()
    counted: list[FragmentApproval] = []
    reviewer_counted = False
    for approval in approvals:
        if approval.version != version or approval.decision != ApprovalDecision.APPROVED:
            continue
        if approval.approver_id is not None:
            if approval.approver_id in authors or approval.approver_id in seen:
                continue
            seen.add(approval.approver_id)
            counted.append(approval)
            continue
        link = session.get(ReviewLink, approval.review_link_id) if approval.review_link_id else None
        if reviewer_counted or link is None or link.created_by_id in authors:
            continue
        reviewer_counted = True
        counted.append(approval)
    return counted


def approval_shortfall(session: Session, fragment: Fragment, version: int) -> str | None:
    """Why ``version`` of the fragment may not go out for want of approvals; None when it may."""
    needed = approvals_needed(fragment)
    if needed == 0:
        return None
    approvals = approvals_of_version(session, fragment.id, version)
    counted = counting_approvals(session, fragment, version, approvals)
    if len(counted) >= needed:
        return None
    return (
        f"Version {version} has {len(counted)} of the {needed} approvals its channel needs "
        "from people who did not write it; nothing was sent. Submit it for review again."
    )


def require_consent(fragment: Fragment) -> None:
    if fragment.story.consent_withdrawn_at is not None:
        raise ConflictError(
            "Consent for this story was withdrawn; nothing made from it can be published."
        )


def require_seen_version(fragment: Fragment, seen_version: int | None) -> None:
    """Refuse a decision made on another version than the fragment has now."""
    if seen_version is not None and seen_version != fragment.version:
        raise ConflictError(VERSION_MOVED, version=fragment.version, seen_version=seen_version)


@dataclass(frozen=True, slots=True)
class WarningReason:
    """The approver's reason for letting one warning stand: (field, check, match) name it."""

    field: str
    check: str
    match: str
    reason: str


def approve_fragment(
    session: Session,
    actor: User | None,
    fragment: Fragment,
    now: datetime,
    *,
    comment: str | None = None,
    seen_version: int | None = None,
    acknowledge: Sequence[WarningReason] = (),
) -> Fragment:
    """Record one approval of the version the approver read (``seen_version``; the web form and
    the API always send it); the last required step moves the fragment to approved.

    Nobody approves text they wrote or edited since the last approval, and nobody fills two steps
    of the same version. Warnings the approver lets stand (``acknowledge``, each with a reason)
    are acknowledged first, as the approver; a warning without a reason still blocks.
    """
    actor = require_role(actor, Role.EDITOR)
    lock_for_change(session, fragment)
    require_seen_version(fragment, seen_version)
    if fragment.status not in (FragmentStatus.DRAFT, FragmentStatus.IN_REVIEW):
        raise ConflictError("Only a draft or a fragment in review can be approved.")
    require_consent(fragment)
    needed = approvals_needed(fragment)
    if needed and is_own_text(session, actor, fragment):
        raise PermissionDeniedError(OWN_TEXT)
    if needed and fragment.status != FragmentStatus.IN_REVIEW:
        raise ConflictError("Submit the fragment for review before it can be approved.")
    reasons = {
        (given.field, given.check, given.match[:500]): given.reason.strip()
        for given in acknowledge
        if given.reason.strip()
    }
    if any(len(reason) > MAX_REASON for reason in reasons.values()):
        raise ValidationError("The reason is too long (1000 characters at most).", field="reason")
    # Asked before anything is written: a refusal leaves no acknowledgement behind.
    require_gate_clear(session, fragment, "approve", letting_stand=reasons.keys())
    held = {
        (found.field, found.alert.check, found.alert.match[:500])
        for found in held_findings(session, fragment, "approve")
    }
    for (field, check, match), reason in reasons.items():
        if (field, check, match) in held:
            acknowledge_warning(
                session,
                actor,
                fragment,
                field=field,
                check=check,
                match=match,
                reason=reason,
                now=now,
            )
    require_gate_clear(session, fragment, "approve")
    done = current_approvals(session, fragment)
    if any(approval.approver_id == actor.id for approval in done):
        raise ConflictError("You already approved this version; a second editor approves next.")
    step = len(done) + 1
    approval = FragmentApproval(
        fragment=fragment,
        version=fragment.version,
        step=step,
        decision=ApprovalDecision.APPROVED,
        approver=actor,
        comment=_clean_comment(comment, required=False),
        created_at=now,
    )
    session.add(approval)
    if step >= needed:
        fragment.status = FragmentStatus.APPROVED
    session.flush()
    record_event(
        session,
        actor,
        "fragment.approve",
        fragment,
        step=step,
        of=max(needed, 1),
        version=fragment.version,
    )
    _mentions(session, actor, fragment, approval)
    return fragment


def _mentions(session: Session, actor: User, fragment: Fragment, row: FragmentApproval) -> None:
    """Colleagues the decision's comment @mentions are told (planner.notifications)."""
    notify_mentions(
        session,
        actor,
        row.comment,
        row.created_at,
        where=Phrase("fragment “%(title)s”", title=fragment.title or fragment.story.title),
        link=f"/fragments/{fragment.id}",
        dedupe_key=f"approval:{row.id}",
    )


def _clean_comment(comment: str | None, *, required: bool) -> str | None:
    cleaned = (comment or "").strip()
    if required and not cleaned:
        raise ValidationError("Say what should change.", field="comment")
    if len(cleaned) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            f"A comment has at most {MAX_COMMENT_LENGTH} characters.", field="comment"
        )
    return cleaned or None


def request_changes(
    session: Session,
    actor: User | None,
    fragment: Fragment,
    now: datetime,
    comment: str,
    *,
    seen_version: int | None = None,
) -> Fragment:
    """Send a fragment in review (or approved, not yet scheduled) back to its author as a draft."""
    actor = require_role(actor, Role.EDITOR)
    lock_for_change(session, fragment)
    require_seen_version(fragment, seen_version)
    if fragment.status not in (FragmentStatus.IN_REVIEW, FragmentStatus.APPROVED):
        raise ConflictError("Changes can be requested on a fragment in review or approved.")
    text = _clean_comment(comment, required=True)
    row = FragmentApproval(
        fragment=fragment,
        version=fragment.version,
        step=len(current_approvals(session, fragment)) + 1,
        decision=ApprovalDecision.CHANGES_REQUESTED,
        approver=actor,
        comment=text,
        created_at=now,
    )
    session.add(row)
    fragment.status = FragmentStatus.DRAFT
    session.flush()
    record_event(session, actor, "fragment.request_changes", fragment)
    _mentions(session, actor, fragment, row)
    return fragment
