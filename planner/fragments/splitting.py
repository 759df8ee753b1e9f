"""Deterministic, offline drafting: one story becomes a first draft for each channel kind.

Drafts are a starting point for an editor, so they must be predictable (same story, same draft),
always within the channel's counted limits, and explainable: the lead is chosen by position, key
sentences by term weight, and every length is measured by planner.channels.counting. This module
is long because drafting for every channel kind (post, thread, article, video brief) shares its
sentence packing and shortening, which should not be split apart.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import regex

from planner.brand.readability import analyse as analyse_readability
from planner.channels.catalogue import ChannelKind, get_kind
from planner.channels.counting import fits, graphemes
from planner.errors import ValidationError
from planner.fragments.plaintext import (
    Paragraph,
    join_words,
    markdown_paragraphs,
    sentence_term_score,
    split_sentences,
    term_weights,
    terms,
    words_of,
)

META_DESCRIPTION_LIMIT = 155
ELLIPSIS = "…"
_NUMBERING = regex.compile(r" \d+/\d+$")


@dataclass(frozen=True, slots=True)
class PhotoInput:
    id: int | str
    alt: str
    width: int
    height: int
    #: Focal point as fractions of width and height (0.5, 0.5 is the centre).
    focal_x: float = 0.5
    focal_y: float = 0.5


@dataclass(frozen=True, slots=True)
class StoryInput:
    """A story as the splitter needs it: plain values, no database rows."""

    id: int | str
    title: str
    body: str
    language: str = "nl"
    themes: Sequence[str] = ()
    #: The story's own article on the organisation's website, if published there.
    url: str | None = None
    #: The campaign this story belongs to, by name; slugged into utm_campaign.
    campaign: str | None = None
    photos: Sequence[PhotoInput] = ()
    contributor: str | None = None


@dataclass(frozen=True, slots=True)
class OrgSettings:
    """What the organisation adds to every draft: its name, its hashtag and UTM conventions."""

    name: str
    #: Without the '#'; written as given (CamelCase), e.g. "Zuiderhaven".
    hashtag: str
    #: Used for utm_campaign when a story belongs to no campaign; None leaves it out.
    default_campaign: str | None = None
    utm_medium: str = "social"


@dataclass(slots=True)
class Draft:
    """A first version of one fragment; the editor changes it before review."""

    channel_kind: str
    fragment_kind: str
    #: The text as posted: one part for a post, n for a thread, none for articles and briefs.
    parts: list[str]
    title: str | None = None
    lead: str | None = None
    #: Markdown, for articles.
    body: str | None = None
    meta_description: str | None = None
    hashtags: list[str] = field(default_factory=list)
    link: str | None = None
    media_ids: list[int | str] = field(default_factory=list)
    video_brief: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_PHRASES: dict[str, dict[str, str]] = {
    "nl": {
        "link_in_bio": "Meer lezen? De link staat in onze bio.",
        "read_more": "Lees het hele verhaal",
        "audience": "Inwoners van {org}",
        "goal_themes": "Laten zien hoe {org} werkt aan {themes}.",
        "goal": "Laten zien wat er gebeurt in {org}.",
        "shot_photo": "Beeld zoals de foto: {alt}",
        "shot_generic": "Sfeerbeeld bij: {terms}",
        "cta_link": "Lees meer via de link in de beschrijving.",
        "cta_bio": "Lees meer via de link in onze bio.",
        "consent_open": "toestemming nog vragen",
        "and": "en",
    },
    "en": {
        "link_in_bio": "Read more? The link is in our bio.",
        "read_more": "Read the whole story",
        "audience": "Residents of {org}",
        "goal_themes": "Show how {org} works on {themes}.",
        "goal": "Show what happens in {org}.",
        "shot_photo": "Footage like the photo: {alt}",
        "shot_generic": "Atmosphere shots: {terms}",
        "cta_link": "Read more via the link in the description.",
        "cta_bio": "Read more via the link in our bio.",
        "consent_open": "consent still to ask",
        "and": "and",
    },
}

# Video length and shape per channel: short vertical video where the platform is built for it.
_VIDEO_FORMAT: dict[str, tuple[int, str]] = {
    "tiktok": (30, "9:16"),
    "instagram": (30, "9:16"),
    "youtube": (90, "16:9"),
}
_DEFAULT_VIDEO_FORMAT = (60, "16:9")
# How many sentences a post carries, beyond which it stops being a post and wants to be a thread.
_SHORT_POST_SENTENCES = 2
_LONG_POST_SENTENCES = 4
_SHORT_CHANNEL_LIMIT = 500
_NEWSLETTER_TEASER_SENTENCES = 3
_VIDEO_SCENES = 4
_HOOK_WORDS = 10


# --- analysis shared by every channel ----------------------------------------


@dataclass(frozen=True, slots=True)
class StoryAnalysis:
    """The story read once: sentences in order, which one leads, and which matter most."""

    paragraphs: tuple[Paragraph, ...]
    #: Body sentences (headings excluded) in reading order, with their paragraph number.
    sentences: tuple[tuple[int, str], ...]
    lead_indices: tuple[int, ...]
    #: Sentence indices other than the lead and list items, most important first.
    ranked: tuple[int, ...]
    top_terms: tuple[str, ...]
    #: Sentences that came from list items, and sentences that start a new line.
    list_items: frozenset[int] = frozenset()
    line_starts: frozenset[int] = frozenset()

    def thread_text(self) -> str:
        """The body as plain text with its paragraphs, and list items on lines of their own."""
        blocks: list[str] = []
        for _, group in itertools.groupby(
            range(len(self.sentences)), key=lambda i: self.sentences[i][0]
        ):
            lines: list[list[str]] = []
            for index in group:
                text = self.sentences[index][1]
                if index in self.list_items and index in self.line_starts:
                    text = f"- {text}"
                if not lines or index in self.line_starts:
                    lines.append([text])
                else:
                    lines[-1].append(text)
            blocks.append("\n".join(join_words(line) for line in lines))
        return "\n\n".join(blocks)


@lru_cache(maxsize=512)
def analyse_story(title: str, body: str, language: str = "nl") -> StoryAnalysis:
    """Read a story once; cached because every channel's draft starts from the same reading."""
    paragraphs = tuple(markdown_paragraphs(body, language))
    flat: list[tuple[int, str]] = []
    list_items: set[int] = set()
    line_starts: set[int] = set()
    for number, paragraph in enumerate(paragraphs):
        if paragraph.is_heading:
            continue
        for offset, sentence in enumerate(paragraph.sentences):
            if offset in paragraph.list_items:
                list_items.add(len(flat))
            if offset in paragraph.line_starts:
                line_starts.add(len(flat))
            flat.append((number, sentence))
    sentences = tuple(flat)
    if not sentences:
        return StoryAnalysis(paragraphs, (), (), (), ())
    weights = term_weights(title, [text for _, text in sentences], language)
    raw = [sentence_term_score(text, weights, language) for _, text in sentences]
    top = max(raw) or 1.0
    term_score = [score / top for score in raw]
    # News writing puts the point first, so position dominates for the lead; for key sentences
    # term weight dominates and position only breaks near-ties in favour of earlier sentences.
    position = [1.0 / (1 + index) for index in range(len(sentences))]
    first_paragraph = sentences[0][0]
    lead_candidates = [i for i, (number, _) in enumerate(sentences) if number == first_paragraph]
    lead = max(lead_candidates, key=lambda i: (0.75 * position[i] + 0.25 * term_score[i], -i))
    lead_indices = [lead]
    # A very short opener ("Goed nieuws!") is no lead on its own: take the next sentence too.
    if len(words_of(sentences[lead][1])) < 6 and lead + 1 < len(sentences):
        lead_indices.append(lead + 1)
    ranked = sorted(
        (i for i in range(len(sentences)) if i not in lead_indices and i not in list_items),
        key=lambda i: (-(0.8 * term_score[i] + 0.2 * position[i]), i),
    )
    top_terms = tuple(term for term, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0])))
    return StoryAnalysis(
        paragraphs,
        sentences,
        tuple(lead_indices),
        tuple(ranked),
        top_terms[:8],
        frozenset(list_items),
        frozenset(line_starts),
    )


