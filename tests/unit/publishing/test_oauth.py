"""Connecting with OAuth 2 (authorization code, PKCE S256, state) and keeping tokens fresh,
against a fake authorization server on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import http.client
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from planner.publishing.oauth import (
    OAuthClient,
    OAuthClientConfig,
    OAuthEndpoints,
    OAuthError,
    TokenKeeper,
    TokenSet,
)
from planner.publishing.ports import AccessTokenSource, ReconnectRequiredError
from tests.fakes.oauth import FakeAuthorizationServer
from tests.fakes.server import serving


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def auth(clock: Clock) -> Iterator[FakeAuthorizationServer]:
    with serving(FakeAuthorizationServer(clock=clock)) as app:
        yield app


def client_for(
    server: FakeAuthorizationServer, clock: Clock, **endpoint_options: object
) -> OAuthClient:
    endpoints = OAuthEndpoints(
        authorize_url=f"{server.url}/authorize",
        token_url=f"{server.url}/token",
        scopes=("tweet.read", "tweet.write", "offline.access"),
        **endpoint_options,  # type: ignore[arg-type]
    )
    config = OAuthClientConfig(
        client_id=server.client_id,
        client_secret=server.client_secret,
        redirect_uri=server.redirect_uri,
        endpoints=endpoints,
        allow_loopback=True,
    )
    return OAuthClient(config, clock=clock)


def follow(url: str) -> str:
    """What the browser does: open the authorize URL and read where it is sent back to."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        conn.request("GET", f"{parts.path}?{parts.query}")
        answer = conn.getresponse()
        answer.read()
        assert answer.status == 302, answer.status
        return answer.getheader("Location") or ""
    finally:
        conn.close()


def connect(server: FakeAuthorizationServer, client: OAuthClient) -> TokenSet:
    started = client.authorization_request()
    callback = follow(started.url)
    return client.exchange_code(
        callback, expected_state=started.state, code_verifier=started.code_verifier
    )


def test_authorization_url_carries_client_redirect_scope_state_and_an_s256_challenge(
    auth, clock
) -> None:
    started = client_for(auth, clock).authorization_request()
    query = {k: v[0] for k, v in parse_qs(urlsplit(started.url).query).items()}

    assert query["response_type"] == "code"
    assert query["client_id"] == auth.client_id
    assert query["redirect_uri"] == auth.redirect_uri
    assert query["scope"] == "tweet.read tweet.write offline.access"
    assert query["state"] == started.state
    assert len(started.state) >= 32
    assert query["code_challenge_method"] == "S256"
    assert started.code_verifier is not None
    assert 43 <= len(started.code_verifier) <= 128
    digest = hashlib.sha256(started.code_verifier.encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_connect_round_trip_yields_tokens_that_the_platform_accepts(auth, clock) -> None:
    token = connect(auth, client_for(auth, clock))

    assert auth.is_valid(token.access_token)
    assert token.refresh_token is not None
    assert token.expires_at == clock.now + timedelta(seconds=7200)
    assert token.scope == "tweet.read tweet.write offline.access"
    assert auth.client_auth_seen == ["client_secret_post"]


def test_client_secret_basic_is_sent_as_an_authorization_header(clock) -> None:
    with serving(FakeAuthorizationServer(client_auth="client_secret_basic", clock=clock)) as server:
        token = connect(server, client_for(server, clock, token_auth="client_secret_basic"))
        assert server.is_valid(token.access_token)
        assert server.client_auth_seen == ["client_secret_basic"]


def test_a_callback_with_another_state_is_refused(auth, clock) -> None:
    client = client_for(auth, clock)
    started = client.authorization_request()
    callback = follow(started.url)
    with pytest.raises(OAuthError, match="did not match"):
        client.exchange_code(
            callback, expected_state="someone-elses-state", code_verifier=started.code_verifier
        )
    assert auth.access == {}


def test_an_admin_saying_no_ends_in_a_clear_error(auth, clock) -> None:
    client = client_for(auth, clock)
    started = client.authorization_request()
    auth.deny_next = True
    callback = follow(started.url)
    assert "error=access_denied" in callback
    with pytest.raises(OAuthError):
        client.exchange_code(
            callback, expected_state=started.state, code_verifier=started.code_verifier
        )


def test_a_wrong_code_verifier_is_refused_by_the_server(auth, clock) -> None:
    client = client_for(auth, clock)
    started = client.authorization_request()
    callback = follow(started.url)
    with pytest.raises(OAuthError, match="PKCE verification failed"):
        client.exchange_code(callback, expected_state=started.state, code_verifier="x" * 64)


def test_a_code_is_used_once(auth, clock) -> None:
    client = client_for(auth, clock)
    started = client.authorization_request()
    callback = follow(started.url)
    client.exchange_code(
        callback, expected_state=started.state, code_verifier=started.code_verifier
    )
    with pytest.raises(OAuthError, match="invalid_grant"):
        client.exchange_code(
            callback, expected_state=started.state, code_verifier=started.code_verifier
        )


def test_token_keeper_refreshes_before_expiry_and_hands_the_new_token_over(auth, clock) -> None:
    client = client_for(auth, clock)
    first = connect(auth, client)
    stored: list[TokenSet] = []
    keeper = TokenKeeper(client, first, on_refresh=stored.append, leeway=300, clock=clock)
    assert isinstance(keeper, AccessTokenSource)

    assert keeper.access_token() == first.access_token  # two hours left: no refresh
    clock.now += timedelta(seconds=7200 - 299)  # inside the leeway
    fresh = keeper.access_token()

    assert fresh != first.access_token
    assert auth.is_valid(fresh)
    assert [t.access_token for t in stored] == [fresh]
    assert stored[0].refresh_token not in (None, first.refresh_token)  # rotated
    assert auth.refresh[first.refresh_token or ""] is False


def test_token_keeper_refreshes_once_for_many_rejections_of_one_token(auth, clock) -> None:
    client = client_for(auth, clock)
    first = connect(auth, client)
    stored: list[TokenSet] = []
    keeper = TokenKeeper(client, first, on_refresh=stored.append, clock=clock)
    auth.expire(first.access_token)

    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(keeper.refreshed(first.access_token)))
        for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    assert len(stored) == 1


