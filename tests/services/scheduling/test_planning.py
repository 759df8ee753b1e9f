"""Planning as services, on the real database: scheduling writes exactly one live delivery row
with the fragment, refuses the past, naive times and unapproved fragments, and leaves a
delivery that is being sent alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.approval import services as approval_services
from planner.errors import ConflictError, ValidationError
from planner.fragments.models import Fragment, FragmentStatus
from planner.publishing.models import Delivery, DeliveryState
from planner.scheduling import planning
from tests import factories as make

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _approved(db: Session, editor: User, approver: User) -> Fragment:
    fragment = make.review_fragment(db, editor)
    approval_services.approve_fragment(db, approver, fragment, NOW)
    return fragment


def _deliveries(db: Session, fragment: Fragment) -> list[Delivery]:
    return list(
        db.scalars(select(Delivery).where(Delivery.fragment == fragment).order_by(Delivery.id))
    )


def test_schedule_writes_one_delivery_and_moving_it_keeps_one(
    db: Session, editor: User, second_editor: User
) -> None:
    fragment = _approved(db, editor, second_editor)
    at = NOW + timedelta(days=1)
    delivery = planning.schedule_fragment(db, editor, fragment, at, NOW)
    assert fragment.status == FragmentStatus.SCHEDULED
    assert fragment.scheduled_at == at
    assert (delivery.state, delivery.due_at, delivery.fragment_version) == (
        DeliveryState.PENDING,
        at,
        fragment.version,
    )
    later = at + timedelta(hours=3)
    moved = planning.schedule_fragment(db, editor, fragment, later, NOW)
    assert moved.id == delivery.id
    assert (moved.due_at, moved.not_before) == (later, later)
    assert len(_deliveries(db, fragment)) == 1


def test_schedule_accepts_any_timezone_and_stores_the_instant(
    db: Session, editor: User, second_editor: User
) -> None:
    fragment = _approved(db, editor, second_editor)
    local = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    planning.schedule_fragment(db, editor, fragment, local, NOW)
    db.expire_all()
    stored = db.get(Fragment, fragment.id)
    assert stored is not None
    assert stored.scheduled_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("when", [NOW, NOW - timedelta(minutes=1)])
def test_schedule_refuses_the_past(
    db: Session, editor: User, second_editor: User, when: datetime
) -> None:
    fragment = _approved(db, editor, second_editor)
    with pytest.raises(ValidationError):
        planning.schedule_fragment(db, editor, fragment, when, NOW)
    assert _deliveries(db, fragment) == []


def test_schedule_refuses_a_naive_time(db: Session, editor: User, second_editor: User) -> None:
    fragment = _approved(db, editor, second_editor)
    with pytest.raises(ValidationError):
        planning.schedule_fragment(db, editor, fragment, datetime(2027, 1, 1, 10, 0), NOW)


def test_schedule_refuses_unapproved_unless_the_channel_needs_no_approval(
    db: Session, editor: User
) -> None:
    fragment = make.review_fragment(db, editor)
    with pytest.raises(ConflictError):
        planning.schedule_fragment(db, editor, fragment, NOW + timedelta(days=1), NOW)
    free = make.review_fragment(db, editor, steps=0, submit=False)
    planning.schedule_fragment(db, editor, free, NOW + timedelta(days=1), NOW)
    assert free.status == FragmentStatus.SCHEDULED


def test_withdrawn_consent_stops_scheduling(db: Session, editor: User, second_editor: User) -> None:
    fragment = _approved(db, editor, second_editor)
    fragment.story.consent_withdrawn_at = NOW
    with pytest.raises(ConflictError):
        planning.schedule_fragment(db, editor, fragment, NOW + timedelta(days=1), NOW)


def test_unschedule_cancels_the_delivery_and_keeps_the_approval(
    db: Session, editor: User, second_editor: User
) -> None:
    fragment = _approved(db, editor, second_editor)
    planning.schedule_fragment(db, editor, fragment, NOW + timedelta(days=1), NOW)
    planning.unschedule_fragment(db, editor, fragment, NOW)
    assert fragment.status == FragmentStatus.APPROVED
    assert fragment.scheduled_at is None
    assert [d.state for d in _deliveries(db, fragment)] == [DeliveryState.CANCELLED]
    planning.schedule_fragment(db, editor, fragment, NOW + timedelta(days=2), NOW)
    assert [d.state for d in _deliveries(db, fragment)] == [
        DeliveryState.CANCELLED,
        DeliveryState.PENDING,
    ]


def test_a_delivery_being_sent_cannot_be_moved_or_cancelled(
    db: Session, editor: User, second_editor: User
) -> None:
    fragment = _approved(db, editor, second_editor)
    delivery = planning.schedule_fragment(db, editor, fragment, NOW + timedelta(days=1), NOW)
    delivery.state = DeliveryState.SENDING
    db.flush()
    with pytest.raises(ConflictError):
        planning.schedule_fragment(db, editor, fragment, NOW + timedelta(days=2), NOW)
    with pytest.raises(ConflictError):
        planning.unschedule_fragment(db, editor, fragment, NOW)
    assert delivery.state == DeliveryState.SENDING


def test_the_database_allows_one_live_delivery_per_fragment(
    db: Session, editor: User, second_editor: User
) -> None:
    fragment = _approved(db, editor, second_editor)
    planning.schedule_fragment(db, editor, fragment, NOW + timedelta(days=1), NOW)
    with db.begin_nested():
        db.add(
            Delivery(
                fragment=fragment,
                channel=fragment.channel,
                due_at=NOW + timedelta(days=3),
                not_before=NOW + timedelta(days=3),
                state=DeliveryState.RETRYING,
                fragment_version=fragment.version,
            )
        )
        with pytest.raises(IntegrityError):
            db.flush()
    live = db.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.fragment == fragment, Delivery.state == DeliveryState.PENDING)
    )
    assert live == 1
