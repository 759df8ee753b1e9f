"""Demo stories for Gemeente Zuiderhaven: themes, campaigns, stories in every status, consents
for the residents and partners who sent theirs, and the public intake link "Deel je verhaal"."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.demo import content
from planner.stories.consent import CONSENT_VERSION, consent_text
from planner.stories.models import (
    Campaign,
    Consent,
    IntakeLink,
    Story,
    StoryComment,
    StorySource,
    StoryStatus,
    Theme,
)

#: a lived-in spread of statuses, in the order of content.STORIES
_STATUSES = (
    StoryStatus.IN_PRODUCTION,
    StoryStatus.ACCEPTED,
    StoryStatus.ACCEPTED,
    StoryStatus.TOLD,
    StoryStatus.NEW,
    StoryStatus.ACCEPTED,
    StoryStatus.NEW,
    StoryStatus.IN_PRODUCTION,
)

#: Demo data only: a fixed, public token so the README and the browser tests can point at the
#: demo intake form. Real links get a random token from create_intake_link.
DEMO_INTAKE_TOKEN = "deel-je-verhaal-zuiderhaven"  # noqa: S105


def seed_stories(session: Session, now: datetime) -> None:
    users = {u.name: u for u in session.scalars(select(User))}
    editor = next((u for u in users.values() if u.role == Role.EDITOR), None)
    themes = {t.name: Theme(**_theme(t)) for t in content.THEMES}
    session.add_all(themes.values())
    campaigns = {
        c.name: Campaign(
            name=c.name,
            description=c.description,
            starts_on=(now + timedelta(days=c.start_offset_days)).date(),
            ends_on=(now + timedelta(days=c.start_offset_days + c.duration_days)).date(),
        )
        for c in content.CAMPAIGNS
    }
    session.add_all(campaigns.values())
    link = IntakeLink(
        token=DEMO_INTAKE_TOKEN,
        title="Deel je verhaal",
        intro=(
            "Heb je iets moois meegemaakt in Zuiderhaven, of is er iets opgelost in je buurt? "
            "Vertel het ons. We lezen elk verhaal en nemen contact met je op voordat we iets "
            "publiceren."
        ),
        created_by=editor,
        created_at=now - timedelta(days=30),
    )
    session.add(link)
    for index, demo in enumerate(content.STORIES):
        created_at = now - timedelta(days=2 * (len(content.STORIES) - index) + 1)
        status = _STATUSES[index % len(_STATUSES)]
        source = StorySource(demo.source)
        user = users.get(demo.contributor)
        story = Story(
            title=demo.title,
            body=demo.body,
            language="nl",
            source=source,
            status=status,
            contributor=user,
            contributor_name=None if user else demo.contributor,
            themes=[themes[name] for name in demo.themes],
            campaign=campaigns.get(demo.campaign) if demo.campaign else None,
            editor=editor if status != StoryStatus.NEW else None,
            created_at=created_at,
            updated_at=created_at,
        )
        if source in (StorySource.RESIDENT, StorySource.PARTNER) and user is None:
            text = consent_text("nl")
            story.consents.append(
                Consent(
                    consent_version=CONSENT_VERSION,
                    language="nl",
                    consent_text=text.full_text,
                    given_at=created_at,
                    allow_story=True,
                    allow_name=True,
                    allow_photos=True,
                )
            )
            if source == StorySource.RESIDENT:
                story.intake_link = link
        if status != StoryStatus.NEW and editor is not None:
            story.comments.append(
                StoryComment(
                    author=editor,
                    body=(
                        "Mooi verhaal. De foto's zijn binnen; "
                        "ik maak er een draad en een artikel van."
                    ),
                    created_at=created_at + timedelta(hours=3),
                )
            )
        session.add(story)
    session.flush()


def _theme(theme: content.DemoTheme) -> dict[str, object]:
    return {
        "name": theme.name,
        "description": theme.description,
        "target_share": theme.target_share,
    }
