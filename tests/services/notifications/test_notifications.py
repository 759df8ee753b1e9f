"""Notifications on a committed database (SQLite and PostgreSQL) with aiosmtpd on 127.0.0.1: an
inbox item assigned to you, a review requested from you, an @mention, a delivery that failed and a
response time about to pass each ring the bell; e-mail goes out once, only for the kinds the person
chose, and a relay that refuses leaves the row failed, not retried in a loop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner import create_app
from planner.accounts.models import Role, User
from planner.accounts.services import create_user
from planner.approval import services as approval_services
from planner.clock import FrozenClock
from planner.db import write_session
from planner.inbox import events
from planner.inbox import services as inbox_services
from planner.inbox.models import Conversation, ConversationState, InboxSource, SourceKind
from planner.jobs.tasks import publish_due, send_notification_mail
from planner.notifications import services
from planner.notifications.mailer import send_queued, smtp_sender
from planner.notifications.models import EmailState, Notification, NotificationKind
from planner.publishing.models import DeliveryState
from planner.publishing.registry import PublisherRegistry
from tests import factories as make
from tests.conftest import PASSWORD, make_settings
from tests.fakes.smtp import Mailbox, free_port
from tests.services.publishing.conftest import Live

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


def _people(session: Session) -> tuple[User, User]:
    sanne = create_user(
        session,
        None,
        email="sanne@zh.example",
        name="Sanne Bakker",
        role=Role.EDITOR,
        password=PASSWORD,
    )
    daan = create_user(
        session,
        None,
        email="daan@zh.example",
        name="Daan Visser",
        role=Role.EDITOR,
        password=PASSWORD,
    )
    return sanne, daan


def _conversation(session: Session) -> Conversation:
    source = InboxSource(kind=SourceKind.WEBHOOK, name="Contactformulier", slug="contact")
    session.add(source)
    session.flush()
    conversation = Conversation(
        source_id=source.id,
        author_key="fatima@example.org",
        author_name="Fatima",
        subject="Stoep in de Bloemenbuurt",
        first_message_at=NOW,
        last_message_at=NOW,
        waiting_since=NOW,
        state=ConversationState.NEW,
    )
    session.add(conversation)
    session.flush()
    return conversation


def _rows(live: Live, user_id: int) -> list[Notification]:
    with live.factory() as session:
        rows = list(
            session.scalars(
                select(Notification)
                .where(Notification.user_id == user_id)
                .order_by(Notification.id)
            )
        )
        session.expunge_all()
        return rows


def test_an_assignment_rings_the_bell_and_mails_once(
    live: Live, relay: tuple[Mailbox, int]
) -> None:
    mailbox, port = relay
    with write_session(live.factory) as session:
        sanne, daan = _people(session)
        conversation = _conversation(session)
        inbox_services.assign(session, sanne, conversation, daan.id)
        daan_id = daan.id
        assert services.unread_count(session, daan_id) == 1
        assert services.unread_count(session, sanne.id) == 0  # nobody is told of their own act
    [row] = _rows(live, daan_id)
    assert row.kind == NotificationKind.INBOX_ASSIGNED
    assert row.link == f"/inbox/{conversation.id}"
    assert row.email_state == EmailState.QUEUED

    send = smtp_sender("127.0.0.1", port, "planner@zh.example")
    assert send_queued(live.factory, NOW, send) == 1
    assert send_queued(live.factory, NOW, send) == 0  # claimed once: never twice
    [(recipients, message)] = mailbox.messages
    assert recipients == ["daan@zh.example"]
    assert "Stoep in de Bloemenbuurt" in message["Subject"]
    assert _rows(live, daan_id)[0].email_state == EmailState.SENT


def test_each_person_chooses_what_comes_by_mail(live: Live, relay: tuple[Mailbox, int]) -> None:
    mailbox, port = relay
    with write_session(live.factory) as session:
        sanne, daan = _people(session)
        services.choose_email_kinds(session, daan, [NotificationKind.MENTION.value])
        conversation = _conversation(session)
        inbox_services.assign(session, sanne, conversation, daan.id)  # bell only
        inbox_services.add_note(session, sanne, conversation, "@daan kun jij de foto's bekijken?")
        daan_id = daan.id
    kinds = [(r.kind, r.email_state) for r in _rows(live, daan_id)]
    assert kinds == [
        (NotificationKind.INBOX_ASSIGNED, EmailState.NONE),
        (NotificationKind.MENTION, EmailState.QUEUED),
    ]
    assert send_queued(live.factory, NOW, smtp_sender("127.0.0.1", port, "p@zh.example")) == 1
    [(recipients, message)] = mailbox.messages
    assert recipients == ["daan@zh.example"]
    assert "Sanne Bakker noemt je" in message["Subject"]


def test_a_refusing_relay_leaves_the_mail_failed(live: Live) -> None:
    with write_session(live.factory) as session:
        sanne, daan = _people(session)
        inbox_services.assign(session, sanne, _conversation(session), daan.id)
        daan_id = daan.id
    closed = smtp_sender("127.0.0.1", free_port(), "p@zh.example", timeout=2)
    assert send_queued(live.factory, NOW, closed) == 0
    [row] = _rows(live, daan_id)
    assert row.email_state == EmailState.FAILED
    assert row.email_error
    assert send_queued(live.factory, NOW, closed) == 0  # not retried in a loop


def test_review_mention_and_response_time_ring_the_right_bells(live: Live) -> None:
    with write_session(live.factory) as session:
        sanne, daan = _people(session)
        fragment = make.review_fragment(session, sanne)  # submitted: Daan is asked
        approval_services.request_changes(session, daan, fragment, NOW, "@sanne kan de kop korter?")
        conversation = _conversation(session)
        events.response_time_at_risk.send(
            conversation, session=session, due_at=NOW + timedelta(minutes=10), colour="red"
        )
        ids = sanne.id, daan.id
    sanne_kinds = [r.kind for r in _rows(live, ids[0])]
    daan_kinds = [r.kind for r in _rows(live, ids[1])]
    assert NotificationKind.REVIEW_REQUESTED in daan_kinds
    assert NotificationKind.REVIEW_REQUESTED not in sanne_kinds  # the author is not asked
    assert NotificationKind.MENTION in sanne_kinds
    # nobody is assigned: every editor hears that the response time is about to pass
    assert NotificationKind.RESPONSE_DUE in sanne_kinds
    assert NotificationKind.RESPONSE_DUE in daan_kinds
    with live.factory() as session:
        urgent = session.scalars(
            select(Notification.urgent).where(Notification.kind == NotificationKind.RESPONSE_DUE)
        ).all()
    assert all(urgent)


def test_a_failed_delivery_rings_its_owners_bell_and_mail_follows_their_choice(
    live: Live, relay: tuple[Mailbox, int], tmp_path: Path
) -> None:
    mailbox, port = relay
    clock = FrozenClock(NOW)
    app = create_app(
        make_settings(
            tmp_path,
            database_url=live.url,
            publish_max_attempts=1,
            publish_concurrency=1,
            smtp_host="127.0.0.1",
            smtp_port=port,
            extra={
                "session_factory": live.factory,
                "clock": clock,
                "publishers": PublisherRegistry(make.box(), allow_loopback=True),
            },
        )
    )
    with write_session(live.factory) as session:
        owner, other = _people(session)
        services.choose_email_kinds(session, other, [])  # only the bell for Daan
        refused = make.engine_channel(session, url=f"http://127.0.0.1:{free_port()}/hook")
        delivery = make.engine_delivery(session, refused, NOW, author=owner)
        delivery_id, owner_id = delivery.id, owner.id
    report = publish_due(app)
    assert report.failed == 1
    [row] = _rows(live, owner_id)
    assert row.kind == NotificationKind.DELIVERY_FAILED
    assert row.link == f"/publishing/attention#delivery-{delivery_id}"
    assert row.email_state == EmailState.NONE  # the engine's own owner mail is the e-mail
    assert [r for r, _ in mailbox.messages] == [["sanne@zh.example"]]
    assert send_notification_mail(app) == 0  # nothing queued: the owner mail went already
    with write_session(live.factory) as session:
        sanne = session.get(User, owner_id)
        daan = session.scalar(select(User).where(User.email == "daan@zh.example"))
        assert daan is not None
        services.choose_email_kinds(session, daan, ["inbox_assigned"])
        inbox_services.assign(session, sanne, _conversation(session), daan.id)
    assert send_notification_mail(app) == 1  # the scheduler's mail step, over the relay
    assert mailbox.messages[-1][0] == ["daan@zh.example"]
    with live.factory() as session:
        assert session.get(type(delivery), delivery_id).state == DeliveryState.FAILED  # type: ignore[union-attr]


def test_each_person_reads_a_notification_in_their_own_language(live: Live) -> None:
    """Written once by the service, rendered per recipient: Daan chose English, Sanne did not
    choose (the organisation's Dutch); the mention names the conversation in each language."""
    with write_session(live.factory) as session:
        sanne, daan = _people(session)
        daan.language = "en"
        conversation = _conversation(session)
        inbox_services.assign(session, sanne, conversation, daan.id)
        inbox_services.add_note(session, daan, conversation, "@sanne kijk jij even mee?")
        sanne_id, daan_id = sanne.id, daan.id
    [assigned] = _rows(live, daan_id)
    assert assigned.title.startswith("Assigned to you: ")
    assert assigned.body == "Sanne Bakker gave you this conversation."
    [mention] = _rows(live, sanne_id)
    assert mention.title == f"Daan Visser noemt je bij inbox-gesprek #{conversation.id}"
