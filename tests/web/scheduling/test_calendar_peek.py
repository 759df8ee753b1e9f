"""Clicking a calendar event shows the post: the partial the dialog loads (and the same page
without JavaScript) with the channel's preview, photo, status, approvals and the ways on."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.approval import services as approval_services
from planner.clock import FrozenClock
from tests import factories as make
from tests.conftest import EN, Login

PEEK = {**EN, "X-Peek": "1"}


def test_the_look_at_a_planned_post_shows_preview_status_approvals_and_links(
    client: FlaskClient,
    login: Login,
    db: Session,
    editor: User,
    second_editor: User,
    clock: FrozenClock,
) -> None:
    fragment = make.review_fragment(db, editor)
    approval_services.approve_fragment(db, second_editor, fragment, clock.now())
    make.plan(db, editor, fragment, clock.now() + timedelta(days=2), clock.now())
    db.commit()
    login(client, editor)

    answer = client.get(f"/calendar/fragments/{fragment.id}/peek", headers=PEEK)
    assert answer.status_code == 200
    partial = answer.get_data(as_text=True)
    assert "<html" not in partial
    assert 'id="peek-title"' in partial
    assert '<span class="channel-mark"' in partial
    assert ">M</span>" in partial
    assert "Nieuwe bankjes in het Havenpark" in partial
    assert "Scheduled" in partial
    assert "Approved by Sam Second" in partial
    assert f'href="/fragments/{fragment.id}"' in partial
    assert f'href="/calendar/fragments/{fragment.id}/schedule"' in partial

    page = client.get(f"/calendar/fragments/{fragment.id}/peek", headers=EN).get_data(as_text=True)
    assert "<html" in page
    assert "Approved by Sam Second" in page


def test_an_article_is_shown_as_readers_read_it_and_waiting_steps_say_so(
    client: FlaskClient, login: Login, db: Session, editor: User
) -> None:
    blog = make.channel(db, editor, "Nieuws", kind_key="blog", approval_steps=2)
    fragment = make.fragment(db, editor, blog)
    fragment.body = "## Tussenkop\n\nDit jaar **veertig**.<script>alert(1)</script>"
    db.commit()
    login(client, editor)
    partial = client.get(f"/calendar/fragments/{fragment.id}/peek", headers=PEEK).get_data(
        as_text=True
    )
    assert "<h2>Tussenkop</h2>" in partial
    assert "<strong>veertig</strong>" in partial
    assert "<script>" not in partial
    assert "Het park is weer af." in partial  # the lead
    assert partial.count("waiting") == 2
    # in review, not approved: no time to change yet
    assert "/schedule" not in partial


def test_the_look_is_for_editors_and_known_fragments(
    client: FlaskClient, login: Login, db: Session, editor: User, contributor: User
) -> None:
    fragment = make.fragment(db, editor)
    login(client, editor)
    assert client.get("/calendar/fragments/999999/peek", headers=PEEK).status_code == 404
    login(client, contributor)
    assert client.get(f"/calendar/fragments/{fragment.id}/peek", headers=PEEK).status_code == 403


def test_events_name_their_channel_and_the_page_gives_its_mark(
    client: FlaskClient, login: Login, db: Session, editor: User, clock: FrozenClock
) -> None:
    channel = make.channel(db, editor, "Insta", kind_key="instagram")
    fragment = make.fragment_in_status(db, editor, channel)
    make.plan(db, editor, fragment, clock.now() + timedelta(days=1), clock.now())
    db.commit()
    login(client, editor)
    page = client.get("/calendar").get_data(as_text=True)
    assert f'data-channel-marks=\'{{"{channel.id}": "IG"' in page
    assert 'data-peek-url="/calendar/fragments/0/peek"' in page
    start = (clock.now() - timedelta(days=3)).strftime("%Y-%m-%dT00:00:00Z")
    end = (clock.now() + timedelta(days=10)).strftime("%Y-%m-%dT00:00:00Z")
    events = client.get(f"/calendar/events?start={start}&end={end}").get_json()
    assert [e["extendedProps"]["channelId"] for e in events] == [channel.id]
