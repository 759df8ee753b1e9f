"""The delivery engine on a committed database (SQLite and PostgreSQL), against a webhook receiver
on 127.0.0.1: claim, lease, fencing, retries, ambiguity, grace period and consent."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from planner.blog.services import BlogPublisher
from planner.clock import FrozenClock
from planner.db import write_session
from planner.fragments.models import Fragment, FragmentStatus
from planner.publishing.engine import EngineConfig, publish_due
from planner.publishing.engine import settle as engine
from planner.publishing.engine.claim import claim_due
from planner.publishing.engine.request import Job
from planner.publishing.engine.settle import Outcome
from planner.publishing.models import Delivery, DeliveryState, Publication
from planner.publishing.registry import PublisherRegistry
from planner.publishing.secrets import SecretBox
from tests import factories as make
from tests.factories import (
    POST_TEXT,
    box,
    engine_channel,
    engine_deliveries,
    engine_delivery,
    seconds,
)
from tests.fakes.webhook import Receiver
from tests.services.publishing.conftest import Live

#: the built-in blog, published inside the settling transaction
LOCAL = {"blog": BlogPublisher()}

#: deterministic backoff: attempt n waits exactly base * 2**(n-1) / 2 seconds
CONFIG = EngineConfig(concurrency=1, retry_base=30.0, rand=lambda: 0.0)


def _run(live: Live, clock: FrozenClock, registry: PublisherRegistry, **config: Any) -> Any:
    cfg = EngineConfig(**{**CONFIG.__dict__, **config})
    return publish_due(live.factory, clock, registry.build, worker="test", config=cfg, local=LOCAL)


def _delivery(live: Live, delivery_id: int) -> Delivery:
    with live.factory() as session:
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        session.expunge(delivery)
        return delivery


def _fragment_status(live: Live, delivery_id: int) -> FragmentStatus:
    with live.factory() as session:
        return session.scalars(
            select(Fragment.status).join(Delivery).where(Delivery.id == delivery_id)
        ).one()


def _setup(live: Live, receiver: Receiver, clock: FrozenClock, kind: str = "webhook") -> int:
    with live.factory.begin() as session:
        channel = engine_channel(session, kind=kind, url=receiver.url)
        return engine_delivery(session, channel, clock.now()).id


def test_publish_due_sends_once_archives_and_publishes_the_fragment(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    with live.factory.begin() as session:
        channel = engine_channel(session, url=receiver.url)
        due = engine_delivery(session, channel, frozen.now()).id
        later = engine_delivery(session, channel, frozen.now() + timedelta(minutes=5)).id
        manual = engine_channel(session, kind="manual", url=receiver.url, name="By hand")
        by_hand = engine_delivery(session, manual, frozen.now()).id

    report = _run(live, frozen, registry)
    assert (report.claimed, report.sent) == (1, 1)
    assert report.next_due_at == frozen.now() + timedelta(minutes=5)
    sent = _delivery(live, due)
    assert sent.state == DeliveryState.SENT
    assert sent.attempt == 1
    assert sent.remote_id == sent.idempotency_key
    assert sent.sent_at == frozen.now()
    assert receiver.raw_counts() == {sent.idempotency_key: 1}
    assert _fragment_status(live, due) == FragmentStatus.PUBLISHED
    with live.factory() as session:
        [publication] = session.scalars(select(Publication)).all()
    assert publication.delivery_id == due
    assert publication.parts == [POST_TEXT]
    assert publication.channel_name == "webhook channel"
    assert publication.published_at == frozen.now()

    assert _run(live, frozen, registry).claimed == 0  # a second tick does nothing
    assert _delivery(live, later).state == DeliveryState.PENDING
    assert _delivery(live, by_hand).state == DeliveryState.PENDING  # a person posts it
    assert len(receiver.arrivals) == 1


def test_claim_is_exclusive_between_concurrent_claimers(
    live: Live, receiver: Receiver, frozen: FrozenClock
) -> None:
    with live.factory.begin() as session:
        channel = engine_channel(session, url=receiver.url)
        story = make.story(session)
        engine_deliveries(session, channel, story, [frozen.now()] * 150, frozen.now())
    claimed: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    config = EngineConfig(batch_size=7)

    def claimer(n: int) -> None:
        try:
            while claims := claim_due(live.factory, frozen.now(), f"worker-{n}", config):
                with lock:
                    claimed.extend(claim.delivery_id for claim in claims)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=claimer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert len(claimed) == 150
    assert len(set(claimed)) == 150
    with live.factory() as session:
        rows = session.execute(select(Delivery.state, Delivery.attempt)).all()
    assert {(row.state, row.attempt) for row in rows} == {(DeliveryState.SENDING, 1)}


def test_expired_lease_is_reclaimed_and_sent_again_with_the_same_key(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    delivery_id = _setup(live, receiver, frozen)
    [dead] = claim_due(live.factory, frozen.now(), "crashed", EngineConfig())
    assert _run(live, frozen, registry).claimed == 0  # the lease still holds
    frozen.advance(timedelta(minutes=5, seconds=1))
    report = _run(live, frozen, registry)
    assert (report.reclaimed, report.sent) == (1, 1)
    delivery = _delivery(live, delivery_id)
    assert delivery.state == DeliveryState.SENT
    assert delivery.attempt == dead.attempt + 1
    assert receiver.raw_counts() == {delivery.idempotency_key: 1}


def test_expired_lease_without_idempotency_and_an_unreadable_account_needs_a_person(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    # The receiver is no WordPress: the engine cannot read back what is on the "site".
    delivery_id = _setup(live, receiver, frozen, kind="wordpress")
    claim_due(live.factory, frozen.now(), "crashed", EngineConfig())
    frozen.advance(timedelta(minutes=6))
    report = _run(live, frozen, registry)
    assert (report.reclaimed, report.needs_check) == (1, 1)
    assert _delivery(live, delivery_id).state == DeliveryState.NEEDS_CHECK
    assert _fragment_status(live, delivery_id) == FragmentStatus.FAILED
    assert receiver.arrivals == []  # never sent blindly


def test_a_stale_attempt_cannot_overwrite_a_newer_one(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    delivery_id = _setup(live, receiver, frozen)
    [stale] = claim_due(live.factory, frozen.now(), "slow", EngineConfig())
    frozen.advance(timedelta(minutes=6))
    assert _run(live, frozen, registry).sent == 1  # attempt 2 by another worker
    job = Job(stale, _delivery(live, delivery_id).fragment_id, "webhook")
    with write_session(live.factory) as session:
        written = engine.settle(session, job, Outcome(DeliveryState.FAILED, "late"), frozen.now())
    assert written is False
    delivery = _delivery(live, delivery_id)
    assert (delivery.state, delivery.attempt, delivery.last_error) == (DeliveryState.SENT, 2, None)


def test_server_errors_back_off_then_succeed_with_one_post(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    receiver.script = lambda _id, nth: ("reply", 500, {}) if nth < 2 else None
    delivery_id = _setup(live, receiver, frozen)
    start = frozen.now()
    assert _run(live, frozen, registry).retrying == 1
    assert _delivery(live, delivery_id).not_before == start + seconds(15)
    frozen.advance(seconds(14))
    assert _run(live, frozen, registry).claimed == 0  # not before its time
    frozen.advance(seconds(1))
    assert _run(live, frozen, registry).retrying == 1
    assert _delivery(live, delivery_id).not_before == start + seconds(15 + 30)
    frozen.advance(seconds(30))
    assert _run(live, frozen, registry).sent == 1
    delivery = _delivery(live, delivery_id)
    assert delivery.attempt == 3
    assert delivery.state == DeliveryState.SENT
    assert receiver.raw_counts() == {delivery.idempotency_key: 3}
    assert len(receiver.accepted) == 1


def test_429_retry_after_is_honoured(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    receiver.script = lambda _id, nth: ("reply", 429, {"Retry-After": "120"}) if nth == 0 else None
    delivery_id = _setup(live, receiver, frozen)
    start = frozen.now()
    _run(live, frozen, registry)
    assert _delivery(live, delivery_id).not_before == start + seconds(120)
    frozen.advance(seconds(119))
    assert _run(live, frozen, registry).claimed == 0
    frozen.advance(seconds(1))
    assert _run(live, frozen, registry).sent == 1
    assert receiver.raw_counts() == {_delivery(live, delivery_id).idempotency_key: 2}


def test_attempts_are_bounded_then_failed(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    receiver.script = lambda _id, _nth: ("reply", 503, {})
    delivery_id = _setup(live, receiver, frozen)
    for _ in range(3):
        _run(live, frozen, registry, max_attempts=3)
        frozen.advance(timedelta(minutes=2))
    delivery = _delivery(live, delivery_id)
    assert (delivery.state, delivery.attempt) == (DeliveryState.FAILED, 3)
    assert "3 attempts" in (delivery.last_error or "")
    assert _fragment_status(live, delivery_id) == FragmentStatus.FAILED
    assert len(receiver.arrivals) == 3


def test_commit_then_timeout_on_a_webhook_retries_with_the_same_id(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    receiver.script = lambda _id, nth: ("hang_after", 0, {}) if nth == 0 else None
    with live.factory.begin() as session:
        channel = engine_channel(session, url=receiver.url, settings={"timeout": 0.5})
        delivery_id = engine_delivery(session, channel, frozen.now()).id
    assert _run(live, frozen, registry).retrying == 1
    frozen.advance(seconds(15))
    assert _run(live, frozen, registry).sent == 1
    key = _delivery(live, delivery_id).idempotency_key
    assert receiver.raw_counts() == {key: 2}
    assert [a.duplicate for a in receiver.arrivals] == [False, True]  # the receiver deduplicated
    assert len(receiver.accepted) == 1


def test_commit_then_timeout_without_idempotency_looks_then_needs_a_person(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    receiver.script = lambda _id, _nth: ("hang_after", 0, {})
    with live.factory.begin() as session:
        channel = engine_channel(
            session, kind="wordpress", url=receiver.url, settings={"timeout": 0.5}
        )
        delivery_id = engine_delivery(session, channel, frozen.now()).id
    assert _run(live, frozen, registry).retrying == 1  # to look first, next time
    frozen.advance(timedelta(minutes=2))
    assert _run(live, frozen, registry).needs_check == 1  # the "site" could not be read
    frozen.advance(timedelta(hours=1))
    assert _run(live, frozen, registry).claimed == 0
    assert len(receiver.arrivals) == 1  # never retried blindly
    assert _fragment_status(live, delivery_id) == FragmentStatus.FAILED


def test_downtime_past_the_grace_period_is_missed_within_it_sent(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    with live.factory.begin() as session:
        channel = engine_channel(session, url=receiver.url)
        old = engine_delivery(session, channel, frozen.now()).id
        recent = engine_delivery(session, channel, frozen.now() + timedelta(minutes=2)).id
    frozen.advance(timedelta(minutes=16))  # the scheduler was down all this time
    report = _run(live, frozen, registry)
    assert (report.missed, report.sent) == (1, 1)
    assert _delivery(live, old).state == DeliveryState.MISSED
    assert _fragment_status(live, old) == FragmentStatus.FAILED
    assert _delivery(live, recent).state == DeliveryState.SENT
    assert {a.delivery_id for a in receiver.arrivals} == {recent}


def test_withdrawn_consent_cancels_the_publication(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    with live.factory.begin() as session:
        channel = engine_channel(session, url=receiver.url)
        story = make.story(session)
        delivery_id = engine_delivery(session, channel, frozen.now(), story=story).id
        story.consent_withdrawn_at = frozen.now() - seconds(1)
    assert _run(live, frozen, registry).cancelled == 1
    delivery = _delivery(live, delivery_id)
    assert delivery.state == DeliveryState.CANCELLED
    assert "Consent" in (delivery.last_error or "")
    assert receiver.arrivals == []


def test_blog_posts_inside_the_settling_transaction_exactly_once(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    from planner.blog.models import BlogPost

    with live.factory.begin() as session:
        channel = engine_channel(session, kind="blog", url=receiver.url, name="Blog")
        delivery_id = engine_delivery(session, channel, frozen.now()).id
    assert _run(live, frozen, registry).sent == 1
    assert _run(live, frozen, registry).claimed == 0
    with live.factory() as session:
        posts = session.scalars(select(BlogPost)).all()
        [publication] = session.scalars(select(Publication)).all()
    assert [post.delivery_id for post in posts] == [delivery_id]
    assert publication.remote_id == str(posts[0].id)
    assert (publication.remote_url or "").endswith(f"/blog/{posts[0].slug}")
    assert _fragment_status(live, delivery_id) == FragmentStatus.PUBLISHED
    assert receiver.arrivals == []


def test_a_crash_during_a_blog_post_leaves_no_post_and_is_sent_once_later(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    from planner.blog.models import BlogPost

    with live.factory.begin() as session:
        channel = engine_channel(session, kind="blog", url=receiver.url, name="Blog")
        delivery_id = engine_delivery(session, channel, frozen.now()).id
    # A publisher claimed it and died before its transaction committed: nothing was written.
    claim_due(live.factory, frozen.now(), "crashed", EngineConfig())
    frozen.advance(timedelta(minutes=6))
    report = _run(live, frozen, registry)
    assert (report.reclaimed, report.sent) == (1, 1)
    with live.factory() as session:
        assert len(session.scalars(select(BlogPost)).all()) == 1
    assert _delivery(live, delivery_id).attempt == 2


def test_a_refused_address_or_lost_credential_fails_without_sending(
    live: Live, receiver: Receiver, frozen: FrozenClock
) -> None:
    delivery_id = _setup(live, receiver, frozen)
    with live.factory.begin() as session:
        other = engine_channel(session, url=receiver.url, name="Old key")
        other.publisher_secret = SecretBox("a-previous-secret-key").encrypt("whsec_old")
        stale_key = engine_delivery(session, other, frozen.now()).id
    strict = PublisherRegistry(box(), allow_loopback=False)  # production: no loopback targets
    report = publish_due(
        live.factory, frozen, strict.build, worker="strict", config=CONFIG, local=LOCAL
    )
    assert report.failed == 2
    assert _delivery(live, delivery_id).state == DeliveryState.FAILED
    assert "decrypt" in (_delivery(live, stale_key).last_error or "")
    assert receiver.arrivals == []
