"""Photo use cases against the real database and a real filesystem storage: uploads (good and
bad), metadata stripping, focal point, cached channel variants, access and privacy."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from planner.accounts.models import Role, User
from planner.errors import PermissionDeniedError, ValidationError
from planner.media.storage import FileSystemStorage
from planner.stories import intake, photos, privacy, services, themes
from planner.stories.models import Photo, PhotoVariant, Story
from planner.stories.photos import PhotoUpload
from tests.conftest import make_user
from tests.unit.media.sample_images import BAD_UPLOADS, bad_upload, encoded, jpeg


@pytest.fixture
def storage(tmp_path: Path) -> FileSystemStorage:
    return FileSystemStorage(tmp_path / "media")


def stored_files(storage: FileSystemStorage) -> list[Path]:
    return [p for p in storage.root.rglob("*") if p.is_file()] if storage.root.exists() else []


def photo_rows(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Photo)) or 0


def crop(
    db: Session,
    factory: sessionmaker[Session],
    actor: User,
    photo_id: int,
    kind: str,
    storage: FileSystemStorage,
    spec_name: str | None = None,
) -> PhotoVariant:
    """A channel crop through the one crop protocol, as the recorded variant row."""
    photo = photos.get_photo(db, actor, photo_id)
    made = photos.channel_crop(factory, photo, kind, storage, spec_name=spec_name)
    db.expire_all()  # the crop was recorded in a transaction of its own
    variant = db.scalar(select(PhotoVariant).where(PhotoVariant.storage_key == made.storage_key))
    assert variant is not None
    return variant


def _story(db: Session, user: User, **kwargs: object) -> Story:
    return services.submit_story(db, user, title="Bankjes", body="Nieuw hout.", **kwargs)  # type: ignore[arg-type]


def test_submit_story_with_photos_stores_normalised_masters(
    db: Session, contributor: User, storage: FileSystemStorage
) -> None:
    story = _story(
        db,
        contributor,
        photos=[PhotoUpload(jpeg(), "Een bankje"), PhotoUpload(encoded("PNG"), "")],
        storage=storage,
    )
    assert [p.alt_text for p in story.photos] == ["Een bankje", ""]
    assert [p.position for p in story.photos] == [0, 1]
    first = story.photos[0]
    assert (first.width, first.height, first.mime) == (320, 240, "image/jpeg")
    assert storage.read(first.storage_key)[:2] == b"\xff\xd8"
    assert first.storage_key.startswith(first.sha256)
    assert first.uploaded_by_id == contributor.id
    assert len(stored_files(storage)) == 2
    assert photos.photos_missing_alt(story) == [story.photos[1]]


def test_stored_photo_has_no_gps_or_other_exif(
    db: Session, contributor: User, storage: FileSystemStorage
) -> None:
    upload = jpeg(gps=True)
    with Image.open(io.BytesIO(upload)) as original:
        assert original.getexif().get_ifd(0x8825)  # the upload really carries GPS
    story = _story(db, contributor, photos=[PhotoUpload(upload, "Plein")], storage=storage)
    data = storage.read(story.photos[0].storage_key)
    with Image.open(io.BytesIO(data)) as stored:
        assert not stored.getexif()
        assert "exif" not in stored.info
    assert b"TestCam" not in data
    assert b"2026:11:20" not in data


@pytest.mark.parametrize("name", sorted(BAD_UPLOADS))
def test_each_bad_upload_is_refused_and_nothing_is_stored(
    db: Session, contributor: User, storage: FileSystemStorage, name: str
) -> None:
    data, message = bad_upload(name)
    before = db.scalar(select(func.count()).select_from(Story))
    with pytest.raises(ValidationError) as caught:
        # A good photo first: it must not be stored when the second one is bad.
        _story(
            db,
            contributor,
            photos=[PhotoUpload(jpeg(), "goed"), PhotoUpload(data, "slecht")],
            storage=storage,
        )
    assert message in caught.value.message
    assert caught.value.field == "photos-1"
    assert stored_files(storage) == []
    assert photo_rows(db) == 0
    assert db.scalar(select(func.count()).select_from(Story)) == before


def test_too_many_photos_is_refused(
    db: Session, contributor: User, storage: FileSystemStorage
) -> None:
    with pytest.raises(ValidationError, match="at most 12"):
        _story(db, contributor, photos=[PhotoUpload(jpeg())] * 13, storage=storage)
    assert stored_files(storage) == []


def test_focal_point_moves_crop_and_drops_cached_variants(
    db: Session,
    editor: User,
    contributor: User,
    storage: FileSystemStorage,
    session_factory: sessionmaker[Session],
) -> None:
    story = _story(db, contributor, photos=[PhotoUpload(jpeg(1600, 600))], storage=storage)
    photo = story.photos[0]
    centred = crop(db, session_factory, editor, photo.id, "instagram", storage)
    centred_key = centred.storage_key
    photos.update_photo(db, editor, photo.id, storage, focal=(0.05, 0.5))
    assert (photo.focal_x, photo.focal_y) == (0.05, 0.5)
    assert photo.variants == []
    assert not storage.exists(centred_key)  # nothing refers to the old crop any more
    left = crop(db, session_factory, editor, photo.id, "instagram", storage)
    assert left.storage_key != centred_key
    with Image.open(io.BytesIO(storage.read(left.storage_key))) as image:
        assert image.size == (600, 600)  # 1:1 crop of a 600 px high photo, never upscaled
        # the left edge of the drawing is the blue background, not the yellow circle
        assert image.getpixel((5, 5))[2] > 150


def test_focal_point_outside_the_photo_is_refused(
    db: Session, editor: User, contributor: User, storage: FileSystemStorage
) -> None:
    story = _story(db, contributor, photos=[PhotoUpload(jpeg())], storage=storage)
    with pytest.raises(ValidationError, match="between 0 and 1"):
        photos.update_photo(db, editor, story.photos[0].id, storage, focal=(1.5, 0.2))
    with pytest.raises(ValidationError):
        photos.update_photo(db, editor, story.photos[0].id, storage, focal=(float("nan"), 0.2))


def test_variant_is_made_once_and_then_reused(
    db: Session,
    editor: User,
    contributor: User,
    storage: FileSystemStorage,
    session_factory: sessionmaker[Session],
) -> None:
    story = _story(db, contributor, photos=[PhotoUpload(jpeg(2000, 1500))], storage=storage)
    photo_id = story.photos[0].id
    first = crop(db, session_factory, editor, photo_id, "bluesky", storage)
    path = storage.path(first.storage_key)
    written = path.stat().st_mtime_ns
    again = crop(db, session_factory, editor, photo_id, "bluesky", storage)
    assert again.id == first.id
    assert again.storage_key == first.storage_key
    assert path.stat().st_mtime_ns == written
    assert db.scalar(select(func.count()).select_from(PhotoVariant)) == 1
    assert (first.width, first.height) == (1600, 900)
    assert first.byte_size <= 1_000_000
    # another spec of a channel is its own cached variant
    square = crop(db, session_factory, editor, photo_id, "linkedin", storage, spec_name="square")
    assert (square.width, square.height) == (1080, 1080)


def test_contributor_cannot_see_or_change_another_contributors_photos(
    db: Session, contributor: User, storage: FileSystemStorage
) -> None:
    other = make_user(db, Role.CONTRIBUTOR, "other@example.org", "Otto Other")
    story = _story(db, other, photos=[PhotoUpload(jpeg())], storage=storage)
    photo = story.photos[0]
    with pytest.raises(PermissionDeniedError):
        photos.get_photo(db, contributor, photo.id)
    with pytest.raises(PermissionDeniedError):
        photos.authorise_media_key(db, contributor, photo.storage_key)
    with pytest.raises(PermissionDeniedError):
        photos.update_photo(db, contributor, photo.id, storage, alt="Mijn tekst")
    assert photos.authorise_media_key(db, other, photo.storage_key) == "image/jpeg"


def test_contributor_changes_own_photos_only_while_story_is_new(
    db: Session, contributor: User, editor: User, storage: FileSystemStorage
) -> None:
    story = _story(db, contributor, photos=[PhotoUpload(jpeg())], storage=storage)
    photos.update_photo(db, contributor, story.photos[0].id, storage, alt="Een bank")
    services.accept_story(db, editor, story.id)
    with pytest.raises(PermissionDeniedError):
        photos.update_photo(db, contributor, story.photos[0].id, storage, alt="Anders")
    photos.update_photo(db, editor, story.photos[0].id, storage, alt="Een nieuwe bank")
    assert story.photos[0].alt_text == "Een nieuwe bank"


def test_delete_photo_removes_row_and_file(
    db: Session,
    editor: User,
    contributor: User,
    storage: FileSystemStorage,
    session_factory: sessionmaker[Session],
) -> None:
    story = _story(db, contributor, photos=[PhotoUpload(jpeg())], storage=storage)
    photo = story.photos[0]
    crop(db, session_factory, editor, photo.id, "x", storage)
    assert len(stored_files(storage)) == 2
    photos.delete_photo(db, editor, photo.id, storage)
    assert story.photos == []
    assert stored_files(storage) == []
    assert photo_rows(db) == 0


def test_same_photo_on_two_stories_keeps_the_file_until_both_are_gone(
    db: Session, editor: User, contributor: User, storage: FileSystemStorage
) -> None:
    data = jpeg()
    one = _story(db, contributor, photos=[PhotoUpload(data)], storage=storage)
    two = _story(db, contributor, photos=[PhotoUpload(data)], storage=storage)
    assert one.photos[0].storage_key == two.photos[0].storage_key
    photos.delete_photo(db, editor, one.photos[0].id, storage)
    assert storage.exists(two.photos[0].storage_key)
    photos.delete_photo(db, editor, two.photos[0].id, storage)
    assert stored_files(storage) == []


def test_privacy_export_lists_photos_and_erase_deletes_their_files(
    db: Session,
    admin: User,
    editor: User,
    storage: FileSystemStorage,
    session_factory: sessionmaker[Session],
) -> None:
    link = intake.create_intake_link(db, editor, title="Deel je verhaal")
    submission = intake.PublicSubmission(
        name="Fatima Ouali",
        email="fatima@example.org",
        title="De stoep",
        body="Vlak nu.",
        allow_story=True,
        allow_photos=True,
    )
    story = intake.submit_public_story(
        db, None, link.token, submission, photos=[PhotoUpload(jpeg(), "Stoep")], storage=storage
    )
    assert story is not None
    assert story.photos[0].uploaded_by_id is None
    crop(db, session_factory, editor, story.photos[0].id, "facebook", storage)
    data = privacy.export_contributor_data(db, admin, "fatima@example.org")
    exported = data["stories"][0]["photos"]
    assert [(p["alt_text"], p["sha256"]) for p in exported] == [("Stoep", story.photos[0].sha256)]
    privacy.erase_contributor(db, admin, "fatima@example.org", storage)
    assert stored_files(storage) == []
    assert photo_rows(db) == 0


def test_themes_and_campaigns_are_managed_by_editors(
    db: Session, editor: User, contributor: User
) -> None:
    theme = themes.create_theme(db, editor, name=" Groen  in de wijk ", target_share=15)
    assert theme.name == "Groen in de wijk"
    with pytest.raises(ValidationError, match="already in use"):
        themes.create_theme(db, editor, name="groen in de wijk")
    with pytest.raises(ValidationError, match="0 to 100"):
        themes.update_theme(db, editor, theme.id, name="Groen", target_share=101)
    with pytest.raises(PermissionDeniedError):
        themes.create_theme(db, contributor, name="Eigen thema")
    from datetime import date

    campaign = themes.create_campaign(
        db, editor, name="Lente", starts_on=date(2027, 3, 1), ends_on=date(2027, 4, 1)
    )
    with pytest.raises(ValidationError, match="end before it starts"):
        themes.update_campaign(
            db,
            editor,
            campaign.id,
            name="Lente",
            starts_on=date(2027, 3, 1),
            ends_on=date(2027, 2, 1),
        )
    themes.update_campaign(
        db,
        editor,
        campaign.id,
        name="Lente 2027",
        starts_on=date(2027, 3, 1),
        ends_on=date(2027, 5, 1),
    )
    assert campaign.name == "Lente 2027"


def test_contributor_edits_own_story_only_while_new(
    db: Session, contributor: User, editor: User
) -> None:
    story = _story(db, contributor)
    services.update_story(
        db, contributor, story.id, title="Nieuwe bankjes", body="Hout.", language="nl"
    )
    assert story.title == "Nieuwe bankjes"
    services.accept_story(db, editor, story.id)
    with pytest.raises(PermissionDeniedError):
        services.update_story(
            db, contributor, story.id, title="Weer anders", body="x", language="nl"
        )


def test_photos_without_alt_text_are_not_usable_on_channels(
    db: Session, contributor: User, storage: FileSystemStorage
) -> None:
    story = _story(
        db,
        contributor,
        photos=[PhotoUpload(jpeg(), "Een bankje"), PhotoUpload(jpeg(200, 200), "  ")],
        storage=storage,
    )
    assert [p.alt_text for p in photos.usable_photos(story, "instagram")] == ["Een bankje"]
    assert photos.usable_photos(story, "webhook") == []
