"""Posting slots: the wall-clock times per channel that "next free slot" fills."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from planner.accounts.guards import current_actor, editor_required
from planner.channels import services as channel_services
from planner.errors import (
    PlannerError,
)
from planner.scheduling import posting_slots
from planner.scheduling.forms import (
    SlotForm,
    weekday_labels,
)
from planner.scheduling.views import bp
from planner.web.database import db_session
from planner.web.forms import ActionForm


@bp.route("/calendar/slots", methods=["GET", "POST"])
@editor_required
def slots() -> str | Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    form = SlotForm()
    form.channel.choices = [
        (c.id, c.name) for c in channel_services.list_channels(session, actor, active_only=True)
    ]
    form.weekday.choices = [(k, str(v)) for k, v in weekday_labels()]
    status = 200
    if form.validate_on_submit() and form.time.data is not None:
        try:
            posting_slots.add_slot(
                session, actor, form.channel.data, int(form.weekday.data), form.time.data
            )
        except PlannerError as exc:
            form.form_errors.append(_(exc.message))
            status = 409
        else:
            flash(_("The slot has been added."), "success")
            return redirect(url_for("scheduling.slots"))
    elif request.method == "POST":
        status = 422
    page = render_template(
        "scheduling/slots.html",
        form=form,
        slots=posting_slots.list_slots(session, actor),
        action_form=ActionForm(),
        weekday_names=dict(weekday_labels()),
    )
    return page, status


@bp.post("/calendar/slots/<int:slot_id>/delete")
@editor_required
def delete_slot(slot_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    posting_slots.delete_slot(db_session(), current_actor(), slot_id)
    flash(_("The slot has been removed."), "success")
    return redirect(url_for("scheduling.slots"))
