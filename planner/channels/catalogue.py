"""The channel catalogue: every channel kind's limits and conventions as data.

Platform limits drift, so they live here in one record per kind, each with the date it was last
checked, instead of as literals in counting, splitting, previews or brand checks. This module is
long because it is data: one record per platform, with its publishing rules.
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
    #: A remote mention (@user@server) counts as its local part only (@user), as Mastodon does.
    mentions_count_local_part: bool = False
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
        mentions_count_local_part=True,
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


# -- publishing rules --------------------------------------------------------------------------
#
# What an automatic publisher must know about a platform beyond its text limits: which files it
# takes, how it says "slow down", and which of its error codes mean "try later", "fix it", "look
# before sending again" or "connect again". Kept here, as data with the documentation it came
# from, so the adapters read rules instead of carrying literals.


class ErrorOutcome(enum.Enum):
    """What a platform error means for a delivery (the engine's outcomes, plus two steps the
    adapter takes itself before reporting one)."""

    #: nothing was published and trying later may work
    TRANSIENT = "transient"
    #: the platform refused the post itself: a person must change content or settings
    PERMANENT = "permanent"
    #: the post may exist now: look before sending again
    AMBIGUOUS = "ambiguous"
    #: the access token expired: refresh it and repeat the same call once
    REFRESH = "refresh"
    #: the authorisation is gone: an admin connects the channel again
    RECONNECT = "reconnect"
    #: the platform refuses the post because it already has it: find that post instead
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class MediaRules:
    """The files a platform's API accepts for an image post."""

    mime_types: tuple[str, ...]
    #: per file; None when the platform states no limit
    max_bytes: int | None
    #: width / height bounds (0.8 is 4:5, 1.91 is 1.91:1); None where the platform crops itself
    min_aspect: float | None
    max_aspect: float | None
    #: characters of alt text the API takes; None when it states no maximum
    max_alt_text: int | None
    #: True when the platform fetches the image from our public URL instead of an upload
    needs_public_url: bool
    unconfirmed: frozenset[str] = frozenset()

    def accepts_aspect(self, width: int, height: int) -> bool:
        ratio = width / height
        # Half a percent of slack: a 1080×1350 crop is 0.8 exactly, a 1080×566 one 1.908.
        if self.min_aspect is not None and ratio < self.min_aspect * 0.995:
            return False
        return not (self.max_aspect is not None and ratio > self.max_aspect * 1.005)


@dataclass(frozen=True, slots=True)
class RateLimitRules:
    """How a platform tells a client to wait, and its documented posting caps."""

    #: headers holding the seconds (or an HTTP date) to wait
    retry_after_headers: tuple[str, ...] = ("retry-after",)
    #: headers holding the Unix time (seconds) at which the window resets
    reset_headers: tuple[str, ...] = ()
    #: Meta's JSON usage headers; their estimated_time_to_regain_access is in minutes
    usage_headers: tuple[str, ...] = ()
    #: seconds to wait when the platform throttles without saying how long
    default_wait: float = 60.0
    #: documented cap on posts created through the API per 24 hours, where there is one
    posts_per_day: int | None = None
    #: daily quotas that reset at midnight UTC (LinkedIn): a throttle without a hint waits
    #: until then instead of `default_wait`
    resets_at_utc_midnight: bool = False


@dataclass(frozen=True, slots=True)
class PublishingRules:
    """One platform's publishing contract, as the adapter for ``kind`` applies it."""

    kind: str
    media: MediaRules
    rate_limit: RateLimitRules
    #: the platform's own error code (as a string) -> what it means for the delivery
    error_codes: MappingProxyType[str, ErrorOutcome]
    #: how a resend after an unclear outcome is kept from posting twice
    exactly_once: str
    #: the documentation the figures and codes come from
    docs: tuple[str, ...]
    verified_on: date

    def outcome_for(self, code: object) -> ErrorOutcome | None:
        if code is None:
            return None
        return self.error_codes.get(str(code))


def _codes(**outcomes: ErrorOutcome) -> MappingProxyType[str, ErrorOutcome]:
    # Keyword names cannot start with a digit, so numeric codes are written c4, c190 ...
    return MappingProxyType(
        {
            key[1:] if key[:1] == "c" and key[1:].isdigit() else key: value
            for key, value in outcomes.items()
        }
    )


_T = ErrorOutcome.TRANSIENT
_P = ErrorOutcome.PERMANENT
_REFRESH = ErrorOutcome.REFRESH
_RECONNECT = ErrorOutcome.RECONNECT
_DUPLICATE = ErrorOutcome.DUPLICATE

