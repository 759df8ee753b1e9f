"""Use cases of approval: record an editor's approval of one version (past the warnings they
acknowledge with a reason), and send a fragment back with requested changes.

Nobody approves their own fragment and the brand gate (planner.fragments.gate) is asked on every
approval, so the page, the reviewer link and the API refuse the same fragments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.approval.models import ApprovalDecision, FragmentApproval
from planner.audit.services import record_event
from planner.errors import ConflictError, PermissionDeniedError, ValidationError
from planner.fragments.gate import (
    MAX_REASON,
    acknowledge_warning,
    held_findings,
    require_gate_clear,
)
from planner.fragments.models import Fragment, FragmentStatus

MAX_COMMENT_LENGTH = 5_000


def current_approvals(session: Session, fragment: Fragment) -> list[FragmentApproval]:
    """Approvals of the fragment as it is now, oldest first (edits void earlier ones)."""
    return list(
        session.scalars(
            select(FragmentApproval)
            .where(
                FragmentApproval.fragment_id == fragment.id,
                FragmentApproval.version == fragment.version,
                FragmentApproval.decision == ApprovalDecision.APPROVED,
            )
            .order_by(FragmentApproval.id)
        )
    )


def approvals_needed(fragment: Fragment) -> int:
    return fragment.channel.approval_steps


def require_consent(fragment: Fragment) -> None:
    if fragment.story.consent_withdrawn_at is not None:
        raise ConflictError(
            "Consent for this story was withdrawn; nothing made from it can be published."
        )


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
    acknowledge: Sequence[WarningReason] = (),
) -> Fragment:
    """Record one approval; the last required step moves the fragment to approved.

    Nobody approves their own fragment, and nobody fills two steps of the same version. Warnings
    the approver lets stand (``acknowledge``, each with a reason) are acknowledged first, as the
    approver; a warning without a reason still blocks.
    """
    actor = require_role(actor, Role.EDITOR)
    if fragment.status not in (FragmentStatus.DRAFT, FragmentStatus.IN_REVIEW):
        raise ConflictError("Only a draft or a fragment in review can be approved.")
    require_consent(fragment)
    needed = approvals_needed(fragment)
    if needed and fragment.created_by_id == actor.id:
        raise PermissionDeniedError("Nobody approves their own fragment: ask another editor.")
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
    session.add(
        FragmentApproval(
            fragment=fragment,
            version=fragment.version,
            step=step,
            decision=ApprovalDecision.APPROVED,
            approver=actor,
            comment=_clean_comment(comment, required=False),
            created_at=now,
        )
    )
    if step >= needed:
        fragment.status = FragmentStatus.APPROVED
    session.flush()
    record_event(session, actor, "fragment.approve", fragment, step=step, of=max(needed, 1))
    return fragment


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
    session: Session, actor: User | None, fragment: Fragment, now: datetime, comment: str
) -> Fragment:
    """Send a fragment in review (or approved, not yet scheduled) back to its author as a draft."""
    actor = require_role(actor, Role.EDITOR)
    if fragment.status not in (FragmentStatus.IN_REVIEW, FragmentStatus.APPROVED):
        raise ConflictError("Changes can be requested on a fragment in review or approved.")
    text = _clean_comment(comment, required=True)
    session.add(
        FragmentApproval(
            fragment=fragment,
            version=fragment.version,
            step=len(current_approvals(session, fragment)) + 1,
            decision=ApprovalDecision.CHANGES_REQUESTED,
            approver=actor,
            comment=text,
            created_at=now,
        )
    )
    fragment.status = FragmentStatus.DRAFT
    session.flush()
    record_event(session, actor, "fragment.request_changes", fragment)
    return fragment
