"""The inbox's records: where messages come from, conversations with residents, their messages,
internal notes, saved replies, story tips from feeds, and the webcare settings.

Every message carries its source's own id (status id, Message-ID, webhook-id) under a unique
constraint per source, so a message arrives once whatever restarts, pages or second scheduler
processes do. A conversation's state changes are fenced by its version column.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.accounts.models import User
from planner.channels.models import Channel
from planner.db import Base, enum_column, utcnow
from planner.stories.models import Theme


class SourceKind(enum.Enum):
    """Where residents reach the organisation: its own accounts, addresses, forms and feeds."""

    MASTODON = "mastodon"
    MAILBOX = "mailbox"
    WEBHOOK = "webhook"
    FEED = "feed"


class ConversationState(enum.Enum):
    """new → assigned → answered → closed; or no_action ("geen actie") when nothing is owed."""

    NEW = "new"
    ASSIGNED = "assigned"
    ANSWERED = "answered"
    CLOSED = "closed"
    NO_ACTION = "no_action"


#: states in which the organisation still owes an answer (the clock runs)
OPEN_STATES = (ConversationState.NEW, ConversationState.ASSIGNED)
#: states that end a conversation; a new message from the author starts a new one
ENDED_STATES = (ConversationState.CLOSED, ConversationState.NO_ACTION)


class Direction(enum.Enum):
    INBOUND = "in"
    OUTBOUND = "out"


class InboxSource(Base):
    """One way in: a listening Mastodon channel, a mailbox, a webhook sender or a feed."""

    __tablename__ = "inbox_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SourceKind] = mapped_column(enum_column(SourceKind, "inbox_source_kind"))
    name: Mapped[str] = mapped_column(String(100))
    #: the URL part of /hooks/inbound/<slug> for webhook sources; unique for every source
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    #: the Mastodon channel that listens (its credentials are the channel's)
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), unique=True
    )
    #: non-secret settings: IMAP/SMTP hosts and the address for a mailbox, the URL of a feed
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: the mailbox password or the webhook secret, encrypted (planner.publishing.secrets)
    secret: Mapped[str | None] = mapped_column(Text)
    #: where the last poll stopped: since_id, IMAP UIDVALIDITY/UID, feed ETag/Last-Modified
    cursor: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: a Mastodon channel listens unless this is switched off
    is_active: Mapped[bool] = mapped_column(default=True)
    poll_interval_seconds: Mapped[int] = mapped_column(default=60)
    next_poll_at: Mapped[datetime | None]
    last_polled_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    channel: Mapped[Channel | None] = relationship()


class Conversation(Base):
    """Messages of one author through one source, until the conversation is closed."""

    __tablename__ = "inbox_conversations"
    __table_args__ = (
        # The inbox list: open items by the time their clock started, filtered by state.
        Index("ix_inbox_conversations_state_last", "state", "last_message_at"),
        # The unfiltered first page: newest conversations first.
        Index("ix_inbox_conversations_last", "last_message_at", "id"),
        Index("ix_inbox_conversations_source_author", "source_id", "author_key"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("inbox_sources.id", ondelete="CASCADE"))
    #: what threads messages: the lower-cased handle or e-mail address (a hash once anonymised)
    author_key: Mapped[str] = mapped_column(String(320))
    author_name: Mapped[str | None] = mapped_column(String(200))
    #: "@user@server" on Mastodon
    author_handle: Mapped[str | None] = mapped_column(String(320), index=True)
    author_email: Mapped[str | None] = mapped_column(String(320), index=True)
    subject: Mapped[str | None] = mapped_column(String(300))
    state: Mapped[ConversationState] = mapped_column(
        enum_column(ConversationState, "inbox_conversation_state"), default=ConversationState.NEW
    )
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("themes.id", ondelete="SET NULL"), index=True
    )
    #: Mastodon visibility of the last message (a direct message is answered directly)
    visibility: Mapped[str | None] = mapped_column(String(16))
    #: when the organisation started to owe an answer (the first unanswered message)
    waiting_since: Mapped[datetime | None]
    first_message_at: Mapped[datetime]
    last_message_at: Mapped[datetime]
    #: the first answer, for the response-time report
    first_response_at: Mapped[datetime | None]
    #: response time of the first answer in office seconds (kept so reports need no recount)
    first_response_office_seconds: Mapped[int | None]
    closed_at: Mapped[datetime | None]
    #: when the team was warned that the target is about to pass (once per wait)
    at_risk_warned_at: Mapped[datetime | None]
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("stories.id", ondelete="SET NULL"), index=True
    )
    fragment_id: Mapped[int | None] = mapped_column(
        ForeignKey("fragments.id", ondelete="SET NULL"), index=True
    )
    #: the author agreed that their words may be quoted in a story
    quote_consent_at: Mapped[datetime | None]
    anonymised_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    source: Mapped[InboxSource] = relationship()
    assignee: Mapped[User | None] = relationship()
    theme: Mapped[Theme | None] = relationship()
    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation",
        order_by="Message.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    notes: Mapped[list[Note]] = relationship(
        order_by="Note.id", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}


class Message(Base):
    """One message in a conversation: a resident's (inbound) or our answer (outbound)."""

    __tablename__ = "inbox_messages"
    __table_args__ = (
        # A message arrives once: the source's own id, per source.
        UniqueConstraint("source_id", "remote_key", name="uq_inbox_messages_source_remote_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("inbox_conversations.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int] = mapped_column(ForeignKey("inbox_sources.id", ondelete="CASCADE"))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, "inbox_direction"))
    #: status id, Message-ID, webhook-id; outbound: "reply:<delivery key>"
    remote_key: Mapped[str] = mapped_column(String(400))
    #: the id to answer to: the status id on Mastodon, the Message-ID of a mail
    remote_id: Mapped[str | None] = mapped_column(String(400))
    #: Message-IDs this mail referred to (References), for threading our answer
    references: Mapped[list[str]] = mapped_column(JSON, default=list)
    remote_url: Mapped[str | None] = mapped_column(String(2000))
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str | None] = mapped_column(String(16))
    #: [{"key": storage key, "name": ..., "mime": ..., "size": ...}]
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    received_at: Mapped[datetime]
    #: outbound: who answered, the delivery that sends it, and how long composing took
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliveries.id", ondelete="SET NULL"), index=True
    )
    handling_seconds: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()


