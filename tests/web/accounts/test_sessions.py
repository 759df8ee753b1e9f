"""Sessions end on the server (issue 12 item 7): after signing out, a copied session cookie or
remember cookie signs nobody in; changing the password asks for the current one and ends every
other session; an administrator's reset ends them all; remember-me lasts weeks, not a year."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from tests.conftest import EN, PASSWORD, Login

NEW_PASSWORD = "a brand new passphrase"


def _signed_in(app: Flask, *, remember: bool = False, password: str = PASSWORD) -> FlaskClient:
    client = app.test_client()
    data = {"email": "editor@example.org", "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/sign-in", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _copy(app: Flask, source: FlaskClient, *names: str) -> FlaskClient:
    thief = app.test_client()
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def _is_signed_in(client: FlaskClient) -> bool:
    return client.get("/dashboard").status_code == 200


def test_a_copied_session_cookie_stops_working_when_its_owner_signs_out(
    app: Flask, editor: User
) -> None:
    owner = _signed_in(app)
    thief = _copy(app, owner, "session")
    assert _is_signed_in(thief)
    assert owner.post("/sign-out").status_code == 302
    assert not _is_signed_in(owner)
    assert not _is_signed_in(thief)
    assert thief.get("/dashboard").headers["Location"].startswith("/sign-in")


def test_a_copied_remember_cookie_stops_working_after_sign_out(app: Flask, editor: User) -> None:
    owner = _signed_in(app, remember=True)
    stolen = owner_cookie_value(owner)
    thief = app.test_client()
    thief.set_cookie("remember_token", stolen)
    assert _is_signed_in(thief)  # the remember cookie alone signs in: the control
    owner.post("/sign-out")
    later = app.test_client()
    later.set_cookie("remember_token", stolen)
    assert not _is_signed_in(later)
    assert not _is_signed_in(thief)


def owner_cookie_value(client: FlaskClient) -> str:
    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    return cookie.value


def test_remember_me_lasts_weeks_not_a_year(app: Flask, editor: User) -> None:
    client = app.test_client()
    response = client.post(
        "/sign-in", data={"email": "editor@example.org", "password": PASSWORD, "remember": "y"}
    )
    [remember] = [
        header for header in response.headers.getlist("Set-Cookie") if "remember_token=" in header
    ]
    expires = next(
        part.split("=", 1)[1] for part in remember.split("; ") if part.startswith("Expires=")
    )
    lasts = parsedate_to_datetime(expires) - datetime.now(UTC)
    assert timedelta(days=29) < lasts <= timedelta(days=30)


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(
    app: Flask, editor: User, db: Session
) -> None:
    laptop = _signed_in(app)
    phone = _signed_in(app, remember=True)
    phone_remember = owner_cookie_value(phone)
    wrong = laptop.post(
        "/account",
        data={"pw-current": "not my password", "pw-password": NEW_PASSWORD},
        headers=EN,
    )
    assert wrong.status_code == 200
    assert "Your current password is not right." in wrong.get_data(as_text=True)
    assert _is_signed_in(phone)
    missing = laptop.post("/account", data={"pw-password": NEW_PASSWORD}, headers=EN)
    assert missing.status_code == 200
    assert _is_signed_in(phone)
    done = laptop.post(
        "/account", data={"pw-current": PASSWORD, "pw-password": NEW_PASSWORD}, headers=EN
    )
    assert done.status_code == 302
    assert _is_signed_in(laptop)  # this browser stays signed in
    assert not _is_signed_in(phone)  # every other one is out, remember cookie and all
    revived = app.test_client()
    revived.set_cookie("remember_token", phone_remember)
    assert not _is_signed_in(revived)
    assert _is_signed_in(_signed_in(app, password=NEW_PASSWORD))


def test_an_administrator_setting_a_password_ends_all_of_that_persons_sessions(
    app: Flask, editor: User, admin: User, login: Login
) -> None:
    browser = _signed_in(app)
    office = login(app.test_client(), admin)
    response = office.post(
        f"/settings/users/{editor.id}",
        data={
            "name": editor.name,
            "role": "editor",
            "weekly_hours": "8",
            "is_active": "y",
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert not _is_signed_in(browser)
    assert _is_signed_in(office)


def test_a_cookie_with_a_bare_user_id_signs_nobody_in(app: Flask, editor: User) -> None:
    # What sessions carried before they could end on the server (and what a forger would try).
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = str(editor.id)
        sess["_fresh"] = True
    assert not _is_signed_in(client)
