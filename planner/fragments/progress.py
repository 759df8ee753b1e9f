"""A story's status follows its fragments: "in production" while one is planned, "told" once one
is out, so a story does not stay "new" after it was published.

Called by the features above (planning when a fragment is scheduled, publishing when a delivery
is sent, by the engine or by hand) with the fragments that just moved; stories sit below
fragments, so the rule lives here, where both the fragments and the stories can be read. A story
only moves forward: a declined story, or one already told, is left alone, and taking a fragment
off the calendar does not put the story back.
"""

from __future__ import annotations

import types
from collections.abc import Iterable

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from planner.audit.services import record_event
from planner.fragments.models import Fragment, FragmentStatus
from planner.stories.models import Story, StoryStatus

#: how far along a story is, by the furthest of its fragments
_RANK = {
    StoryStatus.NEW: 0,
    StoryStatus.ACCEPTED: 0,
    StoryStatus.IN_PRODUCTION: 1,
    StoryStatus.TOLD: 2,
}
_BY_RANK = {1: StoryStatus.IN_PRODUCTION, 2: StoryStatus.TOLD}


def story_follows_fragments(session: Session, fragment_ids: Iterable[int]) -> list[int]:
    """Move the stories of these fragments forward to what their fragments show; returns the ids
    of the stories that moved. Each move is fenced on the status read, so two processes settling
    at once write it once."""
    ids = sorted({i for i in fragment_ids if i is not None})
    if not ids:
        return []
    furthest = func.max(
        case(
            (Fragment.status == FragmentStatus.PUBLISHED, 2),
            (Fragment.status == FragmentStatus.SCHEDULED, 1),
            else_=0,
        )
    )
    rows = session.execute(
        select(Story.id, Story.status, furthest)
        .join(Fragment, Fragment.story_id == Story.id)
        .where(
            Story.id.in_(select(Fragment.story_id).where(Fragment.id.in_(ids))),
            Story.status.in_(list(_RANK)),
        )
        .group_by(Story.id, Story.status)
    ).all()
    moved: list[int] = []
    for story_id, status, rank in rows:
        if not rank or rank <= _RANK[status]:
            continue
        target = _BY_RANK[rank]
        result = session.execute(
            update(Story)
            .where(Story.id == story_id, Story.status == status)
            .values(status=target, decline_reason=None),
            execution_options={"synchronize_session": "fetch"},
        )
        if getattr(result, "rowcount", 0) != 1:
            continue
        moved.append(story_id)
        record_event(
            session,
            None,
            "story.status",
            types.SimpleNamespace(__tablename__="stories", id=story_id),
            previous=status.value,
            status=target.value,
            reason="fragments",
        )
    return moved