# --- small pure helpers ----------------------------------------


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens, as UTM values and URLs want them."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(regex.findall(r"[a-z0-9]+", ascii_text.lower()))


def hashtag(name: str) -> str:
    """A theme name as a CamelCase hashtag, so screen readers read the words."""
    words = regex.findall(r"[\p{L}\p{N}]+", name)
    return "#" + "".join(word[0].upper() + word[1:] for word in words)


def hashtags_for(story: StoryInput, org: OrgSettings, limit: int) -> list[str]:
    """The organisation's tag first (it must survive shortening), then the story's themes."""
    tags: list[str] = []
    for name in (org.hashtag, *story.themes):
        tag = hashtag(name)
        if len(tag) > 1 and tag not in tags:
            tags.append(tag)
    return tags[:limit]


def tracked_link(url: str, *, source: str, medium: str, campaign: str | None) -> str:
    """The URL with utm_* parameters set, keeping any other query parameters it already had."""
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.startswith("utm_")
    ]
    query += [("utm_source", source), ("utm_medium", medium)]
    if campaign:
        query.append(("utm_campaign", campaign))
    return urlunsplit(parts._replace(query=urlencode(query)))


def truncate_words(text: str, limit: int) -> str:
    """At most ``limit`` code points, cut at a word boundary and marked with an ellipsis."""
    if len(text) <= limit:
        return text
    out = ""
    for word in words_of(text):
        candidate = f"{out} {word}" if out else word
        if len(candidate) + len(ELLIPSIS) > limit:
            break
        out = candidate
    if not out:  # one enormous word: fall back to whole graphemes
        for grapheme in graphemes(text):
            if len(out) + len(grapheme) + len(ELLIPSIS) > limit:
                break
            out += grapheme
    return out.rstrip(" ,;:–-") + ELLIPSIS


