"""Reactions per post: at fixed moments after publication (+1 h, +24 h, +7 d, +30 d by default,
``PLANNER_EFFECT_SNAPSHOTS``) ask Mastodon how many favourites, boosts and replies our status has.

A job like the publishing engine: it reads what is due in one short transaction, asks the platform
outside any transaction, and writes each snapshot with an insert that does nothing when the row
(publication, moment) exists already, so two schedulers never record a moment twice. When the
scheduler was down and several moments of one post are due, only the latest is taken: a "+1 h"
read a day late would say something else. A failed read is tried again at the next tick.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from planner.channels.models import Channel
from planner.clock import Clock
from planner.db import write_session
from planner.effect.models import ReactionSnapshot
from planner.errors import ValidationError
from planner.publishing.models import Publication

log = logging.getLogger(__name__)

DEFAULT_MOMENTS = "1h,24h,7d,30d"
_MOMENT = re.compile(r"^(\d{1,4})([hd])$")
#: publications read per run at most
BATCH = 200


def parse_moments(text: str) -> list[tuple[str, timedelta]]:
    """ "1h,24h,7d,30d" -> [("1h", 1 hour), ...], earliest first."""
    moments = []
    for item in (part.strip().lower() for part in text.split(",")):
        match = _MOMENT.match(item)
        if not match or int(match.group(1)) == 0:
            raise ValidationError(
                f"{item!r} is not a moment: write a number of hours or days such as 1h or 7d."
            )
        number = int(match.group(1))
        delta = timedelta(hours=number) if match.group(2) == "h" else timedelta(days=number)
        moments.append((item, delta))
    if not moments:
        raise ValidationError("Name at least one moment, such as 24h.")
    return sorted(moments, key=lambda moment: moment[1])


@dataclass
class SnapshotReport:
    taken: int = 0
    failed: int = 0
    skipped: int = 0


@dataclass(frozen=True)
class _Due:
    publication_id: int
    fragment_id: int | None
    remote_id: str
    moment: str
    due_at: datetime
    channel: Channel


def _due(session: Session, now: datetime, moments: Sequence[tuple[str, timedelta]]) -> list[_Due]:
    longest = moments[-1][1]
    publications = session.scalars(
        select(Publication)
        .join(Channel, Channel.id == Publication.channel_id)
        .where(Channel.publisher_kind == "mastodon")
        .where(Publication.remote_id.is_not(None))
        .where(Publication.published_at <= now - moments[0][1])
        .where(Publication.published_at >= now - longest - timedelta(days=1))
        .order_by(Publication.published_at)
        .limit(BATCH)
    ).all()
    if not publications:
        return []
    taken = {
        (row.publication_id, row.moment)
        for row in session.execute(
            select(ReactionSnapshot.publication_id, ReactionSnapshot.moment).where(
                ReactionSnapshot.publication_id.in_([p.id for p in publications])
            )
        )
    }
    channels = {
        c.id: c
        for c in session.scalars(
            select(Channel).where(Channel.id.in_({p.channel_id for p in publications}))
        )
    }
    due = []
    for publication in publications:
        reached = [
            (label, delta) for label, delta in moments if publication.published_at + delta <= now
        ]
        label, delta = reached[-1]
        if (publication.id, label) in taken or publication.channel_id not in channels:
            continue
        due.append(
            _Due(
                publication.id,
                publication.fragment_id,
                str(publication.remote_id),
                label,
                publication.published_at + delta,
                channels[publication.channel_id],
            )
        )
    session.expunge_all()
    return due


def take_snapshots(
    factory: sessionmaker[Session],
    clock: Clock,
    build: Callable[[Channel], Any],
    moments: Sequence[tuple[str, timedelta]],
) -> SnapshotReport:
    """Take every snapshot that is due; ``build`` is the publisher registry's ``build``."""
    report = SnapshotReport()
    now = clock.now()
    with factory() as session:
        due = _due(session, now, moments)
    for item in due:
        try:
            publisher = build(item.channel)
            counts = publisher.status_counts(item.remote_id)
        except Exception:  # a platform that fails is tried again at the next tick
            log.warning("reading reactions of publication %s failed", item.publication_id)
            report.failed += 1
            continue
        with write_session(factory) as session:
            dialect = session.get_bind().dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            result = session.execute(
                insert(ReactionSnapshot)
                .values(
                    publication_id=item.publication_id,
                    fragment_id=item.fragment_id,
                    moment=item.moment,
                    due_at=item.due_at,
                    taken_at=clock.now(),
                    favourites=counts["favourites"],
                    reblogs=counts["reblogs"],
                    replies=counts["replies"],
                )
                .on_conflict_do_nothing(index_elements=["publication_id", "moment"])
            )
            if getattr(result, "rowcount", 1) == 0:
                report.skipped += 1
            else:
                report.taken += 1
    return report
