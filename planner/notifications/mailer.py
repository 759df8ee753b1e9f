"""E-mail for notifications, when ``PLANNER_SMTP_HOST`` is set: the scheduler claims queued rows
(``queued`` → ``sending``, committed before any mail leaves), sends them over SMTP and settles
them. A crash between the claim and the settle leaves a row ``sending``: it is never mailed twice.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy.orm import Session, sessionmaker

from planner.db import write_session
from planner.notifications.services import Mail, claim_mail, settle_mail

log = logging.getLogger(__name__)

MailSender = Callable[[Mail], None]


def smtp_sender(host: str, port: int, sender: str, *, timeout: float = 10.0) -> MailSender:
    """Plain SMTP to the organisation's relay, as the owners' delivery mail uses."""

    def send(mail: Mail) -> None:
        message = EmailMessage()
        message["From"] = sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(mail.text)
        with smtplib.SMTP(host, port, timeout=timeout) as smtp:
            smtp.send_message(message)

    return send


def send_queued(factory: sessionmaker[Session], now: datetime, send: MailSender) -> int:
    """Send every queued notification mail once; how many went."""
    with write_session(factory) as session:
        claimed = claim_mail(session, now)
    if not claimed:
        return 0
    sent: list[int] = []
    failed: dict[int, str] = {}
    for mail in claimed:
        try:
            send(mail)
        except Exception as exc:  # one bad address or a relay hiccup must not stop the others
            log.warning("notification mail %s failed: %s", mail.notification_id, exc)
            failed[mail.notification_id] = str(exc) or type(exc).__name__
        else:
            sent.append(mail.notification_id)
    with write_session(factory) as session:
        settle_mail(session, sent, failed, now)
    return len(sent)
