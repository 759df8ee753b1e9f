"""Photos through the pages: uploads on the story forms and the intake form (good and bad files,
input kept), the story page's photo tools, the media routes with their access rules and cache
headers, story editing, and the theme and campaign pages."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.stories import intake, services, themes
from planner.stories.models import Campaign, Photo, PhotoVariant, Story, StoryStatus, Theme
from planner.stories.photos import PhotoUpload
from planner.web import runtime
from tests.conftest import EN, Login, make_user
from tests.unit.media.sample_images import BAD_UPLOADS, bad_upload, jpeg


def media_files(app: Flask) -> list[Path]:
    root = Path(runtime.storage(app).root)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def photo_count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Photo)) or 0


def _story_with_photo(app: Flask, db: Session, user: User, alt: str = "Een bankje") -> Story:
    story = services.submit_story(
        db,
        user,
        title="Bankjes",
        body="Nieuw hout.",
        photos=[PhotoUpload(jpeg(800, 600), alt)],
        storage=runtime.storage(app),
    )
    db.commit()
    return story


def _form(**fields: object) -> dict[str, object]:
    # A browser sends every slot's alt text, empty or not.
    slots = {f"photos-{i}-alt": "" for i in range(3)}
    return {"title": "Oude bankjes", "body": "Nieuw hout.", "language": "nl", **slots, **fields}


def test_story_form_uploads_photos_with_alt_text(
    app: Flask, client: FlaskClient, contributor: User, login: Login, db: Session
) -> None:
    login(client, contributor)
    page = client.get("/stories/new", headers=EN).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    resp = client.post(
        "/stories/new",
        data=_form(
            **{
                "photos-0-file": (io.BytesIO(jpeg(gps=True)), "bank.jpg"),
                "photos-0-alt": "Mehmet schuurt een bankje",
                "photos-2-file": (io.BytesIO(jpeg(200, 300)), "detail.jpg"),
            }
        ),
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    story = db.scalar(select(Story).where(Story.title == "Oude bankjes"))
    assert story is not None
    assert [p.alt_text for p in story.photos] == ["Mehmet schuurt een bankje", ""]
    assert len(media_files(app)) == 2
    assert all(b"GPS" not in f.read_bytes() for f in media_files(app))
    html = client.get(f"/stories/{story.id}", headers=EN).get_data(as_text=True)
    assert "1 photo has no alt text yet" in html
    assert 'alt="Mehmet schuurt een bankje"' in html


@pytest.mark.parametrize("name", sorted(set(BAD_UPLOADS) - {"too big"}))
def test_bad_upload_on_story_form_gets_an_error_and_stores_nothing(
    app: Flask, client: FlaskClient, contributor: User, login: Login, db: Session, name: str
) -> None:
    data, message = bad_upload(name)
    login(client, contributor)
    resp = client.post(
        "/stories/new",
        data=_form(
            **{
                "photos-0-file": (io.BytesIO(jpeg()), "goed.jpg"),
                "photos-1-file": (io.BytesIO(data), "slecht.jpg"),
                "photos-1-alt": "Mijn beschrijving blijft",
            }
        ),
        content_type="multipart/form-data",
        headers=EN,
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert message in html
    assert 'id="photos-1-file-error"' in html
    assert "Oude bankjes" in html
    assert "Mijn beschrijving blijft" in html
    assert "choose them again" in html
    assert media_files(app) == []
    assert photo_count(db) == 0
    assert db.scalar(select(Story).where(Story.title == "Oude bankjes")) is None


def test_too_big_upload_is_explained_not_a_crash(
    app: Flask, client: FlaskClient, contributor: User, login: Login, db: Session
) -> None:
    data, message = bad_upload("too big")
    login(client, contributor)
    resp = client.post(
        "/stories/new",
        data=_form(**{"photos-0-file": (io.BytesIO(data), "groot.jpg")}),
        content_type="multipart/form-data",
        headers=EN,
    )
    assert resp.status_code == 200
    assert message in resp.get_data(as_text=True)
    assert media_files(app) == []


def test_error_elsewhere_keeps_text_and_says_photos_must_be_chosen_again(
    app: Flask, client: FlaskClient, contributor: User, login: Login, db: Session
) -> None:
    login(client, contributor)
    resp = client.post(
        "/stories/new",
        data=_form(
            title="",
            body="Mijn tekst blijft staan",
            **{"photos-0-file": (io.BytesIO(jpeg()), "a.jpg"), "photos-0-alt": "Alt blijft"},
        ),
        content_type="multipart/form-data",
        headers=EN,
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Mijn tekst blijft staan" in html
    assert "Alt blijft" in html
    assert "Your photos have not been saved yet: choose them again before you send." in html
    assert media_files(app) == []


def test_resident_sends_a_photo_through_the_intake_form(
    app: Flask, client: FlaskClient, editor: User, db: Session
) -> None:
    link = intake.create_intake_link(db, editor, title="Deel je verhaal")
    db.commit()
    resp = client.post(
        f"/i/{link.token}",
        data={
            "name": "Fatima Ouali",
            "title": "De stoep is vlak",
            "body": "Ik kan nu zelf naar de winkel.",
            "allow_story": "y",
            "photos-0-file": (io.BytesIO(jpeg(gps=True)), "stoep.jpg"),
            "photos-0-alt": "De nieuwe vlakke stoep",
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    story = db.scalar(select(Story).where(Story.intake_link_id == link.id))
    assert story is not None
    assert [(p.alt_text, p.uploaded_by_id) for p in story.photos] == [
        ("De nieuwe vlakke stoep", None)
    ]
    assert len(media_files(app)) == 1


def test_intake_with_a_bad_photo_keeps_everything_typed(
    app: Flask, client: FlaskClient, editor: User, db: Session
) -> None:
    link = intake.create_intake_link(db, editor, title="Deel je verhaal")
    db.commit()
    resp = client.post(
        f"/i/{link.token}",
        data={
            "name": "Fatima Ouali",
            "title": "De stoep is vlak",
            "body": "Ik kan nu zelf naar de winkel.",
            "allow_story": "y",
            "photos-0-file": (io.BytesIO(b"<html>niet een foto</html>"), "stoep.jpg"),
        },
        content_type="multipart/form-data",
        headers=EN,
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "not a photo we can use" in html
    assert 'value="Fatima Ouali"' in html
    assert "Ik kan nu zelf naar de winkel." in html
    assert media_files(app) == []
    assert db.scalar(select(Story).where(Story.intake_link_id == link.id)) is None


def test_media_route_serves_the_master_with_cache_headers_and_etag(
    app: Flask, client: FlaskClient, contributor: User, editor: User, login: Login, db: Session
) -> None:
    story = _story_with_photo(app, db, contributor)
    photo = story.photos[0]
    login(client, editor)
    resp = client.get(f"/media/{photo.storage_key}")
    assert resp.status_code == 200
    assert resp.mimetype == "image/jpeg"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in resp.headers["Cache-Control"]
    assert "private" in resp.headers["Cache-Control"]
    assert resp.headers["ETag"] == f'"{photo.sha256}"'
    assert resp.get_data()[:2] == b"\xff\xd8"
    again = client.get(
        f"/media/{photo.storage_key}", headers={"If-None-Match": resp.headers["ETag"]}
    )
    assert again.status_code == 304
    assert client.get("/media/../../etc/passwd").status_code in (400, 404)
    assert client.get(f"/media/{'0' * 64}.jpg").status_code == 404


def test_private_media_is_refused_to_others_and_anonymous(
    app: Flask, client: FlaskClient, contributor: User, login: Login, db: Session
) -> None:
    story = _story_with_photo(app, db, contributor)
    photo = story.photos[0]
    anonymous = app.test_client()
    for url in (f"/media/{photo.storage_key}", f"/media/photos/{photo.id}/instagram"):
        resp = anonymous.get(url)
        assert resp.status_code == 302
        assert "/sign-in" in resp.headers["Location"]
        assert not resp.get_data().startswith(b"\xff\xd8")
    other = make_user(db, Role.CONTRIBUTOR, "other@example.org", "Otto Other")
    login(client, other)
    assert client.get(f"/media/{photo.storage_key}").status_code == 403
    assert client.get(f"/media/photos/{photo.id}/instagram").status_code == 403
    assert client.get(f"/stories/{story.id}").status_code == 403


def test_channel_variant_route_makes_the_crop_once(
    app: Flask, client: FlaskClient, contributor: User, editor: User, login: Login, db: Session
) -> None:
    story = _story_with_photo(app, db, contributor)
    photo = story.photos[0]
    login(client, editor)
    first = client.get(f"/media/photos/{photo.id}/linkedin?spec=square")
    assert first.status_code == 200
    assert first.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(first.get_data())) as image:
        assert image.size == (600, 600)
    files = media_files(app)
    second = client.get(f"/media/photos/{photo.id}/linkedin?spec=square")
    assert second.get_data() == first.get_data()
    assert media_files(app) == files
    assert db.scalar(select(func.count()).select_from(PhotoVariant)) == 1
    conditional = client.get(
        f"/media/photos/{photo.id}/linkedin?spec=square",
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert conditional.status_code == 304
    assert client.get(f"/media/photos/{photo.id}/webhook").status_code == 404
    assert client.get(f"/media/photos/{photo.id}/nonsense").status_code == 404


def test_story_page_shows_crops_and_the_editor_sets_alt_and_focal_point(
    app: Flask, client: FlaskClient, contributor: User, editor: User, login: Login, db: Session
) -> None:
    story = _story_with_photo(app, db, contributor, alt="")
    photo = story.photos[0]
    login(client, editor)
    html = client.get(f"/stories/{story.id}", headers=EN).get_data(as_text=True)
    assert "1 photo has no alt text yet" in html
    assert f"/media/photos/{photo.id}/instagram" in html
    assert "focal-point.js" in html
    assert client.get(f"/media/photos/{photo.id}/preview").status_code == 200
    resp = client.post(f"/photos/{photo.id}/alt", data={f"alt{photo.id}-alt": "Een nieuw bankje"})
    assert resp.status_code == 302
    resp = client.post(
        f"/photos/{photo.id}/focal-point",
        data={f"fp{photo.id}-focal_x": "0.25", f"fp{photo.id}-focal_y": "0.7"},
    )
    assert resp.status_code == 302
    db.refresh(photo)
    assert (photo.alt_text, photo.focal_x, photo.focal_y) == ("Een nieuw bankje", 0.25, 0.7)
    bad = client.post(
        f"/photos/{photo.id}/focal-point",
        data={f"fp{photo.id}-focal_x": "3", f"fp{photo.id}-focal_y": "x"},
        headers=EN,
    )
    assert bad.status_code == 200
    assert 'aria-invalid="true"' in bad.get_data(as_text=True)
    html = client.get(f"/stories/{story.id}", headers=EN).get_data(as_text=True)
    assert "no alt text yet" not in html


def test_editor_adds_and_deletes_a_photo_on_the_story_page(
    app: Flask, client: FlaskClient, contributor: User, editor: User, login: Login, db: Session
) -> None:
    story = _story_with_photo(app, db, contributor)
    login(client, editor)
    bad = client.post(
        f"/stories/{story.id}/photos",
        data={"up-file": (io.BytesIO(b"GIF89a kapot"), "x.gif"), "up-alt": "Kapot"},
        content_type="multipart/form-data",
        headers=EN,
    )
    assert bad.status_code == 200
    assert "damaged" in bad.get_data(as_text=True) or "not a photo" in bad.get_data(as_text=True)
    assert photo_count(db) == 1
    resp = client.post(
        f"/stories/{story.id}/photos",
        data={"up-file": (io.BytesIO(jpeg(300, 300)), "x.jpg"), "up-alt": "Tweede"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    assert photo_count(db) == 2
    second = db.scalar(select(Photo).where(Photo.alt_text == "Tweede"))
    assert second is not None
    assert client.post(f"/photos/{second.id}/delete").status_code == 302
    assert photo_count(db) == 1
    assert len(media_files(app)) == 1


def test_contributor_edits_own_new_story_but_not_after_acceptance(
    client: FlaskClient, contributor: User, editor: User, login: Login, db: Session
) -> None:
    story = services.submit_story(db, contributor, title="Bankjes", body="Hout.")
    db.commit()
    login(client, contributor)
    page = client.get(f"/stories/{story.id}/edit", headers=EN)
    assert page.status_code == 200
    assert "Campaign" not in page.get_data(as_text=True)
    resp = client.post(
        f"/stories/{story.id}/edit",
        data={"title": "Nieuwe bankjes", "body": "Eiken.", "language": "nl"},
    )
    assert resp.status_code == 302
    db.refresh(story)
    assert story.title == "Nieuwe bankjes"
    services.accept_story(db, editor, story.id)
    db.commit()
    resp = client.post(
        f"/stories/{story.id}/edit", data={"title": "Anders", "body": "x", "language": "nl"}
    )
    assert resp.status_code == 302
    db.refresh(story)
    assert story.title == "Nieuwe bankjes"


def test_editor_edits_text_themes_and_campaign(
    client: FlaskClient, contributor: User, editor: User, login: Login, db: Session
) -> None:
    story = services.submit_story(db, contributor, title="Bankjes", body="Hout.")
    theme = themes.create_theme(db, editor, name="Duurzaamheid")
    campaign = themes.create_campaign(
        db, editor, name="Lente", starts_on=date(2027, 3, 1), ends_on=date(2027, 4, 1)
    )
    db.commit()
    login(client, editor)
    resp = client.post(
        f"/stories/{story.id}/edit",
        data={
            "title": "",
            "body": "Tekst blijft",
            "language": "en",
            "themes": [str(theme.id)],
            "campaign": str(campaign.id),
        },
        headers=EN,
    )
    assert resp.status_code == 200
    assert "Tekst blijft" in resp.get_data(as_text=True)
    resp = client.post(
        f"/stories/{story.id}/edit",
        data={
            "title": "Bankjes van eikenhout",
            "body": "Tekst",
            "language": "en",
            "themes": [str(theme.id)],
            "campaign": str(campaign.id),
        },
    )
    assert resp.status_code == 302
    db.refresh(story)
    assert (story.title, story.language, story.campaign_id) == (
        "Bankjes van eikenhout",
        "en",
        campaign.id,
    )
    assert [t.name for t in story.themes] == ["Duurzaamheid"]


def test_theme_and_campaign_pages(
    client: FlaskClient, editor: User, contributor: User, login: Login, db: Session
) -> None:
    login(client, contributor)
    assert client.get("/stories/themes").status_code == 403
    login(client, editor)
    assert client.get("/stories/themes", headers=EN).status_code == 200
    resp = client.post(
        "/stories/themes", data={"name": "Groen", "description": "Bomen", "target_share": "30"}
    )
    assert resp.status_code == 302
    theme = db.scalar(select(Theme).where(Theme.name == "Groen"))
    assert theme is not None
    dup = client.post("/stories/themes", data={"name": "groen", "target_share": "5"}, headers=EN)
    assert dup.status_code == 200
    assert "already in use" in dup.get_data(as_text=True)
    bad = client.post("/stories/themes", data={"name": "Blauw", "target_share": "140"}, headers=EN)
    assert "percentage from 0 to 100" in bad.get_data(as_text=True)
    edit = client.get(f"/stories/themes/{theme.id}", headers=EN).get_data(as_text=True)
    assert 'value="Groen"' in edit
    client.post(f"/stories/themes/{theme.id}", data={"name": "Groen", "target_share": "25"})
    db.refresh(theme)
    assert theme.target_share == 25

    assert client.get("/stories/campaigns", headers=EN).status_code == 200
    wrong = client.post(
        "/stories/campaigns",
        data={"name": "Zomer", "starts_on": "2027-07-01", "ends_on": "2027-06-01"},
        headers=EN,
    )
    html = wrong.get_data(as_text=True)
    assert "cannot end before it starts" in html
    assert 'value="Zomer"' in html
    ok = client.post(
        "/stories/campaigns",
        data={"name": "Zomer", "starts_on": "2027-06-01", "ends_on": "2027-07-01"},
    )
    assert ok.status_code == 302
    campaign = db.scalar(select(Campaign).where(Campaign.name == "Zomer"))
    assert campaign is not None
    assert client.get(f"/stories/campaigns/{campaign.id}").status_code == 200
    listing = client.get("/stories", headers=EN).get_data(as_text=True)
    assert re.search(r'href="/stories/themes"', listing)


def test_spread_lists_fragments_of_the_story(
    app: Flask, client: FlaskClient, contributor: User, editor: User, login: Login, db: Session
) -> None:
    from planner.channels.models import Channel
    from planner.fragments.services import split_story

    story = services.submit_story(
        db, contributor, title="Bankjes", body="Mehmet repareert bankjes."
    )
    services.accept_story(db, editor, story.id)
    channel = Channel(name="Mastodon test", kind_key="mastodon")
    db.add(channel)
    db.flush()
    fragments = split_story(db, editor, story, [channel.id])
    db.commit()
    login(client, editor)
    html = client.get(f"/stories/{story.id}", headers=EN).get_data(as_text=True)
    assert "Spread" in html
    assert "Mastodon test" in html
    assert f'href="/fragments/{fragments[0].id}"' in html
    assert "not scheduled" in html
    assert story.status == StoryStatus.ACCEPTED
