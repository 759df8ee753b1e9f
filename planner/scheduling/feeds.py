"""TODO docstring."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from planner.accounts.models import Role, User
from planner.accounts.passwords import token_digest
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.channels.models import Channel
from planner.errors import NotFoundError, ValidationError
from planner.fragments.models import FragmentStatus
from planner.scheduling import ical
from planner.scheduling.models import (
    CalendarFeed,
    CalendarShare,
    FeedScope,
)
from planner.scheduling.services import CalendarEntry, CalendarFilters, org_timezone, query_calendar

FEED_PAST = timedelta(days=30)


FEED_FUTURE = timedelta(days=180)


FEED_TOKEN_PREFIX = "cfk_"  # noqa: S105 - a label, not a secret


SHARE_TOKEN_PREFIX = "cfs_"  # noqa: S105 - a label, not a secret


MAX_SHARE_DAYS = 90


def _new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def create_feed(
    session: Session,
    actor: User | None,
    *,
    name: str,
    scope: FeedScope,
    channel_id: int | None = None,
    person_id: int | None = None,
) -> tuple[CalendarFeed, str]:
    """A new subscription URL; the token is returned once and only its hash is kept."""
    actor = require_role(actor, Role.EDITOR)
    name = name.strip()
    if not name:
        raise ValidationError("Give the feed a name.", field="name")
    if len(name) > 100:
        raise ValidationError("A name has at most 100 characters.", field="name")
    if ical.one_line(name) != name:
        raise ValidationError("A name is one line, without tabs or line breaks.", field="name")
    channel = person = None
    if scope == FeedScope.CHANNEL:
        channel = session.get(Channel, channel_id) if channel_id else None
        if channel is None:
            raise ValidationError("Choose the channel this feed shows.", field="channel")
    if scope == FeedScope.PERSON:
        person = session.get(User, person_id) if person_id else None
        if person is None:
            raise ValidationError("Choose the person this feed shows.", field="person")
    token = _new_token(FEED_TOKEN_PREFIX)
    feed = CalendarFeed(
        name=name,
        scope=scope,
        channel=channel,
        person=person,
        token_hash=token_digest(token),
        prefix=token[:10],
        created_by=actor,
    )
    session.add(feed)
    session.flush()
    record_event(session, actor, "feed.create", feed, scope=scope.value, name=name)
    return feed, token


def list_feeds(session: Session, actor: User | None) -> list[CalendarFeed]:
    require_role(actor, Role.EDITOR)
    return list(
        session.scalars(
            select(CalendarFeed)
            .options(selectinload(CalendarFeed.channel), selectinload(CalendarFeed.person))
            .order_by(CalendarFeed.revoked_at.is_not(None), CalendarFeed.id.desc())
        )
    )


def revoke_feed(session: Session, actor: User | None, feed_id: int, now: datetime) -> CalendarFeed:
    actor = require_role(actor, Role.EDITOR)
    feed = session.get(CalendarFeed, feed_id)
    if feed is None:
        raise NotFoundError("This feed does not exist.")
    if feed.revoked_at is None:
        feed.revoked_at = now
        session.flush()
        record_event(session, actor, "feed.revoke", feed)
    return feed


def find_feed(session: Session, token: str) -> CalendarFeed | None:
    """The active feed a URL token belongs to, or None (unknown and revoked look the same)."""
    if not token.startswith(FEED_TOKEN_PREFIX) or len(token) > 100:
        return None
    return session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.token_hash == token_digest(token), CalendarFeed.revoked_at.is_(None)
        )
    )


#: a published fragment is confirmed, a withdrawn one cancelled (consent withdrawn), the rest
#: tentative
_FEED_STATUS = {
    FragmentStatus.PUBLISHED: ical.FeedStatus.CONFIRMED,
    FragmentStatus.WITHDRAWN: ical.FeedStatus.CANCELLED,
}


def render_feed(session: Session, feed: CalendarFeed, now: datetime, *, base_url: str) -> bytes:
    """The feed as RFC 5545 bytes: a month back and half a year ahead, in the org timezone."""
    tz = org_timezone(session)
    filters = CalendarFilters(
        channel_id=feed.channel_id if feed.scope == FeedScope.CHANNEL else None,
        person_id=feed.person_id if feed.scope == FeedScope.PERSON else None,
    )
    entries = query_calendar(
        session, now - FEED_PAST, now + FEED_FUTURE, tz, filters, with_themes=True
    )
    feed.last_used_at = now
    events = [
        ical.FeedEvent(
            id=entry.fragment.id,
            channel=entry.fragment.channel.name,
            title=entry.title,
            start_at=entry.fragment.scheduled_at or now,
            description=f"{entry.fragment.kind} · {entry.fragment.status.value}",
            url=f"{base_url.rstrip('/')}/fragments/{entry.fragment.id}",
            status=_FEED_STATUS.get(entry.fragment.status, ical.FeedStatus.TENTATIVE),
            categories=tuple(entry.fragment.story.themes),
            updated_at=entry.fragment.updated_at,
        )
        for entry in entries
    ]
    return ical.build_feed(feed.name, events, tz=tz, stamp_at=now)


def create_share(
    session: Session, actor: User | None, *, label: str, days: int, now: datetime
) -> tuple[CalendarShare, str]:
    """A read-only calendar link for a reviewer without an account, valid for ``days`` days."""
    actor = require_role(actor, Role.EDITOR)
    label = label.strip()
    if not label:
        raise ValidationError("Say who the link is for.", field="label")
    if len(label) > 100:
        raise ValidationError("A name has at most 100 characters.", field="label")
    if not 1 <= days <= MAX_SHARE_DAYS:
        raise ValidationError("A link stays valid for 1 to 90 days.", field="days")
    token = _new_token(SHARE_TOKEN_PREFIX)
    share = CalendarShare(
        label=label,
        token_hash=token_digest(token),
        prefix=token[:10],
        expires_at=now + timedelta(days=days),
        created_by=actor,
        created_at=now,
    )
    session.add(share)
    session.flush()
    record_event(session, actor, "calendar_share.create", share, label=label, days=days)
    return share, token


def list_shares(session: Session, actor: User | None) -> list[CalendarShare]:
    require_role(actor, Role.EDITOR)
    return list(session.scalars(select(CalendarShare).order_by(CalendarShare.id.desc())))


def revoke_share(
    session: Session, actor: User | None, share_id: int, now: datetime
) -> CalendarShare:
    actor = require_role(actor, Role.EDITOR)
    share = session.get(CalendarShare, share_id)
    if share is None:
        raise NotFoundError("This link does not exist.")
    if share.revoked_at is None:
        share.revoked_at = now
        session.flush()
        record_event(session, actor, "calendar_share.revoke", share)
    return share


def get_open_share(session: Session, token: str, now: datetime) -> CalendarShare:
    share = None
    if token.startswith(SHARE_TOKEN_PREFIX) and len(token) <= 100:
        share = session.scalar(
            select(CalendarShare).where(CalendarShare.token_hash == token_digest(token))
        )
    if share is None or not share.is_open(now):
        raise NotFoundError("This calendar link does not exist, has expired or was revoked.")
    return share


def shared_calendar(
    session: Session, share: CalendarShare, now: datetime, *, weeks: int = 6
) -> list[CalendarEntry]:
    """What a reviewer sees: the coming weeks (and the past one), nothing to change."""
    tz = org_timezone(session)
    return query_calendar(
        session, now - timedelta(days=7), now + timedelta(weeks=weeks), tz, CalendarFilters()
    )
