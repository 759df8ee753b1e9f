"""Counting as each platform counts: X weights, graphemes, bytes and emoji bytes."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.channels import counting
from planner.channels.catalogue import get_kind
from planner.publishing.adapters import mastodon

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man, woman, girl joined by ZWJ
FLAG_NL = "\U0001f1f3\U0001f1f1"
THUMB_MEDIUM = "\U0001f44d\U0001f3fd"
LONG_URL = "https://www.zuiderhaven.nl/nieuws/" + "een-heel-lang-adres-" * 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", 5),
        ("日本語", 6),  # CJK weighs 2
        ("\U0001f637", 2),  # an emoji weighs 2
        (FAMILY, 2),  # a ZWJ sequence is one emoji
        (FLAG_NL, 2),
        (THUMB_MEDIUM, 2),  # skin tone included
        ("Lees " + LONG_URL, 5 + 23),  # every URL counts 23
        ("zie zuiderhaven.nl/afval", 4 + 23),  # also without a scheme
        ("cafe\u0301", 4),  # NFC first: e + combining acute is one character
        ("\u2014", 1),  # em dash is in the weight-1 punctuation range
    ],
)
def test_count_x_weights_text_as_x_does(text: str, expected: int) -> None:
    assert counting.count(text, "x") == expected


def test_count_accepts_a_kind_or_its_key() -> None:
    assert counting.count("abc", get_kind("x")) == counting.count("abc", "x")


def test_fits_x_at_exactly_the_limit() -> None:
    assert counting.fits("a" * 280, "x")
    assert not counting.fits("a" * 281, "x")
    assert counting.fits("漢" * 140, "x")
    assert not counting.fits("漢" * 141, "x")


def test_remaining_is_negative_when_over_and_none_without_limit() -> None:
    assert counting.remaining("a" * 300, "x") == -20
    assert counting.remaining("a" * 10, "mastodon") == 490
    assert counting.remaining("a" * 100_000, "blog") is None


def test_count_mastodon_counts_graphemes_and_fixed_urls() -> None:
    assert counting.count(FAMILY + FLAG_NL + "e\u0301", "mastodon") == 3
    assert counting.count("zie " + LONG_URL, "mastodon") == 4 + 23


def test_count_bluesky_counts_urls_as_written() -> None:
    assert counting.count("zie " + LONG_URL, "bluesky") == 4 + len(LONG_URL)


def test_fits_bluesky_checks_graphemes_and_bytes() -> None:
    assert counting.fits("é" * 300, "bluesky")  # 600 bytes
    assert not counting.fits("é" * 301, "bluesky")
    families = FAMILY * 300  # 300 graphemes but 5,400 bytes
    assert counting.count(families, "bluesky") == 300
    assert not counting.fits(families, "bluesky")


def test_first_offset_over_limit_bluesky_stops_at_the_byte_limit() -> None:
    family_bytes = len(FAMILY.encode())
    fitting = 3000 // family_bytes
    offset = counting.first_offset_over_limit(FAMILY * 300, "bluesky")
    assert offset == fitting * len(FAMILY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\U0001f600", 4),  # an emoji counts its UTF-8 bytes
        ("a\U0001f600", 5),
        (THUMB_MEDIUM, 8),
        (FAMILY, len(FAMILY.encode())),
        ("hallo", 5),
    ],
)
def test_count_threads_counts_emoji_as_utf8_bytes(text: str, expected: int) -> None:
    assert counting.count(text, "threads") == expected


def test_count_emoji_treats_flags_families_and_keycaps_as_one() -> None:
    text = f"Hoi {THUMB_MEDIUM} {FAMILY} {FLAG_NL} 1\ufe0f\u20e3 \u2764\ufe0f ©"
    # © without the emoji variation selector is text, not an emoji.
    assert counting.count_emoji(text) == 5
    assert counting.count_emoji("geen emoji hier") == 0


def test_graphemes_keeps_clusters_whole() -> None:
    assert counting.graphemes(f"e\u0301{FAMILY}{FLAG_NL}\r\n") == [
        "e\u0301",
        FAMILY,
        FLAG_NL,
        "\r\n",
    ]


def test_first_offset_over_limit_is_none_when_text_fits() -> None:
    assert counting.first_offset_over_limit("kort", "x") is None
    assert counting.first_offset_over_limit("a" * 10_000, "blog") is None


def test_first_offset_over_limit_never_cuts_an_emoji() -> None:
    assert counting.first_offset_over_limit("a" * 279 + FAMILY, "x") == 279


def test_first_offset_over_limit_never_cuts_a_url() -> None:
    text = "a" * 270 + " " + LONG_URL
    assert counting.first_offset_over_limit(text, "x") == 271


def test_measure_reports_all_counts() -> None:
    measured = counting.measure("a" * 301, "bluesky")
    assert measured.count == 301
    assert measured.remaining == -1
    assert measured.nbytes == 301
    assert not measured.fits
    assert measured.over_limit_offset == 300


_ALPHABET = st.sampled_from(
    [
        "a",
        "Z",
        " ",
        "\n",
        ".",
        "é",
        "e\u0301",
        "日",
        "한",
        FAMILY,
        FLAG_NL,
        THUMB_MEDIUM,
        "\U0001f600",
        " https://example.com/pad/" + "x" * 30 + " ",
        " zuiderhaven.nl ",
        "\u0301",
    ]
)
_TEXTS = st.lists(_ALPHABET, max_size=160).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=_TEXTS, key=st.sampled_from(["x", "mastodon", "bluesky", "threads", "linkedin"]))
def test_first_offset_over_limit_prefix_fits_on_a_grapheme_boundary(text: str, key: str) -> None:
    kind = get_kind(key)
    # Shrink the limits so short generated texts cross them.
    small = dataclasses.replace(kind, text_limit=60, byte_limit=150)
    offset = counting.first_offset_over_limit(text, small)
    if counting.fits(text, small):
        assert offset is None
        return
    assert offset is not None
    assert offset in counting.grapheme_boundaries(text)
    assert counting.fits(text[:offset], small)


@settings(max_examples=200, deadline=None)
@given(text=_TEXTS)
def test_count_x_is_invariant_under_nfc_normalisation(text: str) -> None:
    assert counting.count(text, "x") == counting.count(unicodedata.normalize("NFC", text), "x")


@settings(max_examples=200, deadline=None)
@given(
    text=_TEXTS,
    key=st.sampled_from(["x", "mastodon", "bluesky", "threads", "linkedin", "blog"]),
)
def test_count_agrees_with_the_unit_by_unit_total(text: str, key: str) -> None:
    # count() takes shortcuts (and X's own parser); first_offset_over_limit walks units. They
    # must agree, or an editor would see a limit marker where the counter says the text fits.
    kind = get_kind(key)
    units = counting._units(text, kind)
    assert counting.count(text, kind) == sum(unit.weight for unit in units)


_ASCII = st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=200)
_BELOW_2000 = st.text(alphabet=st.characters(max_codepoint=0x1FFF), max_size=200)


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(_ASCII, _BELOW_2000, _TEXTS))
def test_count_x_matches_twitter_text_parser(text: str) -> None:
    twitter = counting._twitter()
    expected = twitter.parse_tweet(text, twitter.options).weightedLength
    assert counting.count(text, "x") == expected


def test_mastodon_counts_a_remote_mention_by_its_local_part() -> None:
    """Issue 13, item 14: as Mastodon (and our publisher) count it, @user@server is @user."""
    local = "Dank @anna en @piet voor de hulp!"
    remote = "Dank @anna@mastodon.social en @piet voor de hulp!"
    assert counting.count(remote, "mastodon") == counting.count(local, "mastodon") == len(local)
    # an address in a link is part of the link (23), and other platforms count every character
    assert counting.count("Zie https://mastodon.nl/@anna@mastodon.social", "mastodon") == 4 + 23
    assert counting.count(remote, "bluesky") == len(remote)
    # the limit falls on the same text: a long server name never pushes a post over
    text = "@anna@" + "s" * 600 + ".example " + "a" * 494
    assert counting.count(text, "mastodon") == 500
    assert counting.fits(text, "mastodon")
    assert counting.first_offset_over_limit(text + "b", "mastodon") == len(text)
    assert mastodon.count_characters(text + "b") == 501
