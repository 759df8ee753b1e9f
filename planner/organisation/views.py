"""Settings for admins: the organisation, with links to people and the audit log."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from planner.accounts.guards import admin_required, current_actor
from planner.errors import ValidationError
from planner.organisation.forms import OrganisationForm
from planner.organisation.services import get_organisation, read_audit_log, update_organisation
from planner.web.database import db_session

bp = Blueprint("organisation", __name__)

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings() -> str | Response:
    session = db_session()
    org = get_organisation(session)
    form = OrganisationForm(obj=org)
    if form.validate_on_submit():
        try:
            update_organisation(
                session,
                current_actor(),
                name=form.name.data or "",
                timezone=form.timezone.data or "",
                website=form.website.data,
                hashtag=form.hashtag.data,
                own_domains=form.own_domains.data,
                privacy_url=form.privacy_url.data,
            )
        except ValidationError as exc:
            getattr(form, exc.field or "name").errors.append(_(exc.message))
        else:
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("organisation.settings"))
    return render_template("organisation/settings.html", form=form)


AUDIT_PER_PAGE = 50


_DETAIL_LABELS = {
    "at": _l("at"),
    "previous": _l("previous"),
    "status": _l("status"),
    "reason": _l("reason"),
    "delivery": _l("delivery"),
    "version": _l("version"),
    "url": _l("address"),
}


def shown_details(details: dict[str, Any]) -> list[tuple[str, str]]:
    """An event's details for people: known keys named in their language, nothing as "None",
    and instants in the organisation's time and the reader's notation instead of ISO."""
    shown = []
    for key, value in details.items():
        label = str(_DETAIL_LABELS[key]) if key in _DETAIL_LABELS else key
        if value is None:
            text = "—"
        elif isinstance(value, str) and _ISO.match(value):
            try:
                text = format_datetime(datetime.fromisoformat(value), "short")
            except ValueError:
                text = value
        else:
            text = str(value)
        shown.append((label, text))
    return shown


def target_labels() -> dict[str, str]:
    """What an audit event is about, in the reader's language ("storie" is how older events
    named a story)."""
    story = _("Story")
    return {
        "story": story,
        "storie": story,
        "fragment": _("Fragment"),
        "delivery": _("Delivery"),
        "channel": _("Channel"),
        "user": _("Person"),
        "organisation": _("Organisation"),
        "intake_link": _("Intake link"),
        "theme": _("Theme"),
        "campaign": _("Campaign"),
        "photo": _("Photo"),
    }


@bp.get("/settings/audit")
@admin_required
def audit() -> str:
    page = request.args.get("page", 1, type=int) or 1
    action = request.args.get("action", "").strip() or None
    events, total, names = read_audit_log(
        db_session(), current_actor(), page=page, per_page=AUDIT_PER_PAGE, action=action
    )
    pages = max(1, -(-total // AUDIT_PER_PAGE))
    return render_template(
        "organisation/audit.html",
        events=events,
        names=names,
        page=page,
        pages=pages,
        total=total,
        action=action,
        target_labels=target_labels(),
        shown=shown_details,
    )
