"""Calendar feeds (iCalendar for Outlook and Google) and read-only reviewer links: the pages that
make and revoke them, and the public routes that serve them by their secret token."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from planner.accounts.guards import current_actor, editor_required
from planner.accounts.models import User
from planner.channels import services as channel_services
from planner.errors import (
    ValidationError,
)
from planner.scheduling import feeds as calendar_feeds
from planner.scheduling import services
from planner.scheduling.forms import (
    FeedForm,
    ShareForm,
    delivery_labels,
)
from planner.scheduling.models import FeedScope
from planner.scheduling.views import bp, calendar_timezone
from planner.timekeeping.wallclock import (
    local_date,
)
from planner.web import runtime
from planner.web.database import db_session
from planner.web.forms import ActionForm, int_arg


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
        now=runtime.now(),
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
            channel_id=int_arg(feed_form.channel.data),
            person_id=int_arg(feed_form.person.data),
        )
    except ValidationError as exc:
        target = {"channel": feed_form.channel, "person": feed_form.person}.get(
            exc.field or "", feed_form.name
        )
        target.errors = [*target.errors, _(exc.message)]
        return _feeds_page(422, forms=(feed_form, share_form))
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
            now=runtime.now(),
        )
    except ValidationError as exc:
        share_form.label.errors = [*share_form.label.errors, _(exc.message)]
        return _feeds_page(422, forms=(feed_form, share_form))
    url = url_for("scheduling.shared", token=token, _external=True)
    return _feeds_page(201, new_share_url=url, new_share_label=share.label)


@bp.post("/calendar/feeds/<int:feed_id>/revoke")
@editor_required
def revoke_feed(feed_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    calendar_feeds.revoke_feed(db_session(), current_actor(), feed_id, runtime.now())
    flash(_("The feed has been revoked; its address no longer works."), "success")
    return redirect(url_for("scheduling.feeds"))


@bp.post("/calendar/shares/<int:share_id>/revoke")
@editor_required
def revoke_share(share_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    calendar_feeds.revoke_share(db_session(), current_actor(), share_id, runtime.now())
    flash(_("The link has been revoked; it no longer works."), "success")
    return redirect(url_for("scheduling.feeds"))


@bp.get("/feeds/<token>.ics")
def feed(token: str) -> Response:
    session = db_session()
    found = calendar_feeds.find_feed(session, token)
    if found is None:
        abort(404)
    body = calendar_feeds.render_feed(
        session, found, runtime.now(), base_url=runtime.settings().base_url
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/shared/calendar/<token>")
def shared(token: str) -> Response:
    session = db_session()
    now = runtime.now()
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
            today=local_date(now, calendar_timezone()),
            delivery_labels=delivery_labels(),
        )
    )
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
