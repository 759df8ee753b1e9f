"""The channel catalogue: every channel kind's limits and conventions as data.

Platform limits drift, so they live here in one record per kind, each with the date it was last
checked, instead of as literals in counting, splitting, previews or brand checks.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Final

from planner.errors import NotFoundError

#: Fragment kinds a channel can take; the splitter produces one draft shape for each.
FRAGMENT_KINDS: Final = ("post", "thread", "article", "video_brief")


class CountingMethod(enum.Enum):
    """How a platform measures text length; counting.py implements each one."""

    #: X's weighted count: most scripts weigh 1, CJK and others 2, every emoji 2, URLs fixed.
    X_WEIGHTED = "x_weighted"
    #: Unicode code points (what most APIs call "characters").
    CHARACTERS = "characters"
    #: User-perceived characters (extended grapheme clusters).
    GRAPHEMES = "graphemes"
    #: Graphemes for the visible limit plus a separate UTF-8 byte limit (Bluesky).
    GRAPHEMES_AND_BYTES = "graphemes_and_bytes"
    #: Characters, except that an emoji counts as its UTF-8 byte length (Threads).
    EMOJI_AS_UTF8_BYTES = "emoji_as_utf8_bytes"


@dataclass(frozen=True, slots=True)
class ImageSpec:
    """One image variant a channel wants; media/imaging crops and compresses to these."""

    name: str
    width: int
    height: int
    #: None when the platform states no file-size limit we need to respect.
    max_bytes: int | None
    #: Written as the platform writes it ("16:9", "1.91:1").
    aspect: str


@dataclass(frozen=True, slots=True)
class ChannelKind:
    """A kind of channel (a platform), not one account: the organisation's channels point here."""

    key: str
    label: str
    #: None means the channel has no text limit worth enforcing (blog, newsletter, webhook).
    text_limit: int | None
    counting: CountingMethod
    #: Fixed weight of every URL, or None when URLs count as written.
    url_weight: int | None
    #: A second limit in UTF-8 bytes, checked alongside text_limit.
    byte_limit: int | None
    #: Media items per post; None means no practical limit.
    media_per_post: int | None
    images: tuple[ImageSpec, ...]
    alt_text_supported: bool
    #: The most hashtags the platform accepts (None: no stated maximum).
    hashtag_limit: int | None
    #: How many hashtags the house style proposes for a draft (few, at the end).
    hashtags_recommended: int
    fragment_kinds: tuple[str, ...]
    supports_threads: bool
    #: Where the platform folds the text behind "…more", in characters; None if it never folds.
    more_cut: int | None
    links_clickable: bool
    verified_on: date
    #: Field names whose figures could not be confirmed from the platform's own documentation
    #: (marked "(?)" in docs/channels.md); editors are shown these as unconfirmed.
    unconfirmed: frozenset[str] = frozenset()
    #: A separate title limit (YouTube); None when the channel has no title field or no limit.
    title_limit: int | None = None
    #: Characters the platform rejects outright.
    forbidden_characters: frozenset[str] = frozenset()
    notes: str = ""

    @property
    def is_unlimited(self) -> bool:
        return self.text_limit is None and self.byte_limit is None

    def is_unconfirmed(self, field_name: str) -> bool:
        return field_name in self.unconfirmed

    @property
    def default_fragment_kind(self) -> str:
        return self.fragment_kinds[0]

    @property
    def primary_image(self) -> ImageSpec | None:
        return self.images[0] if self.images else None


# All figures below come from docs/channels.md, checked on this date.
_VERIFIED_ON = date(2026, 11, 27)
_MB = 1_000_000
_SOCIAL_KINDS = ("post", "thread")