def default_fragment_kind(kind_key: str) -> str:
    """What a channel kind gets when the editor does not choose: its catalogue's first kind."""
    return get_kind(kind_key).default_fragment_kind


# --- threads ------------------------------------------------------------


def split_thread(text: str, kind: ChannelKind | str, numbered: bool = True) -> list[str]:
    """Split text into posts that each fit the channel, cutting at the gentlest place available.

    Paragraph and sentence ends come first, then word boundaries, and whole graphemes only as a
    last resort. Numbering (" 1/n") is part of each post, so it is reserved while packing.
    """
    resolved = get_kind(kind) if isinstance(kind, str) else kind
    stripped = _strip_whitespace_graphemes(text)
    if not stripped or fits(stripped, resolved):
        return [stripped] if stripped else []
    pieces = _thread_pieces(stripped)
    digits = 1
    while True:
        reserve = f" {'9' * digits}/{'9' * digits}" if numbered else ""
        parts = _pack(pieces, resolved, reserve)
        if not numbered or len(str(len(parts))) <= digits:
            break
        digits = len(str(len(parts)))
    if not numbered or len(parts) == 1:
        return parts
    return [f"{part} {number}/{len(parts)}" for number, part in enumerate(parts, start=1)]


def strip_numbering(part: str) -> str:
    """A thread part without its " i/n" suffix (for comparing text across re-splits)."""
    return str(_NUMBERING.sub("", part))


def _strip_whitespace_graphemes(text: str) -> str:
    # str.strip() could take the space out of a space+combining-mark grapheme; trim whole ones.
    items = graphemes(text)
    start = 0
    end = len(items)
    while start < end and items[start].isspace():
        start += 1
    while end > start and items[end - 1].isspace():
        end -= 1
    return "".join(items[start:end])


def _thread_pieces(text: str) -> list[tuple[str, str]]:
    """Sentences with the separator that goes before them: a blank line starts a new paragraph."""
    pieces: list[tuple[str, str]] = []
    for block_number, block in enumerate(regex.split(r"\n[^\S\n]*\n\s*", text)):
        for line_number, line in enumerate(block.split("\n")):
            for sentence_number, sentence in enumerate(split_sentences(line)):
                if sentence_number:
                    separator = " "
                elif line_number:
                    separator = "\n"
                else:
                    separator = "\n\n" if block_number else " "
                pieces.append((sentence, separator))
    return pieces


def _joined(current: str, separator: str, addition: str) -> str:
    if not current:
        return addition
    if separator == " ":
        return join_words([current, addition])
    return current + separator + addition


