"""Notification texts in the reader's language.

A notification is written once, by a service, for people who may read Dutch or English; the
bell and the e-mail show what was stored. So the service hands in a ``Phrase`` (an English
catalogue entry with its values) and ``notify`` renders it per recipient, in their own language
(the organisation's Dutch when they chose none), with the same catalogue the pages use. Pure:
Babel's catalogue files, no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

CATALOGUE = Path(__file__).resolve().parents[1] / "translations"
LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"


class Phrase:
    """``Phrase("Assigned to you: %(title)s", title=...)``; extracted like ``_()``."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params: object) -> None:
        self.msgid = msgid
        self.params: Mapping[str, object] = params

    def __repr__(self) -> str:
        return f"Phrase({self.msgid!r})"

    def render(self, language: str | None) -> str:
        text = _catalogue(language if language in LANGUAGES else DEFAULT_LANGUAGE).gettext(
            self.msgid
        )
        if not self.params:
            return text
        # A value may be a phrase itself ("in %(where)s"), said in the same language.
        values = {
            k: render(v, language) if isinstance(v, Phrase) else v for k, v in self.params.items()
        }
        return text % values


def render(text: str | Phrase | None, language: str | None) -> str | None:
    return text.render(language) if isinstance(text, Phrase) else text


@lru_cache(maxsize=4)
def _catalogue(language: str) -> NullTranslations:
    return Translations.load(str(CATALOGUE), [language], domain="messages")
