"""The rapid-response lane: an urgent fragment calls every approver at once, the four-eyes rule
still holds, and after approval "Nu publiceren" puts it out now, waking the engine (PostgreSQL
NOTIFY, SQLite short poll) instead of waiting for the scheduler's next tick."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner import create_app
from planner.accounts.models import User
from planner.approval import services as approval_services
from planner.db import write_session
from planner.errors import ConflictError, PermissionDeniedError
from planner.fragments import services as fragment_services
from planner.fragments.models import Fragment, FragmentStatus
from planner.jobs import runner
from planner.notifications.models import Notification, NotificationKind
from planner.publishing.models import Delivery, DeliveryState
from planner.publishing.registry import PublisherRegistry
from planner.scheduling import planning
from planner.web import runtime
from tests import factories as make
from tests.conftest import make_settings
from tests.fakes.webhook import Receiver
from tests.services.publishing.conftest import Live

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _urgent(db: Session, author: User) -> Fragment:
    made = make.review_fragment(db, author, submit=False)
    made.is_urgent = True
    db.flush()
    return made


def test_an_urgent_submission_notifies_every_approver_but_the_author_at_once(
    db: Session, editor: User, second_editor: User, third_editor: User, contributor: User
) -> None:
    fragment = _urgent(db, editor)
    fragment_services.submit_for_review(db, editor, fragment)
    rows = db.scalars(
        select(Notification).where(Notification.kind == NotificationKind.REVIEW_REQUESTED)
    ).all()
    assert sorted(n.user_id for n in rows) == sorted([second_editor.id, third_editor.id])
    assert all(n.urgent for n in rows)
    assert all(n.title.startswith("Spoed") for n in rows)
    assert all(n.link == f"/fragments/{fragment.id}" for n in rows)


def test_publish_now_keeps_the_four_eyes_rule_and_goes_out_now_after_approval(
    db: Session, editor: User, second_editor: User
) -> None:
    fragment = _urgent(db, editor)
    fragment_services.submit_for_review(db, editor, fragment)
    with pytest.raises(ConflictError):  # not approved yet
        planning.publish_now(db, editor, fragment, NOW)
    with pytest.raises(PermissionDeniedError):  # the author cannot approve their own statement
        approval_services.approve_fragment(db, editor, fragment, NOW)
    approval_services.approve_fragment(db, second_editor, fragment, NOW)
    assert fragment.status == FragmentStatus.APPROVED
    delivery = planning.publish_now(db, editor, fragment, NOW)
    assert delivery.due_at == NOW
    assert delivery.not_before == NOW
    assert delivery.state == DeliveryState.PENDING
    assert fragment.status == FragmentStatus.SCHEDULED


def test_publish_now_is_only_for_urgent_fragments(
    db: Session, editor: User, second_editor: User
) -> None:
    fragment = make.review_fragment(db, editor)
    approval_services.approve_fragment(db, second_editor, fragment, NOW)
    with pytest.raises(ConflictError):
        planning.publish_now(db, editor, fragment, NOW)


def test_the_woken_engine_publishes_within_seconds_not_at_the_next_tick(
    live: Live, receiver: Receiver, tmp_path: Path
) -> None:
    """The scheduler ticks once an hour here; the arrival within seconds is the wake-up."""
    app = create_app(
        make_settings(
            tmp_path,
            database_url=live.url,
            scheduler_interval_seconds=3600.0,
            extra={"publishers": PublisherRegistry(make.box(), allow_loopback=True)},
        )
    )
    factory = runtime.session_factory(app)
    with factory.begin() as session:
        author = make.inbox_editor(session)
        channel = make.engine_channel(session, url=receiver.url)
        story = make.story(session, "Geen afvalstaking")
        fragment = fragment_services.split_story(session, author, story, [channel.id])[0]
        fragment.is_urgent = True
        fragment_id, author_id = fragment.id, author.id
    scheduler = runner.start_embedded(app)
    assert scheduler is not None
    try:
        time.sleep(1.0)  # the first tick ran at start; the next one is an hour away
        assert receiver.arrivals == []
        started = time.monotonic()
        with write_session(factory) as session:
            actor = session.get(User, author_id)
            planning.publish_now(
                session, actor, session.get(Fragment, fragment_id), datetime.now(UTC)
            )
        assert make.wait_for(lambda: len(receiver.arrivals) == 1, timeout=15)
        elapsed = time.monotonic() - started
        print(f"publish-now to arrival on {live.backend}: {elapsed:.2f} s")

        def sent() -> bool:
            with factory() as session:
                return (
                    session.scalar(
                        select(Delivery.state).where(Delivery.fragment_id == fragment_id)
                    )
                    == DeliveryState.SENT
                )

        assert make.wait_for(sent, timeout=10)
    finally:
        scheduler.shutdown(wait=False)
        runner.tasks.stop_waker(app)
        runtime.session_factory(app).kw["bind"].dispose()
