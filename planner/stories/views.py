"""Pages for stories: the list, sending one in, reviewing it, intake links, the public intake
form and the admin's privacy requests. Each view parses a form, calls one service, commits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from typing import Any

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
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
from werkzeug.wrappers import Response
from wtforms import Field

from planner.errors import ConflictError, ValidationError
from planner.stories import services, workflow
from planner.stories.consent import consent_text
from planner.stories.forms import (
    ActionForm,
    AssignForm,
    CommentForm,
    DeclineForm,
    FilterForm,
    IntakeLinkForm,
    PrivacyForm,
    PublicStoryForm,
    StatusForm,
    StoryForm,
    language_choices,
    source_labels,
    status_labels,
)
from planner.stories.models import Story, StorySource, StoryStatus
from planner.web.auth import admin_required, contributor_required, current_actor, editor_required
from planner.web.database import commit, db_session
from planner.web.extensions import limiter

bp = Blueprint("stories", __name__)


def _now() -> datetime:
    now: datetime = current_app.extensions["planner.clock"].now()
    return now


def _intake_limit() -> str:
    return str(current_app.extensions["planner.settings"].intake_rate_limit)


def _attach_error(form: Any, exc: ValidationError) -> None:
    field: Field | None = getattr(form, exc.field or "", None)
    message = _(exc.message)
    if isinstance(field, Field):
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


def render_body(text: str) -> Markup:
    """Story text as safe HTML: sanitised Markdown, or escaped paragraphs when the Markdown is
    too complex to render safely (the text is still shown, just not formatted)."""
    from planner.markup import render_markdown

    try:
        # render_markdown sanitises its output, so it is safe to embed.
        return Markup(render_markdown(text))  # noqa: S704
    except ValidationError:
        return plain_paragraphs(text)


def plain_paragraphs(text: str) -> Markup:
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Markup("").join(
        Markup("<p>%s</p>") % Markup("<br>").join(escape(line) for line in p.split("\n"))
        for p in paragraphs
    )


@bp.app_template_global()
def story_status_label(value: str) -> object:
    return status_labels().get(value, value)


@bp.app_template_global()
def story_source_label(value: str) -> object:
    return source_labels().get(value, value)


def _theme_choices(form: StoryForm) -> None:
    form.themes.choices = [(t.id, t.name) for t in services.list_themes(db_session())]


# --- the list and a story ------------------------------------------------------------------------


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@bp.get("/stories")
@contributor_required
def index() -> str:
    session = db_session()
    actor = current_actor()
    form = FilterForm(request.args)
    form.status.choices = [("", _("Any status")), *status_labels().items()]
    form.source.choices = [("", _("Any source")), *source_labels().items()]
    form.theme.choices = [("", _("Any theme"))] + [
        (str(t.id), t.name) for t in services.list_themes(session)
    ]
    form.campaign.choices = [("", _("Any campaign"))] + [
        (str(c.id), c.name) for c in services.list_campaigns(session)
    ]
    status_values = {s.value for s in StoryStatus}
    source_values = {s.value for s in StorySource}
    filters = services.StoryFilters(
        status=StoryStatus(form.status.data) if form.status.data in status_values else None,
        source=StorySource(form.source.data) if form.source.data in source_values else None,
        theme_id=_int_or_none(form.theme.data),
        campaign_id=_int_or_none(form.campaign.data),
        q=(form.q.data or "")[:200] or None,
    )
    stories = services.list_stories(session, actor, filters)
    return render_template(
        "stories/index.html",
        form=form,
        stories=stories,
        is_editor=actor.has_role(services.Role.EDITOR),
    )


@bp.route("/stories/new", methods=["GET", "POST"])
@contributor_required
def new() -> str | Response:
    form = StoryForm()
    _theme_choices(form)
    if form.validate_on_submit():
        try:
            story = services.submit_story(
                db_session(),
                current_actor(),
                title=form.title.data or "",
                body=form.body.data or "",
                language=form.language.data or "nl",
                theme_ids=form.themes.data or [],
            )
        except ValidationError as exc:
            _attach_error(form, exc)
        else:
            commit()
            flash(_("Thank you! Your story has been sent to the editors."), "success")
            return redirect(url_for("stories.show", story_id=story.id))
    return render_template("stories/new.html", form=form)


def _story_page(story: Story, **forms: Any) -> str:
    session = db_session()
    status_form = forms.get("status_form") or StatusForm(prefix="st")
    status_form.status.choices = [
        (s.value, status_labels()[s.value])
        for s in workflow.next_statuses(story.status)
        if s != StoryStatus.DECLINED
    ]
    assign_form = forms.get("assign_form") or AssignForm(prefix="as")
    assign_form.editor.choices = [("", _("Nobody"))] + [
        (str(u.id), u.name) for u in services.list_editors(session)
    ]
    if not assign_form.is_submitted():
        assign_form.editor.data = str(story.editor_id) if story.editor_id else ""
    return render_template(
        "stories/show.html",
        story=story,
        body_html=render_body(story.body),
        is_editor=current_actor().has_role(services.Role.EDITOR),
        is_admin=current_actor().has_role(services.Role.ADMIN),
        can_accept=workflow.can_move(story.status, StoryStatus.ACCEPTED),
        can_decline=workflow.can_move(story.status, StoryStatus.DECLINED),
        is_publishable=services.is_publishable(story),
        action_form=ActionForm(),
        decline_form=forms.get("decline_form") or DeclineForm(prefix="dc"),
        status_form=status_form,
        assign_form=assign_form,
        comment_form=forms.get("comment_form") or CommentForm(prefix="cm"),
    )


@bp.get("/stories/<int:story_id>")
@contributor_required
def show(story_id: int) -> str:
    story = services.get_story(db_session(), current_actor(), story_id)
    return _story_page(story)


def _done(story_id: int, message: str) -> Response:
    commit()
    flash(message, "success")
    return redirect(url_for("stories.show", story_id=story_id))


@bp.post("/stories/<int:story_id>/accept")
@editor_required
def accept(story_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.accept_story(db_session(), current_actor(), story_id)
    except ConflictError as exc:
        flash(_(exc.message), "error")
        return redirect(url_for("stories.show", story_id=story_id))
    return _done(story_id, _("The story has been accepted."))


@bp.post("/stories/<int:story_id>/decline")
@editor_required
def decline(story_id: int) -> str | Response:
    session = db_session()
    form = DeclineForm(prefix="dc")
    if form.validate_on_submit():
        try:
            services.decline_story(session, current_actor(), story_id, form.reason.data or "")
        except ValidationError as exc:
            _attach_error(form, exc)
        else:
            return _done(story_id, _("The story has been declined."))
    story = services.get_story(session, current_actor(), story_id)
    return _story_page(story, decline_form=form)


@bp.post("/stories/<int:story_id>/status")
@editor_required
def change_status(story_id: int) -> str | Response:
    session = db_session()
    form = StatusForm(prefix="st")
    form.status.choices = [(s.value, s.value) for s in StoryStatus if s != StoryStatus.DECLINED]
    if form.validate_on_submit():
        try:
            services.set_story_status(
                session, current_actor(), story_id, StoryStatus(form.status.data)
            )
        except ConflictError as exc:
            flash(_(exc.message), "error")
            return redirect(url_for("stories.show", story_id=story_id))
        return _done(story_id, _("The status has been changed."))
    return redirect(url_for("stories.show", story_id=story_id))


@bp.post("/stories/<int:story_id>/assign")
@editor_required
def assign(story_id: int) -> str | Response:
    session = db_session()
    form = AssignForm(prefix="as")
    form.editor.choices = [("", "")] + [(str(u.id), u.name) for u in services.list_editors(session)]
    if form.validate_on_submit():
        try:
            services.assign_editor(
                session, current_actor(), story_id, _int_or_none(form.editor.data)
            )
        except ValidationError as exc:
            _attach_error(form, exc)
        else:
            return _done(story_id, _("The editor has been assigned."))
    story = services.get_story(session, current_actor(), story_id)
    return _story_page(story, assign_form=form)


@bp.post("/stories/<int:story_id>/comments")
@editor_required
def comment(story_id: int) -> str | Response:
    session = db_session()
    form = CommentForm(prefix="cm")
    if form.validate_on_submit():
        try:
            services.add_comment(session, current_actor(), story_id, form.body.data or "")
        except ValidationError as exc:
            _attach_error(form, exc)
        else:
            return _done(story_id, _("Your comment has been added."))
    story = services.get_story(session, current_actor(), story_id)
    return _story_page(story, comment_form=form)


@bp.post("/stories/<int:story_id>/withdraw-consent")
@editor_required
def withdraw_consent(story_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    services.withdraw_consent(db_session(), current_actor(), story_id, _now())
    return _done(story_id, _("The consent has been withdrawn; this story will not be published."))


# --- intake links --------------------------------------------------------------------------------


@bp.route("/stories/intake", methods=["GET", "POST"])
@editor_required
def intake_links() -> str | Response:
    session = db_session()
    form = IntakeLinkForm()
    if form.validate_on_submit():
        expires_at = None
        if form.expires_on.data:
            expires_at = datetime.combine(form.expires_on.data, time(23, 59), tzinfo=UTC)
        try:
            services.create_intake_link(
                session,
                current_actor(),
                title=form.title.data or "",
                intro=form.intro.data or "",
                expires_at=expires_at,
            )
        except ValidationError as exc:
            _attach_error(form, exc)
        else:
            commit()
            flash(_("The intake link has been created."), "success")
            return redirect(url_for("stories.intake_links"))
    links = services.list_intake_links(session, current_actor())
    return render_template(
        "stories/intake_links.html",
        form=form,
        links=links,
        now=_now(),
        action_form=ActionForm(),
    )


@bp.post("/stories/intake/<int:link_id>/close")
@editor_required
def close_intake_link(link_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    services.close_intake_link(db_session(), current_actor(), link_id, _now())
    commit()
    flash(_("The intake link has been closed."), "success")
    return redirect(url_for("stories.intake_links"))


# --- the public intake form ----------------------------------------------------------------------


@bp.route("/i/<token>", methods=["GET", "POST"])
@limiter.limit(_intake_limit, methods=["POST"])
def intake(token: str) -> str | Response:
    session = db_session()
    link = services.get_open_intake_link(session, token, _now())
    form = PublicStoryForm()
    language = str(get_locale() or "nl")
    if form.validate_on_submit():
        submission = services.PublicSubmission(
            name=form.name.data or "",
            email=form.email.data or "",
            title=form.title.data or "",
            body=form.body.data or "",
            language=language if language in dict(language_choices()) else "nl",
            allow_story=bool(form.allow_story.data),
            allow_name=bool(form.allow_name.data),
            allow_photos=bool(form.allow_photos.data),
            website=form.website.data or "",
        )
        try:
            services.submit_public_story(session, None, token, submission, _now())
        except ValidationError as exc:
            _attach_error(form, exc)
        else:
            commit()
            return redirect(url_for("stories.intake_thanks", token=token))
    return render_template(
        "stories/intake.html", form=form, link=link, consent=consent_text(language)
    )


@bp.get("/i/<token>/thanks")
def intake_thanks(token: str) -> str:
    link = services.get_open_intake_link(db_session(), token, _now())
    return render_template("stories/intake_thanks.html", link=link)


# --- privacy (admins) ----------------------------------------------------------------------------


@bp.route("/stories/privacy", methods=["GET", "POST"])
@admin_required
def privacy() -> str | Response:
    form = PrivacyForm()
    if form.validate_on_submit():
        session = db_session()
        email = form.email.data or ""
        try:
            if request.form.get("action") == "erase":
                anonymised, deleted = services.erase_contributor(session, current_actor(), email)
                commit()
                flash(
                    _(
                        "Done: %(anonymised)d stories anonymised, %(deleted)d deleted.",
                        anonymised=anonymised,
                        deleted=deleted,
                    ),
                    "success",
                )
                return redirect(url_for("stories.privacy"))
            data = services.export_contributor_data(session, current_actor(), email, _now())
        except ValidationError as exc:
            _attach_error(form, exc)
        else:
            commit()
            return Response(
                json.dumps(data, ensure_ascii=False, indent=2),
                mimetype="application/json",
                headers={"Content-Disposition": 'attachment; filename="contributor-data.json"'},
            )
    return render_template("stories/privacy.html", form=form)
