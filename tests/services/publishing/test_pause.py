"""The crisis pause on a committed database (SQLite and PostgreSQL), against a webhook receiver on
127.0.0.1: nothing goes out while paused, what falls due is held until a person releases or
cancels it, resuming sends nothing by itself, and the claim is fenced against a pause that
commits while it runs."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from planner.accounts.models import Role, User
from planner.accounts.services import create_user
from planner.audit.models import AuditEvent
from planner.blog.services import BlogPublisher
from planner.clock import FrozenClock
from planner.db import write_session
from planner.errors import ConflictError, PermissionDeniedError, ValidationError
from planner.publishing import deliveries, pause
from planner.publishing.engine import EngineConfig, publish_due
from planner.publishing.engine import run as engine_run
from planner.publishing.engine.claim import claim_due
from planner.publishing.engine.request import prepare_jobs
from planner.publishing.engine.settle import settle_all
from planner.publishing.models import Delivery, DeliveryState
from planner.publishing.registry import PublisherRegistry
from tests.conftest import PASSWORD
from tests.factories import engine_channel, engine_delivery
from tests.fakes.webhook import Receiver
from tests.services.publishing.conftest import Live

CONFIG = EngineConfig(concurrency=1, retry_base=30.0, rand=lambda: 0.0)


def _run(live: Live, clock: FrozenClock, registry: PublisherRegistry, **config: Any) -> Any:
    cfg = EngineConfig(**{**CONFIG.__dict__, **config})
    return publish_due(
        live.factory,
        clock,
        registry.build,
        worker="test",
        config=cfg,
        local={"blog": BlogPublisher()},
    )


def _delivery(live: Live, delivery_id: int) -> Delivery:
    with live.factory() as session:
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        session.expunge(delivery)
        return delivery


def make_user_in(session: Any, role: Role, email: str, name: str) -> User:
    return create_user(session, None, email=email, name=name, role=role, password=PASSWORD)


def _editor(live: Live) -> int:
    with live.factory.begin() as session:
        return make_user_in(session, Role.EDITOR, "pauser@example.org", "Paula Pauze").id


def _pause(live: Live, clock: FrozenClock, user_id: int, channel_id: int | None = None) -> int:
    with write_session(live.factory) as session:
        actor = session.get(User, user_id)
        result = pause.pause_publishing(
            session, actor, clock.now(), reason="Ramp in de haven", channel_id=channel_id
        )
        return result.pause.id


def _act(live: Live, clock: FrozenClock, user_id: int, delivery_id: int, action: str) -> None:
    with write_session(live.factory) as session:
        actor = session.get(User, user_id)
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        deliveries.resolve_delivery(session, actor, delivery, action, clock.now())


def _actions(live: Live) -> list[str]:
    with live.factory() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_paused_everything_holds_what_falls_due_and_resume_sends_nothing_by_itself(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    user = _editor(live)
    with live.factory.begin() as session:
        channel = engine_channel(session, url=receiver.url)
        due = engine_delivery(session, channel, frozen.now()).id
        later = engine_delivery(session, channel, frozen.now() + timedelta(minutes=10)).id
    _pause(live, frozen, user)

    report = _run(live, frozen, registry)
    assert (report.claimed, report.sent, report.held) == (0, 0, 1)
    assert receiver.arrivals == []
    held = _delivery(live, due)
    assert held.state == DeliveryState.PENDING
    assert held.held_at == frozen.now()
    # Held rows are not claimable: the next tick is idle and does not hold them twice.
    assert _run(live, frozen, registry).held == 0

    frozen.advance(timedelta(minutes=30))  # past the grace period: still held, never "missed"
    report = _run(live, frozen, registry)
    assert (report.sent, report.missed, report.held) == (0, 0, 1)  # `later` fell due
    assert _delivery(live, later).held_at is not None

    with write_session(live.factory) as session:
        pause.resume_publishing(session, session.get(User, user), frozen.now())
    assert _run(live, frozen, registry).sent == 0  # nothing goes out when the pause ends
    assert receiver.arrivals == []

    _act(live, frozen, user, due, "release")
    _act(live, frozen, user, later, "cancel")
    report = _run(live, frozen, registry)
    assert report.sent == 1
    assert len(receiver.arrivals) == 1
    assert _delivery(live, due).state == DeliveryState.SENT
    assert _delivery(live, later).state == DeliveryState.CANCELLED
    actions = _actions(live)
    for expected in (
        "publishing.pause",
        "delivery.held",
        "publishing.resume",
        "delivery.release",
        "delivery.cancel",
        "delivery.sent",
    ):
        assert expected in actions


def test_a_channel_pause_holds_only_that_channel_and_a_release_goes_out_during_the_pause(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    user = _editor(live)
    with live.factory.begin() as session:
        paused = engine_channel(session, url=receiver.url, name="Gepauzeerd")
        other = engine_channel(session, url=receiver.url, name="Gewoon")
        held_id = engine_delivery(session, paused, frozen.now()).id
        free_id = engine_delivery(session, other, frozen.now()).id
        paused_id = paused.id
    _pause(live, frozen, user, channel_id=paused_id)
    report = _run(live, frozen, registry)
    assert (report.sent, report.held) == (1, 1)
    assert _delivery(live, free_id).state == DeliveryState.SENT
    assert _delivery(live, held_id).held_at is not None

    _act(live, frozen, user, held_id, "release")  # an editor lets this one through
    assert _run(live, frozen, registry).sent == 1
    assert _delivery(live, held_id).state == DeliveryState.SENT
    assert len(receiver.arrivals) == 2


def test_the_built_in_blog_is_held_too(
    live: Live, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    user = _editor(live)
    with live.factory.begin() as session:
        blog = engine_channel(session, kind="blog", url="http://127.0.0.1:9/", name="Blog")
        due = engine_delivery(session, blog, frozen.now()).id
    _pause(live, frozen, user)
    assert _run(live, frozen, registry).held == 1
    assert _delivery(live, due).state == DeliveryState.PENDING


def test_a_row_claimed_before_the_pause_is_held_by_the_last_look_before_sending(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    user = _editor(live)
    with live.factory.begin() as session:
        channel = engine_channel(session, url=receiver.url)
        due = engine_delivery(session, channel, frozen.now()).id
    [claim] = claim_due(live.factory, frozen.now(), "early", CONFIG)
    _pause(live, frozen, user)  # commits between the claim and the request
    [job] = prepare_jobs(live.factory, [claim], CONFIG, None)
    outcome = engine_run._send(
        frozen, job, registry.build, CONFIG, engine_run.pause_check(live.factory)
    )
    assert outcome.held
    with write_session(live.factory) as session:
        assert settle_all(session, [(job, outcome)], frozen.now())
    assert receiver.arrivals == []
    row = _delivery(live, due)
    assert (row.state, row.held_at, row.attempt) == (DeliveryState.PENDING, frozen.now(), 1)


def test_the_claim_waits_for_a_pause_that_is_committing_and_then_sees_it(
    live: Live, receiver: Receiver, frozen: FrozenClock
) -> None:
    """The fence: a pause holds its lock until it commits; a claim that starts meanwhile waits
    and then reads the pause, so nothing due is claimed after the pause committed."""
    user = _editor(live)
    with live.factory.begin() as session:
        channel = engine_channel(session, url=receiver.url)
        due = engine_delivery(session, channel, frozen.now()).id
    pausing = threading.Event()
    finish = threading.Event()
    claimed: list[Any] = []

    def pauser() -> None:
        with write_session(live.factory) as session:
            pause.pause_publishing(
                session, session.get(User, user), frozen.now(), reason="Stil", channel_id=None
            )
            pausing.set()
            finish.wait(10)

    def claimer() -> None:
        claimed.extend(claim_due(live.factory, frozen.now(), "racer", CONFIG))

    first = threading.Thread(target=pauser)
    first.start()
    assert pausing.wait(10)
    second = threading.Thread(target=claimer)
    second.start()
    time.sleep(0.5)
    assert second.is_alive()  # waiting for the pause's lock
    finish.set()
    first.join(10)
    second.join(15)
    assert claimed == []
    assert _delivery(live, due).held_at is not None


def test_pausing_is_refused_without_a_reason_twice_or_for_a_contributor(
    live: Live, frozen: FrozenClock
) -> None:
    user = _editor(live)
    with live.factory.begin() as session:
        contributor = make_user_in(session, Role.CONTRIBUTOR, "c@example.org", "Cor").id
    with write_session(live.factory) as session:
        with pytest.raises(ValidationError):
            pause.pause_publishing(session, session.get(User, user), frozen.now(), reason="  ")
        with pytest.raises(PermissionDeniedError):
            pause.pause_publishing(
                session, session.get(User, contributor), frozen.now(), reason="x"
            )
        with pytest.raises(ConflictError):
            pause.resume_publishing(session, session.get(User, user), frozen.now())
    _pause(live, frozen, user)
    with write_session(live.factory) as session, pytest.raises(ConflictError):
        pause.pause_publishing(session, session.get(User, user), frozen.now(), reason="again")
    with live.factory.begin() as session:
        channel = engine_channel(session, url="http://127.0.0.1:9/")
        pending = engine_delivery(session, channel, frozen.now() + timedelta(hours=1)).id
    with pytest.raises(ConflictError):  # only a held delivery can be released
        _act(live, frozen, user, pending, "release")
