"""The change log the live updates read, and who has which fragment open."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from planner.db import Base, utcnow


class ChangeEvent(Base):
    """One change others should see: a fragment scheduled or moved, an inbox or approval count,
    a notification. Its id is the SSE event id (``Last-Event-ID`` resumes after it)."""

    __tablename__ = "live_changes"
    __table_args__ = (Index("ix_live_changes_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "calendar", "fragment", "inbox", "approval", "notifications", "presence"
    topic: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None]
    #: only this person receives it (their bell); None: everyone signed in
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Presence(Base):
    """Someone has a fragment open (their stream says so every few seconds)."""

    __tablename__ = "live_presence"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    fragment_id: Mapped[int] = mapped_column(
        ForeignKey("fragments.id", ondelete="CASCADE"), primary_key=True
    )
    seen_at: Mapped[datetime]
