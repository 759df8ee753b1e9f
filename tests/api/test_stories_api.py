"""The stories API: list with filters, employee submission, and reading one story."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.services import create_token
from planner.stories import services, themes
from planner.web import runtime
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


def _jpeg() -> bytes:
    from tests.unit.media.sample_images import jpeg

    return jpeg(gps=True)


def test_post_media_adds_a_photo_and_story_lists_it(
    app, client: FlaskClient, db: Session, contributor: User, editor: User
) -> None:
    import io
    from pathlib import Path

    story = services.submit_story(db, contributor, title="Bankjes", body="Hout")
    db.commit()
    resp = client.post(
        f"/api/v1/stories/{story.id}/media",
        data={"file": (io.BytesIO(_jpeg()), "bank.jpg"), "alt": "Een bankje van eikenhout"},
        content_type="multipart/form-data",
        headers=_bearer(db, editor),
    )
    assert resp.status_code == 201
    photo = resp.get_json()
    assert photo["alt_text"] == "Een bankje van eikenhout"
    assert (photo["width"], photo["height"], photo["mime"]) == (320, 240, "image/jpeg")
    assert (photo["focal_x"], photo["focal_y"]) == (0.5, 0.5)
    stored = Path(runtime.storage(app).path(photo["url"].removeprefix("/api/v1/media/")))
    assert b"GPS" not in stored.read_bytes()
    got = client.get(f"/api/v1/stories/{story.id}", headers=_bearer(db, contributor)).get_json()
    assert [p["id"] for p in got["photos"]] == [photo["id"]]


def test_post_media_refuses_bad_files_with_problem_json(
    app, client: FlaskClient, db: Session, contributor: User, editor: User
) -> None:
    import io
    from pathlib import Path

    story = services.submit_story(db, contributor, title="Bankjes", body="Hout")
    db.commit()
    headers = _bearer(db, editor)
    url = f"/api/v1/stories/{story.id}/media"
    bad = client.post(
        url,
        data={"file": (io.BytesIO(_jpeg()[:500]), "half.jpg")},
        content_type="multipart/form-data",
        headers=headers,
    )
    assert bad.status_code == 422
    assert bad.mimetype == "application/problem+json"
    assert bad.get_json()["errors"][0]["field"] == "file"
    assert "damaged" in bad.get_json()["detail"]
    missing = client.post(url, json={"alt": "geen bestand"}, headers=headers)
    assert missing.status_code == 422
    assert missing.mimetype == "application/problem+json"
    root = Path(runtime.storage(app).root)
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]
    other = make_user(db, Role.CONTRIBUTOR, "other@example.org", "Otto Other")
    denied = client.post(
        url,
        data={"file": (io.BytesIO(_jpeg()), "bank.jpg")},
        content_type="multipart/form-data",
        headers=_bearer(db, other),
    )
    assert denied.status_code == 403


def test_patch_story_changes_fields_and_status(
    client: FlaskClient, db: Session, contributor: User, editor: User
) -> None:
    story = services.submit_story(db, contributor, title="Bankjes", body="Hout")
    theme = themes.create_theme(db, editor, name="Duurzaamheid")
    db.commit()
    headers = _bearer(db, editor)
    url = f"/api/v1/stories/{story.id}"
    resp = client.patch(
        url, json={"title": "Eiken bankjes", "theme_ids": [theme.id]}, headers=headers
    )
    assert resp.status_code == 200
    body = resp.get_json()
    assert (body["title"], body["body"], body["themes"]) == (
        "Eiken bankjes",
        "Hout",
        ["Duurzaamheid"],
    )
    assert client.patch(url, json={"status": "accepted"}, headers=headers).get_json()["status"] == (
        "accepted"
    )
    assert client.patch(url, json={"status": "told"}, headers=headers).status_code == 409
    no_reason = client.patch(url, json={"status": "declined"}, headers=headers)
    assert no_reason.status_code == 422
    declined = client.patch(
        url, json={"status": "declined", "decline_reason": "Dubbel"}, headers=headers
    )
    assert declined.get_json()["decline_reason"] == "Dubbel"
    assert client.patch(url, json={"theme_ids": [999999]}, headers=headers).status_code == 409
    assert (
        client.patch(url, json={"title": "Van mij"}, headers=_bearer(db, contributor)).status_code
        == 403
    )


def test_themes_api_lists_and_creates(
    client: FlaskClient, db: Session, contributor: User, editor: User
) -> None:
    created = client.post(
        "/api/v1/themes",
        json={"name": "Inspraak", "description": "Meedenken", "target_share": 20},
        headers=_bearer(db, editor),
    )
    assert created.status_code == 201
    assert created.get_json()["target_share"] == 20
    assert (
        client.post(
            "/api/v1/themes", json={"name": "inspraak"}, headers=_bearer(db, editor)
        ).status_code
        == 409
    )
    assert (
        client.post(
            "/api/v1/themes", json={"name": "X"}, headers=_bearer(db, contributor)
        ).status_code
        == 403
    )
    listed = client.get("/api/v1/themes", headers=_bearer(db, contributor)).get_json()
    assert [t["name"] for t in listed] == ["Inspraak"]
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert (
        "multipart/form-data"
        in paths["/api/v1/stories/{story_id}/media"]["post"]["requestBody"]["content"]
    )
    assert "patch" in paths["/api/v1/stories/{story_id}"]
    assert {"get", "post"} <= set(paths["/api/v1/themes"])
