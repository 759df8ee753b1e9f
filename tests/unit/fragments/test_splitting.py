"""Drafting: the right shape per channel, always within the channel's counted limits."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from planner.channels.catalogue import ChannelKind, all_kinds, get_kind
from planner.channels.counting import fits, graphemes
from planner.errors import NotFoundError, ValidationError
from planner.fragments.splitting import (
    META_DESCRIPTION_LIMIT,
    OrgSettings,
    PhotoInput,
    StoryInput,
    default_fragment_kind,
    draft,
    hashtag,
    slugify,
    split_thread,
    strip_numbering,
    tracked_link,
)

ORG = OrgSettings(name="Zuiderhaven", hashtag="Zuiderhaven", default_campaign="Algemeen")

BODY = """\
De gemeente opent zaterdag een nieuwe speeltuin in het Havenkwartier. Kinderen hebben de
speeltuin zelf ontworpen.

## Wat is er nieuw?

- een brede glijbaan
- een schommel voor kinderen in een rolstoel

De speeltuin heeft vlakke paden. Ouders vinden de nieuwe speeltuin mooi. De wethouder knipt het lint
door om tien uur. Iedereen is welkom en de koffie staat klaar.
"""


def make_story(**changes: object) -> StoryInput:
    values: dict[str, object] = {
        "id": 1,
        "title": "Nieuwe speeltuin in het Havenkwartier",
        "body": BODY,
        "language": "nl",
        "themes": ["Werken bij de gemeente", "Duurzaamheid"],
        "url": "https://www.zuiderhaven.nl/nieuws/speeltuin?ref=home",
        "campaign": "Samen bouwen aan de buurt",
        "photos": [
            PhotoInput(id=1, alt="", width=1600, height=900),
            PhotoInput(id=2, alt="Kinderen op de glijbaan", width=1080, height=1350),
            PhotoInput(id=3, alt="De schommel", width=1600, height=900),
            PhotoInput(id=4, alt="Het lint", width=1600, height=900),
            PhotoInput(id=5, alt="De wethouder", width=1600, height=900),
        ],
    }
    values.update(changes)
    return StoryInput(**values)  # type: ignore[arg-type]


def test_hashtag_writes_theme_names_in_camel_case() -> None:
    assert hashtag("Werken bij de gemeente") == "#WerkenBijDeGemeente"
    assert hashtag("Duurzaamheid") == "#Duurzaamheid"
    assert hashtag("open dag") == "#OpenDag"


def test_slugify_makes_ascii_hyphenated_words() -> None:
    assert slugify("Samen bouwen aan de buurt!") == "samen-bouwen-aan-de-buurt"
    assert slugify("Café Één") == "cafe-een"


def test_tracked_link_sets_utm_and_keeps_other_parameters() -> None:
    link = tracked_link(
        "https://zuiderhaven.nl/a?ref=home&utm_source=old",
        source="mastodon",
        medium="social",
        campaign="zomer",
    )
    query = parse_qs(urlsplit(link).query)
    assert query == {
        "ref": ["home"],
        "utm_source": ["mastodon"],
        "utm_medium": ["social"],
        "utm_campaign": ["zomer"],
    }


def test_default_fragment_kind_follows_the_catalogue() -> None:
    assert default_fragment_kind("mastodon") == "post"
    assert default_fragment_kind("blog") == "article"
    assert default_fragment_kind("tiktok") == "video_brief"
    with pytest.raises(NotFoundError):
        default_fragment_kind("fax")


def test_draft_post_starts_with_the_lead_and_ends_with_link_and_hashtags() -> None:
    result = draft(make_story(), "mastodon", org=ORG)
    assert result.fragment_kind == "post"
    assert len(result.parts) == 1
    text = result.parts[0]
    assert text.startswith("De gemeente opent zaterdag een nieuwe speeltuin")
    assert result.hashtags == ["#Zuiderhaven", "#WerkenBijDeGemeente", "#Duurzaamheid"]
    assert text.endswith("#Zuiderhaven #WerkenBijDeGemeente #Duurzaamheid")
    assert result.link is not None
    assert result.link in text
    query = parse_qs(urlsplit(result.link).query)
    assert query["utm_source"] == ["mastodon"]
    assert query["utm_medium"] == ["social"]
    assert query["utm_campaign"] == ["samen-bouwen-aan-de-buurt"]


def test_draft_uses_org_default_campaign_when_story_has_none() -> None:
    result = draft(make_story(campaign=None), "bluesky", org=ORG)
    assert result.link is not None
    assert parse_qs(urlsplit(result.link).query)["utm_campaign"] == ["algemeen"]


def test_draft_post_never_includes_list_items_as_key_sentences() -> None:
    result = draft(make_story(), "linkedin", org=ORG)
    assert "glijbaan" not in result.parts[0]


@pytest.mark.parametrize(
    "kind", [k for k in all_kinds() if "post" in k.fragment_kinds], ids=lambda k: k.key
)
def test_draft_post_fits_every_channel(kind: ChannelKind) -> None:
    long_story = make_story(body="Zin " * 400 + "zonder einde.")
    for story in (make_story(), long_story):
        result = draft(story, kind.key, fragment_kind="post", org=ORG)
        assert fits(result.parts[0], kind)


def test_draft_post_drops_theme_tags_before_the_org_tag_when_space_runs_out() -> None:
    # One long sentence fills an X post, leaving little room for tags.
    body = " ".join(["Lang woord"] * 120) + "."
    result = draft(make_story(body=body), "x", org=ORG)
    text = result.parts[0]
    assert fits(text, "x")
    assert "…" in text
    assert result.hashtags[0] == "#Zuiderhaven"
    assert "#Duurzaamheid" not in result.hashtags
    assert text.endswith(" ".join(result.hashtags))


def test_draft_instagram_says_link_in_bio_instead_of_a_dead_link() -> None:
    result = draft(make_story(), "instagram", org=ORG)
    assert "https://" not in result.parts[0]
    assert "link staat in onze bio" in result.parts[0]


def test_draft_thread_parts_are_numbered_and_fit() -> None:
    result = draft(make_story(body=BODY * 3), "x", fragment_kind="thread", org=ORG)
    assert len(result.parts) > 1
    total = len(result.parts)
    for number, part in enumerate(result.parts, start=1):
        assert part.endswith(f" {number}/{total}")
        assert fits(part, "x")
    assert "- een brede glijbaan" in "\n".join(result.parts)


def test_draft_article_has_title_lead_body_and_short_meta_description() -> None:
    long_lead = "Deze zin is expres veel te lang voor een metabeschrijving " * 5 + "."
    result = draft(make_story(body=long_lead + "\n\nTweede alinea."), "blog", org=ORG)
    assert result.fragment_kind == "article"
    assert result.title == "Nieuwe speeltuin in het Havenkwartier"
    assert result.body is not None
    assert result.body.startswith("Deze zin")
    assert result.meta_description is not None
    assert len(result.meta_description) <= META_DESCRIPTION_LIMIT
    assert result.meta_description.endswith("…")
    assert result.link == "https://www.zuiderhaven.nl/nieuws/speeltuin?ref=home"


def test_draft_newsletter_is_a_teaser_with_an_email_tracked_link() -> None:
    result = draft(make_story(), "newsletter", org=ORG)
    assert result.link is not None
    assert parse_qs(urlsplit(result.link).query)["utm_medium"] == ["email"]
    assert result.body is not None
    assert f"]({result.link})" in result.body


def test_draft_chooses_photos_with_alt_text_first_up_to_the_media_limit() -> None:
    result = draft(make_story(), "x", org=ORG)
    assert len(result.media_ids) == get_kind("x").media_per_post
    assert 1 not in result.media_ids  # the photo without alt text waits
    # X wants 16:9: the landscape photos come before the portrait one.
    assert result.media_ids == [3, 4, 5, 2]


def test_draft_video_brief_is_prefilled() -> None:
    story = make_story(contributor="Mehmet Yilmaz")
    result = draft(story, "tiktok", org=ORG)
    brief = result.video_brief
    assert brief is not None
    assert brief["aspect"] == "9:16"
    assert brief["subtitles"] is True
    assert brief["key_message"].startswith("De gemeente opent zaterdag")
    assert 1 <= len(brief["scenes"]) <= 4
    assert {"shot", "voice_over", "on_screen_text"} <= set(brief["scenes"][0])
    assert brief["people"][0]["name"] == "Mehmet Yilmaz"
    assert len(brief["hook"].split()) <= 11


def test_draft_rejects_a_fragment_kind_the_channel_does_not_take() -> None:
    with pytest.raises(ValidationError):
        draft(make_story(), "linkedin", fragment_kind="thread", org=ORG)


def test_draft_supports_english_stories() -> None:
    story = make_story(
        language="en",
        body="The council opens a playground on Saturday. Children designed it themselves.",
    )
    result = draft(story, "instagram", org=ORG)
    assert "The link is in our bio." in result.parts[0]


def test_draft_is_deterministic() -> None:
    first = draft(make_story(), "bluesky", fragment_kind="thread", org=ORG)
    second = draft(make_story(), "bluesky", fragment_kind="thread", org=ORG)
    assert first == second


def test_split_thread_returns_short_text_unnumbered() -> None:
    assert split_thread("  Een korte zin.  ", "x") == ["Een korte zin."]


def test_split_thread_reserves_room_for_the_numbering() -> None:
    # Each sentence is exactly 280 long: it fits alone, but not with " 1/n" after it.
    sentence = "a" * 279 + "."
    parts = split_thread(f"{sentence} {sentence}", "x")
    assert len(parts) > 2
    assert all(fits(part, "x") for part in parts)


def test_split_thread_cuts_long_sentences_at_word_boundaries() -> None:
    words = [f"woord{i}" for i in range(200)]
    parts = split_thread(" ".join(words), "bluesky")
    rebuilt = [word for part in parts for word in strip_numbering(part).split()]
    assert rebuilt == words


def test_split_thread_cuts_a_giant_word_between_graphemes_only() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    parts = split_thread(family * 400, "bluesky", numbered=False)
    assert len(parts) > 1
    for part in parts:
        assert fits(part, "bluesky")
        assert set(graphemes(part)) == {family}


def test_split_thread_numbers_with_two_digits_when_needed() -> None:
    parts = split_thread(" ".join(["Dit is een zin."] * 400), "x")
    assert len(parts) >= 10
    assert parts[9].endswith(f" 10/{len(parts)}")
    assert all(fits(part, "x") for part in parts)


def test_split_thread_without_numbering_leaves_parts_bare() -> None:
    parts = split_thread(" ".join(["Dit is een zin."] * 60), "x", numbered=False)
    assert len(parts) > 1
    assert all(not part.endswith(f"/{len(parts)}") for part in parts)
