"""Where a fragment's hashtags live. A post's or thread's are written in its text, where readers
see them, so the stored list is read from the text; an article's are a list of their own (sent
with it to a webhook or website). Pure: no Flask, no database."""

from __future__ import annotations

from collections.abc import Sequence

from planner.channels.preview import tokenize

#: fragment kinds whose hashtags are written in their text (an article's are a list of their own)
TAGS_IN_TEXT = frozenset({"post", "thread"})
TAGS_ARE_TEXT = "In a post the hashtags are part of its text: write them there."


def clean_tags(hashtags: Sequence[str]) -> list[str]:
    """Tags as stored: trimmed, without "#", empty ones dropped."""
    return [tag.strip().lstrip("#") for tag in hashtags if tag.strip().lstrip("#")]


def hashtags_in_text(parts: Sequence[str]) -> list[str]:
    """The hashtags written in a post's text, without "#", in order, each once (any case)."""
    seen: dict[str, str] = {}
    for part in parts:
        for token in tokenize(part):
            if token.kind == "hashtag":
                seen.setdefault(token.text[1:].lower(), token.text[1:])
    return list(seen.values())
