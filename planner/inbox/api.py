"""The inbox part of the JSON API: list and read conversations, assign, answer and close them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import g
from pydantic import BaseModel, Field

from planner.api import api
from planner.api.spec import MAX_ID, NO_NUL
from planner.inbox import services
from planner.inbox.models import Conversation, ConversationState, Message, SourceKind
from planner.organisation.services import get_organisation
from planner.web import runtime
from planner.web.database import db_session


class InboxQuery(BaseModel):
    source: Literal["mastodon", "mailbox", "webhook", "feed"] | None = None
    state: Literal["new", "assigned", "answered", "closed", "no_action"] | None = None
    #: 0 for conversations nobody has
    assignee: int | None = Field(default=None, ge=0, le=MAX_ID)
    theme: int | None = Field(default=None, ge=1, le=MAX_ID)
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=50, ge=1, le=200)


class ConversationOut(BaseModel):
    id: int
    source: str
    source_name: str
    state: str
    author_name: str | None
    author_handle: str | None
    author_email: str | None
    subject: str | None
    assignee_id: int | None
    theme_id: int | None
    story_id: int | None
    fragment_id: int | None
    first_message_at: datetime
    last_message_at: datetime
    first_response_at: datetime | None
    version: int


class InboxPage(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[ConversationOut]


class MessageOut(BaseModel):
    id: int
    direction: str
    body: str
    subject: str | None
    visibility: str | None
    received_at: datetime
    remote_url: str | None
    #: for answers: the delivery's state (pending, sent, retrying, failed, needs_check, ...)
    delivery_state: str | None = None


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]


class AssignIn(BaseModel):
    assignee_id: int | None = Field(ge=1, le=MAX_ID)
    version: int | None = Field(default=None, ge=1, le=MAX_ID)


class ReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=services.MAX_REPLY, pattern=NO_NUL)
    version: int | None = Field(default=None, ge=1, le=MAX_ID)


class CloseIn(BaseModel):
    no_action: bool = False
    version: int | None = Field(default=None, ge=1, le=MAX_ID)


def conversation_out(c: Conversation) -> ConversationOut:
    return ConversationOut(
        id=c.id,
        source=c.source.kind.value,
        source_name=c.source.name,
        state=c.state.value,
        author_name=c.author_name,
        author_handle=c.author_handle,
        author_email=c.author_email,
        subject=c.subject,
        assignee_id=c.assignee_id,
        theme_id=c.theme_id,
        story_id=c.story_id,
        fragment_id=c.fragment_id,
        first_message_at=c.first_message_at,
        last_message_at=c.last_message_at,
        first_response_at=c.first_response_at,
        version=c.version,
    )


def _detail(c: Conversation) -> ConversationDetail:
    deliveries = services.delivery_states(db_session(), c.messages)

    def out(m: Message) -> MessageOut:
        delivery = deliveries.get(m.delivery_id) if m.delivery_id else None
        return MessageOut(
            id=m.id,
            direction=m.direction.value,
            body=m.body,
            subject=m.subject,
            visibility=m.visibility,
            received_at=m.received_at,
            remote_url=(delivery.remote_url if delivery else None) or m.remote_url,
            delivery_state=delivery.state.value if delivery else None,
        )

    return ConversationDetail(
        **conversation_out(c).model_dump(), messages=[out(m) for m in c.messages]
    )


@api.operation(
    "GET",
    "/inbox",
    summary="Conversations in the inbox, newest first, with filters",
    tags=["inbox"],
    response=InboxPage,
    query=InboxQuery,
    errors=(403,),
)
def list_inbox(query: InboxQuery) -> InboxPage:
    filters = services.InboxFilters(
        source_kind=SourceKind(query.source) if query.source else None,
        state=ConversationState(query.state) if query.state else None,
        assignee_id=query.assignee,
        theme_id=query.theme,
    )
    rows, total = services.list_conversations(
        db_session(), g.api_user, filters, page=query.page, per_page=query.per_page
    )
    return InboxPage(
        total=total,
        page=query.page,
        per_page=query.per_page,
        items=[conversation_out(c) for c in rows],
    )


@api.operation(
    "GET",
    "/inbox/<int:conversation_id>",
    summary="One conversation with its messages",
    tags=["inbox"],
    response=ConversationDetail,
    errors=(403,),
)
def get_inbox_item(conversation_id: int) -> ConversationDetail:
    return _detail(services.get_conversation(db_session(), g.api_user, conversation_id))


@api.operation(
    "POST",
    "/inbox/<int:conversation_id>/assign",
    summary="Assign a conversation to an editor (null: to nobody)",
    tags=["inbox"],
    response=ConversationOut,
    body=AssignIn,
    errors=(403, 409),
)
def assign_inbox_item(conversation_id: int, body: AssignIn) -> ConversationOut:
    session = db_session()
    conversation = services.get_conversation(session, g.api_user, conversation_id)
    services.assign(
        session, g.api_user, conversation, body.assignee_id, expected_version=body.version
    )
    return conversation_out(conversation)


@api.operation(
    "POST",
    "/inbox/<int:conversation_id>/reply",
    summary="Answer on the channel the message came from (brand-checked, sent by the engine)",
    tags=["inbox"],
    response=ConversationDetail,
    body=ReplyIn,
    status=201,
    errors=(403, 409),
)
def reply_inbox_item(conversation_id: int, body: ReplyIn) -> ConversationDetail:
    session = db_session()
    conversation = services.get_conversation(session, g.api_user, conversation_id)
    timezone = get_organisation(session, runtime.settings().timezone).timezone
    services.reply(
        session,
        g.api_user,
        conversation,
        body.text,
        now=runtime.now(),
        timezone=timezone,
        expected_version=body.version,
    )
    return _detail(conversation)


@api.operation(
    "POST",
    "/inbox/<int:conversation_id>/close",
    summary="Close a conversation (no_action: nothing was owed)",
    tags=["inbox"],
    response=ConversationOut,
    body=CloseIn,
    errors=(403, 409),
)
def close_inbox_item(conversation_id: int, body: CloseIn) -> ConversationOut:
    session = db_session()
    conversation = services.get_conversation(session, g.api_user, conversation_id)
    services.close(
        session,
        g.api_user,
        conversation,
        no_action=body.no_action,
        now=runtime.now(),
        expected_version=body.version,
    )
    return conversation_out(conversation)
