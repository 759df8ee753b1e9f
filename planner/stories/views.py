"""Story pages: the list, sending one in (with photos), reading and editing it, and the editor's
actions on it (accept, decline, status, assignee, comments, withdrawn consent).

Photos, intake, themes and campaigns, and privacy have pages of their own modules on the same
blueprint; each view parses a form, calls one service and renders or redirects.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup, escape
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from planner.accounts.guards import (
    contributor_required,
    current_actor,
    editor_required,
)
from planner.accounts.models import Role
from planner.channels.catalogue import all_kinds
from planner.channels.labels import kind_label
from planner.errors import ConflictError, ValidationError
from planner.stories import photos as photo_services
from planner.stories import privacy, services, themes, workflow
from planner.stories.consent import version_date
from planner.stories.forms import (
    AltTextForm,
    AssignForm,
    CommentForm,
    DeclineForm,
    FilterForm,
    FocalPointForm,
    PhotoUploadForm,
    StatusForm,
    StoryEditForm,
    StoryForm,
    source_labels,
    status_labels,
)
from planner.stories.models import Story, StorySource, StoryStatus
from planner.stories.panels import STORY_PAGE
from planner.web import runtime
from planner.web.database import db_session, discard
from planner.web.forms import ActionForm, attach_error, error_message, int_arg

bp = Blueprint("stories", __name__)
T = TypeVar("T")


def attach_story_error(form: Any, exc: ValidationError) -> None:
    """A refusal next to its field; "photos-<n>" and "photos-<n>-alt" name a row of uploads."""
    message = error_message(exc)
    name = exc.field or ""
    photos = getattr(form, "photos", None)
    if name.startswith("photos-") and photos is not None:
        # "photos-<index>" is the file, "photos-<index>-alt" the description typed next to it
        index, _sep, part = name.removeprefix("photos-").partition("-")
        if index.isdigit() and int(index) < len(photos.entries):
            entry = photos.entries[int(index)]
            target = entry.form.alt if part == "alt" else entry.form.file
            target.errors = [*target.errors, message]
            return
    attach_error(form, exc)


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
    form.themes.choices = [(t.id, t.name) for t in themes.list_themes(db_session())]


# --- the list and a story ------------------------------------------------------------------------


@bp.get("/stories")
@contributor_required
def index() -> str:
    session = db_session()
    actor = current_actor()
    form = FilterForm(request.args)
    form.status.choices = [("", _("Any status")), *status_labels().items()]
    form.source.choices = [("", _("Any source")), *source_labels().items()]
    form.theme.choices = [("", _("Any theme"))] + [
        (str(t.id), t.name) for t in themes.list_themes(session)
    ]
    form.campaign.choices = [("", _("Any campaign"))] + [
        (str(c.id), c.name) for c in themes.list_campaigns(session)
    ]
    status_values = {s.value for s in StoryStatus}
    source_values = {s.value for s in StorySource}
    filters = services.StoryFilters(
        status=StoryStatus(form.status.data) if form.status.data in status_values else None,
        source=StorySource(form.source.data) if form.source.data in source_values else None,
        theme_id=int_arg(form.theme.data),
        campaign_id=int_arg(form.campaign.data),
        q=(form.q.data or "")[:200] or None,
    )
    stories = services.list_stories(session, actor, filters)
    return render_template(
        "stories/index.html",
        form=form,
        stories=stories,
        is_editor=actor.has_role(Role.EDITOR),
    )


def uploads_of(form: Any) -> list[photo_services.PhotoUpload]:
    """The photo slots that have a file, in order; the index in an error is the slot's."""
    # Read by slot name, not through FieldList, which renumbers entries when a slot is missing.
    uploads = []
    for index in range(len(form.photos.entries)):
        upload = request.files.get(f"{form.photos.name}-{index}-file")
        if isinstance(upload, FileStorage) and upload.filename:
            alt = request.form.get(f"{form.photos.name}-{index}-alt", "")
            uploads.append(
                photo_services.PhotoUpload(data=upload.read(), alt=alt, filename=upload.filename)
            )
        else:
            uploads.append(photo_services.PhotoUpload(b""))
    return uploads


def chosen_uploads(uploads: list[photo_services.PhotoUpload]) -> list[photo_services.PhotoUpload]:
    return [u for u in uploads if u.filename]


