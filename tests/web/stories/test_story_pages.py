"""The stories pages through the test client: sending, the list, reviewing, intake links, the
public intake form with its rate limit, and the admin's privacy page."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.stories import intake, services
from planner.stories.models import IntakeLink, Story, StoryStatus
from tests.conftest import EN, Login, make_user


def _story(db: Session, user: User, title: str = "Bankjes") -> Story:
    story = services.submit_story(db, user, title=title, body="Mehmet repareert bankjes.")
    db.commit()
    return story


def _link(db: Session, editor: User) -> IntakeLink:
    link = intake.create_intake_link(db, editor, title="Deel je verhaal", intro="Vertel!")
    db.commit()
    return link


PUBLIC = {
    "name": "Fatima Ouali",
    "email": "fatima@example.org",
    "title": "De stoep is vlak",
    "body": "Ik kan nu zelf naar de winkel.",
    "allow_story": "y",
}


def test_contributor_sends_a_story_and_sees_it_in_my_stories(
    client: FlaskClient, contributor: User, login: Login, db: Session
) -> None:
    login(client, contributor)
    assert client.get("/stories/new").status_code == 200
    resp = client.post(
        "/stories/new", data={"title": "Oude bankjes", "body": "Nieuw hout.", "language": "nl"}
    )
    assert resp.status_code == 302
    story = db.scalar(select(Story).where(Story.title == "Oude bankjes"))
    assert story is not None
    assert resp.headers["Location"].endswith(f"/stories/{story.id}")
    listing = client.get("/stories", headers=EN).get_data(as_text=True)
    assert "My stories" in listing
    assert "Oude bankjes" in listing


def test_story_form_keeps_input_when_the_title_is_missing(
    client: FlaskClient, contributor: User, login: Login
) -> None:
    login(client, contributor)
    resp = client.post(
        "/stories/new", data={"title": "", "body": "Mijn tekst blijft staan", "language": "en"}
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Mijn tekst blijft staan" in html
    assert 'aria-invalid="true"' in html


def test_contributor_gets_403_on_someone_elses_story_and_on_editor_pages(
    client: FlaskClient, contributor: User, login: Login, db: Session
) -> None:
    other = make_user(db, Role.CONTRIBUTOR, "other@example.org", "Otto Other")
    story = _story(db, other)
    login(client, contributor)
    assert client.get(f"/stories/{story.id}").status_code == 403
    assert client.post(f"/stories/{story.id}/accept").status_code == 403
    assert client.get("/stories/intake").status_code == 403
    assert client.get("/stories/privacy").status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(client: FlaskClient) -> None:
    resp = client.get("/stories")
    assert resp.status_code == 302
    assert "/sign-in" in resp.headers["Location"]


def test_editor_filters_the_list(
    client: FlaskClient, contributor: User, editor: User, login: Login, db: Session
) -> None:
    _story(db, contributor, "Bankjes in het park")
    accepted = _story(db, contributor, "Wijkagent op de fiets")
    services.accept_story(db, editor, accepted.id)
    db.commit()
    login(client, editor)
    html = client.get("/stories?status=accepted", headers=EN).get_data(as_text=True)
    assert "Wijkagent op de fiets" in html
    assert "Bankjes in het park" not in html
    html = client.get("/stories?q=park&theme=abc&campaign=", headers=EN).get_data(as_text=True)
    assert "Bankjes in het park" in html
    assert "Wijkagent" not in html


def test_editor_accepts_and_declines_with_reason(
    client: FlaskClient, contributor: User, editor: User, login: Login, db: Session
) -> None:
    first = _story(db, contributor, "Eerste")
    second = _story(db, contributor, "Tweede")
    login(client, editor)
    page = client.get(f"/stories/{first.id}", headers=EN).get_data(as_text=True)
    assert "Mehmet repareert bankjes." in page
    assert client.post(f"/stories/{first.id}/accept").status_code == 302
    db.refresh(first)
    assert first.status == StoryStatus.ACCEPTED

    resp = client.post(f"/stories/{second.id}/decline", data={"dc-reason": ""}, headers=EN)
    assert resp.status_code == 200
    assert 'aria-invalid="true"' in resp.get_data(as_text=True)
    resp = client.post(f"/stories/{second.id}/decline", data={"dc-reason": "Te oud nieuws"})
    assert resp.status_code == 302
    db.refresh(second)
    assert second.status == StoryStatus.DECLINED
    assert second.decline_reason == "Te oud nieuws"


def test_editor_changes_status_assigns_and_comments(
    client: FlaskClient, contributor: User, editor: User, login: Login, db: Session
) -> None:
    story = _story(db, contributor)
    login(client, editor)
    client.post(f"/stories/{story.id}/accept")
    assert (
        client.post(f"/stories/{story.id}/status", data={"st-status": "in_production"}).status_code
        == 302
    )
    assert (
        client.post(f"/stories/{story.id}/assign", data={"as-editor": str(editor.id)}).status_code
        == 302
    )
    assert client.post(f"/stories/{story.id}/comments", data={"cm-body": "Top!"}).status_code == 302
    db.refresh(story)
    assert story.status == StoryStatus.IN_PRODUCTION
    assert story.editor_id == editor.id
    assert [c.body for c in story.comments] == ["Top!"]


def test_story_body_is_escaped(
    client: FlaskClient, contributor: User, editor: User, login: Login, db: Session
) -> None:
    story = services.submit_story(db, contributor, title="XSS", body="<script>alert(1)</script>")
    db.commit()
    login(client, editor)
    html = client.get(f"/stories/{story.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html


def test_editor_creates_and_closes_an_intake_link(
    client: FlaskClient, editor: User, login: Login, db: Session
) -> None:
    login(client, editor)
    resp = client.post("/stories/intake", data={"title": "Verhalen uit de wijk", "intro": ""})
    assert resp.status_code == 302
    link = db.scalar(select(IntakeLink).where(IntakeLink.title == "Verhalen uit de wijk"))
    assert link is not None
    html = client.get("/stories/intake").get_data(as_text=True)
    assert f"http://localhost/i/{link.token}" in html
    assert client.post(f"/stories/intake/{link.id}/close").status_code == 302
    assert client.get(f"/i/{link.token}").status_code == 404


def test_resident_submits_through_intake_link_and_sees_thanks(
    client: FlaskClient, editor: User, db: Session
) -> None:
    link = _link(db, editor)
    page = client.get(f"/i/{link.token}", headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Vertel!" in html
    assert 'name="website"' in html
    assert 'tabindex="-1"' in html
    resp = client.post(f"/i/{link.token}", data=PUBLIC)
    assert resp.status_code == 302
    assert resp.headers["Location"].split("?")[0].endswith(f"/i/{link.token}/thanks")
    assert client.get(resp.headers["Location"]).status_code == 200
    story = db.scalar(select(Story).where(Story.intake_link_id == link.id))
    assert story is not None
    assert story.contributor_name == "Fatima Ouali"


def test_intake_without_consent_keeps_input_and_explains(
    client: FlaskClient, editor: User, db: Session
) -> None:
    link = _link(db, editor)
    data = {k: v for k, v in PUBLIC.items() if k != "allow_story"}
    resp = client.post(f"/i/{link.token}", data=data, headers=EN)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "only use your story with your consent" in html
    assert "Ik kan nu zelf naar de winkel." in html
    assert 'value="Fatima Ouali"' in html


def test_intake_honeypot_looks_like_success_but_stores_nothing(
    client: FlaskClient, editor: User, db: Session
) -> None:
    link = _link(db, editor)
    resp = client.post(f"/i/{link.token}", data={**PUBLIC, "website": "spam"})
    assert resp.status_code == 302
    assert db.scalar(select(Story).where(Story.intake_link_id == link.id)) is None


def test_unknown_intake_link_is_404(client: FlaskClient) -> None:
    assert client.get("/i/nope").status_code == 404


def test_intake_form_is_rate_limited_per_address(
    app_factory: Callable[..., Flask], editor: User, db: Session
) -> None:
    link = _link(db, editor)
    client = app_factory(ratelimit_enabled=True, intake_rate_limit="2 per minute").test_client()
    codes = [client.post(f"/i/{link.token}", data=PUBLIC).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert client.get(f"/i/{link.token}").status_code == 200


def test_intake_form_needs_csrf_token(
    app_factory: Callable[..., Flask], editor: User, db: Session
) -> None:
    link = _link(db, editor)
    client = app_factory(csrf=True).test_client()
    assert client.post(f"/i/{link.token}", data=PUBLIC).status_code == 400
    page = client.get(f"/i/{link.token}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    resp = client.post(f"/i/{link.token}", data={**PUBLIC, "csrf_token": token.group(1)})
    assert resp.status_code == 302


def test_admin_exports_and_erases_contributor_data(
    client: FlaskClient, editor: User, admin: User, login: Login, db: Session
) -> None:
    link = _link(db, editor)
    client.post(f"/i/{link.token}", data=PUBLIC)
    login(client, admin)
    assert client.get("/stories/privacy").status_code == 200
    resp = client.post("/stories/privacy", data={"email": "fatima@example.org", "action": "export"})
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    assert "attachment" in resp.headers["Content-Disposition"]
    assert json.loads(resp.get_data(as_text=True))["stories"][0]["title"] == "De stoep is vlak"
    resp = client.post("/stories/privacy", data={"email": "fatima@example.org", "action": "erase"})
    assert resp.status_code == 302
    story = db.scalar(select(Story).where(Story.intake_link_id == link.id))
    assert story is not None
    db.refresh(story)
    assert story.contributor_name is None


def test_story_forms_ask_before_unsaved_text_is_left(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    story = _story(db, editor)
    db.commit()
    login(client, editor)
    for path in ("/stories/new", f"/stories/{story.id}/edit"):
        page = client.get(path, headers=EN).get_data(as_text=True)
        forms = re.findall(r"<form method=\"post\"[^>]*novalidate[^>]*>", page)
        assert len(forms) == 1, path
        assert "data-unsaved=" in forms[0], path