_KINDS: tuple[ChannelKind, ...] = (
    ChannelKind(
        key="x",
        label="X",
        text_limit=280,
        counting=CountingMethod.X_WEIGHTED,
        url_weight=23,
        byte_limit=None,
        media_per_post=4,
        images=(ImageSpec("landscape", 1600, 900, 5 * _MB, "16:9"),),
        alt_text_supported=True,
        hashtag_limit=None,
        hashtags_recommended=2,
        fragment_kinds=_SOCIAL_KINDS,
        supports_threads=True,
        more_cut=None,
        links_clickable=True,
        verified_on=_VERIFIED_ON,
        unconfirmed=frozenset({"images"}),
        notes="4 photos, or 1 GIF, or 1 video.",
    ),
    ChannelKind(
        key="mastodon",
        label="Mastodon",
        # The default; each server may configure its own (GET /api/v2/instance).
        text_limit=500,
        counting=CountingMethod.GRAPHEMES,
        url_weight=23,
        byte_limit=None,
        media_per_post=4,
        images=(ImageSpec("landscape", 1600, 900, 16 * _MB, "16:9"),),
        alt_text_supported=True,
        hashtag_limit=None,
        hashtags_recommended=3,
        fragment_kinds=_SOCIAL_KINDS,
        supports_threads=True,
        more_cut=None,
        links_clickable=True,
        verified_on=_VERIFIED_ON,
        unconfirmed=frozenset({"images"}),
        notes="The limit is per server: configuration.statuses.max_characters.",
    ),
    ChannelKind(
        key="bluesky",
        label="Bluesky",
        text_limit=300,
        counting=CountingMethod.GRAPHEMES_AND_BYTES,
        url_weight=None,
        byte_limit=3000,
        media_per_post=4,
        images=(ImageSpec("landscape", 1600, 900, 1_000_000, "16:9"),),
        alt_text_supported=True,
        hashtag_limit=None,
        hashtags_recommended=2,
        fragment_kinds=_SOCIAL_KINDS,
        supports_threads=True,
        more_cut=None,
        links_clickable=True,
        verified_on=_VERIFIED_ON,
        notes="Links and mentions need facets with byte offsets; 4 images or 1 video.",
    ),
    ChannelKind(
        key="threads",
        label="Threads",
        text_limit=500,
        counting=CountingMethod.EMOJI_AS_UTF8_BYTES,
        url_weight=None,
        byte_limit=None,
        media_per_post=20,
        images=(ImageSpec("portrait", 1080, 1350, 8 * _MB, "4:5"),),
        alt_text_supported=True,
        hashtag_limit=1,
        hashtags_recommended=1,
        fragment_kinds=_SOCIAL_KINDS,
        supports_threads=True,
        more_cut=None,
        links_clickable=True,
        verified_on=_VERIFIED_ON,
        unconfirmed=frozenset({"media_per_post", "images", "hashtag_limit"}),
    ),
    ChannelKind(
        key="linkedin",
        label="LinkedIn",
        text_limit=3000,
        counting=CountingMethod.CHARACTERS,
        url_weight=None,
        byte_limit=None,
        media_per_post=9,
        images=(
            ImageSpec("link", 1200, 627, None, "1.91:1"),
            ImageSpec("square", 1080, 1080, None, "1:1"),
        ),
        alt_text_supported=True,
        hashtag_limit=None,
        hashtags_recommended=3,
        fragment_kinds=("post",),
        supports_threads=False,
        more_cut=210,
        links_clickable=True,
        verified_on=_VERIFIED_ON,
        unconfirmed=frozenset({"images", "media_per_post", "more_cut"}),
        notes="The API's little-text format needs reserved characters escaped, "
        "or the text is cut silently.",
    ),
    ChannelKind(
        key="facebook",
        label="Facebook",
        text_limit=63206,
        counting=CountingMethod.CHARACTERS,
        url_weight=None,
        byte_limit=None,
        media_per_post=10,
        images=(
            ImageSpec("link", 1200, 630, None, "1.91:1"),
            ImageSpec("portrait", 1080, 1350, None, "4:5"),
        ),
        alt_text_supported=True,
        hashtag_limit=None,
        hashtags_recommended=2,
        fragment_kinds=("post",),
        supports_threads=False,
        more_cut=480,
        links_clickable=True,
        verified_on=_VERIFIED_ON,
        unconfirmed=frozenset({"images", "media_per_post", "more_cut"}),
        notes="Several photos or 1 video; links get a preview card.",
    ),
    ChannelKind(
        key="instagram",
        label="Instagram",
        text_limit=2200,
        counting=CountingMethod.CHARACTERS,
        url_weight=None,
        byte_limit=None,
        media_per_post=10,
        images=(
            ImageSpec("square", 1080, 1080, 8 * _MB, "1:1"),
            ImageSpec("portrait", 1080, 1350, 8 * _MB, "4:5"),
            ImageSpec("landscape", 1080, 566, 8 * _MB, "1.91:1"),
        ),
        alt_text_supported=True,
        hashtag_limit=30,
        hashtags_recommended=5,
        fragment_kinds=("post", "video_brief"),
        supports_threads=False,
        more_cut=125,
        links_clickable=False,
        verified_on=_VERIFIED_ON,
        unconfirmed=frozenset({"hashtag_limit"}),
        notes="1 image or a carousel of up to 10; JPEG only.",
    ),
    ChannelKind(
        key="youtube",
        label="YouTube",
        text_limit=5000,
        counting=CountingMethod.CHARACTERS,
        url_weight=None,
        byte_limit=None,
        media_per_post=1,
        images=(ImageSpec("thumbnail", 1280, 720, 2 * _MB, "16:9"),),
        alt_text_supported=False,
        hashtag_limit=None,
        hashtags_recommended=3,
        fragment_kinds=("video_brief",),
        supports_threads=False,
        more_cut=None,
        links_clickable=True,
        verified_on=_VERIFIED_ON,
        unconfirmed=frozenset({"text_limit"}),
        title_limit=100,
        forbidden_characters=frozenset("<>"),
        notes="Text limit is the description; title 100.",
    ),
    ChannelKind(
        key="tiktok",
        label="TikTok",
        text_limit=2200,
        counting=CountingMethod.CHARACTERS,
        url_weight=None,
        byte_limit=None,
        media_per_post=35,
        images=(ImageSpec("vertical", 1080, 1920, None, "9:16"),),
        alt_text_supported=False,
        hashtag_limit=None,
        hashtags_recommended=3,
        fragment_kinds=("video_brief",),
        supports_threads=False,
        more_cut=None,
        links_clickable=False,
        verified_on=_VERIFIED_ON,
        notes="1 video or up to 35 photos.",
    ),
    ChannelKind(
        key="blog",
        label="Blog / website",
        text_limit=None,
        counting=CountingMethod.GRAPHEMES,
        url_weight=None,
        byte_limit=None,
        media_per_post=None,
        images=(ImageSpec("hero", 1200, 630, None, "1.91:1"),),
        alt_text_supported=True,
        hashtag_limit=None,
        hashtags_recommended=0,
        fragment_kinds=("article",),
        supports_threads=False,
        more_cut=None,
        links_clickable=True,
        verified_on=_VERIFIED_ON,
        notes="A Markdown article; the hero image doubles as the social card.",
    ),
    ChannelKind(
        key="newsletter",
        label="Newsletter (e-mail)",
        text_limit=None,
        counting=CountingMethod.GRAPHEMES,
        url_weight=None,
        byte_limit=None,
        media_per_post=None,
        images=(ImageSpec("inline", 1200, 600, None, "2:1"),),
        alt_text_supported=True,
        hashtag_limit=None,
        hashtags_recommended=0,
        fragment_kinds=("article",),
        supports_threads=False,
        more_cut=None,
        links_clickable=True,
        verified_on=_VERIFIED_ON,
        notes="Inline images 600–1200 px wide.",
    ),
    ChannelKind(
        key="webhook",
        label="Webhook (own systems)",
        text_limit=None,
        counting=CountingMethod.GRAPHEMES,
        url_weight=None,
        byte_limit=None,
        media_per_post=None,
        images=(),
        alt_text_supported=True,
        hashtag_limit=None,
        hashtags_recommended=0,
        fragment_kinds=("article", "post"),
        supports_threads=False,
        more_cut=None,
        links_clickable=True,
        verified_on=_VERIFIED_ON,
        notes="The organisation's own systems receive the fragment as JSON; no limits.",
    ),
)

_BY_KEY: Final = MappingProxyType({kind.key: kind for kind in _KINDS})


def get_kind(key: str) -> ChannelKind:
    """Return the channel kind for ``key``; unknown keys are a NotFoundError, not a KeyError."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise NotFoundError(f"Unknown channel kind: {key!r}", key=key) from None


def find_kind(key: str) -> ChannelKind | None:
    return _BY_KEY.get(key)


def all_kinds() -> tuple[ChannelKind, ...]:
    """Every channel kind, in the catalogue's order (the order menus show)."""
    return _KINDS
