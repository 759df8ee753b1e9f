"""Publishing use cases at the application's edge: the scheduler's one call, ``publish_due``.

The engine (planner.publishing.engine) does the work; this module reads the app's settings, clock,
session factory and publisher registry, all picked by create_app, so the scheduler job stays thin.
After a run it asks the clock to wake up at the next due time when that comes before the next
interval tick, so a post due at 14:00:01 does not wait for a tick at 14:00:05.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta
from typing import Any

from flask import Flask

from planner.publishing.engine import EngineConfig, PublishReport
from planner.publishing.engine import publish_due as run_engine

log = logging.getLogger(__name__)

WAKE_JOB_ID = "publish-wake"


def engine_config(app: Flask) -> EngineConfig:
    settings = app.extensions["planner.settings"]
    return EngineConfig(
        lease=timedelta(seconds=settings.publish_lease_seconds),
        grace=timedelta(minutes=settings.publish_grace_minutes),
        max_attempts=settings.publish_max_attempts,
        concurrency=settings.publish_concurrency,
        base_url=settings.base_url,
    )


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def publish_due(app: Flask, *, config: EngineConfig | None = None) -> PublishReport:
    """Send everything that is due now; the scheduler calls this on every tick."""
    report = run_engine(
        app.extensions["planner.sessionmaker"],
        app.extensions["planner.clock"],
        app.extensions["planner.publishers"].build,
        worker=worker_name(),
        config=config or engine_config(app),
        storage=app.extensions.get("planner.storage"),
        notify=app.extensions.get("planner.notify_attention"),
    )
    if report.claimed or report.missed or report.reclaimed or report.needs_check:
        log.info(
            "publish_due: %d claimed, %d sent, %d retrying, %d failed, %d needs check, "
            "%d missed, %d cancelled, %d reclaimed, %d fenced out",
            report.claimed,
            report.sent,
            report.retrying,
            report.failed,
            report.needs_check,
            report.missed,
            report.cancelled,
            report.reclaimed,
            report.fenced_out,
        )
    _wake_at(app, report.next_due_at)
    return report


def _wake_at(app: Flask, when: datetime | None) -> None:
    """A one-off clock job at the next due time, when that is sooner than the next tick."""
    scheduler: Any = app.extensions.get("planner.scheduler")
    if scheduler is None or when is None or not getattr(scheduler, "running", False):
        return
    settings = app.extensions["planner.settings"]
    now = app.extensions["planner.clock"].now()
    if when - now >= timedelta(seconds=settings.scheduler_interval_seconds):
        return
    scheduler.add_job(
        publish_due,
        "date",
        run_date=max(when, now),
        args=[app],
        id=WAKE_JOB_ID,
        replace_existing=True,
        misfire_grace_time=None,
        coalesce=True,
    )