def _pack(pieces: list[tuple[str, str]], kind: ChannelKind, reserve: str) -> list[str]:
    parts: list[str] = []
    current = ""
    for piece, separator in pieces:
        candidate = _joined(current, separator, piece)
        if fits(candidate + reserve, kind):
            current = candidate
            continue
        if current:
            parts.append(current)
            current = ""
        if fits(piece + reserve, kind):
            current = piece
            continue
        # A sentence longer than a whole post: fall back to words.
        for word in words_of(piece):
            candidate = join_words([current, word]) if current else word
            if fits(candidate + reserve, kind):
                current = candidate
                continue
            if current:
                parts.append(current)
                current = ""
            if fits(word + reserve, kind):
                current = word
                continue
            chunks = _split_graphemes(word, kind, reserve)
            parts.extend(chunks[:-1])
            current = chunks[-1]
    if current:
        parts.append(current)
    return parts


def _split_graphemes(word: str, kind: ChannelKind, reserve: str) -> list[str]:
    """Cut one over-long word into the largest runs of whole graphemes that fit."""
    items = graphemes(word)
    chunks: list[str] = []
    start = 0
    while start < len(items):
        # Counts grow with length (apart from rare URL effects), so binary search the longest
        # prefix that fits; the invariant is that items[start:start+low] fits.
        low, high = 0, len(items) - start
        while low < high:
            middle = (low + high + 1) // 2
            if fits("".join(items[start : start + middle]) + reserve, kind):
                low = middle
            else:
                high = middle - 1
        if low == 0:
            raise ValidationError(
                "A single character is longer than the channel allows.", field="text"
            )
        chunks.append("".join(items[start : start + low]))
        start += low
    return chunks


# --- drafts ------------------------------------------------------------


def draft(
    story: StoryInput,
    kind_key: str,
    *,
    fragment_kind: str | None = None,
    org: OrgSettings,
) -> Draft:
    """Draft one fragment of ``story`` for a channel kind; the same input gives the same draft."""
    kind = get_kind(kind_key)
    chosen = fragment_kind or kind.default_fragment_kind
    if chosen not in kind.fragment_kinds:
        raise ValidationError(
            f"{kind.label} does not take a {chosen.replace('_', ' ')}.",
            field="fragment_kind",
            channel_kind=kind.key,
        )
    if story.language not in _PHRASES:
        raise ValidationError(f"Unsupported language {story.language!r}.", field="language")
    analysis = analyse_story(story.title, story.body, story.language)
    if chosen == "article":
        return _draft_article(story, kind, analysis, org)
    if chosen == "video_brief":
        return _draft_video_brief(story, kind, analysis, org)
    if chosen == "thread":
        return _draft_thread(story, kind, analysis, org)
    return _draft_post(story, kind, analysis, org)


def _campaign(story: StoryInput, org: OrgSettings) -> str | None:
    name = story.campaign or org.default_campaign
    return slugify(name) if name else None


def _social_link(story: StoryInput, kind: ChannelKind, org: OrgSettings) -> str | None:
    if story.url is None:
        return None
    return tracked_link(
        story.url, source=kind.key, medium=org.utm_medium, campaign=_campaign(story, org)
    )


def choose_photos(photos: Sequence[PhotoInput], kind: ChannelKind) -> list[int | str]:
    """Photos for a channel, up to its media limit.

    Photos with alt text come first (an image without it should not go out), then the ones whose
    shape needs the least cropping for the channel's main image variant; ties keep story order.
    """
    spec = kind.primary_image
    target = spec.width / spec.height if spec else None

    def key(item: tuple[int, PhotoInput]) -> tuple[bool, float, int]:
        index, photo = item
        ratio = photo.width / photo.height if photo.height else 1.0
        crop = abs(math.log(ratio / target)) if target else 0.0
        return (not photo.alt.strip(), round(crop, 6), index)

    ordered = [photo.id for _, photo in sorted(enumerate(photos), key=key)]
    return ordered if kind.media_per_post is None else ordered[: kind.media_per_post]


def _sentences(analysis: StoryAnalysis, indices: Sequence[int]) -> str:
    return join_words(analysis.sentences[i][1] for i in sorted(indices))


def _reads_easily(text: str, language: str) -> bool:
    """Does a drafted text keep the B1 indication the brand check gives (Dutch only)?"""
    return language != "nl" or analyse_readability(text).is_b1 is not False


