"""Links in outgoing text, pure: find the links to web pages, put our own short links in their
place, and add the UTM parameters a redirect carries. No Flask, no database.

A link is an ``http(s)://`` URL in plain text, Markdown or HTML. Trailing punctuation that ends a
sentence (``.``, ``,``, ``!``, a closing bracket without its opening one) is not part of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_URL = re.compile(r"https?://[^\s<>\"'`\]\[{}|\\^]+", re.IGNORECASE)
_TRAILING = ".,;:!?*_~"

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")

#: channel kinds whose readers arrive from an e-mail or a web page rather than a social feed
_MEDIUM = {"newsletter": "email", "blog": "web", "wordpress": "web", "webhook": "web"}


def _trim(url: str) -> str:
    while url and url[-1] in _TRAILING:
        url = url[:-1]
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1]
    return url


def find_links(texts: Iterable[str | None], *, skip_prefix: str = "") -> list[str]:
    """The distinct links to web pages in ``texts``, in order of first appearance.

    Links starting with ``skip_prefix`` (the planner itself: its media and its own short links)
    are left alone.
    """
    seen: dict[str, None] = {}
    for text in texts:
        for match in _URL.finditer(text or ""):
            url = _trim(match.group(0))
            host = urlsplit(url).hostname
            if not host or (skip_prefix and url.startswith(skip_prefix)):
                continue
            seen.setdefault(url, None)
    return list(seen)


def rewrite(text: str, replacements: Mapping[str, str]) -> str:
    """``text`` with every link in ``replacements`` replaced by its short link."""

    def swap(match: re.Match[str]) -> str:
        whole = match.group(0)
        url = _trim(whole)
        short = replacements.get(url)
        return whole if short is None else short + whole[len(url) :]

    return _URL.sub(swap, text)


def medium_for(channel_kind: str) -> str:
    """``utm_medium``: email for newsletters, web for sites, social for the rest."""
    return _MEDIUM.get(channel_kind, "social")


def slug(value: str, limit: int = 100) -> str:
    """A UTM value: lower case, words joined by hyphens."""
    words = re.findall(r"\w+", value.lower())
    return "-".join(words)[:limit]


def with_utm(target: str, utm: Mapping[str, str]) -> str:
    """``target`` with the UTM parameters added; any the editor put in the link win."""
    parts = urlsplit(target)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {key for key, _ in query}
    query += [(key, value) for key, value in utm.items() if value and key not in present]
    return urlunsplit(parts._replace(query=urlencode(query)))


def referrer_host(referrer: str | None) -> str:
    """Only the host of a Referer header: never its path, which may say who someone is."""
    if not referrer:
        return ""
    try:
        host = urlsplit(referrer.strip()).hostname or ""
    except ValueError:
        return ""
    return host.lower()[:255]


def rewrite_all(texts: Sequence[str], replacements: Mapping[str, str]) -> list[str]:
    return [rewrite(text, replacements) for text in texts]