def remap_upload_error(
    exc: ValidationError, uploads: list[photo_services.PhotoUpload]
) -> ValidationError:
    """prepare_photos numbers only the chosen files; point the error at the slot instead."""
    field = exc.field or ""
    if not field.startswith("photos-"):
        return exc
    index, sep, rest = field.removeprefix("photos-").partition("-")
    slots = [i for i, u in enumerate(uploads) if u.filename]
    if not index.isdigit() or int(index) >= len(slots):
        return exc
    exc.field = f"photos-{slots[int(index)]}{sep}{rest}"
    return exc


def photos_need_choosing_again(form: Any, uploads: list[photo_services.PhotoUpload]) -> None:
    # Files cannot be put back into a file input, and we do not keep photos of people who have
    # not sent their story yet; so say plainly that they must be chosen again.
    if chosen_uploads(uploads):
        form.form_errors.append(
            _("Your photos have not been saved yet: choose them again before you send.")
        )


@bp.route("/stories/new", methods=["GET", "POST"])
@contributor_required
def new() -> str | Response:
    form = StoryForm()
    _theme_choices(form)
    if form.is_submitted():
        uploads = uploads_of(form)
        if form.validate():
            try:
                story = services.submit_story(
                    db_session(),
                    current_actor(),
                    title=form.title.data or "",
                    body=form.body.data or "",
                    language=form.language.data or "nl",
                    theme_ids=form.themes.data or [],
                    photos=chosen_uploads(uploads),
                    storage=runtime.storage(),
                )
            except ValidationError as exc:
                attach_story_error(form, remap_upload_error(exc, uploads))
            else:
                flash(_("Thank you! Your story has been sent to the editors."), "success")
                return redirect(url_for("stories.show", story_id=story.id))
        photos_need_choosing_again(form, uploads)
    return render_template("stories/new.html", form=form)


def story_page(story: Story, **forms: Any) -> str:
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
    actor = current_actor()
    return render_template(
        "stories/show.html",
        story=story,
        panels=[panel for show in STORY_PAGE.contributors() if (panel := show(story)) is not None],
        can_edit=services.can_edit_story(actor, story),
        photo_forms=_photo_forms(story, forms.get("photo_forms") or {}),
        upload_form=forms.get("upload_form") or PhotoUploadForm(prefix="up"),
        crop_groups=_crop_groups(),
        missing_alt=photo_services.photos_missing_alt(story),
        body_html=render_body(story.body),
        is_editor=current_actor().has_role(Role.EDITOR),
        is_admin=current_actor().has_role(Role.ADMIN),
        can_accept=workflow.can_move(story.status, StoryStatus.ACCEPTED),
        can_decline=workflow.can_move(story.status, StoryStatus.DECLINED),
        is_publishable=services.is_publishable(story),
        action_form=ActionForm(),
        decline_form=forms.get("decline_form") or DeclineForm(prefix="dc"),
        status_form=status_form,
        assign_form=assign_form,
        comment_form=forms.get("comment_form") or CommentForm(prefix="cm"),
        consent_version_date=version_date,
    )


