"""How a fragment will look on its channel, as data the preview template renders.

The text is escaped here and only our own spans and links are added, so the template can output
the Markup as is; where the channel folds text behind "…more", the fold is computed from the
catalogue, so editors see what readers see before they tap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import regex
from markupsafe import Markup, escape

from planner.channels.catalogue import ChannelKind, get_kind
from planner.channels.counting import find_urls, first_offset_over_limit, graphemes, measure

_HASHTAG = regex.compile(r"(?<![\p{L}\p{N}_#&/])#[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*")
# @name, @name@server (Mastodon) and @name.domain (Bluesky handles).
_MENTION = regex.compile(
    r"(?<![\p{L}\p{N}_@./])@[A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?"
)


@dataclass(frozen=True, slots=True)
class Token:
    """A run of the text: plain text, a URL, a #hashtag, an @mention or a line break."""

    kind: str
    text: str
    start: int


@dataclass(frozen=True, slots=True)
class Preview:
    """One post as the channel shows it, plus its measurements."""

    channel_kind: str
    label: str
    #: The whole text, escaped, with marked entities and <br> line breaks.
    html: Markup
    #: What shows before "…more" (the whole text when the channel does not fold it).
    visible_html: Markup
    #: What hides behind "…more"; None when nothing is folded.
    folded_html: Markup | None
    #: Code-point offset of the fold; None when nothing is folded.
    more_cut_offset: int | None
    count: int
    limit: int | None
    remaining: int | None
    fits: bool
    #: Where the text goes over a limit; the part after it is wrapped in <mark class="pv-over">.
    over_limit_offset: int | None
    links_clickable: bool


def tokenize(text: str) -> list[Token]:
    """Split text into plain runs and entities; URLs win over hashtags and mentions inside them."""
    spans: list[tuple[int, int, str]] = [(start, end, "url") for start, end in find_urls(text)]

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _ in spans)

    for pattern, name in ((_MENTION, "mention"), (_HASHTAG, "hashtag")):
        for match in pattern.finditer(text):
            start, end = match.span()
            # A mention ending in a full stop ("@zuiderhaven.") ends before it.
            while end > start + 1 and text[end - 1] in ".-":
                end -= 1
            if free(start, end):
                spans.append((start, end, name))
    spans.sort()
    tokens: list[Token] = []
    position = 0
    for start, end, name in spans:
        if start > position:
            tokens.extend(_plain_tokens(text[position:start], position))
        tokens.append(Token(name, text[start:end], start))
        position = end
    if position < len(text):
        tokens.extend(_plain_tokens(text[position:], position))
    return tokens


def _plain_tokens(text: str, offset: int) -> list[Token]:
    tokens: list[Token] = []
    for index, line in enumerate(regex.split(r"(\r\n|\r|\n)", text)):
        if not line:
            continue
        kind = "newline" if index % 2 else "text"
        tokens.append(Token(kind, line, offset))
        offset += len(line)
    return tokens


def render_inline(text: str, *, links_clickable: bool = True) -> Markup:
    """Escaped text with entities marked; safe to output without further escaping."""
    out: list[str] = []
    for token in tokenize(text):
        escaped = str(escape(token.text))
        if token.kind == "newline":
            # No "\n" after it: previews keep spaces with pre-wrap, which would break twice.
            out.append("<br>")
        elif token.kind == "url":
            if links_clickable:
                href = (
                    token.text
                    if regex.match(r"(?i)https?://", token.text)
                    else ("https://" + token.text)
                )
                out.append(
                    f'<a class="pv-link" href="{escape(href)}" rel="nofollow noopener noreferrer">'
                    f"{escaped}</a>"
                )
            else:
                # Instagram and TikTok show links as plain text; the preview must not promise more.
                out.append(f'<span class="pv-link pv-link--inert">{escaped}</span>')
        elif token.kind == "hashtag":
            out.append(f'<span class="pv-hashtag">{escaped}</span>')
        elif token.kind == "mention":
            out.append(f'<span class="pv-mention">{escaped}</span>')
        else:
            out.append(escaped)
    return Markup("".join(out))  # noqa: S704 - every piece above is escaped or our own markup


