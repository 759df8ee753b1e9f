"""Mastodon mentions and direct messages, read by the scheduler tick from a Mastodon server on
127.0.0.1: every page followed, nothing twice across a restart, answers threaded and direct."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from planner.clock import FrozenClock
from planner.inbox import services
from planner.inbox.models import Conversation, Direction, InboxSource, Message
from planner.jobs import tasks
from planner.jobs.runner import run_once
from planner.publishing.models import Delivery, DeliveryState, Publication
from tests.factories import inbox_editor, mastodon_channel
from tests.fakes.mastodon import FakeMastodon
from tests.services.publishing.conftest import Live


def _count(live: Live, model: type) -> int:
    with live.factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_tick_reads_every_page_and_a_restart_reads_nothing_twice(
    live: Live, mastodon: FakeMastodon, app_on: Callable[..., Flask], inbox_clock: FrozenClock
) -> None:
    with live.factory.begin() as session:
        mastodon_channel(session, mastodon.url)
    for n in range(95):  # more than one page of 80
        mastodon.mention(f"bewoner{n % 30}@buurt.social", f"Vraag nummer {n}")
    mastodon.mention(
        "piet@buurt.social",
        "Klopt het dat de vuilnis niet meer wordt opgehaald?",
        visibility="direct",
    )
    mastodon.mention("fan@buurt.social", "Mooi bericht!", kind="favourite")  # not a mention

    run_once(app_on(inbox_clock))  # `planner scheduler --once`
    assert _count(live, Message) == 96
    assert _count(live, Conversation) == 31  # one per author and source
    pages = mastodon.calls("GET", "/api/v1/notifications")
    assert len(pages) == 2
    assert "max_id=" in pages[1].target
    assert "since_id" not in pages[0].target
    assert all("types%5B%5D=mention" in p.target for p in pages)

    # A restart: a new app on the same database. Two more arrive; only those are stored.
    mastodon.mention("piet@buurt.social", "Hallo? Nog een antwoord?", visibility="direct")
    mastodon.mention("nieuw@buurt.social", "Wanneer is de markt?")
    later = FrozenClock(inbox_clock.now() + timedelta(minutes=2))
    tasks.listen(app_on(later))
    assert _count(live, Message) == 98
    assert "since_id=" in mastodon.calls("GET", "/api/v1/notifications")[-1].target
    # And once more: nothing new, nothing stored.
    tasks.listen(app_on(FrozenClock(later.now() + timedelta(minutes=2))))
    assert _count(live, Message) == 98
    with live.factory() as session:
        piet = session.scalars(
            select(Conversation).where(Conversation.author_key == "@piet@buurt.social")
        ).one()
        assert [m.visibility for m in piet.messages] == ["direct", "direct"]
        assert piet.messages[0].body.startswith("Klopt het dat")  # our own mention left out


def test_an_answer_to_a_direct_message_stays_direct_threaded_and_goes_once(
    live: Live, mastodon: FakeMastodon, app_on: Callable[..., Flask], inbox_clock: FrozenClock
) -> None:
    with live.factory.begin() as session:
        mastodon_channel(session, mastodon.url)
        person = inbox_editor(session)
    dm = mastodon.mention(
        "piet@buurt.social",
        "Klopt het dat de vuilnis niet meer wordt opgehaald?",
        visibility="direct",
    )
    app = app_on(inbox_clock)
    run_once(app)
    with live.factory.begin() as session:
        conversation = session.scalars(select(Conversation)).one()
        actor = session.get(type(person), person.id)
        services.reply(
            session,
            actor,
            conversation,
            "Dat klopt niet: de vuilnis wordt gewoon opgehaald, ook in de feestdagen.",
            now=inbox_clock.now(),
            timezone="Europe/Amsterdam",
        )
    tasks.publish_due(app)
    tasks.publish_due(app)  # a second run finds nothing left to send
    assert len(mastodon.statuses) == 1
    status = mastodon.statuses[0]
    assert status["in_reply_to_id"] == dm["status"]["id"]
    assert status["visibility"] == "direct"
    assert status["content"].startswith("@piet@buurt.social ")
    with live.factory() as session:
        delivery = session.scalars(select(Delivery)).one()
        assert (delivery.state, delivery.kind, delivery.fragment_id) == (
            DeliveryState.SENT,
            "inbox_mastodon",
            None,
        )
        assert status["idempotency_key"] == delivery.idempotency_key
        publication = session.scalars(select(Publication)).one()
        assert publication.fragment_kind == "reply"
        assert publication.remote_id == status["id"]
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.state.value == "answered"
        assert conversation.first_response_at == inbox_clock.now()
        out = [m for m in conversation.messages if m.direction == Direction.OUTBOUND]
        assert out[0].delivery_id == delivery.id


def test_a_reply_with_a_brand_error_is_refused(
    live: Live, mastodon: FakeMastodon, app_on: Callable[..., Flask], inbox_clock: FrozenClock
) -> None:
    import pytest

    from planner.errors import ConflictError

    with live.factory.begin() as session:
        mastodon_channel(session, mastodon.url)
        person = inbox_editor(session)
    mastodon.mention("piet@buurt.social", "Hoi")
    run_once(app_on(inbox_clock))
    with live.factory.begin() as session:
        conversation = session.scalars(select(Conversation)).one()
        actor = session.get(type(person), person.id)
        with pytest.raises(ConflictError):
            services.reply(
                session,
                actor,
                conversation,
                "x" * 600,
                now=inbox_clock.now(),
                timezone="Europe/Amsterdam",
            )
    assert _count(live, Delivery) == 0


def test_a_failing_source_does_not_stop_the_others(
    live: Live, mastodon: FakeMastodon, app_on: Callable[..., Flask], inbox_clock: FrozenClock
) -> None:
    with live.factory.begin() as session:
        mastodon_channel(session, mastodon.url)
        mastodon_channel(session, "http://127.0.0.1:9", name="Kapot")  # nothing listens there
    mastodon.mention("piet@buurt.social", "Hoi")
    run_once(app_on(inbox_clock))
    assert _count(live, Message) == 1
    with live.factory() as session:
        errors = [s.last_error for s in session.scalars(select(InboxSource))]
    assert sum(1 for e in errors if e) == 1
