"""Publishing pages: the approval panel of the fragment editor, reviewer links and the public
review page, the built-in blog, the to-post-by-hand list, problem deliveries, channel publisher
settings and the archive export.

Views parse input, make one service call and commit; a refusal is shown on the page with what
the person typed kept, never as a bare error page.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Literal

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from planner.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from planner.fragments import services as fragment_services
from planner.fragments.models import Fragment
from planner.publishing import blog, deliveries, review, workflow
from planner.publishing.forms import (
    ApproveForm,
    ArchiveForm,
    MarkPostedForm,
    PublisherForm,
    RequestChangesForm,
    ResolveForm,
    ReviewerForm,
    ReviewLinkForm,
    approval_step_choices,
    publisher_kind_choices,
)
from planner.scheduling.forms import ScheduleForm
from planner.scheduling.timing import (
    AmbiguousLocalTimeError,
    NonexistentLocalTimeError,
    resolve_local,
    to_local,
)
from planner.web.auth import admin_required, current_actor, editor_required
from planner.web.database import commit, db_session
from planner.web.errors import status_for
from planner.web.extensions import limiter
from planner.web.i18n import organisation_timezone

bp = Blueprint("publishing", __name__)

Refusal = ValidationError | ConflictError | PermissionDeniedError


def _now() -> datetime:
    now: datetime = current_app.extensions["planner.clock"].now()
    return now


def _base_url() -> str:
    return str(current_app.extensions["planner.settings"].base_url).rstrip("/")


# --- the approval panel ---------------------------------------------------------------------------


def approval_panel(fragment: Fragment) -> dict[str, Any]:
    """Everything templates/publishing/_approval.html needs, computed for the editor page."""
    session = db_session()
    actor = current_actor()
    delivery = workflow.active_delivery(session, fragment)
    # The same form as the calendar's keyboard way to plan (planner.scheduling.forms).
    schedule_form = ScheduleForm(prefix="schedule", formdata=None)
    planned_for = None
    if delivery is not None:
        local = to_local(delivery.due_at, fragment.channel.timezone)
        schedule_form.day.data = local.date()
        schedule_form.time.data = local.time().replace(second=0, microsecond=0, tzinfo=None)
        # On the channel's wall clock, like the form below it (not rebased to the organisation's).
        planned_for = format_datetime(local, "EEEE d MMMM y, HH:mm", rebase=False)
    return {
        "planned_for": planned_for,
        "needed": workflow.approvals_needed(fragment),
        "approvals": workflow.current_approvals(session, fragment),
        "decisions": review.list_decisions(session, fragment)[:10],
        "delivery": delivery,
        "links": review.list_review_links(session, actor, fragment),
        "is_author": fragment.created_by_id == actor.id,
        "approve_form": ApproveForm(prefix="approve", formdata=None),
        "changes_form": RequestChangesForm(prefix="changes", formdata=None),
        "schedule_form": schedule_form,
        "link_form": ReviewLinkForm(prefix="link", formdata=None),
        "now": _now(),
        "has_calendar": "scheduling.calendar" in current_app.view_functions,
    }


@bp.app_context_processor
def _panel() -> dict[str, Any]:
    return {"approval_panel": approval_panel}


def _decision_page(
    fragment: Fragment, form: Any, kind: str, message: str, status: int
) -> tuple[str, int]:
    """A refused decision: the reason, and the same form with what was typed, to send again."""
    return (
        render_template(
            "publishing/decision.html",
            fragment=fragment,
            form=form,
            kind=kind,
            refusal=message,
        ),
        status,
    )


def _csrf_failed(form: Any) -> bool:
    token = getattr(form, "csrf_token", None)
    return bool(token is not None and token.errors)


def _back(fragment: Fragment) -> Response:
    return redirect(url_for("fragments.edit", fragment_id=fragment.id) + "#approval")


@bp.post("/fragments/<int:fragment_id>/approve")
@editor_required
def approve(fragment_id: int) -> Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    fragment = fragment_services.get_fragment(session, actor, fragment_id)
    form = ApproveForm(prefix="approve")
    if not form.validate_on_submit():
        if _csrf_failed(form):
            abort(400)
        return _decision_page(fragment, form, "approve", _("Check the comment."), 400)
    try:
        workflow.approve_fragment(session, actor, fragment, _now(), comment=form.comment.data)
    except (ValidationError, ConflictError, PermissionDeniedError) as exc:
        return _decision_page(fragment, form, "approve", _(exc.message), status_for(exc))
    commit()
    if fragment.status.value == "approved":
        flash(_("The fragment is approved and can be scheduled."), "success")
    else:
        flash(_("Your approval is recorded; a second editor approves next."), "success")
    return _back(fragment)


@bp.post("/fragments/<int:fragment_id>/request-changes")
@editor_required
def request_changes(fragment_id: int) -> Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    fragment = fragment_services.get_fragment(session, actor, fragment_id)
    form = RequestChangesForm(prefix="changes")
    if not form.validate_on_submit():
        if _csrf_failed(form):
            abort(400)
        return _decision_page(fragment, form, "changes", _("Say what should change."), 400)
    try:
        workflow.request_changes(session, actor, fragment, _now(), form.comment.data or "")
    except (ValidationError, ConflictError, PermissionDeniedError) as exc:
        return _decision_page(fragment, form, "changes", _(exc.message), status_for(exc))
    commit()
    flash(_("The fragment went back to its author as a draft, with your comment."), "success")
    return _back(fragment)


@bp.post("/fragments/<int:fragment_id>/schedule")
@editor_required
def schedule(fragment_id: int) -> Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    fragment = fragment_services.get_fragment(session, actor, fragment_id)
    form = ScheduleForm(prefix="schedule")
    if not form.validate_on_submit():
        if _csrf_failed(form):
            abort(400)
        return _decision_page(fragment, form, "schedule", _("Choose a date and a time."), 400)
    on: date = form.day.data
    at: time = form.time.data
    # Only a choice the person made counts; the form's default must not decide an overlap.
    chosen = request.form.get("schedule-fold")
    fold: Literal["earlier", "later"] | None = (
        "earlier" if chosen == "earlier" else "later" if chosen == "later" else None
    )
    try:
        # The channel's wall clock, as on the calendar's form (it defaults to the organisation's).
        instant = resolve_local(datetime.combine(on, at), fragment.channel.timezone, fold=fold)
        workflow.schedule_fragment(session, actor, fragment, instant, _now())
    except AmbiguousLocalTimeError:
        form.fold.flags.required = True
        message = _("This time occurs twice on that day, because the clocks go back. Choose which.")
        return _decision_page(fragment, form, "schedule", message, 400)
    except NonexistentLocalTimeError as exc:
        message = _(
            "%(time)s does not exist on that day: the clocks jump from %(start)s to %(end)s. "
            "Choose another time.",
            time=at.strftime("%H:%M"),
            start=exc.gap_starts.strftime("%H:%M"),
            end=exc.gap_ends.strftime("%H:%M"),
        )
        return _decision_page(fragment, form, "schedule", message, 400)
    except (ValidationError, ConflictError, PermissionDeniedError) as exc:
        return _decision_page(fragment, form, "schedule", _(exc.message), status_for(exc))
    commit()
    flash(_("The fragment is on the calendar."), "success")
    return _back(fragment)


@bp.post("/fragments/<int:fragment_id>/unschedule")
@editor_required
def unschedule(fragment_id: int) -> Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    fragment = fragment_services.get_fragment(session, actor, fragment_id)
    form = ApproveForm(prefix="unschedule")
    if not form.validate_on_submit():
        abort(400)
    try:
        workflow.unschedule_fragment(session, actor, fragment, _now())
    except ConflictError as exc:
        flash(_(exc.message), "error")
        return _back(fragment)
    commit()
    flash(_("The fragment is off the calendar; it stays approved."), "success")
    return _back(fragment)


# --- reviewer links -------------------------------------------------------------------------------


@bp.post("/fragments/<int:fragment_id>/review-links")
@editor_required
def create_review_link(fragment_id: int) -> Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    fragment = fragment_services.get_fragment(session, actor, fragment_id)
    form = ReviewLinkForm(prefix="link")
    if not form.validate_on_submit():
        if _csrf_failed(form):
            abort(400)
        return _decision_page(fragment, form, "link", _("A link is valid for 1 to 60 days."), 400)
    try:
        link, token = review.create_review_link(
            session, actor, fragment, _now(), days=form.days.data or review.DEFAULT_VALID_DAYS
        )
    except ValidationError as exc:
        return _decision_page(fragment, form, "link", _(exc.message), 400)
    commit()
    url = _base_url() + url_for("publishing.review_page", token=token)
    return (
        render_template("publishing/review_link.html", fragment=fragment, link=link, url=url),
        201,
    )


@bp.post("/review-links/<int:link_id>/revoke")
@editor_required
def revoke_review_link(link_id: int) -> Response:
    if not ApproveForm(prefix="revoke").validate_on_submit():
        abort(400)
    link = review.revoke_review_link(db_session(), current_actor(), link_id, _now())
    commit()
    flash(_("The reviewer link no longer works."), "success")
    return redirect(url_for("fragments.edit", fragment_id=link.fragment_id) + "#approval")


def _review_preview(fragment: Fragment) -> Any:
    return fragment_services.preview_fragment(fragment)


@bp.route("/review/<token>", methods=["GET", "POST"])
@limiter.limit("30/minute", methods=["POST"])
def review_page(token: str) -> Response | tuple[str, int]:
    session = db_session()
    now = _now()
    form = ReviewerForm()
    try:
        link = review.open_review_link(session, token, now)
    except (NotFoundError, ConflictError) as exc:
        status = 404 if isinstance(exc, NotFoundError) else 410
        return render_template("publishing/review_closed.html", message=_(exc.message)), status
    fragment = link.fragment
    refusal = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                if form.decision.data == "approve":
                    review.approve_as_reviewer(
                        session, token, form.name.data, now, comment=form.comment.data
                    )
                    done = _("Thank you: your approval has been recorded.")
                else:
                    review.comment_as_reviewer(
                        session, token, form.name.data, form.comment.data, now
                    )
                    done = _("Thank you: your comment has been sent to the editors.")
            except (ValidationError, ConflictError) as exc:
                refusal = _(exc.message)
                status = 409 if isinstance(exc, ConflictError) else 400
                if isinstance(exc, ValidationError) and exc.field in ("name", "comment"):
                    getattr(form, exc.field).errors = [_(exc.message)]
            else:
                commit()
                return render_template(
                    "publishing/review_closed.html", message=done, thanks=True
                ), 200
        else:
            if _csrf_failed(form):
                refusal = _("The form had expired. Send it again.")
            status = 400
    return (
        render_template(
            "publishing/review.html",
            fragment=fragment,
            link=link,
            form=form,
            live=_review_preview(fragment),
            refusal=refusal,
            article_html=_article_html(fragment),
        ),
        status,
    )


def _article_html(fragment: Fragment) -> str | None:
    if fragment.kind != "article":
        return None
    from markupsafe import Markup

    from planner.markup import render_markdown

    try:
        return Markup(render_markdown(fragment.body or ""))  # noqa: S704 - sanitised by nh3
    except ValidationError:
        return None


# --- the built-in blog (public) -------------------------------------------------------------------


def _org_title() -> str:
    from planner.organisation.services import get_organisation

    return str(get_organisation(db_session()).name)


@bp.get("/blog")
def blog_index() -> str:
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and len(page) < 6 else 1
    listing = blog.list_posts(db_session(), number)
    return render_template("blog/index.html", listing=listing, site_title=_org_title())


@bp.get("/blog/feed.atom")
def blog_feed() -> Response:
    posts = blog.list_posts(db_session(), 1, blog.FEED_SIZE).posts
    body = blog.atom_feed(posts, base_url=_base_url(), title=_org_title())
    return Response(body, mimetype="application/atom+xml")


@bp.get("/blog/<slug>")
def blog_post(slug: str) -> str:
    post = blog.get_post(db_session(), slug[:200])
    return render_template(
        "blog/post.html", post=post, show_hero=blog.hero_allowed(post), site_title=_org_title()
    )


@bp.get("/blog/<slug>/hero")
def blog_hero(slug: str) -> Response:
    post = blog.get_post(db_session(), slug[:200])
    storage = current_app.extensions.get("planner.storage")
    if post.hero_photo is None or storage is None or not blog.hero_allowed(post):
        abort(404)
    try:
        data = storage.read(post.hero_photo.storage_key)
    except (OSError, KeyError, ValueError):
        abort(404)
    response = Response(data, mimetype=post.hero_photo.mime)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


# --- by hand, and deliveries that need a person ---------------------------------------------------


def _texts(fragment: Fragment) -> list[tuple[str, str]]:
    """(label, text) pairs to copy, in the order they are posted."""
    if fragment.kind in ("post", "thread"):
        total = len(fragment.parts)
        return [
            (_("Part %(n)s of %(total)s", n=i, total=total) if total > 1 else _("Text"), text)
            for i, text in enumerate(fragment.parts, start=1)
        ]
    texts = []
    if fragment.title:
        texts.append((_("Title"), fragment.title))
    if fragment.lead:
        texts.append((_("Lead"), fragment.lead))
    texts.append(
        (_("Text"), fragment.text() if fragment.kind != "article" else fragment.body or "")
    )
    return texts


@bp.get("/publishing/by-hand")
@editor_required
def by_hand() -> str:
    now = _now()
    items = deliveries.list_by_hand(db_session(), current_actor(), now)
    return render_template(
        "publishing/by_hand.html",
        items=items,
        now=now,
        texts=_texts,
        form=MarkPostedForm(formdata=None),
        errors={},
    )


@bp.get("/publishing/attention")
@editor_required
def attention() -> str:
    now = _now()
    items = deliveries.list_attention(db_session(), current_actor(), now)
    return render_template(
        "publishing/attention.html",
        items=items,
        now=now,
        form=ResolveForm(formdata=None),
        errors={},
    )


@bp.post("/deliveries/<int:delivery_id>/resolve")
@editor_required
def resolve(delivery_id: int) -> Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    delivery = deliveries.get_delivery(session, actor, delivery_id)
    form = ResolveForm()
    back = request.form.get("back") == "by-hand"
    if not form.validate_on_submit() and _csrf_failed(form):
        abort(400)
    try:
        deliveries.resolve_delivery(
            session, actor, delivery, form.action.data or "", _now(), url=form.url.data
        )
    except (ValidationError, ConflictError) as exc:
        now = _now()
        errors = {delivery.id: _(exc.message)}
        if back:
            items = deliveries.list_by_hand(session, actor, now)
            template = "publishing/by_hand.html"
        else:
            items = deliveries.list_attention(session, actor, now)
            template = "publishing/attention.html"
        page = render_template(
            template,
            items=items,
            now=now,
            texts=_texts,
            form=form,
            errors=errors,
            failed_id=delivery.id,
        )
        return page, status_for(exc)
    commit()
    messages = {
        "retry": _("The delivery will be sent again in a moment."),
        "mark_posted": _("Marked as posted; the publication is in the archive."),
        "cancel": _("The delivery is cancelled; the fragment is approved and off the calendar."),
    }
    flash(messages.get(form.action.data or "", _("Done.")), "success")
    return redirect(url_for("publishing.by_hand" if back else "publishing.attention"))


# --- channel publisher settings (admins) ----------------------------------------------------------


@bp.get("/settings/publishing")
@admin_required
def publishers() -> str:
    from planner.channels import services as channel_services

    channels = channel_services.list_channels(db_session(), current_actor())
    return render_template(
        "publishing/publishers.html", channels=channels, kinds=dict(publisher_kind_choices())
    )


def _publisher_form(channel: Any) -> PublisherForm:
    form = PublisherForm(prefix="pub")
    form.publisher_kind.choices = publisher_kind_choices()
    form.approval_steps.choices = approval_step_choices()
    if request.method == "GET":
        stored = channel.publisher_settings or {}
        form.publisher_kind.data = channel.publisher_kind
        form.approval_steps.data = str(channel.approval_steps)
        form.url.data = stored.get("url") or stored.get("base_url")
        form.username.data = stored.get("username")
        form.smtp_host.data = stored.get("host")
        form.smtp_port.data = stored.get("port")
        form.smtp_from.data = stored.get("sender")
        form.smtp_to.data = ", ".join(stored.get("recipients") or [])
    return form


_FIELD_FOR = {
    "url": "url",
    "base_url": "url",
    "username": "username",
    "host": "smtp_host",
    "port": "smtp_port",
    "sender": "smtp_from",
    "recipients": "smtp_to",
    "secret": "secret",
    "publisher_kind": "publisher_kind",
    "approval_steps": "approval_steps",
}


@bp.route("/channels/<int:channel_id>/publishing", methods=["GET", "POST"])
@admin_required
def channel_publishing(channel_id: int) -> Response | tuple[str, int]:
    from planner.channels import services as channel_services
    from planner.publishing.publisher_settings import PublisherInput, configure_publisher

    session = db_session()
    actor = current_actor()
    channel = channel_services.get_channel(session, actor, channel_id)
    form = _publisher_form(channel)
    status = 200
    if form.validate_on_submit():
        steps = form.approval_steps.data
        data = PublisherInput(
            kind=form.publisher_kind.data or "",
            approval_steps=int(steps) if steps in ("0", "1", "2") else None,
            url=form.url.data,
            username=form.username.data,
            host=form.smtp_host.data,
            port=form.smtp_port.data,
            sender=form.smtp_from.data,
            recipients=(form.smtp_to.data or "").replace(";", ",").split(","),
            secret=form.secret.data,
            clear_secret=bool(form.clear_secret.data),
        )
        try:
            configure_publisher(
                session,
                actor,
                channel,
                data,
                current_app.extensions["planner.secret_box"],
                allow_loopback=current_app.extensions["planner.settings"].allow_loopback_targets,
            )
        except ValidationError as exc:
            target = getattr(form, _FIELD_FOR.get(exc.field or "", ""), None)
            if target is not None:
                target.errors = [*target.errors, _(exc.message)]
            else:
                form.form_errors.append(_(exc.message))
            status = 400
        else:
            commit()
            flash(_("The publishing settings of %(name)s are saved.", name=channel.name), "success")
            return redirect(url_for("publishing.channel_publishing", channel_id=channel.id))
    elif request.method == "POST":
        status = 400
    page = render_template(
        "publishing/channel_publishing.html",
        channel=channel,
        form=form,
        has_secret=channel.publisher_secret is not None,
    )
    return page, status


# --- the archive export (admins) ------------------------------------------------------------------


@bp.get("/settings/archive")
@admin_required
def archive_page() -> Response | tuple[str, int]:
    from planner.publishing import archive

    form = ArchiveForm(request.args)
    publications: list[Any] = []
    since = until = None
    error = None
    if form.validate():
        try:
            since, until = archive.period_bounds(
                form.start.data, form.end.data, organisation_timezone()
            )
        except ValidationError as exc:
            error = _(exc.message)
        else:
            publications = archive.list_publications(
                db_session(), current_actor(), since=since, until=until
            )
    elif request.args:
        error = _("Check the dates: use the date picker or YYYY-MM-DD.")
    if error is None and form.format.data in ("csv", "json"):
        stamp = (
            "-".join(d.isoformat() for d in (form.start.data, form.end.data) if d is not None)
            or "all"
        )
        if form.format.data == "csv":
            body = archive.to_csv(publications)
            mimetype = "text/csv"
        else:
            body = archive.to_json(publications, since=since, until=until)
            mimetype = "application/json"
        response = Response(body, mimetype=mimetype)
        response.headers["Content-Disposition"] = (
            f'attachment; filename="publications-{stamp}.{form.format.data}"'
        )
        return response
    page = render_template(
        "publishing/archive.html",
        form=form,
        publications=publications[:200],
        total=len(publications),
        error=error,
    )
    return page, 400 if error else 200


# --- the dashboard panel --------------------------------------------------------------------------


def dashboard_panel(session: Any, actor: Any) -> Any:
    """Deliveries that need a person, for editors; None for anyone else."""
    from flask_babel import format_datetime

    from planner.accounts.models import Role
    from planner.web.dashboard import Panel

    if not actor.has_role(Role.EDITOR):
        return None
    now = _now()
    labels = {
        "failed": _("Failed"),
        "missed": _("Missed"),
        "needs_check": _("Needs checking"),
    }
    items = []
    for d in deliveries.list_attention(session, actor, now)[:8]:
        state = labels.get(d.state.value, _("Overdue, post by hand"))
        label = f"{state}: {d.fragment.story.title} · {d.channel.name} · "
        label += format_datetime(d.due_at, "short")
        target = (
            url_for("publishing.by_hand")
            if d.state.value in ("pending", "retrying")
            else url_for("publishing.attention")
        )
        items.append((label, f"{target}#delivery-{d.id}"))
    return Panel(
        title=_("Deliveries that need you"),
        items=items,
        empty=_("Nothing needs you: every delivery is on track."),
        link=(_("Retry, mark as posted or cancel"), url_for("publishing.attention")),
    )
