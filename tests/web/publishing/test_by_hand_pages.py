"""The to-post-by-hand list and the deliveries that need a person, through the test client."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.approval import services as approval_services
from planner.clock import FrozenClock
from planner.publishing.models import Delivery, DeliveryState
from planner.scheduling import planning
from tests import factories as make
from tests.conftest import EN, Login


def _scheduled(db: Session, editor: User, clock: FrozenClock) -> Delivery:
    fragment = make.fragment(db, editor)
    approval_services.approve_fragment(db, make.second_editor(db), fragment, clock.now())
    delivery = planning.schedule_fragment(
        db, editor, fragment, clock.now() + timedelta(hours=1), clock.now()
    )
    db.commit()
    return delivery


def test_by_hand_list_shows_text_with_copy_buttons(
    client: FlaskClient, login: Login, editor: User, db: Session, clock: FrozenClock
) -> None:
    _scheduled(db, editor, clock)
    login(client, editor)
    page = client.get("/publishing/by-hand", headers=EN).get_data(as_text=True)
    assert make.CLEAN_TEXT in page
    assert "js-copy" in page
    assert "copy.js" in page
    assert 'role="status"' in page


def test_mark_as_posted_with_a_bad_url_keeps_it_and_explains(
    client: FlaskClient, login: Login, editor: User, db: Session, clock: FrozenClock
) -> None:
    delivery = _scheduled(db, editor, clock)
    login(client, editor)
    response = client.post(
        f"/deliveries/{delivery.id}/resolve",
        data={"action": "mark_posted", "url": "social.example/1", "back": "by-hand"},
        headers=EN,
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "starting with https://" in page
    assert 'value="social.example/1"' in page
    db.refresh(delivery)
    assert delivery.state == DeliveryState.PENDING


def test_mark_as_posted_then_the_list_is_empty(
    client: FlaskClient, login: Login, editor: User, db: Session, clock: FrozenClock
) -> None:
    delivery = _scheduled(db, editor, clock)
    login(client, editor)
    response = client.post(
        f"/deliveries/{delivery.id}/resolve",
        data={"action": "mark_posted", "url": "https://social.example/@z/9", "back": "by-hand"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/publishing/by-hand")
    db.refresh(delivery)
    assert delivery.state == DeliveryState.SENT
    page = client.get("/publishing/by-hand", headers=EN).get_data(as_text=True)
    assert "Nothing to post by hand" in page


def test_attention_page_lists_problems_with_next_actions(
    client: FlaskClient, login: Login, editor: User, db: Session, clock: FrozenClock
) -> None:
    delivery = _scheduled(db, editor, clock)
    delivery.state = DeliveryState.NEEDS_CHECK
    delivery.last_error = "Outcome unknown: timeout"
    db.commit()
    login(client, editor)
    page = client.get("/publishing/attention", headers=EN).get_data(as_text=True)
    assert "Outcome unknown: timeout" in page
    assert "Try again" in page
    assert "Mark as posted" in page
    assert "Cancel" in page
    response = client.post(f"/deliveries/{delivery.id}/resolve", data={"action": "retry"})
    assert response.status_code == 302
    db.refresh(delivery)
    assert delivery.state == DeliveryState.PENDING


def test_contributor_cannot_open_the_lists(
    client: FlaskClient, login: Login, contributor: User
) -> None:
    login(client, contributor)
    assert client.get("/publishing/by-hand").status_code == 403
    assert client.get("/publishing/attention").status_code == 403


def test_dashboard_shows_problem_and_overdue_deliveries(
    client: FlaskClient, login: Login, editor: User, db: Session, clock: FrozenClock
) -> None:
    delivery = _scheduled(db, editor, clock)
    login(client, editor)
    calm = client.get("/dashboard", headers=EN).get_data(as_text=True)
    assert "Nothing needs you" in calm
    clock.advance(timedelta(hours=2))
    overdue = client.get("/dashboard", headers=EN).get_data(as_text=True)
    assert "Overdue, post by hand: Veertig bankjes" in overdue
    assert f"/publishing/by-hand#delivery-{delivery.id}" in overdue
    delivery.state = DeliveryState.FAILED
    db.commit()
    failed = client.get("/dashboard", headers=EN).get_data(as_text=True)
    assert "Failed: Veertig bankjes" in failed
    assert "Retry, mark as posted or cancel" in failed
