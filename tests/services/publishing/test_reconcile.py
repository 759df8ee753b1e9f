"""The engine reconciles instead of asking a person (issue 16, item 5): before a platform without
an idempotency key gets a delivery a second time, the engine reads the account and settles what it
finds. Real database (SQLite and PostgreSQL), a fake WordPress on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from planner.blog.services import BlogPublisher
from planner.clock import FrozenClock
from planner.publishing.adapters.wordpress import WordPressPublisher, WordPressSettings
from planner.publishing.engine import EngineConfig, publish_due
from planner.publishing.engine.claim import claim_due
from planner.publishing.engine.request import prepare_jobs
from planner.publishing.models import Delivery, DeliveryState
from planner.publishing.registry import PublisherRegistry
from tests.factories import engine_channel, engine_delivery
from tests.fakes.server import serving
from tests.fakes.wordpress import FakeWordPress
from tests.services.publishing.conftest import Live

CONFIG = EngineConfig(concurrency=1, retry_base=30.0, rand=lambda: 0.0)


@pytest.fixture
def site() -> Iterator[FakeWordPress]:
    with serving(FakeWordPress()) as app:
        yield app


def _run(live: Live, clock: FrozenClock, registry: PublisherRegistry) -> object:
    return publish_due(
        live.factory,
        clock,
        registry.build,
        worker="test",
        config=CONFIG,
        local={"blog": BlogPublisher()},
    )


def _setup(live: Live, site: FakeWordPress, clock: FrozenClock, timeout: float = 2.0) -> int:
    with live.factory.begin() as session:
        channel = engine_channel(
            session,
            kind="wordpress",
            url=site.url,
            settings={"timeout": timeout},
            secret=FakeWordPress.password,
        )
        return engine_delivery(session, channel, clock.now()).id


def _delivery(live: Live, delivery_id: int) -> Delivery:
    with live.factory() as session:
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        session.expunge(delivery)
        return delivery


def test_a_lost_answer_is_found_on_the_site_not_posted_twice(
    live: Live, site: FakeWordPress, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    site.fail_next("/wp-json/wp/v2/posts", action="hang", after_handling=True, method="POST")
    delivery_id = _setup(live, site, frozen, timeout=0.5)

    _run(live, frozen, registry)
    first = _delivery(live, delivery_id)
    assert first.state == DeliveryState.RETRYING  # not a person's problem (yet)
    assert len(site.posts) == 1  # the post did arrive

    frozen.advance(timedelta(minutes=2))
    _run(live, frozen, registry)

    [post] = site.posts
    settled = _delivery(live, delivery_id)
    assert settled.state == DeliveryState.SENT
    assert settled.remote_id == str(post["id"])
    assert settled.remote_url == post["link"]


def test_a_crash_before_the_request_left_sends_once_after_looking(
    live: Live, site: FakeWordPress, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    delivery_id = _setup(live, site, frozen)
    claim_due(live.factory, frozen.now(), "crashed", EngineConfig())  # then it died
    frozen.advance(timedelta(minutes=6))

    _run(live, frozen, registry)

    assert _delivery(live, delivery_id).state == DeliveryState.SENT
    assert len(site.posts) == 1


def test_a_crash_after_the_post_went_out_is_settled_without_a_second_post(
    live: Live, site: FakeWordPress, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    delivery_id = _setup(live, site, frozen)
    [claim] = claim_due(live.factory, frozen.now(), "crashed", EngineConfig())
    # The crashed process got its request out before it died: the post is on the site.
    [job] = prepare_jobs(live.factory, [claim], EngineConfig(), None)
    assert job.request is not None
    WordPressPublisher(
        WordPressSettings(
            base_url=site.url,
            username=site.user,
            application_password=site.password,
            allow_loopback=True,
        )
    ).publish(job.request)
    frozen.advance(timedelta(minutes=6))

    _run(live, frozen, registry)

    [post] = site.posts
    settled = _delivery(live, delivery_id)
    assert (settled.state, settled.remote_url) == (DeliveryState.SENT, post["link"])


def test_an_unreadable_site_needs_a_person(
    live: Live, site: FakeWordPress, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    site.fail_next("/wp-json/wp/v2/posts", action="hang", after_handling=True, method="POST")
    delivery_id = _setup(live, site, frozen, timeout=0.5)
    _run(live, frozen, registry)
    site.fail_next("/wp-json/wp/v2/posts", 503, method="GET")
    frozen.advance(timedelta(minutes=2))

    _run(live, frozen, registry)

    delivery = _delivery(live, delivery_id)
    assert delivery.state == DeliveryState.NEEDS_CHECK
    assert len(site.posts) == 1


def test_a_thread_cut_off_halfway_is_finished_from_where_it_stopped(
    live: Live, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    """X answered 503 to the second of three parts: the retry reads the account, finds part one
    and posts parts two and three as replies to it; no part is posted twice, no person needed."""
    from planner.fragments.models import Fragment
    from tests.fakes.x import FakeX

    with serving(FakeX()) as x:
        with live.factory.begin() as session:
            channel = engine_channel(session, kind="x", url=x.url, secret=FakeX.token)
            channel.kind_key = "x"
            channel.publisher_settings = {"base_url": x.url, "timeout": 2.0}
            delivery = engine_delivery(session, channel, frozen.now())
            fragment = session.get(Fragment, delivery.fragment_id)
            assert fragment is not None
            fragment.parts = ["Een.", "Twee.", "Drie."]
            delivery_id = delivery.id
        x.fail_next("/2/tweets", 503, skip=1)

        _run(live, frozen, registry)
        assert _delivery(live, delivery_id).state == DeliveryState.RETRYING
        assert [p["text"] for p in x.posts] == ["Een."]

        frozen.advance(timedelta(minutes=2))
        _run(live, frozen, registry)

        settled = _delivery(live, delivery_id)
        assert settled.state == DeliveryState.SENT
        first, second, third = x.posts
        assert [p["text"] for p in x.posts] == ["Een.", "Twee.", "Drie."]
        assert (second["reply_to"], third["reply_to"]) == (first["id"], second["id"])
        assert settled.remote_id == first["id"]
