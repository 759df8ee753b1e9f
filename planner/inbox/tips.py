"""Story tips: new items of the feeds the organisation follows, in the "Ideeën" list. One click
turns a tip into a story (a partner's story, linked to its source); a tip is never published."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.errors import ConflictError, NotFoundError
from planner.inbox.models import StoryTip
from planner.stories.models import Story, StorySource, StoryStatus


def list_tips(session: Session, actor: User | None, *, limit: int = 200) -> list[StoryTip]:
    """Open tips first (newest first), then the ones already turned into stories."""
    require_role(actor, Role.EDITOR)
    return list(
        session.scalars(
            select(StoryTip)
            .where(StoryTip.dismissed_at.is_(None))
            .options(joinedload(StoryTip.source))
            .order_by(
                StoryTip.story_id.is_not(None), StoryTip.received_at.desc(), StoryTip.id.desc()
            )
            .limit(limit)
        )
    )


def get_tip(session: Session, actor: User | None, tip_id: int) -> StoryTip:
    require_role(actor, Role.EDITOR)
    tip = session.get(StoryTip, tip_id)
    if tip is None:
        raise NotFoundError("This tip does not exist.")
    return tip


def tip_to_story(session: Session, actor: User | None, tip_id: int) -> Story:
    actor = require_role(actor, Role.EDITOR)
    tip = get_tip(session, actor, tip_id)
    if tip.story_id is not None:
        raise ConflictError("This tip is a story already.")
    body = tip.summary.strip() or tip.title
    if tip.link:
        body = f"{body}\n\nBron: {tip.link}"
    story = Story(
        title=tip.title[:200],
        body=body,
        language="nl",
        source=StorySource.PARTNER,
        status=StoryStatus.NEW,
        editor=actor,
    )
    session.add(story)
    session.flush()
    tip.story_id = story.id
    record_event(session, actor, "inbox.tip_to_story", story, tip=tip.id)
    return story


def dismiss_tip(session: Session, actor: User | None, tip_id: int, now: datetime) -> StoryTip:
    actor = require_role(actor, Role.EDITOR)
    tip = get_tip(session, actor, tip_id)
    tip.dismissed_at = now
    session.flush()
    return tip
