"""The inbox's use cases: list and read conversations, assign them, note, answer, close; saved
replies; and acting on a message: link it to a story or fragment, make a story of it, or answer a
hoax or a complaint with an urgent statement.

An answer is content like any other: the brand engine checks it (errors block, as in the gate),
and it goes out through the publishing engine as a delivery of the inbox's own kind
(planner.inbox.replies), claimed once, retried and archived, on the channel it came from.

The module is long because every use case on a conversation lives here, one function each, so a
reader finds what can be done to a conversation in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.brand.channel_checks import check_for_channel
from planner.brand.engine import Alert
from planner.brand.services import active_config
from planner.db import utcnow
from planner.errors import ConflictError, NotFoundError, ValidationError
from planner.fragments.models import Fragment
from planner.fragments.services import split_story
from planner.inbox import events, webcare
from planner.inbox.models import (
    ENDED_STATES,
    OPEN_STATES,
    Conversation,
    ConversationState,
    Direction,
    InboxSource,
    Message,
    Note,
    SavedReply,
    SourceKind,
)
from planner.inbox.sources.mastodon import reply_text
from planner.live.services import record_change
from planner.notifications.phrases import Phrase
from planner.notifications.services import notify_mentions
from planner.publishing.models import Delivery, DeliveryState
from planner.stories.models import Story, StorySource, StoryStatus, Theme

#: the delivery kinds of answers (registered with the engine by planner.inbox.replies)
REPLY_MASTODON = "inbox_mastodon"
REPLY_MAIL = "inbox_mail"
MAX_REPLY = 5000
PER_PAGE = 50


@dataclass(frozen=True)
class InboxFilters:
    source_kind: SourceKind | None = None
    state: ConversationState | None = None
    #: an id; 0 means "nobody"
    assignee_id: int | None = None
    theme_id: int | None = None
    #: only conversations that still need an answer (new and assigned)
    open_only: bool = False


def _filtered(query: Select[Any], filters: InboxFilters) -> Select[Any]:
    if filters.source_kind is not None:
        query = query.where(
            Conversation.source_id.in_(
                select(InboxSource.id).where(InboxSource.kind == filters.source_kind)
            )
        )
    if filters.state is not None:
        query = query.where(Conversation.state == filters.state)
    elif filters.open_only:
        query = query.where(Conversation.state.in_(OPEN_STATES))
    if filters.assignee_id == 0:
        query = query.where(Conversation.assignee_id.is_(None))
    elif filters.assignee_id is not None:
        query = query.where(Conversation.assignee_id == filters.assignee_id)
    if filters.theme_id is not None:
        query = query.where(Conversation.theme_id == filters.theme_id)
    return query


def list_conversations(
    session: Session,
    actor: User | None,
    filters: InboxFilters = InboxFilters(),
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> tuple[list[Conversation], int]:
    """One page of conversations, the most recent message first, and how many match."""
    require_role(actor, Role.EDITOR)
    page = max(1, page)
    base = _filtered(select(Conversation), filters)
    total = session.scalar(select(func.count()).select_from(base.order_by(None).subquery())) or 0
    rows: list[Conversation] = session.scalars(
        base.options(
            joinedload(Conversation.source),
            joinedload(Conversation.assignee),
            joinedload(Conversation.theme),
        )
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()  # type: ignore[assignment]
    return list(rows), int(total)


def latest_messages(session: Session, conversation_ids: Sequence[int]) -> dict[int, Message]:
    """The newest message of each listed conversation (one query, for the list's snippets)."""
    if not conversation_ids:
        return {}
    newest = (
        select(func.max(Message.id))
        .where(Message.conversation_id.in_(list(conversation_ids)))
        .group_by(Message.conversation_id)
    )
    return {
        m.conversation_id: m for m in session.scalars(select(Message).where(Message.id.in_(newest)))
    }


def count_open(session: Session) -> int:
    return session.scalar(select(func.count()).where(Conversation.state.in_(OPEN_STATES))) or 0


def get_conversation(session: Session, actor: User | None, conversation_id: int) -> Conversation:
    require_role(actor, Role.EDITOR)
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFoundError("This conversation does not exist.")
    return conversation


def _check_version(conversation: Conversation, expected: int | None) -> None:
    if expected is not None and expected != conversation.version:
        raise ConflictError("Someone changed this conversation meanwhile; reload it.")


def assign(
    session: Session,
    actor: User | None,
    conversation: Conversation,
    assignee_id: int | None,
    *,
    expected_version: int | None = None,
) -> Conversation:
    """Give a conversation to a person (an editor), or take it back (None)."""
    actor = require_role(actor, Role.EDITOR)
    _check_version(conversation, expected_version)
    assignee = None
    if assignee_id is not None:
        assignee = session.get(User, assignee_id)
        if assignee is None or not assignee.is_active or not assignee.has_role(Role.EDITOR):
            raise ValidationError("Choose an editor to assign to.", field="assignee")
    conversation.assignee = assignee
    if conversation.state in (ConversationState.NEW, ConversationState.ASSIGNED):
        conversation.state = ConversationState.ASSIGNED if assignee else ConversationState.NEW
    session.flush()
    record_event(session, actor, "inbox.assign", conversation, assignee=assignee_id)
    if assignee is not None:
        events.conversation_assigned.send(
            conversation, session=session, assignee=assignee, actor=actor
        )
    return conversation


def add_note(session: Session, actor: User | None, conversation: Conversation, body: str) -> Note:
    actor = require_role(actor, Role.EDITOR)
    text = body.strip()
    if not text:
        raise ValidationError("Write the note first.", field="body")
    note = Note(conversation_id=conversation.id, author=actor, body=text[:5000])
    session.add(note)
    session.flush()
    notify_mentions(
        session,
        actor,
        note.body,
        utcnow(),
        where=Phrase("inbox conversation #%(number)s", number=conversation.id),
        link=f"/inbox/{conversation.id}",
        dedupe_key=f"note:{note.id}",
    )
    return note


def set_theme(
    session: Session, actor: User | None, conversation: Conversation, theme_id: int | None
) -> Conversation:
    require_role(actor, Role.EDITOR)
    if theme_id is not None and session.get(Theme, theme_id) is None:
        raise ValidationError("Choose a theme from the list.", field="theme")
    conversation.theme_id = theme_id
    session.flush()
    return conversation


def close(
    session: Session,
    actor: User | None,
    conversation: Conversation,
    *,
    no_action: bool = False,
    now: datetime,
    expected_version: int | None = None,
) -> Conversation:
    """Close a conversation: answered and done, or "geen actie" (nothing is owed)."""
    actor = require_role(actor, Role.EDITOR)
    _check_version(conversation, expected_version)
    if conversation.state in ENDED_STATES:
        raise ConflictError("This conversation is already closed.")
    conversation.state = ConversationState.NO_ACTION if no_action else ConversationState.CLOSED
    conversation.closed_at = now
    conversation.waiting_since = None
    session.flush()
    record_event(session, actor, "inbox.close", conversation, no_action=no_action)
    record_change(session, "inbox", now, subject_id=conversation.id, actor=actor)
    return conversation


def reopen(session: Session, actor: User | None, conversation: Conversation) -> Conversation:
    actor = require_role(actor, Role.EDITOR)
    if conversation.state not in ENDED_STATES:
        raise ConflictError("This conversation is not closed.")
    conversation.state = (
        ConversationState.ASSIGNED if conversation.assignee_id else ConversationState.NEW
    )
    conversation.closed_at = None
    session.flush()
    record_event(session, actor, "inbox.reopen", conversation)
    record_change(session, "inbox", utcnow(), subject_id=conversation.id, actor=actor)
    return conversation


# --- answering ---------------------------------------------------------------------------------


def check_reply(
    session: Session, conversation: Conversation, text: str, language: str = "nl"
) -> list[Alert]:
    """The brand engine's findings on an answer, against the channel it goes to."""
    channel = "mastodon" if conversation.source.kind == SourceKind.MASTODON else None
    return check_for_channel(text, channel, markdown=False, config=active_config(session, language))


def _last_inbound(conversation: Conversation) -> Message:
    inbound = [m for m in conversation.messages if m.direction == Direction.INBOUND]
    if not inbound:
        raise ConflictError("There is no message to answer in this conversation.")
    return inbound[-1]


def reply(
    session: Session,
    actor: User | None,
    conversation: Conversation,
    text: str,
    *,
    now: datetime,
    timezone: str,
    handling_seconds: int | None = None,
    expected_version: int | None = None,
    language: str = "nl",
) -> Message:
    """Answer on the channel the message came from, through the publishing engine.

    Brand errors block it, as the gate blocks a fragment. The answer is a delivery of the inbox's
    own kind (due now): the engine claims it once, sends it with the idempotency key, retries,
    and archives it. The conversation counts as answered from this moment.
    """
    actor = require_role(actor, Role.EDITOR)
    _check_version(conversation, expected_version)
    source = conversation.source
    if source.kind == SourceKind.FEED:
        raise ConflictError("Feed items are story tips; they are not answered.")
    if source.kind == SourceKind.WEBHOOK and not conversation.author_email:
        raise ConflictError("This form message left no address to answer to.")
    if conversation.anonymised_at is not None:
        raise ConflictError("This conversation was anonymised; it cannot be answered.")
    body = text.strip()
    if not body:
        raise ValidationError("Write the answer first.", field="text")
    if len(body) > MAX_REPLY:
        raise ValidationError("The answer is too long.", field="text")
    if source.kind == SourceKind.MASTODON:
        body = reply_text(conversation.author_handle or "", body)
    errors = [
        a for a in check_reply(session, conversation, body, language) if a.severity == "error"
    ]
    if errors:
        raise ConflictError(
            "Fix these findings first: " + " ".join(a.message for a in errors),
            findings=[
                {"check": a.check, "severity": a.severity, "message": a.message, "match": a.match}
                for a in errors
            ],
        )
    last = _last_inbound(conversation)
    if source.kind == SourceKind.MASTODON:
        kind, channel_id = REPLY_MASTODON, source.channel_id
    else:
        # Webhook senders are answered by e-mail through the first mailbox that can send.
        kind, channel_id = REPLY_MAIL, None
    delivery = Delivery(
        kind=kind,
        fragment_id=None,
        channel_id=channel_id,
        due_at=now,
        not_before=now,
        state=DeliveryState.PENDING,
        fragment_version=0,
        scheduled_by=actor,
    )
    session.add(delivery)
    session.flush()
    message = Message(
        conversation=conversation,
        source_id=source.id,
        direction=Direction.OUTBOUND,
        remote_key=f"reply:{delivery.idempotency_key}",
        remote_id=None,
        references=[*last.references, *([last.remote_id] if last.remote_id else [])],
        subject=last.subject,
        body=body,
        visibility=last.visibility,
        received_at=now,
        author_id=actor.id,
        delivery_id=delivery.id,
        handling_seconds=handling_seconds
        if handling_seconds and 0 < handling_seconds <= 3600
        else None,
    )
    session.add(message)
    if conversation.first_response_at is None:
        conversation.first_response_at = now
        conversation.first_response_office_seconds = webcare.response_office_seconds(
            webcare.get_settings(session), timezone, conversation.first_message_at, now
        )
    conversation.state = ConversationState.ANSWERED
    conversation.waiting_since = None
    conversation.at_risk_warned_at = None
    if conversation.assignee_id is None:
        conversation.assignee_id = actor.id
    session.flush()
    record_event(session, actor, "inbox.reply", conversation, delivery=delivery.id)
    events.conversation_answered.send(conversation, session=session, message=message, actor=actor)
    return message


def delivery_states(session: Session, messages: Sequence[Message]) -> dict[int, Delivery]:
    ids = [m.delivery_id for m in messages if m.delivery_id is not None]
    if not ids:
        return {}
    return {d.id: d for d in session.scalars(select(Delivery).where(Delivery.id.in_(ids)))}


# --- saved replies -----------------------------------------------------------------------------


def list_saved_replies(session: Session, actor: User | None) -> list[SavedReply]:
    require_role(actor, Role.EDITOR)
    return list(session.scalars(select(SavedReply).order_by(SavedReply.title)))


def save_reply(session: Session, actor: User | None, title: str, body: str) -> SavedReply:
    actor = require_role(actor, Role.EDITOR)
    if not title.strip() or not body.strip():
        raise ValidationError("Give the saved reply a title and a text.", field="title")
    if session.scalar(select(SavedReply.id).where(SavedReply.title == title.strip())):
        raise ValidationError("A saved reply with this title exists.", field="title")
    row = SavedReply(title=title.strip()[:120], body=body.strip())
    session.add(row)
    session.flush()
    record_event(session, actor, "inbox.saved_reply", row)
    return row


def delete_saved_reply(session: Session, actor: User | None, reply_id: int) -> None:
    require_role(actor, Role.EDITOR)
    row = session.get(SavedReply, reply_id)
    if row is None:
        raise NotFoundError("This saved reply does not exist.")
    session.delete(row)
    session.flush()


# --- from a message to a story or a statement ----------------------------------------------------


def link(
    session: Session,
    actor: User | None,
    conversation: Conversation,
    *,
    story_id: int | None = None,
    fragment_id: int | None = None,
) -> Conversation:
    """Say which story or fragment a reaction belongs to (their pages show it)."""
    actor = require_role(actor, Role.EDITOR)
    if fragment_id is not None:
        fragment = session.get(Fragment, fragment_id)
        if fragment is None:
            raise ValidationError("No fragment has this number.", field="fragment")
        conversation.fragment_id = fragment.id
        conversation.story_id = story_id or fragment.story_id
    elif story_id is not None:
        if session.get(Story, story_id) is None:
            raise ValidationError("No story has this number.", field="story")
        conversation.story_id = story_id
    session.flush()
    record_event(session, actor, "inbox.link", conversation, story=story_id, fragment=fragment_id)
    return conversation


def record_quote_consent(
    session: Session, actor: User | None, conversation: Conversation, now: datetime
) -> Conversation:
    """The author said yes to being quoted (in their own words, in the conversation)."""
    actor = require_role(actor, Role.EDITOR)
    conversation.quote_consent_at = now
    session.flush()
    record_event(session, actor, "inbox.quote_consent", conversation)
    return conversation


def make_story(
    session: Session,
    actor: User | None,
    conversation: Conversation,
    *,
    title: str,
    quote: bool,
    summary: str = "",
) -> Story:
    """Turn a message into a story. Quoting the author's words needs their consent first."""
    actor = require_role(actor, Role.EDITOR)
    if quote and conversation.quote_consent_at is None:
        raise ConflictError("Ask the author first: their words are only quoted with consent.")
    inbound = [m for m in conversation.messages if m.direction == Direction.INBOUND]
    body = "\n\n".join(f"> {m.body}" for m in inbound) if quote else summary.strip()
    if not body:
        raise ValidationError(
            "Describe what the story is about (without quoting).", field="summary"
        )
    story = Story(
        title=(title.strip() or conversation.subject or "Uit de inbox")[:200],
        body=body,
        language="nl",
        source=StorySource.RESIDENT,
        status=StoryStatus.NEW,
        contributor_name=conversation.author_name if quote else None,
        contributor_email=conversation.author_email if quote else None,
        editor=actor,
    )
    if conversation.theme is not None:
        story.themes = [conversation.theme]
    session.add(story)
    session.flush()
    conversation.story_id = story.id
    record_event(session, actor, "inbox.make_story", conversation, story=story.id, quote=quote)
    return story


def answer_with_statement(
    session: Session,
    actor: User | None,
    conversation: Conversation,
    *,
    channel_id: int,
    text: str,
    title: str | None = None,
) -> Fragment:
    """One click from a hoax or a complaint to an urgent statement: a story and a draft fragment
    with ``is_urgent`` set. The rapid-response lane publishes urgent fragments once approved;
    the four-eyes rule still holds."""
    actor = require_role(actor, Role.EDITOR)
    body = text.strip()
    if not body:
        raise ValidationError("Write the statement first.", field="text")
    story = Story(
        title=(title or f"Reactie: {conversation.subject or 'bericht uit de inbox'}")[:200],
        body=body,
        language="nl",
        source=StorySource.ORGANISATION,
        status=StoryStatus.ACCEPTED,
        editor=actor,
    )
    if conversation.theme is not None:
        story.themes = [conversation.theme]
    session.add(story)
    session.flush()
    fragments = split_story(session, actor, story, [channel_id], fragment_kind="post")
    fragment = fragments[0]
    fragment.is_urgent = True
    conversation.story_id = story.id
    conversation.fragment_id = fragment.id
    session.add(
        Note(
            conversation_id=conversation.id,
            author=actor,
            body=f"Spoedverklaring gemaakt: fragment {fragment.id}.",
        )
    )
    session.flush()
    record_event(session, actor, "inbox.statement", conversation, fragment=fragment.id)
    return fragment


def reactions_to(
    session: Session, *, story_id: int | None = None, fragment_id: int | None = None
) -> list[Conversation]:
    """The conversations linked to a story or a fragment, newest first."""
    query = select(Conversation).options(joinedload(Conversation.source))
    if fragment_id is not None:
        query = query.where(Conversation.fragment_id == fragment_id)
    elif story_id is not None:
        query = query.where(Conversation.story_id == story_id)
    else:
        return []
    return list(session.scalars(query.order_by(Conversation.last_message_at.desc()).limit(50)))
