"""The OAuth connect round trip in chromium (issue 16, "Done when"): an admin opens an X
channel's publishing page, clicks "Verbinden", passes the (fake) platform's authorization server
on 127.0.0.1 and comes back to a connected channel, with no Content-Security-Policy violation on
the way (the page's form may go to that server, and only there).

A server of its own: the app's base URL has to be the address the authorization server sends
the browser back to, and the app's OAuth settings are set at start."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from planner import create_app, migrate
from planner.accounts.models import Role
from planner.accounts.services import create_user
from planner.channels.models import Channel
from planner.db import make_engine, make_sessionmaker, transaction
from planner.publishing.models import ChannelConnection, ConnectionState
from planner.web import runtime
from tests.browser.conftest import screenshot, sign_in, watch_csp
from tests.conftest import PASSWORD, make_settings
from tests.fakes.oauth import FakeAuthorizationServer
from tests.fakes.server import serving

pytestmark = pytest.mark.browser

ADMIN = "beheer@zuiderhaven.test"


class _Later:
    """The WSGI app the server calls, set once the app knows the server's address."""

    app: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def connected_world(
    tmp_path_factory: pytest.TempPathFactory, browser: Any
) -> Iterator[tuple[str, Any, FakeAuthorizationServer, int]]:
    tmp = tmp_path_factory.mktemp("oauth")
    url = f"sqlite:///{tmp / 'oauth.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        create_user(
            session, None, email=ADMIN, name="Bea Beheer", role=Role.ADMIN, password=PASSWORD
        )
        channel = Channel(name="X Zuiderhaven", kind_key="x", publisher_kind="manual")
        session.add(channel)
        session.flush()
        channel_id = channel.id
    engine.dispose()
    later = _Later()
    server = make_server("127.0.0.1", 0, later, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    auth = FakeAuthorizationServer(client_auth="client_secret_basic")
    auth.redirect_uri = f"{base}/channels/oauth/callback"
    with serving(auth):
        app_settings = {
            "client_id": auth.client_id,
            "client_secret": auth.client_secret,
            "authorize_url": f"{auth.url}/authorize",
            "token_url": f"{auth.url}/token",
        }
        later.app = create_app(
            make_settings(tmp, database_url=url, base_url=base, oauth_apps={"x": app_settings})
        )
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield base, later.app, auth, channel_id
        finally:
            server.shutdown()
            thread.join(timeout=5)
            runtime.session_factory(later.app).kw["bind"].dispose()


@pytest.mark.parametrize("width", [1280, 390])
def test_an_admin_connects_x_in_chromium(
    browser: Any, connected_world: tuple[str, Any, FakeAuthorizationServer, int], width: int
) -> None:
    base, app, auth, channel_id = connected_world
    context = browser.new_context(
        base_url=base, locale="nl-NL", viewport={"width": width, "height": 900}
    )
    violations = watch_csp(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, ADMIN, PASSWORD)

        page.goto(f"/channels/{channel_id}/publishing")
        card = page.locator("#connection")
        expect(card).to_contain_text("Verbinding met X")
        expect(card).to_contain_text("niet verbonden" if width == 1280 else "verbonden")
        screenshot(page, f"oauth-connect-before-{width}")
        before = len(auth.calls("GET", "/authorize"))

        card.get_by_role("button", name="Verbinden").or_(
            card.get_by_role("button", name="Opnieuw verbinden")
        ).click()
        page.wait_for_url(f"**/channels/{channel_id}/publishing")

        expect(page.get_by_text("X Zuiderhaven is verbonden.")).to_be_visible()
        expect(card).to_contain_text("Berichten gaan automatisch uit.")
        assert len(auth.calls("GET", "/authorize")) == before + 1  # it went there, and back
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"oauth-connect-after-{width}")
    finally:
        context.close()
    assert violations == [], "the connect round trip broke the Content-Security-Policy"
    with runtime.session_factory(app)() as session:
        connection = session.get(ChannelConnection, channel_id)
        assert connection is not None
        assert connection.state == ConnectionState.CONNECTED
        assert connection.connected_at <= datetime.now(UTC)


def test_the_publishing_form_shows_only_what_the_chosen_publisher_uses(
    browser: Any, connected_world: tuple[str, Any, FakeAuthorizationServer, int]
) -> None:
    base, _app, _auth, channel_id = connected_world
    context = browser.new_context(base_url=base, locale="nl-NL")
    violations = watch_csp(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, ADMIN, PASSWORD)
        page.goto(f"/channels/{channel_id}/publishing")
        kind = page.get_by_label("Hoe fragmenten worden gepubliceerd")
        kind.select_option("newsletter")
        expect(page.get_by_label("SMTP-server")).to_be_visible()
        kind.select_option("x")
        expect(page.get_by_label("SMTP-server")).to_be_hidden()
        expect(page.get_by_label("Adres (URL)")).to_be_visible()
        kind.select_option("manual")
        expect(page.get_by_label("Adres (URL)")).to_be_hidden()
        expect(page.get_by_label("Geheim, token of wachtwoord")).to_be_hidden()
    finally:
        context.close()
    assert violations == []
