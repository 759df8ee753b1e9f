"""The race that published unapproved text (issue 12, item 4), on a committed database.

An approval and an edit of the same fragment arrive together, in two threads with a connection
each. Before the fence, PostgreSQL left the fragment "approved" at version 2 with only a version-1
approval, and the engine sent the unapproved text. Now the fragment row is locked for every
status change, so one of the two wins and the other is refused; and the engine, asked to send a
version short of approvals anyway, fails the delivery with the reason and sends nothing.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from planner.accounts.models import Role, User
from planner.accounts.services import create_user
from planner.approval import services as approval_services
from planner.approval.models import ApprovalDecision, FragmentApproval
from planner.blog.services import BlogPublisher
from planner.clock import FrozenClock
from planner.db import write_session
from planner.errors import ConflictError, PermissionDeniedError
from planner.fragments import services as fragment_services
from planner.fragments.models import Fragment, FragmentStatus
from planner.publishing.engine import EngineConfig, publish_due
from planner.publishing.models import Delivery, DeliveryState, Publication
from planner.publishing.registry import PublisherRegistry
from planner.scheduling import planning
from tests.factories import CLEAN_TEXT, engine_channel, story
from tests.fakes.webhook import Receiver
from tests.services.publishing.conftest import Live

TRIES = 15
EDITED = "Nieuwe bankjes in het Havenpark: kom ze zaterdag allemaal proberen."


def _people(live: Live) -> tuple[User, User]:
    with live.factory.begin() as session:
        author = create_user(
            session, None, email="a@example.org", name="Anna", role=Role.EDITOR, password="x" * 12
        )
        approver = create_user(
            session, None, email="b@example.org", name="Bram", role=Role.EDITOR, password="x" * 12
        )
    return author, approver


def _in_review(live: Live, author: User, channel_id: int) -> int:
    with live.factory.begin() as session:
        made = fragment_services.split_story(session, author, story(session), [channel_id])[0]
        fragment_services.update_fragment(session, author, made, parts=[CLEAN_TEXT])
        fragment_services.submit_for_review(session, author, made)
        return made.id


def _race(live: Live, fragment_id: int, author: User, approver: User, now: Any) -> list[str]:
    """Approve (as read at version 2) and edit (from version 2) at the same moment."""
    barrier = threading.Barrier(2, timeout=10)
    outcome: list[str] = []

    def approve() -> None:
        barrier.wait()
        try:
            with write_session(live.factory) as session:
                fragment = session.get(Fragment, fragment_id)
                assert fragment is not None
                approval_services.approve_fragment(session, approver, fragment, now, seen_version=2)
            outcome.append("approved")
        except (ConflictError, PermissionDeniedError):
            outcome.append("approve refused")

    def edit() -> None:
        barrier.wait()
        try:
            with write_session(live.factory) as session:
                fragment = session.get(Fragment, fragment_id)
                assert fragment is not None
                fragment_services.update_fragment(
                    session, author, fragment, parts=[EDITED], expected_version=2
                )
            outcome.append("edited")
        except ConflictError:
            outcome.append("edit refused")

    threads = [threading.Thread(target=approve), threading.Thread(target=edit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    return sorted(outcome)


def test_approve_and_edit_together_never_leave_unapproved_text_approved(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    author, approver = _people(live)
    with live.factory.begin() as session:
        channel = engine_channel(session, url=receiver.url)
        channel.approval_steps = 1
        channel_id = channel.id
    seen: set[tuple[str, ...]] = set()
    for _ in range(TRIES):
        fragment_id = _in_review(live, author, channel_id)
        outcome = _race(live, fragment_id, author, approver, frozen.now())
        seen.add(tuple(outcome))
        with live.factory() as session:
            fragment = session.get(Fragment, fragment_id)
            assert fragment is not None
            approvals = approval_services.current_approvals(session, fragment)
            if fragment.status == FragmentStatus.APPROVED:
                assert outcome == ["approved", "edit refused"]
                assert (fragment.version, fragment.parts) == (2, [CLEAN_TEXT])
                assert [a.version for a in approvals] == [2]
            else:
                assert outcome == ["approve refused", "edited"]
                assert (fragment.status, fragment.version) == (FragmentStatus.IN_REVIEW, 3)
                assert approvals == []
    # Whatever won, the approved fragment goes out with the text that was approved.
    with live.factory.begin() as session:
        approved = session.scalars(
            select(Fragment).where(Fragment.status == FragmentStatus.APPROVED)
        ).all()
        for fragment in approved:
            planning.schedule_fragment(
                session, approver, fragment, frozen.now() + timedelta(minutes=1), frozen.now()
            )
    frozen.advance(timedelta(minutes=2))
    report = publish_due(
        live.factory, frozen, registry.build, worker="race", config=EngineConfig(concurrency=1)
    )
    assert report.sent == len(approved)
    assert report.failed == 0
    with live.factory() as session:
        assert {tuple(p.parts) for p in session.scalars(select(Publication))} <= {(CLEAN_TEXT,)}


def test_the_engine_refuses_a_version_without_the_approvals_its_channel_needs(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    """What the race used to leave behind, written straight to the tables: "scheduled" at
    version 3 with an approval of version 2 only. The delivery fails with the reason."""
    author, approver = _people(live)
    with live.factory.begin() as session:
        channel = engine_channel(session, url=receiver.url)
        channel.approval_steps = 1
        channel_id = channel.id
    fragment_id = _in_review(live, author, channel_id)
    with live.factory.begin() as session:
        fragment = session.get(Fragment, fragment_id)
        assert fragment is not None
        session.add(
            FragmentApproval(
                fragment=fragment,
                version=2,
                step=1,
                decision=ApprovalDecision.APPROVED,
                approver_id=approver.id,
                created_at=frozen.now(),
            )
        )
        fragment.parts = [EDITED]
        fragment.version = 3
        fragment.status = FragmentStatus.SCHEDULED
        fragment.scheduled_at = frozen.now()
        session.add(
            Delivery(
                fragment=fragment,
                channel_id=channel_id,
                due_at=frozen.now(),
                not_before=frozen.now(),
                state=DeliveryState.PENDING,
                fragment_version=3,
            )
        )
    report = publish_due(
        live.factory,
        frozen,
        registry.build,
        worker="refuse",
        config=EngineConfig(concurrency=1),
        local={"blog": BlogPublisher()},
    )
    assert (report.sent, report.failed) == (0, 1)
    assert receiver.raw_counts() == {}
    with live.factory() as session:
        delivery = session.scalars(select(Delivery)).one()
        fragment = session.get(Fragment, fragment_id)
        assert fragment is not None
        assert delivery.state == DeliveryState.FAILED
        assert "0 of the 1 approvals" in (delivery.last_error or "")
        assert fragment.status == FragmentStatus.FAILED
        assert session.scalars(select(Publication)).all() == []
