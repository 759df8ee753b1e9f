"""Four eyes through the pages (issue 12, items 1-3): no reviewer link for one's own text, a
reviewer shown as a reviewer, a spent link, and forms that approve only the version they showed."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.approval import reviewer_links
from planner.clock import FrozenClock
from planner.fragments import services as fragment_services
from planner.fragments.models import FragmentStatus
from tests import factories as make
from tests.conftest import EN, Login

EDITED = "Nieuwe bankjes in het Havenpark: kom ze zaterdag allemaal proberen."


def test_the_author_cannot_make_a_reviewer_link_on_the_page(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = make.fragment(db, editor)
    login(client, editor)
    page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    assert f'action="/fragments/{fragment.id}/review-links"' not in page
    assert "a colleague who did not makes the reviewer link" in page
    refused = client.post(
        f"/fragments/{fragment.id}/review-links", data={"link-days": "3"}, headers=EN
    )
    assert refused.status_code == 403
    assert "/review/" not in refused.get_data(as_text=True)


def test_an_editor_who_edited_in_review_gets_no_approve_button(
    client: FlaskClient, login: Login, editor: User, second_editor: User, db: Session
) -> None:
    fragment = make.fragment(db, editor)
    fragment_services.update_fragment(db, second_editor, fragment, parts=[EDITED])
    db.commit()
    login(client, second_editor)
    page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    assert f'action="/fragments/{fragment.id}/approve"' not in page
    refused = client.post(
        f"/fragments/{fragment.id}/approve",
        data={"approve-version": str(fragment.version)},
        headers=EN,
    )
    assert refused.status_code == 403


def test_the_approve_form_approves_only_the_version_it_showed(
    client: FlaskClient,
    login: Login,
    editor: User,
    second_editor: User,
    db: Session,
) -> None:
    fragment = make.fragment(db, editor)
    login(client, second_editor)
    page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    shown = re.search(r'name="approve-version"[^>]*value="(\d+)"', page)
    assert shown is not None
    assert shown.group(1) == str(fragment.version)
    fragment_services.update_fragment(db, editor, fragment, parts=[EDITED])
    db.commit()
    stale = client.post(
        f"/fragments/{fragment.id}/approve",
        data={"approve-version": shown.group(1), "approve-comment": "Mooi zo"},
        headers=EN,
    )
    assert stale.status_code == 409
    body = stale.get_data(as_text=True)
    assert "changed after you read it" in body
    assert "Mooi zo" in body
    missing = client.post(f"/fragments/{fragment.id}/approve", data={}, headers=EN)
    assert missing.status_code == 400
    db.refresh(fragment)
    assert fragment.status == FragmentStatus.IN_REVIEW


def test_the_reviewer_page_binds_the_version_shows_the_reviewer_and_is_spent(
    client: FlaskClient,
    login: Login,
    editor: User,
    second_editor: User,
    db: Session,
    clock: FrozenClock,
    app: Flask,
) -> None:
    fragment = make.fragment(db, editor)
    _link, token = reviewer_links.create_review_link(db, second_editor, fragment, clock.now())
    db.commit()
    stranger = app.test_client()
    form = stranger.get(f"/review/{token}", headers=EN).get_data(as_text=True)
    read = re.search(r'name="version"[^>]*value="(\d+)"', form)
    assert read is not None
    assert read.group(1) == str(fragment.version)
    fragment_services.update_fragment(db, editor, fragment, parts=[EDITED])
    db.commit()
    stale = stranger.post(
        f"/review/{token}",
        data={"decision": "approve", "name": "Sam Second", "version": read.group(1)},
        headers=EN,
    )
    assert stale.status_code == 409
    again = stale.get_data(as_text=True)
    assert "changed after you read it" in again
    assert "Sam Second" in again  # what they typed is kept
    assert re.search(rf'name="version"[^>]*value="{fragment.version}"', again)
    done = stranger.post(
        f"/review/{token}",
        data={"decision": "approve", "name": "Sam Second", "version": str(fragment.version)},
        headers=EN,
    )
    assert done.status_code == 200
    assert stranger.get(f"/review/{token}", headers=EN).status_code == 410
    login(client, second_editor)
    panel = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    assert "Approved by reviewer Sam Second (via a link, no account)" in panel
    assert "Approved by Sam Second," not in panel
