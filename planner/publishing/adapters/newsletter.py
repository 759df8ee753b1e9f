"""Sends a publication as an e-mail newsletter over SMTP (to a list address or a few recipients).

SMTP has no idempotency: a connection lost after the message data was sent is reported as
ambiguous, and the Message-ID derived from the delivery lets a person find out whether it went out.
"""

from __future__ import annotations

import html
import re
import smtplib
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import NoReturn

from planner.publishing.adapters._html import text_to_html
from planner.publishing.adapters._transport import HttpPublisher
from planner.publishing.outbound import (
    OutboundURLRefusedError,
    check_host,
)
from planner.publishing.ports import (
    AmbiguousPublishError,
    PermanentPublishError,
    PublishRequest,
    PublishResult,
    TransientPublishError,
)

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class NewsletterSettings:
    host: str
    sender: str
    #: a list address, or a few addresses that receive it without seeing each other
    recipients: Sequence[str] = field(default_factory=tuple)
    port: int = 587
    starttls: bool = True
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    allow_loopback: bool = False
    #: right-hand side of the Message-ID; defaults to the sender's domain
    message_id_domain: str | None = None
    #: name given in EHLO; defaults to the sender's domain
    helo_name: str | None = None


def _domain_of(address: str) -> str:
    return Address(addr_spec=address).domain or "localhost"


def message_id(idempotency_key: str, domain: str) -> str:
    """The Message-ID for a delivery: the same for every attempt, so duplicates can be spotted."""
    local = _ID_UNSAFE.sub("-", idempotency_key).strip("-.") or "delivery"
    return f"<{local}@{domain}>"


def build_message(
    request: PublishRequest, settings: NewsletterSettings, sent_at: datetime
) -> EmailMessage:
    """A multipart/alternative message; images are linked, not attached, to keep it small."""
    domain = settings.message_id_domain or _domain_of(settings.sender)
    message = EmailMessage()
    subject = request.title or request.text.strip().split("\n", 1)[0][:120]
    # Header values cannot hold line breaks; a title pasted with one must not break the message.
    message["Subject"] = " ".join(subject.split())
    message["From"] = settings.sender
    # With several recipients the envelope carries them and the header shows only the sender, so
    # subscribers never see each other's addresses (the privacy of a Bcc without its quirks).
    recipients = list(settings.recipients)
    message["To"] = recipients[0] if len(recipients) == 1 else settings.sender
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id(request.idempotency_key, domain)
    # Lets someone resolving a "needs check" delivery search the list archive for this attempt.
    message["X-Contentfabriek-Delivery"] = str(request.delivery_id)

    text_lines = [request.text.strip(), ""]
    html_parts = [request.html if request.html is not None else text_to_html(request.text)]
    for item in request.media:
        if item.url:
            text_lines.append(f"[{item.alt}] {item.url}")
            html_parts.append(
                f'<p><a href="{html.escape(item.url)}"><img src="{html.escape(item.url)}" '
                f'alt="{html.escape(item.alt)}" style="max-width:100%"></a></p>'
            )
    if request.link:
        text_lines.extend(["", request.link])
        link = html.escape(request.link)
        html_parts.append(f'<p><a href="{link}">{link}</a></p>')
    message.set_content("\n".join(text_lines).strip() + "\n")
    message.add_alternative(
        "<!DOCTYPE html>\n<html><body>\n" + "\n".join(html_parts) + "\n</body></html>\n",
        subtype="html",
    )
    return message


class _PinnedSMTP(smtplib.SMTP):
    """smtplib.SMTP that connects to an already checked address but keeps the host name for TLS."""

    def __init__(
        self, hostname: str, addresses: tuple[str, ...], timeout: float, helo_name: str
    ) -> None:
        self._pinned = addresses
        # An explicit EHLO name spares smtplib its getfqdn() lookup of this machine's name.
        super().__init__(local_hostname=helo_name, timeout=timeout)
        # smtplib verifies the STARTTLS certificate against `_host`, which only its connecting
        # constructor sets; set it here so the name, not the pinned address, is verified.
        self._host = hostname

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        # smtplib remembers `host` for STARTTLS certificate checks; only the address is swapped.
        last: OSError | None = None
        for address in self._pinned:
            try:
                return socket.create_connection((address, port), timeout)
            except OSError as exc:
                last = exc
        assert last is not None
        raise last


