"""Resolving deliveries against the real database: mark as posted writes the archive, retry gets
a new idempotency key, cancel puts the fragment back to approved, and bad input is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.approval import services as approval_services
from planner.errors import ConflictError, PermissionDeniedError, ValidationError
from planner.fragments.models import FragmentStatus
from planner.publishing import deliveries
from planner.publishing.models import DeliveryState, Publication
from planner.scheduling import planning
from tests import factories as make

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _scheduled(db: Session, editor: User, *, publisher_kind: str = "manual"):  # type: ignore[no-untyped-def]
    channel = make.channel(db, editor, publisher_kind=publisher_kind)
    fragment = make.fragment(db, editor, channel)
    other = make.second_editor(db)
    approval_services.approve_fragment(db, other, fragment, NOW)
    return planning.schedule_fragment(db, editor, fragment, NOW + timedelta(hours=1), NOW)


def test_by_hand_list_shows_manual_deliveries_due_soon(db: Session, editor: User) -> None:
    delivery = _scheduled(db, editor)
    assert deliveries.list_by_hand(db, editor, NOW) == [delivery]
    assert deliveries.list_by_hand(db, editor, NOW - timedelta(days=3)) == []
    assert deliveries.list_attention(db, editor, NOW) == []
    assert deliveries.list_attention(db, editor, NOW + timedelta(hours=2)) == [delivery]


def test_by_hand_list_skips_channels_with_a_publisher(db: Session, editor: User) -> None:
    _scheduled(db, editor, publisher_kind="webhook")
    assert deliveries.list_by_hand(db, editor, NOW) == []


def test_mark_posted_sends_and_archives_with_approvers(db: Session, editor: User) -> None:
    delivery = _scheduled(db, editor)
    deliveries.resolve_delivery(
        db, editor, delivery, "mark_posted", NOW, url="https://social.example/@z/1"
    )
    assert delivery.state == DeliveryState.SENT
    assert delivery.fragment.status == FragmentStatus.PUBLISHED
    record = db.scalar(select(Publication).where(Publication.delivery_id == delivery.id))
    assert record is not None
    assert record.method == "by_hand"
    assert record.recorded_by_id == editor.id
    assert record.approvers == ["Sam Second"]
    assert record.parts == [make.CLEAN_TEXT]
    assert record.remote_url == "https://social.example/@z/1"
    with pytest.raises(ConflictError):
        deliveries.mark_posted(db, editor, delivery, "https://social.example/@z/2", NOW)


@pytest.mark.parametrize("url", ["", "social.example/1", "javascript:alert(1)", "ftp://x.example/"])
def test_mark_posted_refuses_what_is_not_a_web_address(db: Session, editor: User, url: str) -> None:
    delivery = _scheduled(db, editor)
    with pytest.raises(ValidationError) as caught:
        deliveries.mark_posted(db, editor, delivery, url, NOW)
    assert caught.value.field == "url"
    assert delivery.state == DeliveryState.PENDING


def test_retry_gets_a_new_key_and_is_refused_for_a_pending_delivery(
    db: Session, editor: User
) -> None:
    delivery = _scheduled(db, editor)
    with pytest.raises(ConflictError):
        deliveries.retry_delivery(db, editor, delivery, NOW)
    delivery.state = DeliveryState.NEEDS_CHECK
    delivery.fragment.status = FragmentStatus.FAILED
    old_key = delivery.idempotency_key
    later = NOW + timedelta(hours=3)
    deliveries.resolve_delivery(db, editor, delivery, "retry", later)
    assert delivery.state == DeliveryState.PENDING
    assert delivery.not_before == later
    assert delivery.idempotency_key != old_key
    assert delivery.fragment.status == FragmentStatus.SCHEDULED


def test_cancel_puts_the_fragment_back_to_approved(db: Session, editor: User) -> None:
    delivery = _scheduled(db, editor)
    deliveries.resolve_delivery(db, editor, delivery, "cancel", NOW)
    assert delivery.state == DeliveryState.CANCELLED
    assert delivery.fragment.status == FragmentStatus.APPROVED
    assert delivery.fragment.scheduled_at is None
    with pytest.raises(ConflictError):
        deliveries.cancel_delivery(db, editor, delivery, NOW)


def test_sending_delivery_cannot_be_touched(db: Session, editor: User) -> None:
    delivery = _scheduled(db, editor)
    delivery.state = DeliveryState.SENDING
    for action in ("cancel", "mark_posted"):
        with pytest.raises(ConflictError):
            deliveries.resolve_delivery(db, editor, delivery, action, NOW, url="https://x.example/")


def test_unknown_action_and_contributor_are_refused(
    db: Session, editor: User, contributor: User
) -> None:
    delivery = _scheduled(db, editor)
    with pytest.raises(ValidationError):
        deliveries.resolve_delivery(db, editor, delivery, "explode", NOW)
    with pytest.raises(PermissionDeniedError):
        deliveries.resolve_delivery(db, contributor, delivery, "cancel", NOW)
