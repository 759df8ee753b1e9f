"""Turn a document into checkable blocks without moving a single character.

Markdown syntax, code, link destinations, URLs, e-mail addresses and HTML comments are blanked in
place, so every offset in the masked text is the same offset in the source and alerts point at the
exact characters the writer typed. This module is long because Markdown's block and inline
syntax, raw HTML blocks, comment switches and Vale's scopes must all be read in one pass that
keeps every offset, and each part is small and bounded (linear on hostile input).
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass

import regex

from planner.brand.engine import safety

#: Scope names a block of each kind answers to, as Vale names the block (see Selector in
#: rules.py): a prose paragraph is `paragraph` (and split into `sentence`s), everything else is
#: linted as a whole under `text.<kind>`.
PARAGRAPH = frozenset({"text", "paragraph"})
LIST_ITEM = frozenset({"text", "list"})
BLOCKQUOTE = frozenset({"text", "blockquote"})
TABLE_HEADER = frozenset({"text", "table", "header"})
TABLE_ROW = frozenset({"text", "table", "cell"})
ALT = frozenset({"text", "attr", "alt"})


def heading_scopes(level: int) -> frozenset[str]:
    return frozenset({"text", "heading", f"h{level}"})


@dataclass(frozen=True, slots=True)
class Block:
    """A stretch of prose that rules see as one unit: source[start:end] (masked)."""

    start: int
    end: int
    scopes: frozenset[str]


@dataclass(frozen=True, slots=True)
class Image:
    start: int
    end: int
    alt: str
    alt_start: int
    destination: str


@dataclass(frozen=True, slots=True)
class Link:
    start: int
    end: int
    url: str


@dataclass(frozen=True, slots=True)
class Switch:
    """An in-document `<!-- vale ... -->` comment: from `offset` on, `target` is on or off.

    `target` None means every rule; otherwise a style name or a Style.Rule check name.
    """

    offset: int
    target: str | None
    enabled: bool


@dataclass(frozen=True, slots=True)
class Document:
    source: str
    masked: str
    blocks: tuple[Block, ...]
    images: tuple[Image, ...]
    links: tuple[Link, ...]
    switches: tuple[Switch, ...]
    #: Code blocks (fenced or indented): Vale's `pre` metric.
    code_blocks: int = 0

    def is_enabled(self, check: str, offset: int, *, whole_file: bool = False) -> bool:
        """Whether the in-document switches leave `check` on at `offset`, as Vale reads them.

        `vale off`/`vale on` switch everything; `vale Style.Rule = NO` switches one rule (or a
        style) until `= YES`, and `vale on` does not undo it. Rules that look at the whole file
        (raw, summary) run after Vale has reset the per-rule switches: only a `vale off` still in
        force at the end of the file stops them.
        """
        off = False
        specific: dict[str, bool] = {}
        for switch in self.switches:
            if not whole_file and switch.offset > offset:
                break
            if switch.target is None:
                off = not switch.enabled
            else:
                specific[switch.target] = switch.enabled
        if off or whole_file:
            return not off
        style = check.split(".", 1)[0]
        return specific.get(check, specific.get(style, True))


#: Vale's defaults: inline tags whose text rules see as asterisks, tags skipped entirely.
DEFAULT_IGNORED_SCOPES = frozenset({"code", "tt", "kbd"})
DEFAULT_SKIPPED_SCOPES = frozenset({"script", "style", "pre", "figure", "noscript", "iframe"})
DEFAULT_IGNORED_CLASSES = frozenset({"problematic", "pre", "code"})


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """What a .vale.ini says about the markup: Vale's IgnoredScopes, SkippedScopes,
    IgnoredClasses, TokenIgnores and BlockIgnores (IgnorePatterns)."""

    ignored_scopes: frozenset[str] = DEFAULT_IGNORED_SCOPES
    skipped_scopes: frozenset[str] = DEFAULT_SKIPPED_SCOPES
    ignored_classes: frozenset[str] = DEFAULT_IGNORED_CLASSES
    token_ignores: tuple[regex.Pattern[str], ...] = ()
    block_ignores: tuple[regex.Pattern[str], ...] = ()


DEFAULT_OPTIONS = ParseOptions()

_FENCE = regex.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = regex.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)[ \t]*")
_ATX_CLOSE = regex.compile(r"[ \t]+#+[ \t]*$")
_SETEXT = regex.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_THEMATIC = regex.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_QUOTE = regex.compile(r"^(?: {0,3}>[ ]?)+")
_LIST = regex.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
_TABLE_SEP = regex.compile(r"^\s*\|?\s*:?-{1,}:?\s*(?:\|\s*:?-{1,}:?\s*)+\|?\s*$")
_REF_DEF = regex.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+.*$")
_VALE_SWITCH = regex.compile(r"^\s*vale\s+(.*?)\s*$", regex.DOTALL)
# Every inline pattern below must stay linear on hostile input ("<" * 70000, "[a](" * 17500):
# character classes exclude the bracket that opens the next candidate, repetitions are bounded
# and possessive, so no position is rescanned more than a bounded number of times.
_DEST = r"{0,2048}+"  # a link destination or URL: at most 2048 characters
_LABEL = r"{0,1000}+"  # link text or a title: at most 1000 characters
_LINK_TAIL = (
    r"\]\(\s{0,64}+(<[^<>\n]"
    + _DEST
    + r">|[^()\s]"
    + _DEST
    + r"(?:\([^()\s]"
    + _DEST
    + r"\)[^()\s]"
    + _DEST
    + r")?)"
    + r"(?:\s{1,64}+(?:\"[^\"\n]"
    + _LABEL
    + r"\"|'[^'\n]"
    + _LABEL
    + r"'))?\s{0,64}+\)"
)
_IMAGE = regex.compile(r"!\[([^\[\]\n]" + _LABEL + ")" + _LINK_TAIL)
_LINK = regex.compile(r"\[([^\[\]\n]" + _LABEL + ")" + _LINK_TAIL)
_REF_LINK = regex.compile(r"\[([^\[\]\n]{1,1000}+)\](\[[^\[\]\n]" + _LABEL + r"\])")
_AUTOLINK = regex.compile(
    r"<((?:https?|ftp|mailto):[^<>\s]{1,2048}+"
    r"|[^<>\s@]{1,254}+@[^<>\s@]{1,254}+\.[^<>\s]{1,64}+)>"
)
_URL = regex.compile(r"(?:https?://|www\.)[^\s<>\"'`]{1,2048}+")
#: Bare URLs end before trailing punctuation, which belongs to the sentence.
_URL_TRAILER = ".,;:!?)]'\""
_EMAIL = regex.compile(r"(?<![\w.+-])[\w.+-]{1,64}+@[\w-]{1,63}+(?:\.[\w-]{1,63}+){1,8}+")
_HTML_TAG = regex.compile(r"</?[A-Za-z][A-Za-z0-9-]{0,64}+(?:\s[^<>]" + _DEST + ")?/?>")
_EMPHASIS = regex.compile(
    r"(?<![\w*\\])\*{1,3}(?=[^\s*])|(?<=[^\s*])\*{1,3}(?![\w*])"
    r"|(?<![\w_\\])_{1,3}(?=[^\s_])|(?<=[^\s_])_{1,3}(?![\w_])|~~"
)
_PARAGRAPH = regex.compile(r"(?:[^\n]*\S[^\n]*(?:\n|$))+")
_ESCAPE = regex.compile(r"\\(?=[!-/:-@\[-`{-~])")


class _Mask:
    """A mutable copy of the text; every edit keeps the length and never touches newlines."""

    def __init__(self, text: str) -> None:
        self.chars = list(text)

    def blank(self, start: int, end: int, fill: str = " ") -> None:
        for i in range(start, end):
            if self.chars[i] != "\n":
                self.chars[i] = fill

    def text(self) -> str:
        return "".join(self.chars)


def _line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, end excluding the newline."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _parse_switch(body: str, offset: int) -> list[Switch]:
    m = _VALE_SWITCH.match(body)
    if not m:
        return []
    arg = m.group(1)
    if arg == "off":
        return [Switch(offset, None, False)]
    if arg == "on":
        return [Switch(offset, None, True)]
    out = []
    for part in arg.split(","):
        if "=" in part:
            target, _, value = part.partition("=")
            out.append(Switch(offset, target.strip(), value.strip().upper() != "NO"))
    return out


_TICKS = regex.compile(r"`+")


def code_spans(text: str) -> list[tuple[int, int, int]]:
    """(start, end, ticks) of every inline code span, found in one pass (CommonMark's rule: a
    run of n backticks opens, the next run of exactly n backticks closes)."""
    runs = [(m.start(), m.end() - m.start()) for m in _TICKS.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for index, (_, length) in enumerate(runs):
        by_length.setdefault(length, []).append(index)
    cursor = dict.fromkeys(by_length, 0)
    spans = []
    i = 0
    while i < len(runs):
        start, length = runs[i]
        same = by_length[length]
        k = cursor[length]
        while k < len(same) and same[k] <= i:
            k += 1
        cursor[length] = k
        if k == len(same):
            i += 1  # no closing run: these backticks are literal
            continue
        close = same[k]
        close_start = runs[close][0]
        spans.append((start, close_start + length, length))
        i = close + 1
    return spans


def comments(text: str) -> list[tuple[int, int]]:
    """(start, end) of every HTML comment, `<!--` to the next `-->`, in one pass."""
    out = []
    pos = text.find("<!--")
    while pos != -1:
        close = text.find("-->", pos + 4)
        if close == -1:
            break
        out.append((pos, close + 3))
        pos = text.find("<!--", close + 3)
    return out


_STRONG = regex.compile(r"(\*\*|__)(?=\S)([^*_\n]{1,1000}+)(?<=\S)\1")
_EM = regex.compile(r"(?<![*_\w])([*_])(?=[^\s*_])([^*_\n]{1,1000}+)(?<=[^\s*_])\1(?![*_\w])")
_OPEN_TAG = regex.compile(r"<([A-Za-z][A-Za-z0-9]{0,15}+)((?:\s[^<>]{0,2048}+)?)>")
_CLASS_ATTR = regex.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")
#: Raw HTML elements in Markdown that Vale lints as blocks of their own, with their scopes.
_HTML_BLOCK_SCOPES = {
    "caption": frozenset({"text", "table", "caption"}),
    "td": frozenset({"text", "table", "cell"}),
    "th": frozenset({"text", "table", "header"}),
    "li": frozenset({"text", "list"}),
    "blockquote": frozenset({"text", "blockquote"}),
    "figcaption": frozenset({"text", "figure", "caption"}),
    **{f"h{n}": frozenset({"text", "heading", f"h{n}"}) for n in range(1, 7)},
}


def _html_elements(text: str, mask: _Mask, options: ParseOptions, html_blocks: list[Block]) -> None:
    """Skip raw HTML elements Vale skips (SkippedScopes, IgnoredClasses) and give the ones
    Vale lints as blocks (a table caption, a cell) a block of their own."""
    if "<" not in text:
        return
    closes: dict[str, list[int]] = {}
    for m in regex.finditer(r"</([A-Za-z][A-Za-z0-9]{0,15}+)\s*>", text):
        closes.setdefault(m.group(1).lower(), []).append(m.start())
    skipped_until = -1
    for m in _OPEN_TAG.finditer(text):
        if m.start() < skipped_until:
            continue
        tag = m.group(1).lower()
        positions = closes.get(tag)
        if not positions:
            continue
        k = bisect.bisect_left(positions, m.end())
        if k == len(positions):
            continue
        close = positions[k]
        classes = set()
        cm = _CLASS_ATTR.search(m.group(2)) if m.group(2) else None
        if cm:
            classes = set((cm.group(1) or cm.group(2) or cm.group(3) or "").split())
        if tag in options.skipped_scopes or classes & options.ignored_classes:
            end = text.find(">", close) + 1
            mask.blank(m.start(), end)
            skipped_until = end
        elif tag in _HTML_BLOCK_SCOPES:
            html_blocks.append(Block(m.end(), close, _HTML_BLOCK_SCOPES[tag]))


def _mask_inline(
    text: str,
    mask: _Mask,
    links: list[Link],
    images: list[Image],
    options: ParseOptions = DEFAULT_OPTIONS,
    html_blocks: list[Block] | None = None,
) -> None:
    """Blank inline syntax on the (already block-masked) text, recording links and images."""
    ignored = options.ignored_scopes
    for pattern in options.token_ignores:
        # Vale turns a TokenIgnores match into inline code: a token rules never read.
        for m in safety.finditer(pattern, text):
            mask.blank(m.start(), m.end(), "*")
    text = mask.text()
    code_hidden = bool(ignored & {"code", "tt"})
    for start, end, ticks in code_spans(text):
        mask.blank(start, start + ticks)
        # Vale shows inline code to rules as asterisks: a token, but never a word.
        if code_hidden:
            mask.blank(start + ticks, end - ticks, "*")
        mask.blank(end - ticks, end)
    text = mask.text()
    _html_elements(text, mask, options, html_blocks if html_blocks is not None else [])
    text = mask.text()
    for m in _IMAGE.finditer(text):
        dest = m.group(2).strip("<>")
        images.append(Image(m.start(), m.end(), m.group(1), m.start(1), dest))
        mask.blank(m.start(), m.start(1))
        mask.blank(m.end(1), m.end())
    text = mask.text()
    link_hidden = bool(ignored & {"link", "a"})
    for m in _LINK.finditer(text):
        links.append(Link(m.start(), m.end(), m.group(2).strip("<>")))
        mask.blank(m.start(), m.start(1))
        if link_hidden:
            mask.blank(m.start(1), m.end(1), "*")
        mask.blank(m.end(1), m.end())
    text = mask.text()
    for m in _REF_LINK.finditer(text):
        mask.blank(m.start(), m.start(1))
        if link_hidden:
            mask.blank(m.start(1), m.end(1), "*")
        mask.blank(m.end(1), m.end())
    text = mask.text()
    for m in _AUTOLINK.finditer(text):
        links.append(Link(m.start(), m.end(), m.group(1)))
        mask.blank(m.start(), m.start() + 1)
        mask.blank(m.start(1), m.end(1), "*")
        mask.blank(m.end() - 1, m.end())
    text = mask.text()
    for m in _HTML_TAG.finditer(text):
        mask.blank(m.start(), m.end())
    text = mask.text()
    _mask_urls(text, mask, links)
    text = mask.text()
    hidden_spans = []
    if ignored & {"strong", "b"}:
        hidden_spans += [m.span(2) for m in _STRONG.finditer(text)]
    if ignored & {"em", "i", "emphasis"}:
        hidden_spans += [m.span(2) for m in _EM.finditer(text)]
    for m in _EMPHASIS.finditer(text):
        mask.blank(m.start(), m.end())
    for start, end in hidden_spans:
        mask.blank(start, end, "*")
    for m in _ESCAPE.finditer(text):
        mask.blank(m.start(), m.end())


def _mask_urls(text: str, mask: _Mask, links: list[Link]) -> None:
    # A URL or address is shown to rules as asterisks, the way Vale sees an autolinked URL.
    for m in _URL.finditer(text):
        url = m.group().rstrip(_URL_TRAILER)
        if len(url) < 5:
            continue
        links.append(Link(m.start(), m.start() + len(url), url))
        mask.blank(m.start(), m.start() + len(url), "*")
    if "@" not in text:
        return
    for m in _EMAIL.finditer(mask.text()):
        mask.blank(m.start(), m.end(), "*")


def _trimmed(masked: str, start: int, end: int) -> tuple[int, int]:
    while start < end and masked[start].isspace():
        start += 1
    while end > start and masked[end - 1].isspace():
        end -= 1
    return start, end


def parse_plain(text: str) -> Document:
    """Plain text (a social post): paragraphs split at blank lines; URLs and addresses masked."""
    links: list[Link] = []
    masked = text
    if "@" in text or "://" in text or "www." in text:
        mask = _Mask(text)
        _mask_urls(text, mask, links)
        masked = mask.text()
    blocks = []
    for m in _PARAGRAPH.finditer(masked):
        start, end = _trimmed(masked, m.start(), m.end())
        if end > start:
            blocks.append(Block(start, end, PARAGRAPH))
    return Document(text, masked, tuple(blocks), (), tuple(links), ())


def _pipes(text: str, start: int, end: int) -> list[int]:
    return [i for i in range(start, end) if text[i] == "|" and (i == 0 or text[i - 1] != "\\")]


def _blank_pipes(text: str, mask: _Mask, start: int, end: int) -> None:
    for i in _pipes(text, start, end):
        mask.blank(i, i + 1)


def _cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    bounds = [start - 1, *_pipes(text, start, end), end]
    return [(a + 1, b) for a, b in itertools.pairwise(bounds) if b > a + 1]


def _block_ignored_lines(
    text: str, mask: _Mask, lines: list[tuple[int, int]], options: ParseOptions
) -> set[int]:
    """Lines inside a BlockIgnores match: Vale turns each match into a code block."""
    starts = [s for s, _ in lines]
    out: set[int] = set()
    for pattern in options.block_ignores:
        for m in safety.finditer(pattern, text):
            if m.end() <= m.start():
                continue
            mask.blank(m.start(), m.end())
            first = bisect.bisect_right(starts, m.start()) - 1
            last = bisect.bisect_right(starts, m.end() - 1) - 1
            out.update(range(first, last + 1))
    return out


def parse_markdown(text: str, options: ParseOptions = DEFAULT_OPTIONS) -> Document:
    """Markdown: blocks for headings, paragraphs, list items, quotes and table rows."""
    mask = _Mask(text)
    lines = _line_spans(text)
    kinds: list[str] = []
    levels: dict[int, int] = {}
    ignored_lines = _block_ignored_lines(text, mask, lines, options)

    # Front matter is metadata, not prose.
    first = 0
    if text.startswith(("---\n", "+++\n")):
        fence = text[:3]
        for n in range(1, len(lines)):
            s, e = lines[n]
            if text[s:e].strip() in (fence, "..."):
                mask.blank(0, e)
                first = n + 1
                break
    kinds = ["blank"] * first

    fence_char = ""
    fence_len = 0
    prev_kind = "blank"
    prev_text_kind = "blank"
    for n in range(first, len(lines)):
        s, e = lines[n]
        line = text[s:e]
        if n in ignored_lines and not fence_char:
            kinds.append("code")
            prev_kind = "code"
            continue
        if fence_char:
            mask.blank(s, e)
            stripped = line.strip()
            if stripped.startswith(fence_char * fence_len) and set(stripped) == {fence_char}:
                fence_char = ""
            kinds.append("code")
            prev_kind = "code"
            continue
        fm = _FENCE.match(line)
        if fm:
            fence_char, fence_len = fm.group(1)[0], len(fm.group(1))
            mask.blank(s, e)
            kinds.append("code")
            prev_kind = "code"
            continue
        if not line.strip():
            kinds.append("blank")
            prev_kind = "blank"
            continue
        indented = line.startswith(("    ", "\t"))
        if (
            indented
            and prev_kind in ("blank", "code")
            and prev_text_kind not in ("list", "listcont")
        ):
            mask.blank(s, e)
            kinds.append("code")
            prev_kind = "code"
            continue
        kind = "para"
        body_start = s
        qm = _QUOTE.match(line)
        if qm:
            mask.blank(s, s + qm.end())
            body_start = s + qm.end()
            kind = "quote"
        rest = text[body_start:e]
        hm = _ATX.match(rest)
        lm = _LIST.match(rest)
        if _REF_DEF.match(rest):
            mask.blank(body_start, e)
            kind = "blank"
        elif hm:
            mask.blank(body_start, body_start + hm.end())
            cm = _ATX_CLOSE.search(rest)
            if cm and cm.start() >= hm.end():
                mask.blank(body_start + cm.start(), e)
            kind = "heading"
            levels[n] = len(hm.group(2))
        elif _SETEXT.match(rest) and kind == "para" and prev_kind == "para" and not indented:
            mask.blank(body_start, e)
            kinds[n - 1] = "heading"
            levels[n - 1] = 1 if "=" in rest else 2
            kind = "blank"
        elif _THEMATIC.match(rest):
            mask.blank(body_start, e)
            kind = "blank"
        elif _TABLE_SEP.match(rest) and "|" in rest:
            mask.blank(body_start, e)
            if prev_kind == "para":
                kinds[n - 1] = "tablehead"
                _blank_pipes(text, mask, *lines[n - 1])
            kind = "tablesep"
        elif lm:
            mask.blank(body_start, body_start + lm.end())
            kind = "list" if kind == "para" else kind
        elif kind == "para" and prev_kind in ("table", "tablesep") and "|" in rest:
            kind = "table"
        elif kind == "para" and prev_kind in ("list", "listcont"):
            kind = "listcont"
        if kind == "table":
            _blank_pipes(text, mask, body_start, e)
        kinds.append(kind)
        prev_kind = kind
        if kind not in ("blank", "code"):
            prev_text_kind = kind

    switches: list[Switch] = []
    masked_now = mask.text()
    for start, end in comments(masked_now):
        switches.extend(_parse_switch(masked_now[start + 4 : end - 3], start))
        mask.blank(start, end)

    links: list[Link] = []
    images: list[Image] = []
    html_blocks: list[Block] = []
    _mask_inline(mask.text(), mask, links, images, options, html_blocks)
    masked = mask.text()

    blocks: list[Block] = []
    current: list[int] | None = None
    current_scopes = PARAGRAPH

    def flush() -> None:
        nonlocal current
        if current is not None:
            start, end = _trimmed(masked, current[0], current[1])
            if end > start:
                blocks.append(Block(start, end, current_scopes))
        current = None

    for n, kind in enumerate(kinds):
        s, e = lines[n]
        if kind in ("blank", "code", "tablesep"):
            flush()
        elif kind == "heading":
            flush()
            start, end = _trimmed(masked, s, e)
            if end > start:
                blocks.append(Block(start, end, heading_scopes(levels[n])))
        elif kind in ("table", "tablehead"):
            # Vale lints every cell on its own (`table.header`, `table.cell`).
            flush()
            scopes = TABLE_HEADER if kind == "tablehead" else TABLE_ROW
            for cell_start, cell_end in _cells(text, s, e):
                start, end = _trimmed(masked, cell_start, cell_end)
                if end > start:
                    blocks.append(Block(start, end, scopes))
        elif kind == "list":
            flush()
            current = [s, e]
            current_scopes = LIST_ITEM
        elif kind == "quote":
            if current is None or current_scopes is not BLOCKQUOTE:
                flush()
                current = [s, e]
                current_scopes = BLOCKQUOTE
            else:
                current[1] = e
        elif current is None or (current_scopes is BLOCKQUOTE and kind == "para"):
            flush()
            current = [s, e]
            current_scopes = PARAGRAPH
        else:
            current[1] = e
    flush()

    for html in html_blocks:
        start, end = _trimmed(masked, html.start, html.end)
        if end > start:
            blocks.append(Block(start, end, html.scopes))
    skipped = options.skipped_scopes
    if skipped != DEFAULT_SKIPPED_SCOPES:
        # Vale's SkippedScopes name HTML tags; a Markdown block is skipped by its tag.
        by_tag = {
            "blockquote": "blockquote",
            "li": "list",
            "ul": "list",
            "ol": "list",
            "table": "table",
            "th": "header",
            "td": "cell",
            "p": "paragraph",
            **{f"h{n}": f"h{n}" for n in range(1, 7)},
        }
        names = {by_tag[t] for t in skipped if t in by_tag}
        blocks = [b for b in blocks if not (names & b.scopes)]
    for image in images:
        if image.alt.strip() and "alt" not in skipped:
            a_start = image.alt_start
            blocks.append(Block(a_start, a_start + len(image.alt), ALT))
    blocks.sort(key=lambda b: (b.start, b.end))
    code_blocks = sum(
        1 for n, kind in enumerate(kinds) if kind == "code" and (n == 0 or kinds[n - 1] != "code")
    )
    return Document(
        text,
        masked,
        tuple(blocks),
        tuple(images),
        tuple(links),
        tuple(sorted(switches, key=lambda s: s.offset)),
        code_blocks,
    )


def parse(text: str, *, markdown: bool, options: ParseOptions = DEFAULT_OPTIONS) -> Document:
    return parse_markdown(text, options) if markdown else parse_plain(text)


_SENTENCE_END = regex.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s|$)")
#: Abbreviations that end in a full stop without ending the sentence (Dutch and English).
_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "vs",
        "etc",
        "bijv",
        "o.a",
        "d.w.z",
        "m.b.t",
        "t.a.v",
        "dhr",
        "mevr",
        "mr",
        "mrs",
        "ms",
        "dr",
        "drs",
        "ir",
        "ing",
        "nr",
        "no",
        "st",
        "p.m",
        "a.m",
        "z.g.a.n",
        "ca",
        "resp",
        "incl",
        "excl",
        "jl",
        "a.s",
    ]
)


_LAST_WORD = regex.compile(r"([\w.]+)\.*$")


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans within text[start:end], trimmed of surrounding space."""
    out = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        # Only the last word matters (is it an abbreviation?): look at a short tail, not the
        # whole sentence, so long texts stay linear.
        before = _LAST_WORD.search(text, max(pos, m.start() - 64), m.start() + 1)
        word = before.group(1).rstrip(".").lower() if before else ""
        if m.group().startswith(".") and (
            word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())
        ):
            continue
        s, e = _trimmed(text, pos, m.end())
        if e > s:
            out.append((s, e))
        pos = m.end()
    s, e = _trimmed(text, pos, end)
    if e > s:
        out.append((s, e))
    return out
