"""The scheduler's thin task: a heartbeat, then the one publishing service call."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Flask

from planner.db import write_session
from planner.jobs.services import record_heartbeat

log = logging.getLogger(__name__)


def tick(app: Flask, *, name: str, started_at: datetime | None) -> None:
    clock = app.extensions["planner.clock"]
    factory = app.extensions["planner.sessionmaker"]
    now = clock.now()
    # The heartbeat reads then writes: on SQLite take the write lock first (as the engine does),
    # or a publisher in another process committing in between makes it fail.
    with write_session(factory) as session:
        record_heartbeat(session, name, now, started_at or now)
    publish = app.extensions.get("planner.publish_due")
    if publish is not None:
        try:
            publish(app)
        except Exception:  # the clock must keep ticking; the error is logged for a person
            log.exception("publish_due failed")