def test_a_refused_refresh_asks_for_a_reconnect(auth, clock) -> None:
    client = client_for(auth, clock)
    token = connect(auth, client)
    auth.revoke_refresh_tokens()
    keeper = TokenKeeper(client, token, on_refresh=lambda _: None, clock=clock)
    with pytest.raises(ReconnectRequiredError, match="refresh token revoked"):
        keeper.refreshed(token.access_token)


def test_a_kept_refresh_token_survives_a_refresh_without_rotation(clock) -> None:
    with serving(FakeAuthorizationServer(rotate_refresh_tokens=False, clock=clock)) as server:
        client = client_for(server, clock)
        token = connect(server, client)
        renewed = client.refresh(token)
        assert renewed.refresh_token == token.refresh_token


def test_meta_long_lived_tokens_are_exchanged_and_renewed_by_get(clock) -> None:
    with serving(
        FakeAuthorizationServer(require_pkce=False, expires_in=3600, clock=clock)
    ) as server:
        client = client_for(
            server,
            clock,
            pkce=False,
            refresh="th_refresh_token",
            refresh_url=f"{server.url}/refresh_access_token",
            long_lived_url=f"{server.url}/access_token",
            long_lived_grant="th_exchange_token",
        )
        started = client.authorization_request()
        assert started.code_verifier is None
        assert "code_challenge" not in started.url
        token = client.exchange_code(
            follow(started.url), expected_state=started.state, code_verifier=None
        )
        assert token.access_token.startswith("long-")
        assert token.expires_at == clock.now + timedelta(days=60)

        renewed = client.refresh(token)
        assert renewed.access_token != token.access_token
        assert server.is_valid(renewed.access_token)
        assert server.calls("GET", "/refresh_access_token")[0].query["grant_type"] == (
            "th_refresh_token"
        )


def test_a_platform_without_refresh_asks_for_a_reconnect(auth, clock) -> None:
    client = client_for(auth, clock, refresh="none")
    with pytest.raises(ReconnectRequiredError):
        client.refresh(TokenSet(access_token="page-token"))


def test_token_set_survives_storage_as_json() -> None:
    token = TokenSet(
        access_token="a",
        refresh_token="r",
        expires_at=datetime(2026, 12, 4, 11, 0, tzinfo=UTC),
        scope="x y",
        extra={"user_id": "17841400000000000"},
    )
    assert TokenSet.from_json(token.to_json()) == token
