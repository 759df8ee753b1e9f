"""The calendar API: a window with UTC and local times, scheduling by instant or by wall time
(with both DST transitions), unscheduling, and refusals as problem+json; the window's fast path
(and FullCalendar's) against the answers of the entries they replaced, byte for byte, and their
ETags."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner import create_app, migrate
from planner.accounts.models import ApiToken, Role, User
from planner.accounts.services import create_token, create_user
from planner.channels.models import Channel
from planner.clock import FrozenClock
from planner.db import make_engine, make_sessionmaker, transaction
from planner.fragments.models import Fragment, FragmentStatus
from planner.publishing.models import DeliveryState
from planner.scheduling import services
from planner.scheduling.api import CalendarEventOut
from planner.scheduling.views import _EventLabels
from planner.timekeeping.periods import Period
from planner.timekeeping.wallclock import inspect_local
from planner.web import runtime
from tests import factories as make
from tests.conftest import fresh_database_url, make_settings
from tests.factories import plan

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _auth(db: Session, user: User) -> dict[str, str]:
    token = create_token(db, None, user, "test")
    db.commit()
    return {"Authorization": f"Bearer {token}"}


def _fragment(
    db: Session, editor: User, status: FragmentStatus = FragmentStatus.APPROVED
) -> Fragment:
    channel = make.channel(db, editor, f"Mastodon {status.value}")
    fragment = make.fragment_in_status(db, editor, channel, status=status)
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
        make.fragment_in_status(db, editor, channel),
        datetime(2026, 12, 1, 9, tzinfo=UTC),
        NOW,
    )
    plan(
        db,
        editor,
        make.fragment_in_status(db, editor, other),
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


# --- the fast path answers what the old one did --------------------------------------------


def _old_api_body(
    app: Flask, db: Session, editor: User, start: date, end: date, **filters: int
) -> bytes:
    """GET /api/v1/calendar as it was answered before list_calendar_rows: the calendar entries,
    each through CalendarEventOut.model_construct and model_dump(mode="json"), then jsonify."""
    tz = "Europe/Amsterdam"
    period = Period(start, end - timedelta(days=1), tz)
    entries = services.list_calendar(
        db,
        editor,
        start_at=period.start_at,
        end_at=min(period.end_at, period.start_at + services.MAX_WINDOW),
        filters=services.CalendarFilters(**filters),
        tz=tz,
    )
    payload = [
        CalendarEventOut.model_construct(
            id=entry.fragment.id,
            title=entry.title,
            channel_id=entry.fragment.channel_id,
            channel=entry.fragment.channel.name,
            kind=entry.fragment.kind,
            status=entry.fragment.status.value,
            delivery_state=entry.delivery_state.value if entry.delivery_state else None,
            scheduled_at=entry.fragment.scheduled_at,
            local=entry.local_start.isoformat(timespec="minutes"),
            timezone=tz,
            conflicts_with=sorted(entry.conflict_with),
        ).model_dump(mode="json")
        for entry in entries
    ]
    with app.app_context():
        return app.json.response(payload).get_data()


def test_calendar_answers_byte_for_byte_what_the_entries_and_their_model_did(
    app: Flask, client: FlaskClient, db: Session, editor: User
) -> None:
    month = make.month(db, editor)
    headers = _auth(db, editor)
    cases: list[tuple[date, date, dict[str, int]]] = [
        (date(2027, 3, 1), date(2027, 4, 1), {}),
        (date(2027, 3, 1), date(2027, 4, 1), {"channel": month.mastodon.id}),
        (date(2027, 3, 1), date(2027, 4, 1), {"theme": month.theme.id}),
        (date(2027, 3, 3), date(2027, 3, 4), {}),
        (date(2027, 2, 1), date(2027, 3, 1), {}),  # the edge fragments only
        (date(2026, 1, 1), date(2026, 2, 1), {}),  # nothing
        (date(2027, 3, 2), date(2027, 3, 1), {}),  # ends before it starts
    ]
    names = {"channel": "channel_id", "theme": "theme_id"}
    for start, end, args in cases:
        query = urlencode({"start": start.isoformat(), "end": end.isoformat(), **args})
        response = client.get(f"/api/v1/calendar?{query}", headers=headers)
        assert response.status_code == 200
        assert response.mimetype == "application/json"
        expected = (
            b"[]\n"
            if end <= start
            else _old_api_body(
                app, db, editor, start, end, **{names[k]: v for k, v in args.items()}
            )
        )
        assert response.get_data() == expected, (start, end, args)
    whole = client.get("/api/v1/calendar?start=2027-03-01&end=2027-04-01", headers=headers)
    events = whole.get_json()
    # The comparison covered what it should: every fragment, escapes, states and conflicts.
    assert sorted(e["id"] for e in events) == sorted(month.inside)
    assert b"\\u00e9" in whole.get_data()  # "Café", escaped as jsonify escapes it
    assert b"\\ud83d\\ude00" in whole.get_data()  # the emoji, as a surrogate pair
    assert b"\\u007f" in whole.get_data()
    assert {e["delivery_state"] for e in events} >= {
        None,
        "pending",
        "sending",
        "retrying",
        "sent",
        "failed",
        "needs_check",
        "missed",
        "cancelled",
    }
    assert sum(len(e["conflicts_with"]) > 1 for e in events) >= 2
    assert {e["status"] for e in events} == {"scheduled", "published", "failed"}


def _old_event(entry: services.CalendarEntry, now: datetime, labels: Any) -> dict[str, Any]:
    """One FullCalendar event as /calendar/events built it before list_calendar_rows."""
    fragment = entry.fragment
    state = entry.delivery_state
    editable = (
        fragment.status == FragmentStatus.SCHEDULED
        and state != DeliveryState.SENDING
        and fragment.scheduled_at is not None
        and fragment.scheduled_at > now
    )
    classes = ["cal-event", f"cal-event--{fragment.status.value}"]
    if entry.needs_attention:
        classes.append("cal-event--attention")
    if entry.conflict_with:
        classes.append("cal-event--conflict")
    shown = state is not None and state not in (DeliveryState.PENDING, DeliveryState.RETRYING)
    state_value = state.value if shown and state is not None else None
    return {
        "id": str(fragment.id),
        "title": entry.title,
        "start": entry.local_start.isoformat(timespec="minutes"),
        "backgroundColor": fragment.channel.colour,
        "borderColor": fragment.channel.colour,
        "textColor": "#ffffff",
        "editable": editable,
        "classNames": classes,
        "url": labels.url.format(fragment.id),
        "extendedProps": {
            "channel": fragment.channel.name,
            # added since: the channel's id, for its mark (issue 13, item 4)
            "channelId": fragment.channel.id,
            "kind": labels.kinds[fragment.kind],
            "status": fragment.status.value,
            "statusLabel": labels.statuses[fragment.status.value],
            "delivery": state_value,
            "deliveryLabel": labels.deliveries[state_value] if state_value else None,
            "conflict": bool(entry.conflict_with),
        },
    }


@pytest.mark.parametrize("language", ["nl", "en"])
def test_fullcalendar_events_are_byte_for_byte_what_they_were(
    app: Flask,
    client: FlaskClient,
    db: Session,
    editor: User,
    clock: FrozenClock,
    login: Callable[[FlaskClient, User], FlaskClient],
    language: str,
) -> None:
    month = make.month(db, editor)
    editor.language = language
    db.commit()
    login(client, editor)
    now = datetime(2027, 3, 3, 15, 30, tzinfo=UTC)  # some planned posts are in the past
    clock.set(now)
    tz = "Europe/Amsterdam"
    # FullCalendar asks for the six weeks its month view shows, in UTC mode: wall times.
    for start, end, args in [
        ("2027-02-22T00:00:00Z", "2027-04-05T00:00:00Z", {}),
        ("2027-02-22T00:00:00Z", "2027-04-05T00:00:00Z", {"channel": month.linkedin.id}),
        ("2027-02-22T00:00:00Z", "2027-04-05T00:00:00Z", {"status": "published"}),
        ("2027-02-22T00:00:00Z", "2027-04-05T00:00:00Z", {"person": editor.id}),
        ("2027-03-03T00:00:00Z", "2027-03-04T00:00:00Z", {"campaign": month.campaign.id}),
    ]:
        query = urlencode({"start": start, "end": end, **args})
        response = client.get(f"/calendar/events?{query}")
        assert response.status_code == 200
        filters = services.CalendarFilters(
            channel_id=args.get("channel"),  # type: ignore[arg-type]
            campaign_id=args.get("campaign"),  # type: ignore[arg-type]
            person_id=args.get("person"),  # type: ignore[arg-type]
            status=FragmentStatus(args["status"]) if "status" in args else None,
        )
        entries = services.list_calendar(
            db,
            editor,
            start_at=inspect_local(datetime.fromisoformat(start[:19]), tz).earlier_at,
            end_at=inspect_local(datetime.fromisoformat(end[:19]), tz).earlier_at,
            filters=filters,
            tz=tz,
        )
        # The editor's language; outside a signed-in request the same comes from the header.
        with app.test_request_context(headers={"Accept-Language": language}):
            labels = _EventLabels()
            expected = app.json.response([_old_event(e, now, labels) for e in entries]).get_data()
        assert response.get_data() == expected, args
    events = client.get(
        "/calendar/events?start=2027-02-22T00:00:00Z&end=2027-04-05T00:00:00Z"
    ).get_json()
    assert {e["editable"] for e in events} == {True, False}
    assert any("cal-event--attention" in e["classNames"] for e in events)
    assert any(e["extendedProps"]["conflict"] for e in events)


def test_an_unchanged_window_answers_304_and_a_change_a_new_body(
    client: FlaskClient, db: Session, editor: User
) -> None:
    month = make.month(db, editor)
    headers = _auth(db, editor)
    url = "/api/v1/calendar?start=2027-03-01&end=2027-04-01"
    first = client.get(url, headers=headers)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"

    again = client.get(url, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag

    db.get(Channel, month.linkedin.id).name = "LinkedIn NL"  # type: ignore[union-attr]
    db.commit()
    changed = client.get(url, headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "LinkedIn NL" in {e["channel"] for e in changed.get_json()}


def test_reads_and_writes_note_the_token_use_once_a_minute(backend: str, tmp_path: Path) -> None:
    # A real engine on a new installation (no organisation row yet), not the suite's rolled-back
    # connection: what counts is what gets committed, and SQLite's locks.
    url = fresh_database_url(backend, tmp_path, "token_use")
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        user = create_user(
            session, None, email="script@example.org", name="Script", role=Role.EDITOR
        )
        reader = create_token(session, None, user, "reader")
        writer = create_token(session, None, user, "writer")
    app = create_app(make_settings(tmp_path, database_url=url))
    client = app.test_client()
    window = "/api/v1/calendar?start=2027-03-01&end=2027-04-01"

    def last_used(name: str) -> datetime | None:
        with factory() as session:
            return session.scalar(select(ApiToken.last_used_at).where(ApiToken.name == name))

    try:
        assert last_used("reader") is None
        # The first read of an installation also creates the organisation row: it still can.
        read = client.get(window, headers={"Authorization": f"Bearer {reader}"})
        assert read.status_code == 200, read.get_data()
        noted = last_used("reader")
        assert noted is not None  # a GET never commits; the note did, on its own
        again = client.get(window, headers={"Authorization": f"Bearer {reader}"})
        assert again.status_code == 200
        assert last_used("reader") == noted  # within the minute nothing is written

        # A write holds SQLite's write lock from its first statement: the note goes with it
        # (a note in a second transaction would wait for that lock until it gave up).
        story = client.post(
            "/api/v1/stories",
            json={"title": "Bankjes", "body": "Veertig bankjes."},
            headers={"Authorization": f"Bearer {writer}"},
        )
        assert story.status_code == 201, story.get_data()
        assert last_used("writer") is not None
    finally:
        runtime.session_factory(app).kw["bind"].dispose()
        engine.dispose()
