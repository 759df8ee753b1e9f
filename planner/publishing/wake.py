"""Waking the engine for the rapid-response lane: "Nu publiceren" goes out within seconds.

The web process that approved an urgent fragment is not the one that publishes. On PostgreSQL
the request sends ``NOTIFY planner_publish`` in its own transaction (the database delivers it on
commit) and the scheduler process, which LISTENs (planner.live.hub), runs the engine at once. On
SQLite the scheduler probes for due deliveries every half second (a read, no write lock), so the
delay is the poll, not the scheduler's interval.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

CHANNEL = "planner_publish"


def request_wake(session: Session) -> None:
    """Ask the publishing engine to look now (delivered when this transaction commits)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_notify(CHANNEL, "")))
