"""The channels and fragments API: add a channel, split a story, edit, preview and check."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.accounts.services import create_token
from planner.stories.models import Story, StorySource


def _bearer(db: Session, user: User) -> dict[str, str]:
    token = create_token(db, None, user, "test")
    db.commit()
    return {"Authorization": f"Bearer {token}"}


def _story(db: Session) -> Story:
    story = Story(
        title="Veertig bankjes",
        body="Mehmet repareert elke week de bankjes in het Havenpark. Dit jaar al veertig.",
        language="nl",
        source=StorySource.EMPLOYEE,
    )
    db.add(story)
    db.commit()
    return story


def test_channel_split_patch_preview_and_checks(
    client: FlaskClient, db: Session, editor: User
) -> None:
    auth = _bearer(db, editor)
    created = client.post(
        "/api/v1/channels", json={"name": "Mastodon", "kind": "mastodon"}, headers=auth
    )
    assert created.status_code == 201
    channel = created.get_json()
    assert [c["id"] for c in client.get("/api/v1/channels", headers=auth).get_json()] == [
        channel["id"]
    ]
    story = _story(db)
    split = client.post(
        f"/api/v1/stories/{story.id}/fragments", json={"channel": channel["id"]}, headers=auth
    )
    assert split.status_code == 201
    fragment = split.get_json()[0]
    assert fragment["kind"] == "post"
    assert fragment["version"] == 1

    patched = client.patch(
        f"/api/v1/fragments/{fragment['id']}",
        json={"version": 1, "parts": ["Wij helpen onze klanten graag."]},
        headers=auth,
    )
    assert patched.status_code == 200
    assert patched.get_json()["version"] == 2
    stale = client.patch(
        f"/api/v1/fragments/{fragment['id']}", json={"version": 1, "parts": ["x"]}, headers=auth
    )
    assert stale.status_code == 409

    preview = client.get(f"/api/v1/fragments/{fragment['id']}/preview", headers=auth).get_json()
    assert preview["parts"][0]["count"] == 30
    assert preview["parts"][0]["limit"] == 500
    checks = client.get(f"/api/v1/fragments/{fragment['id']}/checks", headers=auth).get_json()
    assert any(a["severity"] == "error" and a["replacements"] == ["inwoners"] for a in checks)


def test_check_endpoint_runs_the_engine(client: FlaskClient, db: Session, editor: User) -> None:
    auth = _bearer(db, editor)
    found = client.post(
        "/api/v1/check", json={"text": "Onze klanten.", "channel": "x"}, headers=auth
    ).get_json()
    assert found[0]["match"] == "klanten"
    assert found[0]["start"] == 5
    unknown = client.post("/api/v1/check", json={"text": "x", "channel": "fax"}, headers=auth)
    assert unknown.status_code == 422


def test_contributor_cannot_create_channels(
    client: FlaskClient, db: Session, contributor: User
) -> None:
    response = client.post(
        "/api/v1/channels",
        json={"name": "X", "kind": "x"},
        headers=_bearer(db, contributor),
    )
    assert response.status_code == 403


def test_fragments_carry_the_photos_chosen_for_them(
    client: FlaskClient, db: Session, editor: User
) -> None:
    import io

    from tests.unit.media.sample_images import jpeg

    auth = _bearer(db, editor)
    channel = client.post(
        "/api/v1/channels", json={"name": "Mastodon", "kind": "mastodon"}, headers=auth
    ).get_json()
    story = _story(db)
    uploaded = [
        client.post(
            f"/api/v1/stories/{story.id}/media",
            data={"file": (io.BytesIO(jpeg(800, 600)), f"bankje-{n}.jpg"), "alt": f"Bankje {n}"},
            headers=auth,
            content_type="multipart/form-data",
        )
        for n in (1, 2)
    ]
    assert [r.status_code for r in uploaded] == [201, 201]
    first, second = (r.get_json()["id"] for r in uploaded)
    fragment = client.post(
        f"/api/v1/stories/{story.id}/fragments", json={"channel": channel["id"]}, headers=auth
    ).get_json()[0]
    assert fragment["photo_ids"] == [first, second]  # drafted with the described photos

    patched = client.patch(
        f"/api/v1/fragments/{fragment['id']}",
        json={"photo_ids": [second], "version": fragment["version"]},
        headers=auth,
    )
    assert patched.status_code == 200
    assert patched.get_json()["photo_ids"] == [second]
    foreign = client.patch(
        f"/api/v1/fragments/{fragment['id']}",
        json={"photo_ids": [second + 1000]},
        headers={**auth, "If-Match": patched.headers["ETag"]},
    )
    assert foreign.status_code == 409
    assert client.get(f"/api/v1/fragments/{fragment['id']}", headers=auth).get_json()[
        "photo_ids"
    ] == [second]


def test_patch_without_a_version_is_refused_with_428_and_if_match_works(
    client: FlaskClient, db: Session, editor: User
) -> None:
    """Issue 12 item 5: an edit that does not say which version it changed overwrites nobody."""
    auth = _bearer(db, editor)
    channel = client.post(
        "/api/v1/channels", json={"name": "Mastodon", "kind": "mastodon"}, headers=auth
    ).get_json()
    story = _story(db)
    fragment = client.post(
        f"/api/v1/stories/{story.id}/fragments", json={"channel": channel["id"]}, headers=auth
    ).get_json()[0]
    url = f"/api/v1/fragments/{fragment['id']}"
    blind = client.patch(url, json={"parts": ["Zomaar overschreven."]}, headers=auth)
    assert blind.status_code == 428
    assert blind.mimetype == "application/problem+json"
    assert blind.get_json()["version"] == 1
    read = client.get(url, headers=auth)
    assert read.headers["ETag"] == '"1"'
    edited = client.patch(
        url,
        json={"parts": ["Nieuwe bankjes in het Havenpark."]},
        headers={**auth, "If-Match": read.headers["ETag"]},
    )
    assert edited.status_code == 200
    assert edited.headers["ETag"] == '"2"'
    stale = client.patch(
        url, json={"parts": ["Te laat."]}, headers={**auth, "If-Match": read.headers["ETag"]}
    )
    assert stale.status_code == 409
    assert stale.get_json()["version"] == 2
    nonsense = client.patch(url, json={"parts": ["x"]}, headers={**auth, "If-Match": "*"})
    assert nonsense.status_code == 422
    assert client.get(url, headers=auth).get_json()["parts"] == ["Nieuwe bankjes in het Havenpark."]
