"""The calendar's reports: theme balance against its targets, and the team's workload in hours
and FTE per week (with the effort each kind of fragment takes)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

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
from planner.accounts.models import Role
from planner.errors import (
    ValidationError,
)
from planner.fragments.models import FRAGMENT_KINDS
from planner.scheduling import reports
from planner.scheduling.forms import (
    EffortForm,
)
from planner.scheduling.panels import BALANCE, WORKLOAD
from planner.scheduling.views import PLAN_WEEKS, bp, calendar_timezone, plan_period
from planner.timekeeping.periods import Period
from planner.timekeeping.wallclock import (
    local_date,
)
from planner.web import runtime
from planner.web.database import db_session


def _period_from_args(tz: str, default_weeks: int) -> Period:
    today = local_date(runtime.now(), tz)
    start = _date_arg("start") or today.replace(day=1)
    end = _date_arg("end")
    if end is None and not default_weeks and start.day != 1:
        end = start + timedelta(weeks=PLAN_WEEKS) - timedelta(days=1)
    if end is None:
        if default_weeks:
            end = start + timedelta(weeks=default_weeks) - timedelta(days=1)
        else:
            next_month = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
            end = next_month - timedelta(days=1)
    if end < start or end - start > timedelta(days=370):
        end = start + timedelta(days=30)
    return Period(start, end, tz)


def _date_arg(name: str) -> date | None:
    value = request.args.get(name, "")
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.get("/calendar/balance")
@editor_required
def balance() -> str:
    tz = calendar_timezone()
    period = _period_from_args(tz, 0) if request.args.get("start") else plan_period(tz)
    report = reports.theme_balance(db_session(), current_actor(), period)
    scale = max([100.0, *(max(r.actual_pct, r.target_pct) for r in report.rows)])
    length = period.end_on - period.start_on + timedelta(days=1)
    previous = period.start_on - length
    following = period.end_on + timedelta(days=1)
    return render_template(
        "scheduling/balance.html",
        report=report,
        period=period,
        scale=scale,
        previous=(previous, period.start_on - timedelta(days=1)),
        following=(following, following + length - timedelta(days=1)),
        extra_panels=[p for c in BALANCE.contributors() if (p := c(period)) is not None],
    )


@bp.route("/calendar/workload", methods=["GET", "POST"])
@editor_required
def workload() -> str | Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    tz = calendar_timezone()
    period = _period_from_args(tz, PLAN_WEEKS) if request.args.get("start") else plan_period(tz)
    settings = reports.effort_settings(session)
    form = EffortForm(data=dict(settings.effort_minutes))
    status = 200
    if request.method == "POST":
        if not actor.has_role(Role.ADMIN):
            abort(403)
        if form.validate_on_submit():
            try:
                reports.update_effort(
                    session,
                    actor,
                    {name: int(getattr(form, name).data) for name in FRAGMENT_KINDS},
                )
            except ValidationError as exc:
                form.form_errors.append(_(exc.message))
                status = 422
            else:
                flash(_("The effort estimates have been saved."), "success")
                return redirect(url_for("scheduling.workload"))
        else:
            status = 422
    report = reports.workload(session, actor, period)
    weeks = [w.week for w in report.weeks]
    people: dict[Any, dict[str, Any]] = {}
    for row in report.people:
        person = people.setdefault(row.person, {"name": row.name, "hours": row.hours_available})
        person[str(row.week)] = row
    page = render_template(
        "scheduling/workload.html",
        extra_panels=[p for c in WORKLOAD.contributors() if (p := c(period)) is not None],
        report=report,
        weeks=weeks,
        people=list(people.values()),
        form=form,
        period=period,
        can_edit=actor.has_role(Role.ADMIN),
    )
    return page, status
