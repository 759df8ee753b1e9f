"""The newsletter publisher against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import email
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from planner.publishing.adapters.newsletter import NewsletterPublisher, NewsletterSettings
from planner.publishing.ports import (
    AmbiguousPublishError,
    MediaItem,
    PermanentPublishError,
    PublishRequest,
    TransientPublishError,
)


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts and refuses a few special recipients."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self.drop_after_data = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address.startswith("onbekend@"):
            return "550 5.1.1 No such user"
        if address.startswith("vol@"):
            return "452 4.2.2 Mailbox full, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        if self.drop_after_data:
            # Accept the message, then lose the connection before the client hears "250".
            server.transport.close()
        return "250 Message accepted for delivery"


def authenticate(server, session, envelope, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"nieuwsbrief",
        b"geheim",
    )
    # handled=False lets aiosmtpd send its own 535 reply on failure.
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server(free_port: int) -> Iterator[Callable[..., tuple[Mailbox, int]]]:
    controllers: list[Controller] = []

    def start(**options: Any) -> tuple[Mailbox, int]:
        mailbox = Mailbox()
        controller = Controller(mailbox, hostname="127.0.0.1", port=free_port, **options)
        controller.start()
        controllers.append(controller)
        return mailbox, free_port

    yield start
    for controller in controllers:
        controller.stop()


def make_request() -> PublishRequest:
    return PublishRequest(
        delivery_id=77,
        idempotency_key="delivery-77",
        attempt=1,
        title="Nieuwsbrief maart",
        text="Beste lezer,\n\nDe markt verhuist naar het plein.",
        media=[
            MediaItem(
                alt="Marktkramen op het plein",
                mime="image/jpeg",
                sha256="cd" * 32,
                url="https://cdn.gemeente.example/markt.jpg",
            )
        ],
        link="https://gemeente.example/markt",
    )


def settings_for(port: int, **overrides: Any) -> NewsletterSettings:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "sender": "redactie@gemeente.example",
        "recipients": ("nieuwsbrief@lists.gemeente.example",),
        "starttls": False,
        "allow_loopback": True,
        "timeout": 5.0,
    }
    values.update(overrides)
    return NewsletterSettings(**values)


def test_newsletter_publish_sends_text_and_html_alternatives(smtp_server) -> None:
    mailbox, port = smtp_server()
    result = NewsletterPublisher(settings_for(port)).publish(make_request())

    [(sender, recipients, message)] = mailbox.messages
    assert sender == "redactie@gemeente.example"
    assert recipients == ["nieuwsbrief@lists.gemeente.example"]
    assert message["Subject"] == "Nieuwsbrief maart"
    assert message["Message-ID"] == "<delivery-77@gemeente.example>"
    assert message["X-Contentfabriek-Delivery"] == "77"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert "[Marktkramen op het plein] https://cdn.gemeente.example/markt.jpg" in text.get_content()
    assert (
        '<img src="https://cdn.gemeente.example/markt.jpg" alt="Marktkramen op het plein"'
        in html.get_content()
    )
    assert "https://gemeente.example/markt" in html.get_content()
    assert result.remote_id == "<delivery-77@gemeente.example>"


def test_newsletter_publish_hides_recipients_from_each_other(smtp_server) -> None:
    mailbox, port = smtp_server()
    people = ("a@example.nl", "b@example.nl")
    NewsletterPublisher(settings_for(port, recipients=people)).publish(make_request())
    [(_, recipients, message)] = mailbox.messages
    assert recipients == list(people)
    assert "a@example.nl" not in message["To"]


def test_newsletter_publish_uses_starttls_and_login_with_the_hostname(
    smtp_server, certificate, tmp_path, loopback_resolver
) -> None:
    mailbox, port = smtp_server(
        tls_context=certificate.server_context(tmp_path),
        require_starttls=True,
        authenticator=authenticate,
    )
    settings = settings_for(
        port, host="mail.test", starttls=True, username="nieuwsbrief", password="geheim"
    )
    publisher = NewsletterPublisher(
        settings,
        resolver=loopback_resolver("mail.test"),
        ssl_context=certificate.client_context(),
    )
    publisher.publish(make_request())
    assert len(mailbox.messages) == 1


def test_newsletter_publish_wrong_password_is_permanent(
    smtp_server, certificate, tmp_path, loopback_resolver
) -> None:
    mailbox, port = smtp_server(
        tls_context=certificate.server_context(tmp_path),
        require_starttls=True,
        authenticator=authenticate,
    )
    settings = settings_for(
        port, host="mail.test", starttls=True, username="nieuwsbrief", password="fout"
    )
    publisher = NewsletterPublisher(
        settings,
        resolver=loopback_resolver("mail.test"),
        ssl_context=certificate.client_context(),
    )
    with pytest.raises(PermanentPublishError, match="refused the login"):
        publisher.publish(make_request())
    assert mailbox.messages == []


def test_newsletter_publish_unknown_recipient_is_permanent(smtp_server) -> None:
    mailbox, port = smtp_server()
    settings = settings_for(port, recipients=("onbekend@gemeente.example",))
    with pytest.raises(PermanentPublishError, match="550"):
        NewsletterPublisher(settings).publish(make_request())
    assert mailbox.messages == []


def test_newsletter_publish_temporary_refusal_is_transient(smtp_server) -> None:
    _, port = smtp_server()
    settings = settings_for(port, recipients=("vol@gemeente.example",))
    with pytest.raises(TransientPublishError, match="452"):
        NewsletterPublisher(settings).publish(make_request())


def test_newsletter_publish_lost_connection_after_data_is_ambiguous(smtp_server) -> None:
    mailbox, port = smtp_server()
    mailbox.drop_after_data = True
    publisher = NewsletterPublisher(settings_for(port))
    assert publisher.supports_idempotency is False
    with pytest.raises(AmbiguousPublishError):
        publisher.publish(make_request())
    assert len(mailbox.messages) == 1


def test_newsletter_publish_connection_refused_is_transient(free_port: int) -> None:
    with pytest.raises(TransientPublishError):
        NewsletterPublisher(settings_for(free_port)).publish(make_request())


def test_newsletter_publish_refuses_private_mail_hosts(free_port: int) -> None:
    settings = settings_for(free_port, host="10.0.0.25", allow_loopback=False)
    with pytest.raises(PermanentPublishError, match="private network"):
        NewsletterPublisher(settings).publish(make_request())


def test_newsletter_publish_title_with_line_break_stays_one_header(smtp_server) -> None:
    mailbox, port = smtp_server()
    request = dataclasses.replace(make_request(), title="Nieuwsbrief\r\nBcc: iedereen@example.nl")
    NewsletterPublisher(settings_for(port)).publish(request)
    [(_, recipients, message)] = mailbox.messages
    assert message["Subject"] == "Nieuwsbrief Bcc: iedereen@example.nl"
    assert message["Bcc"] is None
    assert recipients == ["nieuwsbrief@lists.gemeente.example"]


def test_newsletter_publish_invalid_sender_is_permanent(free_port: int) -> None:
    settings = settings_for(free_port, sender="not an address")
    with pytest.raises(PermanentPublishError, match="invalid address"):
        NewsletterPublisher(settings).publish(make_request())