class NewsletterPublisher(HttpPublisher[NewsletterSettings]):
    def publish(self, request: PublishRequest) -> PublishResult:
        settings = self.settings
        if not settings.recipients:
            raise PermanentPublishError("The newsletter channel has no recipient address.")
        try:
            message = build_message(request, settings, self._clock())
        except (ValueError, HeaderParseError) as exc:
            raise PermanentPublishError(
                f"The newsletter settings contain an invalid address: {exc}"
            ) from exc
        try:
            addresses = check_host(
                settings.host,
                settings.port,
                allow_loopback=settings.allow_loopback,
                resolver=self._resolver,
            )
        except OutboundURLRefusedError as exc:
            raise PermanentPublishError(exc.message, **exc.details) from exc

        helo_name = settings.helo_name or _domain_of(settings.sender)
        smtp = _PinnedSMTP(settings.host, addresses, settings.timeout, helo_name)
        try:
            self._prepare(smtp)
            self._transmit(smtp, message)
        finally:
            # quit() may fail on a dead connection; close() never does.
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
        return PublishResult(
            remote_id=str(message["Message-ID"]),
            remote_url=None,
            raw={"recipients": len(settings.recipients)},
        )

    def _prepare(self, smtp: _PinnedSMTP) -> None:
        """Connect, greet, secure and log in; nothing has been sent yet, so failures are safe."""
        settings = self.settings
        try:
            smtp.connect(settings.host, settings.port)
            smtp.ehlo()
            if settings.starttls:
                context = self._ssl_context or ssl.create_default_context()
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.username:
                smtp.login(settings.username, settings.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentPublishError(
                f"The mail server refused the login: {exc.smtp_code} {_text(exc.smtp_error)}"
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise PermanentPublishError(f"The mail server does not support this: {exc}") from exc
        except ssl.SSLCertVerificationError as exc:
            raise PermanentPublishError(
                f"The mail server's TLS certificate was not accepted: {exc.verify_message}."
            ) from exc
        except smtplib.SMTPResponseException as exc:
            _raise_for_reply(exc.smtp_code, exc.smtp_error, "before sending")
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientPublishError(f"Could not reach the mail server: {exc}") from exc

    def _transmit(self, smtp: _PinnedSMTP, message: EmailMessage) -> None:
        """MAIL, RCPT and DATA one by one, so we know whether the message data already left."""
        settings = self.settings
        try:
            code, reply = smtp.mail(settings.sender)
            if code != 250:
                _raise_for_reply(code, reply, "to the sender address")
            for recipient in settings.recipients:
                code, reply = smtp.rcpt(recipient)
                if code not in (250, 251):
                    _raise_for_reply(code, reply, f"to recipient {recipient}")
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientPublishError(f"The mail server connection failed: {exc}") from exc
        try:
            # smtplib sends bytes as they are, so the wire format's CRLF line ends are ours to make.
            code, reply = smtp.data(message.as_bytes(policy=message.policy.clone(linesep="\r\n")))
        except smtplib.SMTPDataError as exc:
            # The server explicitly rejected the message: nothing was accepted.
            _raise_for_reply(exc.smtp_code, exc.smtp_error, "to the message")
        except (smtplib.SMTPException, OSError) as exc:
            raise AmbiguousPublishError(
                f"The connection to the mail server broke while sending the message ({exc}); "
                "it may or may not have been delivered."
            ) from exc
        if code != 250:
            _raise_for_reply(code, reply, "to the message")


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def _raise_for_reply(code: int, reply: bytes | str, stage: str) -> NoReturn:
    """4xx SMTP replies are temporary by definition (RFC 5321), 5xx are permanent."""
    message = f"The mail server said {code} {_text(reply)} {stage}"
    if 400 <= code < 500:
        raise TransientPublishError(message, smtp_code=code)
    raise PermanentPublishError(message, smtp_code=code)
