"""The bell and the notifications page through the test client: the count on every page, opening
one marks it read and goes where the work is, "mark all as read", and each person's e-mail choice
(kept, and refused for a kind that does not exist)."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.clock import FrozenClock
from planner.notifications import services
from planner.notifications.models import NotificationKind
from tests.conftest import EN, Login


def _ring(db: Session, user: User, clock: FrozenClock, n: int = 2) -> list[int]:
    made = [
        services.notify(
            db, [user], NotificationKind.MENTION, f"Melding {i}", clock.now(), link="/inbox"
        )[0].id
        for i in range(n)
    ]
    db.commit()
    return made


def test_the_bell_counts_and_reading_one_goes_to_the_work(
    client: FlaskClient, login: Login, editor: User, db: Session, clock: FrozenClock
) -> None:
    first, _second = _ring(db, editor, clock)
    login(client, editor)
    page = client.get("/dashboard", headers=EN).get_data(as_text=True)
    assert 'data-live-count="notifications">2<' in page
    listing = client.get("/notifications", headers=EN).get_data(as_text=True)
    assert "Melding 0" in listing
    assert "Melding 1" in listing
    response = client.post("/notifications/read", data={"id": str(first), "next": "/inbox"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/inbox")
    assert services.unread_count(db, editor.id) == 1
    assert client.get("/events/counts", headers=EN).get_json()["notifications"] == 1
    client.post("/notifications/read", data={"next": "https://evil.example/"})
    assert services.unread_count(db, editor.id) == 0


def test_someone_elses_notification_cannot_be_marked(
    client: FlaskClient,
    login: Login,
    editor: User,
    second_editor: User,
    db: Session,
    clock: FrozenClock,
) -> None:
    [theirs] = _ring(db, second_editor, clock, n=1)
    login(client, editor)
    assert client.post("/notifications/read", data={"id": str(theirs)}).status_code == 404
    assert services.unread_count(db, second_editor.id) == 1


def test_each_person_chooses_what_comes_by_mail(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    login(client, editor)
    page = client.get("/notifications", headers=EN).get_data(as_text=True)
    assert "A delivery failed" in page
    response = client.post(
        "/notifications/email", data={"kinds": ["mention", "delivery_failed"]}, headers=EN
    )
    assert response.status_code == 302
    assert services.email_kinds(db, editor) == ["delivery_failed", "mention"]
    refused = client.post("/notifications/email", data={"kinds": ["everything"]}, headers=EN)
    assert refused.status_code == 400
    assert services.email_kinds(db, editor) == ["delivery_failed", "mention"]
