"""The stories API: list with filters, employee submission, and reading one story."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.services import create_token
from planner.stories import services
from tests.conftest import make_user


def _bearer(db: Session, user: User) -> dict[str, str]:
    token = create_token(db, None, user, "test")
    db.commit()
    return {"Authorization": f"Bearer {token}"}


def test_post_story_creates_an_employee_story(
    client: FlaskClient, db: Session, contributor: User
) -> None:
    resp = client.post(
        "/api/v1/stories",
        json={"title": "Oude bankjes", "body": "Nieuw hout.", "language": "nl"},
        headers=_bearer(db, contributor),
    )
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["source"] == "employee"
    assert body["status"] == "new"
    assert body["contributor"] == "Cora Contributor"
    assert body["is_publishable"] is True
    got = client.get(f"/api/v1/stories/{body['id']}", headers=_bearer(db, contributor))
    assert got.status_code == 200
    assert got.get_json()["title"] == "Oude bankjes"


def test_post_story_with_blank_title_is_422(
    client: FlaskClient, db: Session, contributor: User
) -> None:
    resp = client.post(
        "/api/v1/stories", json={"title": "   ", "body": "x"}, headers=_bearer(db, contributor)
    )
    assert resp.status_code == 422
    assert resp.mimetype == "application/problem+json"


def test_list_stories_filters_and_hides_other_contributors(
    client: FlaskClient, db: Session, contributor: User, editor: User
) -> None:
    other = make_user(db, Role.CONTRIBUTOR, "other@example.org", "Otto Other")
    mine = services.submit_story(db, contributor, title="Mijn park", body="Bankjes")
    theirs = services.submit_story(db, other, title="Hun fiets", body="Wijkagent")
    services.accept_story(db, editor, theirs.id)
    db.commit()
    seen = client.get("/api/v1/stories", headers=_bearer(db, contributor)).get_json()
    assert [s["id"] for s in seen] == [mine.id]
    accepted = client.get(
        "/api/v1/stories?status=accepted&q=fiets", headers=_bearer(db, editor)
    ).get_json()
    assert [s["id"] for s in accepted] == [theirs.id]
    assert (
        client.get("/api/v1/stories?status=bogus", headers=_bearer(db, editor)).status_code == 422
    )


def test_get_someone_elses_story_is_403_and_unknown_is_404(
    client: FlaskClient, db: Session, contributor: User
) -> None:
    other = make_user(db, Role.CONTRIBUTOR, "other@example.org", "Otto Other")
    story = services.submit_story(db, other, title="Hun verhaal", body="Tekst")
    db.commit()
    headers = _bearer(db, contributor)
    assert client.get(f"/api/v1/stories/{story.id}", headers=headers).status_code == 403
    assert client.get("/api/v1/stories/999999", headers=headers).status_code == 404


def test_stories_are_in_the_openapi_document(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/stories"])
    assert "get" in paths["/api/v1/stories/{story_id}"]
