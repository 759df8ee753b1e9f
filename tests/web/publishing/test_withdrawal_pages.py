"""Consent withdrawn, as editors see it (issue 12 item 6): the withdraw button stops the story at
once; the fragment says "Ingetrokken", the calendar marks it withdrawn, the by-hand list is empty,
a mark-as-posted is refused with the reason, and a post made by hand shows up as "take this
down" with its link until someone says it is gone."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.approval import services as approval_services
from planner.clock import FrozenClock
from planner.publishing import deliveries
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


def test_withdrawing_consent_stops_the_story_on_every_page(
    client: FlaskClient, login: Login, editor: User, db: Session, clock: FrozenClock
) -> None:
    delivery = _scheduled(db, editor, clock)
    login(client, editor)
    response = client.post(f"/stories/{delivery.fragment.story_id}/withdraw-consent")
    assert response.status_code == 302
    db.refresh(delivery)
    assert delivery.state == DeliveryState.CANCELLED
    page = client.get(f"/fragments/{delivery.fragment_id}", headers=EN).get_data(as_text=True)
    assert '<span class="badge badge--withdrawn">Withdrawn</span>' in page
    assert "badge--failed" not in page
    by_hand = client.get("/publishing/by-hand", headers=EN).get_data(as_text=True)
    assert "Nothing to post by hand" in by_hand
    refused = client.post(
        f"/deliveries/{delivery.id}/resolve",
        data={"action": "mark_posted", "url": "https://social.example/@z/1", "back": "by-hand"},
        headers=EN,
    )
    assert refused.status_code == 409
    assert "Consent for this story was withdrawn" in refused.get_data(as_text=True)
    events = client.get(
        "/calendar/events?start=2026-11-23T00:00:00Z&end=2026-12-07T00:00:00Z", headers=EN
    ).get_json()
    [event] = [e for e in events if e["id"] == str(delivery.fragment_id)]
    assert event["extendedProps"]["status"] == "withdrawn"
    assert event["extendedProps"]["statusLabel"] == "Withdrawn"
    assert event["extendedProps"]["deliveryLabel"] is None
    assert "cal-event--withdrawn" in event["classNames"]
    assert event["editable"] is False


def test_a_post_made_by_hand_is_listed_to_take_down_with_its_link(
    client: FlaskClient, login: Login, editor: User, db: Session, clock: FrozenClock
) -> None:
    delivery = _scheduled(db, editor, clock)
    url = "https://social.example/@zuiderhaven/42"
    deliveries.mark_posted(db, editor, delivery, url, clock.now())
    db.commit()
    login(client, editor)
    assert client.post(f"/stories/{delivery.fragment.story_id}/withdraw-consent").status_code == 302
    page = client.get("/publishing/attention", headers=EN).get_data(as_text=True)
    assert "Take this down" in page
    assert f'href="{url}"' in page
    dashboard = client.get("/dashboard", headers=EN).get_data(as_text=True)
    assert "Take this down: Veertig bankjes" in dashboard
    [publication_id] = [int(part.split('"')[0]) for part in page.split('id="takedown-')[1:]]
    done = client.post(f"/publications/{publication_id}/taken-down")
    assert done.status_code == 302
    page = client.get("/publishing/attention", headers=EN).get_data(as_text=True)
    assert "Take this down" not in page
    assert "Nothing needs you" in page
