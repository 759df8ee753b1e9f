"""Calendar pages: the planner with FullCalendar, its JSON endpoints and the keyboard schedule
form. The reports, slots and feeds have modules of their own on the same blueprint.

FullCalendar runs in "UTC" and is fed the organisation's wall times, so the browser never
converts zones; every move comes back here as a wall time and is resolved by
planner.timekeeping.wallclock before the same service the API uses validates it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from planner.accounts.guards import current_actor, editor_required
from planner.accounts.models import User
from planner.channels import services as channel_services
from planner.channels.marks import channel_mark
from planner.errors import (
    PlannerError,
    ValidationError,
)
from planner.fragments import services as fragment_services
from planner.fragments.forms import kind_labels, status_labels
from planner.fragments.models import FragmentStatus
from planner.publishing.models import DeliveryState
from planner.scheduling import planning, reports, services
from planner.scheduling.forms import (
    CalendarFilterForm,
    ScheduleForm,
    delivery_labels,
    weekday_labels,
)
from planner.scheduling.json_body import json_response
from planner.stories.models import Campaign, Theme
from planner.timekeeping.periods import IsoWeek, Period
from planner.timekeeping.wallclock import (
    DEFAULT_FOLD,
    AmbiguousLocalTimeError,
    inspect_local,
    local_date,
    to_local,
)
from planner.web import runtime
from planner.web.database import db_session, discard
from planner.web.forms import ActionForm, error_message, int_arg
from planner.web.problems import status_for

bp = Blueprint("scheduling", __name__)

PLAN_WEEKS = 4


def _now() -> datetime:
    now: datetime = runtime.now()
    return now


def calendar_timezone() -> str:
    return services.org_timezone(db_session())


def _filters(args: Any) -> services.CalendarFilters:
    statuses = {s.value for s in FragmentStatus}
    status = args.get("status")
    return services.CalendarFilters(
        channel_id=int_arg(args.get("channel")),
        theme_id=int_arg(args.get("theme")),
        campaign_id=int_arg(args.get("campaign")),
        status=FragmentStatus(status) if status in statuses else None,
        person_id=int_arg(args.get("person")),
    )


def _filter_form() -> CalendarFilterForm:
    session = db_session()
    actor = current_actor()
    form = CalendarFilterForm(request.args)
    channels = channel_services.list_channels(session, actor)
    form.channel.choices = [("", _("Any channel"))] + [(str(c.id), c.name) for c in channels]
    themes = session.scalars(select(Theme).order_by(Theme.name))
    form.theme.choices = [("", _("Any theme"))] + [(str(t.id), t.name) for t in themes]
    campaigns = session.scalars(select(Campaign).order_by(Campaign.starts_on.desc()))
    form.campaign.choices = [("", _("Any campaign"))] + [(str(c.id), c.name) for c in campaigns]
    labels = status_labels()
    form.status.choices = [("", _("Any status"))] + [
        (s.value, str(labels[s.value])) for s in services.SHOWN_STATUSES
    ]
    people = session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.name))
    form.person.choices = [("", _("Anyone"))] + [(str(u.id), u.name) for u in people]
    return form


def plan_period(tz: str) -> Period:
    first = IsoWeek.of(local_date(_now(), tz))
    last = first
    for _step in range(PLAN_WEEKS - 1):
        last = last.next()
    return Period.for_weeks(first, last, tz)


class _EventLabels:
    """Labels and the URL pattern computed once per response, not once per event."""

    def __init__(self) -> None:
        self.kinds = {k: str(v) for k, v in kind_labels().items()}
        self.statuses = {k: str(v) for k, v in status_labels().items()}
        self.deliveries = {k: str(v) for k, v in delivery_labels().items()}
        self.url = url_for("scheduling.schedule", fragment_id=0).replace("/0/", "/{}/")


_QUIET_DELIVERIES = frozenset({DeliveryState.PENDING.value, DeliveryState.RETRYING.value})
_ATTENTION = frozenset(state.value for state in services.ATTENTION_STATES)
_SCHEDULED = FragmentStatus.SCHEDULED.value
_WITHDRAWN = FragmentStatus.WITHDRAWN.value
_SENDING = DeliveryState.SENDING.value


def _event(row: services.CalendarRow, now: datetime, labels: _EventLabels) -> dict[str, Any]:
    """One FullCalendar event; keys in sorted order, as json_body requires."""
    state = row.delivery_state
    classes = ["cal-event", f"cal-event--{row.status}"]
    if state in _ATTENTION:
        classes.append("cal-event--attention")
    if row.conflicts_with:
        classes.append("cal-event--conflict")
    # Pending and retrying are the normal life of a planned post; show the others.
    shown = state if state is not None and state not in _QUIET_DELIVERIES else None
    if row.status == _WITHDRAWN:
        shown = None  # its deliveries were cancelled because of that: say "withdrawn", once
    return {
        "backgroundColor": row.colour,
        "borderColor": row.colour,
        "classNames": classes,
        "editable": row.status == _SCHEDULED and state != _SENDING and row.scheduled_at > now,
        "extendedProps": {
            "channel": row.channel,
            "channelId": row.channel_id,
            "conflict": bool(row.conflicts_with),
            "delivery": shown,
            "deliveryLabel": labels.deliveries[shown] if shown else None,
            "kind": labels.kinds[row.kind],
            "status": row.status,
            "statusLabel": labels.statuses[row.status],
        },
        "id": str(row.id),
        "start": row.local,
        "textColor": "#ffffff",
        "title": row.title,
        "url": labels.url.format(row.id),
    }


def _query_args() -> dict[str, Any]:
    return {k: v for k, v in request.args.items() if k in _FILTER_KEYS and v}


_FILTER_KEYS = ("channel", "theme", "campaign", "status", "person")


def _wall(text: str | None) -> datetime | None:
    """A FullCalendar boundary or drop ("2026-12-01T10:00:00Z" in its UTC mode) as a wall time."""
    if not text:
        return None
    cleaned = text.strip().removesuffix("Z").removesuffix("+00:00")
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    return parsed.replace(tzinfo=None, second=0, microsecond=0)


# --- the calendar ---------------------------------------------------------------------------


@bp.get("/calendar")
@editor_required
def calendar() -> str:
    session = db_session()
    actor = current_actor()
    tz = calendar_timezone()
    form = _filter_form()
    filters = _filters(request.args)
    period = plan_period(tz)
    entries = services.list_calendar(
        session, actor, start_at=period.start_at, end_at=period.end_at, filters=filters, tz=tz
    )
    cadence = reports.cadence_overview(session, actor, period)
    initial = _wall(request.args.get("date"))
    return render_template(
        "scheduling/calendar.html",
        form=form,
        to_plan=services.list_to_plan(session, actor, filters),
        conflicts=services.list_conflicts(entries),
        cadence=cadence,
        weeks=period.weeks(),
        action_form=ActionForm(),
        tz=tz,
        initial_date=initial.date().isoformat() if initial else None,
        events_url=url_for("scheduling.events", **_query_args()),
        channel_marks={
            c.id: channel_mark(c.kind_key) for c in channel_services.list_channels(session, actor)
        },
        # FullCalendar shows wall times as if they were UTC, so its "now" line needs the offset
        now_offset_minutes=_offset_minutes(_now(), tz),
    )


def _offset_minutes(now: datetime, tz: str) -> int:
    offset = to_local(now, tz).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


@bp.get("/calendar/events")
@editor_required
def events() -> Response | tuple[Response, int]:
    tz = calendar_timezone()
    start, end = _wall(request.args.get("start")), _wall(request.args.get("end"))
    if start is None or end is None:
        return jsonify({"message": _("Give start and end as ISO dates.")}), 400
    try:
        rows = services.list_calendar_rows(
            db_session(),
            current_actor(),
            start_at=inspect_local(start, tz).earlier_at,
            end_at=inspect_local(end, tz).earlier_at,
            filters=_filters(request.args),
            tz=tz,
        )
    except ValidationError as exc:
        return jsonify({"message": error_message(exc)}), 400
    now = _now()
    labels = _EventLabels()
    return json_response([_event(row, now, labels) for row in rows])


@bp.post("/calendar/fragments/<int:fragment_id>/move")
@editor_required
def move(fragment_id: int) -> Response | tuple[Response, int]:
    """A drag or a drop: {"local": "2026-12-01T10:00"} or {"day": "2026-12-01"}."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify({"message": _("The move could not be read.")}), 400
    session = db_session()
    actor = current_actor()
    tz = calendar_timezone()
    now = _now()
    try:
        day_text = data.get("day")
        if isinstance(day_text, str) and day_text:
            try:
                day = date.fromisoformat(day_text[:10])
            except ValueError:
                return jsonify({"message": _("The move could not be read.")}), 400
            planning.drop_on_day(session, actor, fragment_id, day, tz, now)
        else:
            local = _wall(data.get("local") if isinstance(data.get("local"), str) else None)
            if local is None:
                return jsonify({"message": _("The move could not be read.")}), 400
            planning.schedule_local(session, actor, fragment_id, local, tz, now)
    except AmbiguousLocalTimeError as exc:
        message = _(
            "%(time)s occurs twice that night. Open the fragment's schedule form to choose.",
            time=to_local(exc.earlier_at, tz).strftime("%H:%M"),
        )
        return jsonify({"message": message}), 422
    except PlannerError as exc:
        status = 422 if isinstance(exc, ValidationError) else status_for(exc)
        return jsonify({"message": error_message(exc)}), status
    row = next(
        (
            r
            for r in services.list_calendar_rows(
                session,
                actor,
                start_at=now - timedelta(days=1),
                end_at=now + services.MAX_WINDOW - timedelta(days=2),
                tz=tz,
            )
            if r.id == fragment_id
        ),
        None,
    )
    fragment = fragment_services.get_fragment(session, actor, fragment_id)
    when = to_local(fragment.scheduled_at, tz) if fragment.scheduled_at else None
    return jsonify(
        {
            "message": _(
                "“%(title)s” is planned for %(when)s.",
                title=services.fragment_title(fragment),
                when=when.strftime("%Y-%m-%d %H:%M") if when else "",
            ),
            "event": _event(row, now, _EventLabels()) if row else None,
        }
    )


