"""Security headers on every response (issue 12 item 9): a Content-Security-Policy without inline
script, nosniff, no framing (the public reviewer page least of all) and a same-origin referrer
policy; and no template carries an inline script or an event handler attribute."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.datastructures import Headers

from planner.accounts.models import User
from planner.approval.reviewer_links import create_review_link
from planner.clock import FrozenClock
from tests import factories as make
from tests.conftest import REPO_ROOT, Login


def _directives(response_headers: Headers) -> dict[str, str]:
    policy = response_headers.get("Content-Security-Policy") or ""
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in policy.split(";")
        if part.strip()
    }


def _assert_protected(response_headers: Headers) -> None:
    get = response_headers.get
    csp = _directives(response_headers)
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["base-uri"] == "'self'"
    assert get("X-Content-Type-Options") == "nosniff"
    assert get("X-Frame-Options") == "DENY"
    assert get("Referrer-Policy") == "same-origin"


def test_signed_in_pages_and_the_sign_in_page_carry_the_headers(
    client: FlaskClient, login: Login, editor: User
) -> None:
    _assert_protected(client.get("/sign-in").headers)
    login(client, editor)
    for path in ("/dashboard", "/calendar", "/fragments", "/publishing/attention"):
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_protected(response.headers)


def test_the_public_reviewer_page_cannot_be_framed(
    app: Flask, db: Session, editor: User, clock: FrozenClock
) -> None:
    fragment = make.fragment(db, editor)
    _link, token = create_review_link(db, make.second_editor(db), fragment, clock.now(), days=1)
    db.commit()
    response = app.test_client().get(f"/review/{token}")
    assert response.status_code == 200
    _assert_protected(response.headers)


@pytest.mark.parametrize(
    "path", ["/static/vendor/htmx/htmx.min.js", "/static/css/app.css", "/no-such-page"]
)
def test_static_files_and_errors_carry_them_too(client: FlaskClient, path: str) -> None:
    _assert_protected(client.get(path).headers)


def test_api_answers_carry_nosniff(client: FlaskClient) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    _assert_protected(response.headers)


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
_HANDLER = re.compile(r"""<[^>]*\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
_JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


@pytest.mark.parametrize("template", sorted((REPO_ROOT / "templates").rglob("*.html")), ids=str)
def test_no_template_has_inline_script_or_event_handlers(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    assert not _INLINE_SCRIPT.search(text)
    assert not _HANDLER.search(text)
    assert not _JS_URL.search(text)
    assert "hx-on" not in text  # htmx would need eval for it
