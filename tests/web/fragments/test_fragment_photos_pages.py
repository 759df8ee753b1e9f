"""The photo picker in the fragment editor, the cropped photos in its live preview, and the public
media route that serves a crop only once its fragment went out."""

from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.channels import services as channel_services
from planner.fragments import services
from planner.fragments.models import Fragment, FragmentStatus
from planner.stories import photos as photo_services
from planner.stories.models import Story, StorySource
from planner.stories.photos import PhotoUpload
from planner.web import runtime
from tests.conftest import EN, Login
from tests.unit.media.sample_images import jpeg


def _story(app: Flask, db: Session, editor: User, alts: list[str]) -> Story:
    story = Story(
        title="Veertig bankjes",
        body="Mehmet repareert elke week de bankjes in het Havenpark. Dit jaar al veertig.",
        language="nl",
        source=StorySource.EMPLOYEE,
    )
    db.add(story)
    db.flush()
    uploads = [PhotoUpload(jpeg(800 + 10 * n, 800), alt) for n, alt in enumerate(alts)]
    photo_services.add_photos(db, editor, story.id, uploads, runtime.storage(app))
    return story


def _fragment(app: Flask, db: Session, editor: User, alts: list[str], kind: str) -> Fragment:
    story = _story(app, db, editor, alts)
    channel = channel_services.create_channel(db, editor, name=f"Kanaal {kind}", kind_key=kind)
    fragment = services.split_story(db, editor, story, [channel.id])[0]
    db.commit()
    return fragment


def _save(client: FlaskClient, fragment: Fragment, photo_ids: list[int]) -> int:
    response = client.post(
        f"/fragments/{fragment.id}",
        data={
            "version": str(fragment.version),
            "parts": list(fragment.parts),
            "hashtags": " ".join("#" + t for t in fragment.hashtags),
            "photo_picker": "1",
            "photo_ids": [str(i) for i in photo_ids],
        },
        headers=EN,
    )
    return response.status_code


def test_picker_lists_the_story_photos_and_saves_the_choice(
    app: Flask, client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _fragment(app, db, editor, ["Een bankje", "Twee bankjes", ""], "mastodon")
    first, second, third = (p.id for p in fragment.story.photos)
    assert sorted(fragment.photo_ids) == [first, second]  # the undescribed one is left out
    login(client, editor)
    page = client.get(f"/fragments/{fragment.id}", headers=EN).get_data(as_text=True)
    assert page.count('name="photo_ids"') == 3
    assert re.search(rf'id="photo-{first}"[^>]*value="{first}"\s+checked', page)
    assert f'id="photo-{third}-warning"' in page
    assert "This channel carries at most 4 photos per post" in page

    assert _save(client, fragment, [second]) == 302
    db.refresh(fragment)
    assert fragment.photo_ids == [second]
    assert fragment.version == 2
    assert services.list_revisions(db, editor, fragment)[0].snapshot["photo_ids"] == [second]

    # Unticking everything is a choice too: no photos.
    assert _save(client, fragment, []) == 302
    db.refresh(fragment)
    assert fragment.photo_ids == []


def test_picker_refuses_more_than_the_channel_carries(
    app: Flask, client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _fragment(app, db, editor, ["Een bankje", "Twee bankjes"], "youtube")
    login(client, editor)
    assert _save(client, fragment, [p.id for p in fragment.story.photos]) == 409
    db.refresh(fragment)
    assert len(fragment.photo_ids) == 1


def test_live_preview_shows_the_chosen_photo_cropped_with_its_alt_text(
    app: Flask, client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _fragment(app, db, editor, ["Mehmet schroeft een bankje vast", ""], "mastodon")
    described, undescribed = (p.id for p in fragment.story.photos)
    login(client, editor)
    live = client.post(
        f"/fragments/{fragment.id}/live",
        data={"parts": list(fragment.parts), "photo_picker": "1", "photo_ids": [str(described)]},
        headers=EN,
    ).get_data(as_text=True)
    src = f"/media/photos/{described}/mastodon"
    assert re.search(rf'<img src="{src}" alt="Mehmet schroeft een bankje vast"', live)
    assert "aspect-ratio: 1600 / 900" in live
    assert "Photo without alt text" not in live

    crop = client.get(src)
    assert crop.status_code == 200
    with Image.open(io.BytesIO(crop.get_data())) as image:
        assert abs(image.size[0] / image.size[1] - 16 / 9) < 0.01  # the channel's 16:9

    live = client.post(
        f"/fragments/{fragment.id}/live",
        data={"parts": list(fragment.parts), "photo_picker": "1", "photo_ids": [str(undescribed)]},
        headers=EN,
    ).get_data(as_text=True)
    assert "Photo without alt text" in live
    assert re.search(rf'<img src="/media/photos/{undescribed}/mastodon" alt=""', live)


def test_public_media_serves_only_crops_of_published_fragments(
    app: Flask, client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _fragment(app, db, editor, ["Een bankje in het park"], "mastodon")
    photo = fragment.story.photos[0]
    login(client, editor)
    assert client.get(f"/media/photos/{photo.id}/mastodon").status_code == 200  # makes the crop
    db.expire_all()
    variant = next(v for v in photo.variants if v.channel_kind == "mastodon")
    anonymous = app.test_client()
    url = f"/media/public/{variant.storage_key}"

    assert anonymous.get(url).status_code == 404  # a draft: private
    assert anonymous.get(f"/media/public/{photo.storage_key}").status_code == 404  # the master

    fragment.status = FragmentStatus.SCHEDULED  # scheduled, but nothing is being sent yet
    db.commit()
    assert anonymous.get(url).status_code == 404

    fragment.status = FragmentStatus.PUBLISHED
    db.commit()
    served = anonymous.get(url)
    assert served.status_code == 200
    assert served.mimetype == "image/jpeg"
    assert "public" in served.headers["Cache-Control"]
    assert anonymous.get(f"/media/public/{photo.storage_key}").status_code == 404

    fragment.photo_ids = []  # published without this photo: it stays private
    db.commit()
    assert anonymous.get(url).status_code == 404

    fragment.photo_ids = [photo.id]
    fragment.story.consent_withdrawn_at = fragment.created_at
    db.commit()
    assert anonymous.get(url).status_code == 404  # consent withdrawn: taken down
    assert anonymous.get("/media/public/../../etc/passwd").status_code in (400, 404)
