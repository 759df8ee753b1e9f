"""The inbox pages (/inbox: the list, a conversation, saved replies, the ideas list, the webcare
report and settings) and the inbound webhook endpoint (/hooks/inbound/<source>).

Each view parses its input, calls one service and renders or redirects; a refused action comes
back as a message on the conversation's page (the request then saves nothing).

The module is long because a conversation has many small actions (answer, assign, note, theme,
close, link, story, statement), each a short view of its own; splitting them would scatter one page.
"""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from planner.accounts.guards import admin_required, current_actor, editor_required
from planner.accounts.models import Role, User
from planner.channels.models import Channel
from planner.errors import ConflictError, NotFoundError, PlannerError, ValidationError
from planner.inbox import intake, services, tips, webcare
from planner.inbox.forms import (
    ActionForm,
    AssignForm,
    LinkForm,
    NoteForm,
    ReplyForm,
    SavedReplyForm,
    SettingsForm,
    SourceForm,
    StatementForm,
    StoryFromMessageForm,
    ThemeForm,
)
from planner.inbox.models import Conversation, ConversationState, Direction, SourceKind
from planner.inbox.sources.webhook import parse_inbound, verified
from planner.organisation import current as current_organisation
from planner.publishing import runtime as publishing_runtime
from planner.stories.models import Theme
from planner.timekeeping.wallclock import local_date
from planner.web import runtime
from planner.web.database import db_session, discard
from planner.web.files import send_stored
from planner.web.problems import problem

bp = Blueprint("inbox", __name__)
hooks = Blueprint("inbound_hooks", __name__)

#: the largest body an inbound webhook may have
MAX_HOOK_BYTES = 256 * 1024


def state_labels() -> dict[str, str]:
    return {
        "new": _("New"),
        "assigned": _("Assigned"),
        "answered": _("Answered"),
        "closed": _("Closed"),
        "no_action": _("No action"),
    }


def source_labels() -> dict[str, str]:
    return {
        "mastodon": _("Mastodon"),
        "mailbox": _("E-mail"),
        "webhook": _("Form"),
        "feed": _("Feed"),
    }


def _editors() -> list[User]:
    return [
        u
        for u in db_session().scalars(
            select(User).where(User.is_active.is_(True)).order_by(User.name)
        )
        if u.has_role(Role.EDITOR)
    ]


def _themes() -> list[Theme]:
    return list(db_session().scalars(select(Theme).order_by(Theme.name)))


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


@bp.get("/inbox")
@editor_required
def index() -> str:
    session = db_session()
    actor = current_actor()
    kind = request.args.get("source", "")
    state = request.args.get("state", "")
    filters = services.InboxFilters(
        source_kind=SourceKind(kind) if kind in {k.value for k in SourceKind} else None,
        state=ConversationState(state) if state in {s.value for s in ConversationState} else None,
        assignee_id=_int_arg("assignee"),
        theme_id=_int_arg("theme"),
        open_only=request.args.get("open") == "1",
    )
    page = _int_arg("page") or 1
    rows, total = services.list_conversations(session, actor, filters, page=page)
    now = runtime.now()
    settings = webcare.get_settings(session)
    hours = webcare.office_hours(settings, current_organisation.timezone(), now.date())
    clocks = {c.id: webcare.clock_for(c, c.source.kind, settings, hours, now) for c in rows}
    return render_template(
        "inbox/index.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // services.PER_PAGE)),
        latest=services.latest_messages(session, [c.id for c in rows]),
        clocks=clocks,
        editors=_editors(),
        themes=_themes(),
        state_labels=state_labels(),
        source_labels=source_labels(),
        args=request.args,
        open_count=services.count_open(session),
    )


def _conversation(conversation_id: int) -> Conversation:
    return services.get_conversation(db_session(), current_actor(), conversation_id)


def _back(conversation_id: int) -> Response:
    return redirect(url_for("inbox.show", conversation_id=conversation_id))


def _refused(conversation_id: int, exc: PlannerError) -> Response:
    discard()
    flash(_(exc.message), "error")
    return _back(conversation_id)


