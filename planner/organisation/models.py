"""One installation serves one organisation; its settings live in a single row."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from planner.db import Base, utcnow


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    default_language: Mapped[str] = mapped_column(String(8), default="nl")
    #: the organisation's own web domain, used to recognise own links for UTM checks
    website: Mapped[str | None] = mapped_column(String(200))
    hashtag: Mapped[str | None] = mapped_column(String(60))
    #: further domains of the organisation (one per line or comma-separated): links to these and
    #: to the website's domain need UTM parameters
    own_domains: Mapped[str | None] = mapped_column(String(1000))
    #: the address of the organisation's privacy statement, linked from the resident's intake
    privacy_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def domains(self) -> tuple[str, ...]:
        """The organisation's own domains: the website's and the listed ones, lower case."""
        found: list[str] = []
        for raw in [self.website or "", *re.split(r"[\s,;]+", self.own_domains or "")]:
            host = domain_of(raw)
            if host and host not in found:
                found.append(host)
        return tuple(found)


def domain_of(text: str) -> str:
    """The bare host of a domain or address: "https://www.Zuiderhaven.nl/x" gives zuiderhaven.nl."""
    text = text.strip()
    if not text:
        return ""
    try:
        host = urlsplit(text if "://" in text else "https://" + text).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")
