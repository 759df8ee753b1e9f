"""Reviewer links against the real database: the token is stored hashed, a reviewer fills one
approval step at most, and the brand gate and consent rules hold for them as for editors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.approval import reviewer_links
from planner.approval import services as approval_services
from planner.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from planner.fragments.models import FragmentStatus
from tests import factories as make

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_token_is_stored_only_as_its_hash(db: Session, editor: User, second_editor: User) -> None:
    fragment = make.fragment(db, editor)
    link, token = reviewer_links.create_review_link(db, second_editor, fragment, NOW)
    assert token not in link.token_hash
    assert link.token_hash == reviewer_links.hash_token(token)
    assert reviewer_links.open_review_link(db, token, NOW) is link
    with pytest.raises(NotFoundError):
        reviewer_links.open_review_link(db, token + "x", NOW)


def test_contributor_cannot_make_links_and_days_are_bounded(
    db: Session, editor: User, second_editor: User, contributor: User
) -> None:
    fragment = make.fragment(db, editor)
    with pytest.raises(PermissionDeniedError):
        reviewer_links.create_review_link(db, contributor, fragment, NOW)
    with pytest.raises(ValidationError):
        reviewer_links.create_review_link(db, second_editor, fragment, NOW, days=61)


def test_reviewer_fills_one_step_of_two_and_an_editor_the_other(
    db: Session, editor: User, second_editor: User
) -> None:
    channel = make.channel(db, editor, approval_steps=2)
    fragment = make.fragment(db, editor, channel)
    _link, token = reviewer_links.create_review_link(db, second_editor, fragment, NOW)
    reviewer_links.approve_as_reviewer(db, token, "Mehmet Yilmaz", NOW)
    assert fragment.status == FragmentStatus.IN_REVIEW
    _link, other = reviewer_links.create_review_link(db, second_editor, fragment, NOW)
    with pytest.raises(ConflictError):
        reviewer_links.approve_as_reviewer(db, other, "Iemand Anders", NOW)
    approval_services.approve_fragment(db, second_editor, fragment, NOW)
    assert fragment.status == FragmentStatus.APPROVED
    assert [a.who() for a in approval_services.current_approvals(db, fragment)] == [
        "Mehmet Yilmaz",
        "Sam Second",
    ]


def test_reviewer_is_refused_after_expiry_revocation_and_withdrawn_consent(
    db: Session, editor: User, second_editor: User
) -> None:
    fragment = make.fragment(db, editor)
    link, token = reviewer_links.create_review_link(db, second_editor, fragment, NOW, days=1)
    with pytest.raises(ConflictError, match="expired"):
        reviewer_links.approve_as_reviewer(db, token, "Mehmet", NOW + timedelta(days=2))
    fragment.story.consent_withdrawn_at = NOW
    with pytest.raises(ConflictError, match="Consent"):
        reviewer_links.approve_as_reviewer(db, token, "Mehmet", NOW)
    reviewer_links.revoke_review_link(db, second_editor, link.id, NOW)
    with pytest.raises(ConflictError, match="withdrawn"):
        reviewer_links.comment_as_reviewer(db, token, "Mehmet", "Graag anders", NOW)


def test_reviewer_cannot_approve_a_draft_that_needs_review(
    db: Session, editor: User, second_editor: User
) -> None:
    fragment = make.fragment(db, editor, submit=False)
    _link, token = reviewer_links.create_review_link(db, second_editor, fragment, NOW)
    with pytest.raises(ConflictError):
        reviewer_links.approve_as_reviewer(db, token, "Mehmet", NOW)
    with pytest.raises(ValidationError):
        reviewer_links.approve_as_reviewer(db, token, "   ", NOW)
