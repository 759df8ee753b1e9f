"""Privacy requests (admins): export everything about one person, or erase it."""

from __future__ import annotations

import json

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from planner.accounts.guards import (
    admin_required,
    current_actor,
)
from planner.errors import ValidationError
from planner.stories import privacy as privacy_services
from planner.stories.forms import (
    PrivacyForm,
)
from planner.stories.views import attach_story_error, bp
from planner.web import runtime
from planner.web.database import db_session


@bp.route("/stories/privacy", methods=["GET", "POST"])
@admin_required
def privacy() -> str | Response:
    form = PrivacyForm()
    if form.validate_on_submit():
        session = db_session()
        email = form.email.data or ""
        try:
            if request.form.get("action") == "erase":
                anonymised, deleted = privacy_services.erase_contributor(
                    session, current_actor(), email, runtime.storage()
                )
                flash(
                    _(
                        "Done: %(anonymised)d stories anonymised, %(deleted)d deleted.",
                        anonymised=anonymised,
                        deleted=deleted,
                    ),
                    "success",
                )
                return redirect(url_for("stories.privacy"))
            data = privacy_services.export_contributor_data(
                session, current_actor(), email, runtime.now()
            )
        except ValidationError as exc:
            attach_story_error(form, exc)
        else:
            return Response(
                json.dumps(data, ensure_ascii=False, indent=2),
                mimetype="application/json",
                headers={"Content-Disposition": 'attachment; filename="contributor-data.json"'},
            )
    return render_template("stories/privacy.html", form=form)
