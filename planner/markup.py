"""Markdown that editors and contributors type, rendered to HTML that is safe to show anyone.

Input is bounded before Python-Markdown sees it (its inline parser is quadratic on some inputs), raw
HTML is shown as text, and nh3 cleans the output against an allow-list as a second line of defence.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.tables import TableExtension
from markdown.treeprocessors import Treeprocessor

from planner.errors import ValidationError

# Limits, measured with Python-Markdown 3.11 on a busy 2-core machine: unbounded, "[" * 20000 took
# about two minutes; refusing it takes under 2 ms. The slowest input we could build inside these
# limits rendered in about 1 s, a legitimate 100,000-character article in about 0.25 s.
MAX_LENGTH = 100_000
#: A "block" is text between blank lines: a paragraph, a tight list, a table.
MAX_BLOCK_LENGTH = 20_000
#: Characters that start inline markup; Python-Markdown rescans a block after each inline match.
MAX_INLINE_MARKS_PER_BLOCK = 1_000
#: Unclosed "[" (or "(" after a link) make the link parser search to the end of the block each time.
MAX_BRACKET_DEPTH = 16
#: Lists and block quotes inside each other; the list parser recurses once per level.
MAX_NESTING = 12

_INLINE_MARKS = frozenset("`*_[<")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_ORDERED_MARKER = re.compile(r"\d{1,9}[.)](?=[ \t]|$)")

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre",
        "h2", "h3", "h4", "hr", "img",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"


class MarkupTooComplexError(ValidationError):
    """Text that would take too long to render; the message names the limit that was passed."""

    code = "markup-too-complex"


# --------------------------------------------------------------------------------------------------
# Bounding the input


def check_complexity(text: str) -> None:
    """Raise MarkupTooComplexError when ``text`` passes a limit above; linear in its length."""
    if len(text) > MAX_LENGTH:
        raise MarkupTooComplexError(
            f"The text is {len(text):,} characters long; the limit is {MAX_LENGTH:,}.",
            field="body",
            limit="length",
            actual=len(text),
            maximum=MAX_LENGTH,
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for number, block in enumerate(_BLANK_LINE.split(text), start=1):
        _check_block(number, block)
    for number, line in enumerate(text.split("\n"), start=1):
        depth = _nesting_depth(line)
        if depth > MAX_NESTING:
            raise MarkupTooComplexError(
                f"Line {number} is nested {depth} levels deep (lists and quotes inside each"
                f" other); the limit is {MAX_NESTING}.",
                field="body",
                limit="nesting",
                actual=depth,
                maximum=MAX_NESTING,
                line=number,
            )


def _check_block(number: int, block: str) -> None:
    if len(block) > MAX_BLOCK_LENGTH:
        raise MarkupTooComplexError(
            f"Paragraph {number} is {len(block):,} characters long; the limit is"
            f" {MAX_BLOCK_LENGTH:,}. Split it with blank lines.",
            field="body",
            limit="block_length",
            actual=len(block),
            maximum=MAX_BLOCK_LENGTH,
            block=number,
        )
    marks = sum(1 for char in block if char in _INLINE_MARKS)
    if marks > MAX_INLINE_MARKS_PER_BLOCK:
        raise MarkupTooComplexError(
            f"Paragraph {number} has {marks:,} formatting characters (* _ ` [ <); the limit is"
            f" {MAX_INLINE_MARKS_PER_BLOCK:,} per paragraph.",
            field="body",
            limit="inline_marks",
            actual=marks,
            maximum=MAX_INLINE_MARKS_PER_BLOCK,
            block=number,
        )
    for opening, closing in (("[", "]"), ("(", ")")):
        depth = _bracket_depth(block, opening, closing)
        if depth > MAX_BRACKET_DEPTH:
            raise MarkupTooComplexError(
                f"Paragraph {number} has {depth:,} '{opening}' open at once; the limit is"
                f" {MAX_BRACKET_DEPTH}. Close each '{opening}' with '{closing}' or remove the"
                " extra ones.",
                field="body",
                limit="bracket_depth",
                actual=depth,
                maximum=MAX_BRACKET_DEPTH,
                block=number,
            )


def _bracket_depth(block: str, opening: str, closing: str) -> int:
    """The most brackets open at once, counting an unclosed bracket as open to the block's end."""
    depth = deepest = 0
    escaped = False
    for char in block:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == opening:
            depth += 1
            deepest = max(deepest, depth)
        elif char == closing and depth:
            depth -= 1
    return deepest


