"""Reading and changing the organisation's settings."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.errors import ValidationError
from planner.organisation.models import Organisation


def get_organisation(session: Session, default_timezone: str = "Europe/Amsterdam") -> Organisation:
    """The organisation row, created on first use so a new installation just works."""
    org = session.scalar(select(Organisation).order_by(Organisation.id).limit(1))
    if org is None:
        org = Organisation(name="Contentfabriek", timezone=default_timezone)
        session.add(org)
        session.flush()
    return org


def update_organisation(
    session: Session,
    actor: User,
    *,
    name: str,
    timezone: str,
    website: str | None,
    hashtag: str | None,
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
    record_event(session, actor, "organisation.update", org)
    return org