def _add_sentences(
    analysis: StoryAnalysis,
    wanted: int,
    language: str,
    fitting: Callable[[str], bool],
    *,
    around: str = "",
) -> list[int]:
    """The lead, then up to ``wanted`` sentences in all: each time the most important one that
    fits and keeps the draft at B1, or, when none does, the most important one that fits.

    The story itself reads at B1; two of its sentences picked by weight alone need not (long
    words cluster in the sentences that carry the news), and the editor would meet a warning on
    a text they did not write. ``around`` is what the check reads with the sentences (an
    article's title and lead).
    """
    chosen = list(analysis.lead_indices)
    while len(chosen) < wanted:
        options = [
            index
            for index in analysis.ranked
            if index not in chosen and fitting(_sentences(analysis, [*chosen, index]))
        ]
        if not options:
            break
        readable = [
            index
            for index in options
            if _reads_easily(around + _sentences(analysis, [*chosen, index]), language)
        ]
        chosen.append((readable or options)[0])
    return chosen


def _post_tail(link_line: str | None, tags: Sequence[str]) -> str:
    lines = [line for line in (link_line, " ".join(tags)) if line]
    return "\n\n".join(lines)


def _with_tail(text: str, tail: str) -> str:
    return f"{text}\n\n{tail}" if tail else text


def _draft_post(
    story: StoryInput, kind: ChannelKind, analysis: StoryAnalysis, org: OrgSettings
) -> Draft:
    phrases = _PHRASES[story.language]
    tags = hashtags_for(story, org, kind.hashtags_recommended)
    link = _social_link(story, kind, org)
    if link and kind.links_clickable:
        link_line: str | None = link
    else:
        link_line = phrases["link_in_bio"] if link else None
    short = kind.text_limit is not None and kind.text_limit <= _SHORT_CHANNEL_LIMIT
    wanted = _SHORT_POST_SENTENCES if short else _LONG_POST_SENTENCES

    chosen = _add_sentences(
        analysis,
        wanted,
        story.language,
        lambda text: fits(_with_tail(text, _post_tail(link_line, tags)), kind),
    )
    body = _sentences(analysis, chosen) if chosen else story.title
    # Too long even with the lead alone: give up theme tags first, then shorten the text itself;
    # the organisation's tag goes only when not even a word fits beside it.
    while len(tags) > 1 and not fits(_with_tail(body, _post_tail(link_line, tags)), kind):
        tags = tags[:-1]
    if tags and not fits(_with_tail(_first_words(body, 1), _post_tail(link_line, tags)), kind):
        tags = []
    tail = _post_tail(link_line, tags)
    if not fits(_with_tail(body, tail), kind):
        body = _shorten_to_fit(body, tail, kind)
    text = _with_tail(body, tail)
    return Draft(
        channel_kind=kind.key,
        fragment_kind="post",
        parts=[text],
        title=story.title,
        lead=_sentences(analysis, analysis.lead_indices) or None,
        hashtags=tags,
        link=link,
        media_ids=choose_photos(story.photos, kind),
    )


def _shorten_to_fit(body: str, tail: str, kind: ChannelKind) -> str:
    words = words_of(body)
    low, high = 0, len(words)
    while low < high:  # the most words that still fit with an ellipsis and the tail
        middle = (low + high + 1) // 2
        if fits(_with_tail(join_words(words[:middle]) + ELLIPSIS, tail), kind):
            low = middle
        else:
            high = middle - 1
    if low:
        return join_words(words[:low]) + ELLIPSIS
    chunks = _split_graphemes(body, kind, ELLIPSIS + ("\n\n" + tail if tail else ""))
    return chunks[0] + ELLIPSIS


def _draft_thread(
    story: StoryInput, kind: ChannelKind, analysis: StoryAnalysis, org: OrgSettings
) -> Draft:
    tags = hashtags_for(story, org, kind.hashtags_recommended)
    link = _social_link(story, kind, org)
    closing = " ".join(item for item in (link, " ".join(tags)) if item)
    text = "\n\n".join(item for item in (analysis.thread_text(), closing) if item) or story.title
    return Draft(
        channel_kind=kind.key,
        fragment_kind="thread",
        parts=split_thread(text, kind),
        title=story.title,
        lead=_sentences(analysis, analysis.lead_indices) or None,
        hashtags=tags,
        link=link,
        media_ids=choose_photos(story.photos, kind),
    )


