"""Telling a fragment's owner by e-mail that its delivery needs them (failed, missed, to check).

Two parts: the ``Notifier`` port (send one plain-text message; ``SmtpNotifier`` is the smtplib
implementation) and ``OwnerNotifications``, which create_app builds only when
``PLANNER_SMTP_HOST`` is set. The engine collects the ids of deliveries it settled in an attention
state and hands them over after its run; here they are read, each owner (the fragment's assignee,
else its author, else whoever scheduled it) gets one message in their own language, and nothing
that goes wrong while mailing reaches the engine: publishing never fails because mail did.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from planner.accounts.models import User
from planner.fragments.models import Fragment
from planner.notifications.models import NotificationKind
from planner.notifications.phrases import Phrase
from planner.notifications.services import email_kinds, notify
from planner.publishing.models import FRAGMENT_DELIVERY, Delivery, DeliveryState
from planner.web import runtime

log = logging.getLogger(__name__)

#: the delivery states a person has to act on
ATTENTION_STATES = (DeliveryState.FAILED, DeliveryState.MISSED, DeliveryState.NEEDS_CHECK)


@dataclass(frozen=True)
class Notice:
    to: str
    subject: str
    body: str


class Notifier(Protocol):
    def send(self, notice: Notice) -> None:
        """Deliver one message or raise."""
        ...


class SmtpNotifier:
    """Plain SMTP to the organisation's relay (no authentication: a local relay or smarthost)."""

    def __init__(self, host: str, port: int, sender: str, *, timeout: float = 10.0) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.timeout = timeout

    def send(self, notice: Notice) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = notice.to
        message["Subject"] = notice.subject
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(notice.body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(message)


def owner_of(delivery: Delivery) -> User | None:
    """Who hears about a delivery: the assignee, else the author, else the scheduler (active)."""
    fragment = delivery.fragment
    for person in (fragment.assignee, fragment.created_by, delivery.scheduled_by):
        if person is not None and person.is_active and person.email:
            return person
    return None


class OwnerNotifications:
    """The callable the engine receives: ``notify(delivery_ids)``; it never raises."""

    def __init__(self, app: Any, notifier: Notifier) -> None:
        self.app = app
        self.notifier = notifier

    def __call__(self, delivery_ids: Sequence[int]) -> int:
        """Mail the owner of every listed delivery still in an attention state; how many went."""
        if not delivery_ids:
            return 0
        try:
            with self.app.app_context():
                return self._send_all(delivery_ids)
        except Exception:  # reading or composing failed: log it, publishing carries on
            log.exception("could not notify owners of deliveries %s", list(delivery_ids))
            return 0

    def _send_all(self, delivery_ids: Sequence[int]) -> int:
        factory = runtime.session_factory(self.app)
        with factory() as session:
            deliveries = session.scalars(needing_a_person(delivery_ids)).all()
            notices = []
            for delivery in deliveries:
                owner = owner_of(delivery)
                if owner is None:
                    log.info("delivery %s needs attention but has nobody to tell", delivery.id)
                    continue
                if NotificationKind.DELIVERY_FAILED.value not in email_kinds(session, owner):
                    continue  # they chose the bell only (planner.notifications)
                notices.append((delivery.id, self._compose(delivery, owner)))
        sent = 0
        for delivery_id, notice in notices:
            try:
                self.notifier.send(notice)
            except Exception:  # one bad address or a relay hiccup must not stop the others
                log.exception("could not mail the owner of delivery %s", delivery_id)
            else:
                sent += 1
        return sent

    def _compose(self, delivery: Delivery, owner: User) -> Notice:
        from flask_babel import force_locale, format_datetime, gettext

        settings = runtime.settings(self.app)
        language = owner.language or settings.default_language
        with force_locale(language):
            title = delivery.fragment.title or delivery.fragment.story.title
            named = {"title": title, "channel": delivery.channel.name}
            subject = {
                DeliveryState.FAILED: gettext("Publication failed: %(title)s on %(channel)s"),
                DeliveryState.MISSED: gettext("Publication missed: %(title)s on %(channel)s"),
                DeliveryState.NEEDS_CHECK: gettext(
                    "Check this publication: %(title)s on %(channel)s"
                ),
            }[delivery.state] % named
            due_at = delivery.due_at
            if due_at.tzinfo is None:  # SQLite hands back naive UTC
                due_at = due_at.replace(tzinfo=UTC)
            when = format_datetime(
                due_at.astimezone(ZoneInfo(settings.timezone)), "full", rebase=False
            )
            facts = {"title": title, "channel": delivery.channel.name, "when": when}
            what = {
                DeliveryState.FAILED: gettext(
                    "The publication of “%(title)s” on %(channel)s, planned for %(when)s, failed.",
                    **facts,
                ),
                DeliveryState.MISSED: gettext(
                    "The publication of “%(title)s” on %(channel)s, planned for %(when)s, "
                    "was missed: it was not sent in time.",
                    **facts,
                ),
                DeliveryState.NEEDS_CHECK: gettext(
                    "Nobody knows whether “%(title)s”, planned for %(when)s, went out on "
                    "%(channel)s. Check the channel.",
                    **facts,
                ),
            }[delivery.state]
            lines = [gettext("Hello %(name)s,", name=owner.name), "", what]
            if delivery.last_error:
                lines += ["", gettext("Reason: %(reason)s", reason=delivery.last_error)]
            link = settings.base_url.rstrip("/") + f"/publishing/attention#delivery-{delivery.id}"
            lines += [
                "",
                gettext("Retry it, mark it as posted or cancel it here: %(link)s", link=link),
            ]
        return Notice(to=owner.email, subject=subject, body="\n".join(lines) + "\n")


def needing_a_person(delivery_ids: Sequence[int]) -> Select[Delivery]:
    """The listed fragment deliveries a person has to act on, with whom to tell loaded; other
    kinds (inbox replies) are shown, and told, by the feature that owns them."""
    return (
        select(Delivery)
        .where(
            Delivery.id.in_(list(delivery_ids)),
            Delivery.state.in_(ATTENTION_STATES),
            Delivery.kind == FRAGMENT_DELIVERY,
        )
        .options(
            joinedload(Delivery.channel),
            joinedload(Delivery.scheduled_by),
            joinedload(Delivery.fragment).joinedload(Fragment.story),
            joinedload(Delivery.fragment).joinedload(Fragment.assignee),
            joinedload(Delivery.fragment).joinedload(Fragment.created_by),
        )
        .order_by(Delivery.id)
    )


def bell_for_attention(session: Session, delivery_ids: Sequence[int], now: datetime) -> int:
    """The owner's bell for every listed delivery a person has to act on (failed, missed, to
    check). The e-mail is OwnerNotifications' own message, so these rows queue none."""
    deliveries = session.scalars(needing_a_person(delivery_ids)).all()
    rung = 0
    for delivery in deliveries:
        owner = owner_of(delivery)
        if owner is None:
            continue
        title = delivery.fragment.title or delivery.fragment.story.title
        rung += len(
            notify(
                session,
                [owner],
                NotificationKind.DELIVERY_FAILED,
                Phrase(
                    "A publication needs you: %(title)s · %(channel)s",
                    title=title,
                    channel=delivery.channel.name,
                ),
                now,
                link=f"/publishing/attention#delivery-{delivery.id}",
                body=delivery.last_error,
                dedupe_key=f"delivery:{delivery.id}:{delivery.attempt}:{delivery.state.value}",
                email=False,
            )
        )
    return rung
