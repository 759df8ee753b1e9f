"""A lived-in month for Gemeente Zuiderhaven: slots, approved and planned fragments over the
coming four weeks, a few published in the past days, one failed delivery, and a feed.

Deterministic: the same `now` gives the same plan. Runs after the demo fragments exist; it plans
through the publishing workflow, so every scheduled fragment has exactly one pending delivery.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.approval.services import approve_fragment
from planner.channels.models import Channel
from planner.errors import PlannerError
from planner.fragments.gate import (
    acknowledge_warning,
    blocking,
    check_fragment,
    check_fragment_parts,
    gate_alerts,
)
from planner.fragments.models import Fragment, FragmentStatus
from planner.fragments.services import split_story
from planner.publishing.models import Delivery, DeliveryState
from planner.scheduling.feeds import create_feed
from planner.scheduling.models import FeedScope, PostingSlot
from planner.scheduling.planning import channel_slots, schedule_fragment
from planner.scheduling.slots import next_free_slot
from planner.stories.models import Story
from planner.timekeeping.wallclock import local_date, resolve_local

#: (channel kind, weekday, local time): when each demo channel usually posts
DEMO_SLOTS = (
    ("mastodon", 0, time(9, 30)),
    ("mastodon", 2, time(9, 30)),
    ("mastodon", 4, time(15, 0)),
    ("bluesky", 1, time(12, 0)),
    ("bluesky", 3, time(12, 0)),
    ("linkedin", 1, time(8, 30)),
    ("facebook", 2, time(19, 0)),
    ("facebook", 5, time(10, 0)),
    ("instagram", 5, time(11, 0)),
    ("blog", 3, time(10, 0)),
)
PLAN_DAYS = 28
#: weekly targets a small municipal team can keep (the channel catalogue's defaults are ambitions)
DEMO_CADENCE = {
    "mastodon": 3,
    "bluesky": 2,
    "facebook": 2,
    "linkedin": 1,
    "instagram": 1,
    "blog": 1,
}


def seed_plan(session: Session, now: datetime) -> None:
    users = {
        u.email: u
        for u in session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.id))
    }
    planner = users.get("daan@zuiderhaven.example")
    if planner is None:
        return
    team = [u for u in users.values() if u.role in (Role.EDITOR, Role.ADMIN)]
    reviewer = users.get("sanne@zuiderhaven.example", planner)
    channels = list(session.scalars(select(Channel).order_by(Channel.id)))
    by_kind = {c.kind_key: c for c in channels}
    for channel in channels:
        channel.cadence_per_week = DEMO_CADENCE.get(channel.kind_key, 0)
    for kind, weekday, wall in DEMO_SLOTS:
        if kind in by_kind:
            session.add(PostingSlot(channel=by_kind[kind], weekday=weekday, local_time=wall))
    session.flush()
    _more_fragments(session, channels)

    fragments = list(
        session.scalars(
            select(Fragment)
            .where(Fragment.status.in_([FragmentStatus.DRAFT, FragmentStatus.IN_REVIEW]))
            .order_by(Fragment.id)
        )
    )
    tz = "Europe/Amsterdam"
    taken: dict[int, list[datetime]] = {}
    published = 0
    for index, fragment in enumerate(fragments):
        fragment.assignee = team[index % len(team)]
        if index % 9 == 4 or blocking(check_fragment(session, fragment)):
            continue  # stays in review or draft: not everything is ready
        _let_warnings_stand(session, fragment, reviewer, now)
        if gate_alerts(session, fragment, "schedule"):
            continue
        approver = planner if fragment.created_by_id != planner.id else reviewer
        try:
            approve_as_editor(session, fragment, approver, now)
        except PlannerError:
            continue
        if index % 7 == 3:
            continue  # approved, waiting on the list to plan
        if published < 4 and index % 5 == 1:
            published += 1
            mark_published(session, fragment, office_time(now, published, time(9, 30)), planner)
            continue
        after = now + timedelta(days=(index * 3) % (PLAN_DAYS - 7))
        busy = taken.setdefault(fragment.channel_id, [])
        at = next_free_slot(channel_slots(session, fragment.channel), busy, after=after)
        if at is None:
            day = local_date(after, tz) + timedelta(days=1)
            at = resolve_local(datetime.combine(day, time(10, 0)), tz, fold="earlier")
        try:
            schedule_fragment(session, planner, fragment, at, now)
        except PlannerError:
            fragment.status = FragmentStatus.APPROVED
        else:
            busy.append(at)
    _failed_one(session, now, planner)
    _article_for_a_colleague(session, users.get("mehmet@zuiderhaven.example"))
    eva = users.get("eva@zuiderhaven.example")
    create_feed(session, eva or planner, name="Hele planning", scope=FeedScope.ORGANISATION)
    session.flush()


def _more_fragments(session: Session, channels: list[Channel]) -> None:
    """Every demo story also on Facebook and the social channels it was not split onto yet."""
    editor = session.scalar(
        select(User).where(User.role == Role.EDITOR, User.is_active.is_(True)).order_by(User.id)
    )
    if editor is None:
        return
    stories = session.scalars(
        select(Story).where(Story.consent_withdrawn_at.is_(None)).order_by(Story.id)
    ).all()
    social = [c for c in channels if c.kind_key in ("mastodon", "bluesky", "facebook", "linkedin")]
    for story in stories[:8]:
        used = set(
            session.scalars(select(Fragment.channel_id).where(Fragment.story_id == story.id))
        )
        missing = [c.id for c in social if c.id not in used and c.is_active]
        if missing:
            try:
                split_story(session, editor, story, missing)
            except PlannerError:
                continue


def office_time(now: datetime, days_ago: int, at: time) -> datetime:
    """A moment some days back at an office hour in Zuiderhaven, so the demo's past reads like a
    working week whenever it is seeded (not at the seeding's hour of the night)."""
    day = local_date(now, "Europe/Amsterdam") - timedelta(days=days_ago)
    return resolve_local(datetime.combine(day, at), "Europe/Amsterdam", fold="earlier")


def approve_as_editor(session: Session, fragment: Fragment, approver: User, now: datetime) -> None:
    """Approved as an editor would do it, so the approval panel shows who approved which version."""
    if fragment.status == FragmentStatus.DRAFT:
        fragment.status = FragmentStatus.IN_REVIEW
    approve_fragment(session, approver, fragment, now - timedelta(hours=1))


def mark_published(session: Session, fragment: Fragment, at: datetime, planner: User) -> None:
    fragment.scheduled_at = at
    fragment.status = FragmentStatus.PUBLISHED
    session.add(
        Delivery(
            fragment=fragment,
            channel=fragment.channel,
            due_at=at,
            not_before=at,
            state=DeliveryState.SENT,
            attempt=1,
            fragment_version=fragment.version,
            sent_at=at + timedelta(seconds=4),
            scheduled_by=planner,
            created_at=at - timedelta(days=3),
        )
    )
    session.flush()


def _failed_one(session: Session, now: datetime, planner: User) -> None:
    """One post that needs attention: due yesterday on a channel posted by hand, and nobody
    posted it. (The demo's channels other than the blog have no publisher, so an automatic
    delivery that failed would contradict them.)"""
    fragment = session.scalar(
        select(Fragment)
        .join(Channel, Fragment.channel_id == Channel.id)
        .where(
            Fragment.status == FragmentStatus.APPROVED,
            Fragment.scheduled_at.is_(None),
            Channel.publisher_kind == "manual",
            Channel.kind_key != "blog",
        )
        .order_by(Fragment.id.desc())
    )
    if fragment is None:
        return
    at = office_time(now, 1, time(11, 0))
    fragment.scheduled_at = at
    fragment.status = FragmentStatus.SCHEDULED
    session.add(
        Delivery(
            fragment=fragment,
            channel=fragment.channel,
            due_at=at,
            not_before=at,
            state=DeliveryState.PENDING,
            fragment_version=fragment.version,
            scheduled_by=planner,
            created_at=at - timedelta(days=2),
        )
    )
    session.flush()


def _article_for_a_colleague(session: Session, colleague: User | None) -> None:
    """Mehmet (two hours a week) writes one planned article himself: the workload shows why not."""
    article = session.scalar(
        select(Fragment)
        .where(Fragment.kind == "article", Fragment.status == FragmentStatus.SCHEDULED)
        .order_by(Fragment.scheduled_at)
    )
    if article is not None and colleague is not None:
        article.assignee = colleague
        session.flush()


def _let_warnings_stand(session: Session, fragment: Fragment, editor: User, now: datetime) -> None:
    """What an editor does before approving: read the warnings and let them stand, with a reason."""
    for found in check_fragment_parts(fragment):
        for alert in found.alerts:
            if alert.severity != "warning":
                continue
            try:
                acknowledge_warning(
                    session,
                    editor,
                    fragment,
                    field=found.field,
                    check=alert.check,
                    match=alert.match,
                    reason="Gelezen; voor dit verhaal laten we het zo.",
                    now=now,
                )
            except PlannerError:
                continue