#: Meta's Graph API codes, shared by Facebook Pages, Instagram and Threads
#: (developers.facebook.com/docs/graph-api/guides/error-handling and .../overview/rate-limiting)
_GRAPH_CODES = {
    "c1": _T,  # API unknown: temporary
    "c2": _T,  # API service: temporary downtime
    "c4": _T,  # application request limit
    "c17": _T,  # user request limit
    "c32": _T,  # page request limit
    "c341": _T,  # application limit reached
    "c613": _T,  # calls to this API exceeded the rate limit
    "c80001": _T,  # Pages business-use-case limit
    "c80002": _T,  # Instagram business-use-case limit
    "c368": _T,  # temporarily blocked for policy violations: "wait and retry"
    "c102": _REFRESH,  # API session: log in again
    "c190": _REFRESH,  # access token expired or invalid
    "c3": _P,  # capability missing
    "c10": _P,  # permission denied
    "c100": _P,  # invalid parameter
    "c200": _P,  # permission (200-299)
    "c506": _DUPLICATE,  # duplicate post
    "c1609005": _P,  # the link could not be scraped
}

_GRAPH_LIMITS = RateLimitRules(
    retry_after_headers=(),
    usage_headers=("x-business-use-case-usage", "x-app-usage", "x-page-usage"),
    default_wait=300.0,
)

