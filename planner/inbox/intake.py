"""Bringing messages in: the sources (one per listening Mastodon channel, mailbox, webhook sender
and feed), one poll per source in its own transaction, and storing what arrived exactly once.

A poll reads its cursor, talks to the outside without holding a transaction (a slow IMAP server
must not hold SQLite's write lock), then stores the messages and the new cursor together in one
``write_session``. A source is claimed for a round (its next poll time moves on first), so two
scheduler processes do not poll it together; should they still meet, the unique (source, remote
key) pair refuses the second copy and that poll is simply repeated. A message therefore arrives
once; a failing source records its error and never stops the others, nor the publishing engine.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.channels.models import Channel
from planner.db import write_session
from planner.errors import NotFoundError, ValidationError
from planner.inbox import events
from planner.inbox.models import (
    ENDED_STATES,
    Conversation,
    ConversationState,
    Direction,
    InboxSource,
    Message,
    SourceKind,
    StoryTip,
)
from planner.inbox.sources import Attachment, Incoming
from planner.inbox.sources.feed import fetch_feed
from planner.inbox.sources.mailbox import fetch_mail, settings_from
from planner.inbox.sources.mastodon import MastodonAccount, MastodonListener
from planner.media.imaging import ImageRejectedError, inspect_and_normalise
from planner.media.storage import Storage
from planner.publishing.secrets import SecretBox

log = logging.getLogger(__name__)

#: attachments kept besides images (checked by the photo pipeline); anything else is listed only
DOCUMENT_TYPES = {"application/pdf": ".pdf", "text/plain": ".txt"}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
_SLUG = re.compile(r"[^a-z0-9-]+")


@dataclass(frozen=True)
class Collaborators:
    """What a poll needs from the composition root."""

    box: SecretBox
    storage: Storage | None
    allow_loopback: bool = False


@dataclass
class PollReport:
    polled: int = 0
    stored: int = 0
    failed: list[str] = field(default_factory=list)


# --- sources --------------------------------------------------------------------------------


def slugify(name: str) -> str:
    return _SLUG.sub("-", name.strip().lower()).strip("-")[:50] or "bron"


def ensure_mastodon_sources(session: Session) -> list[InboxSource]:
    """Every Mastodon channel the engine publishes to also listens, unless switched off."""
    have = set(
        session.scalars(select(InboxSource.channel_id).where(InboxSource.channel_id.is_not(None)))
    )
    created = []
    for channel in session.scalars(
        select(Channel).where(Channel.publisher_kind == "mastodon", Channel.is_active.is_(True))
    ):
        if channel.id in have:
            continue
        source = InboxSource(
            kind=SourceKind.MASTODON,
            name=channel.name,
            slug=f"mastodon-{channel.id}",
            channel_id=channel.id,
            settings={},
            cursor={},
        )
        session.add(source)
        created.append(source)
    session.flush()
    return created


def list_sources(session: Session, actor: User | None) -> list[InboxSource]:
    require_role(actor, Role.EDITOR)
    return list(session.scalars(select(InboxSource).order_by(InboxSource.kind, InboxSource.name)))


def create_source(
    session: Session,
    actor: User | None,
    box: SecretBox,
    *,
    kind: SourceKind,
    name: str,
    settings: dict[str, object],
    secret: str | None = None,
    slug: str | None = None,
) -> InboxSource:
    """A mailbox, a webhook sender or a feed (Mastodon channels listen by themselves)."""
    actor = require_role(actor, Role.ADMIN)
    if kind == SourceKind.MASTODON:
        raise ValidationError("Mastodon channels listen by themselves.", field="kind")
    if not name.strip():
        raise ValidationError("Give the source a name.", field="name")
    if kind == SourceKind.FEED and not str(settings.get("url") or "").startswith(
        ("http://", "https://")
    ):
        raise ValidationError("Give the address of the feed (https://…).", field="url")
    if kind == SourceKind.MAILBOX:
        for required in ("address", "imap_host", "username"):
            if not str(settings.get(required) or "").strip():
                raise ValidationError(
                    "Fill in the mailbox's address, server and user.", field=required
                )
    if kind in (SourceKind.MAILBOX, SourceKind.WEBHOOK) and not secret:
        raise ValidationError("A password or secret is needed.", field="secret")
    chosen = slugify(slug or name)
    if session.scalar(select(InboxSource.id).where(InboxSource.slug == chosen)) is not None:
        raise ValidationError("Another source has this name.", field="name")
    source = InboxSource(
        kind=kind,
        name=name.strip()[:100],
        slug=chosen,
        settings=dict(settings),
        secret=box.encrypt(secret) if secret else None,
        cursor={},
        poll_interval_seconds=900 if kind == SourceKind.FEED else 60,
    )
    session.add(source)
    session.flush()
    record_event(session, actor, "inbox.source.create", source, kind=kind.value)
    return source


def set_source_active(
    session: Session, actor: User | None, source_id: int, active: bool
) -> InboxSource:
    actor = require_role(actor, Role.ADMIN)
    source = session.get(InboxSource, source_id)
    if source is None:
        raise NotFoundError("This source does not exist.")
    source.is_active = active
    record_event(session, actor, "inbox.source.active", source, active=active)
    return source


def find_source_by_slug(session: Session, slug: str) -> InboxSource | None:
    return session.scalar(select(InboxSource).where(InboxSource.slug == slug))


# --- storing -------------------------------------------------------------------------------------


def _store_attachment(attachment: Attachment, storage: Storage | None) -> dict[str, object]:
    entry: dict[str, object] = {
        "name": attachment.name[:200],
        "mime": attachment.mime,
        "size": len(attachment.data),
    }
    if storage is None or len(attachment.data) > MAX_ATTACHMENT_BYTES:
        entry["kept"] = False
        return entry
    if attachment.mime.startswith("image/"):
        try:
            # The photo pipeline's checks: real image, size and pixel limits, EXIF stripped.
            image = inspect_and_normalise(attachment.data)
        except ImageRejectedError as exc:
            entry.update(kept=False, refused=exc.message)
            return entry
        entry.update(key=storage.put(image.data, image.suffix), mime=image.mime, kept=True)
        return entry
    suffix = DOCUMENT_TYPES.get(attachment.mime)
    if suffix is None:
        entry["kept"] = False
        return entry
    entry.update(key=storage.put(attachment.data, suffix), kept=True)
    return entry


def _open_conversation(
    session: Session, source: InboxSource, author_key: str
) -> Conversation | None:
    return session.scalar(
        select(Conversation)
        .where(
            Conversation.source_id == source.id,
            Conversation.author_key == author_key,
            Conversation.state.not_in(ENDED_STATES),
        )
        .order_by(Conversation.id.desc())
        .limit(1)
    )


def store_incoming(
    session: Session,
    source: InboxSource,
    messages: Sequence[Incoming],
    *,
    now: datetime,
    storage: Storage | None = None,
) -> list[Message]:
    """Thread and store what a source delivered; what is already stored is skipped."""
    if not messages:
        return []
    keys = [m.remote_key for m in messages]
    known = set(
        session.scalars(
            select(Message.remote_key).where(
                Message.source_id == source.id, Message.remote_key.in_(keys)
            )
        )
    )
    stored = []
    for incoming in messages:
        if incoming.remote_key in known:
            continue
        known.add(incoming.remote_key)
        conversation = _open_conversation(session, source, incoming.author_key)
        is_new = conversation is None
        if conversation is None:
            conversation = Conversation(
                source=source,
                author_key=incoming.author_key,
                first_message_at=incoming.received_at,
                last_message_at=incoming.received_at,
                state=ConversationState.NEW,
            )
            session.add(conversation)
        conversation.author_name = incoming.author_name or conversation.author_name
        conversation.author_handle = incoming.author_handle or conversation.author_handle
        conversation.author_email = incoming.author_email or conversation.author_email
        conversation.subject = conversation.subject or incoming.subject
        conversation.visibility = incoming.visibility or conversation.visibility
        conversation.last_message_at = max(conversation.last_message_at, incoming.received_at)
        if conversation.state == ConversationState.ANSWERED:
            # The resident wrote again: we owe another answer, and its clock starts now.
            conversation.state = (
                ConversationState.ASSIGNED if conversation.assignee_id else ConversationState.NEW
            )
            conversation.at_risk_warned_at = None
        if conversation.waiting_since is None:
            conversation.waiting_since = incoming.received_at
        message = Message(
            conversation=conversation,
            source_id=source.id,
            direction=Direction.INBOUND,
            remote_key=incoming.remote_key[:400],
            remote_id=incoming.remote_id,
            references=list(incoming.references),
            remote_url=incoming.remote_url,
            subject=incoming.subject,
            body=incoming.body,
            visibility=incoming.visibility,
            attachments=[_store_attachment(a, storage) for a in incoming.attachments],
            received_at=incoming.received_at,
        )
        session.add(message)
        session.flush()
        stored.append(message)
        events.message_received.send(
            conversation, session=session, message=message, is_new_conversation=is_new
        )
    return stored


def store_tips(
    session: Session, source: InboxSource, items: Sequence[object], now: datetime
) -> int:
    from planner.inbox.sources.feed import FeedItem

    tips = [i for i in items if isinstance(i, FeedItem)]
    if not tips:
        return 0
    known = set(
        session.scalars(
            select(StoryTip.remote_key).where(
                StoryTip.source_id == source.id,
                StoryTip.remote_key.in_([t.remote_key for t in tips]),
            )
        )
    )
    count = 0
    for item in tips:
        if item.remote_key in known:
            continue
        known.add(item.remote_key)
        tip = StoryTip(
            source_id=source.id,
            remote_key=item.remote_key,
            title=item.title,
            link=item.link,
            summary=item.summary,
            published_at=item.published_at,
            received_at=now,
        )
        session.add(tip)
        count += 1
    return count


# --- polling --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SourceView:
    id: int
    kind: SourceKind
    settings: dict[str, object]
    secret: str | None
    cursor: dict[str, object]
    channel_settings: dict[str, object]
    channel_secret: str | None
    channel_handle: str | None


def _due_sources(
    factory: sessionmaker[Session], kind: SourceKind, now: datetime
) -> list[_SourceView]:
    with write_session(factory) as session:
        if kind == SourceKind.MASTODON:
            ensure_mastodon_sources(session)
        rows = session.scalars(
            select(InboxSource).where(
                InboxSource.kind == kind,
                InboxSource.is_active.is_(True),
                (InboxSource.next_poll_at.is_(None)) | (InboxSource.next_poll_at <= now),
            )
        ).all()
        views = []
        for source in rows:
            channel = source.channel
            if kind == SourceKind.MASTODON and (channel is None or not channel.is_active):
                continue
            views.append(
                _SourceView(
                    id=source.id,
                    kind=source.kind,
                    settings=dict(source.settings or {}),
                    secret=source.secret,
                    cursor=dict(source.cursor or {}),
                    channel_settings=dict(channel.publisher_settings or {}) if channel else {},
                    channel_secret=channel.publisher_secret if channel else None,
                    channel_handle=channel.handle if channel else None,
                )
            )
            # Claim this round: a second scheduler process skips it until the next interval.
            source.next_poll_at = now + timedelta(seconds=source.poll_interval_seconds)
        return views


def mastodon_account(
    box: SecretBox,
    settings: dict[str, object],
    secret: str | None,
    handle: str | None,
    allow_loopback: bool,
) -> MastodonAccount:
    """The listening account from its channel's publisher settings and decrypted credential."""
    from planner.publishing.registry import PublisherRegistry

    # The channel's credential decrypts as publishing reads it (a JSON object or the token).
    values = PublisherRegistry(box).secret_values(
        Channel(publisher_kind="mastodon", publisher_secret=secret)
    )
    token = str(values.get("access_token") or "")
    return MastodonAccount(
        base_url=str(settings.get("base_url") or ""),
        access_token=token,
        own_handle=handle,
        allow_loopback=allow_loopback,
    )


