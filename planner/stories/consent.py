"""The consent texts people agree to, versioned and kept as data.

A consent record stores the version and a snapshot of the text, so changing the wording here never
changes what somebody agreed to in the past: add a new version instead of editing an old one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date


@dataclass(frozen=True, slots=True)
class ConsentText:
    version: str
    language: str
    #: what we may do with the story
    story: str
    #: whether we may name the person
    name: str
    #: whether we may use photos they send or we take
    photos: str
    #: the day this version took effect; people read the version as this date
    effective: date = date(2026, 11, 1)

    @property
    def full_text(self) -> str:
        return "\n".join((self.story, self.name, self.photos))


CONSENT_VERSION = "2026-11-1"

CONSENT_TEXTS: dict[str, dict[str, ConsentText]] = {
    "2026-11-1": {
        "nl": ConsentText(
            version="2026-11-1",
            language="nl",
            story=(
                "Ik geef {organisation} toestemming om mijn verhaal te gebruiken op de "
                "website, in de nieuwsbrief en op sociale media. De gemeente mag de tekst "
                "inkorten en in eenvoudige taal herschrijven. Ik kan mijn toestemming altijd "
                "intrekken; dan publiceert de gemeente het verhaal niet meer."
            ),
            name="Mijn naam mag bij het verhaal staan.",
            photos="De gemeente mag foto's gebruiken die ik stuur of die met mij worden gemaakt.",
        ),
        "en": ConsentText(
            version="2026-11-1",
            language="en",
            story=(
                "I allow {organisation} to use my story on its website, in its "
                "newsletter and on social media. The municipality may shorten the text and "
                "rewrite it in plain language. I can withdraw my consent at any time; the "
                "municipality will then stop publishing the story."
            ),
            name="My name may appear with the story.",
            photos="The municipality may use photos I send or that are taken of me.",
        ),
    },
}


def consent_text(
    language: str, version: str = CONSENT_VERSION, *, organisation: str
) -> ConsentText:
    """The text of a version in a language (falling back to Dutch, the default language), naming
    the organisation the person gives consent to."""
    texts = CONSENT_TEXTS[version]
    text = texts.get(language) or texts["nl"]
    return replace(text, story=text.story.replace("{organisation}", organisation))


def version_date(version: str) -> date | None:
    """The day a consent version took effect, to show instead of its code."""
    texts = CONSENT_TEXTS.get(version)
    return next(iter(texts.values())).effective if texts else None
