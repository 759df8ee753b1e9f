from __future__ import annotations

from planner.brand.channel_checks import ChannelCheckSettings, check_channel
from planner.brand.engine import parse
from planner.channels.catalogue import get_kind


def run(text, channel="mastodon", markdown=False, **kwargs):
    settings = kwargs.pop("settings", None)
    return check_channel(parse(text, markdown=markdown), get_kind(channel), settings, **kwargs)


def test_length_alert_sits_on_first_character_past_x_limit():
    text = "a" * 278 + " 日"
    [alert] = [a for a in run(text, "x") if a.check == "Channel.Length"]
    assert (alert.severity, alert.span, alert.match) == ("error", (280, 280), "日")


def test_length_alert_quotes_all_the_text_that_does_not_fit():
    text = "a" * 495 + " Tot zaterdag in het Havenpark!"
    [alert] = [a for a in run(text, "mastodon") if a.check == "Channel.Length"]
    assert alert.match == "zaterdag in het Havenpark!"
    assert alert.span[1] - alert.span[0] == len(alert.match) - 1


def test_length_counts_urls_as_23_on_x():
    text = "b" * 250 + " https://example.org/" + "x" * 200
    assert [a for a in run(text, "x") if a.check == "Channel.Length"] == []


def test_lowercase_long_hashtag_suggests_camelcase_and_short_one_does_not():
    alerts = run("Kom naar de #opendag en #fiets")
    assert [(a.check, a.severity, a.match) for a in alerts] == [
        ("Channel.Hashtags", "suggestion", "#opendag")
    ]


def test_too_many_hashtags_warns_at_the_first_one_over():
    alerts = run("#Een #Twee #Drie", settings=ChannelCheckSettings(max_hashtags=2))
    assert [(a.severity, a.match) for a in alerts] == [("warning", "#Drie")]


def test_emoji_counted_by_grapheme_warns_from_the_fourth():
    text = "🇳🇱 👩‍👩‍👧 👍🏽 🎉 ok"
    alerts = [a for a in run(text) if a.check == "Channel.Emoji"]
    assert [a.match for a in alerts] == ["🎉"]


def test_links_shorteners_and_missing_utm():
    settings = ChannelCheckSettings(own_domains=("zuiderhaven.nl",))
    text = "Lees https://bit.ly/abc en https://www.zuiderhaven.nl/nieuws?utm_source=x en https://zuiderhaven.nl/a?utm_source=a&utm_medium=b&utm_campaign=c"
    alerts = run(text, settings=settings)
    assert [(a.check, a.match) for a in alerts] == [
        ("Channel.Links", "https://bit.ly/abc"),
        ("Channel.Links", "https://www.zuiderhaven.nl/nieuws?utm_source=x"),
    ]


def test_sponsored_needs_disclosure_early():
    sponsored = ChannelCheckSettings(sponsored=True)
    assert [a.check for a in run("Nieuwe fietsen! " * 3, settings=sponsored)] == [
        "Channel.Disclosure"
    ]
    assert run("#adv Nieuwe fietsen in samenwerking met X", settings=sponsored) == []
    late = "x" * 130 + " #spon"
    assert [a.severity for a in run(late, settings=sponsored)] == ["error"]


def test_alt_text_for_markdown_images_and_media_list():
    alerts = run("Foto van het team:\n\n![](team.jpg)\n", markdown=True)
    assert [(a.check, a.line, a.span[0]) for a in alerts] == [("Channel.AltText", 3, 1)]
    media = [{"alt": "Team"}, {"alt": ""}]
    assert [a.message for a in run("Tekst", media=media)] == ["Media-item 2 heeft geen alt-tekst."]


def test_too_many_media_for_channel():
    media = [{"alt": "x"}] * 5
    assert [a.check for a in run("Tekst", "x", media=media)] == ["Channel.Media"]
