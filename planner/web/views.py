"""Pages that belong to no single feature: the front door, the dashboard, health, language."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text
from werkzeug.wrappers import Response

from planner.accounts.services import set_language
from planner.jobs.services import latest_heartbeat
from planner.web.auth import contributor_required, current_actor
from planner.web.database import commit, db_session
from planner.web.i18n import LANGUAGES

bp = Blueprint("web", __name__)


@bp.get("/")
def index() -> Response:
    if current_user.is_authenticated:
        return redirect(url_for("web.dashboard"))
    return redirect(url_for("accounts.sign_in"))


@bp.get("/dashboard")
@contributor_required
def dashboard() -> str:
    from planner.web.dashboard import dashboard_panels

    now = current_app.extensions["planner.clock"].now()
    panels = dashboard_panels(db_session(), current_actor(), now)
    return render_template("web/dashboard.html", panels=panels)


@bp.post("/language")
def choose_language() -> Response:
    language = request.form.get("language", "")
    if language in LANGUAGES:
        session["language"] = language
        if current_user.is_authenticated:
            set_language(db_session(), current_actor(), language)
            commit()
    target = request.form.get("next") or url_for("web.index")
    # Only ever redirect within this site.
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("web.index")
    return redirect(target)


@bp.get("/healthz")
def healthz() -> tuple[Any, int]:
    clock = current_app.extensions["planner.clock"]
    settings = current_app.extensions["planner.settings"]
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
