"""The scheduler's own bookkeeping: heartbeats that /healthz reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.jobs.models import SchedulerHeartbeat


def record_heartbeat(session: Session, name: str, now: datetime, started_at: datetime) -> None:
    beat = session.get(SchedulerHeartbeat, name)
    if beat is None:
        session.add(SchedulerHeartbeat(name=name, beat_at=now, started_at=started_at))
    else:
        beat.beat_at = now


def latest_heartbeat(session: Session) -> SchedulerHeartbeat | None:
    return session.scalar(
        select(SchedulerHeartbeat).order_by(SchedulerHeartbeat.beat_at.desc()).limit(1)
    )
