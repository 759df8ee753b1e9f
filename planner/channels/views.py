"""The channels pages: the organisation's accounts, a form to add one, and one to change one."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from planner.accounts.guards import current_actor, editor_required
from planner.channels import services
from planner.channels.catalogue import find_kind
from planner.channels.forms import ChannelEditForm, ChannelForm, contrast_with_white
from planner.errors import ValidationError
from planner.web.database import db_session
from planner.web.forms import attach_error

bp = Blueprint("channels", __name__)


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
            attach_error(form, exc)
        else:
            flash(_("The channel has been added."), "success")
            return redirect(url_for("channels.index"))
    channels = services.list_channels(session, actor)
    return render_template("channels/index.html", form=form, channels=channels, find_kind=find_kind)


@bp.route("/channels/<int:channel_id>/edit", methods=["GET", "POST"])
@editor_required
def edit(channel_id: int) -> str | Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    channel = services.get_channel(session, actor, channel_id)
    form = ChannelEditForm(obj=channel)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_channel(
                session,
                actor,
                channel,
                name=form.name.data or "",
                kind_key=channel.kind_key,
                colour=(form.colour.data or "").strip(),
                timezone=(form.timezone.data or "").strip(),
                cadence_per_week=float(form.cadence_per_week.data or 0),
                handle=form.handle.data,
                is_active=bool(form.is_active.data),
            )
        except ValidationError as exc:
            attach_error(form, exc)
            status = 422
        else:
            flash(_("The channel has been saved."), "success")
            return redirect(url_for("channels.index"))
    elif form.is_submitted():
        status = 422
    colour = (form.colour.data or "").strip()
    try:
        contrast = contrast_with_white(colour) if len(colour) == 7 and colour[0] == "#" else None
    except ValueError:
        contrast = None
    page = render_template(
        "channels/edit.html",
        form=form,
        channel=channel,
        kind=find_kind(channel.kind_key),
        contrast=contrast,
    )
    return page, status