@bp.route("/calendar/fragments/<int:fragment_id>/schedule", methods=["GET", "POST"])
@editor_required
def schedule(fragment_id: int) -> str | Response | tuple[str, int]:
    """The keyboard way to plan: a date and a wall time in the channel's timezone."""
    session = db_session()
    actor = current_actor()
    fragment = fragment_services.get_fragment(session, actor, fragment_id)
    tz = planning.planning_zone(session, fragment)
    form = ScheduleForm()
    ask_fold = False
    status = 200
    if request.method == "GET" and fragment.scheduled_at is not None:
        local = to_local(fragment.scheduled_at, tz)
        form.day.data = local.date()
        form.time.data = local.time().replace(tzinfo=None)
    if form.validate_on_submit() and form.day.data and form.time.data:
        local = datetime.combine(form.day.data, form.time.data)
        fold = form.fold.data if request.form.get("fold") in ("earlier", "later") else None
        try:
            planning.schedule_local(
                session,
                actor,
                fragment.id,
                local,
                tz,
                _now(),
                fold=fold,
            )
        except AmbiguousLocalTimeError as exc:
            ask_fold = True
            form.fold.data = DEFAULT_FOLD
            form.time.errors = [
                _(
                    "This time occurs twice that night, because the clocks go back. "
                    "Choose which one you mean."
                )
            ]
            form.fold.choices = [
                ("earlier", _("The first time: %(at)s", at=_describe(exc.earlier_at, tz))),
                ("later", _("The second time: %(at)s", at=_describe(exc.later_at, tz))),
            ]
            status = 422
        except ValidationError as exc:
            target = form.day if exc.field == "day" else form.time
            target.errors = [*target.errors, error_message(exc)]
            status = 422
        except PlannerError as exc:
            form.form_errors.append(error_message(exc))
            status = status_for(exc)
        else:
            flash(_("The fragment has been planned."), "success")
            return redirect(url_for("scheduling.calendar", date=form.day.data.isoformat()))
    elif request.method == "POST":
        status = 422
    page = render_template(
        "scheduling/schedule.html",
        fragment=fragment,
        form=form,
        ask_fold=ask_fold,
        tz=tz,
        action_form=ActionForm(),
        slots=planning.channel_slots(session, fragment.channel),
        weekday_names=dict(weekday_labels()),
    )
    return page, status


