"""Answers as deliveries: the two delivery kinds the inbox registers with the publishing engine
(planner.publishing.engine.kinds), so an answer gets the engine's guarantees: claimed by one
process, ``sending`` recorded before the call, settled with fencing, retried, archived.

- ``inbox_mastodon``: a reply status on the listening channel's account, ``in_reply_to_id`` the
  resident's status, the same visibility (a direct message stays direct), the author mentioned,
  the delivery's key as ``Idempotency-Key``: idempotent, so a lost lease sends again safely.
- ``inbox_mail``: an e-mail over the mailbox's SMTP server with In-Reply-To and References; SMTP
  has no idempotency, so a lost lease or an ambiguous end goes to a person (needs_check), never
  out twice.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.inbox.intake import mastodon_account
from planner.inbox.models import Conversation, Direction, InboxSource, Message, SourceKind
from planner.inbox.services import REPLY_MAIL, REPLY_MASTODON
from planner.inbox.sources.mailbox import MailReply, settings_from
from planner.inbox.sources.mastodon import MastodonReply
from planner.publishing.engine.kinds import DeliveryKind, Prepared, register
from planner.publishing.engine.shared import Claim
from planner.publishing.models import Delivery
from planner.publishing.ports import PublishRequest
from planner.publishing.secrets import SecretBox

GONE = "The conversation this answer belonged to no longer exists."
ANONYMISED = "The conversation was anonymised before the answer went out."


def _archive(
    conversation: Conversation, source: InboxSource, message: Message
) -> dict[str, object]:
    """The Publication columns: an answer is archived like every publication (the one builder
    of fragment records, planner.publishing.archive, needs a fragment; an answer has none)."""
    return {
        "fragment_id": None,
        "channel_id": source.channel_id,
        "channel_name": source.name[:100],
        "channel_kind": source.kind.value,
        "fragment_kind": "reply",
        "fragment_version": 1,
        "title": f"Antwoord in gesprek {conversation.id}"[:300],
        "parts": [message.body],
        "body": None,
        "media": [],
        "approvers": [message.author.name] if message.author else [],
        "recorded_by_id": message.author_id,
    }


def _mail_settings(session: Session, source: InboxSource) -> InboxSource | None:
    if source.kind == SourceKind.MAILBOX:
        return source
    return session.scalar(
        select(InboxSource)
        .where(InboxSource.kind == SourceKind.MAILBOX, InboxSource.is_active.is_(True))
        .order_by(InboxSource.id)
        .limit(1)
    )


def make_preparer(box: SecretBox, allow_loopback: bool):  # type: ignore[no-untyped-def]
    def prepare(session: Session, delivery: Delivery, claim: Claim) -> Prepared:
        message = session.scalar(select(Message).where(Message.delivery_id == delivery.id))
        publisher_kind = "mastodon" if delivery.kind == REPLY_MASTODON else "inbox_mail"
        if message is None:
            return Prepared(publisher_kind, cancel_reason=GONE)
        conversation = message.conversation
        if conversation.anonymised_at is not None:
            return Prepared(publisher_kind, cancel_reason=ANONYMISED)
        source = session.get(InboxSource, message.source_id)
        assert source is not None
        answered = [
            m
            for m in conversation.messages
            if m.direction == Direction.INBOUND and m.id < message.id
        ]
        last = answered[-1] if answered else None
        request = PublishRequest(
            delivery_id=delivery.id,
            idempotency_key=delivery.idempotency_key,
            attempt=claim.attempt,
            text=message.body,
            title=message.subject,
            channel={"id": source.channel_id, "name": source.name, "kind": source.kind.value},
        )
        archive = _archive(conversation, source, message)
        if delivery.kind == REPLY_MASTODON:
            channel = source.channel
            if channel is None or last is None or not last.remote_id:
                return Prepared(publisher_kind, cancel_reason=GONE)
            account = mastodon_account(
                box,
                dict(channel.publisher_settings or {}),
                channel.publisher_secret,
                channel.handle,
                allow_loopback,
            )
            publisher = MastodonReply(
                account, in_reply_to_id=last.remote_id, visibility=message.visibility or "direct"
            )
            return Prepared(publisher_kind, request=request, publisher=publisher, archive=archive)
        mailbox = _mail_settings(session, source)
        if mailbox is None or not conversation.author_email:
            return Prepared(publisher_kind, cancel_reason="No mailbox can send this answer.")
        password = box.decrypt(mailbox.secret) if mailbox.secret else ""
        settings = settings_from(dict(mailbox.settings or {}), password, allow_loopback)
        publisher_mail = MailReply(
            settings,
            to=conversation.author_email,
            subject=message.subject or conversation.subject,
            in_reply_to=last.remote_id
            if last is not None and source.kind == SourceKind.MAILBOX
            else None,
            references=tuple(message.references) if source.kind == SourceKind.MAILBOX else (),
        )
        return Prepared(publisher_kind, request=request, publisher=publisher_mail, archive=archive)

    return prepare


def register_kinds(box: SecretBox, allow_loopback: bool) -> None:
    prepare = make_preparer(box, allow_loopback)
    register(DeliveryKind(REPLY_MASTODON, prepare, idempotent=True))
    register(DeliveryKind(REPLY_MAIL, prepare, idempotent=False))
