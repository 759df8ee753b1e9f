"""The demo's lived-in month: a plan over the coming weeks that obeys the same rules as the app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.fragments.gate import gate_alerts
from planner.fragments.models import Fragment, FragmentStatus
from planner.media.storage import FileSystemStorage
from planner.publishing.models import (
    ACTIVE_DELIVERY_STATES,
    FRAGMENT_DELIVERY,
    Delivery,
    DeliveryState,
)
from planner.scheduling.models import CalendarFeed, PostingSlot

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_demo_plans_a_month_with_one_live_delivery_per_scheduled_fragment(
    db: Session, tmp_path: Path
) -> None:
    from planner.demo.seed import seed_demo

    seed_demo(db, NOW, FileSystemStorage(tmp_path / "media"))
    db.flush()

    scheduled = list(
        db.scalars(select(Fragment).where(Fragment.status == FragmentStatus.SCHEDULED))
    )
    assert len(scheduled) >= 15
    overdue = []
    for fragment in scheduled:
        assert fragment.scheduled_at is not None
        if fragment.scheduled_at < NOW:
            overdue.append(fragment)  # the one a person forgot to post by hand
            assert fragment.channel.publisher_kind == "manual"
        else:
            assert fragment.scheduled_at < NOW + timedelta(days=35)
        live = db.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.fragment_id == fragment.id, Delivery.state.in_(ACTIVE_DELIVERY_STATES))
        )
        assert live == 1
    assert len(overdue) == 1
    assert len({f.channel_id for f in scheduled}) >= 4

    published = db.scalars(select(Fragment).where(Fragment.status == FragmentStatus.PUBLISHED))
    for fragment in published:
        assert fragment.scheduled_at is not None
        assert fragment.scheduled_at < NOW
        states = db.scalars(select(Delivery.state).where(Delivery.fragment_id == fragment.id))
        assert list(states) == [DeliveryState.SENT]

    to_plan = db.scalars(
        select(Fragment).where(
            Fragment.status == FragmentStatus.APPROVED, Fragment.scheduled_at.is_(None)
        )
    ).all()
    assert to_plan
    assert all(not gate_alerts(db, f, "schedule") for f in to_plan)
    assert db.scalar(select(func.count()).select_from(PostingSlot)) >= 8
    assert db.scalar(select(func.count()).select_from(CalendarFeed)) == 1


def test_demo_past_is_on_the_blog_and_in_the_archive_with_its_approvers(
    db: Session, tmp_path: Path
) -> None:
    from planner.approval.services import current_approvals
    from planner.blog.models import BlogPost
    from planner.demo.seed import seed_demo
    from planner.publishing.models import Publication

    seed_demo(db, NOW, FileSystemStorage(tmp_path / "media"))
    db.flush()

    posts = db.scalars(select(BlogPost).order_by(BlogPost.published_at)).all()
    assert len(posts) == 2
    assert all(post.published_at < NOW for post in posts)
    # Every fragment that went out is archived; inbox replies are conversation, not publications.
    sent = db.scalars(
        select(Delivery).where(
            Delivery.state == DeliveryState.SENT, Delivery.kind == FRAGMENT_DELIVERY
        )
    ).all()
    assert db.scalar(
        select(func.count()).select_from(Delivery).where(Delivery.kind != FRAGMENT_DELIVERY)
    )
    archived = {p.delivery_id: p for p in db.scalars(select(Publication))}
    assert {d.id for d in sent} == set(archived)
    for post in posts:
        record = archived[post.delivery_id]
        assert record.method == "engine"
        assert record.remote_url == f"http://127.0.0.1:5000/blog/{post.slug}"
    # Approved as an editor would: every fragment past review has an approval of its version,
    # by someone other than its author.
    for fragment in db.scalars(
        select(Fragment).where(
            Fragment.status.in_(
                [FragmentStatus.APPROVED, FragmentStatus.SCHEDULED, FragmentStatus.PUBLISHED]
            )
        )
    ):
        approvals = current_approvals(db, fragment)
        assert approvals, fragment.id
        assert all(a.approver_id != fragment.created_by_id for a in approvals)
