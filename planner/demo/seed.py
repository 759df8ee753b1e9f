"""Gemeente Zuiderhaven, the fictional municipality a newcomer signs in to on the first run.

The passwords are public on purpose (the README lists them): this is demo data for a local
installation, and `planner demo seed` is never run against a production database by `make run`
once accounts exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from planner.accounts.models import Role
from planner.accounts.services import create_user
from planner.organisation.services import get_organisation

if TYPE_CHECKING:
    from planner.media.storage import Storage


@dataclass(frozen=True)
class DemoPerson:
    name: str
    email: str
    role: Role
    password: str
    weekly_hours: float
    language: str = "nl"


DEMO_PEOPLE = (
    DemoPerson("Eva de Vries", "eva@zuiderhaven.example", Role.ADMIN, "zuiderhaven-admin", 8),
    DemoPerson("Sanne Bakker", "sanne@zuiderhaven.example", Role.EDITOR, "zuiderhaven-editor", 24),
    DemoPerson("Daan Visser", "daan@zuiderhaven.example", Role.EDITOR, "zuiderhaven-editor", 20),
    DemoPerson(
        "Mehmet Yilmaz", "mehmet@zuiderhaven.example", Role.CONTRIBUTOR, "zuiderhaven-bijdrage", 2
    ),
)


def seed_demo(session: Session, now: datetime, storage: Storage | None = None) -> None:
    """``storage`` receives the demo photos; by default the running app's, else the settings'."""
    org = get_organisation(session)
    org.name = "Gemeente Zuiderhaven"
    org.timezone = "Europe/Amsterdam"
    org.website = "zuiderhaven.example"
    org.hashtag = "Zuiderhaven"
    for person in DEMO_PEOPLE:
        user = create_user(
            session,
            None,
            email=person.email,
            name=person.name,
            role=person.role,
            password=person.password,
            weekly_hours=person.weekly_hours,
        )
        user.language = person.language
    session.flush()
    from planner.stories.demo import seed_stories

    seed_stories(session, now, storage)
    from planner.fragments.services import seed_fragments

    seed_fragments(session, now)
    from planner.scheduling.demo import seed_plan

    seed_plan(session, now)
    from planner.publishing.demo import seed_publishing

    seed_publishing(session, now)
