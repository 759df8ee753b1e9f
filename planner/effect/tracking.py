"""The engine's link tracker (planner.publishing.engine.links): every link to a web page in a
fragment that goes out becomes ``{base_url}/l/<code>``.

Codes are sqids over a random 40-bit number (short, unguessable, no sequence to walk). The rows
are keyed by delivery and position, so a retry of the same delivery reuses its codes and sends the
same text; they are written in their own short transaction before the request leaves (a link
that is never followed costs one row, a click on a link that was never written cannot happen).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqids import Sqids
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from planner.db import write_session
from planner.effect.links import find_links, medium_for, rewrite_all, slug
from planner.effect.models import TrackedLink
from planner.publishing.engine.links import Outgoing

_SQIDS = Sqids(min_length=7)


def new_code(session: Session) -> str:
    while True:
        code = str(_SQIDS.encode([secrets.randbits(40)]))
        if session.scalar(select(TrackedLink.id).where(TrackedLink.code == code)) is None:
            return code


class LinkTracker:
    """Called by the engine for each fragment delivery it prepares."""

    def __init__(self, base_url: str) -> None:
        self.prefix = base_url.rstrip("/")

    def __call__(self, factory: sessionmaker[Session], outgoing: Outgoing) -> Sequence[str]:
        urls = find_links(outgoing.texts, skip_prefix=self.prefix + "/")
        if not urls:
            return outgoing.texts
        with write_session(factory) as session:
            known = {
                link.position: link
                for link in session.scalars(
                    select(TrackedLink).where(TrackedLink.delivery_id == outgoing.delivery_id)
                )
            }
            replacements = {}
            for position, url in enumerate(urls):
                link = known.get(position)
                if link is None or link.target_url != url:
                    link = TrackedLink(
                        code=new_code(session),
                        delivery_id=outgoing.delivery_id,
                        fragment_id=outgoing.fragment_id,
                        channel_id=outgoing.channel_id,
                        position=position if link is None else position + 1000 * len(known),
                        target_url=url[:2000],
                        utm_source=slug(outgoing.channel_name) or outgoing.channel_kind,
                        utm_medium=medium_for(outgoing.channel_kind),
                        utm_campaign=slug(outgoing.campaign, 200),
                        utm_content=f"fragment-{outgoing.fragment_id}",
                    )
                    session.add(link)
                    session.flush()
                replacements[url] = f"{self.prefix}/l/{link.code}"
        return rewrite_all(outgoing.texts, replacements)
