"""Small factories for calendar tests: a channel, a story and fragments in a chosen state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.channels import services as channel_services
from planner.channels.models import Channel
from planner.fragments import services as fragment_services
from planner.fragments.models import Fragment, FragmentStatus
from planner.scheduling.planning import schedule_fragment
from planner.stories.models import Story, StorySource, Theme

TEXT = "Mehmet repareert elke week de bankjes in het Havenpark. Dit jaar al veertig."


def make_channel(db: Session, editor: User, name: str = "Mastodon", **changes: object) -> Channel:
    channel = channel_services.create_channel(
        db, editor, name=name, kind_key="mastodon", handle="@zuiderhaven@social.example"
    )
    for key, value in changes.items():
        setattr(channel, key, value)
    db.flush()
    return channel


def make_story(
    db: Session, title: str = "Veertig bankjes", themes: list[Theme] | None = None
) -> Story:
    story = Story(title=title, body=TEXT, language="nl", source=StorySource.EMPLOYEE)
    story.themes = themes or []
    db.add(story)
    db.flush()
    return story


def make_fragment(
    db: Session,
    editor: User,
    channel: Channel,
    *,
    status: FragmentStatus = FragmentStatus.APPROVED,
    story: Story | None = None,
    assignee: User | None = None,
) -> Fragment:
    story = story or make_story(db)
    fragment = fragment_services.split_story(db, editor, story, [channel.id])[0]
    fragment.status = status
    fragment.assignee = assignee
    db.flush()
    return fragment


def plan(db: Session, editor: User, fragment: Fragment, at: datetime, now: datetime) -> Fragment:
    schedule_fragment(db, editor, fragment, at, now)
    return fragment
