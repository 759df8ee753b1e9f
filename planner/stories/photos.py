"""Use cases for the photos of a story: upload, alt text, focal point, delete, channel variants.

Uploads are checked and normalised in memory (planner.media.imaging) before anything is stored,
so a batch with one bad file stores nothing. Bytes go through the Storage port the caller hands
in; rows are flushed, never committed, except the crop cache (``channel_crop``), which records a
crop in a short transaction of its own. Crops are made once per photo, channel kind and image
spec, and dropped when the focal point moves.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.channels.catalogue import ImageSpec, find_kind
from planner.db import write_session
from planner.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from planner.media import imaging
from planner.media.imaging import ImageRejectedError, NormalisedImage, VariantSpec
from planner.media.storage import Storage, parse_key
from planner.stories.models import Photo, PhotoVariant, Story, StoryStatus

#: Photos per story; a channel never takes more than a carousel of ten.
MAX_PHOTOS = 12
#: Per file. Phone photos are 3–12 MB; the request limit (32 MB) covers a few of them at once.
MAX_PHOTO_BYTES = 20 * imaging.MiB
#: 40 MP is far above any phone camera, and below what a 2-core web worker decodes comfortably.
MAX_PHOTO_PIXELS = imaging.DEFAULT_MAX_PIXELS
ALT_MAX = 1000

#: The editor's preview on the story page: the whole photo, small.
PREVIEW_KIND = "preview"
_PREVIEW_SPEC = VariantSpec("preview", 640)

_MIME_BY_SUFFIX = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


@dataclass(frozen=True)
class PhotoUpload:
    """One file as a person sent it, with the alt text they typed next to it."""

    data: bytes
    alt: str = ""
    filename: str = ""


@dataclass(frozen=True)
class PreparedPhoto:
    image: NormalisedImage
    alt: str


def mime_for_key(key: str) -> str:
    name = parse_key(key)
    return _MIME_BY_SUFFIX.get(name[name.rfind(".") :], "application/octet-stream")


def _clean_alt(alt: str, field: str) -> str:
    if "\x00" in alt:
        raise ValidationError("The text contains a character we cannot store.", field=field)
    alt = " ".join(alt.split())
    if len(alt) > ALT_MAX:
        raise ValidationError("The description is too long (at most 1000 characters).", field=field)
    return alt


def prepare_photos(uploads: Sequence[PhotoUpload], *, field: str = "photos") -> list[PreparedPhoto]:
    """Check and normalise every upload, or raise for the first bad one, having stored nothing.

    The error's field is ``<field>-<index>`` so a form can put the message next to the right file.
    """
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError("You can add at most 12 photos to a story.", field=field)
    prepared = []
    for index, upload in enumerate(uploads):
        try:
            image = imaging.inspect_and_normalise(
                upload.data, max_pixels=MAX_PHOTO_PIXELS, max_bytes=MAX_PHOTO_BYTES
            )
        except ImageRejectedError as exc:
            raise ImageRejectedError(exc.template, field=f"{field}-{index}", **exc.details) from exc
        prepared.append(PreparedPhoto(image, _clean_alt(upload.alt, f"{field}-{index}-alt")))
    return prepared


def attach_photos(
    session: Session,
    actor: User | None,
    story: Story,
    prepared: Sequence[PreparedPhoto],
    storage: Storage,
) -> list[Photo]:
    """Store prepared photos and add them to ``story`` (no role check: callers have done it)."""
    if len(story.photos) + len(prepared) > MAX_PHOTOS:
        raise ValidationError("You can add at most 12 photos to a story.", field="photos")
    position = max((p.position for p in story.photos), default=-1) + 1
    photos = []
    for offset, item in enumerate(prepared):
        image = item.image
        key = storage.put(image.data, image.suffix)
        photo = Photo(
            story=story,
            storage_key=key,
            width=image.width,
            height=image.height,
            mime=image.mime,
            byte_size=len(image.data),
            sha256=image.sha256,
            alt_text=item.alt,
            focal_x=0.5,
            focal_y=0.5,
            position=position + offset,
            uploaded_by_id=actor.id if actor is not None else None,
        )
        session.add(photo)
        photos.append(photo)
    session.flush()
    for photo in photos:
        record_event(
            session,
            actor,
            "photo.add",
            photo,
            story=story.id,
            sha256=photo.sha256,
            has_alt=photo.has_alt_text,
        )
    return photos


# --- permissions ---------------------------------------------------------------------------------


def _may_read(actor: User, story: Story) -> bool:
    return actor.has_role(Role.EDITOR) or story.contributor_id == actor.id


def _may_change(actor: User, story: Story) -> bool:
    """Editors change any story's photos; a contributor their own while it is still new."""
    if actor.has_role(Role.EDITOR):
        return True
    return story.contributor_id == actor.id and story.status == StoryStatus.NEW


