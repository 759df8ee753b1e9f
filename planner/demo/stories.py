"""Demo stories for Gemeente Zuiderhaven: themes, campaigns, stories in every status, consents
for the residents and partners who sent theirs, the public intake link "Deel je verhaal", and
photos the project draws itself (no stock images, nothing downloaded).

The photos are simple, deterministic scenes drawn with Pillow, stored through the same pipeline
as uploads. One on purpose has no alt text, so the demo shows the warning editors get.
"""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.demo import content
from planner.media import imaging
from planner.media.storage import Storage
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
from planner.stories.photos import PreparedPhoto, attach_photos

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


#: The demo photo left without alt text, so the story page shows its warning.
MISSING_ALT_ON_PURPOSE = "werf-kas"


def seed_stories(session: Session, now: datetime, storage: Storage) -> None:
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
            text = consent_text("nl", organisation="Gemeente Zuiderhaven")
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
        _seed_photos(session, story, demo, storage)
    session.flush()


def _seed_photos(session: Session, story: Story, demo: content.DemoStory, storage: Storage) -> None:
    prepared = []
    for photo in demo.photos:
        image = imaging.inspect_and_normalise(draw_demo_photo(photo))
        alt = "" if photo.key == MISSING_ALT_ON_PURPOSE else photo.alt
        prepared.append(PreparedPhoto(image, alt))
    if not prepared:
        return
    rows = attach_photos(session, story.contributor, story, prepared, storage)
    for row, photo in zip(rows, demo.photos, strict=True):
        row.focal_x, row.focal_y = photo.focal_x, photo.focal_y
        row.created_at = story.created_at


_PALETTES = (
    ((120, 180, 230), (210, 235, 250), (92, 160, 80)),
    ((250, 190, 130), (255, 235, 200), (120, 150, 90)),
    ((90, 120, 180), (170, 200, 235), (80, 110, 70)),
    ((150, 200, 220), (230, 240, 245), (150, 140, 120)),
)


def draw_demo_photo(photo: content.DemoPhoto) -> bytes:
    """A small scene for a demo photo: sky, ground, sun, houses, trees and a figure near the focal
    point. The same key always draws the same picture (at half the size the content names)."""
    rng = random.Random(photo.key)
    width, height = max(photo.width // 2, 64), max(photo.height // 2, 64)
    sky_top, sky_bottom, ground = _PALETTES[rng.randrange(len(_PALETTES))]
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.55, 0.7))
    for y in range(horizon):
        t = y / max(horizon - 1, 1)
        colour = tuple(int(a + (b - a) * t) for a, b in zip(sky_top, sky_bottom, strict=True))
        draw.line([(0, y), (width, y)], fill=colour)
    draw.rectangle([0, horizon, width, height], fill=ground)
    sun = int(min(width, height) * 0.08)
    sx, sy = int(width * rng.uniform(0.1, 0.9)), int(horizon * rng.uniform(0.15, 0.4))
    draw.ellipse([sx - sun, sy - sun, sx + sun, sy + sun], fill=(255, 220, 90))
    for _house in range(rng.randint(2, 4)):
        w = int(width * rng.uniform(0.1, 0.18))
        h = int(height * rng.uniform(0.15, 0.28))
        x = rng.randint(0, max(width - w, 1))
        colour = rng.choice([(190, 90, 70), (220, 200, 160), (120, 130, 150), (170, 60, 60)])
        draw.rectangle([x, horizon - h, x + w, horizon], fill=colour)
        draw.polygon(
            [(x - 4, horizon - h), (x + w // 2, horizon - h - w // 2), (x + w + 4, horizon - h)],
            fill=(80, 50, 45),
        )
        for wx in range(x + w // 6, x + w - w // 6, max(w // 3, 1)):
            draw.rectangle(
                [wx, horizon - h * 2 // 3, wx + w // 8, horizon - h // 2], fill=(250, 240, 190)
            )
    for _tree in range(rng.randint(2, 5)):
        x = rng.randint(0, width)
        r = int(min(width, height) * rng.uniform(0.05, 0.09))
        draw.rectangle([x - r // 5, horizon - r, x + r // 5, horizon + r // 2], fill=(100, 70, 40))
        draw.ellipse([x - r, horizon - 2 * r - r // 2, x + r, horizon - r // 2], fill=(50, 120, 60))
    # a figure where the focal point is, so the crops visibly follow it
    body = int(min(width, height) * 0.1)
    fx = int(photo.focal_x * width)
    fy = max(int(photo.focal_y * height), horizon + body // 4)
    draw.ellipse(
        [fx - body // 3, fy - body - body // 2, fx + body // 3, fy - body + body // 6],
        fill=(240, 200, 170),
    )
    draw.rectangle(
        [fx - body // 3, fy - body + body // 5, fx + body // 3, fy + body // 2],
        fill=rng.choice([(30, 90, 170), (200, 80, 40), (230, 180, 40)]),
    )
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def _theme(theme: content.DemoTheme) -> dict[str, object]:
    return {
        "name": theme.name,
        "description": theme.description,
        "target_share": theme.target_share,
    }
