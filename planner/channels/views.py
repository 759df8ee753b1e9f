"""The channels page: the organisation's accounts, and a form to add one."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import Field

from planner.channels import services
from planner.channels.catalogue import find_kind
from planner.channels.forms import ChannelForm
from planner.errors import ValidationError
from planner.web.auth import current_actor, editor_required
from planner.web.database import commit, db_session

bp = Blueprint("channels", __name__)


def _attach_error(form: ChannelForm, exc: ValidationError) -> None:
    field = getattr(form, exc.field or "", None)
    if isinstance(field, Field):
        field.errors = [*field.errors, _(exc.message)]
    else:
        form.form_errors.append(_(exc.message))


@bp.route("/channels", methods=["GET", "POST"])
@editor_required
def index() -> str | Response:
    session = db_session()
    actor = current_actor()
    form = ChannelForm()
    if form.validate_on_submit():
        try:
            services.create_channel(
                session,
                actor,
                name=form.name.data or "",
                kind_key=form.kind_key.data or "",
                colour=(form.colour.data or "").strip(),
                timezone=(form.timezone.data or "").strip(),
                cadence_per_week=float(form.cadence_per_week.data or 0),
                handle=form.handle.data,
            )
        except ValidationError as exc:
            _attach_error(form, exc)
        else:
            commit()
            flash(_("The channel has been added."), "success")
            return redirect(url_for("channels.index"))
    channels = services.list_channels(session, actor)
    return render_template("channels/index.html", form=form, channels=channels, find_kind=find_kind)