@bp.get("/inbox/<int:conversation_id>")
@editor_required
def show(conversation_id: int) -> str:
    session = db_session()
    actor = current_actor()
    conversation = _conversation(conversation_id)
    now = runtime.now()
    settings = webcare.get_settings(session)
    hours = webcare.office_hours(settings, current_organisation.timezone(), now.date())
    saved = services.list_saved_replies(session, actor)
    reply_form = ReplyForm(version=str(conversation.version), started_at=str(int(time.time())))
    use = _int_arg("use")
    if use is not None:
        chosen = next((s for s in saved if s.id == use), None)
        if chosen is not None:
            reply_form.text.data = chosen.body
    assign_form = AssignForm(assignee=conversation.assignee_id or 0)
    assign_form.assignee.choices = [(0, _("Nobody"))] + [(u.id, u.name) for u in _editors()]
    theme_form = ThemeForm(theme=conversation.theme_id or 0)
    theme_form.theme.choices = [(0, _("No theme"))] + [(t.id, t.name) for t in _themes()]
    statement_form = StatementForm(
        text=_("Not true. What is true: …")
        if conversation.source.kind == SourceKind.MASTODON
        else ""
    )
    channels = list(
        session.scalars(select(Channel).where(Channel.is_active.is_(True)).order_by(Channel.name))
    )
    statement_form.channel.choices = [(c.id, c.name) for c in channels]
    if conversation.source.channel_id:
        statement_form.channel.data = conversation.source.channel_id
    return render_template(
        "inbox/show.html",
        conversation=conversation,
        deliveries=services.delivery_states(session, conversation.messages),
        clock=webcare.clock_for(conversation, conversation.source.kind, settings, hours, now),
        reply_form=reply_form,
        assign_form=assign_form,
        theme_form=theme_form,
        note_form=NoteForm(),
        action_form=ActionForm(version=str(conversation.version)),
        link_form=LinkForm(),
        story_form=StoryFromMessageForm(title=conversation.subject or ""),
        statement_form=statement_form,
        saved=saved,
        state_labels=state_labels(),
        source_labels=source_labels(),
        Direction=Direction,
    )


@bp.get("/inbox/<int:conversation_id>/files/<key>")
@editor_required
def attachment(conversation_id: int, key: str) -> Any:
    """A kept attachment, only through the conversation it belongs to."""
    conversation = _conversation(conversation_id)
    for message in conversation.messages:
        for item in message.attachments:
            if item.get("kept") and item.get("key") == key:
                return send_stored(
                    key, str(item.get("mime") or "application/octet-stream"), immutable=True
                )
    abort(404)
    return None


