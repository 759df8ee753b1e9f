"""``GET /l/<code>``: a 302 to the target with UTM parameters merged with the editor's, counted
once per click for people, apart for bots, previews and HEAD requests, and nothing that says who
clicked anywhere in the database; an unknown code gets a friendly page, never a redirect.

Requests are made with ``buffered=True``: like a WSGI server, the test client then closes the
response, which is when the redirect writes its counted clicks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import MetaData, func, select
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.clock import FrozenClock
from planner.effect import runtime
from planner.effect.models import ClickCount, ClickKind
from tests.web.effect.conftest import published

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Ziggo-7731"
ADDRESS = "203.0.113.77"


@pytest.fixture
def counting_app(app_factory: Callable[..., Flask]) -> Flask:
    return app_factory(click_flush_seconds=0)


def _counts(db: Session) -> dict[tuple[date, str, ClickKind], int]:
    db.expire_all()
    return {
        (c.day, c.referrer_host, c.kind): c.clicks for c in db.scalars(select(ClickCount)).all()
    }


def test_following_a_link_redirects_with_utm_and_counts_once(
    counting_app: Flask, db: Session, editor: User, clock: FrozenClock
) -> None:
    _fragment, link, _pub = published(
        db, editor, clock.now(), target="https://www.zuiderhaven.nl/bieb?utm_source=krant&x=1"
    )
    client = counting_app.test_client()
    response = client.get(
        "/l/Bieb1234",
        buffered=True,
        headers={"User-Agent": BROWSER, "Referer": "https://social.test/@zuiderhaven/109?ref=me"},
        environ_base={"REMOTE_ADDR": ADDRESS},
    )
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "www.zuiderhaven.nl", "/bieb")
    query = parse_qs(target.query)
    assert query["utm_source"] == ["krant"]  # the editor's own parameter wins
    assert query["x"] == ["1"]
    assert query["utm_medium"] == ["social"]
    assert query["utm_content"] == [f"fragment-{link.fragment_id}"]
    assert "utm_campaign" not in query  # no campaign, no empty parameter
    assert response.headers["Cache-Control"] == "no-store"
    # 09:00 UTC on 27 November is the same day in Amsterdam; only the referrer's host is kept
    assert _counts(db) == {(date(2026, 11, 27), "social.test", ClickKind.PERSON): 1}


def test_bots_previews_and_head_requests_are_counted_apart(
    counting_app: Flask, db: Session, editor: User, clock: FrozenClock
) -> None:
    published(db, editor, clock.now())
    client = counting_app.test_client()
    for agent in (
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "http.rb/5.1.1 (Mastodon/4.3.0; +https://social.test/)",
        "Bluesky Cardyb/1.1",
        "",
    ):
        assert (
            client.get("/l/Bieb1234", headers={"User-Agent": agent}, buffered=True).status_code
            == 302
        )
    assert (
        client.head("/l/Bieb1234", headers={"User-Agent": BROWSER}, buffered=True).status_code
        == 302
    )
    day = date(2026, 11, 27)
    assert _counts(db) == {(day, "", ClickKind.BOT): 4, (day, "", ClickKind.HEAD): 1}


def test_an_unknown_code_gets_a_friendly_page_and_no_redirect(
    counting_app: Flask, db: Session
) -> None:
    client = counting_app.test_client()
    for code in ("Onbekend1", "x" * 40, "ab-cd"):
        response = client.get(f"/l/{code}")
        assert response.status_code == 404
        assert "Location" not in response.headers
        assert "Link not found" in response.get_data(as_text=True) or "niet gevonden" in (
            response.get_data(as_text=True)
        )
    assert db.scalar(select(func.count()).select_from(ClickCount)) == 0


def test_clicks_wait_in_memory_and_a_graceful_stop_writes_them(
    app_factory: Callable[..., Flask], db: Session, editor: User, clock: FrozenClock
) -> None:
    app = app_factory(click_flush_seconds=3600)
    published(db, editor, clock.now())
    client = app.test_client()
    for _ in range(25):
        client.get("/l/Bieb1234", headers={"User-Agent": BROWSER}, buffered=True)
    assert runtime.counter(app).pending() == 25
    assert _counts(db) == {}
    assert runtime.counter(app).flush() == 25  # what atexit and the scheduler's tick call
    assert _counts(db) == {(date(2026, 11, 27), "", ClickKind.PERSON): 25}


def test_after_many_clicks_the_database_holds_neither_address_nor_user_agent(
    counting_app: Flask,
    db: Session,
    editor: User,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    published(db, editor, clock.now())
    client: FlaskClient = counting_app.test_client()
    caplog.set_level(logging.DEBUG)
    for n in range(200):
        client.get(
            "/l/Bieb1234",
            buffered=True,
            headers={"User-Agent": BROWSER, "Referer": f"https://mail.test/inbox/{n}?u=piet"},
            environ_base={"REMOTE_ADDR": ADDRESS},
        )
    assert _counts(db) == {(date(2026, 11, 27), "mail.test", ClickKind.PERSON): 200}

    # A dump: every row of every table, as text.
    metadata = MetaData()
    connection = db.connection()
    metadata.reflect(bind=connection)
    dump = "\n".join(
        repr(tuple(row))
        for table in metadata.sorted_tables
        for row in connection.execute(select(table))
    )
    assert "Bieb1234" in dump  # the dump is real
    for secret in (ADDRESS, "Ziggo-7731", "Chrome/131", "piet", "/inbox/"):
        assert secret not in dump
    assert ADDRESS not in caplog.text
    assert "Ziggo-7731" not in caplog.text
