"""Story Markdown reduced to paragraphs, sentences and weighted terms for the splitter.

Everything works on whole grapheme clusters and cuts only at whitespace, so a draft never carries
half an emoji or a stray combining mark, whatever the story contains.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import regex

from planner.channels.counting import graphemes

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_CODE = re.compile(r"`([^`]*)`")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_QUOTE = re.compile(r"^\s*>\s?")
_NOTHING_COMBINES = regex.compile(r"[\x00-\u02ff]*")
_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}'’-]*")
# A sentence ends in terminal punctuation, optionally followed by closing quotes or brackets.
_SENTENCE_END = regex.compile(r"[.!?…][\"'”’)\]]*$")
_SENTENCE_START = regex.compile(r"^[\"'“‘(\[]?[\p{Lu}\p{N}]")

#: Abbreviations after which a full stop does not end a sentence (lower case, with the dot).
ABBREVIATIONS: frozenset[str] = frozenset(
    {
        # Dutch
        "bijv.",
        "bv.",
        "o.a.",
        "d.w.z.",
        "ca.",
        "mevr.",
        "dhr.",
        "nr.",
        "e.d.",
        "enz.",
        "i.p.v.",
        "m.b.v.",
        "z.s.m.",
        "t.o.v.",
        "m.u.v.",
        "evt.",
        "incl.",
        "excl.",
        "tel.",
        "wo.",
        "zo.",
        "st.",
        # English
        "e.g.",
        "i.e.",
        "mr.",
        "mrs.",
        "ms.",
        "dr.",
        "etc.",
        "vs.",
        "no.",
    }
)

# Function words that carry no topic; enough to let term frequency pick the content words.
_DUTCH_STOP_WORDS = """
aan achter al alle alles als altijd ander andere bij bijna binnen daar daarna dan dat de deze die
dit doen doet door dus een eens elk elke en er ergens geen geweest haar had hadden heb hebben heeft
hem hen het hier hij hoe hun iemand iets ik in is ja je jij jou jouw jullie kan kon kunnen kun maar
me meer mee men met mij mijn moet moeten na naar niet niets nog nu of om omdat ons onze ook op over
per samen sinds steeds te tegen toch toen tot u uit uw van veel voor vooral waar waren wat we wel
werd werden wie wij wil willen worden wordt zal ze zei zelf zich zij zijn zo zoals zonder zou zouden
"""
_ENGLISH_STOP_WORDS = """
a about after all also an and any are as at be because been before but by can could did do does for
from had has have he her here him his how i if in into is it its just more most my no not now of on
one or our out over she so some than that the their them then there these they this to too up us
very was we were what when where which who will with would you your
"""
STOP_WORDS: dict[str, frozenset[str]] = {
    "nl": frozenset(_DUTCH_STOP_WORDS.split()),
    "en": frozenset(_ENGLISH_STOP_WORDS.split()),
}


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A block of the story in reading order, already split into sentences."""

    sentences: tuple[str, ...]
    is_heading: bool = False
    #: Positions in ``sentences`` that came from list items: kept for threads and articles, but
    #: never picked as a post's key sentence, because an item rarely stands on its own.
    list_items: frozenset[int] = frozenset()
    #: Positions in ``sentences`` that start a new line (each list item starts one).
    line_starts: frozenset[int] = frozenset()


