"""Fragment pages: the list, splitting a story, and the editor with its live counter and checks.

The live partial is recomputed on the server on every pause in typing, so the counter, the
preview and the brand findings come from the same pure modules the gate and the publisher use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
from markupsafe import Markup
from werkzeug.wrappers import Response

from planner.accounts.guards import current_actor, editor_required
from planner.brand.highlight import highlight
from planner.channels import services as channel_services
from planner.channels.catalogue import get_kind
from planner.channels.preview import render_photos
from planner.errors import ConflictError, ValidationError
from planner.fragments import gate, services
from planner.fragments import live as live_editing
from planner.fragments.forms import (
    AcknowledgeForm,
    FilterForm,
    FragmentForm,
    SplitForm,
    kind_labels,
    status_labels,
)
from planner.fragments.hashtags import TAGS_IN_TEXT
from planner.fragments.models import Fragment, FragmentStatus
from planner.fragments.panels import EDITOR
from planner.markup import render_markdown
from planner.stories import services as story_services
from planner.web import runtime
from planner.web.database import db_session, read_only
from planner.web.forms import ActionForm, error_message, int_arg

bp = Blueprint("fragments", __name__)

_BRIEF_FIELDS = (
    "hook",
    "key_message",
    "goal",
    "audience",
    "target_duration_seconds",
    "aspect",
    "call_to_action",
)


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {
        "fragment_status_labels": status_labels(),
        "fragment_kind_labels": kind_labels(),
        "highlight_findings": highlight,
    }


def _now() -> datetime:
    now: datetime = runtime.now()
    return now


@bp.get("/fragments")
@editor_required
def index() -> str:
    session = db_session()
    actor = current_actor()
    form = FilterForm(request.args)
    channels = channel_services.list_channels(session, actor)
    form.status.choices = [("", _("Any status")), *status_labels().items()]
    form.channel.choices = [("", _("Any channel"))] + [(str(c.id), c.name) for c in channels]
    statuses = {s.value for s in FragmentStatus}
    story_id = int_arg(request.args.get("story"))
    fragments = services.list_fragments(
        session,
        actor,
        status=FragmentStatus(form.status.data) if form.status.data in statuses else None,
        channel_id=int_arg(form.channel.data),
        story_id=story_id,
    )
    new_ids = {int(v) for v in request.args.get("new", "").split(",")[:50] if v.isdigit()}
    return render_template(
        "fragments/index.html",
        form=form,
        fragments=fragments,
        story=story_services.get_story(session, actor, story_id) if story_id else None,
        new_ids=new_ids,
    )


@bp.route("/stories/<int:story_id>/split", methods=["GET", "POST"])
@editor_required
def split(story_id: int) -> str | Response:
    session = db_session()
    actor = current_actor()
    story = story_services.get_story(session, actor, story_id)
    channels = channel_services.list_channels(session, actor, active_only=True)
    form = SplitForm()
    form.channels.choices = [(c.id, c.name) for c in channels]
    if form.validate_on_submit():
        try:
            fragments = services.split_story(session, actor, story, form.channels.data or [])
        except (ValidationError, ConflictError) as exc:
            form.form_errors.append(error_message(exc))
        else:
            flash(_("%(n)s drafts have been made.", n=len(fragments)), "success")
            # An overview of what was made, not silently the first draft: the editor picks one.
            made = ",".join(str(fragment.id) for fragment in fragments)
            return redirect(url_for("fragments.index", story=story.id, new=made))
    return render_template("fragments/split.html", form=form, story=story, channels=channels)


def _form_for(fragment: Fragment) -> FragmentForm:
    # Only the editor's own form posts these fields; a refused submit or acknowledgement shows
    # the stored fragment, not an empty form read from a request that never carried it.
    if not (request.method == "POST" and request.endpoint == "fragments.edit"):
        return _form_for_stored(fragment)
    form = FragmentForm(obj=fragment)
    form.version.data = str(fragment.version)
    return form


def _form_for_stored(fragment: Fragment) -> FragmentForm:
    """The editor's form filled from the stored fragment, whatever the request carried."""
    form = FragmentForm(formdata=None, obj=fragment)
    form.version.data = str(fragment.version)
    if fragment.kind not in TAGS_IN_TEXT:  # a post's tags are in its text, not a field
        form.hashtags.data = " ".join("#" + tag.lstrip("#") for tag in fragment.hashtags)
    brief = fragment.video_brief or {}
    for name in _BRIEF_FIELDS:
        getattr(form, name).data = brief.get(name)
    return form


