"""Both DST transitions with a clock that walks through them, and edits and cancellations that
race with sending: the fencing rule decides, never timing luck."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from planner.accounts.models import Role, User
from planner.accounts.services import create_user
from planner.blog.services import BlogPublisher
from planner.clock import FrozenClock
from planner.errors import ConflictError
from planner.fragments import services as fragment_services
from planner.fragments.models import Fragment, FragmentStatus
from planner.publishing.engine import EngineConfig, publish_due
from planner.publishing.engine.claim import claim_due
from planner.publishing.models import Delivery, DeliveryState, Publication
from planner.publishing.registry import PublisherRegistry
from planner.scheduling import planning
from planner.timekeeping.wallclock import resolve_local
from tests.factories import POST_TEXT, engine_channel, engine_delivery
from tests.fakes.webhook import Receiver
from tests.services.publishing.conftest import Live

#: the built-in blog, published inside the settling transaction
LOCAL = {"blog": BlogPublisher()}

ZONE = "Europe/Amsterdam"
STEP = timedelta(seconds=20)


def _walk(
    live: Live, clock: FrozenClock, registry: PublisherRegistry, until: datetime
) -> dict[int, datetime]:
    """Tick every STEP of app time up to `until`; returns the clock reading when each was sent."""
    sent_at: dict[int, datetime] = {}
    config = EngineConfig(concurrency=1)
    while clock.now() <= until:
        report = publish_due(
            live.factory, clock, registry.build, worker="dst", config=config, local=LOCAL
        )
        for delivery_id in report.sent_ids:
            sent_at[delivery_id] = clock.now()
        clock.advance(STEP)
    return sent_at


@pytest.mark.parametrize(
    ("day", "wall_times", "expected_utc"),
    [
        (
            # spring forward: 02:00 CET becomes 03:00 CEST; 02:30 does not exist
            datetime(2027, 3, 28),
            [(1, 59, None), (3, 0, None), (3, 1, None)],
            ["00:59", "01:00", "01:01"],
        ),
        (
            # fall back: 03:00 CEST becomes 02:00 CET; 02:30 happens twice
            datetime(2026, 10, 25),
            [(1, 59, None), (2, 30, "earlier"), (2, 30, "later"), (3, 0, None)],
            ["23:59", "00:30", "01:30", "02:00"],
        ),
    ],
    ids=["spring", "autumn"],
)
def test_dst_transitions_send_each_once_at_its_utc_instant(
    live: Live,
    receiver: Receiver,
    registry: PublisherRegistry,
    day: datetime,
    wall_times: list[tuple[int, int, Any]],
    expected_utc: list[str],
) -> None:
    instants = [
        resolve_local(day.replace(hour=h, minute=m), ZONE, fold=fold) for h, m, fold in wall_times
    ]
    assert [i.strftime("%H:%M") for i in instants] == expected_utc
    clock = FrozenClock(instants[0] - timedelta(minutes=2))
    with live.factory.begin() as session:
        channel = engine_channel(session, url=receiver.url)
        ids = [engine_delivery(session, channel, at).id for at in instants]
    sent_at = _walk(live, clock, registry, instants[-1] + timedelta(minutes=2))
    due = dict(zip(ids, instants, strict=True))
    assert set(sent_at) == set(ids)  # none lost
    assert sorted(receiver.raw_counts().values()) == [1] * len(ids)  # none twice
    for delivery_id, at in sent_at.items():
        assert due[delivery_id] <= at < due[delivery_id] + STEP  # not early, not late


# --- edits and cancellations while sending -------------------------------------------------------


def _editor(live: Live) -> User:
    with live.factory.begin() as session:
        return create_user(
            session, None, email="eva@example.org", name="Eva", role=Role.EDITOR, password="x" * 12
        )


def _fragment(session: Any, delivery_id: int) -> Fragment:
    return session.scalars(select(Fragment).join(Delivery).where(Delivery.id == delivery_id)).one()


def _publish_in_background(
    live: Live, clock: FrozenClock, registry: PublisherRegistry, box: list[Any]
) -> threading.Thread:
    def run() -> None:
        config = EngineConfig(concurrency=1)
        box.append(
            publish_due(live.factory, clock, registry.build, worker="w", config=config, local=LOCAL)
        )

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _hold_the_request(receiver: Receiver) -> tuple[threading.Event, threading.Event]:
    """The remote waits (up to 10 s) while the test acts: the delivery is `sending` meanwhile."""
    arrived, proceed = threading.Event(), threading.Event()

    def script(_msg_id: str, _nth: int) -> None:
        arrived.set()
        proceed.wait(10)

    receiver.script = script
    return arrived, proceed


def test_edit_and_cancel_while_sending_are_refused_and_the_approved_text_goes_out(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    editor = _editor(live)
    with live.factory.begin() as session:
        delivery_id = engine_delivery(
            session, engine_channel(session, url=receiver.url), frozen.now()
        ).id
    arrived, proceed = _hold_the_request(receiver)
    box: list[Any] = []
    thread = _publish_in_background(live, frozen, registry, box)
    try:
        assert arrived.wait(10)
        with live.factory() as session:
            fragment = _fragment(session, delivery_id)
            with pytest.raises(ConflictError):
                fragment_services.update_fragment(session, editor, fragment, parts=["Nieuw."])
            session.rollback()
            fragment = _fragment(session, delivery_id)
            with pytest.raises(ConflictError):
                planning.unschedule_fragment(session, editor, fragment, frozen.now())
            session.rollback()
    finally:
        proceed.set()
        thread.join(20)
    assert box[0].sent == 1
    with live.factory() as session:
        fragment = _fragment(session, delivery_id)
        [publication] = session.scalars(select(Publication)).all()
    assert (fragment.status, fragment.version, fragment.parts) == (
        FragmentStatus.PUBLISHED,
        1,
        [POST_TEXT],
    )
    assert publication.parts == [POST_TEXT]


def test_a_cancel_that_read_the_row_before_the_claim_loses_to_it(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    """The person's page read the delivery as pending; the engine claimed it; the cancel then
    fails on the fence (attempt changed) instead of overwriting `sending`."""
    editor = _editor(live)
    with live.factory.begin() as session:
        delivery_id = engine_delivery(
            session, engine_channel(session, url=receiver.url), frozen.now()
        ).id
    arrived, proceed = _hold_the_request(receiver)
    web = live.factory()
    fragment = _fragment(web, delivery_id)
    stale = web.get(Delivery, delivery_id)  # read before the claim
    assert stale is not None
    assert stale.state == DeliveryState.PENDING
    box: list[Any] = []
    thread = _publish_in_background(live, frozen, registry, box)
    try:
        assert arrived.wait(10)
        # PostgreSQL: the UPDATE ... WHERE attempt = 0 matches nothing. SQLite: the page's snapshot
        # predates the claim's commit, so SQLite refuses its write outright. Either way: refused.
        expected = StaleDataError if live.backend == "postgresql" else OperationalError
        with pytest.raises(expected):
            planning.unschedule_fragment(web, editor, fragment, frozen.now())
        web.rollback()
    finally:
        web.close()
        proceed.set()
        thread.join(20)
    assert box[0].sent == 1
    with live.factory() as session:
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        assert (delivery.state, delivery.attempt) == (DeliveryState.SENT, 1)
    assert len(receiver.arrivals) == 1


def test_edit_or_cancel_before_the_claim_wins_and_nothing_goes_out(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    editor = _editor(live)
    with live.factory.begin() as session:
        channel = engine_channel(session, url=receiver.url)
        edited = engine_delivery(session, channel, frozen.now() + timedelta(minutes=1)).id
        cancelled = engine_delivery(session, channel, frozen.now() + timedelta(minutes=1)).id
    with live.factory.begin() as session:
        fragment = _fragment(session, edited)
        fragment_services.update_fragment(session, editor, fragment, parts=["Nieuwe tekst."])
        assert (fragment.status, fragment.scheduled_at) == (FragmentStatus.DRAFT, None)
        planning.unschedule_fragment(session, editor, _fragment(session, cancelled), frozen.now())
    frozen.advance(timedelta(minutes=1))
    assert claim_due(live.factory, frozen.now(), "late", EngineConfig()) == []
    with live.factory() as session:
        found = dict(session.execute(select(Delivery.id, Delivery.state)).all())
    assert found == {edited: DeliveryState.CANCELLED, cancelled: DeliveryState.CANCELLED}
    assert receiver.arrivals == []


def test_editing_an_unchanged_scheduled_fragment_keeps_it_scheduled(
    live: Live, receiver: Receiver, frozen: FrozenClock
) -> None:
    editor = _editor(live)
    with live.factory.begin() as session:
        channel = engine_channel(session, url=receiver.url)
        delivery_id = engine_delivery(session, channel, frozen.now() + timedelta(minutes=1)).id
    with live.factory.begin() as session:
        fragment = _fragment(session, delivery_id)
        fragment_services.update_fragment(session, editor, fragment, parts=[POST_TEXT])
        assert fragment.status == FragmentStatus.SCHEDULED
    with live.factory() as session:
        assert session.get(Delivery, delivery_id).state == DeliveryState.PENDING  # type: ignore[union-attr]
