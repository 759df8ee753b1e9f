"""Demo publishing set-up: the demo's news channel publishes to the built-in blog.

Every other demo channel stays "by hand", because the demo has no real accounts to post to; the
scheduled articles on the news channel then appear under /blog when they fall due.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.channels.models import Channel


def seed_publishing(session: Session, now: datetime) -> None:
    for channel in session.scalars(select(Channel).where(Channel.kind_key == "blog")):
        channel.publisher_kind = "blog"
    session.flush()
