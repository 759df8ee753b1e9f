"""The organisation's own channels: an account on a platform, described by a catalogue kind.

The catalogue (planner.channels.catalogue) holds what a platform allows; a Channel row holds what
this organisation does there: its name, account, calendar colour, timezone and planned cadence.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from planner.db import Base, utcnow


class Channel(Base):
    __tablename__ = "channels"
    __table_args__ = (
        CheckConstraint("cadence_per_week >= 0", name="cadence_not_negative"),
        CheckConstraint("length(colour) = 7", name="colour_hex"),
        CheckConstraint("approval_steps BETWEEN 0 AND 2", name="approval_steps_range"),
        CheckConstraint("min_gap_minutes >= 0", name="min_gap_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: a key of planner.channels.catalogue (mastodon, bluesky, blog, ...)
    kind_key: Mapped[str] = mapped_column(String(32))
    #: "#RRGGBB", used as a background for white calendar text
    colour: Mapped[str] = mapped_column(String(7), default="#4A5560")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    cadence_per_week: Mapped[float] = mapped_column(default=0.0)
    #: the account name as the platform shows it, e.g. "@zuiderhaven@social.example"
    handle: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    #: 0: no approval needed; 1: one editor other than the author; 2: two such editors in turn
    approval_steps: Mapped[int] = mapped_column(default=1)
    #: two fragments on this channel closer than this are flagged as a conflict
    min_gap_minutes: Mapped[int] = mapped_column(default=120)
    #: how fragments reach the platform: "manual" (posted by hand), "blog", "webhook", "mastodon",
    #: "wordpress" or "newsletter" (see planner.publishing)
    publisher_kind: Mapped[str] = mapped_column(String(32), default="manual")
    #: non-secret publisher settings (URLs, account ids); secrets never live here
    publisher_settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: the publisher's credentials, Fernet-encrypted (planner.publishing.secrets); never shown back
    publisher_secret: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