def _fetch(
    view: _SourceView, collaborators: Collaborators
) -> tuple[list[Incoming], list[object], dict[str, object]]:
    """Talk to the outside for one source: (messages, tips, new cursor)."""
    box = collaborators.box
    if view.kind == SourceKind.MASTODON:
        account = mastodon_account(
            box,
            view.channel_settings,
            view.channel_secret,
            view.channel_handle,
            collaborators.allow_loopback,
        )
        since = view.cursor.get("since_id")
        batch = MastodonListener(account).fetch_mentions(str(since) if since else None)
        return batch.messages, [], {"since_id": batch.newest_id}
    if view.kind == SourceKind.MAILBOX:
        password = box.decrypt(view.secret) if view.secret else ""
        settings = settings_from(view.settings, password, collaborators.allow_loopback)
        validity = view.cursor.get("uidvalidity")
        mail = fetch_mail(
            settings,
            uidvalidity=int(str(validity)) if validity is not None else None,
            last_uid=int(str(view.cursor.get("uid") or 0)),
        )
        return mail.messages, [], {"uidvalidity": mail.uidvalidity, "uid": mail.last_uid}
    if view.kind == SourceKind.FEED:
        feed = fetch_feed(
            str(view.settings.get("url") or ""),
            etag=str(view.cursor["etag"]) if view.cursor.get("etag") else None,
            last_modified=str(view.cursor["last_modified"])
            if view.cursor.get("last_modified")
            else None,
            allow_loopback=collaborators.allow_loopback,
        )
        return [], list(feed.items), {"etag": feed.etag, "last_modified": feed.last_modified}
    return [], [], dict(view.cursor)


