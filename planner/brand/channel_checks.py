"""Checks a prose linter lacks: a fragment measured against the channel it will be published on.

Limits come from the channel catalogue and counting from planner.channels.counting, so the checks
measure exactly as the platform (and the splitter and preview) do. Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import regex

from planner.brand.engine.alerts import Alert, Positions
from planner.brand.engine.config import LoadedConfig
from planner.brand.engine.markup import Document
from planner.brand.engine.runner import check_text
from planner.channels import counting
from planner.channels.catalogue import ChannelKind, get_kind


@dataclass(frozen=True, slots=True)
class ChannelCheckSettings:
    """Thresholds of the channel checks; the organisation may tune every one."""

    #: Emoji beyond this many get a warning each.
    max_emoji: int = 3
    #: All-lowercase hashtags of at least this many letters should be CamelCase.
    camelcase_min_length: int = 7
    #: Hashtags allowed; None: the channel's limit, else the house style's recommendation.
    max_hashtags: int | None = None
    #: Domains whose links must carry the UTM parameters (e.g. "zuiderhaven.nl").
    own_domains: tuple[str, ...] = ()
    #: utm_campaign is not among them: a story outside any campaign has none (the splitter
    #: leaves it out then), and a check that trips on the splitter's own drafts is noise.
    required_utm: tuple[str, ...] = ("utm_source", "utm_medium")
    shorteners: tuple[str, ...] = ("bit.ly", "t.co", "tinyurl.com", "ow.ly")
    #: Whether the fragment is sponsored content that needs a disclosure.
    sponsored: bool = False
    #: The language of the text; the findings speak it ("nl" or "en").
    language: str = "nl"
    #: The disclosure must start within this many characters (Instagram folds after ~125).
    disclosure_window: int = 125
    disclosures: tuple[str, ...] = (
        "#adv",
        "#spon",
        "#ad",
        "#sponsored",
        "in samenwerking met",
        "sponsored",
        "advertentie",
        "betaalde samenwerking",
        "paid partnership",
    )


#: channels that are the organisation's own site: a link within it carries no UTM parameters
#: (they would start a new visit in the statistics)
_OWN_SITE_KINDS = frozenset({"blog", "webhook"})

#: every finding's words, by the language of the text checked (format with str.format)
MESSAGES: dict[str, dict[str, str]] = {
    "nl": {
        "length": "Te lang voor {kind}: {size} van {limit} tekens, geteld zoals {kind} telt.",
        "camelcase": "Schrijf '#{tag}' in CamelCase, zodat schermlezers de woorden voorlezen.",
        "hashtags": "{count} hashtags; voor {kind} hooguit {limit}.",
        "emoji": "Emoji nummer {n}: gebruik er hooguit {limit}.",
        "shortener": "Gebruik geen linkverkorter ({host}): "
        "lezers zien niet waar de link heen gaat.",
        "utm": "Link naar de eigen site zonder {missing}.",
        "disclosure": "Gesponsorde inhoud: zet binnen de eerste {window} tekens een vermelding "
        "als #adv of 'in samenwerking met'.",
        "image_alt": "Deze afbeelding heeft geen alt-tekst.",
        "media_alt": "Media-item {n} heeft geen alt-tekst.",
        "media": "{count} media-items; {kind} staat er hooguit {limit} toe.",
    },
    "en": {
        "length": "Too long for {kind}: {size} of {limit} characters, counted as {kind} counts.",
        "camelcase": "Write '#{tag}' in CamelCase, so screen readers read out the words.",
        "hashtags": "{count} hashtags; {kind} takes {limit} at most.",
        "emoji": "Emoji number {n}: use {limit} at most.",
        "shortener": "Do not use a link shortener ({host}): readers cannot see where it leads.",
        "utm": "Link to our own site without {missing}.",
        "disclosure": "Sponsored content: put a disclosure such as #ad or 'paid partnership' "
        "within the first {window} characters.",
        "image_alt": "This image has no alt text.",
        "media_alt": "Media item {n} has no alt text.",
        "media": "{count} media items; {kind} allows {limit} at most.",
    },
}


def _say(settings: ChannelCheckSettings, key: str, **values: object) -> str:
    words = MESSAGES.get(settings.language, MESSAGES["en"])
    return words[key].format(**values)


_HASHTAG = regex.compile(r"(?<![\w&#/])#(\p{L}[\p{L}\p{N}\p{M}_]*)")


def _alt_of(item: Any) -> str:
    if isinstance(item, Mapping):
        return str(item.get("alt") or item.get("alt_text") or "")
    return str(getattr(item, "alt", None) or getattr(item, "alt_text", None) or "")


def _hashtag_limit(kind: ChannelKind, settings: ChannelCheckSettings) -> int | None:
    if settings.max_hashtags is not None:
        return settings.max_hashtags
    if kind.hashtag_limit is not None:
        return kind.hashtag_limit
    return kind.hashtags_recommended or None


def check_channel(
    doc: Document,
    kind: ChannelKind,
    settings: ChannelCheckSettings | None = None,
    media: Sequence[Any] | None = None,
) -> list[Alert]:
    """Channel.* alerts for a parsed document on channel `kind`."""
    settings = settings or ChannelCheckSettings()
    text = doc.source
    pos = Positions(text)
    alerts: list[Alert] = []

    over = counting.first_offset_over_limit(text, kind)
    if over is not None and over < len(text):
        size = counting.count(text, kind)
        # The finding covers (and quotes) everything that does not fit, not one letter of it.
        alerts.append(
            pos.alert(
                "Channel.Length",
                "error",
                over,
                len(text),
                _say(settings, "length", kind=kind.label, size=size, limit=kind.text_limit),
            )
        )

    tags = list(_HASHTAG.finditer(text))
    for m in tags:
        tag = m.group(1)
        if len(tag) >= settings.camelcase_min_length and tag.isalpha() and tag == tag.lower():
            alerts.append(
                pos.alert(
                    "Channel.Hashtags",
                    "suggestion",
                    m.start(),
                    m.end(),
                    _say(settings, "camelcase", tag=tag),
                )
            )
    limit = _hashtag_limit(kind, settings)
    if limit is not None and len(tags) > limit:
        m = tags[limit]
        alerts.append(
            pos.alert(
                "Channel.Hashtags",
                "warning",
                m.start(),
                m.end(),
                _say(settings, "hashtags", count=len(tags), kind=kind.label, limit=limit),
            )
        )

    offset = 0
    emoji_seen = 0
    # Splitting a long article into graphemes costs more than the rest of the channel checks;
    # a text without any emoji needs no split.
    for grapheme in counting.graphemes(text) if counting.is_emoji(text) else ():
        if counting.is_emoji(grapheme):
            emoji_seen += 1
            if emoji_seen > settings.max_emoji:
                alerts.append(
                    pos.alert(
                        "Channel.Emoji",
                        "warning",
                        offset,
                        offset + len(grapheme),
                        _say(settings, "emoji", n=emoji_seen, limit=settings.max_emoji),
                    )
                )
        offset += len(grapheme)

    for link in doc.links:
        url = link.url if "://" in link.url else "https://" + link.url
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().removeprefix("www.")
        start = text.find(link.url, link.start)
        start = start if start >= 0 else link.start
        end = start + len(link.url)
        if host in settings.shorteners:
            alerts.append(
                pos.alert(
                    "Channel.Links",
                    "warning",
                    start,
                    end,
                    _say(settings, "shortener", host=host),
                )
            )
        elif kind.key not in _OWN_SITE_KINDS and any(
            host == d or host.endswith("." + d) for d in settings.own_domains
        ):
            query = parse_qs(parts.query)
            missing = [p for p in settings.required_utm if p not in query]
            if missing:
                alerts.append(
                    pos.alert(
                        "Channel.Links",
                        "warning",
                        start,
                        end,
                        _say(settings, "utm", missing=", ".join(missing)),
                    )
                )

    if settings.sponsored:
        window = text[: settings.disclosure_window].lower()
        if not any(
            regex.search(rf"(?<![\w#]){regex.escape(d.lower())}(?!\w)", window)
            for d in settings.disclosures
        ):
            first = regex.search(r"\S+", text)
            start, end = first.span() if first else (0, 0)
            alerts.append(
                pos.alert(
                    "Channel.Disclosure",
                    "error",
                    start,
                    end,
                    _say(settings, "disclosure", window=settings.disclosure_window),
                )
            )

    for image in doc.images:
        if not image.alt.strip():
            alerts.append(
                pos.alert(
                    "Channel.AltText",
                    "error",
                    image.start,
                    image.end,
                    _say(settings, "image_alt"),
                )
            )
    items = list(media or [])
    for number, item in enumerate(items, start=1):
        if not _alt_of(item).strip():
            alerts.append(
                pos.alert(
                    "Channel.AltText",
                    "error",
                    0,
                    0,
                    _say(settings, "media_alt", n=number),
                )
            )
    count = len(items) if media is not None else len(doc.images)
    if kind.media_per_post is not None and count > kind.media_per_post:
        alerts.append(
            pos.alert(
                "Channel.Media",
                "error",
                0,
                0,
                _say(settings, "media", count=count, kind=kind.label, limit=kind.media_per_post),
            )
        )
    return alerts


def channel_check(
    channel: str,
    *,
    settings: object | None = None,
    media: Sequence[object] | None = None,
) -> Any:
    """A hook for the engine's runner: the channel checks of `channel` as a function of a doc."""
    kind = get_kind(channel)
    chosen = settings if isinstance(settings, ChannelCheckSettings) else None

    def run(doc: Document) -> list[Alert]:
        return check_channel(doc, kind, chosen, media)

    return run


def check_for_channel(
    text: str,
    channel: str | None,
    *,
    markdown: bool,
    config: LoadedConfig,
    settings: ChannelCheckSettings | None = None,
    media: Sequence[object] | None = None,
) -> list[Alert]:
    """The style rules and, when ``channel`` names one, that channel's own checks: the one call
    the gate, the editor, the API and the inbox's answers share."""
    extra = [channel_check(channel, settings=settings, media=media)] if channel else []
    return check_text(text, markdown=markdown, config=config, extra=extra)
