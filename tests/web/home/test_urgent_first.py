"""The rapid-response lane on the pages: the dashboard shows urgent items first, and an approved
urgent fragment has "Publish now" on its page, which puts it out now."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.approval import services as approval_services
from planner.clock import FrozenClock
from planner.fragments import services as fragment_services
from planner.publishing.models import DeliveryState
from planner.scheduling import planning
from tests import factories as make
from tests.conftest import EN, Login


def test_urgent_items_come_first_on_the_dashboard_and_publish_now_goes_out_now(
    client: FlaskClient,
    login: Login,
    editor: User,
    second_editor: User,
    db: Session,
    clock: FrozenClock,
) -> None:
    make.fragment(db, editor, title="Gewone oproep")  # an ordinary review, too
    urgent = make.review_fragment(db, editor, submit=False)
    urgent.is_urgent = True
    fragment_services.submit_for_review(db, editor, urgent)
    db.commit()
    login(client, second_editor)
    page = client.get("/dashboard", headers=EN).get_data(as_text=True)
    assert page.index(">Urgent<") < page.index("Waiting for your review")
    bell = page.split('data-live-count="notifications"')[1][:10]
    assert ">2<" in bell  # both reviews, in the bell

    approval_services.approve_fragment(db, second_editor, urgent, clock.now())
    db.commit()
    login(client, editor)
    editor_page = client.get(f"/fragments/{urgent.id}", headers=EN).get_data(as_text=True)
    assert "data-publish-now" in editor_page
    response = client.post(f"/fragments/{urgent.id}/publish-now", headers=EN)
    assert response.status_code == 302
    delivery = planning.active_delivery(db, urgent)
    assert delivery is not None
    assert delivery.state == DeliveryState.PENDING
    assert delivery.due_at == clock.now()
