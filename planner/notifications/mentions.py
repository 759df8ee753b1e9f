"""Who a comment @mentions: ``@sanne``, ``@Sanne`` or ``@sanne.bakker`` names a colleague by the
first word of their name or by the part of their e-mail address before the @.

Pure: it takes the text and (id, name, e-mail) triples, so it is tested without a database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: an @ at the start or after a space or bracket, then a handle (letters, digits, . _ -)
MENTION = re.compile(r"(?:(?<=^)|(?<=[\s(\[]))@([\w][\w.\-]*)", re.UNICODE)


def handles(text: str) -> set[str]:
    return {m.group(1).rstrip(".-").casefold() for m in MENTION.finditer(text or "")}


def mentioned(text: str, people: Iterable[tuple[int, str, str]]) -> list[int]:
    """Ids of the people the text mentions, in the order given; unknown handles are ignored."""
    wanted = handles(text)
    if not wanted:
        return []
    found = []
    for person_id, name, email in people:
        first = (name.split() or [""])[0].casefold()
        local = email.split("@", 1)[0].casefold()
        if first in wanted or local in wanted:
            found.append(person_id)
    return found