def _photo_forms(story: Story, given: dict[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    forms: dict[int, dict[str, Any]] = {}
    for photo in story.photos:
        mine = given.get(photo.id, {})
        alt_form = mine.get("alt") or AltTextForm(prefix=f"alt{photo.id}")
        focal_form = mine.get("focal") or FocalPointForm(prefix=f"fp{photo.id}")
        if not alt_form.is_submitted() or "alt" not in mine:
            alt_form.alt.data = photo.alt_text
        if "focal" not in mine:
            focal_form.focal_x.data = photo.focal_x
            focal_form.focal_y.data = photo.focal_y
        forms[photo.id] = {"alt": alt_form, "focal": focal_form}
    return forms


def _crop_groups() -> list[dict[str, Any]]:
    """Channel kinds grouped by the shape of their main image: one preview per shape."""
    groups: dict[tuple[int, int], dict[str, Any]] = {}
    for kind in all_kinds():
        spec = kind.primary_image
        if spec is None:
            continue
        shape = (spec.width, spec.height)
        group = groups.setdefault(
            shape, {"kind": kind.key, "aspect": spec.aspect, "labels": [], "spec": spec}
        )
        group["labels"].append(kind_label(kind))
    return list(groups.values())


@bp.get("/stories/<int:story_id>")
@contributor_required
def show(story_id: int) -> str:
    story = services.get_story(db_session(), current_actor(), story_id)
    return story_page(story)


@bp.route("/stories/<int:story_id>/edit", methods=["GET", "POST"])
@contributor_required
def edit(story_id: int) -> str | Response:
    session = db_session()
    actor = current_actor()
    story = services.get_story(session, actor, story_id)
    if not services.can_edit_story(actor, story):
        flash(_("You can change your story only while it is new."), "error")
        return redirect(url_for("stories.show", story_id=story.id))
    form = StoryEditForm(obj=None if request.method == "POST" else story)
    form.themes.choices = [(t.id, t.name) for t in themes.list_themes(session)]
    form.campaign.choices = [("", _("No campaign"))] + [
        (str(c.id), c.name) for c in themes.list_campaigns(session)
    ]
    if request.method == "GET":
        form.themes.data = [t.id for t in story.themes]
        form.campaign.data = str(story.campaign_id) if story.campaign_id else ""
    if form.validate_on_submit():
        try:
            services.update_story(
                session,
                actor,
                story.id,
                title=form.title.data or "",
                body=form.body.data or "",
                language=form.language.data or "nl",
                theme_ids=form.themes.data or [],
                campaign_id=int_arg(form.campaign.data),
            )
        except ValidationError as exc:
            attach_story_error(form, exc)
        else:
            return done(story.id, _("The story has been saved."))
    return render_template(
        "stories/edit.html",
        form=form,
        story=story,
        is_editor=actor.has_role(Role.EDITOR),
    )


# --- photos --------------------------------------------------------------------------------------


def done(story_id: int, message: str) -> Response:
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
        discard()  # nothing of a refused change is saved
        flash(_(exc.message), "error")
        return redirect(url_for("stories.show", story_id=story_id))
    return done(story_id, _("The story has been accepted."))


@bp.post("/stories/<int:story_id>/decline")
@editor_required
def decline(story_id: int) -> str | Response:
    session = db_session()
    form = DeclineForm(prefix="dc")
    if form.validate_on_submit():
        try:
            services.decline_story(session, current_actor(), story_id, form.reason.data or "")
        except ValidationError as exc:
            attach_story_error(form, exc)
        else:
            return done(story_id, _("The story has been declined."))
    story = services.get_story(session, current_actor(), story_id)
    return story_page(story, decline_form=form)


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
            discard()  # nothing of a refused change is saved
            flash(_(exc.message), "error")
            return redirect(url_for("stories.show", story_id=story_id))
        return done(story_id, _("The status has been changed."))
    return redirect(url_for("stories.show", story_id=story_id))


@bp.post("/stories/<int:story_id>/assign")
@editor_required
def assign(story_id: int) -> str | Response:
    session = db_session()
    form = AssignForm(prefix="as")
    form.editor.choices = [("", "")] + [(str(u.id), u.name) for u in services.list_editors(session)]
    if form.validate_on_submit():
        try:
            services.assign_editor(session, current_actor(), story_id, int_arg(form.editor.data))
        except ValidationError as exc:
            attach_story_error(form, exc)
        else:
            return done(story_id, _("The editor has been assigned."))
    story = services.get_story(session, current_actor(), story_id)
    return story_page(story, assign_form=form)


@bp.post("/stories/<int:story_id>/comments")
@editor_required
def comment(story_id: int) -> str | Response:
    session = db_session()
    form = CommentForm(prefix="cm")
    if form.validate_on_submit():
        try:
            services.add_comment(session, current_actor(), story_id, form.body.data or "")
        except ValidationError as exc:
            attach_story_error(form, exc)
        else:
            return done(story_id, _("Your comment has been added."))
    story = services.get_story(session, current_actor(), story_id)
    return story_page(story, comment_form=form)


@bp.post("/stories/<int:story_id>/withdraw-consent")
@editor_required
def withdraw_consent(story_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    privacy.withdraw_consent(db_session(), current_actor(), story_id, runtime.now())
    return done(story_id, _("The consent has been withdrawn; this story will not be published."))


# --- themes and campaigns -----------------------------------------------------------------------


# --- intake links --------------------------------------------------------------------------------


# --- the public intake form ----------------------------------------------------------------------


# --- privacy (admins) ----------------------------------------------------------------------------