def _story_for_change(session: Session, actor: User, story_id: int) -> Story:
    story = session.get(Story, story_id)
    if story is None:
        raise NotFoundError("This story does not exist.")
    if not _may_change(actor, story):
        raise PermissionDeniedError("You cannot change the photos of this story.")
    return story


def get_photo(session: Session, actor: User | None, photo_id: int) -> Photo:
    actor = require_role(actor, Role.CONTRIBUTOR)
    photo = session.get(Photo, photo_id)
    if photo is None:
        raise NotFoundError("This photo does not exist.")
    if not _may_read(actor, photo.story):
        raise PermissionDeniedError("You can only see the photos of your own stories.")
    return photo


def _photo_for_change(session: Session, actor: User, photo_id: int) -> Photo:
    photo = get_photo(session, actor, photo_id)
    if not _may_change(actor, photo.story):
        raise PermissionDeniedError("You cannot change the photos of this story.")
    return photo


# --- use cases -----------------------------------------------------------------------------------


def add_photos(
    session: Session,
    actor: User | None,
    story_id: int,
    uploads: Sequence[PhotoUpload],
    storage: Storage,
) -> list[Photo]:
    actor = require_role(actor, Role.CONTRIBUTOR)
    story = _story_for_change(session, actor, story_id)
    if not uploads:
        raise ValidationError("Choose a photo first.", field="photos")
    prepared = prepare_photos(uploads)
    return attach_photos(session, actor, story, prepared, storage)


def add_photo(
    session: Session,
    actor: User | None,
    story_id: int,
    data: bytes,
    alt: str,
    storage: Storage,
) -> Photo:
    return add_photos(session, actor, story_id, [PhotoUpload(data, alt)], storage)[0]


def _check_focal(value: float, field: str) -> float:
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise ValidationError("The focal point lies between 0 and 1.", field=field)
    return round(value, 4)


def update_photo(
    session: Session,
    actor: User | None,
    photo_id: int,
    storage: Storage,
    *,
    alt: str | None = None,
    focal: tuple[float, float] | None = None,
) -> Photo:
    """Change the alt text and/or the focal point; moving the focal point drops cached crops."""
    actor = require_role(actor, Role.CONTRIBUTOR)
    photo = _photo_for_change(session, actor, photo_id)
    changes: dict[str, object] = {}
    if alt is not None:
        alt = _clean_alt(alt, "alt")
        if alt != photo.alt_text:
            photo.alt_text = alt
            changes["has_alt"] = bool(alt)
    if focal is not None:
        fx, fy = _check_focal(focal[0], "focal_x"), _check_focal(focal[1], "focal_y")
        if (fx, fy) != (photo.focal_x, photo.focal_y):
            photo.focal_x, photo.focal_y = fx, fy
            changes["focal"] = [fx, fy]
            _drop_variants(session, photo, storage, keep_preview=True)
    session.flush()
    if changes:
        record_event(session, actor, "photo.update", photo, story=photo.story_id, **changes)
    return photo


