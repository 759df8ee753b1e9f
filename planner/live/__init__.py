"""Live updates for the team: ``GET /events`` (Server-Sent Events) fed from a change log.

Features record what others should see (``services.record_change``) in the same transaction as
the change; each web process has one listener (``hub``) that wakes its open streams: on PostgreSQL
through LISTEN/NOTIFY, on SQLite by a short poll of the log. No other server is needed, and it
works across several gunicorn workers and scheduler processes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from planner.live.views import bp

    app.register_blueprint(bp)
