"""Signing in and out, CSRF, rate limits, roles, and the admin's management of people."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from planner.accounts.models import Role, User
from planner.audit.models import AuditEvent
from tests.conftest import PASSWORD


def test_sign_in_with_right_password_reaches_dashboard(client: FlaskClient, editor: User) -> None:
    resp = client.post("/sign-in", data={"email": "EDITOR@example.org ", "password": PASSWORD})
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/dashboard")
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "Eddie" in page.get_data(as_text=True)


def test_sign_in_with_wrong_password_shows_message_and_keeps_email(
    client: FlaskClient, editor: User
) -> None:
    resp = client.post(
        "/sign-in",
        data={"email": "editor@example.org", "password": "wrong password"},
        headers={"Accept-Language": "en"},
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "do not match an active account" in html
    assert 'value="editor@example.org"' in html


def test_sign_in_refuses_deactivated_account(client: FlaskClient, editor: User, db) -> None:
    editor.is_active = False
    db.commit()
    resp = client.post("/sign-in", data={"email": "editor@example.org", "password": PASSWORD})
    assert resp.status_code == 200
    assert client.get("/dashboard").status_code == 302


def test_session_cookie_is_httponly_and_lax(client: FlaskClient, editor: User) -> None:
    resp = client.post("/sign-in", data={"email": "editor@example.org", "password": PASSWORD})
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_secure_cookies_setting_marks_cookie_secure(app_factory, editor: User) -> None:
    client = app_factory(secure_cookies=True).test_client()
    resp = client.post("/sign-in", data={"email": "editor@example.org", "password": PASSWORD})
    assert "Secure" in resp.headers["Set-Cookie"]


def test_form_without_csrf_token_is_refused(app_factory, editor: User) -> None:
    client = app_factory(csrf=True).test_client()
    resp = client.post("/sign-in", data={"email": "editor@example.org", "password": PASSWORD})
    assert resp.status_code == 400
    assert client.get("/dashboard").status_code == 302


def test_form_with_csrf_token_is_accepted(app_factory, editor: User) -> None:
    client = app_factory(csrf=True).test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    resp = client.post(
        "/sign-in",
        data={"email": "editor@example.org", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert resp.status_code == 302


def test_sign_in_is_rate_limited_per_address(app_factory, editor: User) -> None:
    client = app_factory(ratelimit_enabled=True, signin_rate_limit="3 per minute").test_client()
    codes = [
        client.post(
            "/sign-in",
            data={"email": "editor@example.org", "password": "nope nope nope"},
            environ_base={"REMOTE_ADDR": "198.51.100.7"},
        ).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_sign_out_needs_post_and_ends_session(client: FlaskClient, editor: User, login) -> None:
    login(client, editor)
    assert client.get("/sign-out").status_code == 405
    assert client.post("/sign-out").status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_contributor_gets_403_from_admin_pages(
    client: FlaskClient, contributor: User, login
) -> None:
    login(client, contributor)
    assert client.get("/settings/users").status_code == 403
    assert client.get("/settings/audit").status_code == 403
    assert client.get("/settings").status_code == 403


def test_editor_gets_403_from_admin_pages(client: FlaskClient, editor: User, login) -> None:
    login(client, editor)
    assert client.get("/settings/users").status_code == 403


def test_admin_creates_user_and_it_is_audited(client: FlaskClient, admin: User, login, db) -> None:
    login(client, admin)
    resp = client.post(
        "/settings/users/new",
        data={
            "email": "new@example.org",
            "name": "Nina New",
            "role": "editor",
            "weekly_hours": "16",
            "is_active": "y",
            "password": "a long enough password",
        },
    )
    assert resp.status_code == 302
    created = db.scalar(select(User).where(User.email == "new@example.org"))
    assert created is not None
    assert created.role is Role.EDITOR
    assert created.weekly_hours == 16
    actions = db.scalars(select(AuditEvent.action)).all()
    assert "user.create" in actions


def test_admin_create_user_duplicate_email_shows_error_and_keeps_input(
    client: FlaskClient, admin: User, editor: User, login
) -> None:
    login(client, admin)
    resp = client.post(
        "/settings/users/new",
        data={
            "email": "editor@example.org",
            "name": "Someone Typed This",
            "role": "editor",
            "weekly_hours": "8",
        },
        headers={"Accept-Language": "en"},
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "already has an account" in html
    assert "Someone Typed This" in html


def test_admin_cannot_demote_self(client: FlaskClient, admin: User, login, db) -> None:
    login(client, admin)
    resp = client.post(
        f"/settings/users/{admin.id}",
        data={"name": admin.name, "role": "editor", "weekly_hours": "8", "is_active": "y"},
    )
    assert resp.status_code == 200
    db.refresh(admin)
    assert admin.role is Role.ADMIN


def test_audit_log_lists_sign_ins_for_admin(client: FlaskClient, admin: User) -> None:
    client.post("/sign-in", data={"email": "admin@example.org", "password": PASSWORD})
    html = client.get("/settings/audit").get_data(as_text=True)
    assert "auth.sign_in" in html


def test_account_page_creates_and_revokes_token(
    client: FlaskClient, editor: User, login, db
) -> None:
    login(client, editor)
    html = client.post("/account", data={"tok-name": "Zapier"}).get_data(as_text=True)
    token = re.search(r'id="new-token">(cf_[^<]+)<', html)
    assert token
    api = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.group(1)}"})
    assert api.status_code == 200
    token_id = editor.tokens[-1].id
    client.post(f"/account/tokens/{token_id}/revoke")
    api = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.group(1)}"})
    assert api.status_code == 401


def test_language_choice_is_remembered_for_user(
    client: FlaskClient, editor: User, login, db
) -> None:
    login(client, editor)
    client.post("/language", data={"language": "en", "next": "/dashboard"})
    db.refresh(editor)
    assert editor.language == "en"
    assert 'lang="en"' in client.get("/dashboard").get_data(as_text=True)


def test_language_defaults_to_dutch_and_follows_accept_language(client: FlaskClient) -> None:
    assert 'lang="nl"' in client.get("/sign-in").get_data(as_text=True)
    html = client.get("/sign-in", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(
        as_text=True
    )
    assert 'lang="en"' in html


def test_language_switch_refuses_offsite_redirect(client: FlaskClient) -> None:
    resp = client.post("/language", data={"language": "en", "next": "//evil.example/"})
    assert resp.headers["Location"] == "/"


def test_token_last_use_is_written_at_most_once_a_minute(db, editor: User) -> None:
    from datetime import UTC, datetime, timedelta

    from planner.accounts.models import ApiToken
    from planner.accounts.services import create_token, user_for_token

    token = create_token(db, None, editor, "script")
    row = db.scalar(select(ApiToken).where(ApiToken.user_id == editor.id))
    start = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert user_for_token(db, token, now=start) == editor
    assert row.last_used_at == start
    # Reads within the minute change nothing, so an API read stays a read.
    user_for_token(db, token, now=start + timedelta(seconds=59))
    assert row.last_used_at == start
    assert row not in db.dirty
    user_for_token(db, token, now=start + timedelta(minutes=1))
    assert row.last_used_at == start + timedelta(minutes=1)