def poll_source(
    factory: sessionmaker[Session], view: _SourceView, now: datetime, collaborators: Collaborators
) -> int:
    """One source: fetch outside any transaction, then store and move the cursor in one."""
    messages, tips, cursor = _fetch(view, collaborators)
    with write_session(factory) as session:
        source = session.get(InboxSource, view.id)
        if source is None:
            return 0
        stored = len(
            store_incoming(session, source, messages, now=now, storage=collaborators.storage)
        )
        stored += store_tips(session, source, tips, now)
        source.cursor = cursor
        source.last_polled_at = now
        source.last_error = None
    return stored


def poll_sources(
    factory: sessionmaker[Session], kind: SourceKind, now: datetime, collaborators: Collaborators
) -> PollReport:
    """Poll every due source of one kind; each in its own transaction, failures recorded."""
    report = PollReport()
    for view in _due_sources(factory, kind, now):
        report.polled += 1
        try:
            report.stored += poll_source(factory, view, now, collaborators)
        except Exception as exc:  # one source's trouble is logged and shown; the rest go on
            log.warning("inbox source %s (%s) failed: %s", view.id, view.kind.value, exc)
            report.failed.append(f"{view.id}: {exc}")
            with write_session(factory) as session:
                source = session.get(InboxSource, view.id)
                if source is not None:
                    source.last_error = str(exc)[:2000]
                    source.last_polled_at = now
    return report


def poll_now(session: Session, actor: User | None, source_id: int, now: datetime) -> InboxSource:
    """Make a source due at the next scheduler tick (the "poll now" button)."""
    require_role(actor, Role.EDITOR)
    source = session.get(InboxSource, source_id)
    if source is None:
        raise NotFoundError("This source does not exist.")
    source.next_poll_at = now
    return source
