"""The whole loop through the API alone (issue 13, item 17), on a committed database of each engine:
capture a story with a photo (fetched back with the same bearer token), comment, split it, edit,
acknowledge a warning, submit, a second editor approves the version she read, schedule, and the
publishing engine sends it to a webhook receiver; the deliveries endpoint then says "sent".

Also the other workflow operations: request changes with a comment, comments on fragments and
reviewer links (made by a colleague, spent once used), and that the OpenAPI document lists them.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner import create_app, migrate
from planner.accounts.models import Role
from planner.accounts.services import create_token, create_user
from planner.clock import FrozenClock
from planner.db import transaction
from planner.publishing.engine import EngineConfig, publish_due
from planner.publishing.registry import PublisherRegistry
from planner.publishing.secrets import SecretBox
from planner.web import runtime
from tests.conftest import PASSWORD, fresh_database_url, make_settings
from tests.factories import APP_SECRET, WEBHOOK_SECRET
from tests.fakes.webhook import Receiver, running_receiver
from tests.unit.media.sample_images import jpeg

STORY = "Mehmet repareert elke week de bankjes in het Havenpark. Dit jaar waren het er al veertig."
#: "middels" is a warning of the starter style (Zuiderhaven.Ambtelijk): acknowledged with a reason
TEXT = "Mehmet heeft middels zijn eigen gereedschap veertig bankjes in het Havenpark gerepareerd."


@pytest.fixture
def committed_app(backend: str, tmp_path: Path) -> Iterator[Flask]:
    url = fresh_database_url(backend, tmp_path, "apiwalk")
    migrate.upgrade(url)
    app = create_app(make_settings(tmp_path, database_url=url))
    yield app
    runtime.session_factory(app).kw["bind"].dispose()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def _tokens(app: Flask) -> dict[str, dict[str, str]]:
    people = {
        "admin": (Role.ADMIN, "admin@example.org", "Ada Admin"),
        "sanne": (Role.EDITOR, "sanne@example.org", "Sanne Bakker"),
        "daan": (Role.EDITOR, "daan@example.org", "Daan de Vries"),
    }
    headers = {}
    with transaction(runtime.session_factory(app)) as session:
        for key, (role, email, name) in people.items():
            user = create_user(session, None, email=email, name=name, role=role, password=PASSWORD)
            headers[key] = {"Authorization": f"Bearer {create_token(session, None, user, 'api')}"}
    return headers


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def _story_with_photo(client: FlaskClient, auth: dict[str, str]) -> tuple[dict[str, Any], Any]:
    story = _ok(
        client.post(
            "/api/v1/stories", json={"title": "Veertig bankjes", "body": STORY}, headers=auth
        ),
        201,
    )
    photo = _ok(
        client.post(
            f"/api/v1/stories/{story['id']}/media",
            data={
                "file": (io.BytesIO(jpeg(800, 600)), "bankje.jpg"),
                "alt": "Mehmet bij een bankje",
            },
            headers=auth,
            content_type="multipart/form-data",
        ),
        201,
    )
    return story, photo


def test_an_api_client_runs_capture_to_sent(committed_app: Flask, receiver: Receiver) -> None:
    client = committed_app.test_client()
    auth = _tokens(committed_app)
    sanne, daan = auth["sanne"], auth["daan"]
    channel = _ok(
        client.post(
            "/api/v1/channels",
            json={
                "name": "Website-koppeling",
                "kind": "mastodon",
                "approval_steps": 1,
                "publisher": {"kind": "webhook", "url": receiver.url, "secret": WEBHOOK_SECRET},
            },
            headers=auth["admin"],
        ),
        201,
    )

    # Capture: a story with a photo; the photo's url answers the same bearer token.
    story, photo = _story_with_photo(client, sanne)
    image = client.get(photo["url"], headers=sanne)
    assert image.status_code == 200
    assert image.mimetype == "image/jpeg"
    assert image.data[:2] == b"\xff\xd8"
    assert client.get(photo["url"]).status_code == 401
    comment = _ok(
        client.post(
            f"/api/v1/stories/{story['id']}/comments",
            json={"body": "Mooi verhaal voor de zaterdag."},
            headers=daan,
        ),
        201,
    )
    assert comment["author"] == "Daan de Vries"
    listed = _ok(client.get(f"/api/v1/stories/{story['id']}/comments", headers=sanne))
    assert [c["body"] for c in listed] == ["Mooi verhaal voor de zaterdag."]

    # Split, edit the version read, and let the one warning stand with a reason.
    [fragment] = _ok(
        client.post(
            f"/api/v1/stories/{story['id']}/fragments",
            json={"channel": channel["id"]},
            headers=sanne,
        ),
        201,
    )
    url = f"/api/v1/fragments/{fragment['id']}"
    fragment = _ok(
        client.patch(url, json={"version": fragment["version"], "parts": [TEXT]}, headers=sanne)
    )
    warnings = [
        a for a in _ok(client.get(f"{url}/checks", headers=sanne)) if a["severity"] == "warning"
    ]
    assert [(w["check"], w["match"]) for w in warnings] == [("Zuiderhaven.Ambtelijk", "middels")]

    # Submit; the author cannot approve; the second editor approves the version she read, once
    # the warning is acknowledged.
    submitted = _ok(
        client.post(f"{url}/submit", json={"version": fragment["version"]}, headers=sanne)
    )
    assert submitted["status"] == "in_review"
    seen = {"version": submitted["version"]}
    assert client.post(f"{url}/approve", json=seen, headers=sanne).status_code == 403
    held = client.post(f"{url}/approve", json=seen, headers=daan)
    assert held.status_code == 409
    assert held.get_json()["findings"][0]["match"] == "middels"
    ack = _ok(
        client.post(
            f"{url}/acknowledgements",
            json={
                "field": warnings[0]["field"],
                "check": warnings[0]["check"],
                "match": warnings[0]["match"],
                "reason": "Mehmet zegt het zelf zo.",
            },
            headers=daan,
        ),
        201,
    )
    assert ack["acknowledged_by"] == "Daan de Vries"
    approved = _ok(client.post(f"{url}/approve", json={**seen, "comment": "Prima"}, headers=daan))
    assert approved["status"] == "approved"
    assert [(a["approver"], a["reviewer"]) for a in approved["approvals"]] == [
        ("Daan de Vries", False)
    ]

    # Schedule a minute ahead; the engine sends it when it falls due.
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)
    planned = _ok(client.post(f"{url}/schedule", json={"at": at.isoformat()}, headers=sanne))
    assert planned["status"] == "scheduled"
    report = publish_due(
        runtime.session_factory(committed_app),
        FrozenClock(at + timedelta(seconds=5)),
        PublisherRegistry(SecretBox(APP_SECRET), allow_loopback=True).build,
        worker="api-walk",
        config=EngineConfig(concurrency=1),
    )
    assert report.sent == 1
    [delivery] = _ok(client.get(f"/api/v1/deliveries?fragment={fragment['id']}", headers=sanne))
    assert delivery["state"] == "sent"
    assert _ok(client.get(url, headers=sanne))["status"] == "published"
    assert sum(receiver.raw_counts().values()) == 1


def test_request_changes_fragment_comments_and_reviewer_links_through_the_api(
    committed_app: Flask,
) -> None:
    client = committed_app.test_client()
    auth = _tokens(committed_app)
    sanne, daan = auth["sanne"], auth["daan"]
    channel = _ok(
        client.post(
            "/api/v1/channels", json={"name": "Mastodon", "kind": "mastodon"}, headers=sanne
        ),
        201,
    )
    story, _photo = _story_with_photo(client, sanne)
    [fragment] = _ok(
        client.post(
            f"/api/v1/stories/{story['id']}/fragments",
            json={"channel": channel["id"]},
            headers=sanne,
        ),
        201,
    )
    url = f"/api/v1/fragments/{fragment['id']}"
    fragment = _ok(
        client.post(f"{url}/submit", json={"version": fragment["version"]}, headers=sanne)
    )

    # Comments on the fragment name the version they were made on.
    _ok(client.post(f"{url}/comments", json={"body": "Klopt de naam?"}, headers=daan), 201)
    comments = _ok(client.get(f"{url}/comments", headers=sanne))
    assert [(c["author"], c["version"]) for c in comments] == [
        ("Daan de Vries", fragment["version"])
    ]

    # Request changes: the comment is required and the version is the one read.
    assert (
        client.post(
            f"{url}/request-changes", json={"version": fragment["version"]}, headers=daan
        ).status_code
        == 422
    )
    stale = client.post(
        f"{url}/request-changes", json={"version": 99, "comment": "Anders"}, headers=daan
    )
    assert stale.status_code == 409
    assert stale.get_json()["version"] == fragment["version"]
    back = _ok(
        client.post(
            f"{url}/request-changes",
            json={"version": fragment["version"], "comment": "Noem het park bij naam."},
            headers=daan,
        )
    )
    assert back["status"] == "draft"
    fragment = _ok(
        client.post(f"{url}/submit", json={"version": fragment["version"]}, headers=sanne)
    )

    # Reviewer links: not by the author; by a colleague, shown once, spent once used.
    assert client.post(f"{url}/review-links", json={"days": 3}, headers=sanne).status_code == 403
    link = _ok(client.post(f"{url}/review-links", json={"days": 3}, headers=daan), 201)
    assert link["open"] is True
    assert link["created_by"] == "Daan de Vries"
    path = link["url"].split("://", 1)[1].split("/", 1)[1]
    page = client.get(f"/{path}")
    assert page.status_code == 200
    listed = _ok(client.get(f"{url}/review-links", headers=sanne))
    assert [entry["id"] for entry in listed] == [link["id"]]
    assert "url" not in listed[0]
    revoked = _ok(client.post(f"/api/v1/review-links/{link['id']}/revoke", headers=daan))
    assert revoked["open"] is False
    assert client.get(f"/{path}").status_code == 410


def test_the_openapi_document_describes_the_workflow(committed_app: Flask) -> None:
    document = committed_app.test_client().get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    for path, method in [
        ("/api/v1/fragments/{fragment_id}/submit", "post"),
        ("/api/v1/fragments/{fragment_id}/approve", "post"),
        ("/api/v1/fragments/{fragment_id}/request-changes", "post"),
        ("/api/v1/fragments/{fragment_id}/acknowledgements", "post"),
        ("/api/v1/fragments/{fragment_id}/comments", "get"),
        ("/api/v1/fragments/{fragment_id}/comments", "post"),
        ("/api/v1/stories/{story_id}/comments", "get"),
        ("/api/v1/stories/{story_id}/comments", "post"),
        ("/api/v1/fragments/{fragment_id}/review-links", "post"),
        ("/api/v1/fragments/{fragment_id}/review-links", "get"),
        ("/api/v1/review-links/{link_id}/revoke", "post"),
        ("/api/v1/fragments/{fragment_id}/schedule", "post"),
        ("/api/v1/deliveries", "get"),
        ("/api/v1/media/{key}", "get"),
    ]:
        assert method in paths.get(path, {}), (path, method)
    approve = document["components"]["schemas"]["ApproveIn"]
    assert "version" in approve["required"]
    patch = paths["/api/v1/fragments/{fragment_id}"]["patch"]
    assert "428" in patch["responses"]
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in patch["parameters"])
    assert "image/*" in paths["/api/v1/media/{key}"]["get"]["responses"]["200"]["content"]
