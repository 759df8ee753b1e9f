"""The one place that measures text the way each platform does.

Splitting, previews and brand checks all ask this module, so a platform that changes how it counts
is fixed here (and in the catalogue) and nowhere else.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import sys
import types
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex

from planner.channels.catalogue import ChannelKind, CountingMethod, get_kind

__all__ = [
    "Measurement",
    "count",
    "count_emoji",
    "find_urls",
    "first_offset_over_limit",
    "fits",
    "grapheme_boundaries",
    "grapheme_count",
    "graphemes",
    "is_emoji",
    "measure",
    "remaining",
    "utf8_length",
]

_GRAPHEME = regex.compile(r"\X")
# Fast paths: most text is Latin script, where counting can skip grapheme and emoji analysis.
_ONE_CODE_POINT_GRAPHEMES = regex.compile(r"[\x00-\u02ff]*")
_NO_EMOJI_CANDIDATE = regex.compile(r"[^\u00a9\u00ae\u203c-\U0010ffff]*")
# For X: text below U+2000 without © and ® holds nothing its emoji table knows.
_X_PLAIN = regex.compile(r"[^\u00a9\u00ae\u2000-\U0010ffff]*")
_X_HEAVY = regex.compile(r"[\u1100-\u1fff]")
# A grapheme is an emoji when it shows as one: emoji-presentation characters, text pictographs
# forced to emoji style with VS16, keycaps, flags (regional indicators) and skin-tone modifiers.
_EMOJI = regex.compile(
    r"\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F|\u20E3"
    r"|\p{Regional_Indicator}|\p{Emoji_Modifier}"
)
# A remote mention as Mastodon recognises it (not after a word character, "@" or "/"): the
# "@server" part (group 1) does not count.
_REMOTE_MENTION = regex.compile(r"(?<![\w@/])@\w+(@[\w.-]*\w)")


@dataclass(frozen=True, slots=True)
class _Unit:
    """A stretch of text that is counted as a whole: one grapheme, or a URL with a fixed weight."""

    start: int
    end: int
    weight: int
    nbytes: int


@dataclass(frozen=True, slots=True)
class Measurement:
    """Everything an editor needs to see about one text on one channel kind."""

    count: int
    limit: int | None
    remaining: int | None
    nbytes: int
    byte_limit: int | None
    fits: bool
    #: Code-point offset of the first character past a limit, or None when the text fits.
    over_limit_offset: int | None


class _TwitterText:
    """The parts of the ``twitter-text-parser`` package we use, loaded once and on demand."""

    def __init__(self) -> None:
        # twitter-text-parser 3.0 reads its emoji table through pkg_resources, which recent
        # setuptools no longer ships (and older ones warn about on import). The module only needs
        # ``resource_string`` while it is being imported, so we lend it a stand-in for exactly that
        # moment instead of depending on setuptools at run time.
        saved = sys.modules.get("pkg_resources")
        sys.modules["pkg_resources"] = _pkg_resources_stand_in()
        try:
            parse_tweet = importlib.import_module("twitter_text.parse_tweet")
            extract_urls = importlib.import_module("twitter_text.extract_urls")
            extract_emojis = importlib.import_module("twitter_text.extract_emojis")
            config = importlib.import_module("twitter_text.config")
            weight = importlib.import_module("twitter_text.get_character_weight")
        finally:
            if saved is None:
                del sys.modules["pkg_resources"]
            else:
                sys.modules["pkg_resources"] = saved
        self.options: dict[str, Any] = config.config["defaults"]
        self.parse_tweet: Callable[..., Any] = parse_tweet.parse_tweet
        self.extract_urls: Callable[..., list[dict[str, Any]]] = (
            extract_urls.extract_urls_with_indices
        )
        self.extract_emojis: Callable[[str], list[dict[str, Any]]] = (
            extract_emojis.extract_emojis_with_indices
        )
        self.character_weight: Callable[[str, dict[str, Any]], int] = weight.get_character_weight


def _pkg_resources_stand_in() -> types.ModuleType:
    module = types.ModuleType("pkg_resources")

    def resource_string(module_name: str, resource: str) -> bytes:
        origin = getattr(sys.modules[module_name], "__file__", None)
        if origin is None:  # pragma: no cover - only if the package layout changes
            raise ImportError(f"cannot locate resources of {module_name}")
        return (Path(origin).parent / resource).read_bytes()

    module.resource_string = resource_string  # type: ignore[attr-defined]
    return module


@functools.cache
def _twitter() -> _TwitterText:
    # Loading compiles a large emoji pattern; do it on first use, not when planner is imported.
    return _TwitterText()


def _resolve(kind: ChannelKind | str) -> ChannelKind:
    return get_kind(kind) if isinstance(kind, str) else kind


def graphemes(text: str) -> list[str]:
    """Split text into user-perceived characters (extended grapheme clusters)."""
    found: list[str] = _GRAPHEME.findall(text)
    return found


def grapheme_count(text: str) -> int:
    if _ONE_CODE_POINT_GRAPHEMES.fullmatch(text):
        # Below U+0300 nothing combines, so only CR LF pairs make a grapheme of two code points.
        return len(text) - text.count("\r\n")
    return len(_GRAPHEME.findall(text))


def grapheme_boundaries(text: str) -> list[int]:
    """Code-point offsets where a cut leaves every grapheme whole, from 0 to len(text)."""
    return [0, *(match.end() for match in _GRAPHEME.finditer(text))]


def is_emoji(grapheme: str) -> bool:
    return _EMOJI.search(grapheme) is not None


def count_emoji(text: str) -> int:
    """Emoji as a reader sees them: a flag, a skin-toned hand or a ZWJ family is one."""
    return sum(1 for grapheme in graphemes(text) if is_emoji(grapheme))


def utf8_length(text: str) -> int:
    return len(text.encode("utf-8"))


def find_urls(text: str, *, bare: bool = True) -> list[tuple[int, int]]:
    """Code-point spans of the URLs in text, recognised as X does (with its list of domains).

    ``bare`` also finds links without a scheme ("zuiderhaven.nl/afval").
    """
    found = _twitter().extract_urls(text, bare)
    return [(int(url["indices"][0]), int(url["indices"][1])) for url in found]


def _url_spans(text: str, kind: ChannelKind) -> list[tuple[int, int]]:
    if kind.url_weight is None:
        return []
    # X also recognises bare domains; Mastodon only counts links with a scheme as 23.
    return find_urls(text, bare=kind.counting is CountingMethod.X_WEIGHTED)


def _x_weight(grapheme: str) -> int:
    """X's weight of one grapheme, computed as parse_tweet does (NFC first, emoji as one)."""
    twitter = _twitter()
    options = twitter.options
    normalised = unicodedata.normalize("NFC", grapheme).replace("\r\n", "\n").replace("\r", "\n")
    emoji_at = {int(e["indices"][0]): e["emoji"] for e in twitter.extract_emojis(normalised)}
    total = 0
    index = 0
    while index < len(normalised):
        if index in emoji_at:
            total += options["default_weight"]
            index += len(emoji_at[index])
            continue
        total += twitter.character_weight(normalised[index], options)
        index += 1
    return int(total)


