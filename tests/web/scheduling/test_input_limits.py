"""Times and names that used to break pages for good (issue 12 item 14), on both databases: a
schedule in the year 9999 is a 422 on every way in and the fragment's page still opens; a feed
name with a line break is refused, and a feed stored with one is still served."""

from __future__ import annotations

import icalendar
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.accounts.services import create_token
from planner.fragments.models import FragmentStatus
from planner.scheduling import feeds
from planner.scheduling.models import FeedScope
from tests import factories as make
from tests.conftest import EN, Login


def _approved(db: Session, editor: User, client: FlaskClient, login: Login):  # type: ignore[no-untyped-def]
    fragment = make.fragment(db, editor)
    login(client, make.second_editor(db))
    data = {"approve-version": str(fragment.version)}
    assert client.post(f"/fragments/{fragment.id}/approve", data=data).status_code == 302
    return fragment


def test_a_schedule_in_the_year_9999_is_refused_everywhere(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _approved(db, editor, client, login)
    panel = client.post(
        f"/fragments/{fragment.id}/schedule",
        data={"schedule-day": "9999-12-31", "schedule-time": "23:59"},
        headers=EN,
    )
    assert panel.status_code == 400  # the editor panel's refusal, like every other one there
    assert "within the next five years" in panel.get_data(as_text=True)
    keyboard = client.post(
        f"/calendar/fragments/{fragment.id}/schedule",
        data={"day": "9999-12-31", "time": "23:59"},
        headers=EN,
    )
    assert keyboard.status_code == 422
    assert "within the next five years" in keyboard.get_data(as_text=True)
    move = client.post(
        f"/calendar/fragments/{fragment.id}/move",
        json={"local": "9999-12-31T23:59"},
        headers=EN,
    )
    assert move.status_code == 422
    token = create_token(db, None, editor, "test")
    db.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    for body in (
        {"at": "9999-12-31T23:59:00-05:00"},
        {"at": "9999-12-31T23:59:00+00:00"},
        {"local": "9999-12-31T23:59", "timezone": "America/New_York"},
        {"local": "0001-01-01T00:00", "timezone": "Asia/Tokyo"},
    ):
        api = client.post(f"/api/v1/fragments/{fragment.id}/schedule", json=body, headers=bearer)
        assert api.status_code == 422, (body, api.get_data(as_text=True))
    db.refresh(fragment)
    assert fragment.status == FragmentStatus.APPROVED
    assert fragment.scheduled_at is None
    assert client.get(f"/fragments/{fragment.id}").status_code == 200
    # Four years ahead is still a plan.
    ok = client.post(
        f"/fragments/{fragment.id}/schedule",
        data={"schedule-day": "2030-06-03", "schedule-time": "10:00"},
    )
    assert ok.status_code == 302


def test_a_feed_name_with_a_line_break_is_refused(
    client: FlaskClient, login: Login, editor: User
) -> None:
    login(client, editor)
    response = client.post(
        "/calendar/feeds",
        data={"feed-name": "Alles\r\nX-EVIL:1", "feed-scope": "organisation"},
        headers=EN,
    )
    assert response.status_code == 422
    assert "without tabs or line breaks" in response.get_data(as_text=True)


def test_a_feed_stored_with_a_line_break_is_still_served(
    client: FlaskClient, editor: User, db: Session
) -> None:
    feed, token = feeds.create_feed(db, editor, name="Alles", scope=FeedScope.ORGANISATION)
    feed.name = "Alles\nX-EVIL:1"  # as a feed made before names were checked may be
    db.commit()
    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.data)
    assert str(calendar["X-WR-CALNAME"]) == "Alles X-EVIL:1"
    assert b"\nX-EVIL" not in response.data