_PUBLISHING_RULES: tuple[PublishingRules, ...] = (
    PublishingRules(
        kind="bluesky",
        media=MediaRules(
            # The lexicon accepts image/*; these are what the app and the CDN handle.
            mime_types=("image/jpeg", "image/png", "image/webp", "image/gif"),
            # app.bsky.embed.images: maxSize 2,000,000 ("formerly limited to 1 MB"); the crop
            # above still aims at 1 MB so older servers take it too.
            max_bytes=2_000_000,
            min_aspect=None,
            max_aspect=None,
            max_alt_text=None,
            needs_public_url=False,
        ),
        rate_limit=RateLimitRules(
            retry_after_headers=(),
            reset_headers=("ratelimit-reset",),
            default_wait=60.0,
            # repo writes: 35,000 points a day, a create costs 3
            posts_per_day=11_666,
        ),
        error_codes=_codes(
            ExpiredToken=_REFRESH,
            InvalidToken=_RECONNECT,
            AuthRequired=_RECONNECT,
            AuthenticationRequired=_RECONNECT,
            AccountTakedown=_RECONNECT,
            AccountDeactivated=_RECONNECT,
            RateLimitExceeded=_T,
            InvalidRequest=_P,
            InvalidSwap=_T,
            UpstreamFailure=_T,
            NotEnoughResources=_T,
            InternalServerError=_T,
        ),
        exactly_once="record key derived from the delivery: a second create is refused",
        docs=(
            "atproto lexicons com.atproto.server.createSession/refreshSession, "
            "com.atproto.repo.uploadBlob/createRecord/getRecord, app.bsky.feed.post, "
            "app.bsky.richtext.facet, app.bsky.embed.images/external",
            "atproto.com/specs/record-key and /specs/tid",
            "docs.bsky.app/docs/advanced-guides/post-richtext and /rate-limits",
        ),
        verified_on=date(2026, 12, 4),
    ),
    PublishingRules(
        kind="x",
        media=MediaRules(
            mime_types=("image/jpeg", "image/png", "image/webp", "image/gif"),
            max_bytes=5 * _MB,
            min_aspect=None,
            max_aspect=None,
            max_alt_text=1000,
            needs_public_url=False,
        ),
        rate_limit=RateLimitRules(
            reset_headers=("x-rate-limit-reset",),
            default_wait=900.0,
        ),
        error_codes=_codes(
            unauthorized=_REFRESH,
            duplicate_content=_DUPLICATE,
            usage_capped=_T,
            too_many_requests=_T,
            client_forbidden=_P,
            unsupported_authentication=_RECONNECT,
            invalid_request=_P,
            resource_not_found=_P,
        ),
        exactly_once="none; X refuses identical text as a duplicate, then the account is read",
        docs=(
            "docs.x.com/x-api/posts/creation-of-a-post (POST /2/tweets)",
            "docs.x.com/x-api/media/upload-media (POST /2/media/upload, /2/media/metadata)",
            "docs.x.com/x-api/fundamentals/rate-limits and /response-codes-and-errors",
        ),
        verified_on=date(2026, 12, 4),
    ),
    PublishingRules(
        kind="linkedin",
        media=MediaRules(
            mime_types=("image/jpeg", "image/png", "image/gif"),
            max_bytes=None,
            min_aspect=None,
            max_aspect=None,
            max_alt_text=4086,
            needs_public_url=False,
            unconfirmed=frozenset({"max_alt_text"}),
        ),
        rate_limit=RateLimitRules(default_wait=3600.0, resets_at_utc_midnight=True),
        error_codes=_codes(
            EXPIRED_ACCESS_TOKEN=_REFRESH,
            REVOKED_ACCESS_TOKEN=_RECONNECT,
            INVALID_ACCESS_TOKEN=_RECONNECT,
            ACCESS_DENIED=_P,
            DUPLICATE_POST=_DUPLICATE,
            TOO_MANY_REQUESTS=_T,
        ),
        exactly_once="none; LinkedIn refuses identical commentary as DUPLICATE_POST",
        docs=(
            "learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api",
            "learn.microsoft.com/linkedin/marketing/community-management/shares/images-api",
            "learn.microsoft.com/linkedin/marketing/community-management/shares/little-text",
            "learn.microsoft.com/linkedin/shared/api-guide/concepts/rate-limits",
        ),
        verified_on=date(2026, 12, 4),
    ),
    PublishingRules(
        kind="facebook",
        media=MediaRules(
            mime_types=("image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff"),
            max_bytes=10 * _MB,
            min_aspect=None,
            max_aspect=None,
            max_alt_text=None,
            needs_public_url=False,
            unconfirmed=frozenset({"max_bytes"}),
        ),
        rate_limit=_GRAPH_LIMITS,
        error_codes=_codes(**_GRAPH_CODES),
        exactly_once="none; Graph refuses a repeated status as code 506, then the page is read",
        docs=(
            "developers.facebook.com/docs/pages-api/posts (/{page-id}/feed)",
            "developers.facebook.com/docs/graph-api/reference/page/photos",
            "developers.facebook.com/docs/graph-api/guides/error-handling",
            "developers.facebook.com/docs/graph-api/overview/rate-limiting",
        ),
        verified_on=date(2026, 12, 4),
    ),
    PublishingRules(
        kind="instagram",
        media=MediaRules(
            mime_types=("image/jpeg",),
            max_bytes=8 * _MB,
            min_aspect=0.8,
            max_aspect=1.91,
            max_alt_text=None,
            needs_public_url=True,
        ),
        rate_limit=RateLimitRules(
            retry_after_headers=(),
            usage_headers=_GRAPH_LIMITS.usage_headers,
            default_wait=300.0,
            posts_per_day=100,
        ),
        error_codes=_codes(
            **_GRAPH_CODES,
            c9=_T,  # "application request limit reached" on publishing
            c9007=_T,  # the container is not ready to publish yet
            sub2207001=_T,  # server error while processing
            sub2207003=_T,  # timed out fetching the image
            sub2207020=_T,  # container expired: a new attempt makes a new one
            sub2207032=_T,  # creating the media failed: try again
            sub2207042=_T,  # publishing limit for the day reached
            sub2207009=_P,  # aspect ratio not supported
            sub2207026=_P,  # unsupported format
            sub2207050=_RECONNECT,  # the account is inactive or restricted
        ),
        exactly_once="none; the account's recent media are read and matched",
        docs=(
            "developers.facebook.com/docs/instagram-platform/content-publishing",
            "developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/"
            "ig-container (status_code)",
            "developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/"
            "ig-user/content_publishing_limit",
            "developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/"
            "error-codes",
        ),
        verified_on=date(2026, 12, 4),
    ),
    PublishingRules(
        kind="threads",
        media=MediaRules(
            mime_types=("image/jpeg", "image/png"),
            max_bytes=8 * _MB,
            min_aspect=None,
            max_aspect=10.0,
            max_alt_text=1000,
            needs_public_url=True,
            unconfirmed=frozenset({"max_alt_text"}),
        ),
        rate_limit=RateLimitRules(
            retry_after_headers=(),
            usage_headers=_GRAPH_LIMITS.usage_headers,
            default_wait=300.0,
            posts_per_day=250,
        ),
        error_codes=_codes(**_GRAPH_CODES),
        exactly_once="none; the profile's recent threads and replies are read and matched",
        docs=(
            "developers.facebook.com/docs/threads/posts and /reference/publishing",
            "developers.facebook.com/docs/threads/retrieve-and-manage-replies/create-replies",
            "developers.facebook.com/docs/threads/troubleshooting (publishing limits)",
            "developers.facebook.com/docs/threads/get-started/long-lived-tokens",
        ),
        verified_on=date(2026, 12, 4),
    ),
)

_RULES_BY_KIND: Final = MappingProxyType({rules.kind: rules for rules in _PUBLISHING_RULES})


def find_publishing_rules(kind: str) -> PublishingRules | None:
    """The publishing contract of a platform with an automatic publisher, else None."""
    return _RULES_BY_KIND.get(kind)


def get_publishing_rules(kind: str) -> PublishingRules:
    rules = _RULES_BY_KIND.get(kind)
    if rules is None:
        raise NotFoundError(f"No publishing rules for channel kind {kind!r}", key=kind)
    return rules
