"""Calendar pages: the planner with FullCalendar, its JSON endpoints, the keyboard schedule form,
the reports (balance, workload), slots, feeds and the public feed and reviewer routes.

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
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from planner.accounts.guards import current_actor, editor_required
from planner.accounts.models import Role, User
from planner.channels import services as channel_services
from planner.errors import (
    PlannerError,
    ValidationError,
)
from planner.fragments import services as fragment_services
from planner.fragments.forms import kind_labels, status_labels
from planner.fragments.models import FRAGMENT_KINDS, FragmentStatus
from planner.publishing.models import DeliveryState
from planner.scheduling import feeds as calendar_feeds
from planner.scheduling import planning, posting_slots, reports, services
from planner.scheduling.forms import (
    ActionForm,
    CalendarFilterForm,
    EffortForm,
    FeedForm,
    ScheduleForm,
    ShareForm,
    SlotForm,
    delivery_labels,
    weekday_labels,
)
from planner.scheduling.json_body import json_response
from planner.scheduling.models import FeedScope
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
from planner.web.database import commit, db_session
from planner.web.problems import status_for

bp = Blueprint("scheduling", __name__)

PLAN_WEEKS = 4


def _now() -> datetime:
    now: datetime = runtime.now()
    return now


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _tz() -> str:
    return services.org_timezone(db_session())


def _filters(args: Any) -> services.CalendarFilters:
    statuses = {s.value for s in FragmentStatus}
    status = args.get("status")
    return services.CalendarFilters(
        channel_id=_int_or_none(args.get("channel")),
        theme_id=_int_or_none(args.get("theme")),
        campaign_id=_int_or_none(args.get("campaign")),
        status=FragmentStatus(status) if status in statuses else None,
        person_id=_int_or_none(args.get("person")),
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
        (s.value, str(labels[s.value])) for s in services.CALENDAR_STATUSES
    ]
    people = session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.name))
    form.person.choices = [("", _("Anyone"))] + [(str(u.id), u.name) for u in people]
    return form


def _plan_period(tz: str) -> Period:
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
    return {
        "backgroundColor": row.colour,
        "borderColor": row.colour,
        "classNames": classes,
        "editable": row.status == _SCHEDULED and state != _SENDING and row.scheduled_at > now,
        "extendedProps": {
            "channel": row.channel,
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
    tz = _tz()
    form = _filter_form()
    filters = _filters(request.args)
    period = _plan_period(tz)
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
        # FullCalendar shows wall times as if they were UTC, so its "now" line needs the offset
        now_offset_minutes=_offset_minutes(_now(), tz),
    )


def _offset_minutes(now: datetime, tz: str) -> int:
    offset = to_local(now, tz).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


@bp.get("/calendar/events")
@editor_required
def events() -> Response | tuple[Response, int]:
    tz = _tz()
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
        return jsonify({"message": _(exc.message)}), 400
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
    tz = _tz()
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
        return jsonify({"message": _(exc.message)}), status
    commit()
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
    tz = fragment.channel.timezone
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
            target.errors = [*target.errors, _(exc.message)]
            status = 422
        except PlannerError as exc:
            form.form_errors.append(_(exc.message))
            status = status_for(exc)
        else:
            commit()
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
        flash(_(exc.message), "error")
        return redirect(url_for("scheduling.schedule", fragment_id=fragment_id))
    commit()
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
        flash(_(exc.message), "error")
        return redirect(url_for("scheduling.calendar"))
    commit()
    local = to_local(delivery.due_at, _tz())
    flash(_("Planned in the next free slot: %(when)s.", when=f"{local:%Y-%m-%d %H:%M}"), "success")
    return redirect(url_for("scheduling.calendar", date=local.date().isoformat()))


# --- reports --------------------------------------------------------------------------------


def _period_from_args(tz: str, default_weeks: int) -> Period:
    today = local_date(_now(), tz)
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
    tz = _tz()
    period = _period_from_args(tz, 0) if request.args.get("start") else _plan_period(tz)
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
    )


@bp.route("/calendar/workload", methods=["GET", "POST"])
@editor_required
def workload() -> str | Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    tz = _tz()
    period = _period_from_args(tz, PLAN_WEEKS) if request.args.get("start") else _plan_period(tz)
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
                commit()
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
        report=report,
        weeks=weeks,
        people=list(people.values()),
        form=form,
        period=period,
        can_edit=actor.has_role(Role.ADMIN),
    )
    return page, status


# --- slots ----------------------------------------------------------------------------------


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
            commit()
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
    commit()
    flash(_("The slot has been removed."), "success")
    return redirect(url_for("scheduling.slots"))


# --- feeds and share links ------------------------------------------------------------------


def _feed_forms() -> tuple[FeedForm, ShareForm]:
    session = db_session()
    actor = current_actor()
    feed_form = FeedForm(prefix="feed")
    feed_form.channel.choices = [("", "—")] + [
        (str(c.id), c.name) for c in channel_services.list_channels(session, actor)
    ]
    people = session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.name))
    feed_form.person.choices = [("", "—")] + [(str(u.id), u.name) for u in people]
    return feed_form, ShareForm(prefix="share")


def _feeds_page(status: int = 200, **extra: Any) -> tuple[str, int]:
    session = db_session()
    actor = current_actor()
    feed_form, share_form = extra.pop("forms", None) or _feed_forms()
    page = render_template(
        "scheduling/feeds.html",
        feeds=calendar_feeds.list_feeds(session, actor),
        shares=calendar_feeds.list_shares(session, actor),
        feed_form=feed_form,
        share_form=share_form,
        action_form=ActionForm(),
        now=_now(),
        **extra,
    )
    return page, status


@bp.get("/calendar/feeds")
@editor_required
def feeds() -> tuple[str, int]:
    return _feeds_page()


@bp.post("/calendar/feeds")
@editor_required
def create_feed() -> tuple[str, int]:
    session = db_session()
    feed_form, share_form = _feed_forms()
    if not feed_form.validate_on_submit():
        return _feeds_page(422, forms=(feed_form, share_form))
    try:
        feed, token = calendar_feeds.create_feed(
            session,
            current_actor(),
            name=feed_form.name.data or "",
            scope=FeedScope(feed_form.scope.data),
            channel_id=_int_or_none(feed_form.channel.data),
            person_id=_int_or_none(feed_form.person.data),
        )
    except ValidationError as exc:
        target = {"channel": feed_form.channel, "person": feed_form.person}.get(
            exc.field or "", feed_form.name
        )
        target.errors = [*target.errors, _(exc.message)]
        return _feeds_page(422, forms=(feed_form, share_form))
    commit()
    url = url_for("scheduling.feed", token=token, _external=True)
    return _feeds_page(201, new_feed_url=url, new_feed_name=feed.name)


@bp.post("/calendar/shares")
@editor_required
def create_share() -> tuple[str, int]:
    session = db_session()
    feed_form, share_form = _feed_forms()
    if not share_form.validate_on_submit():
        return _feeds_page(422, forms=(feed_form, share_form))
    try:
        share, token = calendar_feeds.create_share(
            session,
            current_actor(),
            label=share_form.label.data or "",
            days=share_form.days.data or 0,
            now=_now(),
        )
    except ValidationError as exc:
        share_form.label.errors = [*share_form.label.errors, _(exc.message)]
        return _feeds_page(422, forms=(feed_form, share_form))
    commit()
    url = url_for("scheduling.shared", token=token, _external=True)
    return _feeds_page(201, new_share_url=url, new_share_label=share.label)


@bp.post("/calendar/feeds/<int:feed_id>/revoke")
@editor_required
def revoke_feed(feed_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    calendar_feeds.revoke_feed(db_session(), current_actor(), feed_id, _now())
    commit()
    flash(_("The feed has been revoked; its address no longer works."), "success")
    return redirect(url_for("scheduling.feeds"))


@bp.post("/calendar/shares/<int:share_id>/revoke")
@editor_required
def revoke_share(share_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    calendar_feeds.revoke_share(db_session(), current_actor(), share_id, _now())
    commit()
    flash(_("The link has been revoked; it no longer works."), "success")
    return redirect(url_for("scheduling.feeds"))


@bp.get("/feeds/<token>.ics")
def feed(token: str) -> Response:
    session = db_session()
    found = calendar_feeds.find_feed(session, token)
    if found is None:
        abort(404)
    body = calendar_feeds.render_feed(session, found, _now(), base_url=runtime.settings().base_url)
    commit()
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/shared/calendar/<token>")
def shared(token: str) -> Response:
    session = db_session()
    now = _now()
    share = calendar_feeds.get_open_share(session, token, now)
    entries = calendar_feeds.shared_calendar(session, share, now)
    days: dict[date, list[services.CalendarEntry]] = {}
    for entry in entries:
        days.setdefault(entry.local_start.date(), []).append(entry)
    response = make_response(
        render_template(
            "scheduling/shared.html",
            share=share,
            days=days,
            today=local_date(now, _tz()),
            delivery_labels=delivery_labels(),
        )
    )
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.app_template_filter("hm")
def _hm(value: time | datetime) -> str:
    return value.strftime("%H:%M")
