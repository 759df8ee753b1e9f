"""The demo organisation's content is complete and follows its own brand rules."""

from __future__ import annotations

import re

import pytest

from planner.channels.catalogue import get_kind
from planner.demo.content import CAMPAIGNS, CHANNELS, STORIES, THEMES, DemoChannel, DemoStory

_SOURCES = {"employee", "resident", "partner", "organisation"}


def _relative_luminance(hex_colour: str) -> float:
    # WCAG 2.x relative luminance of an sRGB colour.
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_demo_has_eight_stories_with_unique_keys() -> None:
    assert len(STORIES) == 8
    assert len({story.key for story in STORIES}) == 8


@pytest.mark.parametrize("story", STORIES, ids=lambda story: story.key)
def test_demo_story_is_complete_and_on_brand(story: DemoStory) -> None:
    words = re.findall(r"\w+", story.body)
    assert 150 <= len(words) <= 350
    assert story.source in _SOURCES
    assert story.contributor
    theme_names = {theme.name for theme in THEMES}
    assert story.themes
    assert set(story.themes) <= theme_names
    if story.campaign is not None:
        assert story.campaign in {campaign.name for campaign in CAMPAIGNS}
    text = f"{story.title}\n{story.body}".lower()
    for banned in ("klanten", "burgers", "betreffende", "middels", "teneinde", "inzake"):
        assert banned not in text
    assert not re.search(r"\b(u|uw)\b", text), "the demo writes 'je', not 'u'"
    assert all(photo.alt.strip() for photo in story.photos)


def test_demo_theme_shares_add_up_to_100() -> None:
    assert sum(theme.target_share for theme in THEMES) == 100


@pytest.mark.parametrize("channel", CHANNELS, ids=lambda channel: channel.kind_key)
def test_demo_channel_colour_is_readable_with_white_text(channel: DemoChannel) -> None:
    assert re.fullmatch(r"#[0-9A-Fa-f]{6}", channel.colour)
    contrast = 1.05 / (_relative_luminance(channel.colour) + 0.05)
    assert contrast >= 4.5
    assert get_kind(channel.kind_key).key == channel.kind_key
    assert channel.cadence_per_week > 0


def test_demo_channels_cover_the_documented_set() -> None:
    assert [channel.kind_key for channel in CHANNELS] == [
        "mastodon",
        "bluesky",
        "linkedin",
        "facebook",
        "instagram",
        "blog",
        "newsletter",
        "webhook",
    ]
