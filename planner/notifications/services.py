"""Notify people, count and read their notifications, and keep their e-mail choices.

``notify`` only adds rows (flush, never commit), so a notification exists exactly when the change
that caused it was committed. E-mail goes out later, from the scheduler, each row claimed once
(``queued`` → ``sending`` in one conditional UPDATE) before the mail leaves: a crash leaves a row
``sending`` rather than mailing it twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.errors import NotFoundError, ValidationError
from planner.live.services import record_change
from planner.notifications.mentions import mentioned
from planner.notifications.models import (
    EmailState,
    Notification,
    NotificationKind,
    NotificationSettings,
)
from planner.notifications.phrases import Phrase, render

#: what comes by e-mail for someone who never chose
DEFAULT_EMAIL_KINDS = tuple(kind.value for kind in NotificationKind)
#: an e-mail not sent within this long is dropped (the bell still has it)
EMAIL_MAX_AGE = timedelta(hours=12)


def email_kinds(session: Session, user: User) -> list[str]:
    settings = session.get(NotificationSettings, user.id)
    return list(settings.email_kinds) if settings is not None else list(DEFAULT_EMAIL_KINDS)


def choose_email_kinds(session: Session, actor: User | None, kinds: Iterable[str]) -> list[str]:
    """A person's own choice of which notifications also come by e-mail."""
    actor = require_role(actor, Role.CONTRIBUTOR)
    chosen = sorted(set(kinds))
    unknown = [k for k in chosen if k not in DEFAULT_EMAIL_KINDS]
    if unknown:
        raise ValidationError("Unknown kind of notification.", field="kinds")
    settings = session.get(NotificationSettings, actor.id)
    if settings is None:
        settings = NotificationSettings(user_id=actor.id)
        session.add(settings)
    settings.email_kinds = chosen
    session.flush()
    return chosen


def approvers(session: Session, *, besides: int | None) -> list[User]:
    """Everyone who may approve (editors and admins), except the fragment's own author."""
    users = session.scalars(
        select(User).where(User.is_active.is_(True), User.role.in_([Role.EDITOR, Role.ADMIN]))
    )
    return [u for u in users if u.id != besides]


def notify(
    session: Session,
    recipients: Iterable[User],
    kind: NotificationKind,
    title: str | Phrase,
    now: datetime,
    *,
    link: str | None = None,
    body: str | Phrase | None = None,
    dedupe_key: str | None = None,
    urgent: bool = False,
    email: bool = True,
) -> list[Notification]:
    """Add a notification for each recipient (once per ``dedupe_key``); flush, never commit.

    ``email=False`` when the caller mails the person itself (a failed delivery's owner gets the
    publishing engine's own message, planner.publishing.notify)."""
    made = []
    for user in {u.id: u for u in recipients if u is not None and u.is_active}.values():
        key = f"{dedupe_key}:{user.id}"[:200] if dedupe_key else None
        if key and session.scalar(select(Notification.id).where(Notification.dedupe_key == key)):
            continue
        wants_mail = email and bool(user.email) and kind.value in email_kinds(session, user)
        # In the recipient's own language (planner.notifications.phrases).
        notification = Notification(
            user_id=user.id,
            kind=kind,
            title=(render(title, user.language) or "")[:300],
            body=render(body, user.language),
            link=link,
            dedupe_key=key,
            urgent=urgent,
            created_at=now,
            email_state=EmailState.QUEUED if wants_mail else EmailState.NONE,
        )
        try:
            with session.begin_nested():
                session.add(notification)
        except IntegrityError:  # someone else made the same one at the same moment
            continue
        made.append(notification)
    if made:
        for notification in made:
            record_change(
                session,
                "notifications",
                now,
                user_id=notification.user_id,
                data={"unread": unread_count(session, notification.user_id)},
            )
    return made


def notify_mentions(
    session: Session,
    actor: User,
    text: str | None,
    now: datetime,
    *,
    where: Phrase,
    link: str | None,
    dedupe_key: str,
) -> list[Notification]:
    """Tell the colleagues a comment @mentions (not the writer)."""
    if not text or "@" not in text:
        return []
    people = list(session.scalars(select(User).where(User.is_active.is_(True))))
    ids = set(mentioned(text, [(u.id, u.name, u.email) for u in people]))
    named = [u for u in people if u.id in ids and u.id != actor.id]
    return notify(
        session,
        named,
        NotificationKind.MENTION,
        Phrase("%(name)s mentions you in %(where)s", name=actor.name, where=where),
        now,
        link=link,
        body=text[:1000],
        dedupe_key=dedupe_key,
    )


def unread_count(session: Session, user_id: int) -> int:
    return (
        session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def list_notifications(
    session: Session, actor: User | None, *, limit: int = 50
) -> list[Notification]:
    actor = require_role(actor, Role.CONTRIBUTOR)
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == actor.id)
            .order_by(Notification.read_at.is_not(None), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_read(
    session: Session, actor: User | None, now: datetime, notification_id: int | None = None
) -> int:
    """Mark one (or, without an id, every) notification of the actor as read; the new count."""
    actor = require_role(actor, Role.CONTRIBUTOR)
    query = update(Notification).where(
        Notification.user_id == actor.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        if (
            session.scalar(select(Notification.user_id).where(Notification.id == notification_id))
            != actor.id
        ):
            raise NotFoundError("This notification does not exist.")
        query = query.where(Notification.id == notification_id)
    session.execute(query.values(read_at=now), execution_options={"synchronize_session": False})
    count = unread_count(session, actor.id)
    record_change(session, "notifications", now, user_id=actor.id, data={"unread": count})
    return count


@dataclass(frozen=True)
class Mail:
    notification_id: int
    to: str
    subject: str
    text: str


def claim_mail(session: Session, now: datetime, *, limit: int = 50) -> list[Mail]:
    """Claim queued e-mails (``queued`` → ``sending``, conditional) for the caller to send."""
    session.execute(
        update(Notification)
        .where(
            Notification.email_state == EmailState.QUEUED,
            Notification.created_at < now - EMAIL_MAX_AGE,
        )
        .values(email_state=EmailState.FAILED, email_error="Too old to still send."),
        execution_options={"synchronize_session": False},
    )
    ids = list(
        session.scalars(
            select(Notification.id)
            .where(Notification.email_state == EmailState.QUEUED)
            .order_by(Notification.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        return []
    claimed = session.scalars(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.email_state == EmailState.QUEUED)
        .values(email_state=EmailState.SENDING)
        .returning(Notification.id),
        execution_options={"synchronize_session": False},
    ).all()
    rows = session.scalars(
        select(Notification)
        .where(Notification.id.in_(list(claimed)))
        .options(joinedload(Notification.user))
    )
    return [
        Mail(
            n.id,
            n.user.email,
            ("[Spoed] " if n.urgent else "") + n.title,
            "\n\n".join(part for part in (n.title, n.body or "", n.link or "") if part),
        )
        for n in rows
    ]


def settle_mail(
    session: Session, sent: Sequence[int], failed: dict[int, str], now: datetime
) -> None:
    if sent:
        session.execute(
            update(Notification)
            .where(Notification.id.in_(list(sent)), Notification.email_state == EmailState.SENDING)
            .values(email_state=EmailState.SENT, emailed_at=now),
            execution_options={"synchronize_session": False},
        )
    for notification_id, error in failed.items():
        session.execute(
            update(Notification)
            .where(
                Notification.id == notification_id, Notification.email_state == EmailState.SENDING
            )
            .values(email_state=EmailState.FAILED, email_error=error[:500]),
            execution_options={"synchronize_session": False},
        )
