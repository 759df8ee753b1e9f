"""Channels connected with OAuth 2 (issue 16, item 3): the token is stored encrypted, renewed
before it ends by one process at a time, and a renewal the platform refuses holds the channel's
posts (not failed, not missed) until an admin connects again; then they go out once.

Real database (SQLite and PostgreSQL), the real engine, a fake authorization server and a fake
X API on 127.0.0.1 that only accept the tokens the authorization server issued."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.error import HTTPError

import pytest
from sqlalchemy import select

from planner.accounts.models import Role, User
from planner.blog.services import BlogPublisher
from planner.channels.models import Channel
from planner.clock import FrozenClock
from planner.notifications.models import Notification
from planner.publishing import connections, renewal
from planner.publishing.engine import EngineConfig, publish_due
from planner.publishing.models import ChannelConnection, ConnectionState, Delivery, DeliveryState
from planner.publishing.oauth import (
    PLATFORM_ENDPOINTS,
    OAuthClient,
    OAuthClientConfig,
    TokenSet,
)
from planner.publishing.registry import PublisherRegistry
from tests.conftest import make_user
from tests.factories import box, engine_delivery
from tests.fakes.oauth import FakeAuthorizationServer
from tests.fakes.server import serving
from tests.fakes.x import FakeX
from tests.services.publishing.conftest import Live

CONFIG = EngineConfig(concurrency=1, retry_base=30.0, rand=lambda: 0.0)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@pytest.fixture
def auth(frozen: FrozenClock) -> Iterator[FakeAuthorizationServer]:
    with serving(
        FakeAuthorizationServer(client_auth="client_secret_basic", clock=frozen.now)
    ) as server:
        yield server


@pytest.fixture
def x(auth: FakeAuthorizationServer) -> Iterator[FakeX]:
    with serving(FakeX(token_check=auth.is_valid)) as api:
        yield api


@pytest.fixture
def client(auth: FakeAuthorizationServer, frozen: FrozenClock) -> OAuthClient:
    endpoints = PLATFORM_ENDPOINTS["x"]
    config = OAuthClientConfig(
        client_id=auth.client_id,
        client_secret=auth.client_secret,
        redirect_uri=auth.redirect_uri,
        endpoints=type(endpoints)(
            authorize_url=f"{auth.url}/authorize",
            token_url=f"{auth.url}/token",
            scopes=endpoints.scopes,
            token_auth=endpoints.token_auth,
        ),
        allow_loopback=True,
    )
    return OAuthClient(config, clock=frozen.now)


def grant(client: OAuthClient) -> TokenSet:
    """The admin's round trip without a browser: authorize (approved at once), then the code."""
    attempt = client.authorization_request()
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(attempt.url)
    except HTTPError as answer:
        location = answer.headers["Location"]
    else:  # pragma: no cover - the fake always redirects
        raise AssertionError("the authorization server did not redirect")
    return client.exchange_code(
        location, expected_state=attempt.state, code_verifier=attempt.code_verifier
    )


def connect(live: Live, client: OAuthClient, frozen: FrozenClock, x: FakeX) -> int:
    """An X channel connected through the service, as the callback page does."""
    token = grant(client)
    with live.factory() as session:
        make_user(session, Role.ADMIN, "ada@example.org", "Ada Admin")  # commits
    with live.factory.begin() as session:
        admin = session.scalars(select(User).where(User.role == Role.ADMIN)).one()
        channel = Channel(name="X", kind_key="x", publisher_kind="manual", approval_steps=0)
        session.add(channel)
        session.flush()
        connections.finish(session, admin, channel, "x", token, box(), frozen.now(), api_url=x.url)
        return channel.id


def reconnect(live: Live, client: OAuthClient, frozen: FrozenClock, channel_id: int) -> int:
    token = grant(client)
    with live.factory.begin() as session:
        admin = session.scalars(select(User).where(User.role == Role.ADMIN)).first()
        channel = session.get(Channel, channel_id)
        assert channel is not None
        return connections.finish(session, admin, channel, "x", token, box(), frozen.now())


@pytest.fixture
def registry(client: OAuthClient, live: Live, frozen: FrozenClock) -> PublisherRegistry:
    made = PublisherRegistry(box(), allow_loopback=True)
    made.token_sources = renewal.token_sources(
        live.factory,
        box(),
        lambda platform: client if platform == "x" else None,
        lambda: "worker-1",
        frozen.now,
    )
    return made


def run(live: Live, frozen: FrozenClock, registry: PublisherRegistry) -> None:
    publish_due(
        live.factory,
        frozen,
        registry.build,
        worker="worker-1",
        config=CONFIG,
        local={"blog": BlogPublisher()},
    )


