"""The calendar pages through the test client: the page and its JSON, moves with their reasons,
the keyboard form across both DST transitions, reports, slots, feeds and the public routes."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import icalendar
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.clock import FrozenClock
from planner.fragments.models import FragmentStatus
from planner.scheduling import feeds, posting_slots, reports
from planner.scheduling.models import FeedScope
from tests import factories as make
from tests.conftest import EN, Login
from tests.factories import fragment_in_status, plan

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_calendar_page_shows_the_list_to_plan_and_filters(
    client: FlaskClient, login: Login, db: Session, editor: User
) -> None:
    channel = make.channel(db, editor)
    fragment_in_status(db, editor, channel)
    db.commit()
    login(client, editor)
    page = client.get("/calendar", headers=EN).get_data(as_text=True)
    assert "To plan" in page
    assert "Veertig bankjes" in page
    assert 'id="calendar"' in page
    assert "Any channel" in page


def test_the_now_line_follows_the_organisation_clock_across_dst(
    client: FlaskClient, login: Login, editor: User, clock: FrozenClock
) -> None:
    # FullCalendar shows wall times as UTC; the page hands it the offset for its "now" line.
    login(client, editor)
    assert 'data-now-offset-minutes="60"' in client.get("/calendar").get_data(as_text=True)
    clock.set(datetime(2027, 6, 1, 9, 0, tzinfo=UTC))
    assert 'data-now-offset-minutes="120"' in client.get("/calendar").get_data(as_text=True)


def test_calendar_is_closed_to_contributors(
    client: FlaskClient, login: Login, contributor: User
) -> None:
    login(client, contributor)
    assert client.get("/calendar").status_code == 403
    assert client.post("/calendar/fragments/1/move", json={"day": "2026-12-01"}).status_code == 403


def test_events_give_local_wall_times_coloured_by_channel(
    client: FlaskClient, login: Login, db: Session, editor: User
) -> None:
    channel = make.channel(db, editor, colour="#5B3FC4")
    fragment = plan(
        db,
        editor,
        fragment_in_status(db, editor, channel),
        datetime(2026, 12, 1, 9, tzinfo=UTC),
        NOW,
    )
    db.commit()
    login(client, editor)
    events = client.get(
        "/calendar/events?start=2026-11-30T00:00:00Z&end=2027-01-11T00:00:00Z"
    ).get_json()
    assert events[0]["id"] == str(fragment.id)
    assert events[0]["start"] == "2026-12-01T10:00"
    assert events[0]["backgroundColor"] == "#5B3FC4"
    assert events[0]["editable"] is True
    assert events[0]["extendedProps"]["status"] == "scheduled"
    assert client.get("/calendar/events?start=nonsense").status_code == 400


def test_a_drop_on_a_day_uses_the_slot_time_and_a_drag_moves_it(
    client: FlaskClient, login: Login, db: Session, editor: User
) -> None:
    channel = make.channel(db, editor)
    fragment = fragment_in_status(db, editor, channel)
    db.commit()
    login(client, editor)
    client.post("/calendar/slots", data={"channel": channel.id, "weekday": "1", "time": "09:15"})

    dropped = client.post(f"/calendar/fragments/{fragment.id}/move", json={"day": "2026-12-01"})
    assert dropped.status_code == 200
    assert dropped.get_json()["event"]["start"] == "2026-12-01T09:15"

    dragged = client.post(
        f"/calendar/fragments/{fragment.id}/move", json={"local": "2026-12-03T14:00:00Z"}
    )
    assert dragged.status_code == 200
    db.refresh(fragment)
    assert fragment.scheduled_at == datetime(2026, 12, 3, 13, 0, tzinfo=UTC)


def test_refused_moves_answer_with_their_reason(
    client: FlaskClient, login: Login, db: Session, editor: User
) -> None:
    channel = make.channel(db, editor)
    fragment = fragment_in_status(db, editor, channel)
    draft = fragment_in_status(db, editor, channel, status=FragmentStatus.DRAFT)
    gated = fragment_in_status(db, editor, channel)
    gated.parts = ["Veel te lang. " * 60]
    db.commit()
    login(client, editor)

    past = client.post(
        f"/calendar/fragments/{fragment.id}/move", json={"local": "2026-11-01T10:00"}, headers=EN
    )
    assert past.status_code == 422
    assert past.get_json()["message"] == "Choose a time in the future."

    unapproved = client.post(
        f"/calendar/fragments/{draft.id}/move", json={"day": "2026-12-01"}, headers=EN
    )
    assert unapproved.status_code == 409
    assert "approved" in unapproved.get_json()["message"]

    gate = client.post(
        f"/calendar/fragments/{gated.id}/move", json={"day": "2026-12-01"}, headers=EN
    )
    assert gate.status_code == 409
    assert gate.get_json()["message"].startswith("Fix these findings first")

    gap = client.post(
        f"/calendar/fragments/{fragment.id}/move", json={"local": "2027-03-28T02:30"}, headers=EN
    )
    assert gap.status_code == 422
    assert "does not exist" in gap.get_json()["message"]

    assert client.post(f"/calendar/fragments/{fragment.id}/move", data="x").status_code == 400
    db.refresh(fragment)
    assert fragment.scheduled_at is None


def test_moves_need_the_csrf_header(
    app_factory: Callable[..., Flask], login: Login, db: Session, editor: User
) -> None:
    fragment = fragment_in_status(db, editor, make.channel(db, editor))
    db.commit()
    client = app_factory(csrf=True).test_client()
    login(client, editor)
    response = client.post(f"/calendar/fragments/{fragment.id}/move", json={"day": "2026-12-01"})
    assert response.status_code == 400
    db.refresh(fragment)
    assert fragment.scheduled_at is None


def test_schedule_form_refuses_the_spring_gap_with_a_clear_message(
    client: FlaskClient, login: Login, db: Session, editor: User
) -> None:
    fragment = fragment_in_status(db, editor, make.channel(db, editor))
    db.commit()
    login(client, editor)
    response = client.post(
        f"/calendar/fragments/{fragment.id}/schedule",
        data={"day": "2027-03-28", "time": "02:30"},
        headers=EN,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "02:30 does not exist on 28 March 2027 in Europe/Amsterdam" in page
    assert 'value="2027-03-28"' in page  # what was typed is kept


def test_schedule_form_asks_which_one_in_the_autumn_overlap(
    app_factory: Callable[..., Flask], login: Login, db: Session, editor: User
) -> None:
    clock = FrozenClock(datetime(2026, 10, 1, tzinfo=UTC))
    client = app_factory(extra={"clock": clock}).test_client()
    fragment = fragment_in_status(db, editor, make.channel(db, editor))
    db.commit()
    login(client, editor)
    url = f"/calendar/fragments/{fragment.id}/schedule"

    asked = client.post(url, data={"day": "2026-10-25", "time": "02:30"}, headers=EN)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 422
    assert "occurs twice" in page
    assert re.search(r'<input checked[^>]*value="earlier"', page)  # the documented default
    assert "02:30 (UTC+02:00)" in page
    assert "02:30 (UTC+01:00)" in page

    chosen = client.post(url, data={"day": "2026-10-25", "time": "02:30", "fold": "later"})
    assert chosen.status_code == 302
    db.refresh(fragment)
    assert fragment.scheduled_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_unschedule_and_next_free_slot_buttons(
    client: FlaskClient, login: Login, db: Session, editor: User
) -> None:
    channel = make.channel(db, editor)
    fragment = fragment_in_status(db, editor, channel)
    db.commit()
    login(client, editor)
    refused = client.post(f"/calendar/fragments/{fragment.id}/next-slot", headers=EN)
    assert refused.status_code == 302
    assert "no posting slots" in client.get("/calendar", headers=EN).get_data(as_text=True)

    client.post("/calendar/slots", data={"channel": channel.id, "weekday": "2", "time": "10:00"})
    client.post(f"/calendar/fragments/{fragment.id}/next-slot")
    db.refresh(fragment)
    assert fragment.scheduled_at == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # Wednesday 10:00 CET

    client.post(f"/calendar/fragments/{fragment.id}/unschedule")
    db.refresh(fragment)
    assert fragment.status == FragmentStatus.APPROVED
    assert fragment.scheduled_at is None


def test_report_pages_render(client: FlaskClient, login: Login, db: Session, editor: User) -> None:
    channel = make.channel(db, editor, cadence_per_week=3)
    plan(
        db,
        editor,
        fragment_in_status(db, editor, channel),
        datetime(2026, 12, 1, 9, tzinfo=UTC),
        NOW,
    )
    db.commit()
    login(client, editor)
    balance = client.get("/calendar/balance?start=2026-12-01", headers=EN)
    assert balance.status_code == 200
    assert "1 fragment planned in this period" in balance.get_data(as_text=True)
    workload = client.get("/calendar/workload", headers=EN).get_data(as_text=True)
    assert "FTE" in workload
    assert "Eddie Editor" in workload
    assert client.get("/calendar/balance?start=garbage").status_code == 200
    assert client.post("/calendar/workload", data={"post": "5"}).status_code == 403


def test_admins_change_effort_estimates_and_bad_input_is_kept(
    client: FlaskClient, login: Login, db: Session, admin: User
) -> None:
    login(client, admin)
    data = {"post": "25", "thread": "45", "article": "abc", "video_brief": "480"}
    bad = client.post("/calendar/workload", data=data, headers=EN)
    assert bad.status_code == 422
    assert 'value="abc"' in bad.get_data(as_text=True)
    data["article"] = "200"
    assert client.post("/calendar/workload", data=data).status_code == 302
    assert reports.effort_settings(db).effort_minutes["article"] == 200


def test_feed_route_serves_icalendar_and_404s_once_revoked(
    client: FlaskClient, login: Login, db: Session, editor: User
) -> None:
    channel = make.channel(db, editor)
    plan(
        db,
        editor,
        fragment_in_status(db, editor, channel),
        datetime(2026, 12, 1, 9, tzinfo=UTC),
        NOW,
    )
    db.commit()
    login(client, editor)
    created = client.post(
        "/calendar/feeds",
        data={
            "feed-name": "Alles",
            "feed-scope": "organisation",
            "feed-channel": "",
            "feed-person": "",
        },
        headers=EN,
    )
    assert created.status_code == 201
    page = created.get_data(as_text=True)
    url = page.split('<code class="token">')[1].split("</code>")[0]
    path = url.removeprefix("http://localhost")

    anonymous = client.application.test_client()
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    events = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    assert len(events) == 1

    feed = feeds.list_feeds(db, editor)[0]
    client.post(f"/calendar/feeds/{feed.id}/revoke")
    assert anonymous.get(path).status_code == 404
    assert anonymous.get("/feeds/cfk_nothing.ics").status_code == 404


def test_feed_form_errors_are_shown_in_the_page(
    client: FlaskClient, login: Login, editor: User
) -> None:
    login(client, editor)
    response = client.post(
        "/calendar/feeds",
        data={"feed-name": "Kanaal", "feed-scope": "channel", "feed-channel": ""},
        headers=EN,
    )
    assert response.status_code == 422
    assert "Choose the channel this feed shows." in response.get_data(as_text=True)


def test_shared_calendar_is_read_only_and_revocable(
    client: FlaskClient, login: Login, db: Session, editor: User
) -> None:
    channel = make.channel(db, editor)
    plan(db, editor, fragment_in_status(db, editor, channel), NOW + timedelta(days=3), NOW)
    share, token = feeds.create_share(db, editor, label="Wethouder", days=7, now=NOW)
    _feed, _ = feeds.create_feed(db, editor, name="x", scope=FeedScope.ORGANISATION)
    db.commit()
    page = client.get(f"/shared/calendar/{token}", headers=EN)
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "Veertig bankjes" in text
    assert '<form method="post"' not in text.split('id="main"')[1]
    feeds.revoke_share(db, editor, share.id, NOW)
    db.commit()
    assert client.get(f"/shared/calendar/{token}").status_code == 404


def test_slots_page_adds_and_removes_slots(
    client: FlaskClient, login: Login, db: Session, editor: User
) -> None:
    channel = make.channel(db, editor)
    db.commit()
    login(client, editor)
    client.post("/calendar/slots", data={"channel": channel.id, "weekday": "1", "time": "10:00"})
    again = client.post(
        "/calendar/slots", data={"channel": channel.id, "weekday": "1", "time": "10:00"}, headers=EN
    )
    assert again.status_code == 409
    assert "already has a slot" in again.get_data(as_text=True)
    missing = client.post(
        "/calendar/slots", data={"channel": channel.id, "weekday": "1"}, headers=EN
    )
    assert missing.status_code == 422
    slot = posting_slots.list_slots(db, editor)[0]
    client.post(f"/calendar/slots/{slot.id}/delete")
    assert posting_slots.list_slots(db, editor) == []