def strip_inline_markdown(text: str) -> str:
    """Inline Markdown to what a reader sees: link texts stay, markers and images go."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    previous = None
    while previous != text:  # nested emphasis (**_x_**) needs more than one pass
        previous = text
        text = _EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or "", text)
    return text


def markdown_paragraphs(markdown: str, language: str = "nl") -> list[Paragraph]:
    """Blocks of the body as plain text; list items become sentences of their own."""
    paragraphs: list[Paragraph] = []
    for block in re.split(r"\n\s*\n", markdown.replace("\r\n", "\n")):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if len(lines) == 1 and _HEADING.match(lines[0]):
            heading = strip_inline_markdown(_HEADING.sub("", lines[0])).strip().rstrip("#").strip()
            if heading:
                paragraphs.append(Paragraph((heading,), is_heading=True))
            continue
        sentences: list[str] = []
        items: set[int] = set()
        starts: set[int] = set()
        prose: list[str] = []
        for line in lines:
            line = _QUOTE.sub("", line)
            if _LIST_ITEM.match(line):
                sentences.extend(split_sentences(" ".join(prose), language))
                prose = []
                item = strip_inline_markdown(_LIST_ITEM.sub("", line)).strip()
                item_sentences = split_sentences(item, language)
                if item_sentences:
                    starts.add(len(sentences))
                    items.update(range(len(sentences), len(sentences) + len(item_sentences)))
                    sentences.extend(item_sentences)
            elif items and line.startswith((" ", "\t")) and not prose:
                # An indented line continues the previous list item.
                continuation = split_sentences(strip_inline_markdown(line).strip(), language)
                items.update(range(len(sentences), len(sentences) + len(continuation)))
                sentences.extend(continuation)
            else:
                if not prose and sentences:
                    starts.add(len(sentences))
                prose.append(strip_inline_markdown(line).strip())
        sentences.extend(split_sentences(" ".join(prose), language))
        if sentences:
            paragraphs.append(
                Paragraph(
                    tuple(sentences), list_items=frozenset(items), line_starts=frozenset(starts)
                )
            )
    return paragraphs


def words_of(text: str) -> list[str]:
    """Runs of non-whitespace graphemes: the only places a draft may be cut between words."""
    if _NOTHING_COMBINES.fullmatch(text):
        # Below U+0300 no character attaches to a space, so plain whitespace splitting is exact.
        return text.split()
    words: list[str] = []
    current: list[str] = []
    for grapheme in graphemes(text):
        if grapheme.isspace():
            if current:
                words.append("".join(current))
                current = []
        else:
            current.append(grapheme)
    if current:
        words.append("".join(current))
    return words


def join_words(words: Iterable[str], separator: str = " ") -> str:
    """Join words without letting the separator fuse with a following combining mark.

    A word can start with a mark that followed a line break in the source; after a space it would
    become part of the space's grapheme, so such a word is joined with a line break instead.
    """
    out = ""
    for word in words:
        if not out:
            out = word
            continue
        attaches = ord(word[0]) >= 0x300 and graphemes(separator + word)[0] != separator
        glue = "\n" if attaches else separator
        out += glue + word
    return out


def split_sentences(text: str, language: str = "nl") -> list[str]:
    """Sentences of one paragraph, cut only at whitespace; known abbreviations do not end one."""
    words = words_of(text)
    sentences: list[str] = []
    current: list[str] = []
    open_quotes = 0
    for index, word in enumerate(words):
        current.append(word)
        # Straight double quotes open and close alternately; a sentence inside a quotation ends
        # with the quotation, so "Ik kom. Echt." stays one sentence.
        open_quotes += word.count('"') + word.count("“") - word.count("”")
        open_quotes = max(open_quotes, 0)
        following = words[index + 1] if index + 1 < len(words) else None
        if following is None:
            break
        if (
            open_quotes % 2 == 0
            and _SENTENCE_END.search(word)
            and word.lower() not in ABBREVIATIONS
            and not _is_initial(word)
            and _SENTENCE_START.match(following)
        ):
            sentences.append(join_words(current))
            current = []
    if current:
        sentences.append(join_words(current))
    return sentences


def _is_initial(word: str) -> bool:
    # "J." in "J. de Vries" is an initial, not the end of a sentence.
    return len(word) == 2 and word[0].isupper() and word[1] == "."


def terms(text: str, language: str = "nl") -> list[str]:
    """Content words in lower case: stop words and very short words removed."""
    stop = STOP_WORDS.get(language, STOP_WORDS["nl"])
    found = (match.group().lower().strip("'’-") for match in _WORD.finditer(text))
    return [word for word in found if len(word) >= 3 and word not in stop]


def term_weights(title: str, sentences: Sequence[str], language: str = "nl") -> Counter[str]:
    """Term frequencies over the story; the title counts double because it names the topic."""
    weights: Counter[str] = Counter()
    for term in terms(title, language):
        weights[term] += 2
    for sentence in sentences:
        weights.update(terms(sentence, language))
    return weights


def sentence_term_score(sentence: str, weights: Counter[str], language: str = "nl") -> float:
    """Mean weight of a sentence's distinct terms, damped so long sentences do not win by size."""
    distinct = set(terms(sentence, language))
    if not distinct:
        return 0.0
    return sum(weights[term] for term in distinct) / math.sqrt(len(distinct) + 1)
