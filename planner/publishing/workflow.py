"""From review to the calendar: approve, request changes, schedule and unschedule a fragment.

These are the transitions editors make by hand. Each one passes the brand gate
(planner.fragments.services.require_gate_clear) and writes what the publishing engine needs in
the same transaction: scheduling a fragment writes its delivery row, unscheduling cancels it. A
delivery that is already being sent is never moved or cancelled from here; publishing.md's fencing
rule decides that, so the outcome does not depend on who was faster.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.errors import ConflictError, PermissionDeniedError, ValidationError
from planner.fragments.models import Fragment, FragmentStatus
from planner.fragments.services import require_gate_clear
from planner.publishing.models import (
    ACTIVE_DELIVERY_STATES,
    ApprovalDecision,
    Delivery,
    DeliveryState,
    FragmentApproval,
)

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


def _check_consent(fragment: Fragment) -> None:
    if fragment.story.consent_withdrawn_at is not None:
        raise ConflictError(
            "Consent for this story was withdrawn; nothing made from it can be published."
        )


def approve_fragment(
    session: Session,
    actor: User | None,
    fragment: Fragment,
    now: datetime,
    *,
    comment: str | None = None,
) -> Fragment:
    """Record one approval; the last required step moves the fragment to approved.

    Nobody approves their own fragment, and nobody fills two steps of the same version.
    """
    actor = require_role(actor, Role.EDITOR)
    if fragment.status not in (FragmentStatus.DRAFT, FragmentStatus.IN_REVIEW):
        raise ConflictError("Only a draft or a fragment in review can be approved.")
    _check_consent(fragment)
    needed = approvals_needed(fragment)
    if needed and fragment.created_by_id == actor.id:
        raise PermissionDeniedError("Nobody approves their own fragment: ask another editor.")
    if needed and fragment.status != FragmentStatus.IN_REVIEW:
        raise ConflictError("Submit the fragment for review before it can be approved.")
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


def active_delivery(session: Session, fragment: Fragment) -> Delivery | None:
    return session.scalar(
        select(Delivery).where(
            Delivery.fragment_id == fragment.id, Delivery.state.in_(ACTIVE_DELIVERY_STATES)
        )
    )


def schedule_fragment(
    session: Session, actor: User | None, fragment: Fragment, at: datetime, now: datetime
) -> Delivery:
    """Put an approved fragment on the calendar at ``at`` (an aware instant), or move it there.

    Writes or moves the delivery row in the same transaction. Refused: times in the past, a
    fragment that is not approved (unless its channel needs no approval), the brand gate, withdrawn
    consent, and a fragment whose delivery is being sent right now.
    """
    actor = require_role(actor, Role.EDITOR)
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValidationError("A publication time needs its timezone.", field="at")
    if at <= now:
        raise ValidationError("Choose a time in the future.", field="at")
    _check_consent(fragment)
    allowed = {FragmentStatus.APPROVED, FragmentStatus.SCHEDULED}
    if approvals_needed(fragment) == 0:
        allowed |= {FragmentStatus.DRAFT, FragmentStatus.IN_REVIEW}
    if fragment.status not in allowed:
        raise ConflictError("Only an approved fragment can be scheduled.")
    if not fragment.channel.is_active:
        raise ConflictError("This channel is switched off; switch it on to plan on it.")
    require_gate_clear(session, fragment, "schedule")
    delivery = active_delivery(session, fragment)
    if delivery is not None and delivery.state == DeliveryState.SENDING:
        raise ConflictError("This fragment is being published right now; it cannot be moved.")
    if delivery is None:
        delivery = Delivery(
            fragment=fragment,
            channel=fragment.channel,
            due_at=at,
            not_before=at,
            state=DeliveryState.PENDING,
            fragment_version=fragment.version,
            scheduled_by=actor,
            created_at=now,
        )
        session.add(delivery)
    else:
        delivery.due_at = at
        delivery.not_before = at
        delivery.state = DeliveryState.PENDING
        delivery.fragment_version = fragment.version
        delivery.last_error = None
    previous = fragment.scheduled_at
    fragment.scheduled_at = at
    fragment.status = FragmentStatus.SCHEDULED
    session.flush()
    record_event(
        session,
        actor,
        "fragment.schedule" if previous is None else "fragment.reschedule",
        fragment,
        at=at.isoformat(),
        previous=previous.isoformat() if previous else None,
    )
    return delivery


def unschedule_fragment(
    session: Session, actor: User | None, fragment: Fragment, now: datetime
) -> Fragment:
    """Take a scheduled fragment off the calendar: it stays approved, its delivery is cancelled."""
    actor = require_role(actor, Role.EDITOR)
    if fragment.status != FragmentStatus.SCHEDULED:
        raise ConflictError("This fragment is not scheduled.")
    delivery = active_delivery(session, fragment)
    if delivery is not None:
        if delivery.state == DeliveryState.SENDING:
            raise ConflictError("This fragment is being published right now; it cannot be moved.")
        delivery.state = DeliveryState.CANCELLED
        delivery.updated_at = now
    fragment.scheduled_at = None
    fragment.status = FragmentStatus.APPROVED
    session.flush()
    record_event(session, actor, "fragment.unschedule", fragment)
    return fragment
