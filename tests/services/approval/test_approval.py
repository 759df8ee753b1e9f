"""Approval as services, on the real database: who may approve, how many steps a channel needs,
and requests for changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.approval import services as approval_services
from planner.approval.models import ApprovalDecision, FragmentApproval
from planner.errors import ConflictError, PermissionDeniedError, ValidationError
from planner.fragments import services
from planner.fragments.models import FragmentStatus
from tests import factories as make

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_nobody_approves_their_own_fragment(db: Session, editor: User) -> None:
    fragment = make.review_fragment(db, editor)
    with pytest.raises(PermissionDeniedError):
        approval_services.approve_fragment(db, editor, fragment, NOW)
    assert fragment.status == FragmentStatus.IN_REVIEW


def test_one_step_approval_by_another_editor(
    db: Session, editor: User, second_editor: User
) -> None:
    fragment = make.review_fragment(db, editor)
    approval_services.approve_fragment(db, second_editor, fragment, NOW, comment="Mooi.")
    assert fragment.status == FragmentStatus.APPROVED
    [approval] = approval_services.current_approvals(db, fragment)
    assert approval.approver == second_editor
    assert approval.version == fragment.version


def test_two_steps_need_two_different_editors(
    db: Session, editor: User, second_editor: User, third_editor: User
) -> None:
    fragment = make.review_fragment(db, editor, steps=2)
    approval_services.approve_fragment(db, second_editor, fragment, NOW)
    assert fragment.status == FragmentStatus.IN_REVIEW
    with pytest.raises(ConflictError):
        approval_services.approve_fragment(db, second_editor, fragment, NOW)
    approval_services.approve_fragment(db, third_editor, fragment, NOW)
    assert fragment.status == FragmentStatus.APPROVED
    assert [a.step for a in approval_services.current_approvals(db, fragment)] == [1, 2]


def test_a_draft_must_be_submitted_before_approval(
    db: Session, editor: User, second_editor: User
) -> None:
    fragment = make.review_fragment(db, editor, submit=False)
    with pytest.raises(ConflictError):
        approval_services.approve_fragment(db, second_editor, fragment, NOW)


def test_the_brand_gate_refuses_approval(db: Session, editor: User, second_editor: User) -> None:
    fragment = make.review_fragment(db, editor)
    # An error-level finding put back after review (a fragment in review can still be edited).
    services.update_fragment(
        db, editor, fragment, parts=["x" * 600], expected_version=fragment.version
    )
    with pytest.raises(ConflictError) as refused:
        approval_services.approve_fragment(db, second_editor, fragment, NOW)
    assert refused.value.details["action"] == "approve"
    assert any(f["check"] == "Channel.Length" for f in refused.value.details["findings"])
    assert fragment.status == FragmentStatus.IN_REVIEW


def test_request_changes_returns_it_as_a_draft_with_the_comment(
    db: Session, editor: User, second_editor: User
) -> None:
    fragment = make.review_fragment(db, editor)
    with pytest.raises(ValidationError):
        approval_services.request_changes(db, second_editor, fragment, NOW, "   ")
    approval_services.request_changes(db, second_editor, fragment, NOW, "Noem de openingstijden.")
    assert fragment.status == FragmentStatus.DRAFT
    decision = db.scalar(select(FragmentApproval).where(FragmentApproval.fragment == fragment))
    assert decision is not None
    assert decision.decision == ApprovalDecision.CHANGES_REQUESTED
    assert decision.comment == "Noem de openingstijden."


def test_a_contributor_cannot_approve(db: Session, editor: User, contributor: User) -> None:
    fragment = make.review_fragment(db, editor)
    with pytest.raises(PermissionDeniedError):
        approval_services.approve_fragment(db, contributor, fragment, NOW)
