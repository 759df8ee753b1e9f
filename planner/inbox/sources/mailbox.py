"""A mailbox of the organisation (webcare@, verhalen@): read over IMAP with imap-tools, answered
over SMTP with In-Reply-To and References so the resident's mail program threads our answer.

A poll reads messages with a UID above the last one stored, in the folder's current UIDVALIDITY
(when the server renumbers, the Message-ID still keeps every message arriving once), and never
marks anything read or moves it: the mailbox stays the team's. Quoted history is cut from the
text (planner.inbox.quoting); attachments travel as bytes for the services to check and store.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from imap_tools import AND, MailBox, MailBoxUnencrypted, MailMessage, U
from imap_tools.errors import MailboxLoginError

from planner.inbox.quoting import strip_quoted
from planner.inbox.sources import Attachment, Incoming, html_to_text
from planner.publishing.outbound import check_host
from planner.publishing.ports import (
    AmbiguousPublishError,
    PermanentPublishError,
    PublishRequest,
    PublishResult,
    TransientPublishError,
)

#: at most this many messages per poll; the rest come with the next one (UIDs keep the place)
BATCH = 200
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MSG_ID = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True)
class MailboxSettings:
    address: str
    imap_host: str
    username: str
    password: str = field(repr=False)
    imap_port: int = 993
    #: "ssl" (IMAPS), "starttls" or "plain" (only on 127.0.0.1, for tests and a local bridge)
    imap_security: str = "ssl"
    folder: str = "INBOX"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_username: str | None = None
    timeout: float = 30.0
    allow_loopback: bool = False


@dataclass(frozen=True)
class MailBatch:
    messages: list[Incoming]
    uidvalidity: int
    last_uid: int


def _connect(settings: MailboxSettings) -> MailBox | MailBoxUnencrypted:
    # Refuse inward addresses exactly as publishing does (the host comes from an admin's form).
    check_host(settings.imap_host, settings.imap_port, allow_loopback=settings.allow_loopback)
    if settings.imap_security == "ssl":
        return MailBox(settings.imap_host, settings.imap_port, timeout=settings.timeout)
    box = MailBoxUnencrypted(settings.imap_host, settings.imap_port, timeout=settings.timeout)
    if settings.imap_security == "starttls":
        box.client.starttls(ssl.create_default_context())
    return box


def _header(message: MailMessage, name: str) -> str:
    headers: Any = message.headers
    values = headers.get(name.lower(), ())
    return " ".join(str(v) for v in values).strip()


def _incoming(message: MailMessage, uidvalidity: int) -> Incoming | None:
    name, email = parseaddr(message.from_values.full if message.from_values else message.from_)
    email = email.strip().lower()
    if not email:
        return None
    message_id = (_MSG_ID.findall(_header(message, "message-id")) or [""])[0]
    references = tuple(_MSG_ID.findall(_header(message, "references")))
    reply_to = _MSG_ID.findall(_header(message, "in-reply-to"))
    if reply_to and reply_to[0] not in references:
        references = (*references, reply_to[0])
    text = message.text or html_to_text(message.html or "")
    attachments = tuple(
        Attachment(name=a.filename or "bijlage", mime=a.content_type, data=a.payload)
        for a in message.attachments
        if a.payload
    )
    received = message.date if message.date.year > 1900 else datetime.now(UTC)
    if received.tzinfo is None:
        received = received.replace(tzinfo=UTC)
    return Incoming(
        remote_key=f"mail:{message_id}" if message_id else f"uid:{uidvalidity}:{message.uid}",
        remote_id=message_id or None,
        author_key=email,
        author_name=name or None,
        author_email=email,
        subject=(message.subject or "").strip()[:300] or None,
        body=strip_quoted(text),
        received_at=received.astimezone(UTC),
        references=references,
        attachments=attachments,
    )


def fetch_mail(settings: MailboxSettings, *, uidvalidity: int | None, last_uid: int) -> MailBatch:
    """Messages after ``last_uid`` (all of them when the folder's UIDVALIDITY changed)."""
    try:
        with _connect(settings) as box:
            box.login(settings.username, settings.password, initial_folder=settings.folder)
            status = box.folder.status(settings.folder, ["UIDVALIDITY"])
            current = int(status["UIDVALIDITY"])
            start = last_uid if current == uidvalidity else 0
            messages: list[Incoming] = []
            newest = start
            for message in box.fetch(
                AND(uid=U(str(start + 1), "*")), mark_seen=False, bulk=True, limit=BATCH
            ):
                uid = int(message.uid or 0)
                # "UID n:*" always returns the last message, even below n.
                if uid <= start:
                    continue
                newest = max(newest, uid)
                incoming = _incoming(message, current)
                if incoming is not None:
                    messages.append(incoming)
            return MailBatch(messages, current, newest)
    except MailboxLoginError as exc:
        raise PermanentPublishError(f"The mailbox refused the login: {exc}") from exc
    except (OSError, ssl.SSLError) as exc:
        raise TransientPublishError(f"Could not read the mailbox: {exc}") from exc


def message_id_for(idempotency_key: str, address: str) -> str:
    """The Message-ID of an answer: the same for every attempt, so a person can look it up."""
    domain = Address(addr_spec=address).domain or "localhost"
    return f"<reply-{_ID_UNSAFE.sub('-', idempotency_key)}@{domain}>"


def build_reply(
    request: PublishRequest,
    *,
    sender: str,
    to: str,
    subject: str | None,
    in_reply_to: str | None,
    references: tuple[str, ...],
    sent_at: datetime,
) -> EmailMessage:
    message = EmailMessage()
    subject = " ".join((subject or "").split()) or "Uw bericht"
    message["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id_for(request.idempotency_key, sender)
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        chain = [r for r in references if r != in_reply_to] + [in_reply_to]
        message["References"] = " ".join(chain[-20:])
    message["Auto-Submitted"] = "no"
    message.set_content(request.text.strip() + "\n")
    return message


class MailReply:
    """The engine's publisher for one answer by e-mail. SMTP has no idempotency: a connection
    lost after the data was sent is ambiguous, and the engine asks a person (needs_check)."""

    supports_idempotency: bool = False

    def __init__(
        self,
        settings: MailboxSettings,
        *,
        to: str,
        subject: str | None,
        in_reply_to: str | None,
        references: tuple[str, ...],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.to = to
        self.subject = subject
        self.in_reply_to = in_reply_to
        self.references = references
        self._now = now

    def publish(self, request: PublishRequest) -> PublishResult:
        settings = self.settings
        if not settings.smtp_host:
            raise PermanentPublishError("This mailbox has no SMTP server to answer through.")
        message = build_reply(
            request,
            sender=settings.address,
            to=self.to,
            subject=self.subject,
            in_reply_to=self.in_reply_to,
            references=self.references,
            sent_at=self._now(),
        )
        check_host(settings.smtp_host, settings.smtp_port, allow_loopback=settings.allow_loopback)
        smtp: smtplib.SMTP
        try:
            if settings.smtp_security == "ssl":
                smtp = smtplib.SMTP_SSL(
                    settings.smtp_host, settings.smtp_port, timeout=settings.timeout
                )
            else:
                smtp = smtplib.SMTP(
                    settings.smtp_host, settings.smtp_port, timeout=settings.timeout
                )
                if settings.smtp_security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.password)
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentPublishError(f"The SMTP server refused the login: {exc}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TransientPublishError(f"Could not connect to the SMTP server: {exc}") from exc
        try:
            refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentPublishError(f"The address {self.to} was refused: {exc}") from exc
        except smtplib.SMTPResponseException as exc:
            if 400 <= exc.smtp_code < 500:
                raise TransientPublishError(f"The SMTP server said: {exc}") from exc
            raise PermanentPublishError(f"The SMTP server refused the answer: {exc}") from exc
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            raise AmbiguousPublishError(
                f"The connection broke while sending the answer ({exc!r}); it may have gone out."
            ) from exc
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
        if refused:
            raise PermanentPublishError(f"The address {self.to} was refused: {refused}")
        return PublishResult(
            remote_id=str(message["Message-ID"]),
            raw={"in_reply_to": self.in_reply_to or "", "to": self.to},
        )


def settings_from(values: dict[str, Any], password: str, allow_loopback: bool) -> MailboxSettings:
    """MailboxSettings from a source's stored settings; unknown keys are ignored."""
    known = {
        k: v
        for k, v in values.items()
        if k in MailboxSettings.__dataclass_fields__ and k not in ("password", "allow_loopback")
    }
    return MailboxSettings(**known, password=password, allow_loopback=allow_loopback)