def delivery_at(live: Live, channel_id: int, frozen: FrozenClock) -> int:
    with live.factory.begin() as session:
        channel = session.get(Channel, channel_id)
        assert channel is not None
        return engine_delivery(session, channel, frozen.now(), text="De bieb is open.").id


def state(live: Live, delivery_id: int) -> Delivery:
    with live.factory() as session:
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        session.expunge(delivery)
        return delivery


def stored(live: Live, channel_id: int) -> tuple[str, TokenSet, ChannelConnection]:
    with live.factory() as session:
        channel = session.get(Channel, channel_id)
        connection = session.get(ChannelConnection, channel_id)
        assert channel is not None
        assert channel.publisher_secret
        assert connection is not None
        session.expunge(connection)
        secret = channel.publisher_secret
    return secret, TokenSet.from_json(box().decrypt(secret)), connection


def refreshes(auth: FakeAuthorizationServer) -> int:
    return sum(1 for r in auth.calls("POST", "/token") if "refresh_token" in r.form().values())


def test_connecting_stores_the_tokens_encrypted_and_the_account(
    live: Live, client: OAuthClient, frozen: FrozenClock, x: FakeX
) -> None:
    channel_id = connect(live, client, frozen, x)
    secret, token, connection = stored(live, channel_id)
    assert token.access_token.startswith("at-")
    assert token.refresh_token
    assert token.access_token not in secret
    assert token.refresh_token not in secret
    assert connection.state == ConnectionState.CONNECTED
    assert connection.expires_at == frozen.now() + timedelta(hours=2)
    with live.factory() as session:
        channel = session.get(Channel, channel_id)
        assert channel is not None
        assert channel.publisher_kind == "x"
        assert channel.publisher_settings["base_url"] == x.url


def test_a_token_about_to_end_is_renewed_before_the_post_leaves(
    live: Live,
    client: OAuthClient,
    frozen: FrozenClock,
    x: FakeX,
    auth: FakeAuthorizationServer,
    registry: PublisherRegistry,
) -> None:
    channel_id = connect(live, client, frozen, x)
    _secret, before, _ = stored(live, channel_id)
    frozen.advance(timedelta(hours=1, minutes=58))  # two minutes left: inside the leeway
    delivery_id = delivery_at(live, channel_id, frozen)

    run(live, frozen, registry)

    assert state(live, delivery_id).state == DeliveryState.SENT
    assert [p["text"] for p in x.posts] == ["De bieb is open."]
    assert refreshes(auth) == 1
    _secret, after, connection = stored(live, channel_id)
    assert after.access_token != before.access_token
    assert after.refresh_token != before.refresh_token  # the rotated one is kept
    assert connection.refreshed_at == frozen.now()
    assert connection.expires_at == frozen.now() + timedelta(hours=2)


def test_a_refused_renewal_holds_the_posts_until_an_admin_connects_again(
    live: Live,
    client: OAuthClient,
    frozen: FrozenClock,
    x: FakeX,
    auth: FakeAuthorizationServer,
    registry: PublisherRegistry,
) -> None:
    channel_id = connect(live, client, frozen, x)
    _secret, token, _ = stored(live, channel_id)
    auth.expire(token.access_token)
    auth.revoke_refresh_tokens()  # the person revoked the app on the platform
    delivery_id = delivery_at(live, channel_id, frozen)

    run(live, frozen, registry)

    waiting = state(live, delivery_id)
    assert waiting.state == DeliveryState.PENDING
    assert "connected again" in (waiting.last_error or "")
    assert x.posts == []
    _secret, _token, connection = stored(live, channel_id)
    assert connection.state == ConnectionState.RECONNECT
    assert "refresh token revoked" in (connection.problem or "")
    with live.factory() as session:
        [note] = session.scalars(select(Notification)).all()
        assert note.title == "Opnieuw verbinden: X"
        assert note.urgent
        [listed] = connections.needing_reconnect(session)
        assert listed.waiting == 1

    # An hour later: not claimed again, not called missed; it waits.
    frozen.advance(timedelta(hours=1))
    run(live, frozen, registry)
    later = state(live, delivery_id)
    assert (later.state, later.attempt) == (DeliveryState.PENDING, waiting.attempt)

    released = reconnect(live, client, frozen, channel_id)
    assert released == 1
    run(live, frozen, registry)

    assert state(live, delivery_id).state == DeliveryState.SENT
    assert [p["text"] for p in x.posts] == ["De bieb is open."]


