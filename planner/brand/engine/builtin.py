"""Rules that exist without a style folder: Vale's own (Terms, Avoid, Repetition, Spelling) and
the engine's Dutch B1 indication (Leesbaarheid.B1).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import regex

from planner.brand.engine.kinds import build_rule
from planner.brand.engine.rules import Hit, Rule, RunState, Selector, format_message


class B1Indication(Rule):
    """A warning when the whole text reads harder than B1 (an indication, never a certificate)."""

    extends = "readability"

    def __init__(self, name: str, data: Mapping[str, Any], path: str) -> None:
        super().__init__(name, data, path)
        self.scope = (Selector(frozenset(), (), "summary"),)

    def find(self, text: str, base: int, state: RunState) -> list[Hit]:
        from planner.brand.readability import analyse

        report = analyse(text)
        if report.is_b1 is False:
            return [Hit(0, 0, format_message(self.message, "; ".join(report.reasons)))]
        return []


_PHRASE = regex.compile(r"[\p{L}\p{N} -]+")


def _terms_swap(accepted: list[str]) -> dict[str, str]:
    swap: dict[str, str] = {}
    for term in accepted:
        swap[term.lower() if _PHRASE.fullmatch(term) else term] = term
    return swap


def builtin_rules(
    accepted: list[str], rejected: list[str], styles_path: Path | None = None
) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    if accepted:
        rules["Vale.Terms"] = build_rule(
            "Vale.Terms",
            {
                "extends": "substitution",
                "message": "Use '%s' instead of '%s'.",
                "level": "error",
                "ignorecase": True,
                "vocab": False,
                # Vale: each plain term (letters, digits, spaces, hyphens) under its lowercase
                # form, so a later vocabulary's spelling of a term wins; a term written as a
                # pattern (the app's escaped term list) checks against itself.
                "swap": _terms_swap(accepted),
            },
            "Vale.Terms (accept.txt)",
        )
    if rejected:
        rules["Vale.Avoid"] = build_rule(
            "Vale.Avoid",
            {
                "extends": "existence",
                "message": "Avoid using '%s'.",
                "level": "error",
                "vocab": False,
                "tokens": list(rejected),
            },
            "Vale.Avoid (reject.txt)",
        )
    rules["Vale.Repetition"] = build_rule(
        "Vale.Repetition",
        {
            "extends": "repetition",
            "message": "'%s' is repeated!",
            "level": "error",
            "alpha": True,
            "action": {"name": "edit", "params": ["truncate", " "]},
            "tokens": [r"[^\s]+"],
        },
        "Vale.Repetition (built in)",
    )
    rules["Vale.Spelling"] = build_rule(
        "Vale.Spelling",
        {
            "extends": "spelling",
            "message": "Did you really mean '%s'?",
            "level": "error",
            "action": {"name": "suggest", "params": ["spellings"]},
        },
        "Vale.Spelling (built in)",
        styles_path=styles_path,
        builtin=True,
    )
    rules["Leesbaarheid.B1"] = B1Indication(
        "Leesbaarheid.B1",
        {
            "message": "Deze tekst leest moeilijker dan B1 (indicatie): %s.",
            "level": "warning",
        },
        "Leesbaarheid.B1 (built in)",
    )
    return rules
