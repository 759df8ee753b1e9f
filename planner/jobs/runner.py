"""The one APScheduler instance: a clock that wakes the scheduler's tasks, nothing more.

APScheduler keeps no work of ours (the database is the queue, see docs/publishing.md), so losing
this process loses nothing; a second one is harmless because deliveries are claimed atomically.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from planner.jobs import tasks
from planner.web import runtime

log = logging.getLogger(__name__)
_embedded_lock = threading.Lock()


def _build(scheduler: BaseScheduler, app: Flask) -> BaseScheduler:
    settings = runtime.settings(app)
    name = f"{socket.gethostname()}:{os.getpid()}"
    started_at: datetime = runtime.clock(app).now()

    def tick() -> None:
        tasks.tick(app, name=name, started_at=started_at)

    scheduler.add_job(
        tick,
        "interval",
        seconds=settings.scheduler_interval_seconds,
        id="tick",
        max_instances=1,
        coalesce=True,
        # A late tick is still useful: the service decides what is due, not APScheduler.
        misfire_grace_time=None,
        next_run_time=started_at,
    )
    tasks.install_scheduler(app, scheduler)
    tasks.start_waker(app, scheduler)
    return scheduler


def run_blocking(app: Flask) -> None:
    """`planner scheduler`: run the clock in the foreground until interrupted."""
    scheduler = _build(BlockingScheduler(timezone="UTC"), app)
    log.info("scheduler started")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("scheduler stopped")


def should_start_embedded() -> bool:
    """Under Werkzeug's reloader only the child serving requests may run the clock."""
    reloader_parent = os.environ.get("PLANNER_USE_RELOADER") == "1" and (
        os.environ.get("WERKZEUG_RUN_MAIN") != "true"
    )
    return not reloader_parent


def start_embedded(app: Flask) -> BaseScheduler | None:
    with _embedded_lock:
        if tasks.scheduler_of(app) is not None or not should_start_embedded():
            return None
        scheduler = _build(BackgroundScheduler(timezone="UTC", daemon=True), app)
        scheduler.start()
        return scheduler


def run_once(app: Flask) -> None:
    """One tick without a clock, for tests and `planner scheduler --once`."""
    tasks.tick(app, name=f"{socket.gethostname()}:{os.getpid()}", started_at=None)
