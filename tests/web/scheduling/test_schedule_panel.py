"""The schedule panel of the fragment editor through the test client: a wall time in the
fragment's planning zone, the DST gap refused and the overlap asked."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.clock import FrozenClock
from planner.fragments.models import FragmentStatus
from planner.publishing.models import Delivery
from tests import factories as make
from tests.conftest import EN, Login


def _approved(db: Session, editor: User, client: FlaskClient, login: Login):  # type: ignore[no-untyped-def]
    fragment = make.fragment(db, editor)
    login(client, make.second_editor(db))
    assert (
        client.post(
            f"/fragments/{fragment.id}/approve", data={"approve-version": str(fragment.version)}
        ).status_code
        == 302
    )
    return fragment


def test_schedule_resolves_the_local_time_and_writes_a_delivery(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _approved(db, editor, client, login)
    response = client.post(
        f"/fragments/{fragment.id}/schedule",
        data={"schedule-day": "2026-12-01", "schedule-time": "09:30"},
    )
    assert response.status_code == 302
    db.refresh(fragment)
    assert fragment.status == FragmentStatus.SCHEDULED
    # Amsterdam is UTC+1 in December.
    assert fragment.scheduled_at == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    delivery = db.scalar(select(Delivery).where(Delivery.fragment_id == fragment.id))
    assert delivery is not None
    assert delivery.due_at == fragment.scheduled_at
    page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    assert "Planned for" in page
    assert "Take off the calendar" in page


def test_schedule_uses_the_channels_wall_clock_like_the_calendar(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _approved(db, editor, client, login)
    fragment.channel.timezone = "Europe/London"
    db.commit()
    response = client.post(
        f"/fragments/{fragment.id}/schedule",
        data={"schedule-day": "2026-12-01", "schedule-time": "10:00"},
    )
    assert response.status_code == 302
    db.refresh(fragment)
    assert fragment.scheduled_at == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # London is UTC
    page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    assert "Planned for Tuesday 1 December 2026, 10:00." in page
    assert "Times are in Europe/London." in page
    assert 'value="10:00"' in page


def test_schedule_refuses_a_time_in_the_spring_gap(
    client: FlaskClient, login: Login, editor: User, db: Session, clock: FrozenClock
) -> None:
    fragment = _approved(db, editor, client, login)
    response = client.post(
        f"/fragments/{fragment.id}/schedule",
        data={"schedule-day": "2027-03-28", "schedule-time": "02:30"},
        headers=EN,
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "02:30 does not exist on that day" in page
    assert 'value="2027-03-28"' in page


def test_schedule_in_the_autumn_overlap_asks_which_then_accepts_the_choice(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _approved(db, editor, client, login)
    data = {"schedule-day": "2027-10-31", "schedule-time": "02:30"}
    asked = client.post(f"/fragments/{fragment.id}/schedule", data=data, headers=EN)
    assert asked.status_code == 400
    assert "occurs twice" in asked.get_data(as_text=True)
    assert 'name="schedule-fold" type="radio" value="later"' in asked.get_data(as_text=True)
    chosen = client.post(
        f"/fragments/{fragment.id}/schedule", data={**data, "schedule-fold": "later"}
    )
    assert chosen.status_code == 302
    db.refresh(fragment)
    assert fragment.scheduled_at == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
