"""Consent withdrawn stops everything at once (issue 12 item 6), on both databases: deliveries
are cancelled when the withdrawal is recorded, not when they fall due; the fragments say
"withdrawn", not failed; the by-hand list drops them; mark_posted and retry are refused; the
calendar shows them as withdrawn; and what already went out by hand is listed to take down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.approval import services as approval_services
from planner.errors import ConflictError
from planner.fragments.models import FragmentStatus
from planner.publishing import deliveries, withdrawal
from planner.publishing.models import Delivery, DeliveryState, Publication
from planner.scheduling import planning
from planner.scheduling import services as scheduling
from planner.stories import privacy
from tests import factories as make

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _scheduled(db: Session, editor: User, *, publisher_kind: str = "manual") -> Delivery:
    channel = make.channel(db, editor, publisher_kind=publisher_kind)
    fragment = make.fragment(db, editor, channel)
    approval_services.approve_fragment(db, make.second_editor(db), fragment, NOW)
    return planning.schedule_fragment(db, editor, fragment, NOW + timedelta(days=1), NOW)


def test_withdrawing_cancels_deliveries_at_once_and_marks_fragments_withdrawn(
    db: Session, editor: User
) -> None:
    delivery = _scheduled(db, editor)
    fragment = delivery.fragment
    privacy.withdraw_consent(db, editor, fragment.story_id, NOW)
    # Not when it falls due (tomorrow): now, in the same transaction.
    assert delivery.state == DeliveryState.CANCELLED
    assert delivery.last_error == withdrawal.CONSENT_WITHDRAWN
    assert fragment.status == FragmentStatus.WITHDRAWN
    assert fragment.scheduled_at is not None  # it stays where it was planned, marked withdrawn


def test_withdrawn_story_leaves_the_by_hand_list_and_cannot_be_marked_posted(
    db: Session, editor: User
) -> None:
    delivery = _scheduled(db, editor)
    assert deliveries.list_by_hand(db, editor, NOW) == [delivery]
    privacy.withdraw_consent(db, editor, delivery.fragment.story_id, NOW)
    assert deliveries.list_by_hand(db, editor, NOW) == []
    assert deliveries.list_attention(db, editor, NOW + timedelta(days=2)) == []
    with pytest.raises(ConflictError) as caught:
        deliveries.mark_posted(db, editor, delivery, "https://social.example/@z/1", NOW)
    assert "withdrawn" in caught.value.message
    assert delivery.state == DeliveryState.CANCELLED


def test_a_failed_delivery_of_a_withdrawn_story_is_cancelled_and_cannot_be_retried(
    db: Session, editor: User
) -> None:
    delivery = _scheduled(db, editor, publisher_kind="webhook")
    delivery.state = DeliveryState.NEEDS_CHECK
    delivery.fragment.status = FragmentStatus.FAILED
    db.flush()
    privacy.withdraw_consent(db, editor, delivery.fragment.story_id, NOW)
    assert delivery.state == DeliveryState.CANCELLED
    assert delivery.fragment.status == FragmentStatus.WITHDRAWN
    for action in ("retry", "mark_posted"):
        with pytest.raises(ConflictError):
            deliveries.resolve_delivery(
                db, editor, delivery, action, NOW, url="https://social.example/@z/1"
            )


def test_the_calendar_shows_a_withdrawn_fragment_as_withdrawn(db: Session, editor: User) -> None:
    delivery = _scheduled(db, editor)
    privacy.withdraw_consent(db, editor, delivery.fragment.story_id, NOW)
    rows = scheduling.list_calendar_rows(
        db, editor, start_at=NOW, end_at=NOW + timedelta(days=7), tz="Europe/Amsterdam"
    )
    assert [(row.id, row.status) for row in rows] == [(delivery.fragment_id, "withdrawn")]
    entries = scheduling.list_calendar(db, editor, start_at=NOW, end_at=NOW + timedelta(days=7))
    assert [e.fragment.status for e in entries] == [FragmentStatus.WITHDRAWN]


def test_what_went_out_by_hand_is_listed_to_take_down_with_its_link(
    db: Session, editor: User
) -> None:
    delivery = _scheduled(db, editor)
    url = "https://social.example/@zuiderhaven/42"
    deliveries.mark_posted(db, editor, delivery, url, NOW)
    assert withdrawal.list_takedowns(db, editor) == []
    privacy.withdraw_consent(db, editor, delivery.fragment.story_id, NOW + timedelta(hours=1))
    # It went out: it stays published (the archive is true), and a person must take it down.
    assert delivery.fragment.status == FragmentStatus.PUBLISHED
    assert delivery.state == DeliveryState.SENT
    [item] = withdrawal.list_takedowns(db, editor)
    assert item.publication.remote_url == url
    assert item.story_title == delivery.fragment.story.title
    withdrawal.confirm_taken_down(db, editor, item.publication.id, NOW + timedelta(hours=2))
    assert withdrawal.list_takedowns(db, editor) == []


def test_blog_posts_need_no_take_down_and_unwithdrawn_publications_cannot_be_taken_down(
    db: Session, editor: User
) -> None:
    delivery = _scheduled(db, editor)
    deliveries.mark_posted(db, editor, delivery, "https://social.example/@z/7", NOW)
    publication = db.scalars(select(Publication).where(Publication.delivery_id == delivery.id))
    with pytest.raises(ConflictError):
        withdrawal.confirm_taken_down(db, editor, publication.one().id, NOW)
    delivery.channel.publisher_kind = "blog"
    privacy.withdraw_consent(db, editor, delivery.fragment.story_id, NOW)
    assert withdrawal.list_takedowns(db, editor) == []
