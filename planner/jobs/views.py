"""GET /healthz: is the database reachable, and is the scheduler's clock ticking?

Load balancers and monitoring ask this without signing in; it reveals no data, only ages.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from sqlalchemy import text

from planner.jobs.services import latest_heartbeat
from planner.web import runtime
from planner.web.database import db_session

bp = Blueprint("jobs", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Any, int]:
    clock = runtime.clock()
    settings = runtime.settings()
    body: dict[str, Any] = {"status": "ok"}
    status = 200
    try:
        db_session().execute(text("SELECT 1"))
        body["database"] = "ok"
    except Exception as exc:  # health must answer whatever the failure is
        body["database"] = f"unreachable: {type(exc).__name__}"
        body["status"] = "degraded"
        status = 503
    else:
        beat = latest_heartbeat(db_session())
        if beat is None:
            body["scheduler"] = {"last_heartbeat": None, "status": "never seen"}
        else:
            age = (clock.now() - beat.beat_at).total_seconds()
            fresh = age <= max(60.0, settings.scheduler_interval_seconds * 6)
            body["scheduler"] = {
                "last_heartbeat": beat.beat_at.isoformat(),
                "age_seconds": round(age, 1),
                "process": beat.name,
                "status": "ok" if fresh else "stale",
            }
    return jsonify(body), status
