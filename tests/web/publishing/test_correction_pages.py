"""A published post on a channel that cannot edit: read-only in the editor with its live link,
and a correction drafted as a new fragment that names the original."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.fragments.models import Fragment, FragmentStatus
from planner.publishing.models import DeliveryState
from tests import factories as make
from tests.conftest import EN, Login

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
LIVE = "https://social.example/@zuiderhaven/1"


def _published_post(db: Session, editor: User) -> Fragment:
    fragment = make.fragment(db, editor, submit=False)
    delivery = make.delivery(db, fragment, NOW, DeliveryState.SENT)
    delivery.remote_url = LIVE
    delivery.sent_at = NOW
    fragment.status = FragmentStatus.PUBLISHED
    db.commit()
    return fragment


def test_published_post_shows_its_live_link_and_offers_a_correction(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _published_post(db, editor)
    login(client, editor)
    page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    assert f'href="{LIVE}"' in page
    assert "View the live post" in page
    assert "cannot be changed once it is out" in page
    assert f'action="/fragments/{fragment.id}/correction"' in page
    assert "/correct-post" not in page
    assert '<fieldset class="fragment-editor__fields" disabled>' in page


def test_a_correction_is_a_draft_linked_to_the_original(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _published_post(db, editor)
    login(client, editor)
    response = client.post(f"/fragments/{fragment.id}/correction", headers=EN)
    assert response.status_code == 302
    correction = db.scalar(select(Fragment).where(Fragment.corrects_id == fragment.id))
    assert correction is not None
    assert response.headers["Location"] == f"/fragments/{correction.id}"
    assert correction.status == FragmentStatus.DRAFT
    assert correction.channel_id == fragment.channel_id
    assert correction.parts[0].startswith("Correctie: ")
    assert LIVE in correction.parts[0]
    page = client.get(f"/fragments/{correction.id}", headers=EN).get_data(as_text=True)
    assert "This fragment corrects a published one" in page
    assert f'href="/fragments/{fragment.id}"' in page
    assert "Submit for review" in page
    original = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    assert f'href="/fragments/{correction.id}"' in original


def test_only_a_published_fragment_gets_a_correction(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = make.fragment(db, editor)
    login(client, editor)
    response = client.post(f"/fragments/{fragment.id}/correction", headers=EN)
    assert response.status_code == 302
    assert db.scalar(select(Fragment).where(Fragment.corrects_id == fragment.id)) is None
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Only a published fragment can be corrected." in page
