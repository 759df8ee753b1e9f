"""Property: thread parts always fit, and no grapheme is ever cut in two."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from planner.channels.catalogue import ChannelKind, get_kind
from planner.channels.counting import fits, graphemes
from planner.fragments.splitting import split_thread, strip_numbering

_PIECES = [
    "woord",
    "Zuiderhaven",
    "De",
    "é",
    "e\u0301",  # e + combining acute
    "a\u0308\u0323",  # two combining marks
    "\u0301",  # a stray combining mark (after a space it joins the space)
    "日本語",
    "한국어",
    "\U0001f600",
    "\U0001f44d\U0001f3fd",  # skin tone
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # ZWJ family
    "\U0001f3f3\ufe0f\u200d\U0001f308",  # rainbow flag
    "\U0001f1f3\U0001f1f1",  # flag NL
    "\U0001f1f3",  # a lone regional indicator
    "1\ufe0f\u20e3",  # keycap
    "https://www.zuiderhaven.nl/nieuws/" + "heel-lang-" * 12,
    "zuiderhaven.nl/afval",
    "#WerkenBijDeGemeente",
    "@zuiderhaven",
]
_SEPARATORS = [" ", " ", " ", ". ", "! ", "? ", "\n", "\n\n", ", ", "", "\r\n"]

_TEXT = st.lists(
    st.tuples(st.sampled_from(_PIECES), st.sampled_from(_SEPARATORS)), min_size=1, max_size=120
).map(lambda pairs: "".join(piece + separator for piece, separator in pairs))


def _kinds() -> list[ChannelKind]:
    real = [get_kind(key) for key in ("x", "mastodon", "bluesky", "threads")]
    # Small limits make the generated texts split often and exercise the word and grapheme paths.
    small = [
        dataclasses.replace(get_kind("x"), key="x-small", text_limit=40),
        dataclasses.replace(get_kind("bluesky"), key="bluesky-small", text_limit=30, byte_limit=90),
        dataclasses.replace(get_kind("threads"), key="threads-small", text_limit=35),
    ]
    return real + small


def _visible(text: str) -> list[str]:
    return [grapheme for grapheme in graphemes(text) if not grapheme.isspace()]


@settings(max_examples=200, deadline=None)
@given(text=_TEXT, kind=st.sampled_from(_kinds()), numbered=st.booleans())
def test_split_thread_parts_fit_and_keep_every_grapheme(
    text: str, kind: ChannelKind, numbered: bool
) -> None:
    parts = split_thread(text, kind, numbered=numbered)
    for part in parts:
        assert fits(part, kind), part
    bare = [strip_numbering(part) for part in parts] if numbered and len(parts) > 1 else parts
    rebuilt = [grapheme for part in bare for grapheme in _visible(part)]
    assert rebuilt == _visible(text)


@settings(max_examples=100, deadline=None)
@given(text=_TEXT, kind=st.sampled_from(_kinds()))
def test_split_thread_numbers_parts_in_order(text: str, kind: ChannelKind) -> None:
    parts = split_thread(text, kind)
    if len(parts) > 1:
        for number, part in enumerate(parts, start=1):
            assert part.endswith(f" {number}/{len(parts)}")
