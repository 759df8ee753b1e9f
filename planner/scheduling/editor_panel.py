"""The schedule panel of the fragment editor: when it goes out, and the form to plan it.

It is the calendar's keyboard form in another place: the same ScheduleForm, the same wall-clock
rule (planner.scheduling.planning), the same refusals; only the way back differs (to the editor).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.wrappers import Response

from planner.accounts.guards import current_actor, editor_required
from planner.approval.views import decision_page
from planner.errors import ConflictError, PermissionDeniedError, ValidationError
from planner.fragments import services as fragment_services
from planner.fragments.models import Fragment
from planner.scheduling import planning
from planner.scheduling.forms import ScheduleForm
from planner.scheduling.views import bp
from planner.timekeeping.wallclock import (
    AmbiguousLocalTimeError,
    NonexistentLocalTimeError,
    to_local,
)
from planner.web import runtime
from planner.web.database import db_session, discard
from planner.web.forms import ActionForm, csrf_failed, error_message
from planner.web.problems import status_for


def schedule_panel(fragment: Fragment) -> Markup:
    """When the fragment goes out, on its channel's wall clock, and the form to (re)plan it."""
    session = db_session()
    delivery = planning.active_delivery(session, fragment)
    zone = planning.planning_zone(session, fragment)
    form = ScheduleForm(prefix="schedule", formdata=None)
    planned_for = None
    if delivery is not None:
        local = to_local(delivery.due_at, zone)
        form.day.data = local.date()
        form.time.data = local.time().replace(second=0, microsecond=0, tzinfo=None)
        # On the planning zone's wall clock, like the form below it (not rebased).
        planned_for = format_datetime(local, "EEEE d MMMM y, HH:mm", rebase=False)
    suggested_for = None
    suggestion = planning.suggested_time(session, fragment, runtime.now())
    if delivery is None and suggestion is not None:
        # An edit took it off the calendar: the time it had comes back as the form's suggestion.
        local = to_local(suggestion, zone)
        form.day.data = local.date()
        form.time.data = local.time().replace(second=0, microsecond=0, tzinfo=None)
        suggested_for = format_datetime(local, "EEEE d MMMM y, HH:mm", rebase=False)
    panel = {
        "delivery": delivery,
        "planned_for": planned_for,
        "suggested_for": suggested_for,
        "schedule_form": form,
        "needed": fragment.channel.approval_steps,
        "zone": zone,
        "has_calendar": "scheduling.calendar" in current_app.view_functions,
    }
    return Markup(render_template("scheduling/_schedule_panel.html", fragment=fragment, sp=panel))  # noqa: S704 - a rendered template


def _back(fragment: Fragment) -> Response:
    return redirect(url_for("fragments.edit", fragment_id=fragment.id) + "#schedule")


@bp.post("/fragments/<int:fragment_id>/schedule")
@editor_required
def schedule_from_editor(fragment_id: int) -> Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    fragment = fragment_services.get_fragment(session, actor, fragment_id)
    form = ScheduleForm(prefix="schedule")
    if not form.validate_on_submit():
        if csrf_failed(form):
            abort(400)
        return decision_page(fragment, form, "schedule", _("Choose a date and a time."), 400)
    on: date = form.day.data
    at: time = form.time.data
    # Only a choice the person made counts; the form's default must not decide an overlap.
    chosen = request.form.get("schedule-fold")
    fold: Literal["earlier", "later"] | None = (
        "earlier" if chosen == "earlier" else "later" if chosen == "later" else None
    )
    try:
        # The fragment's planning zone, as on the calendar's keyboard form and in the API.
        local = datetime.combine(on, at)
        planning.schedule_local(session, actor, fragment.id, local, None, runtime.now(), fold=fold)
    except AmbiguousLocalTimeError:
        form.fold.flags.required = True
        message = _("This time occurs twice on that day, because the clocks go back. Choose which.")
        return decision_page(fragment, form, "schedule", message, 400)
    except NonexistentLocalTimeError as exc:
        message = _(
            "%(time)s does not exist on that day: the clocks jump from %(start)s to %(end)s. "
            "Choose another time.",
            time=at.strftime("%H:%M"),
            start=exc.gap_starts.strftime("%H:%M"),
            end=exc.gap_ends.strftime("%H:%M"),
        )
        return decision_page(fragment, form, "schedule", message, 400)
    except (ValidationError, ConflictError, PermissionDeniedError) as exc:
        return decision_page(fragment, form, "schedule", error_message(exc), status_for(exc))
    flash(_("The fragment is on the calendar."), "success")
    return _back(fragment)


@bp.post("/fragments/<int:fragment_id>/unschedule")
@editor_required
def unschedule_from_editor(fragment_id: int) -> Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    fragment = fragment_services.get_fragment(session, actor, fragment_id)
    form = ActionForm(prefix="unschedule")
    if not form.validate_on_submit():
        abort(400)
    try:
        planning.unschedule_fragment(session, actor, fragment, runtime.now())
    except ConflictError as exc:
        discard()  # nothing of a refused change is saved
        flash(error_message(exc), "error")
        return _back(fragment)
    flash(_("The fragment is off the calendar; it stays approved."), "success")
    return _back(fragment)


@bp.post("/fragments/<int:fragment_id>/publish-now")
@editor_required
def publish_now_from_editor(fragment_id: int) -> Response | tuple[str, int]:
    """ "Nu publiceren": the rapid-response lane for an approved urgent fragment."""
    session = db_session()
    actor = current_actor()
    fragment = fragment_services.get_fragment(session, actor, fragment_id)
    form = ActionForm(prefix="publishnow")
    if not form.validate_on_submit():
        abort(400)
    try:
        planning.publish_now(session, actor, fragment, runtime.now())
    except (ValidationError, ConflictError, PermissionDeniedError) as exc:
        discard()
        flash(_(exc.message), "error")
        return _back(fragment)
    flash(_("It goes out now: the publisher was woken."), "success")
    return _back(fragment)
