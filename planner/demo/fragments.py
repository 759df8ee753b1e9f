"""Demo fragments: the demo channels, and drafts of the demo stories made by the splitter itself,
so the demo shows exactly what an editor would get."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.channels.models import Channel
from planner.fragments.gate import blocking, check_fragment
from planner.fragments.models import FragmentStatus
from planner.fragments.services import split_story
from planner.stories.models import Story


def seed_fragments(session: Session, now: datetime) -> None:
    """The demo channels, and drafts of the demo stories across several of them.

    Runs after the people and stories exist; drafts go through split_story, so the demo shows
    exactly what an editor would get, and a few move on to review so the list is not all drafts.
    """
    from planner.demo import content

    editor = session.scalar(
        select(User).where(User.role == Role.EDITOR, User.is_active.is_(True)).order_by(User.id)
    )
    if editor is None:
        return
    channels = []
    for demo in content.CHANNELS:
        channel = Channel(
            name=demo.name,
            kind_key=demo.kind_key,
            colour=demo.colour,
            cadence_per_week=demo.cadence_per_week,
            handle=demo.handle,
            created_at=now,
        )
        session.add(channel)
        channels.append(channel)
    session.flush()
    titles = {demo.title for demo in content.STORIES}
    stories = session.scalars(
        select(Story)
        .where(Story.title.in_(titles), Story.consent_withdrawn_at.is_(None))
        .order_by(Story.created_at)
    ).all()
    social = [c for c in channels if c.kind_key in ("mastodon", "bluesky", "linkedin", "instagram")]
    website = [c for c in channels if c.kind_key == "blog"]
    for index, story in enumerate(stories[:6]):
        chosen = social[index % 2 :: 2] + website
        fragments = split_story(session, editor, story, [c.id for c in chosen])
        if index % 3 == 1:
            for fragment in fragments:
                if not blocking(check_fragment(session, fragment)):
                    fragment.status = FragmentStatus.IN_REVIEW
