"""E-mail to the owner when a delivery needs a person (issue #7): the real scheduler entry point
(services.publish_due) on a committed database, a webhook receiver that refuses, and a real SMTP
server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from planner import create_app
from planner.accounts.models import Role, User
from planner.clock import FrozenClock
from planner.jobs.tasks import publish_due
from planner.publishing.models import Delivery, DeliveryState
from planner.publishing.notify import Notice, SmtpNotifier
from planner.publishing.registry import PublisherRegistry
from tests.conftest import make_settings
from tests.factories import box, engine_channel, engine_delivery
from tests.fakes.smtp import Mailbox, free_port, relay
from tests.fakes.webhook import Receiver
from tests.services.publishing.conftest import Live


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with relay() as running:
        yield running


def _app(live: Live, clock: FrozenClock, **settings: Any) -> Flask:
    return create_app(
        make_settings(
            live.tmp,
            database_url=live.url,
            publish_max_attempts=1,
            publish_concurrency=1,
            extra={
                "session_factory": live.factory,
                "clock": clock,
                "publishers": PublisherRegistry(box(), allow_loopback=True),
            },
            **settings,
        )
    )


def _people(live: Live) -> tuple[int, int]:
    """An author (Dutch) and an assignee (English); returns their ids."""
    with live.factory.begin() as session:
        author = User(email="auteur@zuiderhaven.example", name="Anna Auteur", role=Role.EDITOR)
        author.language = "nl"
        assignee = User(email="toegewezen@zuiderhaven.example", name="Tom Toe", role=Role.EDITOR)
        assignee.language = "en"
        session.add_all([author, assignee])
        session.flush()
        return author.id, assignee.id


def _failing(
    live: Live, receiver: Receiver, clock: FrozenClock, author: int, assignee: int | None = None
) -> int:
    """A delivery due now on a webhook channel whose receiver refuses it for good (422)."""
    receiver.script = lambda msg_id, nth: ("reply", 422, {})
    with live.factory.begin() as session:
        channel = engine_channel(session, url=receiver.url, name="Webhook Zuiderhaven")
        delivery = engine_delivery(session, channel, clock.now(), author=session.get(User, author))
        delivery.fragment.assignee_id = assignee
        delivery.fragment.title = "Bibliotheek ook op zondag open"
        return delivery.id


def _in(app: Flask, language: str, msgid: str, **values: Any) -> str:
    """What the catalogue says for ``msgid`` in ``language`` (English until it is translated)."""
    from flask_babel import force_locale, gettext

    with app.app_context(), force_locale(language):
        return gettext(msgid, **values)


def _state(live: Live, delivery_id: int) -> DeliveryState:
    with live.factory() as session:
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        return delivery.state


def test_a_failed_delivery_mails_its_author_in_their_language(
    live: Live, receiver: Receiver, frozen: FrozenClock, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    author, _assignee = _people(live)
    delivery_id = _failing(live, receiver, frozen, author)
    app = _app(live, frozen, smtp_host="127.0.0.1", smtp_port=port, smtp_from="planner@zh.example")

    report = publish_due(app)

    assert report.failed == 1
    assert report.attention_ids == [delivery_id]
    assert _state(live, delivery_id) == DeliveryState.FAILED
    assert len(box.messages) == 1
    recipients, message = box.messages[0]
    assert recipients == ["auteur@zuiderhaven.example"]
    assert message["From"] == "planner@zh.example"
    # (a long Subject is folded onto a continuation line; unfolding leaves the space)
    assert message["Subject"].strip() == _in(
        app,
        "nl",
        "Publication failed: %(title)s on %(channel)s",
        title="Bibliotheek ook op zondag open",
        channel="Webhook Zuiderhaven",
    )
    body = message.get_content()
    assert body.startswith(_in(app, "nl", "Hello %(name)s,", name="Anna Auteur"))
    assert "422" in body  # the reason the receiver gave
    assert f"/publishing/attention#delivery-{delivery_id}" in body


def test_the_assignee_hears_before_the_author(
    live: Live, receiver: Receiver, frozen: FrozenClock, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    author, assignee = _people(live)
    _failing(live, receiver, frozen, author, assignee)
    app = _app(live, frozen, smtp_host="127.0.0.1", smtp_port=port)

    publish_due(app)

    assert [recipients for recipients, _ in box.messages] == [["toegewezen@zuiderhaven.example"]]
    # the assignee reads English
    assert box.messages[0][1]["Subject"].strip() == (
        "Publication failed: Bibliotheek ook op zondag open on Webhook Zuiderhaven"
    )
    body = box.messages[0][1].get_content()
    assert body.splitlines()[0] == "Hello Tom Toe,"
    # planned for 09:00 UTC, told in the organisation's time
    assert "planned for Friday, November 27, 2026, 10:00:00" in body


def test_a_missed_delivery_mails_its_author(
    live: Live, receiver: Receiver, frozen: FrozenClock, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    author_id, _ = _people(live)
    with live.factory.begin() as session:
        channel = engine_channel(session, url=receiver.url)
        # due an hour ago: the scheduler was down longer than the grace period
        late = engine_delivery(
            session, channel, frozen.now() - timedelta(hours=1), author=session.get(User, author_id)
        ).id
    app = _app(live, frozen, smtp_host="127.0.0.1", smtp_port=port)

    report = publish_due(app)

    assert report.missed == 1
    assert _state(live, late) == DeliveryState.MISSED
    assert receiver.arrivals == []
    assert [recipients for recipients, _ in box.messages] == [["auteur@zuiderhaven.example"]]
    # the fragment has no title of its own, so the mail names its story
    assert box.messages[0][1]["Subject"].strip() == _in(
        app,
        "nl",
        "Publication missed: %(title)s on %(channel)s",
        title="Bibliotheek",
        channel="webhook channel",
    )


def test_mail_trouble_never_breaks_publishing(
    live: Live, receiver: Receiver, frozen: FrozenClock
) -> None:
    author, _assignee = _people(live)
    delivery_id = _failing(live, receiver, frozen, author)
    # nothing listens on this port: every SMTP connection is refused
    app = _app(live, frozen, smtp_host="127.0.0.1", smtp_port=free_port())

    report = publish_due(app)

    assert report.failed == 1
    assert _state(live, delivery_id) == DeliveryState.FAILED


def test_without_smtp_settings_nobody_is_mailed(live: Live, frozen: FrozenClock) -> None:
    app = _app(live, frozen)
    assert "planner.notify_attention" not in app.extensions


def test_sent_deliveries_mail_nobody(
    live: Live, receiver: Receiver, frozen: FrozenClock, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    author_id, _ = _people(live)
    with live.factory.begin() as session:
        channel = engine_channel(session, url=receiver.url)
        engine_delivery(session, channel, frozen.now(), author=session.get(User, author_id))
    app = _app(live, frozen, smtp_host="127.0.0.1", smtp_port=port)

    report = publish_due(app)

    assert report.sent == 1
    assert report.attention_ids == []
    assert box.messages == []


def test_smtp_notifier_sends_a_plain_message(mailbox: tuple[Mailbox, int]) -> None:
    box, port = mailbox
    SmtpNotifier("127.0.0.1", port, "planner@zh.example").send(
        Notice(to="sanne@zuiderhaven.example", subject="Onderwerp", body="Tekst\n")
    )
    [(recipients, message)] = box.messages
    assert recipients == ["sanne@zuiderhaven.example"]
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content().splitlines() == ["Tekst"]


def test_smtp_settings_come_from_the_environment(tmp_path: Any) -> None:
    from planner.config import load_settings

    base = {"PLANNER_INSTANCE_PATH": str(tmp_path), "PLANNER_SECRET_KEY": "k" * 40}
    assert load_settings(base).smtp_host == ""
    settings = load_settings(
        {
            **base,
            "PLANNER_SMTP_HOST": "smtp.zuiderhaven.example",
            "PLANNER_SMTP_PORT": "2525",
            "PLANNER_SMTP_FROM": "planner@zuiderhaven.example",
        }
    )
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_from) == (
        "smtp.zuiderhaven.example",
        2525,
        "planner@zuiderhaven.example",
    )
