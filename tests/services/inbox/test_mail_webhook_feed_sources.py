"""The other sources against real servers on 127.0.0.1: a mailbox on dovecot (IMAP) answered over
aiosmtpd (SMTP), a signed inbound webhook, and a feed with a conditional GET."""

from __future__ import annotations

import base64
import email
import io
import json
import socket
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from planner.clock import FrozenClock
from planner.inbox import intake, services
from planner.inbox.models import Conversation, InboxSource, Message, SourceKind, StoryTip
from planner.inbox.sources.mailbox import message_id_for
from planner.jobs import tasks
from planner.jobs.runner import run_once
from planner.publishing.adapters.webhook import sign
from planner.publishing.models import Delivery, DeliveryState
from planner.publishing.secrets import SecretBox
from tests.factories import APP_SECRET, inbox_editor
from tests.fakes.dovecot import ImapServer
from tests.fakes.server import FakeApp, Reply, Request, serving
from tests.services.publishing.conftest import Live


class SmtpSink:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpSink, int]]:
    sink = SmtpSink()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def _mail(message_id: str, subject: str, text: str, *, in_reply_to: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = "Piet Jansen <piet@voorbeeld.nl>"
    message["To"] = "webcare@zuiderhaven.test"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = "Thu, 03 Dec 2026 09:00:00 +0100"
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(text)
    message.add_attachment(_png(), maintype="image", subtype="png", filename="stoep.png")
    return message.as_bytes()


def _count(live: Live, model: type) -> int:
    with live.factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_mailbox_over_imap_answered_over_smtp_with_threading_headers(
    live: Live,
    imap: ImapServer,
    smtp: tuple[SmtpSink, int],
    app_on: Callable[..., Flask],
    inbox_clock: FrozenClock,
) -> None:
    sink, smtp_port = smtp
    box = SecretBox(APP_SECRET)
    with live.factory.begin() as session:
        person = inbox_editor(session)
        from planner.accounts.models import Role, User

        admin = User(email="eva@zuiderhaven.test", name="Eva", role=Role.ADMIN)
        session.add(admin)
        session.flush()
        intake.create_source(
            session,
            admin,
            box,
            kind=SourceKind.MAILBOX,
            name="Webcare",
            settings={
                "address": "webcare@zuiderhaven.test",
                "imap_host": imap.host,
                "imap_port": imap.port,
                "imap_security": "plain",
                "username": imap.user,
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp_port,
                "smtp_security": "plain",
            },
            secret=imap.password,
        )
    first_id = "<vraag-1@voorbeeld.nl>"
    imap.append(_mail(first_id, "Losse stoeptegel", "Op de Dorpsstraat 12 ligt een losse tegel."))
    run_once(app_on(inbox_clock))
    assert _count(live, Message) == 1
    # A restart, and a follow-up that quotes our earlier mail: only the new text is kept.
    imap.append(
        _mail(
            "<vraag-2@voorbeeld.nl>",
            "Re: Losse stoeptegel",
            "Hij ligt er nog steeds.\n\nOp do 3 dec 2026 om 10:00 schreef Gemeente <webcare@zuiderhaven.test>:\n> Beste Piet",
            in_reply_to=first_id,
        )
    )
    later = FrozenClock(inbox_clock.now() + timedelta(minutes=5))
    app = app_on(later)
    tasks.listen(app)
    tasks.listen(app_on(FrozenClock(later.now() + timedelta(minutes=5))))
    assert _count(live, Message) == 2
    with live.factory.begin() as session:
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.author_email == "piet@voorbeeld.nl"
        second = conversation.messages[1]
        assert second.body == "Hij ligt er nog steeds."
        assert second.attachments[0]["kept"] is True
        assert second.attachments[0]["mime"] == "image/jpeg"  # normalised by the photo pipeline
        services.reply(
            session,
            session.get(type(person), person.id),
            conversation,
            "Beste Piet, we repareren de tegel deze week. Groet, Sanne",
            now=later.now(),
            timezone="Europe/Amsterdam",
        )
    tasks.publish_due(app)
    assert len(sink.messages) == 1
    sent = sink.messages[0]
    assert sent["To"] == "piet@voorbeeld.nl"
    assert sent["In-Reply-To"] == "<vraag-2@voorbeeld.nl>"
    assert sent["References"].split() == [first_id, "<vraag-2@voorbeeld.nl>"]
    assert sent["Subject"] == "Re: Losse stoeptegel"
    with live.factory() as session:
        delivery = session.scalars(select(Delivery)).one()
        assert delivery.state == DeliveryState.SENT
        assert sent["Message-ID"] == message_id_for(
            delivery.idempotency_key, "webcare@zuiderhaven.test"
        )


def _hook(client: Any, secret: str, msg_id: str, payload: dict[str, Any], *, at: datetime) -> Any:
    body = json.dumps(payload).encode()
    timestamp = int(at.timestamp())
    return client.post(
        "/hooks/inbound/contactformulier",
        data=body,
        headers={
            "Content-Type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret, msg_id, timestamp, body),
        },
    )


def test_inbound_webhook_is_verified_and_idempotent(
    live: Live, app_on: Callable[..., Flask], inbox_clock: FrozenClock
) -> None:
    secret = "whsec_" + base64.b64encode(b"contactformulier-geheim").decode()
    with live.factory.begin() as session:
        from planner.accounts.models import Role, User

        admin = User(email="eva@zuiderhaven.test", name="Eva", role=Role.ADMIN)
        session.add(admin)
        session.flush()
        intake.create_source(
            session,
            admin,
            SecretBox(APP_SECRET),
            kind=SourceKind.WEBHOOK,
            name="Contactformulier",
            settings={},
            secret=secret,
        )
    client = app_on(inbox_clock).test_client()
    payload = {
        "name": "Fatima",
        "email": "fatima@voorbeeld.nl",
        "text": "Wanneer gaat het zwembad open?",
    }
    now = inbox_clock.now()
    assert _hook(client, secret, "msg_1", payload, at=now).status_code == 202
    assert _hook(client, secret, "msg_1", payload, at=now).status_code == 202  # a retry
    assert _count(live, Message) == 1
    wrong = _hook(client, "whsec_" + base64.b64encode(b"fout").decode(), "msg_2", payload, at=now)
    assert wrong.status_code == 401
    assert wrong.mimetype == "application/problem+json"
    stale = _hook(client, secret, "msg_3", payload, at=now - timedelta(hours=1))
    assert stale.status_code == 401
    bad = _hook(client, secret, "msg_4", {"name": "x"}, at=now)
    assert bad.status_code == 422
    assert bad.get_json()["errors"][0]["field"] == "text"
    assert client.post("/hooks/inbound/bestaat-niet", data=b"{}").status_code == 404
    assert _count(live, Message) == 1


class FeedServer(FakeApp):
    """An RSS 2.0 feed that honours If-None-Match with 304 (RFC 9110 conditional requests)."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str, str]] = []

    def document(self) -> bytes:
        entries = "".join(
            f"<item><title>{t}</title><link>https://buurt.test/{g}</link><guid>{g}</guid>"
            f"<description>Nieuws: {t}</description></item>"
            for g, t in reversed(self.items)
        )
        return (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Buurtvereniging</title>'
            f"<link>https://buurt.test/</link><description>Nieuws</description>{entries}</channel></rss>"
        ).encode()

    def handle(self, request: Request) -> Reply:
        body = self.document()
        etag = f'"{len(self.items)}"'
        if request.headers.get("if-none-match") == etag:
            return Reply(304, {"ETag": etag})
        return Reply(200, {"Content-Type": "application/rss+xml", "ETag": etag}, body)


def test_feed_items_become_tips_all_of_them_once(
    live: Live, app_on: Callable[..., Flask], inbox_clock: FrozenClock
) -> None:
    with serving(FeedServer()) as feed:
        feed.items = [("a1", "Buurtfeest op zaterdag"), ("a2", "Nieuwe speeltuin geopend")]
        with live.factory.begin() as session:
            from planner.accounts.models import Role, User

            admin = User(email="eva@zuiderhaven.test", name="Eva", role=Role.ADMIN)
            session.add(admin)
            session.flush()
            intake.create_source(
                session,
                admin,
                SecretBox(APP_SECRET),
                kind=SourceKind.FEED,
                name="Buurtvereniging",
                settings={"url": f"{feed.url}/feed.xml"},
            )
        run_once(app_on(inbox_clock))
        assert _count(live, StoryTip) == 2
        # Three new items in one poll: all three arrive; the two old ones not again.
        feed.items += [("a3", "Opruimactie"), ("a4", "Bankjes gerepareerd"), ("a5", "Open dag")]
        clock = FrozenClock(inbox_clock.now() + timedelta(hours=1))
        tasks.listen(app_on(clock))
        assert _count(live, StoryTip) == 5
        # Unchanged: the server answers 304 and nothing is read.
        tasks.listen(app_on(FrozenClock(clock.now() + timedelta(hours=1))))
        assert feed.calls("GET", "/feed.xml")[-1].headers.get("if-none-match") == '"5"'
        assert _count(live, StoryTip) == 5
        assert _count(live, Message) == 0  # tips are never messages, never posts
        with live.factory() as session:
            source = session.scalars(select(InboxSource)).one()
            assert source.cursor["etag"] == '"5"'
            assert source.last_error is None
