"""Gemeente Zuiderhaven, the fictional municipality a newcomer signs in to on the first run.

The passwords are public on purpose (the README lists them): this is demo data for a local
installation, and `planner demo seed` is never run against a production database by `make run`
once accounts exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.services import create_user
from planner.brand.services import create_term
from planner.demo.content import TERMS
from planner.demo.effect import seed_effect
from planner.demo.fragments import seed_fragments
from planner.demo.inbox import seed_inbox
from planner.demo.plan import seed_plan
from planner.demo.publishing import DEFAULT_BASE_URL, seed_publishing
from planner.demo.stories import seed_stories
from planner.fragments.models import Fragment
from planner.fragments.progress import story_follows_fragments
from planner.media.storage import Storage
from planner.organisation.services import get_organisation


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


def seed_demo(
    session: Session, now: datetime, storage: Storage, base_url: str = DEFAULT_BASE_URL
) -> None:
    """The whole organisation in one transaction; ``storage`` receives the demo photos and
    ``base_url`` is the public address the demo's blog posts link to."""
    org = get_organisation(session)
    org.name = "Gemeente Zuiderhaven"
    org.timezone = "Europe/Amsterdam"
    org.website = "zuiderhaven.example"
    # the municipality's real-world sites its texts link to: links there need UTM parameters
    org.own_domains = "zuiderhaven.nl"
    org.privacy_url = "https://www.zuiderhaven.nl/privacy"
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
    _seed_terms(session, now)
    seed_stories(session, now, storage)
    seed_fragments(session, now)
    seed_plan(session, now)
    seed_publishing(session, now, base_url)
    seed_inbox(session, now)
    seed_effect(session, now)
    # the plan puts fragments straight into their states: let the stories follow, as they would
    story_follows_fragments(session, session.scalars(select(Fragment.id)).all())


def _seed_terms(session: Session, now: datetime) -> None:
    eva = session.scalar(select(User).where(User.email == "eva@zuiderhaven.example"))
    for item in TERMS:
        create_term(session, eva, term=item.term, forbidden=item.forbidden, note=item.note, now=now)