def _describe(at: datetime, tz: str) -> str:
    local = to_local(at, tz)
    offset = local.strftime("%z")
    return f"{local:%H:%M} (UTC{offset[:3]}:{offset[3:]})"


@bp.post("/calendar/fragments/<int:fragment_id>/unschedule")
@editor_required
def unschedule(fragment_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        planning.remove_from_calendar(db_session(), current_actor(), fragment_id, _now())
    except PlannerError as exc:
        discard()  # nothing of a refused change is saved
        flash(error_message(exc), "error")
        return redirect(url_for("scheduling.schedule", fragment_id=fragment_id))
    flash(_("The fragment is off the calendar and back on the list to plan."), "success")
    return redirect(url_for("scheduling.calendar"))


@bp.post("/calendar/fragments/<int:fragment_id>/next-slot")
@editor_required
def next_slot(fragment_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    session = db_session()
    try:
        delivery = planning.add_to_next_free_slot(session, current_actor(), fragment_id, _now())
    except PlannerError as exc:
        discard()  # nothing of a refused change is saved
        flash(error_message(exc), "error")
        return redirect(url_for("scheduling.calendar"))
    local = to_local(delivery.due_at, calendar_timezone())
    flash(_("Planned in the next free slot: %(when)s.", when=f"{local:%Y-%m-%d %H:%M}"), "success")
    return redirect(url_for("scheduling.calendar", date=local.date().isoformat()))


# --- reports --------------------------------------------------------------------------------


# --- slots ----------------------------------------------------------------------------------


# --- feeds and share links ------------------------------------------------------------------


@bp.app_template_filter("hm")
def _hm(value: time | datetime) -> str:
    return value.strftime("%H:%M")
