"""Approvals and deliveries: the records that make publishing trustworthy.

An approval says who agreed to which version of a fragment. A delivery is one planned publication
of one fragment on its channel: it is written in the same transaction as the schedule, and the
publishing engine claims, sends and settles it (publishing.md). The database, not APScheduler,
is the queue, so a delivery row outlives any crash of the process that was sending it.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.accounts.models import User
from planner.channels.models import Channel
from planner.db import Base, enum_column, utcnow
from planner.fragments.models import Fragment


class DeliveryState(enum.Enum):
    """pending → sending → sent; or retrying, failed, needs_check, missed, cancelled.

    Only pending and retrying rows are claimable; sending is committed before the external call.
    """

    PENDING = "pending"
    SENDING = "sending"
    RETRYING = "retrying"
    SENT = "sent"
    FAILED = "failed"
    NEEDS_CHECK = "needs_check"
    MISSED = "missed"
    CANCELLED = "cancelled"


#: states in which a delivery still counts as the fragment's one planned publication
ACTIVE_DELIVERY_STATES = (DeliveryState.PENDING, DeliveryState.SENDING, DeliveryState.RETRYING)
_ACTIVE_SQL = "state IN ('pending', 'sending', 'retrying')"


#: the delivery kind of a scheduled fragment; every other kind is an engine extension
FRAGMENT_DELIVERY = "fragment"


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        # The claim query: the next claimable rows by time.
        Index("ix_deliveries_state_not_before", "state", "not_before"),
        # At most one live delivery per fragment, whatever races the web and the engine run.
        Index(
            "uq_deliveries_one_active_per_fragment",
            "fragment_id",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
        CheckConstraint("attempt >= 0", name="attempt_not_negative"),
        # A fragment's delivery names its fragment and channel; other kinds (an inbox reply,
        # prepared by the feature that registered the kind) may go without.
        CheckConstraint(
            "kind <> 'fragment' OR (fragment_id IS NOT NULL AND channel_id IS NOT NULL)",
            name="fragment_kind_complete",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "fragment", or a kind a feature registered with the engine (planner.publishing.engine.kinds)
    kind: Mapped[str] = mapped_column(
        String(16), default=FRAGMENT_DELIVERY, server_default="fragment"
    )
    fragment_id: Mapped[int] = mapped_column(
        ForeignKey("fragments.id", ondelete="CASCADE"), index=True, nullable=True
    )
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="RESTRICT"), nullable=True
    )
    #: when it should go out (UTC)
    due_at: Mapped[datetime]
    #: the earliest moment it may be claimed: due_at, or later after a backoff
    not_before: Mapped[datetime]
    state: Mapped[DeliveryState] = mapped_column(
        enum_column(DeliveryState, "delivery_state"), default=DeliveryState.PENDING
    )
    #: raised by every claim; the final state change must name the attempt it belongs to (fencing)
    attempt: Mapped[int] = mapped_column(default=0)
    lease_expires_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    #: sent to channels that take one (Mastodon Idempotency-Key, webhook-id)
    idempotency_key: Mapped[str] = mapped_column(
        String(64), unique=True, default=new_idempotency_key
    )
    #: the fragment version that was scheduled; an edit after that is decided by fencing
    fragment_version: Mapped[int]
    last_error: Mapped[str | None] = mapped_column(Text)
    remote_id: Mapped[str | None] = mapped_column(String(300))
    remote_url: Mapped[str | None] = mapped_column(String(2000))
    sent_at: Mapped[datetime | None]
    #: set when it fell due while publishing was paused (planner.publishing.pause): the engine
    #: leaves it alone until a person releases or cancels it
    held_at: Mapped[datetime | None]
    #: a person released it: it goes out even while its channel is still paused
    released_at: Mapped[datetime | None]
    scheduled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    fragment: Mapped[Fragment] = relationship()
    channel: Mapped[Channel] = relationship()
    scheduled_by: Mapped[User | None] = relationship()

    # Fencing for the ORM too: every UPDATE of a delivery through a session also says
    # "WHERE attempt = <the attempt I read>", and the engine raises `attempt` with each claim, so an
    # edit or cancellation that read the row before a claim fails (StaleDataError) instead of
    # overwriting ``sending``. The engine's own writes are Core UPDATEs with the same condition.
    __mapper_args__ = {"version_id_col": attempt, "version_id_generator": False}


class Publication(Base):
    """The archive: what went out, exactly, where and when. Written once and never changed.

    Everything is copied rather than referenced (text, media hashes, alt texts, channel name,
    approvers), so the record still says what was published after the fragment, the channel or
    the people change or are erased; Dutch public bodies must be able to export it per period.
    """

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliveries.id", ondelete="SET NULL"), unique=True
    )
    fragment_id: Mapped[int | None] = mapped_column(
        ForeignKey("fragments.id", ondelete="SET NULL"), index=True
    )
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channels.id", ondelete="SET NULL"), index=True
    )
    channel_name: Mapped[str] = mapped_column(String(100))
    channel_kind: Mapped[str] = mapped_column(String(32))
    fragment_kind: Mapped[str] = mapped_column(String(16))
    fragment_version: Mapped[int]
    title: Mapped[str | None] = mapped_column(String(300))
    #: the exact text as sent, one entry per post of a thread
    parts: Mapped[list[str]] = mapped_column(JSON, default=list)
    body: Mapped[str | None] = mapped_column(Text)
    #: [{"sha256": ..., "alt": ..., "mime": ...}, ...]
    media: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: names of the people who approved the published version, in order
    approvers: Mapped[list[str]] = mapped_column(JSON, default=list)
    published_at: Mapped[datetime] = mapped_column(index=True)
    remote_id: Mapped[str | None] = mapped_column(String(300))
    remote_url: Mapped[str | None] = mapped_column(String(2000))
    #: "engine" when the scheduler sent it, "by_hand" when a person posted it and said so
    method: Mapped[str] = mapped_column(String(16), default="engine")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PublisherHeartbeat(Base):
    """A publisher process saying "still working on my claims" (engine/heartbeat.py).

    A process beats while a run holds claims; a claimer whose beat has gone quiet for a few
    heartbeat intervals is dead, and its ``sending`` rows are reclaimed with the same idempotency
    key instead of waiting for their lease (docs/publishing.md).
    """

    __tablename__ = "publisher_heartbeats"

    #: the claimer's name, as written to ``Delivery.claimed_by`` (host:pid:incarnation)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(index=True)


#: a pause's scope: everything, or one channel
PAUSE_ALL = "all"


def pause_scope(channel_id: int | None) -> str:
    return PAUSE_ALL if channel_id is None else f"channel:{channel_id}"


class PublishingPause(Base):
    """A crisis pause: while one is open (``ended_at`` empty) for everything or for a channel,
    the engine claims nothing there and holds what falls due (planner.publishing.pause)."""

    __tablename__ = "publishing_pauses"
    __table_args__ = (
        # One open pause per scope, however two people press the button at once.
        Index(
            "uq_publishing_pauses_one_open_per_scope",
            "scope",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index("ix_publishing_pauses_ended_at", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "all", or "channel:<id>"
    scope: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime]
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    channel: Mapped[Channel | None] = relationship()
    started_by: Mapped[User | None] = relationship(foreign_keys=[started_by_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])


class Takedown(Base):
    """A person confirmed that a publication of a story whose consent was withdrawn is gone.

    The archive record itself never changes (it says what went out); this row only takes the
    publication off the attention page's "take this down" list, saying who did it and when.
    """

    __tablename__ = "publication_takedowns"

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE"), unique=True
    )
    taken_down_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    taken_down_at: Mapped[datetime] = mapped_column(default=utcnow)

    publication: Mapped[Publication] = relationship()


class ConnectionState(enum.Enum):
    """connected → reconnect (a refresh was refused) → connected again by an admin."""

    CONNECTED = "connected"
    RECONNECT = "reconnect"


class ChannelConnection(Base):
    """A channel connected with OAuth 2 (planner.publishing.connections): its state, when its
    token runs out, and the short claim that lets one process at a time renew it.

    The token itself stays encrypted in the channel's ``publisher_secret``. While the state is
    ``reconnect`` the engine claims nothing on the channel: its due posts wait, they are not
    failed, and go out once an admin has connected the channel again.
    """

    __tablename__ = "channel_connections"

    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    platform: Mapped[str] = mapped_column(String(32))
    state: Mapped[ConnectionState] = mapped_column(
        enum_column(ConnectionState, "connection_state"), default=ConnectionState.CONNECTED
    )
    connected_at: Mapped[datetime]
    connected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: when the stored access token runs out (None: the platform gave no end)
    expires_at: Mapped[datetime | None]
    refreshed_at: Mapped[datetime | None]
    #: why the channel must be connected again, in the platform's words
    problem: Mapped[str | None] = mapped_column(Text)
    reconnect_since: Mapped[datetime | None]
    #: one renewal at a time (refresh tokens are often single-use): who holds it, until when
    refresh_claimed_by: Mapped[str | None] = mapped_column(String(100))
    refresh_claimed_until: Mapped[datetime | None]

    channel: Mapped[Channel] = relationship()
    connected_by: Mapped[User | None] = relationship()