def more_cut_offset(text: str, kind: ChannelKind | str) -> int | None:
    """Where the channel folds the text behind "…more", at a word boundary, never inside a link.

    None when the channel never folds or the text is short enough to show in full.
    """
    resolved = get_kind(kind) if isinstance(kind, str) else kind
    if resolved.more_cut is None or len(text) <= resolved.more_cut:
        return None
    cut = 0
    last_space = None
    position = 0
    for grapheme in graphemes(text):
        if position + len(grapheme) > resolved.more_cut:
            break
        position += len(grapheme)
        cut = position
        if grapheme.isspace():
            last_space = position - len(grapheme)
    if last_space:
        cut = last_space
    for token in tokenize(text):
        if token.kind != "text" and token.start < cut < token.start + len(token.text):
            cut = token.start
    return cut or None


def _render_sections(
    text: str, start: int, end: int, over: int | None, links_clickable: bool
) -> Markup:
    if start >= end:
        return Markup("")
    if over is None or over >= end:
        return render_inline(text[start:end], links_clickable=links_clickable)
    if over <= start:
        inner = render_inline(text[start:end], links_clickable=links_clickable)
        return Markup('<mark class="pv-over">') + inner + Markup("</mark>")
    return _render_sections(text, start, over, None, links_clickable) + _render_sections(
        text, over, end, over, links_clickable
    )


def render_preview(text: str, kind: ChannelKind | str) -> Preview:
    """Render one post (or one thread part) for a channel kind."""
    resolved = get_kind(kind) if isinstance(kind, str) else kind
    measured = measure(text, resolved)
    over = first_offset_over_limit(text, resolved)
    fold = more_cut_offset(text, resolved)
    clickable = resolved.links_clickable
    whole = _render_sections(text, 0, len(text), over, clickable)
    if fold is None:
        visible, folded = whole, None
    else:
        visible = _render_sections(text, 0, fold, over, clickable)
        folded = _render_sections(text, fold, len(text), over, clickable)
    return Preview(
        channel_kind=resolved.key,
        label=resolved.label,
        html=whole,
        visible_html=visible,
        folded_html=folded,
        more_cut_offset=fold,
        count=measured.count,
        limit=measured.limit,
        remaining=measured.remaining,
        fits=measured.fits,
        over_limit_offset=over,
        links_clickable=clickable,
    )


def render_thread(parts: Sequence[str], kind: ChannelKind | str) -> list[Preview]:
    resolved = get_kind(kind) if isinstance(kind, str) else kind
    return [render_preview(part, resolved) for part in parts]


@dataclass(frozen=True, slots=True)
class PhotoPreview:
    """One chosen photo as the channel shows it: cropped to its main image's aspect ratio."""

    photo_id: int
    alt: str
    #: the channel's image size, for the CSS aspect-ratio and the img's width and height
    width: int
    height: int
    #: as the platform writes it ("16:9")
    aspect: str
    #: no description yet: the photo cannot go out like this
    missing_alt: bool


def render_photos(photos: Sequence[tuple[int, str]], kind: ChannelKind | str) -> list[PhotoPreview]:
    """The chosen photos (id, alt text) as the channel carries them, up to its media limit."""
    resolved = get_kind(kind) if isinstance(kind, str) else kind
    spec = resolved.primary_image
    if spec is None:
        return []
    limit = resolved.media_per_post
    chosen = photos if limit is None else photos[:limit]
    return [
        PhotoPreview(
            photo_id=photo_id,
            alt=alt.strip(),
            width=spec.width,
            height=spec.height,
            aspect=spec.aspect,
            missing_alt=not alt.strip(),
        )
        for photo_id, alt in chosen
    ]
