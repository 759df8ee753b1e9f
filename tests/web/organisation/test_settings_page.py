"""The organisation's settings page keeps its own domains (the UTM check) and the address of its
privacy statement (the resident's intake); a bad address is refused and what was typed stays
(issue 13, items 12 and 14)."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.organisation.services import get_organisation
from tests.conftest import EN, Login

BASE = {"name": "Gemeente Zuiderhaven", "timezone": "Europe/Amsterdam", "website": "zuiderhaven.nl"}


def test_admin_sets_own_domains_and_privacy_statement(
    client: FlaskClient, login: Login, admin: User, db: Session
) -> None:
    login(client, admin)
    form = {
        **BASE,
        "own_domains": "https://www.WerkenBijZuiderhaven.nl/vacatures\nafvalwijzer.nl, zuiderhaven.nl",
        "privacy_url": "https://www.zuiderhaven.nl/privacy",
    }
    assert client.post("/settings", data=form, headers=EN).status_code == 302
    db.expire_all()
    org = get_organisation(db)
    assert org.own_domains == "werkenbijzuiderhaven.nl\nafvalwijzer.nl\nzuiderhaven.nl"
    assert org.domains() == ("zuiderhaven.nl", "werkenbijzuiderhaven.nl", "afvalwijzer.nl")
    assert org.privacy_url == "https://www.zuiderhaven.nl/privacy"
    page = client.get("/settings", headers=EN).get_data(as_text=True)
    assert "afvalwijzer.nl" in page
    assert "https://www.zuiderhaven.nl/privacy" in page


def test_a_bad_privacy_address_is_refused_and_kept(
    client: FlaskClient, login: Login, admin: User
) -> None:
    login(client, admin)
    form = {**BASE, "own_domains": "zuiderhaven.nl", "privacy_url": "javascript:alert(1)"}
    response = client.post("/settings", data=form, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "starting with https://" in page
    assert "javascript:alert(1)" in page
    form = {**BASE, "own_domains": "geen domein", "privacy_url": ""}
    page = client.post("/settings", data=form, headers=EN).get_data(as_text=True)
    assert "one per line" in page
