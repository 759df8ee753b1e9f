"""The scheduler: one APScheduler clock that wakes the services, and its heartbeat.

``init_app`` adds /healthz, which reports the database and the age of the last heartbeat."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from planner.jobs.views import bp

    app.register_blueprint(bp)
