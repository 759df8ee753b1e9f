"""One installation serves one organisation; its settings live in a single row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from planner.db import Base, utcnow


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    default_language: Mapped[str] = mapped_column(String(8), default="nl")
    #: the organisation's own web domain, used to recognise own links for UTM checks
    website: Mapped[str | None] = mapped_column(String(200))
    hashtag: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
