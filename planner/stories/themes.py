"""Themes and campaigns: what stories are about, and the campaigns they serve. Editors keep
them; a theme carries its target share of the plan (planner.scheduling.balance)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.errors import NotFoundError, ValidationError
from planner.stories.models import (
    Campaign,
    Theme,
)

THEME_NAME_MAX = 100
CAMPAIGN_NAME_MAX = 200
DESCRIPTION_MAX = 2000


def list_themes(session: Session) -> list[Theme]:
    return list(session.scalars(select(Theme).order_by(Theme.name)))


def list_campaigns(session: Session) -> list[Campaign]:
    return list(session.scalars(select(Campaign).order_by(Campaign.starts_on, Campaign.name)))


def _clean_name(name: str, limit: int) -> str:
    if "\x00" in name:
        raise ValidationError("The text contains a character we cannot store.", field="name")
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Give it a name.", field="name")
    if len(name) > limit:
        raise ValidationError("The name is too long.", field="name")
    return name


def _clean_description(description: str) -> str:
    if "\x00" in description:
        raise ValidationError("The text contains a character we cannot store.", field="description")
    description = description.strip()
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError("The description is too long.", field="description")
    return description


def _unique_name(
    session: Session, model: type[Theme] | type[Campaign], name: str, own: int | None
) -> None:
    # SQLite lowercases ASCII only: compare the exact name too, which the unique index enforces.
    clash = session.scalar(
        select(model.id).where(or_(model.name == name, func.lower(model.name) == name.lower()))
    )
    if clash is not None and clash != own:
        raise ValidationError("That name is already in use.", field="name")


def get_theme(session: Session, actor: User | None, theme_id: int) -> Theme:
    require_role(actor, Role.CONTRIBUTOR)
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise NotFoundError("This theme does not exist.")
    return theme


def _theme_fields(
    session: Session, name: str, description: str, target_share: int, own: int | None
) -> tuple[str, str, int]:
    name = _clean_name(name, THEME_NAME_MAX)
    _unique_name(session, Theme, name, own)
    if not 0 <= target_share <= 100:
        raise ValidationError(
            "The target share is a percentage from 0 to 100.", field="target_share"
        )
    return name, _clean_description(description), target_share


def create_theme(
    session: Session, actor: User | None, *, name: str, description: str = "", target_share: int = 0
) -> Theme:
    actor = require_role(actor, Role.EDITOR)
    name, description, target_share = _theme_fields(session, name, description, target_share, None)
    theme = Theme(name=name, description=description, target_share=target_share)
    session.add(theme)
    session.flush()
    record_event(session, actor, "theme.create", theme, target_share=target_share)
    return theme


def update_theme(
    session: Session,
    actor: User | None,
    theme_id: int,
    *,
    name: str,
    description: str = "",
    target_share: int = 0,
) -> Theme:
    actor = require_role(actor, Role.EDITOR)
    theme = get_theme(session, actor, theme_id)
    theme.name, theme.description, theme.target_share = _theme_fields(
        session, name, description, target_share, theme.id
    )
    session.flush()
    record_event(session, actor, "theme.update", theme, target_share=theme.target_share)
    return theme


def get_campaign(session: Session, actor: User | None, campaign_id: int) -> Campaign:
    require_role(actor, Role.CONTRIBUTOR)
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFoundError("This campaign does not exist.")
    return campaign


def _campaign_fields(
    session: Session,
    name: str,
    description: str,
    starts_on: date | None,
    ends_on: date | None,
    own: int | None,
) -> tuple[str, str, date, date]:
    name = _clean_name(name, CAMPAIGN_NAME_MAX)
    _unique_name(session, Campaign, name, own)
    if starts_on is None:
        raise ValidationError("When does the campaign start?", field="starts_on")
    if ends_on is None:
        raise ValidationError("When does the campaign end?", field="ends_on")
    if ends_on < starts_on:
        raise ValidationError("The campaign cannot end before it starts.", field="ends_on")
    return name, _clean_description(description), starts_on, ends_on


def create_campaign(
    session: Session,
    actor: User | None,
    *,
    name: str,
    starts_on: date | None,
    ends_on: date | None,
    description: str = "",
) -> Campaign:
    actor = require_role(actor, Role.EDITOR)
    name, description, starts_on, ends_on = _campaign_fields(
        session, name, description, starts_on, ends_on, None
    )
    campaign = Campaign(name=name, description=description, starts_on=starts_on, ends_on=ends_on)
    session.add(campaign)
    session.flush()
    record_event(session, actor, "campaign.create", campaign)
    return campaign


def update_campaign(
    session: Session,
    actor: User | None,
    campaign_id: int,
    *,
    name: str,
    starts_on: date | None,
    ends_on: date | None,
    description: str = "",
) -> Campaign:
    actor = require_role(actor, Role.EDITOR)
    campaign = get_campaign(session, actor, campaign_id)
    (
        campaign.name,
        campaign.description,
        campaign.starts_on,
        campaign.ends_on,
    ) = _campaign_fields(session, name, description, starts_on, ends_on, campaign.id)
    session.flush()
    record_event(session, actor, "campaign.update", campaign)
    return campaign
