"""Scheduler heartbeats, so /healthz can tell whether the clock is ticking."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from planner.db import Base


class SchedulerHeartbeat(Base):
    __tablename__ = "scheduler_heartbeats"

    #: host:pid of the scheduler process
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    beat_at: Mapped[datetime]
    started_at: Mapped[datetime]