def delete_photo(session: Session, actor: User | None, photo_id: int, storage: Storage) -> int:
    """Remove a photo and its crops; returns the story's id."""
    actor = require_role(actor, Role.CONTRIBUTOR)
    photo = _photo_for_change(session, actor, photo_id)
    story_id = photo.story_id
    record_event(session, actor, "photo.delete", photo, story=story_id, sha256=photo.sha256)
    remove_photos(session, [photo], storage)
    return story_id


def remove_photos(session: Session, photos: Sequence[Photo], storage: Storage) -> None:
    """Delete photo rows and every stored file no remaining row refers to (no role check)."""
    keys = set()
    for photo in photos:
        keys.add(photo.storage_key)
        keys.update(v.storage_key for v in photo.variants)
        if photo in photo.story.photos:
            photo.story.photos.remove(photo)
        session.delete(photo)
    session.flush()
    _delete_unreferenced(session, keys, storage)


def _drop_variants(session: Session, photo: Photo, storage: Storage, *, keep_preview: bool) -> None:
    gone = [v for v in photo.variants if not (keep_preview and v.channel_kind == PREVIEW_KIND)]
    keys = {v.storage_key for v in gone}
    for variant in gone:
        photo.variants.remove(variant)
    session.flush()
    _delete_unreferenced(session, keys, storage)


def _delete_unreferenced(session: Session, keys: set[str], storage: Storage) -> None:
    """Content addressing lets two rows share a file: delete only what nothing points at."""
    for key in keys:
        used = session.scalar(
            select(func.count()).select_from(Photo).where(Photo.storage_key == key)
        ) or session.scalar(
            select(func.count()).select_from(PhotoVariant).where(PhotoVariant.storage_key == key)
        )
        if not used:
            storage.delete(key)


# --- variants ------------------------------------------------------------------------------------


def image_specs(kind_key: str) -> tuple[ImageSpec, ...]:
    if kind_key == PREVIEW_KIND:
        return ()
    kind = find_kind(kind_key)
    if kind is None or not kind.images:
        raise NotFoundError("This channel has no image sizes.")
    return kind.images


def _variant_spec(kind_key: str, spec_name: str | None) -> VariantSpec:
    if kind_key == PREVIEW_KIND:
        return _PREVIEW_SPEC
    specs = image_specs(kind_key)
    chosen = (
        specs[0] if spec_name is None else next((s for s in specs if s.name == spec_name), None)
    )
    if chosen is None:
        raise NotFoundError("This channel has no image of that name.")
    return VariantSpec(chosen.name, chosen.width, chosen.height, chosen.max_bytes)


@dataclass(frozen=True)
class Crop:
    """A channel crop of a photo, stored and (normally) recorded as a PhotoVariant."""

    storage_key: str
    mime: str


def _cached(photo: Photo, kind_key: str, spec_name: str, storage: Storage) -> Crop | None:
    for variant in photo.variants:
        if (variant.channel_kind, variant.spec_name) == (kind_key, spec_name) and storage.exists(
            variant.storage_key
        ):
            return Crop(variant.storage_key, variant.mime)
    return None


@dataclass(frozen=True)
class _Rendered:
    photo_id: int
    channel_kind: str
    spec_name: str
    focal: tuple[float, float]
    storage_key: str
    width: int
    height: int
    mime: str
    byte_size: int


def _render(photo: Photo, kind_key: str, spec: VariantSpec, storage: Storage) -> _Rendered:
    focal = (photo.focal_x, photo.focal_y)
    data = imaging.make_variants(storage.read(photo.storage_key), [spec], focal)[spec.name]
    suffix = ".png" if spec.fmt == "PNG" else ".webp" if spec.fmt == "WEBP" else ".jpg"
    key = storage.put(data, suffix)
    width, height = _size_of(data)
    return _Rendered(
        photo.id, kind_key, spec.name, focal, key, width, height, mime_for_key(key), len(data)
    )


