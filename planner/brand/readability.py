"""Dutch readability figures that give a B1 indication for a text (never a certificate).

Government bodies write at B1; editors get Flesch-Douma, Leesindex A, sentence and word length
and a count of officialese, so they can see why a text reads hard, not only that it does.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pyphen
import regex

#: Officialese with a plain alternative; the Zuiderhaven style swaps the same words.
OFFICIALESE: dict[str, str] = {
    "aanvang": "begin",
    "aangaande": "over",
    "aldus": "zo",
    "alsmede": "en",
    "bijgevolg": "daardoor",
    "betreffende": "over",
    "conform": "volgens",
    "dan wel": "of",
    "derhalve": "daarom",
    "dienen": "moeten",
    "doch": "maar",
    "echter": "maar",
    "hetgeen": "wat",
    "indien": "als",
    "inzake": "over",
    "middels": "met",
    "nader": "later",
    "omtrent": "over",
    "onderhavige": "deze",
    "ontvangen": "krijgen",
    "teneinde": "om",
    "ten behoeve van": "voor",
    "ten aanzien van": "over",
    "terzake": "hierover",
    "thans": "nu",
    "trachten": "proberen",
    "verstrekken": "geven",
    "vervolgens": "daarna",
    "voornemens": "van plan",
    "wederom": "weer",
    "woonachtig": "wonend",
    "zulks": "dat",
    "zijnde": "als",
    "gelieve": "wilt u",
}

#: Thresholds of the indication; sources: Communicatierijk's B1 guidance (short sentences, common
#: words) and the usual reading of Flesch-Douma (60-70: fairly easy).
B1_MIN_FLESCH_DOUMA = 60.0
B1_MAX_SENTENCE_WORDS = 15.0
LONG_SENTENCE_WORDS = 20
LONG_WORD_SYLLABLES = 4
B1_MAX_LONG_WORD_SHARE = 0.10
MIN_WORDS = 20

_WORD = regex.compile(r"\p{L}[\p{L}\p{M}'’-]*")
#: What a reader does not read as prose: web addresses, e-mail addresses, hashtags and mentions
#: (a post's link and tags would otherwise count as long, hard words)
_NOT_PROSE = regex.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\w#@])[#@][\p{L}\p{N}_@.]+",
)
_SENTENCE_END = regex.compile(r"[.!?…]+(?=\s|$)|\n\s*\n")


@functools.lru_cache(maxsize=1)
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="nl_NL")


@functools.lru_cache(maxsize=16384)
def syllables(word: str) -> int:
    """Syllables by pyphen's nl_NL hyphenation, with a vowel-group fallback for short words."""
    positions = _dictionary().positions(word.lower())
    by_hyphen = len(positions) + 1
    groups = len(regex.findall(r"(?:ij|[aeiouyáéíóúàèëïöü])+", word.lower()))
    # pyphen never splits the first or last two letters; long vowel groups count once.
    return max(by_hyphen, min(groups, by_hyphen + 1), 1)


@dataclass(frozen=True, slots=True)
class ReadabilityReport:
    words: int
    sentences: int
    syllables: int
    #: 206.84 − 0.77 × syllables per 100 words − 0.93 × words per sentence.
    flesch_douma: float
    #: Brouwer's Leesindex A: 195 − ⅔ × syllables per 100 words − 2 × words per sentence.
    leesindex_a: float
    average_sentence_words: float
    long_sentences: int
    long_words: int
    long_word_share: float
    officialese: tuple[str, ...]
    #: True: B1 or easier; False: harder than B1; None: too short to say.
    is_b1: bool | None
    #: A short Dutch label, always worded as an indication.
    indication: str
    reasons: tuple[str, ...]


def analyse(text: str) -> ReadabilityReport:
    """Readability figures for Dutch prose (plain text; strip markup before calling).

    Links, e-mail addresses, hashtags and mentions are left out: they are not read as sentences.
    """
    text = _NOT_PROSE.sub(" ", text)
    words = _WORD.findall(text)
    pieces = [p for p in _SENTENCE_END.split(text) if _WORD.search(p)]
    sentence_count = max(len(pieces), 1 if words else 0)
    counts = [syllables(w) for w in words]
    n_words = len(words)
    total = sum(counts)
    per_100 = 100 * total / n_words if n_words else 0.0
    per_sentence = n_words / sentence_count if sentence_count else 0.0
    long_sentences = sum(1 for p in pieces if len(_WORD.findall(p)) > LONG_SENTENCE_WORDS)
    long_words = sum(1 for c in counts if c >= LONG_WORD_SYLLABLES)
    share = long_words / n_words if n_words else 0.0
    lowered = text.lower()
    found = tuple(
        term for term in OFFICIALESE if regex.search(rf"\b{regex.escape(term)}\b", lowered)
    )
    flesch = 206.84 - 0.77 * per_100 - 0.93 * per_sentence if n_words else 0.0
    leesindex = 195 - (2 / 3) * per_100 - 2 * per_sentence if n_words else 0.0
    reasons = []
    if flesch < B1_MIN_FLESCH_DOUMA:
        reasons.append(f"Flesch-Douma {flesch:.0f} (B1: {B1_MIN_FLESCH_DOUMA:.0f} of hoger)")
    if per_sentence > B1_MAX_SENTENCE_WORDS:
        reasons.append(f"gemiddeld {per_sentence:.1f} woorden per zin (B1: hooguit 15)")
    if share > B1_MAX_LONG_WORD_SHARE:
        reasons.append(f"{share:.0%} lange woorden (B1: hooguit 10%)")
    if found:
        reasons.append("ambtelijke woorden: " + ", ".join(found))
    if n_words < MIN_WORDS:
        is_b1: bool | None = None
        label = "te kort voor een indicatie"
    elif reasons:
        is_b1 = False
        label = "indicatie: moeilijker dan B1"
    else:
        is_b1 = True
        label = "indicatie: B1 of eenvoudiger"
    return ReadabilityReport(
        words=n_words,
        sentences=sentence_count,
        syllables=total,
        flesch_douma=round(flesch, 2),
        leesindex_a=round(leesindex, 2),
        average_sentence_words=round(per_sentence, 2),
        long_sentences=long_sentences,
        long_words=long_words,
        long_word_share=round(share, 3),
        officialese=found,
        is_b1=is_b1,
        indication=label,
        reasons=tuple(reasons),
    )
