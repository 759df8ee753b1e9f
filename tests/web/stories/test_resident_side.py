"""The resident's side of the intake (issue 13, item 12): the pages name the organisation and
link its privacy statement, say how to withdraw consent and give a personal link that does it,
the consent version reads as a date, the decline hint does not promise a view residents do not
have, and the blog credits the resident by name only when they agreed to it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.audit.models import AuditEvent
from planner.blog.models import BlogPost
from planner.channels import services as channel_services
from planner.fragments import services as fragment_services
from planner.organisation.services import get_organisation
from planner.stories import intake
from planner.stories.models import IntakeLink, Story
from planner.stories.services import is_publishable
from tests.conftest import EN, Login

PUBLIC = {
    "name": "Fatima Ouali",
    "email": "fatima@example.org",
    "title": "De stoep is vlak",
    "body": "Ik kan nu zelf met mijn rollator naar de winkel. Dat scheelt me veel.",
    "allow_story": "y",
}


def _link(db: Session, editor: User) -> IntakeLink:
    org = get_organisation(db)
    org.name = "Gemeente Testdorp"
    org.privacy_url = "https://www.testdorp.example/privacy"
    link = intake.create_intake_link(db, editor, title="Deel je verhaal", intro="")
    db.commit()
    return link


def test_the_intake_page_names_the_organisation_and_explains_withdrawal(
    client: FlaskClient, editor: User, db: Session
) -> None:
    link = _link(db, editor)
    html = client.get(f"/i/{link.token}", headers=EN).get_data(as_text=True)
    assert "Contentfabriek" not in html  # the product is not who the resident talks to
    assert "<title>Deel je verhaal · Gemeente Testdorp</title>" in html
    assert "Tell Gemeente Testdorp your story." in html
    assert "I allow Gemeente Testdorp to use my story" in html
    assert 'href="https://www.testdorp.example/privacy"' in html
    assert "withdraw your consent at any time" in html
    assert "Consent text of November 1, 2026." in html
    assert "2026-11-1" not in html
    dutch = client.get(f"/i/{link.token}", headers={"Accept-Language": "nl"}).get_data(True)
    assert "Toestemmingstekst van 1 november 2026." in dutch
    assert "Ik geef Gemeente Testdorp toestemming" in dutch


def test_a_resident_withdraws_consent_with_the_personal_link(
    client: FlaskClient, editor: User, login: Login, db: Session
) -> None:
    link = _link(db, editor)
    sent = client.post(f"/i/{link.token}", data=PUBLIC, headers=EN)
    thanks = client.get(sent.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Gemeente Testdorp has received your story." in thanks
    assert "Contentfabriek" not in thanks
    found = re.search(r'href="(http://localhost/i/withdraw/[^"]+)"', thanks)
    assert found is not None
    withdraw = found.group(1).removeprefix("http://localhost")
    story = db.scalar(select(Story).where(Story.intake_link_id == link.id))
    assert story is not None
    assert "Gemeente Testdorp" in story.consents[0].consent_text
    assert is_publishable(story)

    page = client.get(withdraw, headers=EN).get_data(as_text=True)
    assert "De stoep is vlak" in page
    assert "Withdraw my consent" in page
    assert client.post(withdraw, headers=EN).status_code == 200
    db.expire_all()
    story = db.get(Story, story.id)
    assert story is not None
    assert story.consent_withdrawn_at is not None
    assert not is_publishable(story)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "story.withdraw_consent"))
    assert event is not None
    assert event.actor_id is None
    assert event.details == {"by": "contributor"}
    again = client.get(withdraw, headers=EN).get_data(as_text=True)
    assert "is withdrawn" in again

    # a link we did not sign leads nowhere, and so does the honeypot's
    assert client.get(withdraw[:-3] + "abc", headers=EN).status_code == 404
    assert client.get("/i/withdraw/-", headers=EN).status_code == 404

    # the editor's decline hint for a resident says the truth
    login(client, editor)
    other = client.post(f"/i/{link.token}", data={**PUBLIC, "title": "Tweede"}, headers=EN)
    assert other.status_code == 302
    second = db.scalar(select(Story).where(Story.title == "Tweede"))
    assert second is not None
    html = client.get(f"/stories/{second.id}", headers=EN).get_data(as_text=True)
    assert "the resident has no account and does not see it" in html
    assert "The contributor may see this reason" not in html
    assert "consent text of November 1, 2026" in html


def _blog_post(db: Session, editor: User, story: Story) -> BlogPost:
    channel = channel_services.create_channel(db, editor, name="Nieuws", kind_key="blog")
    fragment = fragment_services.split_story(db, editor, story, [channel.id])[0]
    post = BlogPost(
        slug=f"stoep-{story.id}",
        title=story.title,
        body=story.body,
        html=f"<p>{story.body}</p>",
        published_at=datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
        fragment_id=fragment.id,
    )
    db.add(post)
    db.commit()
    return post


def test_the_blog_credits_the_resident_by_name_only_with_consent(
    client: FlaskClient, editor: User, db: Session
) -> None:
    link = _link(db, editor)
    client.post(f"/i/{link.token}", data={**PUBLIC, "allow_name": "y"})
    client.post(f"/i/{link.token}", data={**PUBLIC, "title": "Zonder naam"})
    named = db.scalar(select(Story).where(Story.title == "De stoep is vlak"))
    anonymous = db.scalar(select(Story).where(Story.title == "Zonder naam"))
    assert named is not None
    assert anonymous is not None
    with_name = _blog_post(db, editor, named)
    html = client.get(f"/blog/{with_name.slug}", headers=EN).get_data(as_text=True)
    assert "This story was sent in by Fatima Ouali." in html
    channel_free = channel_services.create_channel(db, editor, name="Nieuws 2", kind_key="blog")
    fragment = fragment_services.split_story(db, editor, anonymous, [channel_free.id])[0]
    post = BlogPost(
        slug="zonder-naam",
        title="Zonder naam",
        html="<p>tekst</p>",
        published_at=datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
        fragment_id=fragment.id,
    )
    db.add(post)
    db.commit()
    html = client.get("/blog/zonder-naam", headers=EN).get_data(as_text=True)
    assert "Fatima" not in html
