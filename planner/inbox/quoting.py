"""Stripping quoted history from a mail reply, so the inbox shows what the resident wrote now
and not our own previous answer underneath it.

Pure text work. It cuts at the first attribution line of a quote ("Op do 3 dec. 2026 om 10:00
schreef Gemeente Zuiderhaven <webcare@…>:", "On … wrote:"), at Outlook's separators and header
blocks ("-----Oorspronkelijk bericht-----", "Van: … Verzonden: …") and drops a trailing block of
"> " lines. The reply-parser library on the package index (mail-parser-reply) misses Gmail's Dutch
attribution line, which ends in the sender's name rather than in "schreef:", so the rules are
ours; they only ever cut what comes after the new text.
"""

from __future__ import annotations

import re

_ATTRIBUTION = [
    # Gmail, Apple Mail, Thunderbird in Dutch and English; a long line may wrap once.
    re.compile(r"^\s*Op\s.{4,200}?\s(?:schreef|heeft)\b.*:\s*$", re.IGNORECASE),
    re.compile(r"^\s*On\s.{4,200}?\s(?:wrote|writes)\s*:\s*$", re.IGNORECASE),
    re.compile(
        r"^\s*-{2,}\s*(?:Oorspronkelijk bericht|Original Message|Doorgestuurd bericht|"
        r"Forwarded message)\s*-{2,}\s*$",
        re.IGNORECASE,
    ),
    re.compile(r"^\s*_{20,}\s*$"),
]
_HEADER = re.compile(r"^\s*\**(?:Van|From)\s*:\**\s", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*\**(?:Verzonden|Sent|Datum|Date|Aan|To|Onderwerp|Subject)\s*:", re.IGNORECASE
)
_QUOTED = re.compile(r"^\s*>")


def strip_quoted(text: str) -> str:
    """The new part of a reply: everything before the first quote marker, trimmed."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = len(lines)
    for index, line in enumerate(lines):
        joined = line if index + 1 >= len(lines) else f"{line} {lines[index + 1]}"
        if any(p.match(line) for p in _ATTRIBUTION) or (
            # an attribution wrapped over two lines ("Op … om 10:00 schreef" / "Naam <adres>:")
            line.strip().lower().startswith(("op ", "on "))
            and any(p.match(joined) for p in _ATTRIBUTION[:2])
            and index + 1 < len(lines)
            and _QUOTED.match(lines[index + 2] if index + 2 < len(lines) else ">")
        ):
            cut = index
            break
        if _HEADER.match(line) and any(
            _HEADER_NEXT.match(following) for following in lines[index + 1 : index + 4]
        ):
            cut = index
            break
    kept = lines[:cut]
    # A quote block at the end without an attribution line ("> …" answered above).
    while kept and (not kept[-1].strip() or _QUOTED.match(kept[-1])):
        kept.pop()
    stripped = "\n".join(kept).strip()
    return stripped or text.strip()