def _chosen_photo_ids(fragment: Fragment) -> list[int]:
    """The photos ticked in the posted form, or the stored choice when the form had no picker."""
    if request.method == "POST" and request.form.get("photo_picker") == "1":
        return [int(v) for v in request.form.getlist("photo_ids") if v.isdigit() and len(v) < 10]
    return list(fragment.photo_ids or ())


def _photo_context(fragment: Fragment, chosen: list[int]) -> dict[str, Any]:
    """What the picker and the live preview show: every story photo, the chosen ones cropped."""
    by_id = {photo.id: photo for photo in fragment.story.photos}
    picked = [by_id[i] for i in dict.fromkeys(chosen) if i in by_id]
    kind = fragment.channel.kind_key
    return {
        "story_photos": list(fragment.story.photos),
        "chosen_photo_ids": [photo.id for photo in picked],
        "media_limit": services.media_limit(fragment),
        "photo_previews": render_photos([(p.id, p.alt_text) for p in picked], kind),
    }


@dataclass(frozen=True, slots=True)
class ArticlePreview:
    """An article or newsletter as readers see it, from the text as typed (saved or not)."""

    title: str | None
    lead: str | None
    #: the body's Markdown rendered and cleaned by nh3; None when it is too complex to render
    html: Markup | None
    error: str | None
    #: the hashtag field's tags, as they go with the article (webhook, website)
    hashtags: list[str]


def _article_preview(
    fragment: Fragment, title: str | None, lead: str | None, body: str | None, tags: str | None
) -> ArticlePreview | None:
    if fragment.kind != "article":
        return None
    hashtags = ["#" + tag.lstrip("#") for tag in _tags(tags) if tag.lstrip("#")]
    try:
        html = Markup(render_markdown(body or ""))  # noqa: S704 - sanitised by nh3
    except ValidationError as exc:
        return ArticlePreview(title, lead, None, _(exc.message), hashtags)
    return ArticlePreview(title, lead, html, None, hashtags)


def _editor(
    fragment: Fragment,
    form: FragmentForm,
    *,
    parts: list[str] | None = None,
    refusal: str | None = None,
    status: int = 200,
    ack_form: AcknowledgeForm | None = None,
) -> tuple[str, int]:
    session = db_session()
    article = fragment.kind == "article"
    live = live_editing.preview_fragment(
        fragment,
        parts=parts,
        title=form.title.data if article else None,
        lead=form.lead.data if article else None,
        body=form.body.data if article else None,
    )
    page = render_template(
        "fragments/edit.html",
        fragment=fragment,
        kind=get_kind(fragment.channel.kind_key),
        form=form,
        action_form=ActionForm(),
        live=live,
        revisions=services.list_revisions(session, current_actor(), fragment),
        refusal=refusal,
        blocking=gate.blocking([a for p in live for a in p.alerts]),
        acks=gate.acknowledgements(session, fragment),
        ack_form=ack_form or AcknowledgeForm(formdata=None),
        max_parts=services.MAX_PARTS,
        article=_article_preview(
            fragment, form.title.data, form.lead.data, form.body.data, form.hashtags.data
        ),
        panels=[panel for show in EDITOR.contributors() if (panel := show(fragment)) is not None],
        **_photo_context(fragment, _chosen_photo_ids(fragment)),
    )
    return page, status


def _tags(text: str | None) -> list[str]:
    return (text or "").replace(",", " ").split()


def _changes(fragment: Fragment, form: FragmentForm) -> dict[str, Any]:
    changes: dict[str, Any] = {"is_sponsored": bool(form.is_sponsored.data)}
    if fragment.kind == "article":
        # Only an article has a hashtag field: a post's tags are the ones in its text.
        changes["hashtags"] = _tags(form.hashtags.data)
    if request.form.get("photo_picker") == "1":
        changes["photo_ids"] = _chosen_photo_ids(fragment)
    if fragment.kind in ("post", "thread"):
        changes["parts"] = request.form.getlist("parts")
    elif fragment.kind == "article":
        for name in ("title", "lead", "body", "meta_description"):
            changes[name] = getattr(form, name).data
    else:
        brief = dict(fragment.video_brief or {})
        for name in _BRIEF_FIELDS:
            brief[name] = getattr(form, name).data
        changes["video_brief"] = brief
    return changes