class Note(Base):
    """An internal note on a conversation: never sent, only for the team."""

    __tablename__ = "inbox_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("inbox_conversations.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


class SavedReply(Base):
    """A reply the team reuses (opening hours, where to report a broken street light)."""

    __tablename__ = "inbox_saved_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120), unique=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoryTip(Base):
    """A new item in a feed the organisation follows: an idea for a story, never a post."""

    __tablename__ = "inbox_story_tips"
    __table_args__ = (
        UniqueConstraint("source_id", "remote_key", name="uq_inbox_story_tips_source_remote_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("inbox_sources.id", ondelete="CASCADE"))
    #: the feed's guid, or a hash of the link when it has none
    remote_key: Mapped[str] = mapped_column(String(400))
    title: Mapped[str] = mapped_column(String(300))
    link: Mapped[str | None] = mapped_column(String(2000))
    summary: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None]
    received_at: Mapped[datetime] = mapped_column(index=True)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"))
    dismissed_at: Mapped[datetime | None]

    source: Mapped[InboxSource] = relationship()


class InboxSettings(Base):
    """The organisation's webcare settings: office hours, targets, retention, effort (one row)."""

    __tablename__ = "inbox_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: {"0": ["09:00", "17:00"], ...} by ISO weekday - 1 (Monday is "0"); missing days are closed
    office_hours: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    #: public holidays of this country close the office (the holidays package)
    holiday_country: Mapped[str] = mapped_column(String(8), default="NL")
    #: first-response target in office minutes, per source kind
    targets: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    #: closed conversations older than this are anonymised
    retention_days: Mapped[int] = mapped_column(default=365)
    #: minutes one message takes when too few answers were measured
    handling_minutes: Mapped[int] = mapped_column(default=6)
    #: hours in a full-time week, and the share of them a person can spend on webcare
    fte_hours: Mapped[float] = mapped_column(default=36.0)
    productive_share: Mapped[float] = mapped_column(default=0.8)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