def _record(session: Session, rendered: _Rendered, storage: Storage) -> Crop:
    """Remember a rendered crop, or keep one recorded meanwhile by someone else."""
    photo = session.get(Photo, rendered.photo_id)
    if photo is None or (photo.focal_x, photo.focal_y) != rendered.focal:
        # Deleted, or the focal point moved while cropping: serve this crop, keep nothing.
        return Crop(rendered.storage_key, rendered.mime)
    shape = (rendered.channel_kind, rendered.spec_name)
    for variant in list(photo.variants):
        if (variant.channel_kind, variant.spec_name) == shape:
            if storage.exists(variant.storage_key):
                return Crop(variant.storage_key, variant.mime)
            photo.variants.remove(variant)  # its file was gone
    session.flush()
    photo.variants.append(
        PhotoVariant(
            channel_kind=rendered.channel_kind,
            spec_name=rendered.spec_name,
            storage_key=rendered.storage_key,
            width=rendered.width,
            height=rendered.height,
            mime=rendered.mime,
            byte_size=rendered.byte_size,
        )
    )
    session.flush()
    return Crop(rendered.storage_key, rendered.mime)


def channel_crop(
    factory: sessionmaker[Session],
    photo: Photo,
    kind_key: str,
    storage: Storage,
    spec_name: str | None = None,
) -> Crop:
    """The photo cropped for a channel kind (its first image spec unless one is named): the one
    crop protocol of the editor's preview, the photo pages and the publishing engine.

    Found in the cache, or made once: the crop is rendered without holding any lock (decoding a
    large photo takes a while) and recorded in a short write transaction of its own, which takes
    SQLite's write lock first so concurrent requests wait for each other; that is why this takes
    a session factory and commits, unlike the other services. The first crop recorded wins.
    """
    spec = _variant_spec(kind_key, spec_name)
    cached = _cached(photo, kind_key, spec.name, storage)
    if cached is not None:
        return cached
    rendered = _render(photo, kind_key, spec, storage)
    for _attempt in range(2):
        try:
            with write_session(factory) as session:
                return _record(session, rendered, storage)
        except IntegrityError:  # recorded at the same moment by another process: read theirs
            continue
    raise ConflictError("This crop is being made right now; try again in a moment.")


def photos_may_go_out(story: Story) -> bool:
    """Consent still stands for the story and, when a form was signed, it allowed photos."""
    if story.consent_withdrawn_at is not None:
        return False
    if not story.consents:
        return True  # an employee's own story has no consent form
    return any(c.allow_photos and c.withdrawn_at is None for c in story.consents)


def _size_of(data: bytes) -> tuple[int, int]:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return image.size


def authorise_media_key(session: Session, actor: User | None, key: str) -> str:
    """The MIME type of a stored file ``actor`` may see, found through the row that owns it."""
    actor = require_role(actor, Role.CONTRIBUTOR)
    key = parse_key(key)
    photos = list(session.scalars(select(Photo).where(Photo.storage_key == key)))
    photos += [
        v.photo
        for v in session.scalars(select(PhotoVariant).where(PhotoVariant.storage_key == key))
    ]
    if not photos:
        raise NotFoundError("This media file does not exist.")
    if not any(_may_read(actor, photo.story) for photo in photos):
        raise PermissionDeniedError("You can only see the photos of your own stories.")
    return mime_for_key(key)


def photos_missing_alt(story: Story) -> list[Photo]:
    return [photo for photo in story.photos if not photo.has_alt_text]


def usable_photos(story: Story, kind_key: str) -> list[Photo]:
    """The photos a channel may carry: every image needs alt text before it goes out (house
    style and WCAG), so photos without it are held back until an editor writes it."""
    kind = find_kind(kind_key)
    if kind is None or not kind.images:
        return []
    return [photo for photo in story.photos if photo.has_alt_text]
