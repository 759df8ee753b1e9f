"""A notification for one person, and that person's choice of what also comes by e-mail."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.accounts.models import User
from planner.db import Base, enum_column, utcnow


class NotificationKind(enum.Enum):
    REVIEW_REQUESTED = "review_requested"
    INBOX_ASSIGNED = "inbox_assigned"
    MENTION = "mention"
    DELIVERY_FAILED = "delivery_failed"
    RESPONSE_DUE = "response_due"
    CHANNEL_RECONNECT = "channel_reconnect"


class EmailState(enum.Enum):
    """none (in the app only) → queued → sending → sent, or failed; claimed once by the sender."""

    NONE = "none"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        # The bell: a person's unread count and newest first.
        Index("ix_notifications_user_read", "user_id", "read_at"),
        Index("ix_notifications_email_state", "email_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(
        enum_column(NotificationKind, "notification_kind")
    )
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    #: where the work is (a path inside the application)
    link: Mapped[str | None] = mapped_column(String(500))
    #: one notification per person and key (a review of one fragment version, one breach)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    urgent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    email_state: Mapped[EmailState] = mapped_column(
        enum_column(EmailState, "notification_email_state"), default=EmailState.NONE
    )
    emailed_at: Mapped[datetime | None]
    email_error: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship()


class NotificationSettings(Base):
    """Which kinds a person also wants by e-mail (the bell always shows every kind)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    #: NotificationKind values
    email_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
