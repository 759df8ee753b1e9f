"""The inbox's sources: each speaks one real protocol (Mastodon's REST API, IMAP and SMTP,
Standard Webhooks, RSS/Atom) and hands the services plain ``Incoming`` values, so nothing here
touches the database and each source can be tested against a real server on 127.0.0.1.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser


@dataclass(frozen=True)
class Attachment:
    name: str
    mime: str
    data: bytes


@dataclass(frozen=True)
class Incoming:
    """One message as a source delivered it, before it is threaded and stored."""

    #: the source's own id: what makes a message arrive once
    remote_key: str
    #: what an answer refers to (a status id, a Message-ID)
    remote_id: str | None
    #: what threads messages of one author: a lower-cased handle or e-mail address
    author_key: str
    author_name: str | None
    body: str
    received_at: datetime
    author_handle: str | None = None
    author_email: str | None = None
    subject: str | None = None
    visibility: str | None = None
    remote_url: str | None = None
    references: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "div", "li", "blockquote", "h1", "h2", "h3", "tr"):
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.out.append(data)


_BLANK_LINES = re.compile(r"\n{3,}")


def html_to_text(markup: str) -> str:
    """Readable plain text of a status or an HTML mail: line breaks kept, tags dropped."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.out))
    lines = [line.rstrip() for line in text.replace("\xa0", " ").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
