"""The publishing API: channels with publisher settings (secrets never returned), approving a
fragment, listing its deliveries and resolving one, with problem+json refusals."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.accounts.services import create_token
from planner.clock import FrozenClock
from planner.publishing.models import DeliveryState
from planner.scheduling import planning
from tests import factories as make

SECRET = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ="


def _bearer(db: Session, user: User) -> dict[str, str]:
    token = create_token(db, None, user, "test")
    db.commit()
    return {"Authorization": f"Bearer {token}"}


def test_admin_creates_a_webhook_channel_and_the_secret_is_not_returned(
    client: FlaskClient, db: Session, admin: User, app: Flask
) -> None:
    headers = _bearer(db, admin)
    response = client.post(
        "/api/v1/channels",
        json={
            "name": "Website",
            "kind": "blog",
            "approval_steps": 2,
            "publisher": {"kind": "webhook", "url": "http://127.0.0.1:9/hook", "secret": SECRET},
        },
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["publisher_kind"] == "webhook"
    assert body["publisher_settings"] == {"url": "http://127.0.0.1:9/hook"}
    assert body["has_secret"] is True
    assert body["approval_steps"] == 2
    listed = client.get("/api/v1/channels", headers=headers)
    assert SECRET not in listed.get_data(as_text=True)
    assert "has_secret" in listed.get_data(as_text=True)


def test_channel_with_a_refused_url_is_a_409_problem_naming_the_field(
    client: FlaskClient, db: Session, admin: User
) -> None:
    response = client.post(
        "/api/v1/channels",
        json={
            "name": "Intern",
            "kind": "blog",
            "publisher": {"kind": "webhook", "url": "file:///etc/passwd", "secret": "x"},
        },
        headers=_bearer(db, admin),
    )
    # Well-formed JSON whose URL the outbound guard refuses: a conflict with the settings, as for
    # a taken name (schema-valid bodies are never 422 in this API).
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["field"] == "url"


def test_editor_may_not_set_publisher_credentials(
    client: FlaskClient, db: Session, editor: User
) -> None:
    response = client.post(
        "/api/v1/channels",
        json={
            "name": "Hook",
            "kind": "blog",
            "publisher": {"kind": "webhook", "url": "http://127.0.0.1:9/", "secret": "s"},
        },
        headers=_bearer(db, editor),
    )
    assert response.status_code == 403


def test_approve_list_deliveries_and_resolve(
    client: FlaskClient, db: Session, editor: User, clock: FrozenClock
) -> None:
    fragment = make.fragment(db, editor)
    other = make.second_editor(db)
    seen = {"version": fragment.version}
    own = client.post(
        f"/api/v1/fragments/{fragment.id}/approve", json=seen, headers=_bearer(db, editor)
    )
    assert own.status_code == 403
    assert "You wrote or edited this version" in own.get_json()["detail"]
    headers = _bearer(db, other)
    approved = client.post(
        f"/api/v1/fragments/{fragment.id}/approve",
        json={"comment": "Prima", **seen},
        headers=headers,
    )
    assert approved.status_code == 200
    body = approved.get_json()
    assert body["status"] == "approved"
    assert body["approvals"][0]["approver"] == "Sam Second"
    again = client.post(f"/api/v1/fragments/{fragment.id}/approve", json=seen, headers=headers)
    assert again.status_code == 409
    db.refresh(fragment)
    delivery = planning.schedule_fragment(
        db, other, fragment, clock.now() + timedelta(hours=2), clock.now()
    )
    db.commit()
    listed = client.get(f"/api/v1/deliveries?fragment={fragment.id}", headers=headers)
    assert [d["id"] for d in listed.get_json()] == [delivery.id]
    assert listed.get_json()[0]["state"] == "pending"
    assert client.get("/api/v1/deliveries?fragment=999999", headers=headers).get_json() == []
    bad_url = client.post(
        f"/api/v1/deliveries/{delivery.id}/resolve",
        json={"action": "mark_posted", "url": "nope"},
        headers=headers,
    )
    assert bad_url.status_code == 422
    retry_pending = client.post(
        f"/api/v1/deliveries/{delivery.id}/resolve", json={"action": "retry"}, headers=headers
    )
    assert retry_pending.status_code == 409
    posted = client.post(
        f"/api/v1/deliveries/{delivery.id}/resolve",
        json={"action": "mark_posted", "url": "https://social.example/@z/1"},
        headers=headers,
    )
    assert posted.status_code == 200
    assert posted.get_json()["state"] == DeliveryState.SENT.value
    assert posted.get_json()["remote_url"] == "https://social.example/@z/1"


def test_resolve_unknown_delivery_is_404(client: FlaskClient, db: Session, editor: User) -> None:
    response = client.post(
        "/api/v1/deliveries/424242/resolve", json={"action": "cancel"}, headers=_bearer(db, editor)
    )
    assert response.status_code == 404
