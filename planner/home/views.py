"""The front door (sign in, or the dashboard) and the dashboard itself."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from planner.accounts.guards import contributor_required, current_actor
from planner.home.dashboard import dashboard_panels
from planner.web import runtime
from planner.web.database import db_session

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> Response:
    if current_user.is_authenticated:
        return redirect(url_for("home.dashboard"))
    return redirect(url_for("accounts.sign_in"))


@bp.get("/dashboard")
@contributor_required
def dashboard() -> str:
    panels = dashboard_panels(db_session(), current_actor(), runtime.now())
    return render_template("home/dashboard.html", panels=panels)
