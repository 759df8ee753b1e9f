"""Four eyes that cannot be bypassed (issue 12, items 1-3), against the real database.

"Own" text is whatever someone wrote or edited since the last approval; reviewer links are no way
around that; a reviewer's typed name is never a staff approval; a used link is spent; and every
decision names the version it was made on.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.approval import reviewer_links
from planner.approval import services as approval_services
from planner.approval.models import REVIEWER_MARK
from planner.errors import ConflictError, PermissionDeniedError
from planner.fragments import services as fragment_services
from planner.fragments.models import FragmentStatus
from planner.publishing.deliveries import mark_posted
from planner.publishing.models import Publication
from planner.scheduling import planning
from tests import factories as make
from tests.factories import CLEAN_TEXT

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
EDITED = "Nieuwe bankjes in het Havenpark: kom ze zaterdag allemaal proberen."


def test_an_editor_who_rewrote_a_colleagues_fragment_in_review_cannot_approve_it(
    db: Session, editor: User, second_editor: User, third_editor: User
) -> None:
    fragment = make.fragment(db, editor)
    fragment_services.update_fragment(db, second_editor, fragment, parts=[EDITED])
    assert fragment.status == FragmentStatus.IN_REVIEW
    for author in (editor, second_editor):
        with pytest.raises(PermissionDeniedError, match="wrote or edited"):
            approval_services.approve_fragment(db, author, fragment, NOW)
    approval_services.approve_fragment(db, third_editor, fragment, NOW)
    assert fragment.status == FragmentStatus.APPROVED


def test_after_an_approval_only_the_later_authors_are_excluded(
    db: Session, editor: User, second_editor: User, third_editor: User
) -> None:
    fragment = make.fragment(db, editor)
    approval_services.approve_fragment(db, second_editor, fragment, NOW)
    approval_services.request_changes(db, third_editor, fragment, NOW, "Noem het park.")
    fragment_services.update_fragment(db, second_editor, fragment, parts=[EDITED])
    fragment_services.submit_for_review(db, second_editor, fragment)
    assert approval_services.authors_since_approval(db, fragment) == {second_editor.id}
    with pytest.raises(PermissionDeniedError):
        approval_services.approve_fragment(db, second_editor, fragment, NOW)
    # The creator reads the colleague's change: her own text was approved before.
    approval_services.approve_fragment(db, editor, fragment, NOW)
    assert fragment.status == FragmentStatus.APPROVED


def test_self_approval_through_ones_own_reviewer_link_is_refused(db: Session, editor: User) -> None:
    """The reproduction: refused on approving, she makes a link to approve under another name."""
    fragment = make.fragment(db, editor)
    with pytest.raises(PermissionDeniedError):
        approval_services.approve_fragment(db, editor, fragment, NOW)
    with pytest.raises(PermissionDeniedError, match="colleague who did not"):
        reviewer_links.create_review_link(db, editor, fragment, NOW)
    assert reviewer_links.list_review_links(db, editor, fragment) == []


def test_a_link_whose_maker_then_edited_the_text_never_approves_it(
    db: Session, editor: User, second_editor: User
) -> None:
    fragment = make.fragment(db, editor)
    _link, token = reviewer_links.create_review_link(db, second_editor, fragment, NOW)
    fragment_services.update_fragment(db, second_editor, fragment, parts=[EDITED])
    with pytest.raises(ConflictError, match="has since edited"):
        reviewer_links.approve_as_reviewer(db, token, "Mehmet", NOW, seen_version=fragment.version)
    assert fragment.status == FragmentStatus.IN_REVIEW
    assert approval_services.current_approvals(db, fragment) == []


def test_a_used_link_is_spent(db: Session, editor: User, second_editor: User) -> None:
    fragment = make.fragment(db, editor)
    link, token = reviewer_links.create_review_link(db, second_editor, fragment, NOW)
    reviewer_links.comment_as_reviewer(db, token, "Mehmet", "Graag mijn achternaam erbij.", NOW)
    assert link.used_at == NOW
    assert not link.is_open(NOW)
    with pytest.raises(ConflictError, match="already been used"):
        reviewer_links.open_review_link(db, token, NOW)
    with pytest.raises(ConflictError, match="already been used"):
        reviewer_links.approve_as_reviewer(db, token, "Mehmet", NOW)


def test_a_reviewers_typed_name_is_marked_as_a_reviewer_up_to_the_archive(
    db: Session, editor: User, second_editor: User
) -> None:
    fragment = make.fragment(db, editor)
    _link, token = reviewer_links.create_review_link(db, second_editor, fragment, NOW)
    # A reviewer may type a staff member's name; it still reads as a reviewer's.
    approval = reviewer_links.approve_as_reviewer(
        db, token, "Sam Second", NOW, seen_version=fragment.version
    )
    assert approval.is_reviewer
    assert approval.review_link_id == _link.id
    assert fragment.status == FragmentStatus.APPROVED
    delivery = planning.schedule_fragment(
        db, second_editor, fragment, NOW + timedelta(hours=1), NOW
    )
    mark_posted(db, second_editor, delivery, "https://social.example/@gemeente/1", NOW)
    db.flush()
    publication = db.query(Publication).filter_by(fragment_id=fragment.id).one()
    assert publication.approvers == [f"Sam Second {REVIEWER_MARK}"]


def test_an_approval_names_the_version_it_was_made_on(
    db: Session, editor: User, second_editor: User, third_editor: User
) -> None:
    fragment = make.fragment(db, editor)
    read = fragment.version
    fragment_services.update_fragment(db, editor, fragment, parts=[EDITED])
    with pytest.raises(ConflictError) as refused:
        approval_services.approve_fragment(db, second_editor, fragment, NOW, seen_version=read)
    assert refused.value.details["version"] == fragment.version
    _link, token = reviewer_links.create_review_link(db, third_editor, fragment, NOW)
    with pytest.raises(ConflictError, match="changed after you read it"):
        reviewer_links.approve_as_reviewer(db, token, "Mehmet", NOW, seen_version=read)
    assert fragment.status == FragmentStatus.IN_REVIEW
    approval_services.approve_fragment(
        db, second_editor, fragment, NOW, seen_version=fragment.version
    )
    assert fragment.status == FragmentStatus.APPROVED


def test_shortfall_counts_only_other_peoples_eyes(
    db: Session, editor: User, second_editor: User
) -> None:
    channel = make.channel(db, editor, approval_steps=1)
    fragment = make.fragment(db, editor, channel)
    assert "0 of the 1 approvals" in (
        approval_services.approval_shortfall(db, fragment, fragment.version) or ""
    )
    # Even a status forced past the rules does not make an author's approval count.
    from planner.approval.models import ApprovalDecision, FragmentApproval

    db.add(
        FragmentApproval(
            fragment=fragment,
            version=fragment.version,
            step=1,
            decision=ApprovalDecision.APPROVED,
            approver=editor,
            created_at=NOW,
        )
    )
    db.flush()
    assert approval_services.approval_shortfall(db, fragment, fragment.version) is not None
    approval_services.approve_fragment(db, second_editor, fragment, NOW)
    assert approval_services.approval_shortfall(db, fragment, fragment.version) is None
    assert CLEAN_TEXT in fragment.parts
