"""Photo pages of a story: add one, write its alt text, set its focal point, delete it; and the
media routes that serve photos and their channel crops to staff (never to the public)."""

from __future__ import annotations

import re

from flask import (
    abort,
    flash,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from planner.accounts.guards import (
    contributor_required,
    current_actor,
)
from planner.errors import ValidationError
from planner.stories import photos as photo_services
from planner.stories import services
from planner.stories.forms import (
    AltTextForm,
    FocalPointForm,
    PhotoUploadForm,
)
from planner.stories.models import Photo
from planner.stories.views import attach_story_error, bp, done, story_page
from planner.web import runtime
from planner.web.database import db_session
from planner.web.files import send_stored
from planner.web.forms import ActionForm, error_message


@bp.post("/stories/<int:story_id>/photos")
@contributor_required
def add_photo(story_id: int) -> str | Response:
    session = db_session()
    form = PhotoUploadForm(prefix="up")
    if form.validate_on_submit():
        upload = form.file.data
        if not isinstance(upload, FileStorage) or not upload.filename:
            form.file.errors = [_("Choose a photo first.")]
        else:
            try:
                data, alt, actor = upload.read(), form.alt.data or "", current_actor()
                photo_services.add_photo(
                    db_session(), actor, story_id, data, alt, runtime.storage()
                )
            except ValidationError as exc:
                form.file.errors = [*form.file.errors, error_message(exc)]
            else:
                return done(story_id, _("The photo has been added."))
    story = services.get_story(session, current_actor(), story_id)
    return story_page(story, upload_form=form)


def _photo_story(photo_id: int) -> Photo:
    return photo_services.get_photo(db_session(), current_actor(), photo_id)


@bp.post("/photos/<int:photo_id>/alt")
@contributor_required
def photo_alt(photo_id: int) -> str | Response:
    photo = _photo_story(photo_id)
    form = AltTextForm(prefix=f"alt{photo_id}")
    if form.validate_on_submit():
        try:
            alt, actor = form.alt.data or "", current_actor()
            photo_services.update_photo(db_session(), actor, photo_id, runtime.storage(), alt=alt)
        except ValidationError as exc:
            attach_story_error(form, exc)
        else:
            return done(photo.story_id, _("The alt text has been saved."))
    return story_page(photo.story, photo_forms={photo_id: {"alt": form}})


@bp.post("/photos/<int:photo_id>/focal-point")
@contributor_required
def photo_focal_point(photo_id: int) -> str | Response:
    photo = _photo_story(photo_id)
    form = FocalPointForm(prefix=f"fp{photo_id}")
    if form.validate_on_submit():
        try:
            focal, actor = (
                (float(form.focal_x.data or 0), float(form.focal_y.data or 0)),
                current_actor(),
            )
            photo_services.update_photo(
                db_session(), actor, photo_id, runtime.storage(), focal=focal
            )
        except ValidationError as exc:
            attach_story_error(form, exc)
        else:
            flash(_("The focal point has been saved."), "success")
            return redirect(url_for("stories.show", story_id=photo.story_id) + f"#photo-{photo_id}")
    return story_page(photo.story, photo_forms={photo_id: {"focal": form}})


@bp.post("/photos/<int:photo_id>/delete")
@contributor_required
def photo_delete(photo_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    actor = current_actor()
    story_id = photo_services.delete_photo(db_session(), actor, photo_id, runtime.storage())
    return done(story_id, _("The photo has been deleted."))


@bp.get("/media/<path:key>")
@contributor_required
def media(key: str) -> Response:
    mime = photo_services.authorise_media_key(db_session(), current_actor(), key)
    return send_stored(key, mime, immutable=True)


@bp.get("/media/photos/<int:photo_id>/<kind>")
@contributor_required
def photo_variant(photo_id: int, kind: str) -> Response:
    spec = request.args.get("spec") or None
    photo = photo_services.get_photo(db_session(), current_actor(), photo_id)
    # A page asks for all its crops at once; the crop protocol makes each once (planner.stories.
    # photos.channel_crop records it in a short transaction of its own).
    crop = photo_services.channel_crop(
        runtime.session_factory(), photo, kind[:32], runtime.storage(), spec_name=spec
    )
    # ?download=1: the same crop saved as a file, for a post made by hand.
    name = None
    if request.args.get("download") == "1":
        extension = _EXTENSIONS.get(crop.mime, "bin")
        label = "-".join(_SAFE.sub("", part)[:32] for part in (kind, spec or "") if part)
        name = f"foto-{photo.id}-{label}.{extension}"
    return send_stored(crop.storage_key, crop.mime, immutable=False, download_name=name)


_SAFE = re.compile(r"[^A-Za-z0-9_-]")
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}
