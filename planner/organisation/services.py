"""Reading and changing the organisation's settings, and reading its audit log.

Admins read the log here (the settings area), because the log itself sits below accounts and
cannot check roles.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.models import AuditEvent
from planner.audit.services import list_events, record_event
from planner.errors import ValidationError
from planner.organisation.models import Organisation, domain_of


def get_organisation(session: Session, default_timezone: str = "Europe/Amsterdam") -> Organisation:
    """The organisation row, created on first use so a new installation just works."""
    org = session.scalar(select(Organisation).order_by(Organisation.id).limit(1))
    if org is None:
        org = Organisation(name="Contentfabriek", timezone=default_timezone)
        session.add(org)
        session.flush()
    return org


def own_domains(session: Session) -> tuple[str, ...]:
    """The organisation's own domains, read without creating the row (checks are reads)."""
    org = session.scalar(select(Organisation).order_by(Organisation.id).limit(1))
    return org.domains() if org is not None else ()


def update_organisation(
    session: Session,
    actor: User,
    *,
    name: str,
    timezone: str,
    website: str | None,
    hashtag: str | None,
    own_domains: str | None = None,
    privacy_url: str | None = None,
) -> Organisation:
    require_role(actor, Role.ADMIN)
    if not name.strip():
        raise ValidationError("Enter the organisation's name.", field="name")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError("Unknown timezone.", field="timezone") from exc
    org = get_organisation(session)
    org.name = name.strip()
    org.timezone = timezone
    org.website = (website or "").strip() or None
    org.hashtag = (hashtag or "").strip().lstrip("#") or None
    org.own_domains = _clean_domains(own_domains)
    org.privacy_url = _clean_url(privacy_url)
    record_event(session, actor, "organisation.update", org)
    return org


def _clean_domains(text: str | None) -> str | None:
    parts = [p for p in re.split(r"[\s,;]+", text or "") if p]
    cleaned = []
    for part in parts:
        host = domain_of(part)
        if not host or "." not in host:
            raise ValidationError(
                "Give domains such as zuiderhaven.nl, one per line.", field="own_domains"
            )
        if host not in cleaned:
            cleaned.append(host)
    joined = "\n".join(cleaned)
    if len(joined) > 1000:
        raise ValidationError("Too many domains.", field="own_domains")
    return joined or None


def _clean_url(text: str | None) -> str | None:
    url = (text or "").strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            "Give the full address of the privacy statement, starting with https://.",
            field="privacy_url",
        )
    return url


def read_audit_log(
    session: Session, actor: User, *, page: int = 1, per_page: int = 50, action: str | None = None
) -> tuple[list[AuditEvent], int, dict[int, str]]:
    """One page of the audit log for an admin: events, their total, and the actors' names."""
    require_role(actor, Role.ADMIN)
    events, total = list_events(session, page=page, per_page=per_page, action=action)
    ids = {event.actor_id for event in events if event.actor_id is not None}
    names: dict[int, str] = {}
    if ids:
        names = {
            row.id: row.name
            for row in session.execute(select(User.id, User.name).where(User.id.in_(ids)))
        }
    return events, total, names