def _grapheme_weight(grapheme: str, method: CountingMethod) -> int:
    if method is CountingMethod.CHARACTERS:
        return len(grapheme)
    if method is CountingMethod.EMOJI_AS_UTF8_BYTES:
        return utf8_length(grapheme) if is_emoji(grapheme) else len(grapheme)
    return 1  # GRAPHEMES and GRAPHEMES_AND_BYTES


def _uncounted(text: str, kind: ChannelKind) -> list[tuple[int, int]]:
    """Spans the platform does not count: the server part of remote mentions, on Mastodon."""
    if not kind.mentions_count_local_part or "@" not in text:
        return []
    urls = _url_spans(text, kind)
    return [
        m.span(1)
        for m in _REMOTE_MENTION.finditer(text)
        if not any(start <= m.start() < end for start, end in urls)
    ]


def _local_mentions(text: str, kind: ChannelKind) -> str:
    """The text with every remote mention's server part left out (what Mastodon counts)."""
    spans = _uncounted(text, kind)
    for start, end in reversed(spans):
        text = text[:start] + text[end:]
    return text


def _units(text: str, kind: ChannelKind) -> list[_Unit]:
    """Cut text into counted units whose weights add up, so a running total finds the limit."""
    urls = dict(_url_spans(text, kind))
    free = _uncounted(text, kind)
    x_weighted = kind.counting is CountingMethod.X_WEIGHTED
    units: list[_Unit] = []
    url_end = -1
    url_start = -1
    for match in _GRAPHEME.finditer(text):
        start, end = match.span()
        if start < url_end:
            # Still inside a URL: widen its unit to whole graphemes, weight unchanged.
            last = units[-1]
            units[-1] = _Unit(url_start, end, last.weight, utf8_length(text[url_start:end]))
            continue
        if start in urls and kind.url_weight is not None:
            url_start, url_end = start, urls[start]
            units.append(_Unit(start, end, kind.url_weight, utf8_length(match.group())))
            continue
        grapheme = match.group()
        if any(a <= start < b for a, b in free):
            units.append(_Unit(start, end, 0, utf8_length(grapheme)))
            continue
        if x_weighted:
            # parse_tweet scales weights by 100; a grapheme's weight is a whole multiple of it.
            weight = _x_weight(grapheme) // int(_twitter().options["scale"])
        else:
            weight = _grapheme_weight(grapheme, kind.counting)
        units.append(_Unit(start, end, weight, utf8_length(grapheme)))
    return units