def _draft_article(
    story: StoryInput, kind: ChannelKind, analysis: StoryAnalysis, org: OrgSettings
) -> Draft:
    phrases = _PHRASES[story.language]
    lead = _sentences(analysis, analysis.lead_indices)
    body = story.body.strip()
    link: str | None
    if kind.key == "newsletter":
        # A newsletter item is a teaser that sends readers to the article; e-mail is its medium.
        link = (
            tracked_link(story.url, source=kind.key, medium="email", campaign=_campaign(story, org))
            if story.url
            else None
        )
        teaser = _add_sentences(
            analysis,
            _NEWSLETTER_TEASER_SENTENCES,
            story.language,
            lambda _text: True,
            around=f"{story.title}\n\n{lead}\n\n",
        )
        body = _sentences(analysis, teaser)
        if link:
            body += f"\n\n[{phrases['read_more']}]({link})"
    else:
        # The blog post is the article the links point at, and the webhook hands the plain URL to
        # the organisation's own site: neither needs tracking parameters.
        link = story.url
    return Draft(
        channel_kind=kind.key,
        fragment_kind="article",
        parts=[],
        title=story.title,
        lead=lead or None,
        body=body,
        meta_description=truncate_words(lead or story.title, META_DESCRIPTION_LIMIT),
        hashtags=hashtags_for(story, org, max(kind.hashtags_recommended, 1 + len(story.themes))),
        link=link,
        media_ids=choose_photos(story.photos, kind),
    )


def _draft_video_brief(
    story: StoryInput, kind: ChannelKind, analysis: StoryAnalysis, org: OrgSettings
) -> Draft:
    phrases = _PHRASES[story.language]
    lead = _sentences(analysis, analysis.lead_indices)
    duration, aspect = _VIDEO_FORMAT.get(kind.key, _DEFAULT_VIDEO_FORMAT)
    scene_indices = sorted([*analysis.lead_indices, *analysis.ranked][:_VIDEO_SCENES])
    photos = [photo for photo in story.photos if photo.alt.strip()]
    scenes = []
    for number, index in enumerate(scene_indices):
        sentence = analysis.sentences[index][1]
        if photos:
            shot = phrases["shot_photo"].format(alt=photos[number % len(photos)].alt)
        else:
            shot = phrases["shot_generic"].format(terms=", ".join(terms(sentence)[:3]))
        scenes.append(
            {
                "shot": shot,
                "voice_over": sentence,
                "on_screen_text": _on_screen_text(sentence, story.language),
            }
        )
    # The hook is the strongest sentence that is not the lead, so the video does not open with
    # what the voice-over says next anyway.
    hook_source = analysis.sentences[analysis.ranked[0]][1] if analysis.ranked else lead
    themes = f" {phrases['and']} ".join(story.themes)
    goal = (
        phrases["goal_themes"].format(org=org.name, themes=themes)
        if themes
        else phrases["goal"].format(org=org.name)
    )
    link = _social_link(story, kind, org)
    brief: dict[str, Any] = {
        "goal": goal,
        "audience": phrases["audience"].format(org=org.name),
        "key_message": lead or story.title,
        "hook": _first_words(hook_source or story.title, _HOOK_WORDS),
        "scenes": scenes,
        "target_duration_seconds": duration,
        "aspect": aspect,
        # Most short video is watched without sound, and captions are an accessibility duty.
        "subtitles": True,
        "people": [{"name": story.contributor, "consent": phrases["consent_open"]}]
        if story.contributor
        else [],
        "locations": [],
        "call_to_action": phrases["cta_link"] if kind.links_clickable else phrases["cta_bio"],
    }
    return Draft(
        channel_kind=kind.key,
        fragment_kind="video_brief",
        parts=[],
        title=truncate_words(story.title, kind.title_limit) if kind.title_limit else story.title,
        lead=lead or None,
        hashtags=hashtags_for(story, org, kind.hashtags_recommended),
        link=link,
        media_ids=choose_photos(story.photos, kind),
        video_brief=brief,
    )


def _first_words(text: str, count: int) -> str:
    """The first sentence of ``text`` if short enough, else its first words with an ellipsis."""
    first = split_sentences(text)[0] if text else text
    words = words_of(first)
    if len(words) <= count:
        return first
    return join_words(words[:count]).rstrip(",;:") + ELLIPSIS


def _on_screen_text(sentence: str, language: str) -> str:
    # A few content words in reading order: enough to follow without sound, short enough to read.
    found = terms(sentence, language)[:4]
    return " · ".join(found)
