"""A story's status follows its fragments (issue 13, item 13): scheduling one puts the story "in
use", publishing one (by hand here; the engine in tests/services/publishing) makes it "published";
a declined story is left alone and a story never moves back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.approval import services as approval_services
from planner.audit.models import AuditEvent
from planner.fragments.models import Fragment
from planner.fragments.progress import story_follows_fragments
from planner.publishing import deliveries
from planner.publishing.models import Delivery
from planner.scheduling import planning
from planner.stories.forms import status_labels
from planner.stories.models import Story, StoryStatus
from tests import factories as make

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _approved(db: Session, editor: User, approver: User, name: str = "Mastodon") -> Fragment:
    channel = make.channel(db, editor, name, publisher_kind="manual")
    fragment = make.fragment(db, editor, channel)
    approval_services.approve_fragment(db, approver, fragment, NOW)
    return fragment


def _status(db: Session, story_id: int) -> StoryStatus:
    return db.scalars(select(Story.status).where(Story.id == story_id)).one()


def test_scheduling_puts_the_story_in_use_and_posting_publishes_it(
    db: Session, editor: User, second_editor: User
) -> None:
    fragment = _approved(db, editor, second_editor)
    story_id = fragment.story_id
    assert _status(db, story_id) == StoryStatus.NEW

    delivery = planning.schedule_fragment(db, editor, fragment, NOW + timedelta(hours=1), NOW)
    assert _status(db, story_id) == StoryStatus.IN_PRODUCTION
    assert fragment.story.status == StoryStatus.IN_PRODUCTION  # the loaded story is refreshed

    planning.unschedule_fragment(db, editor, fragment, NOW)
    assert _status(db, story_id) == StoryStatus.IN_PRODUCTION  # never back

    delivery = planning.schedule_fragment(db, editor, fragment, NOW + timedelta(hours=2), NOW)
    deliveries.mark_posted(db, editor, delivery, "https://social.example/@z/1", NOW)
    assert _status(db, story_id) == StoryStatus.TOLD
    moves = db.scalars(
        select(AuditEvent.details)
        .where(AuditEvent.action == "story.status", AuditEvent.target_id == str(story_id))
        .order_by(AuditEvent.id)
    ).all()
    assert [(m["previous"], m["status"]) for m in moves] == [
        ("new", "in_production"),
        ("in_production", "told"),
    ]
    assert isinstance(delivery, Delivery)


def test_a_declined_story_and_a_told_story_stay_where_they_are(
    db: Session, editor: User, second_editor: User
) -> None:
    fragment = _approved(db, editor, second_editor)
    story = fragment.story
    story.status = StoryStatus.DECLINED
    story.decline_reason = "Geen toestemming van de bewoners."
    db.flush()
    assert story_follows_fragments(db, [fragment.id]) == []
    planning.schedule_fragment(db, editor, fragment, NOW + timedelta(hours=1), NOW)
    assert _status(db, story.id) == StoryStatus.DECLINED

    other = _approved(db, editor, second_editor, "Bluesky")
    other.story.status = StoryStatus.TOLD
    db.flush()
    planning.schedule_fragment(db, editor, other, NOW + timedelta(hours=1), NOW)
    assert _status(db, other.story_id) == StoryStatus.TOLD


def test_the_statuses_read_in_use_and_published_in_dutch(app: Flask) -> None:
    with app.test_request_context(), force_locale("nl"):
        labels = {k: str(v) for k, v in status_labels().items()}
    assert labels["in_production"] == "In gebruik"
    assert labels["told"] == "Gepubliceerd"
