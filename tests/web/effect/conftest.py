"""Published fragments with tracked links and a Publication record, as the engine leaves them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.channels.models import Channel
from planner.effect.models import TrackedLink
from planner.fragments.models import Fragment, FragmentStatus
from planner.publishing.models import Publication
from tests import factories as make


def published(
    db: Session,
    editor: User,
    at: datetime,
    *,
    channel: Channel | None = None,
    title: str = "Bibliotheek op zondag",
    target: str = "https://www.zuiderhaven.nl/bibliotheek",
    code: str = "Bieb1234",
    remote_id: str | None = None,
) -> tuple[Fragment, TrackedLink, Publication]:
    made_channel = channel or make.channel(db, editor, "Mastodon Zuiderhaven")
    fragment = make.fragment(db, editor, made_channel, submit=False, title=title)
    fragment.status = FragmentStatus.PUBLISHED
    link = TrackedLink(
        code=code,
        fragment_id=fragment.id,
        channel_id=made_channel.id,
        position=0,
        target_url=target,
        utm_source="mastodon-zuiderhaven",
        utm_medium="social",
        utm_campaign="",
        utm_content=f"fragment-{fragment.id}",
    )
    publication = Publication(
        fragment_id=fragment.id,
        channel_id=made_channel.id,
        channel_name=made_channel.name,
        channel_kind=made_channel.kind_key,
        fragment_kind=fragment.kind,
        fragment_version=fragment.version,
        parts=[f"Lees https://planner.test/l/{code}"],
        body=f"Lees {target}",
        published_at=at,
        remote_id=remote_id,
        method="engine",
    )
    db.add_all([link, publication])
    db.commit()
    return fragment, link, publication
