"""Input that used to end in a 500 gets a clear answer (issue 12 item 14), on both databases:
NUL characters in any form field, query parameter or path token of a page (the public intake and
reviewer forms too), and JSON nested 100,000 levels deep (the API's own fields refuse a NUL with
a 422, and tests/api/test_schemathesis.py fuzzes them)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.accounts.services import create_token
from planner.approval.reviewer_links import create_review_link
from planner.clock import FrozenClock
from planner.stories import intake
from planner.stories.models import Story
from tests import factories as make
from tests.conftest import EN, Login

NUL_MESSAGE = "invisible NUL character"
DEEP = "[" * 100_000 + "]" * 100_000


def _bearer(db: Session, user: User) -> dict[str, str]:
    token = create_token(db, None, user, "test")
    db.commit()
    return {"Authorization": f"Bearer {token}"}


def test_a_nul_in_the_public_intake_form_is_a_clear_400(
    client: FlaskClient, editor: User, db: Session
) -> None:
    link = intake.create_intake_link(db, editor, title="Deel je verhaal", intro="Vertel!")
    db.commit()
    before = db.scalar(select(func.count()).select_from(Story))
    response = client.post(
        f"/i/{link.token}",
        data={
            "name": "Fatima\x00Ouali",
            "email": "fatima@example.org",
            "title": "De stoep",
            "body": "Ik kan nu zelf naar de winkel.\x00",
            "allow_story": "y",
        },
        headers=EN,
    )
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Story)) == before


def test_a_nul_in_the_reviewer_form_and_in_tokens(
    app: Flask, db: Session, editor: User, clock: FrozenClock
) -> None:
    fragment = make.fragment(db, editor)
    _link, token = create_review_link(db, make.second_editor(db), fragment, clock.now(), days=1)
    db.commit()
    stranger = app.test_client()
    response = stranger.post(
        f"/review/{token}", data={"decision": "comment", "name": "Meh\x00met"}, headers=EN
    )
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_data(as_text=True)
    assert stranger.get(f"/review/{token}%00").status_code == 404
    assert stranger.get("/i/abc%00def").status_code == 404
    assert stranger.get(f"/review/{token}").status_code == 200


def test_a_nul_in_a_signed_in_form_or_query_string(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    story = make.story(db)
    db.commit()
    login(client, editor)
    response = client.post(
        f"/stories/{story.id}/comments", data={"body": "Goed\x00verhaal"}, headers=EN
    )
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_data(as_text=True)
    assert client.get("/fragments?status=draft%00", headers=EN).status_code == 400
    assert client.get("/fragments?status=draft", headers=EN).status_code == 200


def test_json_nested_100000_deep_is_a_400(
    client: FlaskClient, login: Login, db: Session, editor: User
) -> None:
    fragment = make.fragment(db, editor)
    api = client.post(
        f"/api/v1/fragments/{fragment.id}/schedule",
        data=DEEP,
        headers={**_bearer(db, editor), "Content-Type": "application/json"},
    )
    assert api.status_code == 400
    assert api.mimetype == "application/problem+json"
    login(client, editor)
    page = client.post(
        f"/calendar/fragments/{fragment.id}/move",
        data='{"local": ' + DEEP + "}",
        headers={"Content-Type": "application/json", "X-CSRFToken": "x"},
    )
    assert page.status_code == 400
