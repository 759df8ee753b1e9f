"""The bell on every page (a live count), the list of one's notifications, marking them read,
and one's own choice of what also comes by e-mail."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from planner.accounts.guards import contributor_required, current_actor
from planner.accounts.models import User
from planner.errors import ValidationError
from planner.live.views import COUNTS
from planner.notifications import services
from planner.notifications.forms import EmailChoiceForm, kind_labels
from planner.web import runtime
from planner.web.database import db_session
from planner.web.forms import ActionForm

bp = Blueprint("notifications", __name__)


def _now() -> datetime:
    now: datetime = runtime.now()
    return now


def _bell_count(session: Session, user: User) -> tuple[str, int]:
    return "notifications", services.unread_count(session, user.id)


def install_bell(app: Flask) -> None:
    COUNTS.contribute(app, _bell_count, order=0)

    @app.context_processor
    def _bell() -> dict[str, object]:
        if not current_user.is_authenticated:
            return {"bell_count": None}
        try:
            return {"bell_count": services.unread_count(db_session(), current_user.id)}
        except SQLAlchemyError:  # an error page after a failed transaction still renders
            return {"bell_count": None}


def _choice_form(session: Session, actor: User) -> EmailChoiceForm:
    form = EmailChoiceForm()
    form.kinds.choices = list(kind_labels().items())
    if request.method == "GET":
        form.kinds.data = services.email_kinds(session, actor)
    return form


@bp.get("/notifications")
@contributor_required
def index() -> str:
    session = db_session()
    actor = current_actor()
    return render_template(
        "notifications/index.html",
        items=services.list_notifications(session, actor),
        labels=kind_labels(),
        form=_choice_form(session, actor),
    )


@bp.post("/notifications/read")
@contributor_required
def mark_read() -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    raw = request.form.get("id", "")
    services.mark_read(db_session(), current_actor(), _now(), int(raw) if raw.isdigit() else None)
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("notifications.index"))


@bp.post("/notifications/email")
@contributor_required
def choose_email() -> Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    form = _choice_form(session, actor)
    if not form.validate_on_submit():
        abort(400)
    try:
        services.choose_email_kinds(session, actor, form.kinds.data or [])
    except ValidationError as exc:
        flash(_(exc.message), "error")
        return redirect(url_for("notifications.index"))
    flash(_("Your e-mail choices are saved."), "success")
    return redirect(url_for("notifications.index"))
