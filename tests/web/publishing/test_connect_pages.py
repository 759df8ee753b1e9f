""" "Verbinden" as an admin walks it (issue 16, item 3), through the real pages and a fake
authorization server on 127.0.0.1: the channel page sends the admin to the platform, the
platform's answer connects the channel; a tampered, replayed or refused answer stores nothing;
a channel that must be connected again shows on the dashboard and the attention page."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable, Iterator
from typing import Any
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.channels.models import Channel
from planner.clock import FrozenClock
from planner.publishing import runtime as publishing_runtime
from planner.publishing.models import ChannelConnection, ConnectionState
from planner.publishing.oauth import TokenSet
from tests.conftest import Login
from tests.fakes.oauth import FakeAuthorizationServer
from tests.fakes.server import serving

BASE = "http://localhost"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@pytest.fixture
def auth(clock: FrozenClock) -> Iterator[FakeAuthorizationServer]:
    server = FakeAuthorizationServer(client_auth="client_secret_basic", clock=clock.now)
    server.redirect_uri = f"{BASE}/channels/oauth/callback"
    with serving(server) as running:
        yield running


@pytest.fixture
def app(app_factory: Callable[..., Flask], auth: FakeAuthorizationServer) -> Flask:
    x_app = {
        "client_id": auth.client_id,
        "client_secret": auth.client_secret,
        "authorize_url": f"{auth.url}/authorize",
        "token_url": f"{auth.url}/token",
    }
    return app_factory(base_url=BASE, oauth_apps={"x": x_app, "linkedin": x_app})


def _channel(db: Session, kind: str = "x", name: str = "X") -> Channel:
    channel = Channel(name=name, kind_key=kind, publisher_kind="manual")
    db.add(channel)
    db.commit()
    return channel


def _platform_answer(location: str) -> str:
    """What the platform sends the browser back to (the fake approves at once)."""
    try:
        urllib.request.build_opener(_NoRedirect).open(location)
    except HTTPError as answer:
        back = str(answer.headers["Location"])
    else:  # pragma: no cover
        raise AssertionError("the authorization server did not redirect")
    parts = urlsplit(back)
    return f"{parts.path}?{parts.query}"


def test_an_admin_connects_a_channel_and_comes_back_connected(
    client: FlaskClient, login: Login, admin: User, db: Session, auth: FakeAuthorizationServer
) -> None:
    channel = _channel(db)
    login(client, admin)
    page = client.get(f"/channels/{channel.id}/publishing")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "niet verbonden" in text
    assert "Verbinden" in text
    # The page's form may be sent on to the platform's sign-in page, and nowhere else.
    assert f"form-action 'self' {auth.url}" in page.headers["Content-Security-Policy"]

    sent = client.post(f"/channels/{channel.id}/connect")
    assert sent.status_code == 303
    location = sent.headers["Location"]
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(f"{auth.url}/authorize?")
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [f"{BASE}/channels/oauth/callback"]

    back = client.get(_platform_answer(location), follow_redirects=True)
    assert back.status_code == 200
    assert "X is verbonden." in back.get_data(as_text=True)
    db.expire_all()
    connected = db.get(Channel, channel.id)
    assert connected is not None
    assert connected.publisher_kind == "x"
    secrets = publishing_runtime.get(client.application).secret_box
    token = TokenSet.from_json(secrets.decrypt(connected.publisher_secret or ""))
    assert auth.is_valid(token.access_token)
    connection = db.get(ChannelConnection, channel.id)
    assert connection is not None
    assert connection.state == ConnectionState.CONNECTED
    assert connection.connected_by_id == admin.id

    # The same answer a second time (a reload, a replay) connects nothing.
    again = client.get(_platform_answer(sent.headers["Location"]), follow_redirects=True)
    assert "verlopen of al gebruikt" in again.get_data(as_text=True)

    # A token typed by hand afterwards replaces the connection: nothing renews that one.
    typed = client.post(
        f"/channels/{channel.id}/publishing",
        data={"pub-publisher_kind": "x", "pub-approval_steps": "1", "pub-secret": "by-hand"},
        follow_redirects=True,
    )
    assert "met de hand is ingevuld" in typed.get_data(as_text=True)
    db.expire_all()
    assert db.get(ChannelConnection, channel.id) is None


def test_a_tampered_or_refused_answer_stores_nothing(
    client: FlaskClient, login: Login, admin: User, db: Session, auth: FakeAuthorizationServer
) -> None:
    channel = _channel(db)
    login(client, admin)

    location = client.post(f"/channels/{channel.id}/connect").headers["Location"]
    answer = _platform_answer(location)
    path, query = answer.split("?", 1)
    params = {k: v[0] for k, v in parse_qs(query).items()}
    params["state"] = "someone-elses-state"
    tampered = client.get(f"{path}?{urlencode(params)}", follow_redirects=True)
    assert "Verbinden is mislukt" in tampered.get_data(as_text=True)

    auth.deny_next = True
    location = client.post(f"/channels/{channel.id}/connect").headers["Location"]
    refused = client.get(_platform_answer(location), follow_redirects=True)
    assert "gaf geen toegang" in refused.get_data(as_text=True)

    db.expire_all()
    untouched = db.get(Channel, channel.id)
    assert untouched is not None
    assert untouched.publisher_kind == "manual"
    assert untouched.publisher_secret is None
    assert db.get(ChannelConnection, channel.id) is None


def test_linkedin_asks_for_the_organisation_first(
    client: FlaskClient, login: Login, admin: User, db: Session
) -> None:
    channel = _channel(db, "linkedin", "LinkedIn")
    login(client, admin)
    refused = client.post(f"/channels/{channel.id}/connect", follow_redirects=True)
    assert "id van de pagina of organisatie" in refused.get_data(as_text=True)
    sent = client.post(f"/channels/{channel.id}/connect", data={"connect-account_id": "2414183"})
    assert sent.status_code == 303


def test_only_admins_connect_and_an_unset_app_says_what_to_set(
    client: FlaskClient, login: Login, admin: User, editor: User, db: Session
) -> None:
    instagram = _channel(db, "instagram", "Instagram")
    login(client, editor)
    assert client.post(f"/channels/{instagram.id}/connect").status_code == 403
    login(client, admin)
    page = client.get(f"/channels/{instagram.id}/publishing").get_data(as_text=True)
    assert "niet verbonden" in page
    assert "PLANNER_OAUTH_INSTAGRAM_CLIENT_ID" in page


def test_a_channel_to_reconnect_is_on_the_dashboard_and_the_attention_page(
    client: FlaskClient, login: Login, admin: User, editor: User, db: Session, clock: FrozenClock
) -> None:
    channel = Channel(name="Instagram", kind_key="instagram", publisher_kind="instagram")
    db.add(channel)
    db.flush()
    db.add(
        ChannelConnection(
            channel_id=channel.id,
            platform="instagram",
            state=ConnectionState.RECONNECT,
            connected_at=clock.now(),
            problem="The platform refused: token revoked.",
            reconnect_since=clock.now(),
        )
    )
    db.commit()
    login(client, admin)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Opnieuw verbinden: Instagram" in dashboard
    assert f"/channels/{channel.id}/publishing#connection" in dashboard
    page = client.get(f"/channels/{channel.id}/publishing").get_data(as_text=True)
    assert "opnieuw verbinden" in page
    assert "token revoked" in page
    login(client, editor)
    attention = client.get("/publishing/attention").get_data(as_text=True)
    assert "Kanalen om opnieuw te verbinden" in attention
    assert "Een beheerder kan het opnieuw verbinden." in attention


def test_facebook_keeps_the_pages_own_token_and_posts_with_it(
    app_factory: Callable[..., Flask],
    login: Login,
    admin: User,
    db: Session,
    clock: FrozenClock,
) -> None:
    """Facebook: the login's token is traded for a long-lived one, and with that the Page's own
    token is read and kept; the Page accepts posts with it (the fake Page only takes its token)."""
    from planner.publishing.ports import PublishRequest
    from planner.publishing.registry import PublisherRegistry
    from tests.fakes.meta import FakeFacebookPage

    meta = FakeAuthorizationServer(client_auth="client_secret_post", clock=clock.now)
    meta.redirect_uri = f"{BASE}/channels/oauth/callback"
    with (
        serving(meta) as auth,
        serving(FakeFacebookPage(user_token_check=meta.is_valid)) as page_api,
    ):
        fb_app = {
            "client_id": auth.client_id,
            "client_secret": auth.client_secret,
            "authorize_url": f"{auth.url}/authorize",
            "token_url": f"{auth.url}/token",
            "api_url": page_api.url,
        }
        app = app_factory(base_url=BASE, oauth_apps={"facebook": fb_app})
        client = app.test_client()
        channel = _channel(db, "facebook", "Facebookpagina")
        login(client, admin)
        sent = client.post(
            f"/channels/{channel.id}/connect",
            data={"connect-account_id": FakeFacebookPage.page_id},
        )
        back = client.get(_platform_answer(sent.headers["Location"]), follow_redirects=True)
        assert "Facebookpagina is verbonden." in back.get_data(as_text=True)
        assert len(auth.calls("GET", "/token")) == 1  # the long-lived exchange

        db.expire_all()
        connected = db.get(Channel, channel.id)
        assert connected is not None
        assert connected.publisher_settings["page_id"] == FakeFacebookPage.page_id
        secrets = publishing_runtime.get(app).secret_box
        token = TokenSet.from_json(secrets.decrypt(connected.publisher_secret or ""))
        assert token.access_token == FakeFacebookPage.token
        assert token.expires_at is None  # a Page token from a long-lived login does not end

        registry = PublisherRegistry(secrets, allow_loopback=True)
        publisher = registry.build(connected)
        result = publisher.publish(
            PublishRequest(
                delivery_id=1, idempotency_key="d-1", attempt=1, text="Hallo", parts=["Hallo"]
            )
        )
        assert [p["message"] for p in page_api.posts] == ["Hallo"]
        assert result.remote_id == page_api.posts[0]["id"]
