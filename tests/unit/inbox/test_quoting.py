"""Quoted history is cut from mail replies: Gmail, Apple Mail and Outlook, in Dutch and English."""

from __future__ import annotations

from planner.inbox.quoting import strip_quoted


def test_gmail_dutch_attribution_line() -> None:
    text = (
        "Dank voor het snelle antwoord!\n\nGroet, Piet\n\n"
        "Op do 3 dec 2026 om 10:00 schreef Gemeente Zuiderhaven <webcare@zuiderhaven.nl>:\n"
        "> Beste Piet,\n> we kijken ernaar.\n"
    )
    assert strip_quoted(text) == "Dank voor het snelle antwoord!\n\nGroet, Piet"


def test_english_attribution_line() -> None:
    text = "Thanks!\n\nOn Thu, 3 Dec 2026 at 10:00, Gemeente <w@z.nl> wrote:\n> hi\n"
    assert strip_quoted(text) == "Thanks!"


def test_outlook_header_block() -> None:
    text = (
        "Het is nog steeds niet gemaakt.\n\n"
        "Van: Gemeente Zuiderhaven <webcare@zuiderhaven.nl>\n"
        "Verzonden: donderdag 3 december 2026 10:00\n"
        "Aan: Piet\nOnderwerp: RE: Stoep\n\nBeste Piet, ...\n"
    )
    assert strip_quoted(text) == "Het is nog steeds niet gemaakt."


def test_trailing_quote_block_without_attribution() -> None:
    assert strip_quoted("Ja, graag.\n\n> Mogen we je citeren?\n> Groet") == "Ja, graag."


def test_a_message_without_quotes_is_kept_whole() -> None:
    text = "Op de Dorpsstraat ligt een losse stoeptegel.\nIemand is gestruikeld."
    assert strip_quoted(text) == text
