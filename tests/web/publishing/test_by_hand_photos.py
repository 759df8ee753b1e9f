"""The by-hand list carries what a person needs to make the post: each photo as the channel crops
it, its alt text to copy, and a download of that crop (the story's other photos are not offered)."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.approval import services as approval_services
from planner.clock import FrozenClock
from planner.fragments import services
from planner.fragments.models import Fragment
from planner.scheduling import planning
from tests import factories as make
from tests.conftest import EN, Login
from tests.web.fragments.test_fragment_photos_pages import _fragment


def _planned_with_photos(
    app: Flask, db: Session, editor: User, second_editor: User, clock: FrozenClock
) -> Fragment:
    fragment = _fragment(
        app, db, editor, ["Een bankje in het park", "Twee bankjes", ""], "instagram"
    )
    fragment.channel.publisher_kind = "manual"
    first, second, _undescribed = (p.id for p in fragment.story.photos)
    services.update_fragment(
        db, editor, fragment, parts=[make.CLEAN_TEXT], photo_ids=[first, second]
    )
    services.submit_for_review(db, editor, fragment)
    approval_services.approve_fragment(db, second_editor, fragment, clock.now())
    planning.schedule_fragment(db, editor, fragment, clock.now() + timedelta(hours=2), clock.now())
    db.commit()
    return fragment


def test_each_crop_comes_with_its_alt_text_and_a_download(
    app: Flask,
    client: FlaskClient,
    login: Login,
    db: Session,
    editor: User,
    second_editor: User,
    clock: FrozenClock,
) -> None:
    fragment = _planned_with_photos(app, db, editor, second_editor, clock)
    first, second = fragment.photo_ids
    login(client, editor)

    page = client.get("/publishing/by-hand", headers=EN).get_data(as_text=True)
    crops = re.findall(r'<img src="(/media/photos/(\d+)/instagram)" alt="([^"]*)"', page)
    assert [(int(pid), alt) for _url, pid, alt in crops] == [
        (first, "Een bankje in het park"),
        (second, "Twee bankjes"),
    ]
    assert page.count('<p class="copy-text__body" id="alt-') == 2
    assert "Een bankje in het park</p>" in page
    download = f"/media/photos/{first}/instagram?download=1"
    assert f'href="{download}" download>Download photo 1' in page

    answer = client.get(download)
    assert answer.status_code == 200
    assert answer.mimetype.startswith("image/")
    assert (
        answer.headers["Content-Disposition"] == f"attachment; filename=foto-{first}-instagram.jpg"
    )
    assert answer.get_data()[:3] == b"\xff\xd8\xff"  # a JPEG
    shown = client.get(f"/media/photos/{first}/instagram")
    assert "Content-Disposition" not in shown.headers
    assert shown.get_data() == answer.get_data()


def test_no_photos_are_offered_once_the_consent_for_them_is_withdrawn(
    app: Flask,
    client: FlaskClient,
    login: Login,
    db: Session,
    editor: User,
    second_editor: User,
    clock: FrozenClock,
) -> None:
    fragment = _planned_with_photos(app, db, editor, second_editor, clock)
    fragment.story.consent_withdrawn_at = clock.now()
    db.commit()
    login(client, editor)
    page = client.get("/publishing/by-hand", headers=EN).get_data(as_text=True)
    # Withdrawn consent stops everything (issue 12 item 6): the post leaves the list, photos too.
    assert make.CLEAN_TEXT not in page
    assert "by-hand__photo" not in page
