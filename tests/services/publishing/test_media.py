"""What travels with a publication: the fragment's chosen photos, each as the channel's crop with
its alt text, at a public URL the remote channel can fetch while the post is sent and after it
went out, never a photo the fragment did not choose or consent did not allow."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from planner import create_app
from planner.blog.services import BlogPublisher
from planner.clock import FrozenClock
from planner.fragments.models import Fragment
from planner.media.storage import MemoryStorage
from planner.publishing.engine import publish_due
from planner.publishing.models import Delivery, DeliveryState, Publication
from planner.publishing.registry import PublisherRegistry
from planner.stories.models import Consent, PhotoVariant
from planner.stories.photos import PhotoUpload, attach_photos, prepare_photos
from tests import factories as make
from tests.conftest import make_settings
from tests.factories import engine_channel, engine_delivery
from tests.fakes.webhook import Receiver, running_receiver
from tests.services.publishing.conftest import Live
from tests.unit.media.sample_images import jpeg

#: the built-in blog, published inside the settling transaction
LOCAL = {"blog": BlogPublisher()}


class FetchingReceiver(Receiver):
    """A remote that keeps every payload and, like Mastodon fetching a link card, downloads each
    media URL while the request is still open."""

    def __init__(self, fetch: FlaskClient, base_url: str) -> None:
        super().__init__()
        self.payloads: list[dict[str, Any]] = []
        self.fetched: list[tuple[int, bytes]] = []
        self.fetch = fetch
        self.base_url = base_url

    def handle(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        payload = json.loads(body)
        self.payloads.append(payload)
        for item in payload["data"]["media"]:
            response = self.fetch.get(item["url"].removeprefix(self.base_url))
            self.fetched.append((response.status_code, response.get_data()))
        return super().handle(headers, body)


BASE = "https://planner.example"


def _app_client(live: Live, storage: MemoryStorage, tmp_path: Path, clock: FrozenClock) -> Any:
    app = create_app(
        make_settings(tmp_path, database_url=live.url, extra={"storage": storage, "clock": clock})
    )
    return app.test_client()


def _run(live: Live, frozen: FrozenClock, registry: PublisherRegistry, storage: Any) -> None:
    from planner.publishing.engine import EngineConfig

    config = EngineConfig(concurrency=1, base_url=BASE)
    publish_due(
        live.factory,
        frozen,
        registry.build,
        worker="t",
        config=config,
        local=LOCAL,
        storage=storage,
    )


def _scheduled(
    live: Live, url: str, frozen: FrozenClock, storage: MemoryStorage, *, allow_photos: bool = True
) -> tuple[int, list[int]]:
    with live.factory.begin() as session:
        channel = engine_channel(session, url=url)  # a webhook to a Mastodon-shaped channel (16:9)
        story = make.story(session)
        prepared = prepare_photos(
            [
                PhotoUpload(jpeg(900, 900), "Ria zet boeken terug in de kast"),
                PhotoUpload(jpeg(640, 480), "De leeszaal op zondag"),
                PhotoUpload(jpeg(500, 500), ""),
            ]
        )
        photos = attach_photos(session, None, story, prepared, storage)
        story.consents.append(
            Consent(
                consent_version="v1",
                language="nl",
                consent_text="Ik geef toestemming.",
                allow_story=True,
                allow_photos=allow_photos,
            )
        )
        delivery = engine_delivery(session, channel, frozen.now(), story=story)
        delivery.fragment.photo_ids = [photos[1].id, photos[0].id]
        return delivery.id, [p.id for p in photos]


def test_webhook_carries_the_chosen_photos_as_public_channel_crops(
    live: Live, registry: PublisherRegistry, frozen: FrozenClock, tmp_path: Path
) -> None:
    storage = MemoryStorage()
    client = _app_client(live, storage, tmp_path, frozen)
    with running_receiver(FetchingReceiver(client, BASE)) as receiver:
        delivery_id, photo_ids = _scheduled(live, receiver.url, frozen, storage)
        _run(live, frozen, registry, storage)
    assert isinstance(receiver, FetchingReceiver)
    [payload] = receiver.payloads
    media = payload["data"]["media"]
    assert [m["alt"] for m in media] == ["De leeszaal op zondag", "Ria zet boeken terug in de kast"]

    with live.factory() as session:
        variants = {
            v.photo_id: v
            for v in session.scalars(
                select(PhotoVariant).where(PhotoVariant.channel_kind == "mastodon")
            )
        }
        [publication] = session.scalars(select(Publication)).all()
        fragment = session.scalars(select(Fragment)).one()
        assert fragment.status.value == "published"
    assert set(variants) == {photo_ids[0], photo_ids[1]}  # not the undescribed, unchosen one
    for item, photo_id in zip(media, [photo_ids[1], photo_ids[0]], strict=True):
        key = variants[photo_id].storage_key
        data = storage.read(key)
        assert item["url"] == f"{BASE}/media/public/{key}"
        assert item["sha256"] == hashlib.sha256(data).hexdigest()
        assert item["mime"] == "image/jpeg"
        with Image.open(io.BytesIO(data)) as image:
            assert abs(image.size[0] / image.size[1] - 16 / 9) < 0.01
    # The remote could fetch them while the request was open, and the bytes are the crop's.
    assert [status for status, _ in receiver.fetched] == [200, 200]
    assert [hashlib.sha256(body).hexdigest() for _, body in receiver.fetched] == [
        m["sha256"] for m in media
    ]
    assert publication.media == [
        {"sha256": m["sha256"], "alt": m["alt"], "mime": "image/jpeg"} for m in media
    ]
    # Published: still public afterwards; the master never is.
    anonymous = _app_client(live, storage, tmp_path, frozen)
    assert anonymous.get(media[0]["url"].removeprefix(BASE)).status_code == 200
    with live.factory() as session:
        master = session.scalars(select(PhotoVariant)).first()
        assert master is not None
        assert anonymous.get(f"/media/public/{master.photo.storage_key}").status_code == 404
    assert delivery_id


def test_no_photos_without_consent_for_photos(
    live: Live, registry: PublisherRegistry, frozen: FrozenClock, tmp_path: Path
) -> None:
    storage = MemoryStorage()
    client = _app_client(live, storage, tmp_path, frozen)
    with running_receiver(FetchingReceiver(client, BASE)) as receiver:
        _scheduled(live, receiver.url, frozen, storage, allow_photos=False)
        _run(live, frozen, registry, storage)
    assert isinstance(receiver, FetchingReceiver)
    [payload] = receiver.payloads
    assert payload["data"]["media"] == []
    with live.factory() as session:
        [publication] = session.scalars(select(Publication)).all()
        assert publication.media == []
        assert session.scalars(select(Delivery.state)).one() == DeliveryState.SENT


def test_no_photos_when_the_fragment_chose_none(
    live: Live, registry: PublisherRegistry, frozen: FrozenClock, tmp_path: Path
) -> None:
    storage = MemoryStorage()
    client = _app_client(live, storage, tmp_path, frozen)
    with running_receiver(FetchingReceiver(client, BASE)) as receiver:
        with live.factory.begin() as session:
            channel = engine_channel(session, url=receiver.url)
            story = make.story(session)
            attach_photos(
                session, None, story, prepare_photos([PhotoUpload(jpeg(), "Een foto")]), storage
            )
            engine_delivery(session, channel, frozen.now(), story=story)
        _run(live, frozen, registry, storage)
    assert isinstance(receiver, FetchingReceiver)
    assert receiver.payloads[0]["data"]["media"] == []
