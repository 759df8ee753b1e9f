"""The calendar API: a window with UTC and local times, scheduling by instant or by wall time
(with both DST transitions), unscheduling, and refusals as problem+json."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.accounts.services import create_token
from planner.clock import FrozenClock
from planner.fragments.models import Fragment, FragmentStatus
from tests import factories as make
from tests.factories import fragment_in_status, plan

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _auth(db: Session, user: User) -> dict[str, str]:
    token = create_token(db, None, user, "test")
    db.commit()
    return {"Authorization": f"Bearer {token}"}


def _fragment(
    db: Session, editor: User, status: FragmentStatus = FragmentStatus.APPROVED
) -> Fragment:
    channel = make.channel(db, editor, f"Mastodon {status.value}")
    fragment = fragment_in_status(db, editor, channel, status=status)
    db.commit()
    return fragment


def test_calendar_lists_fragments_with_utc_and_local_times(
    client: FlaskClient, db: Session, editor: User
) -> None:
    channel = make.channel(db, editor)
    other = make.channel(db, editor, "Bluesky")
    fragment = plan(
        db,
        editor,
        fragment_in_status(db, editor, channel),
        datetime(2026, 12, 1, 9, tzinfo=UTC),
        NOW,
    )
    plan(
        db,
        editor,
        fragment_in_status(db, editor, other),
        datetime(2026, 12, 1, 12, tzinfo=UTC),
        NOW,
    )
    headers = _auth(db, editor)

    response = client.get("/api/v1/calendar?start=2026-12-01&end=2027-01-01", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert len(body) == 2
    first = body[0]
    assert first["id"] == fragment.id
    assert first["scheduled_at"] in ("2026-12-01T09:00:00Z", "2026-12-01T09:00:00+00:00")
    assert first["local"] == "2026-12-01T10:00"
    assert first["timezone"] == "Europe/Amsterdam"
    assert first["delivery_state"] == "pending"

    only = client.get(
        f"/api/v1/calendar?start=2026-12-01&end=2027-01-01&channel={other.id}", headers=headers
    ).get_json()
    assert [e["channel"] for e in only] == ["Bluesky"]
    assert (
        client.get("/api/v1/calendar?start=2026-12-02&end=2026-12-01", headers=headers).get_json()
        == []
    )
    bad = client.get("/api/v1/calendar?start=soon&end=2026-12-01", headers=headers)
    assert bad.status_code == 422
    assert bad.mimetype == "application/problem+json"


def test_schedule_by_instant_and_by_wall_time_then_unschedule(
    client: FlaskClient, db: Session, editor: User
) -> None:
    fragment = _fragment(db, editor)
    headers = _auth(db, editor)
    url = f"/api/v1/fragments/{fragment.id}/schedule"

    by_instant = client.post(url, json={"at": "2026-12-01T10:00:00+01:00"}, headers=headers)
    assert by_instant.status_code == 200
    assert by_instant.get_json()["local"] == "2026-12-01T10:00"

    by_wall = client.post(
        url, json={"local": "2026-12-02T10:00", "timezone": "Europe/London"}, headers=headers
    )
    assert by_wall.status_code == 200
    assert by_wall.get_json()["local"] == "2026-12-02T11:00"  # shown in the org's zone
    db.refresh(fragment)
    assert fragment.scheduled_at == datetime(2026, 12, 2, 10, 0, tzinfo=UTC)

    removed = client.delete(url, headers=headers)
    assert removed.status_code == 200
    assert removed.get_json()["scheduled_at"] is None
    again = client.delete(url, headers=headers)
    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"


def test_wall_times_in_the_dst_gap_and_overlap(
    client: FlaskClient, db: Session, editor: User, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 10, 1, tzinfo=UTC))
    fragment = _fragment(db, editor)
    headers = _auth(db, editor)
    url = f"/api/v1/fragments/{fragment.id}/schedule"

    gap = client.post(url, json={"local": "2027-03-28T02:30"}, headers=headers)
    assert gap.status_code == 422
    problem = gap.get_json()
    assert problem["type"].endswith("nonexistent-local-time")
    assert "does not exist" in problem["detail"]

    overlap = client.post(url, json={"local": "2026-10-25T02:30"}, headers=headers)
    assert overlap.status_code == 422
    problem = overlap.get_json()
    assert problem["type"].endswith("ambiguous-local-time")
    assert problem["earlier_at"].startswith("2026-10-25T00:30")
    assert problem["later_at"].startswith("2026-10-25T01:30")

    chosen = client.post(url, json={"local": "2026-10-25T02:30", "fold": "later"}, headers=headers)
    assert chosen.status_code == 200
    db.refresh(fragment)
    assert fragment.scheduled_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_refusals_are_problems(
    client: FlaskClient, db: Session, editor: User, contributor: User
) -> None:
    fragment = _fragment(db, editor)
    draft = _fragment(db, editor, status=FragmentStatus.DRAFT)
    headers = _auth(db, editor)
    url = f"/api/v1/fragments/{fragment.id}/schedule"

    past = client.post(url, json={"at": "2026-01-01T10:00:00Z"}, headers=headers)
    assert past.status_code == 409
    assert past.get_json()["detail"] == "Choose a time in the future."
    not_approved = client.post(
        f"/api/v1/fragments/{draft.id}/schedule",
        json={"at": "2026-12-01T10:00:00Z"},
        headers=headers,
    )
    assert not_approved.status_code == 409
    naive = client.post(url, json={"at": "2026-12-01T10:00:00"}, headers=headers)
    assert naive.status_code == 422
    both = client.post(
        url, json={"at": "2026-12-01T10:00:00Z", "local": "2026-12-01T10:00"}, headers=headers
    )
    assert both.status_code == 422
    zone = client.post(
        url, json={"local": "2026-12-01T10:00", "timezone": "Mars/Base"}, headers=headers
    )
    assert zone.status_code == 422
    forbidden = client.post(
        url, json={"at": "2026-12-01T10:00:00Z"}, headers=_auth(db, contributor)
    )
    assert forbidden.status_code == 403
    missing = client.post(
        "/api/v1/fragments/999999/schedule", json={"at": "2026-12-01T10:00:00Z"}, headers=headers
    )
    assert missing.status_code == 404
    db.refresh(fragment)
    assert fragment.scheduled_at is None
