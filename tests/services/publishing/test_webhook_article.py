"""An article sent to a webhook (issue 13, item 15): the lead the splitter draws from the body's
first sentence is in the text once, and the fragment's hashtags travel along, with the lead as
excerpt and the body as HTML. Real engine, committed database, a receiver on 127.0.0.1."""

from __future__ import annotations

from sqlalchemy import select

from planner.accounts.models import Role
from planner.accounts.services import create_user
from planner.channels.models import Channel
from planner.clock import FrozenClock
from planner.fragments import services as fragment_services
from planner.fragments.models import Fragment, FragmentStatus
from planner.publishing.engine import EngineConfig, publish_due
from planner.publishing.engine.request import publish_text
from planner.publishing.models import Delivery, DeliveryState
from planner.publishing.registry import PublisherRegistry
from planner.stories.models import Story, StorySource, Theme
from tests.factories import PASSWORD, WEBHOOK_SECRET, box
from tests.fakes.webhook import Receiver
from tests.services.publishing.conftest import Live

LEAD = "Het Havenpark heeft sinds maandag veertig nieuwe bankjes van gerecycled plastic."
BODY = (
    f"{LEAD} Mehmet van Stadsbeheer zette ze samen met buurtbewoners neer.\n\n"
    "Kom ze zaterdag proberen: er is koffie en de fanfare speelt."
)


def test_an_article_goes_to_the_webhook_with_its_lead_once_and_its_hashtags(
    live: Live, receiver: Receiver, registry: PublisherRegistry, frozen: FrozenClock
) -> None:
    with live.factory.begin() as session:
        editor = create_user(
            session, None, email="e@example.org", name="Eddie", role=Role.EDITOR, password=PASSWORD
        )
        channel = Channel(
            name="Website",
            kind_key="webhook",
            publisher_kind="webhook",
            publisher_settings={"url": receiver.url, "timeout": 2.0},
            publisher_secret=box().encrypt(WEBHOOK_SECRET),
            approval_steps=0,
        )
        theme = Theme(name="Duurzaamheid")
        story = Story(
            title="Veertig bankjes",
            body=BODY,
            language="nl",
            source=StorySource.EMPLOYEE,
            themes=[theme],
        )
        session.add_all([channel, story])
        session.flush()
        [fragment] = fragment_services.split_story(session, editor, story, [channel.id])
        assert fragment.kind == "article"
        assert fragment.lead == LEAD
        assert fragment.hashtags
        fragment.status = FragmentStatus.SCHEDULED
        fragment.scheduled_at = frozen.now()
        session.add(
            Delivery(
                fragment=fragment,
                channel=channel,
                due_at=frozen.now(),
                not_before=frozen.now(),
                state=DeliveryState.PENDING,
                fragment_version=fragment.version,
            )
        )
        session.flush()
        fragment_id, hashtags = fragment.id, list(fragment.hashtags)

    report = publish_due(
        live.factory, frozen, registry.build, worker="test", config=EngineConfig(concurrency=1)
    )
    assert report.sent == 1
    [payload] = receiver.received
    data = payload["data"]
    assert data["title"] == "Veertig bankjes"
    assert data["text"].count(LEAD) == 1
    assert data["text"] == "Veertig bankjes\n\n" + BODY
    assert data["excerpt"] == LEAD
    assert data["hashtags"] == hashtags
    assert "Duurzaamheid" in data["hashtags"]  # stored without "#", as every tag list
    assert data["html"].count("veertig nieuwe bankjes") == 1
    with live.factory() as session:
        status = session.scalar(select(Fragment.status).where(Fragment.id == fragment_id))
    assert status == FragmentStatus.PUBLISHED


def test_a_lead_the_editor_wrote_apart_from_the_body_stays() -> None:
    article = Fragment(kind="article", title="Bankjes", lead="Kort gezegd: nieuwe bankjes.")
    article.body = BODY
    assert publish_text(article) == f"Bankjes\n\nKort gezegd: nieuwe bankjes.\n\n{BODY}"
    article.lead = " ".join(LEAD.split()[:5])  # the body's opening, cut short: not repeated
    assert publish_text(article) == f"Bankjes\n\n{BODY}"
    post = Fragment(kind="post", parts=["Nieuwe bankjes! #Zuiderhaven"])
    assert publish_text(post) == "Nieuwe bankjes! #Zuiderhaven"
