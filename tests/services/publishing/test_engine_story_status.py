"""The engine's send moves the fragment's story to "published" in the settling transaction
(issue 13, item 13), on a committed database against a webhook receiver on 127.0.0.1."""

from __future__ import annotations

from sqlalchemy import select

from planner.clock import FrozenClock
from planner.fragments.models import Fragment
from planner.publishing.engine import EngineConfig, publish_due
from planner.publishing.models import Delivery
from planner.publishing.registry import PublisherRegistry
from planner.stories.models import Story, StoryStatus
from tests.factories import engine_channel, engine_delivery
from tests.fakes.webhook import Receiver
from tests.services.publishing.conftest import Live


def _story_status(live: Live, delivery_id: int) -> StoryStatus:
    with live.factory() as session:
        return session.scalars(
            select(Story.status)
            .join(Fragment, Fragment.story_id == Story.id)
            .join(Delivery, Delivery.fragment_id == Fragment.id)
            .where(Delivery.id == delivery_id)
        ).one()


def test_a_sent_delivery_makes_its_story_published(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    with live.factory.begin() as session:
        channel = engine_channel(session, url=receiver.url)
        due = engine_delivery(session, channel, frozen.now()).id
    assert _story_status(live, due) == StoryStatus.NEW

    report = publish_due(
        live.factory, frozen, registry.build, worker="test", config=EngineConfig(concurrency=1)
    )
    assert report.sent == 1
    assert _story_status(live, due) == StoryStatus.TOLD