@bp.route("/fragments/<int:fragment_id>", methods=["GET", "POST"])
@editor_required
def edit(fragment_id: int) -> str | Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    fragment = services.get_fragment(session, actor, fragment_id)
    form = _form_for(fragment)
    if form.validate_on_submit():
        # The "submit for review" button belongs to the same form: what is typed is saved first.
        submitting = request.form.get("then") == "submit"
        save = services.save_and_submit if submitting else services.update_fragment
        try:
            save(
                session,
                actor,
                fragment,
                expected_version=int_arg(request.form.get("version")),
                **_changes(fragment, form),
            )
        except (ValidationError, ConflictError) as exc:
            if submitting and exc.details.get("action") == "submit":
                # Saved, not submitted: a 200 keeps the save; the refusal lists what blocks.
                refusal = _(
                    "Your changes are saved, but this draft cannot go to review yet: "
                    "fix the errors listed below."
                )
                return _editor(fragment, _form_for_stored(fragment), refusal=refusal)
            form.form_errors.append(error_message(exc))
            return _editor(fragment, form, parts=request.form.getlist("parts"), status=409)
        if submitting:
            flash(_("Your changes are saved and the fragment is waiting for review."), "success")
        else:
            flash(_("The fragment has been saved."), "success")
        return redirect(url_for("fragments.edit", fragment_id=fragment.id))
    return _editor(fragment, form)


@bp.post("/fragments/<int:fragment_id>/live")
@editor_required
@read_only
def live(fragment_id: int) -> str:
    session = db_session()
    fragment = services.get_fragment(session, current_actor(), fragment_id)
    parts = request.form.getlist("parts") if fragment.kind in ("post", "thread") else None
    # An article is checked over its title, lead and body, as the gate checks it.
    typed = (
        {name: request.form.get(name) for name in ("title", "lead", "body")}
        if fragment.kind == "article"
        else {}
    )
    # the whole form comes along (hx-include): an unticked box is simply absent
    sponsored = bool(request.form.get("is_sponsored")) if "csrf_token" in request.form else None
    return render_template(
        "fragments/_live.html",
        fragment=fragment,
        kind=get_kind(fragment.channel.kind_key),
        live=live_editing.preview_fragment(fragment, parts=parts, sponsored=sponsored, **typed),
        acks=gate.acknowledgements(session, fragment),
        ack_form=AcknowledgeForm(formdata=None),
        oob=True,
        article=_article_preview(
            fragment,
            request.form.get("title", fragment.title),
            request.form.get("lead", fragment.lead),
            request.form.get("body", fragment.body),
            request.form.get("hashtags", " ".join(fragment.hashtags)),
        ),
        **_photo_context(fragment, _chosen_photo_ids(fragment)),
    )


@bp.post("/fragments/<int:fragment_id>/acknowledgements")
@editor_required
def acknowledge(fragment_id: int) -> Response | tuple[str, int]:
    """Let a warning stand with a reason; approval and scheduling then pass it."""
    session = db_session()
    actor = current_actor()
    fragment = services.get_fragment(session, actor, fragment_id)
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        form.reason.errors = [*form.reason.errors] or [_("Give a reason.")]
        return _editor(
            fragment,
            _form_for(fragment),
            refusal=_("The warning was not acknowledged: give a reason."),
            status=422,
            ack_form=form,
        )
    try:
        gate.acknowledge_warning(
            session,
            actor,
            fragment,
            field=form.field.data or "",
            check=form.check.data or "",
            match=form.match.data or "",
            reason=form.reason.data or "",
            now=_now(),
        )
    except ValidationError as exc:
        return _editor(
            fragment, _form_for(fragment), refusal=error_message(exc), status=422, ack_form=form
        )
    flash(_("The warning has been acknowledged."), "success")
    return redirect(url_for("fragments.edit", fragment_id=fragment.id) + "#live")


@bp.post("/fragments/<int:fragment_id>/submit")
@editor_required
def submit(fragment_id: int) -> Response | tuple[str, int]:
    session = db_session()
    actor = current_actor()
    fragment = services.get_fragment(session, actor, fragment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.submit_for_review(session, actor, fragment)
    except ConflictError:
        return _editor(
            fragment,
            _form_for(fragment),
            refusal=_("This draft cannot go to review yet: fix the errors listed below."),
            status=409,
        )
    flash(_("The fragment is waiting for review."), "success")
    return redirect(url_for("fragments.edit", fragment_id=fragment.id))


@bp.post("/fragments/<int:fragment_id>/revisions/<int:version>/restore")
@editor_required
def restore(fragment_id: int, version: int) -> Response:
    session = db_session()
    actor = current_actor()
    fragment = services.get_fragment(session, actor, fragment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.restore_revision(session, actor, fragment, version)
    flash(_("Version %(v)s has been restored.", v=version), "success")
    return redirect(url_for("fragments.edit", fragment_id=fragment.id))
