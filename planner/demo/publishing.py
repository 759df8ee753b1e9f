"""Demo publishing: the news channel publishes to the built-in blog, and the past has a record.

Every other demo channel stays "by hand", because the demo has no real accounts to post to. So
that /blog and the archive are not empty on the first visit, two articles went out on the blog in
the last days, and every demo post that was "published" has its archive record, exactly as the
engine or a person marking a post as posted would have written it.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.approval.services import current_approvals
from planner.blog.services import publish_in_transaction
from planner.channels.models import Channel
from planner.fragments.models import Fragment, FragmentStatus
from planner.publishing.archive import publication_content
from planner.publishing.models import Delivery, DeliveryState, Publication
from planner.scheduling.planning import active_delivery
from planner.timekeeping.wallclock import local_date, resolve_local

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
#: how many demo articles are already on the blog
PUBLISHED_ARTICLES = 2


def seed_publishing(session: Session, now: datetime, base_url: str = DEFAULT_BASE_URL) -> None:
    for channel in session.scalars(select(Channel).where(Channel.kind_key == "blog")):
        channel.publisher_kind = "blog"
    session.flush()
    _articles_already_out(session, now, base_url)
    for delivery in session.scalars(
        select(Delivery).where(Delivery.state == DeliveryState.SENT).order_by(Delivery.id)
    ):
        archive_delivery(session, delivery)
    session.flush()


def _articles_already_out(session: Session, now: datetime, base_url: str) -> None:
    articles = session.scalars(
        select(Fragment)
        .join(Channel, Fragment.channel_id == Channel.id)
        .where(
            Channel.publisher_kind == "blog",
            Fragment.kind == "article",
            Fragment.status.in_([FragmentStatus.APPROVED, FragmentStatus.SCHEDULED]),
        )
        .order_by(Fragment.id)
        .limit(PUBLISHED_ARTICLES)
    ).all()
    for days_ago, fragment in enumerate(articles, start=1):
        day = local_date(now, "Europe/Amsterdam") - timedelta(days=days_ago * 3)
        at = resolve_local(datetime.combine(day, time(9, 0)), "Europe/Amsterdam")
        delivery = active_delivery(session, fragment)
        if delivery is None:
            delivery = Delivery(
                fragment=fragment,
                channel=fragment.channel,
                fragment_version=fragment.version,
                created_at=at - timedelta(days=2),
            )
            session.add(delivery)
        delivery.due_at = delivery.not_before = at
        delivery.state = DeliveryState.SENT
        delivery.attempt = 1
        delivery.sent_at = at
        session.flush()
        result = publish_in_transaction(session, delivery, at, base_url=base_url)
        delivery.remote_id, delivery.remote_url = result.remote_id, result.remote_url
        fragment.scheduled_at = at
        fragment.status = FragmentStatus.PUBLISHED
        session.flush()


def archive_delivery(session: Session, delivery: Delivery) -> None:
    if session.scalar(select(Publication.id).where(Publication.delivery_id == delivery.id)):
        return
    fragment = delivery.fragment
    by_engine = delivery.channel.publisher_kind != "manual"
    session.add(
        Publication(
            delivery_id=delivery.id,
            **publication_content(
                fragment,
                delivery.channel,
                parts=fragment.parts if fragment.kind in ("post", "thread") else [fragment.text()],
                approvers=[a.archive_label() for a in current_approvals(session, fragment)],
                media=[],
            ),
            published_at=delivery.sent_at or delivery.due_at,
            remote_id=delivery.remote_id,
            remote_url=delivery.remote_url,
            method="engine" if by_engine else "by_hand",
            recorded_by_id=None if by_engine else delivery.scheduled_by_id,
            created_at=delivery.sent_at or delivery.due_at,
        )
    )
