"""What the calendar stores beyond fragments: posting slots, feed tokens, reviewer links, effort.

Slots are wall-clock promises per channel (expanded by planner.scheduling.slots); feeds and share
links are secret URLs for people and programs without a session, so only a hash of each token is
kept and every link can be revoked; effort estimates are the organisation's capacity settings.
"""

from __future__ import annotations

import enum
from datetime import datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.accounts.models import User
from planner.channels.models import Channel
from planner.db import Base, enum_column, utcnow


class PostingSlot(Base):
    """Every ``weekday`` (0 = Monday) at ``local_time`` in the channel's timezone."""

    __tablename__ = "posting_slots"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        UniqueConstraint("channel_id", "weekday", "local_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int]
    local_time: Mapped[time] = mapped_column(Time())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    channel: Mapped[Channel] = relationship()


class FeedScope(enum.Enum):
    ORGANISATION = "organisation"
    CHANNEL = "channel"
    PERSON = "person"


class CalendarFeed(Base):
    """An iCalendar subscription URL; only the SHA-256 of its token is stored."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        Index("ix_calendar_feeds_token_hash", "token_hash", unique=True),
        CheckConstraint(
            "(scope <> 'channel' OR channel_id IS NOT NULL)"
            " AND (scope <> 'person' OR person_id IS NOT NULL)",
            name="scope_target",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[FeedScope] = mapped_column(enum_column(FeedScope, "feed_scope"))
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64))
    #: the first characters, so people can tell their feeds apart
    prefix: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    channel: Mapped[Channel | None] = relationship()
    person: Mapped[User | None] = relationship(foreign_keys=[person_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class CalendarShare(Base):
    """A read-only calendar link for a reviewer without an account; expires and can be revoked."""

    __tablename__ = "calendar_shares"
    __table_args__ = (Index("ix_calendar_shares_token_hash", "token_hash", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    created_by: Mapped[User | None] = relationship()

    def is_open(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class EffortEstimate(Base):
    """Minutes one fragment of a kind takes to make; kinds without a row use the defaults."""

    __tablename__ = "effort_estimates"
    __table_args__ = (
        CheckConstraint("minutes >= 0", name="minutes_not_negative"),
        CheckConstraint("kind IN ('post', 'thread', 'article', 'video_brief')", name="kind_known"),
    )

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    minutes: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
