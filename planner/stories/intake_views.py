"""Intake: the links editors hand out, and the public form where residents send their story with
their consent (rate-limited, with a honeypot, named after the organisation), and the resident's
own page to withdraw that consent again."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from planner.accounts.guards import (
    current_actor,
    editor_required,
)
from planner.errors import ValidationError
from planner.organisation.services import get_organisation
from planner.stories import intake as intake_services
from planner.stories import privacy as privacy_services
from planner.stories.consent import CONSENT_VERSION, consent_text, version_date
from planner.stories.forms import (
    IntakeLinkForm,
    PublicStoryForm,
    language_choices,
)
from planner.stories.views import (
    attach_story_error,
    bp,
    chosen_uploads,
    photos_need_choosing_again,
    remap_upload_error,
    uploads_of,
)
from planner.stories.withdrawal import story_of_token, withdrawal_token
from planner.web import runtime
from planner.web.database import db_session
from planner.web.extensions import limiter
from planner.web.forms import ActionForm


def _intake_limit() -> str:
    return str(runtime.settings().intake_rate_limit)


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
            intake_services.create_intake_link(
                session,
                current_actor(),
                title=form.title.data or "",
                intro=form.intro.data or "",
                expires_at=expires_at,
            )
        except ValidationError as exc:
            attach_story_error(form, exc)
        else:
            flash(_("The intake link has been created."), "success")
            return redirect(url_for("stories.intake_links"))
    links = intake_services.list_intake_links(session, current_actor())
    return render_template(
        "stories/intake_links.html",
        form=form,
        links=links,
        now=runtime.now(),
        action_form=ActionForm(),
    )


@bp.post("/stories/intake/<int:link_id>/close")
@editor_required
def close_intake_link(link_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    intake_services.close_intake_link(db_session(), current_actor(), link_id, runtime.now())
    flash(_("The intake link has been closed."), "success")
    return redirect(url_for("stories.intake_links"))


@bp.route("/i/<token>", methods=["GET", "POST"])
@limiter.limit(_intake_limit, methods=["POST"])
def intake(token: str) -> str | Response:
    session = db_session()
    link = intake_services.get_open_intake_link(session, token, runtime.now())
    form = PublicStoryForm()
    language = str(get_locale() or "nl")
    uploads = uploads_of(form) if form.is_submitted() else []
    if form.validate_on_submit():
        submission = intake_services.PublicSubmission(
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
            story = intake_services.submit_public_story(
                session,
                None,
                token,
                submission,
                runtime.now(),
                photos=chosen_uploads(uploads),
                storage=runtime.storage(),
            )
        except ValidationError as exc:
            attach_story_error(form, remap_upload_error(exc, uploads))
        else:
            # the personal link to withdraw consent later (a bot caught by the honeypot gets one
            # that leads nowhere, so it cannot tell)
            key = runtime.settings().secret_key
            keep = withdrawal_token(key, story.id) if story is not None else "-"
            return redirect(url_for("stories.intake_thanks", token=token, w=keep))
    if form.is_submitted():
        photos_need_choosing_again(form, uploads)
    org = get_organisation(session)
    return render_template(
        "stories/intake.html",
        form=form,
        link=link,
        consent=consent_text(language, organisation=org.name),
        consent_date=version_date(CONSENT_VERSION),
        public_org=org,
    )


@bp.get("/i/<token>/thanks")
def intake_thanks(token: str) -> str:
    session = db_session()
    link = intake_services.get_open_intake_link(session, token, runtime.now())
    withdraw = request.args.get("w", "")[:200]
    return render_template(
        "stories/intake_thanks.html",
        link=link,
        withdraw_url=(
            url_for("stories.withdraw_own", token=withdraw, _external=True) if withdraw else None
        ),
        public_org=get_organisation(session),
    )


@bp.route("/i/withdraw/<token>", methods=["GET", "POST"])
@limiter.limit(_intake_limit, methods=["POST"])
def withdraw_own(token: str) -> str | Response:
    """The resident's own page to withdraw consent: read what it means, then confirm."""
    session = db_session()
    story_id = story_of_token(runtime.settings().secret_key, token)
    org = get_organisation(session)
    form = ActionForm()
    if form.validate_on_submit():
        story = privacy_services.withdraw_own_consent(session, story_id, runtime.now())
        return render_template(
            "stories/withdraw_own.html", story=story, done=True, form=form, public_org=org
        )
    story = privacy_services.find_story_to_withdraw(session, story_id)
    return render_template(
        "stories/withdraw_own.html", story=story, done=False, form=form, public_org=org
    )
