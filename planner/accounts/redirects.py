"""Where a ``?next=`` may send someone after signing in: only a path on this site.

Browsers forgive a lot in a ``Location`` header: they drop tabs and line breaks, read a
backslash as a slash and take ``//host`` as another site. So only a plain relative path of
printable ASCII passes, starting with one slash and never with two (in any spelling); anything
else means "no next", and the caller sends the person to the dashboard. Pure: no Flask here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

#: longer than any address of ours; a long ``next`` is not worth the risk
MAX_LENGTH = 2000
_ALLOWED = frozenset(chr(c) for c in range(0x21, 0x7F)) - {"\\"}


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site ("/fragments?status=draft"), else None."""
    if not target or len(target) > MAX_LENGTH:
        return None
    if not set(target) <= _ALLOWED:  # control characters, spaces, backslashes, non-ASCII
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        return None
    return target
