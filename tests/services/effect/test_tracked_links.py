"""Links in what the engine publishes become our own short links: in the webhook's payload and in
the Mastodon status, the archive keeping the text as sent and as written, a retry reusing the
codes, and the planner's own links left alone."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from planner.clock import FrozenClock
from planner.effect.models import TrackedLink
from planner.effect.tracking import LinkTracker
from planner.publishing.engine import EngineConfig, publish_due
from planner.publishing.models import Publication
from planner.publishing.registry import PublisherRegistry
from planner.stories.models import Campaign
from tests import factories as make
from tests.factories import engine_channel, engine_delivery, mastodon_channel
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.webhook import Receiver
from tests.services.effect.conftest import Live

BASE = "https://planner.zuiderhaven.test"
TEXT = (
    "Vanaf maandag ook op zondag open: https://www.zuiderhaven.nl/bibliotheek?utm_source=eigen. "
    "Meer op (https://bieb.example/open) en nogmaals https://www.zuiderhaven.nl/bibliotheek?utm_source=eigen! "
    f"Foto: {BASE}/media/public/abc.jpg"
)
SHORT = re.compile(re.escape(BASE) + r"/l/([A-Za-z0-9]+)")


def _config() -> EngineConfig:
    return EngineConfig(
        concurrency=1, base_url=BASE, links=LinkTracker(BASE), retry_base=2.0, rand=lambda: 0.0
    )


def _links(live: Live) -> list[TrackedLink]:
    with live.factory() as session:
        return list(session.scalars(select(TrackedLink).order_by(TrackedLink.position)))


def test_a_webhook_publication_carries_short_links_and_the_archive_keeps_both_texts(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    with live.factory.begin() as session:
        channel = engine_channel(session, url=receiver.url, name="Website Zuiderhaven")
        story = make.story(session, "Bibliotheek op zondag")
        story.campaign = Campaign(
            name="Zondag open", starts_on=frozen.now().date(), ends_on=frozen.now().date()
        )
        engine_delivery(session, channel, frozen.now(), story=story, text=TEXT)

    report = publish_due(live.factory, frozen, registry.build, worker="t", config=_config())
    assert report.sent == 1
    [payload] = receiver.payloads
    sent = payload["data"]["text"]
    assert "www.zuiderhaven.nl" not in sent
    assert "bieb.example" not in sent
    assert f"{BASE}/media/public/abc.jpg" in sent  # the planner's own links stay
    codes = SHORT.findall(sent)
    assert len(codes) == 3
    assert codes[0] == codes[2] != codes[1]
    assert sent.endswith(f"Foto: {BASE}/media/public/abc.jpg")
    assert f"/l/{codes[1]})" in sent  # the bracket closing the sentence stays outside
    assert payload["data"]["parts"] == [sent]

    first, second = _links(live)
    assert first.target_url == "https://www.zuiderhaven.nl/bibliotheek?utm_source=eigen"
    assert second.target_url == "https://bieb.example/open"
    assert (first.code, second.code) == (codes[0], codes[1])
    assert (first.utm_source, first.utm_medium, first.utm_campaign) == (
        "website-zuiderhaven",
        "social",
        "zondag-open",
    )
    assert first.utm_content == f"fragment-{first.fragment_id}"
    with live.factory() as session:
        publication = session.scalars(select(Publication)).one()
    assert publication.parts == [sent]  # the text as sent
    assert publication.body == TEXT  # and as written, with the original links


def test_a_retry_of_the_same_delivery_sends_the_same_codes(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    receiver.script = lambda _msg, nth: ("reply", 503, {}) if nth == 0 else None
    with live.factory.begin() as session:
        channel = engine_channel(session, url=receiver.url)
        engine_delivery(session, channel, frozen.now(), text="Lees https://example.org/a")
    publish_due(live.factory, frozen, registry.build, worker="t", config=_config())
    frozen.advance(timedelta(minutes=1))
    publish_due(live.factory, frozen, registry.build, worker="t", config=_config())
    texts = [p["data"]["text"] for p in receiver.payloads]
    assert len(texts) == 2
    assert texts[0] == texts[1]
    assert len(_links(live)) == 1


def test_a_mastodon_status_carries_short_links(
    live: Live,
    mastodon: FakeMastodon,
    mastodon_registry: PublisherRegistry,
    frozen: FrozenClock,
) -> None:
    with live.factory.begin() as session:
        channel = mastodon_channel(session, mastodon.url)
        engine_delivery(
            session, channel, frozen.now(), text="Het nieuwe zwembad: https://zwembad.example/"
        )
    report = publish_due(
        live.factory, frozen, mastodon_registry.build, worker="t", config=_config()
    )
    assert report.sent == 1
    [status] = mastodon.statuses
    [code] = SHORT.findall(status["content"])
    [link] = _links(live)
    assert link.code == code
    assert link.target_url == "https://zwembad.example/"
    assert link.utm_medium == "social"


def test_without_a_tracker_the_text_goes_out_as_written(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    with live.factory.begin() as session:
        channel = engine_channel(session, url=receiver.url)
        engine_delivery(session, channel, frozen.now(), text="Lees https://example.org/a")
    config = EngineConfig(concurrency=1, base_url=BASE)
    publish_due(live.factory, frozen, registry.build, worker="t", config=config)
    assert receiver.payloads[0]["data"]["text"] == "Lees https://example.org/a"
    assert _links(live) == []