def _version(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@bp.post("/inbox/<int:conversation_id>/reply")
@editor_required
def reply(conversation_id: int) -> Response:
    conversation = _conversation(conversation_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        flash(_("Write the answer first."), "error")
        return _back(conversation_id)
    started = form.started_at.data or ""
    handling = int(time.time()) - int(started) if started.isdigit() else None
    try:
        services.reply(
            db_session(),
            current_actor(),
            conversation,
            form.text.data or "",
            now=runtime.now(),
            timezone=current_organisation.timezone(),
            handling_seconds=handling,
            expected_version=_version(form.version.data),
        )
    except (ValidationError, ConflictError) as exc:
        return _refused(conversation_id, exc)
    flash(_("Your answer is on its way."), "success")
    return _back(conversation_id)


@bp.post("/inbox/<int:conversation_id>/assign")
@editor_required
def assign(conversation_id: int) -> Response:
    conversation = _conversation(conversation_id)
    form = AssignForm()
    form.assignee.choices = [(0, "")] + [(u.id, u.name) for u in _editors()]
    if not form.validate_on_submit():
        flash(_("Choose an editor to assign to."), "error")
        return _back(conversation_id)
    try:
        services.assign(db_session(), current_actor(), conversation, form.assignee.data or None)
    except (ValidationError, ConflictError) as exc:
        return _refused(conversation_id, exc)
    flash(_("Assigned."), "success")
    return _back(conversation_id)


@bp.post("/inbox/<int:conversation_id>/note")
@editor_required
def note(conversation_id: int) -> Response:
    conversation = _conversation(conversation_id)
    form = NoteForm()
    if not form.validate_on_submit():
        flash(_("Write the note first."), "error")
        return _back(conversation_id)
    services.add_note(db_session(), current_actor(), conversation, form.body.data or "")
    return _back(conversation_id)


@bp.post("/inbox/<int:conversation_id>/theme")
@editor_required
def theme(conversation_id: int) -> Response:
    conversation = _conversation(conversation_id)
    form = ThemeForm()
    form.theme.choices = [(0, "")] + [(t.id, t.name) for t in _themes()]
    if form.validate_on_submit():
        try:
            services.set_theme(db_session(), current_actor(), conversation, form.theme.data or None)
        except ValidationError as exc:
            return _refused(conversation_id, exc)
    return _back(conversation_id)


@bp.post("/inbox/<int:conversation_id>/close")
@editor_required
def close(conversation_id: int) -> Response:
    conversation = _conversation(conversation_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.close(
            db_session(),
            current_actor(),
            conversation,
            no_action=request.form.get("no_action") == "1",
            now=runtime.now(),
            expected_version=_version(form.version.data),
        )
    except ConflictError as exc:
        return _refused(conversation_id, exc)
    flash(_("The conversation is closed."), "success")
    return redirect(url_for("inbox.index"))


@bp.post("/inbox/<int:conversation_id>/reopen")
@editor_required
def reopen(conversation_id: int) -> Response:
    conversation = _conversation(conversation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.reopen(db_session(), current_actor(), conversation)
    except ConflictError as exc:
        return _refused(conversation_id, exc)
    return _back(conversation_id)


@bp.post("/inbox/<int:conversation_id>/consent")
@editor_required
def consent(conversation_id: int) -> Response:
    conversation = _conversation(conversation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.record_quote_consent(db_session(), current_actor(), conversation, runtime.now())
    flash(_("Consent to quote is recorded."), "success")
    return _back(conversation_id)


@bp.post("/inbox/<int:conversation_id>/link")
@editor_required
def link(conversation_id: int) -> Response:
    conversation = _conversation(conversation_id)
    form = LinkForm()
    if not form.validate_on_submit() or not (form.story.data or form.fragment.data):
        flash(_("Give a story or fragment number."), "error")
        return _back(conversation_id)
    try:
        services.link(
            db_session(),
            current_actor(),
            conversation,
            story_id=form.story.data,
            fragment_id=form.fragment.data,
        )
    except ValidationError as exc:
        return _refused(conversation_id, exc)
    flash(_("Linked."), "success")
    return _back(conversation_id)


@bp.post("/inbox/<int:conversation_id>/story")
@editor_required
def make_story(conversation_id: int) -> Response:
    conversation = _conversation(conversation_id)
    form = StoryFromMessageForm()
    if not form.validate_on_submit():
        flash(_("Give the story a title."), "error")
        return _back(conversation_id)
    try:
        story = services.make_story(
            db_session(),
            current_actor(),
            conversation,
            title=form.title.data or "",
            quote=bool(form.quote.data),
            summary=form.summary.data or "",
        )
    except (ValidationError, ConflictError) as exc:
        return _refused(conversation_id, exc)
    flash(_("The story has been made."), "success")
    return redirect(url_for("stories.show", story_id=story.id))


@bp.post("/inbox/<int:conversation_id>/statement")
@editor_required
def statement(conversation_id: int) -> Response:
    conversation = _conversation(conversation_id)
    form = StatementForm()
    form.channel.choices = [
        (c.id, c.name)
        for c in db_session().scalars(select(Channel).where(Channel.is_active.is_(True)))
    ]
    if not form.validate_on_submit():
        flash(_("Write the statement and choose a channel."), "error")
        return _back(conversation_id)
    try:
        fragment = services.answer_with_statement(
            db_session(),
            current_actor(),
            conversation,
            channel_id=form.channel.data,
            text=form.text.data or "",
        )
    except (ValidationError, ConflictError, NotFoundError) as exc:
        return _refused(conversation_id, exc)
    flash(_("An urgent statement is ready for review."), "success")
    return redirect(url_for("fragments.edit", fragment_id=fragment.id))


# --- saved replies, ideas, report, settings ------------------------------------------------------


@bp.route("/inbox/saved", methods=["GET", "POST"])
@editor_required
def saved_replies() -> str | Response:
    session = db_session()
    form = SavedReplyForm()
    if form.validate_on_submit():
        try:
            services.save_reply(
                session, current_actor(), form.title.data or "", form.body.data or ""
            )
        except ValidationError as exc:
            form.title.errors = [*form.title.errors, _(exc.message)]
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("inbox.saved_replies"))
    return render_template(
        "inbox/saved.html", form=form, replies=services.list_saved_replies(session, current_actor())
    )


@bp.post("/inbox/saved/<int:reply_id>/delete")
@editor_required
def delete_saved(reply_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    services.delete_saved_reply(db_session(), current_actor(), reply_id)
    return redirect(url_for("inbox.saved_replies"))


@bp.get("/inbox/ideas")
@editor_required
def ideas() -> str:
    return render_template(
        "inbox/ideas.html",
        tips=tips.list_tips(db_session(), current_actor()),
        action_form=ActionForm(),
    )


@bp.post("/inbox/ideas/<int:tip_id>/story")
@editor_required
def tip_story(tip_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        story = tips.tip_to_story(db_session(), current_actor(), tip_id)
    except ConflictError as exc:
        discard()
        flash(_(exc.message), "error")
        return redirect(url_for("inbox.ideas"))
    flash(_("The tip is now a story."), "success")
    return redirect(url_for("stories.show", story_id=story.id))


@bp.post("/inbox/ideas/<int:tip_id>/dismiss")
@editor_required
def tip_dismiss(tip_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    tips.dismiss_tip(db_session(), current_actor(), tip_id, runtime.now())
    return redirect(url_for("inbox.ideas"))


def _report_period() -> tuple[date, date]:
    today = local_date(runtime.now(), current_organisation.timezone())
    try:
        start = date.fromisoformat(request.args.get("start", ""))
    except ValueError:
        start = today - timedelta(days=today.weekday() + 21)
    try:
        end = date.fromisoformat(request.args.get("end", ""))
    except ValueError:
        end = today
    if end < start or (end - start).days > 370:
        end = start + timedelta(days=27)
    return start, end


@bp.get("/inbox/report")
@editor_required
def report() -> str:
    start, end = _report_period()
    result = webcare.webcare_report(
        db_session(), current_actor(), start, end, current_organisation.timezone(), runtime.now()
    )
    return render_template(
        "inbox/report.html",
        report=result,
        source_labels=source_labels(),
        state_labels=state_labels(),
    )


@bp.route("/inbox/settings", methods=["GET", "POST"])
@admin_required
def settings() -> str | Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    row = webcare.get_settings(session)
    hours = row.office_hours or {}
    data: dict[str, Any] = {f"day_{d}": "-".join(hours.get(str(d), [])) for d in range(7)}
    data.update(
        holiday_country=row.holiday_country,
        target_mastodon=(row.targets or {}).get("mastodon", 60),
        target_mailbox=(row.targets or {}).get("mailbox", 480),
        target_webhook=(row.targets or {}).get("webhook", 480),
        retention_days=row.retention_days,
        handling_minutes=row.handling_minutes,
        fte_hours=row.fte_hours,
        productive_share=row.productive_share,
    )
    form = SettingsForm(data=data) if request.method == "GET" else SettingsForm()
    source_form = SourceForm(prefix="source")
    status = 200
    if request.method == "POST" and request.form.get("form") == "source":
        if source_form.validate_on_submit():
            try:
                intake.create_source(
                    session,
                    actor,
                    publishing_runtime.secret_box(),
                    kind=SourceKind(source_form.kind.data),
                    name=source_form.name.data or "",
                    settings={
                        k: getattr(source_form, k).data
                        for k in (
                            "url",
                            "address",
                            "imap_host",
                            "imap_port",
                            "username",
                            "smtp_host",
                            "smtp_port",
                        )
                        if getattr(source_form, k).data
                    },
                    secret=source_form.secret.data or None,
                )
            except ValidationError as exc:
                discard()
                source_form.name.errors = [*source_form.name.errors, _(exc.message)]
                status = 422
            else:
                flash(_("The source has been added."), "success")
                return redirect(url_for("inbox.settings"))
        else:
            status = 422
    elif request.method == "POST":
        if form.validate_on_submit():
            windows = {}
            for d in range(7):
                value = (getattr(form, f"day_{d}").data or "").strip()
                if value:
                    windows[str(d)] = [part.strip() for part in value.split("-", 1)]
            try:
                webcare.update_settings(
                    session,
                    actor,
                    office_hours=windows,
                    holiday_country=(form.holiday_country.data or "NL").upper(),
                    targets={
                        "mastodon": form.target_mastodon.data,
                        "mailbox": form.target_mailbox.data,
                        "webhook": form.target_webhook.data,
                    },
                    retention_days=form.retention_days.data,
                    handling_minutes=form.handling_minutes.data,
                    fte_hours=form.fte_hours.data,
                    productive_share=form.productive_share.data,
                    now=runtime.now(),
                )
            except ValidationError as exc:
                discard()
                form.form_errors.append(_(exc.message))
                status = 422
            else:
                flash(_("The changes have been saved."), "success")
                return redirect(url_for("inbox.settings"))
        else:
            status = 422
    intake.ensure_mastodon_sources(session)
    page = render_template(
        "inbox/settings.html",
        form=form,
        source_form=source_form,
        sources=intake.list_sources(session, actor),
        source_labels=source_labels(),
        hook_base=runtime.base_url() + "/hooks/inbound/",
    )
    return page, status


@bp.post("/inbox/sources/<int:source_id>/active")
@admin_required
def source_active(source_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    intake.set_source_active(
        db_session(), current_actor(), source_id, request.form.get("active") == "1"
    )
    return redirect(url_for("inbox.settings"))


# --- inbound webhooks ---------------------------------------------------------------------------


@hooks.post("/hooks/inbound/<slug>")
def inbound(slug: str) -> Response:
    """A signed message from the organisation's own form; 202 once stored (or already stored)."""
    session = db_session()
    source = intake.find_source_by_slug(session, slug)
    if source is None or source.kind != SourceKind.WEBHOOK or not source.is_active:
        return problem(404, "Not found", "No inbound webhook has this name.")
    body = request.get_data(cache=False)
    if len(body) > MAX_HOOK_BYTES:
        return problem(413, "Payload too large", "The message is larger than 256 kB.")
    secret = publishing_runtime.secret_box().decrypt(source.secret) if source.secret else ""
    headers = request.headers
    msg_id = headers.get("webhook-id", "")
    if not verified(
        secret,
        msg_id=msg_id,
        timestamp=headers.get("webhook-timestamp", ""),
        signature=headers.get("webhook-signature", ""),
        body=body,
        now=runtime.now(),
    ):
        return problem(401, "Unauthorized", "The webhook signature or timestamp is not valid.")
    try:
        payload = json.loads(body)
    except ValueError:
        return problem(400, "Bad request", "The body must be JSON.", type_="bad-json")
    try:
        incoming = parse_inbound(msg_id, payload, runtime.now())
    except ValidationError as exc:
        return problem(
            422,
            "Unprocessable content",
            exc.message,
            type_="validation-error",
            errors=[{"field": exc.field, "message": exc.message}],
        )
    stored = intake.store_incoming(
        session, source, [incoming], now=runtime.now(), storage=runtime.storage()
    )
    response = jsonify({"webhook_id": msg_id, "stored": bool(stored)})
    response.status_code = 202
    return response
