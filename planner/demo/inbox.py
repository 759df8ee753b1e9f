"""Zuiderhaven's inbox: a lived-in week (listening.md). A compliment and a complaint on Mastodon,
a question by mail, a hoax about the waste collection answered with an urgent statement, a tip from
the neighbourhood association's feed, and one direct message whose clock is still running.

The sources exist but do not listen (the demo has no real Mastodon server or mailbox); answers
are recorded as sent, so the demo's scheduler has nothing to send for them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.channels.models import Channel
from planner.demo.plan import approve_as_editor, mark_published
from planner.demo.publishing import archive_delivery
from planner.inbox import services, webcare
from planner.inbox.intake import store_incoming
from planner.inbox.models import (
    Conversation,
    ConversationState,
    Direction,
    InboxSource,
    Message,
    SavedReply,
    SourceKind,
    StoryTip,
)
from planner.inbox.sources import Incoming
from planner.publishing.models import Delivery, DeliveryState
from planner.stories.models import Theme

TZ = "Europe/Amsterdam"


def _source(
    session: Session, kind: SourceKind, name: str, slug: str, **values: object
) -> InboxSource:
    source = InboxSource(
        kind=kind, name=name, slug=slug, settings=values, cursor={}, is_active=False
    )
    session.add(source)
    session.flush()
    return source


def _incoming(key: str, who: str, text: str, at: datetime, **extra: object) -> Incoming:
    handle = who if who.startswith("@") else None
    return Incoming(
        remote_key=key,
        remote_id=key.split(":", 1)[1],
        author_key=who.lower(),
        author_name=str(extra.pop("name", None) or who.lstrip("@").split("@")[0].title()),
        author_handle=handle,
        author_email=None if handle else who,
        body=text,
        received_at=at,
        **extra,  # type: ignore[arg-type]
    )


def _answer(
    session: Session,
    conversation: Conversation,
    who: User,
    text: str,
    at: datetime,
    channel_id: int | None,
) -> None:
    """A sent answer, as the engine would have left it."""
    delivery = Delivery(
        kind=services.REPLY_MASTODON if channel_id else services.REPLY_MAIL,
        channel_id=channel_id,
        due_at=at,
        not_before=at,
        state=DeliveryState.SENT,
        attempt=1,
        fragment_version=0,
        sent_at=at,
        remote_url="https://social.example/@zuiderhaven/1" if channel_id else None,
        scheduled_by=who,
    )
    session.add(delivery)
    session.flush()
    session.add(
        Message(
            conversation=conversation,
            source_id=conversation.source_id,
            direction=Direction.OUTBOUND,
            remote_key=f"reply:{delivery.idempotency_key}",
            body=text,
            visibility=conversation.visibility,
            received_at=at,
            author_id=who.id,
            delivery_id=delivery.id,
            handling_seconds=240,
        )
    )
    if conversation.first_response_at is None:
        conversation.first_response_at = at
        conversation.first_response_office_seconds = webcare.response_office_seconds(
            webcare.get_settings(session), TZ, conversation.first_message_at, at
        )
    conversation.state = ConversationState.ANSWERED
    conversation.waiting_since = None
    conversation.assignee_id = who.id


def _office_moment(now: datetime, days_ago: int, hour: int, minute: int = 0) -> datetime:
    from zoneinfo import ZoneInfo

    local = (now - timedelta(days=days_ago)).astimezone(ZoneInfo(TZ))
    # Keep to working days, so the week reads like one.
    while local.weekday() >= 5:
        local -= timedelta(days=1)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


def seed_inbox(session: Session, now: datetime) -> None:
    users = {u.email.split("@")[0]: u for u in session.scalars(select(User))}
    sanne, daan = users["sanne"], users["daan"]
    themes = {t.name: t for t in session.scalars(select(Theme))}
    mastodon_channel = session.scalars(
        select(Channel).where(Channel.kind_key == "mastodon")
    ).first()
    channel_id = mastodon_channel.id if mastodon_channel else None
    webcare.get_settings(session)

    social = _source(session, SourceKind.MASTODON, "Mastodon @zuiderhaven", "mastodon-demo")
    social.channel_id = channel_id
    mail = _source(
        session,
        SourceKind.MAILBOX,
        "webcare@zuiderhaven.example",
        "webcare",
        address="webcare@zuiderhaven.example",
        imap_host="imap.zuiderhaven.example",
        username="webcare",
    )
    feed = _source(
        session,
        SourceKind.FEED,
        "Buurtvereniging De Hoven",
        "buurtvereniging-de-hoven",
        url="https://dehoven.example/nieuws/feed.xml",
    )
    _source(session, SourceKind.WEBHOOK, "Contactformulier website", "contactformulier")

    # 1. A compliment, answered within twenty minutes and closed.
    at = _office_moment(now, 4, 10, 5)
    store_incoming(
        session,
        social,
        [
            _incoming(
                "status:9001",
                "@marieke@buurt.social",
                (
                    "Wat een mooie nieuwe speeltuin in De Hoven! Mijn kinderen willen er niet meer "
                    "weg."
                ),
                at,
                visibility="public",
                name="Marieke",
            )
        ],
        now=at,
    )
    compliment = session.scalars(select(Conversation).order_by(Conversation.id.desc())).first()
    assert compliment is not None
    compliment.theme = themes.get("Inspraak")
    _answer(
        session,
        compliment,
        sanne,
        (
            "@marieke@buurt.social Wat fijn om te horen! De speeltuin is samen met bewoners "
            "ontworpen. Veel plezier!"
        ),
        at + timedelta(minutes=18),
        channel_id,
    )
    compliment.state = ConversationState.CLOSED
    compliment.closed_at = at + timedelta(minutes=20)

    # 2. A complaint about a pavement, answered within the hour.
    at = _office_moment(now, 3, 14, 40)
    store_incoming(
        session,
        social,
        [
            _incoming(
                "status:9010",
                "@joost@buurt.social",
                (
                    "Al drie weken ligt de stoep in de Kerkstraat open. Met een rollator kom je er "
                    "niet langs. Wanneer wordt dat gemaakt?"
                ),
                at,
                visibility="public",
                name="Joost",
            )
        ],
        now=at,
    )
    complaint = session.scalars(select(Conversation).order_by(Conversation.id.desc())).first()
    assert complaint is not None
    complaint.theme = themes.get("Toegankelijkheid")
    _answer(
        session,
        complaint,
        daan,
        (
            "@joost@buurt.social Sorry, dat duurt te lang. De aannemer maakt de stoep vrijdag "
            "dicht. Tot die tijd ligt er een looppad langs de kant van de bakker."
        ),
        at + timedelta(minutes=52),
        channel_id,
    )

    # 3. A question by mail, assigned, waiting since yesterday afternoon.
    at = _office_moment(now, 1, 16, 10)
    store_incoming(
        session,
        mail,
        [
            _incoming(
                "mail:<grofvuil-1@voorbeeld.nl>",
                "a.devries@voorbeeld.nl",
                (
                    "Goedemiddag,\n\nWanneer wordt in de Molenwijk het grof vuil weer opgehaald? "
                    "Ik heb een oude bank staan.\n\nMet vriendelijke groet,\nAnneke de Vries"
                ),
                at,
                subject="Grof vuil ophalen Molenwijk",
                name="Anneke de Vries",
            )
        ],
        now=at,
    )
    question = session.scalars(select(Conversation).order_by(Conversation.id.desc())).first()
    assert question is not None
    question.assignee_id = daan.id
    question.state = ConversationState.ASSIGNED
    question.theme = themes.get("Duurzaamheid")

    # 4. A hoax about the waste collection, answered with an urgent statement.
    at = _office_moment(now, 2, 8, 50)
    store_incoming(
        session,
        social,
        [
            _incoming(
                "status:9020",
                "@nieuwtjes@buurt.social",
                (
                    "LET OP: gemeente Zuiderhaven haalt vanaf maandag geen GFT meer op! Zet je "
                    "groene bak maar binnen. Delen!"
                ),
                at,
                visibility="public",
                name="Nieuwtjes Zuiderhaven",
            )
        ],
        now=at,
    )
    hoax = session.scalars(select(Conversation).order_by(Conversation.id.desc())).first()
    assert hoax is not None
    hoax.theme = themes.get("Duurzaamheid")
    if channel_id is not None:
        fragment = services.answer_with_statement(
            session,
            sanne,
            hoax,
            channel_id=channel_id,
            text=(
                "Klopt niet: we halen het GFT gewoon op, ook volgende week. "
                "Zet je groene bak op de vaste dag aan de straat. #Zuiderhaven"
            ),
            title="Reactie: GFT wordt gewoon opgehaald",
        )
        # Out as the rapid-response lane would have sent it: approved by a second editor,
        # sent once, archived with its approver.
        approve_as_editor(session, fragment, daan, at + timedelta(minutes=85))
        mark_published(session, fragment, at + timedelta(minutes=30), sanne)
        for delivery in session.scalars(
            select(Delivery).where(Delivery.fragment_id == fragment.id)
        ):
            archive_delivery(session, delivery)
    _answer(
        session,
        hoax,
        sanne,
        (
            "@nieuwtjes@buurt.social Dit klopt niet. We halen het GFT gewoon op. Zie ons bericht "
            "van vanochtend."
        ),
        at + timedelta(minutes=35),
        channel_id,
    )
    hoax.state = ConversationState.CLOSED
    hoax.closed_at = at + timedelta(minutes=40)

    # 5. A direct message that came in just now: its clock is running.
    at = now - timedelta(minutes=25)
    store_incoming(
        session,
        social,
        [
            _incoming(
                "status:9030",
                "@lotte@buurt.social",
                "Hoi! Mag ik met mijn klas een keer op bezoek bij de gemeentewerf?",
                at,
                visibility="direct",
                name="Lotte",
            )
        ],
        now=at,
    )

    # 6. A story tip from the neighbourhood association's feed.
    session.add(
        StoryTip(
            source_id=feed.id,
            remote_key="guid:dehoven-bomen-2026",
            title="Buurtvereniging De Hoven plant zaterdag veertig bomen",
            link="https://dehoven.example/nieuws/bomen-planten",
            summary=(
                "Samen met de school en de gemeente plant de buurtvereniging zaterdag veertig "
                "bomen langs de Molenvliet. Iedereen kan helpen."
            ),
            published_at=now - timedelta(days=2, hours=3),
            received_at=now - timedelta(days=2, hours=2),
        )
    )
    session.add(
        SavedReply(
            title="Melding openbare ruimte",
            body=(
                "Dank voor je melding! Je kunt dit ook melden via zuiderhaven.example/melden, dan "
                "volg je zelf hoe het gaat."
            ),
        )
    )
    session.flush()