def _nesting_depth(line: str) -> int:
    """Quote markers and list markers at the start of a line, plus indentation before a marker."""
    depth = 0
    position = 0
    while position < len(line):
        columns = 0
        while position < len(line) and line[position] in " \t":
            columns += 4 if line[position] == "\t" else 1
            position += 1
        rest = line[position:]
        if rest.startswith(">") or (rest[:1] in ("-", "*", "+") and rest[1:2] in (" ", "\t")):
            depth += 1 + columns // 4
            position += 1
        elif (ordered := _ORDERED_MARKER.match(rest)) is not None:
            depth += 1 + columns // 4
            position += ordered.end()
        else:
            break
    return depth


# --------------------------------------------------------------------------------------------------
# Rendering


class _SafeTreeprocessor(Treeprocessor):
    """Keeps headings within h2–h4 and replaces images from outside ``media_prefix`` by alt text."""

    def __init__(self, md: markdown.Markdown, media_prefix: str) -> None:
        super().__init__(md)
        self.media_prefix = media_prefix

    def run(self, root: Element) -> None:
        for element in root.iter():
            if element.tag == "h1":
                # The page around the text owns the h1.
                element.tag = "h2"
            elif element.tag in ("h5", "h6"):
                element.tag = "h4"
            elif element.tag == "img" and not _is_own_media(
                element.get("src", ""), self.media_prefix
            ):
                # No remote images: they track readers and can change after approval. The alt text
                # stays readable; nh3 removes the span and keeps its text.
                alt = element.get("alt", "")
                element.attrib.clear()
                element.tag = "span"
                element.text = alt


class _SafeExtension(Extension):
    def __init__(self, media_prefix: str) -> None:
        super().__init__()
        self.media_prefix = media_prefix

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API name)
        # Raw HTML is shown as typed instead of being passed through: contributors paste from
        # websites and mail, and a stray <div> or <script> should never reach the page.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # After "inline" (20), which creates the <img> elements, before "prettify" (10).
        md.treeprocessors.register(_SafeTreeprocessor(md, self.media_prefix), "planner_safe", 15)


def _is_own_media(src: str, media_prefix: str) -> bool:
    return src.startswith(media_prefix) and ".." not in src and "\\" not in src


def render_markdown(text: str, *, media_prefix: str = "/media/") -> str:
    """Safe HTML for ``text``; raises MarkupTooComplexError for input too big or deep to render."""
    check_complexity(text)
    # A Markdown instance keeps state between conversions and is not thread-safe: one per call.
    md = markdown.Markdown(
        extensions=[
            TableExtension(use_align_attribute=True),
            "fenced_code",
            "sane_lists",
            _SafeExtension(media_prefix),
        ],
        output_format="html",
    )
    rendered = md.convert(text)

    def keep_attribute(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src" and not _is_own_media(value, media_prefix):
            return None
        return value

    align = {"align": {"left", "center", "right"}}
    return nh3.clean(
        rendered,
        tags=set(ALLOWED_TAGS),
        attributes={"a": {"href", "title"}, "img": {"src", "alt"}},
        tag_attribute_values={"th": align, "td": align},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        attribute_filter=keep_attribute,
    )


# --------------------------------------------------------------------------------------------------
# Plain text


_BLOCK_TAGS = frozenset(
    {"p", "ul", "ol", "blockquote", "pre", "h2", "h3", "h4", "hr", "table", "tr"}
)


class _TextCollector(HTMLParser):
    """Walks the safe HTML: blocks become paragraphs, list items lines, links "text (url)"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._links: list[tuple[str, int]] = []
        self._in_pre = False
        self._cells_in_row = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
            self._in_pre = self._in_pre or tag == "pre"
            self._cells_in_row = 0
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag in ("td", "th"):
            if self._cells_in_row:
                self.parts.append(" | ")
            self._cells_in_row += 1
        elif tag == "a":
            self._links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
            self._in_pre = self._in_pre and tag != "pre"
        elif tag == "a" and self._links:
            href, start = self._links.pop()
            label = "".join(self.parts[start:]).strip()
            # Drafts for social channels need the address itself, unless the label already is it.
            if href and label != href and label != href.removeprefix("mailto:"):
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        # The renderer puts a newline between block tags; only the tags decide the layout here.
        if not self._in_pre and not data.strip() and "\n" in data:
            return
        self.parts.append(data)


def plain_text(text: str) -> str:
    """``text`` without markup: what a reader sees, for drafting posts and for text checks."""
    collector = _TextCollector()
    collector.feed(render_markdown(text))
    collector.close()
    joined = "".join(collector.parts)
    # convert_charrefs already turned entities into characters; unescaping again would be wrong.
    lines = [line.rstrip() for line in joined.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
