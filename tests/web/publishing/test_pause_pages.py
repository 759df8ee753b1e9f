"""The crisis pause through the test client and the API: the button, the banner on every page
while paused, a reason required (kept when refused), held deliveries released or cancelled, and
``POST /api/v1/publishing/pause`` / ``resume`` with ``resolve`` action ``release``."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.accounts.services import create_token
from planner.approval import services as approval_services
from planner.audit.models import AuditEvent
from planner.clock import FrozenClock
from planner.publishing.models import Delivery, DeliveryState, PublishingPause
from planner.scheduling import planning
from tests import factories as make
from tests.conftest import EN, Login


def _held(db: Session, editor: User, clock: FrozenClock) -> Delivery:
    fragment = make.fragment(db, editor)
    approval_services.approve_fragment(db, make.second_editor(db), fragment, clock.now())
    delivery = planning.schedule_fragment(
        db, editor, fragment, clock.now() + timedelta(hours=1), clock.now()
    )
    delivery.held_at = clock.now()
    db.commit()
    return delivery


def test_the_button_pauses_everything_and_the_banner_shows_on_every_page(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    login(client, editor)
    assert "data-pause-banner" not in client.get("/dashboard", headers=EN).get_data(as_text=True)
    response = client.post(
        "/publishing/pause", data={"reason": "Brand in de haven", "channel": ""}, headers=EN
    )
    assert response.status_code == 302
    for path in ("/dashboard", "/publishing/attention", "/inbox", "/publishing/pause"):
        page = client.get(path, headers=EN).get_data(as_text=True)
        assert "data-pause-banner" in page, path
        assert "Brand in de haven" in page
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.action == "publishing.pause"))

    response = client.post("/publishing/resume", data={"channel": ""}, headers=EN)
    assert response.status_code == 302
    assert "data-pause-banner" not in client.get("/dashboard", headers=EN).get_data(as_text=True)


def test_a_pause_without_a_reason_is_refused_on_the_page(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    login(client, editor)
    response = client.post("/publishing/pause", data={"reason": "", "channel": ""}, headers=EN)
    assert response.status_code == 422
    assert "Say why publishing is paused." in response.get_data(as_text=True)
    assert db.scalar(select(PublishingPause.id)) is None


def test_a_contributor_cannot_pause(
    client: FlaskClient, login: Login, contributor: User, db: Session
) -> None:
    login(client, contributor)
    response = client.post("/publishing/pause", data={"reason": "x"}, headers=EN)
    assert response.status_code == 403
    assert db.scalar(select(PublishingPause.id)) is None


def test_a_held_delivery_is_released_from_the_attention_page(
    client: FlaskClient, login: Login, editor: User, db: Session, clock: FrozenClock
) -> None:
    delivery = _held(db, editor, clock)
    login(client, editor)
    page = client.get("/publishing/attention", headers=EN).get_data(as_text=True)
    assert "Release: publish now" in page
    response = client.post(
        f"/deliveries/{delivery.id}/resolve", data={"action": "release"}, headers=EN
    )
    assert response.status_code == 302
    db.refresh(delivery)
    assert delivery.held_at is None
    assert delivery.released_at == clock.now()
    assert delivery.not_before == clock.now()


def test_the_api_pauses_one_channel_resumes_and_releases(
    client: FlaskClient, editor: User, db: Session, clock: FrozenClock
) -> None:
    headers = {"Authorization": f"Bearer {create_token(db, None, editor, 'test')}"}
    delivery = _held(db, editor, clock)
    response = client.post(
        "/api/v1/publishing/pause",
        json={"reason": "Rouw", "channel_id": delivery.channel_id},
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["scope"] == f"channel:{delivery.channel_id}"
    assert body["in_flight"] == 0
    again = client.post(
        "/api/v1/publishing/pause",
        json={"reason": "Rouw", "channel_id": delivery.channel_id},
        headers=headers,
    )
    assert again.status_code == 409
    assert again.content_type.startswith("application/problem+json")
    assert (
        client.post("/api/v1/publishing/pause", json={"reason": ""}, headers=headers).status_code
        == 422
    )
    listed = client.get("/api/v1/publishing/pauses", headers=headers).get_json()
    assert [p["reason"] for p in listed] == ["Rouw"]

    released = client.post(
        f"/api/v1/deliveries/{delivery.id}/resolve", json={"action": "release"}, headers=headers
    )
    assert released.status_code == 200, released.get_json()
    assert released.get_json()["held_at"] is None
    assert released.get_json()["released_at"] is not None
    assert released.get_json()["state"] == DeliveryState.PENDING.value
    twice = client.post(
        f"/api/v1/deliveries/{delivery.id}/resolve", json={"action": "release"}, headers=headers
    )
    assert twice.status_code == 409

    resumed = client.post(
        "/api/v1/publishing/resume", json={"channel_id": delivery.channel_id}, headers=headers
    )
    assert resumed.status_code == 200
    assert resumed.get_json()["ended_at"] is not None
    assert client.post("/api/v1/publishing/resume", json={}, headers=headers).status_code == 409
