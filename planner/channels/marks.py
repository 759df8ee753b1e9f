"""A short mark per kind of channel, so a calendar event, a preview or a by-hand card says at a
glance where it goes, next to the channel's own colour (we ship no platform logos: their use is
bound to brand rules, and a letter in the channel colour reads well at the size of a calendar row).
"""

from __future__ import annotations

_MARKS = {
    "x": "X",
    "mastodon": "M",
    "bluesky": "B",
    "threads": "@",
    "linkedin": "in",
    "facebook": "f",
    "instagram": "IG",
    "youtube": "▶",
    "tiktok": "TT",
    "blog": "¶",
    "newsletter": "✉",
    "webhook": "⇄",
}


def channel_mark(kind_key: str) -> str:
    """The mark of a kind of channel; the first letter of its key for a kind added later."""
    return _MARKS.get(kind_key, kind_key[:1].upper())
