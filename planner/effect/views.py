"""The effect's pages: the public redirect of our short links, the Effect page with its charts,
tables and CSV downloads, figures typed in by hand on a fragment, and goals.

The redirect reads no personal data it keeps: the method and user agent decide only whether the
click counts for a person (planner.effect.counting), the Referer only gives its host, and the
address is never looked at. A known link is served from the process's cache without the database.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from planner.accounts.guards import current_actor, editor_required
from planner.effect import report, runtime, services
from planner.effect.counting import classify
from planner.effect.forms import GoalForm, MetricsForm, owner_choices
from planner.effect.links import referrer_host, with_utm
from planner.effect.models import GoalMetric
from planner.effect.runtime import CachedLink
from planner.errors import NotFoundError, ValidationError
from planner.organisation import current as organisation
from planner.web import runtime as web_runtime
from planner.web.database import db_session
from planner.web.forms import error_message

public = Blueprint("links", __name__)
bp = Blueprint("effect", __name__)


@public.route("/l/<code>", methods=["GET", "HEAD"])
def follow(code: str) -> Response | tuple[str, int]:
    effect = runtime.get()
    cached = effect.links.get(code)
    if cached is None:
        link = services.find_link(db_session(), code[:32])
        if link is None:
            return render_template("effect/unknown_link.html"), 404
        utm = {
            "utm_source": link.utm_source,
            "utm_medium": link.utm_medium,
            "utm_campaign": link.utm_campaign,
            "utm_content": link.utm_content,
        }
        cached = CachedLink(link.id, with_utm(link.target_url, utm))
        effect.remember(code, cached)
    kind = classify(request.method, request.headers.get("User-Agent"))
    tz = effect.timezone(organisation.timezone)
    day = services.local_day(web_runtime.now(), tz)
    due = effect.counter.add(cached.id, day, referrer_host(request.headers.get("Referer")), kind)
    response = redirect(cached.location, 302)
    if due:
        # After the answer has gone out and this request's own session is closed.
        response.call_on_close(effect.counter.flush)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- the Effect page ---------------------------------------------------------------------------


#: the days the page shows when no month is chosen: the last 30, today included
RECENT_DAYS = 30


def _period() -> services.Period:
    """The chosen calendar month (``?month=2026-11``), or the last 30 days."""
    tz = organisation.timezone()
    today = services.local_day(web_runtime.now(), tz)
    value = request.args.get("month", "")
    try:
        first = date.fromisoformat(f"{value}-01") if value else None
    except ValueError:
        first = None
    if first is None:
        return services.Period(today - timedelta(days=RECENT_DAYS - 1), today, tz)
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return services.Period(first, following - timedelta(days=1), tz)


def _month(day: date) -> str:
    return day.strftime("%Y-%m")


@bp.get("/effect")
@editor_required
def index() -> str:
    session, actor = db_session(), current_actor()
    period = _period()
    chosen = request.args.get("month") if period.start.day == 1 else None
    previous = (period.start - timedelta(days=1)) if chosen else period.start
    following = period.end + timedelta(days=1)
    today = services.local_day(web_runtime.now(), period.timezone)
    goals = report.goal_progress(session, actor, period.timezone, today)
    return render_template(
        "effect/index.html",
        period=period,
        month=chosen,
        previous=_month(previous),
        following=_month(following) if chosen else None,
        daily=report.daily_by_channel(session, actor, period),
        stories=report.best_stories(session, actor, period),
        themes=services.effect_by(session, actor, period, "theme"),
        theme_goals=[p for p in goals if p.goal.theme_id is not None],
        channels=report.channels_against_hours(session, actor, period),
        goals=goals,
        goal_form=_goal_form(session),
    )


def _goal_form(session: Any) -> GoalForm:
    form = GoalForm()
    form.owner.choices = owner_choices(session)
    return form


def _csv(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@bp.get("/effect/<chart>.csv")
@editor_required
def download(chart: str) -> Response:
    session, actor = db_session(), current_actor()
    period = _period()
    name = f"effect-{chart}-{period.start.isoformat()}-{period.end.isoformat()}"
    if chart == "daily":
        daily = report.daily_by_channel(session, actor, period)
        return _csv(
            name,
            ["day", "channel", "clicks", "reactions"],
            (
                (day.isoformat(), channel, clicks[n], reactions[n])
                for channel, (clicks, reactions) in daily.channels.items()
                for n, day in enumerate(daily.days)
            ),
        )
    if chart in ("stories", "themes"):
        rows = (
            report.best_stories(session, actor, period)
            if chart == "stories"
            else services.effect_by(session, actor, period, "theme")
        )
        return _csv(
            name,
            ["id", "name", "clicks", "reactions", "shares", "reach", "bot_clicks"],
            (
                (
                    r.key,
                    r.label,
                    r.figures.clicks,
                    r.figures.reactions,
                    r.figures.shares,
                    r.figures.reach,
                    r.figures.bot_clicks,
                )
                for r in rows
            ),
        )
    if chart == "channels":
        return _csv(
            name,
            ["id", "channel", "clicks", "reactions", "hours"],
            (
                (c.row.key, c.row.label, c.row.figures.clicks, c.row.figures.reactions, c.hours)
                for c in report.channels_against_hours(session, actor, period)
            ),
        )
    abort(404)
    return None  # pragma: no cover - abort raises


# --- figures typed in by hand ------------------------------------------------------------------


@bp.post("/fragments/<int:fragment_id>/metrics")
@editor_required
def enter_metrics(fragment_id: int) -> Response:
    form = MetricsForm()
    target = url_for("fragments.edit", fragment_id=fragment_id) + "#effect"
    if not form.validate_on_submit():
        flash(_("Type in whole numbers of 0 or more."), "error")
        return redirect(target)
    try:
        services.record_manual_metrics(
            db_session(),
            current_actor(),
            fragment_id,
            reach=form.reach.data or 0,
            reactions=form.reactions.data or 0,
            shares=form.shares.data or 0,
            now=web_runtime.now(),
        )
    except ValidationError as exc:
        flash(error_message(exc), "error")
        return redirect(target)
    except NotFoundError:
        abort(404)
    flash(_("The figures were saved."), "success")
    return redirect(target)


# --- goals -------------------------------------------------------------------------------------


@bp.post("/effect/goals")
@editor_required
def add_goal() -> Response:
    form = GoalForm()
    form.owner.choices = owner_choices(db_session())
    back = url_for("effect.index") + "#goals"
    if not form.validate_on_submit():
        flash(_("Choose a campaign or a theme, a target and the dates."), "error")
        return redirect(back)
    owner, _sep, number = (form.owner.data or "").partition(":")
    try:
        report.set_goal(
            db_session(),
            current_actor(),
            campaign_id=int(number) if owner == "campaign" and number.isdigit() else None,
            theme_id=int(number) if owner == "theme" and number.isdigit() else None,
            metric=GoalMetric(form.metric.data),
            target=form.target.data or 0,
            starts_on=form.starts_on.data,
            due_on=form.due_on.data,
        )
    except (ValidationError, NotFoundError) as exc:
        flash(error_message(exc) if isinstance(exc, ValidationError) else _("Not found."), "error")
        return redirect(back)
    flash(_("The goal was saved."), "success")
    return redirect(back)


@bp.post("/effect/goals/<int:goal_id>/delete")
@editor_required
def delete_goal(goal_id: int) -> Response:
    try:
        report.remove_goal(db_session(), current_actor(), goal_id)
    except NotFoundError:
        abort(404)
    flash(_("The goal was removed."), "success")
    return redirect(url_for("effect.index") + "#goals")
