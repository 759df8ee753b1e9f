"""The audit log page for admins."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from planner.audit.services import list_events
from planner.web.auth import admin_required, current_actor
from planner.web.database import db_session

bp = Blueprint("audit", __name__)

PER_PAGE = 50


@bp.get("/settings/audit")
@admin_required
def index() -> str:
    page = request.args.get("page", 1, type=int) or 1
    action = request.args.get("action", "").strip() or None
    events, total = list_events(
        db_session(), current_actor(), page=page, per_page=PER_PAGE, action=action
    )
    pages = max(1, -(-total // PER_PAGE))
    return render_template(
        "audit/index.html", events=events, page=page, pages=pages, total=total, action=action
    )