def _x_count(text: str) -> int:
    twitter = _twitter()
    normalised = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    if not _X_PLAIN.fullmatch(normalised):
        return int(twitter.parse_tweet(text, twitter.options).weightedLength)
    # No emoji possible: the same sum parse_tweet makes (weight 1 up to U+10FF, 2 above, URLs
    # fixed), without its per-character emoji scan, which dominates drafting time.
    urls = find_urls(normalised) if "." in normalised else []
    weight = len(normalised) + len(_X_HEAVY.findall(normalised))
    for start, end in urls:
        segment = normalised[start:end]
        weight -= len(segment) + len(_X_HEAVY.findall(segment))
    return weight + len(urls) * int(twitter.options["transformed_url_length"])


def count(text: str, kind: ChannelKind | str) -> int:
    """The length the platform shows (for Bluesky: graphemes; bytes are checked by fits)."""
    resolved = _resolve(kind)
    method = resolved.counting
    if method is CountingMethod.X_WEIGHTED:
        return _x_count(text)
    text = _local_mentions(text, resolved)
    # Fast paths for the common cases; _units gives the same totals (a test holds them to it).
    if method is CountingMethod.CHARACTERS and resolved.url_weight is None:
        return len(text)
    if method is CountingMethod.EMOJI_AS_UTF8_BYTES and resolved.url_weight is None:
        if _NO_EMOJI_CANDIDATE.fullmatch(text):
            return len(text)
        extra = sum(utf8_length(g) - len(g) for g in graphemes(text) if is_emoji(g))
        return len(text) + extra
    if method in (CountingMethod.GRAPHEMES, CountingMethod.GRAPHEMES_AND_BYTES):
        if resolved.url_weight is None or "." not in text:
            return grapheme_count(text)
        fixed = _count_graphemes_with_fixed_urls(text, resolved.url_weight, resolved)
        if fixed is not None:
            return fixed
    return sum(unit.weight for unit in _units(text, resolved))


def _count_graphemes_with_fixed_urls(text: str, url_weight: int, kind: ChannelKind) -> int | None:
    total = 0
    position = 0
    for start, end in _url_spans(text, kind):
        if end < len(text) and ord(text[end]) >= 0x300:
            return None  # something may attach to the URL's last character: count unit by unit
        total += grapheme_count(text[position:start]) + url_weight
        position = end
    return total + grapheme_count(text[position:])


def remaining(text: str, kind: ChannelKind | str) -> int | None:
    """Room left under the text limit (negative when over); None for channels without a limit."""
    resolved = _resolve(kind)
    if resolved.text_limit is None:
        return None
    return resolved.text_limit - count(text, resolved)


def fits(text: str, kind: ChannelKind | str) -> bool:
    """True when the text respects every limit of the kind (Bluesky: graphemes and bytes)."""
    resolved = _resolve(kind)
    if resolved.byte_limit is not None and utf8_length(text) > resolved.byte_limit:
        return False
    return resolved.text_limit is None or count(text, resolved) <= resolved.text_limit


def first_offset_over_limit(text: str, kind: ChannelKind | str) -> int | None:
    """Code-point offset of the first character past a limit, always on a grapheme boundary.

    A URL that the platform counts as a whole is never cut: if it crosses the limit, the offset
    is where it starts. Returns None when the text fits.
    """
    resolved = _resolve(kind)
    if fits(text, resolved):
        return None
    limit = resolved.text_limit
    byte_limit = resolved.byte_limit
    total = 0
    nbytes = 0
    for unit in _units(text, resolved):
        total += unit.weight
        nbytes += unit.nbytes
        over_text = limit is not None and total > limit
        if over_text or (byte_limit is not None and nbytes > byte_limit):
            return unit.start
    # The platform's own count saw more than the unit sum (X can recognise a URL differently in
    # the whole text); fall back to the first grapheme boundary whose prefix no longer fits.
    boundaries = grapheme_boundaries(text)
    for previous, boundary in itertools.pairwise(boundaries):
        if not fits(text[:boundary], resolved):
            return previous
    return boundaries[-2] if len(boundaries) > 1 else 0  # pragma: no cover - defensive


def measure(text: str, kind: ChannelKind | str) -> Measurement:
    """All counts at once, for previews and checks that show them together."""
    resolved = _resolve(kind)
    counted = count(text, resolved)
    limit = resolved.text_limit
    return Measurement(
        count=counted,
        limit=limit,
        remaining=None if limit is None else limit - counted,
        nbytes=utf8_length(text),
        byte_limit=resolved.byte_limit,
        fits=fits(text, resolved),
        over_limit_offset=first_offset_over_limit(text, resolved),
    )
