"""Publishing pages: the approval panel of the fragment editor, reviewer links and the public
review page, the built-in blog, the to-post-by-hand list, problem deliveries, channel publisher
settings and the archive export.

Views parse input, make one service call and commit; a refusal is shown on the page with what
the person typed kept, never as a bare error page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from planner.accounts.guards import (
    admin_required,
    current_actor,
    editor_required,
)
from planner.accounts.models import Role
from planner.approval.models import REVIEWER_MARK
from planner.errors import ConflictError, PermissionDeniedError, ValidationError
from planner.fragments.models import Fragment
from planner.organisation.current import timezone as organisation_timezone
from planner.publishing import connections, deliveries, pause, withdrawal
from planner.publishing import runtime as publishing_runtime
from planner.publishing.forms import (
    ArchiveForm,
    ConnectForm,
    MarkPostedForm,
    PauseForm,
    PublisherForm,
    ResolveForm,
    approval_step_choices,
    publisher_kind_choices,
)
from planner.publishing.public_media import public_media_mime
from planner.web import runtime
from planner.web.database import db_session
from planner.web.files import send_stored
from planner.web.forms import ActionForm, csrf_failed
from planner.web.headers import CONTENT_SECURITY_POLICY
from planner.web.problems import status_for

bp = Blueprint("publishing", __name__)

Refusal = ValidationError | ConflictError | PermissionDeniedError


def _now() -> datetime:
    now: datetime = runtime.now()
    return now


def _base_url() -> str:
    return str(runtime.base_url())


# --- the approval panel ---------------------------------------------------------------------------


# --- reviewer links -------------------------------------------------------------------------------


# --- the built-in blog (public) -------------------------------------------------------------------


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
        photos=deliveries.by_hand_photos,
        form=MarkPostedForm(formdata=None),
        errors={},
    )


#: what the engine writes as a delivery's last error, for the catalogue: the attention page
#: shows these in the reader's language (an adapter's own words from a platform stay as they are)
ENGINE_ERRORS = (
    _l("Not sent within the grace period after its time (the scheduler was not running)."),
    _l(
        "The publisher stopped while sending; this channel cannot tell whether the post went out. "
        "Check the channel, then mark it as posted or try again."
    ),
    _l("The publisher stopped while sending; sending again with the same key."),
    _l("Consent for the story was withdrawn; the publication was stopped."),
    _l("The fragment changed after it was scheduled; approve it again."),
    _l("No feature in this process knows how to send this kind of delivery."),
    _l("The fragment was edited after it was scheduled."),
    _l("Waiting: the channel must be connected again."),
)


@bp.get("/publishing/attention")
@editor_required
def attention() -> str:
    now = _now()
    session, actor = db_session(), current_actor()
    items = deliveries.list_attention(session, actor, now)
    return render_template(
        "publishing/attention.html",
        items=items,
        takedowns=withdrawal.list_takedowns(session, actor),
        reconnects=connections.needing_reconnect(session),
        admin_role=Role.ADMIN,
        now=now,
        form=ResolveForm(formdata=None),
        errors={},
    )


@bp.post("/publications/<int:publication_id>/taken-down")
@editor_required
def taken_down(publication_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    withdrawal.confirm_taken_down(db_session(), current_actor(), publication_id, _now())
    flash(_("Noted: the post has been taken down."), "success")
    return redirect(url_for("publishing.attention"))


@bp.post("/deliveries/<int:delivery_id>/resolve")
@editor_required
def resolve(delivery_id: int) -> Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    delivery = deliveries.get_delivery(session, actor, delivery_id)
    form = ResolveForm()
    back = request.form.get("back") == "by-hand"
    if not form.validate_on_submit() and csrf_failed(form):
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
        if delivery not in items:  # no longer listed (a withdrawn story): say why above the list
            flash(errors[delivery.id], "error")
        page = render_template(
            template,
            items=items,
            takedowns=withdrawal.list_takedowns(session, actor),
            reconnects=connections.needing_reconnect(session),
            admin_role=Role.ADMIN,
            now=now,
            texts=_texts,
            photos=deliveries.by_hand_photos,
            form=form,
            errors=errors,
            failed_id=delivery.id,
        )
        return page, status_for(exc)
    messages = {
        "retry": _("The delivery will be sent again in a moment."),
        "mark_posted": _("Marked as posted; the publication is in the archive."),
        "cancel": _("The delivery is cancelled; the fragment is approved and off the calendar."),
        "release": _("Released: it will be published in a moment."),
    }
    flash(messages.get(form.action.data or "", _("Done.")), "success")
    return redirect(url_for("publishing.by_hand" if back else "publishing.attention"))


# --- the crisis pause -----------------------------------------------------------------------------


def _pause_form() -> PauseForm:
    from planner.channels import services as channel_services

    form = PauseForm()
    channels = channel_services.list_channels(db_session(), current_actor())
    form.channel.choices = [("", _("Everything, on every channel"))] + [
        (str(c.id), c.name) for c in channels
    ]
    return form


def _pause_page(form: PauseForm, status: int = 200) -> tuple[str, int]:
    session = db_session()
    return render_template(
        "publishing/pause.html",
        form=form,
        pauses=pause.active_pauses(session),
        held=pause.list_held(session, current_actor()),
    ), status


@bp.get("/publishing/pause")
@editor_required
def pause_page() -> tuple[str, int]:
    return _pause_page(_pause_form())


@bp.post("/publishing/pause")
@editor_required
def pause_publishing() -> Response | tuple[str, int]:
    form = _pause_form()
    if not form.validate_on_submit():
        if csrf_failed(form):
            abort(400)
        return _pause_page(form, 422)
    channel_id = int(form.channel.data) if form.channel.data else None
    try:
        result = pause.pause_publishing(
            db_session(), current_actor(), _now(), reason=form.reason.data, channel_id=channel_id
        )
    except (ValidationError, ConflictError) as exc:
        form.reason.errors = [*form.reason.errors, _(exc.message)]
        return _pause_page(form, status_for(exc))
    message = _("Publishing is paused. Nothing goes out until you resume; what falls due is held.")
    if result.in_flight:
        message += " " + _(
            "%(n)s deliveries were already being sent at that moment.", n=result.in_flight
        )
    flash(message, "success")
    return redirect(url_for("publishing.pause_page"))


@bp.post("/publishing/resume")
@editor_required
def resume_publishing() -> Response | tuple[str, int]:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    raw = request.form.get("channel", "")
    channel_id = int(raw) if raw.isdigit() else None
    try:
        pause.resume_publishing(db_session(), current_actor(), _now(), channel_id=channel_id)
    except ConflictError as exc:
        flash(_(exc.message), "error")
        return redirect(url_for("publishing.pause_page"))
    flash(_("Publishing resumed. Held deliveries stay held until you release them."), "success")
    return redirect(url_for("publishing.pause_page"))


# --- channel publisher settings (admins) ----------------------------------------------------------


@bp.get("/settings/publishing")
@admin_required
def publishers() -> str:
    from planner.channels import services as channel_services

    session = db_session()
    channels = channel_services.list_channels(session, current_actor())
    clients = publishing_runtime.get().oauth_clients
    statuses = {
        c.id: connections.status_of(session, c, clients(c.kind_key) is not None) for c in channels
    }
    return render_template(
        "publishing/publishers.html",
        channels=channels,
        kinds=dict(publisher_kind_choices()),
        statuses=statuses,
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
def channel_publishing(channel_id: int) -> Response:
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
                publishing_runtime.secret_box(),
                allow_loopback=runtime.settings().allow_loopback_targets,
            )
        except ValidationError as exc:
            target = getattr(form, _FIELD_FOR.get(exc.field or "", ""), None)
            if target is not None:
                target.errors = [*target.errors, _(exc.message)]
            else:
                form.form_errors.append(_(exc.message))
            status = 400
        else:
            flash(_("The publishing settings of %(name)s are saved.", name=channel.name), "success")
            return redirect(url_for("publishing.channel_publishing", channel_id=channel.id))
    elif request.method == "POST":
        status = 400
    return _with_connection(channel, form, status)


def _with_connection(channel: Any, form: PublisherForm, status: int) -> Response:
    """The page with its "Verbinden" card; its form may go to the platform's sign-in page."""
    from planner.publishing import connect_views

    platform = connections.platform_of(channel)
    client = publishing_runtime.get().oauth_clients(platform) if platform else None
    connect_form = ConnectForm(prefix="connect")
    connection = connections.status_of(db_session(), channel, client is not None)
    if platform and request.method == "GET":
        name, _required = connections.ACCOUNT_FIELD[platform]
        connect_form.account_id.data = (channel.publisher_settings or {}).get(name)
    page = render_template(
        "publishing/channel_publishing.html",
        channel=channel,
        form=form,
        has_secret=channel.publisher_secret is not None,
        connection=connection,
        connect_form=connect_form,
        account_needed=bool(platform and connections.ACCOUNT_FIELD[platform][1]),
    )
    response = make_response(page, status)
    origin = connect_views.authorize_origin(client)
    if origin:
        policy = CONTENT_SECURITY_POLICY.replace(
            "form-action 'self'", f"form-action 'self' {origin}"
        )
        response.headers["Content-Security-Policy"] = policy
    return response


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
        reviewer_mark=REVIEWER_MARK,
    )
    return page, 400 if error else 200


@bp.get("/media/public/<path:key>")
def public_media(key: str) -> Response:
    """A channel crop of a photo that went out (or is going out right now), for the remote
    channel and its readers; unpublished photos answer 404 as if they did not exist."""
    mime = public_media_mime(db_session(), key)
    response = send_stored(key, mime, immutable=False)
    # Public, but not for ever: withdrawn consent must be able to take a photo down again.
    response.cache_control.private = None
    response.cache_control.no_cache = None
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