def test_a_platform_that_is_down_while_renewing_is_a_retry_not_a_reconnect(
    live: Live,
    client: OAuthClient,
    frozen: FrozenClock,
    x: FakeX,
    auth: FakeAuthorizationServer,
    registry: PublisherRegistry,
) -> None:
    channel_id = connect(live, client, frozen, x)
    frozen.advance(timedelta(hours=1, minutes=58))
    auth.fail_next("/token", 503, method="POST")
    delivery_id = delivery_at(live, channel_id, frozen)

    run(live, frozen, registry)

    assert state(live, delivery_id).state == DeliveryState.RETRYING
    assert stored(live, channel_id)[2].state == ConnectionState.CONNECTED
    frozen.advance(timedelta(minutes=1))
    run(live, frozen, registry)
    assert state(live, delivery_id).state == DeliveryState.SENT


def test_two_processes_renewing_at_once_ask_the_platform_once(
    live: Live,
    client: OAuthClient,
    frozen: FrozenClock,
    x: FakeX,
    auth: FakeAuthorizationServer,
) -> None:
    channel_id = connect(live, client, frozen, x)
    _secret, token, _ = stored(live, channel_id)
    results: list[str] = []
    start = threading.Barrier(3)

    def renew(worker: str) -> None:
        start.wait()
        claimed = renewal.ClaimedRenewal(
            live.factory, box(), client, channel_id, worker, frozen.now
        )
        results.append(claimed.refresh(token).access_token)

    # Two processes, and two threads of one process (the same worker name).
    threads = [threading.Thread(target=renew, args=(name,)) for name in ("w1", "w2", "w2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert refreshes(auth) == 1  # a single-use refresh token was spent once
    assert len(results) == 3
    assert results[0] == results[1] == results[2] != token.access_token
    assert stored(live, channel_id)[1].access_token == results[0]


def test_the_renewal_round_renews_only_what_nears_its_end(
    live: Live,
    client: OAuthClient,
    frozen: FrozenClock,
    x: FakeX,
    auth: FakeAuthorizationServer,
) -> None:
    channel_id = connect(live, client, frozen, x)

    def round_() -> int:
        return renewal.renew_ahead(
            live.factory, box(), lambda _p: client, frozen.now(), "round", frozen.now
        )

    frozen.advance(timedelta(minutes=60))  # an hour of two left: not yet
    assert round_() == 0
    frozen.advance(timedelta(minutes=46))  # 14 minutes left: at least 15 minutes ahead
    assert round_() == 1
    assert refreshes(auth) == 1
    assert stored(live, channel_id)[2].expires_at == frozen.now() + timedelta(hours=2)


def test_a_pasted_token_that_is_refused_fails_the_delivery_because_nobody_waits_for_it(
    live: Live, frozen: FrozenClock, x: FakeX, registry: PublisherRegistry
) -> None:
    with live.factory.begin() as session:
        channel = Channel(
            name="X by hand",
            kind_key="x",
            publisher_kind="x",
            publisher_settings={"base_url": x.url},
            publisher_secret=box().encrypt("pasted-and-expired"),
            approval_steps=0,
        )
        session.add(channel)
        session.flush()
        delivery_id = engine_delivery(session, channel, frozen.now()).id

    run(live, frozen, registry)

    failed = state(live, delivery_id)
    assert failed.state == DeliveryState.FAILED
    assert "connect" in (failed.last_error or "")


def test_a_token_nothing_can_renew_is_announced_before_it_ends_not_held_early(
    live: Live, client: OAuthClient, frozen: FrozenClock, x: FakeX, auth: FakeAuthorizationServer
) -> None:
    """LinkedIn grants no refresh token to most apps: the round cannot renew, so it tells the
    admins once while the token still works, and the channel stays connected until it ends."""
    channel_id = connect(live, client, frozen, x)
    with live.factory.begin() as session:
        channel = session.get(Channel, channel_id)
        assert channel is not None
        without = TokenSet(access_token="at-only", expires_at=frozen.now() + timedelta(days=60))
        channel.publisher_secret = box().encrypt(without.to_json())
        connection = session.get(ChannelConnection, channel_id)
        assert connection is not None
        connection.expires_at = without.expires_at

    frozen.advance(timedelta(days=55))  # five days left: inside the seven days ahead
    for _ in range(2):
        assert (
            renewal.renew_ahead(
                live.factory, box(), lambda _p: client, frozen.now(), "round", frozen.now
            )
            == 0
        )

    assert refreshes(auth) == 0
    assert stored(live, channel_id)[2].state == ConnectionState.CONNECTED
    with live.factory() as session:
        [note] = session.scalars(select(Notification)).all()
        assert note.title == f"Verbind X opnieuw vóór {without.expires_at:%Y-%m-%d}"
