"""Word lists matched with one automaton instead of one regular expression per word.

A style with hundreds of terms would otherwise run hundreds of regexes over every post; an
Aho-Corasick automaton finds every term in one pass, and a Unicode word-boundary check on each hit
gives the same answers as Vale's `\\b(?:a|b|…)\\b`, including its leftmost-first alternation.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence

import ahocorasick
import regex

_WORD = regex.compile(r"\w")
#: A token is literal when it has no regex syntax: the automaton can match it verbatim.
_LITERAL = regex.compile(r"[^.^$*+?{}\[\]\\|()]+")


@functools.lru_cache(maxsize=8192)
def is_word_char(char: str) -> bool:
    return _WORD.match(char) is not None


def at_boundary(text: str, index: int) -> bool:
    """What `\\b` means at `index`: a word character on exactly one side."""
    before = index > 0 and is_word_char(text[index - 1])
    after = index < len(text) and is_word_char(text[index])
    return before != after


def is_literal(token: str) -> bool:
    return bool(_LITERAL.fullmatch(token))


def safe_lower(text: str) -> str:
    """Lower-case without changing the length (a few characters lower to two code points)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


class WordListScanner:
    """Every literal token of every rule in two automata (case-sensitive and case-folded).

    `scan` returns, per rule key, the hits (start, end, token index) that sit on word
    boundaries; `select` then keeps what a regex alternation would have matched.
    """

    def __init__(self) -> None:
        self._entries: dict[bool, dict[str, list[tuple[str, int]]]] = {
            True: defaultdict(list),
            False: defaultdict(list),
        }
        self._automata: dict[bool, ahocorasick.Automaton | None] = {True: None, False: None}
        self._word_rules: set[str] = set()

    def add(self, rule_key: str, tokens: Sequence[str], *, ignorecase: bool, words: bool) -> None:
        for index, token in enumerate(tokens):
            key = safe_lower(token) if ignorecase else token
            self._entries[ignorecase][key].append((rule_key, index))
        if words:
            self._word_rules.add(rule_key)

    def build(self) -> None:
        for folded, entries in self._entries.items():
            if not entries:
                continue
            automaton = ahocorasick.Automaton()
            for key, targets in entries.items():
                automaton.add_word(key, (len(key), tuple(targets)))
            automaton.make_automaton()
            self._automata[folded] = automaton

    @property
    def has_entries(self) -> bool:
        return any(a is not None for a in self._automata.values())

    def scan(self, text: str) -> dict[str, list[tuple[int, int, int]]]:
        hits: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for folded in (False, True):
            automaton = self._automata[folded]
            if automaton is None:
                continue
            haystack = safe_lower(text) if folded else text
            for end_index, (length, targets) in automaton.iter(haystack):
                end = end_index + 1
                start = end - length
                bounded = at_boundary(text, start) and at_boundary(text, end)
                for rule_key, token_index in targets:
                    if bounded or rule_key not in self._word_rules:
                        hits[rule_key].append((start, end, token_index))
        return hits


def select(hits: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Non-overlapping hits, leftmost first; at one start the earliest token wins (alternation)."""
    hits = sorted(hits, key=lambda h: (h[0], h[2]))
    chosen = []
    pos = -1
    for start, end, index in hits:
        if start >= pos:
            chosen.append((start, end, index))
            pos = end if end > start else start + 1
    return chosen
