"""The dashboard answers "what needs me now?" for each role, from the real database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.approval import services as approval_services
from planner.channels import services as channel_services
from planner.clock import FrozenClock
from planner.fragments import services
from planner.scheduling import planning
from planner.stories.models import Story, StorySource, StoryStatus
from tests.conftest import make_user

ENGLISH = {"Accept-Language": "en"}
CLEAN = "Inwoners van Zuiderhaven kunnen vanaf maandag bij de bibliotheek terecht."


def _story(db: Session, title: str, **extra: object) -> Story:
    story = Story(title=title, body=CLEAN, language="nl", source=StorySource.EMPLOYEE, **extra)
    db.add(story)
    db.flush()
    return story


def test_editor_sees_reviews_of_others_new_stories_and_the_coming_week(
    client: FlaskClient,
    db: Session,
    editor: User,
    clock: FrozenClock,
    login: Callable[[FlaskClient, User], FlaskClient],
) -> None:
    other = make_user(db, Role.EDITOR, "other@example.org", "Olga Other")
    channel = channel_services.create_channel(
        db, editor, name="Mastodon", kind_key="mastodon", colour="#5B3FC4"
    )
    mine, theirs, planned = (
        services.split_story(db, author, _story(db, title), [channel.id])[0]
        for author, title in (
            (editor, "Mijn eigen fragment"),
            (other, "Fragment van Olga"),
            (other, "Gaat deze week uit"),
        )
    )
    for fragment in (mine, theirs, planned):
        services.update_fragment(db, fragment.created_by, fragment, parts=[CLEAN])
        services.submit_for_review(db, fragment.created_by, fragment)
    planned.title = "Gaat deze week uit"
    approval_services.approve_fragment(db, editor, planned, clock.now())
    planning.schedule_fragment(db, editor, planned, clock.now() + timedelta(days=2), clock.now())
    _story(db, "Een nieuw verhaal uit de wijk", status=StoryStatus.NEW)
    db.commit()

    page = login(client, editor).get("/dashboard", headers=ENGLISH).get_data(as_text=True)

    review = page.split("Waiting for your review")[1].split("</section>")[0]
    assert "Fragment van Olga" in review
    assert "Mijn eigen fragment" not in review
    assert "Een nieuw verhaal uit de wijk" in page.split("New stories")[1].split("</section>")[0]
    week = page.split("Going out this week")[1].split("</section>")[0]
    assert "Gaat deze week uit" in week
    assert "Sun 29 Nov 10:00" in week  # 09:00 UTC two days on, shown in Europe/Amsterdam


def test_contributor_sees_only_their_own_stories(
    client: FlaskClient,
    db: Session,
    contributor: User,
    login: Callable[[FlaskClient, User], FlaskClient],
) -> None:
    _story(db, "Mijn buurtverhaal", contributor=contributor)
    _story(db, "Verhaal van iemand anders")
    db.commit()
    page = login(client, contributor).get("/dashboard", headers=ENGLISH).get_data(as_text=True)
    assert "Mijn buurtverhaal" in page
    assert "Verhaal van iemand anders" not in page
    assert "Waiting for your review" not in page
