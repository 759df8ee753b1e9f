"""The built-in blog: posts written inside the delivery's own transaction, public pages and Atom.

``publish_in_transaction`` is the publisher for channels of kind "blog". It writes the post in the
transaction that also marks the delivery sent, and the unique ``delivery_id`` lets a retried
attempt find the post instead of writing a second one: the blog is exactly once by construction.
The feed is built with xml.etree from stored values only, so it is stable between requests.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.blog.models import BlogPost
from planner.errors import NotFoundError, ValidationError
from planner.fragments import corrections
from planner.fragments.models import Fragment
from planner.markup import render_markdown
from planner.publishing.models import Delivery
from planner.publishing.ports import PermanentPublishError, PublishRequest, PublishResult
from planner.stories.models import Story, StorySource

PER_PAGE = 10
FEED_SIZE = 20
ATOM_NS = "http://www.w3.org/2005/Atom"
_SLUG_MAX = 80


def slugify(text: str) -> str:
    """A lowercase ASCII slug: "Veertig bankjes in één jaar!" -> "veertig-bankjes-in-een-jaar"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:_SLUG_MAX].rstrip("-") or "bericht"


def _unique_slug(session: Session, base: str) -> str:
    taken = set(
        session.scalars(
            select(BlogPost.slug).where((BlogPost.slug == base) | BlogPost.slug.like(base + "-%"))
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def publish_in_transaction(
    session: Session,
    delivery: Delivery,
    now: datetime,
    *,
    base_url: str = "",
    request: PublishRequest | None = None,
) -> PublishResult:
    """Write (or find) the post for ``delivery``; the caller commits it with the delivery state.

    With the engine's ``request`` the post carries the text as prepared (tracked links in place
    of the editor's, planner.publishing.engine.links); without, the fragment's own text.
    """
    existing = session.scalar(select(BlogPost).where(BlogPost.delivery_id == delivery.id))
    if existing is None:
        existing = _write_post(session, delivery, now, request)
    return PublishResult(
        remote_id=str(existing.id),
        remote_url=f"{base_url.rstrip('/')}/blog/{existing.slug}",
        raw={"slug": existing.slug},
    )


class BlogPublisher:
    """The engine's publisher for channels of kind "blog" (an InTransactionPublisher)."""

    def publish_in_transaction(
        self,
        session: Session,
        delivery: Delivery,
        now: datetime,
        *,
        base_url: str,
        request: PublishRequest | None = None,
    ) -> PublishResult:
        return publish_in_transaction(session, delivery, now, base_url=base_url, request=request)


def _lead_apart(lead: str | None, body: str) -> str | None:
    """The lead to show above the body, or None when the body opens with it (as the splitter
    drafts an article): a reader should not meet the first sentence twice."""
    clean = " ".join((lead or "").split())
    if not clean or " ".join(body.split()).startswith(clean):
        return None
    return lead


def _write_post(
    session: Session, delivery: Delivery, now: datetime, request: PublishRequest | None
) -> BlogPost:
    fragment = delivery.fragment
    story = fragment.story
    if fragment.kind == "article":
        title = (fragment.title or story.title).strip()
        body = fragment.body or ""
        lead = _lead_apart(fragment.lead, body)
    elif fragment.kind in ("post", "thread"):
        title = (fragment.title or story.title).strip()
        lead = None
        body = "\n\n".join(request.parts if request is not None else fragment.parts)
    else:
        raise PermanentPublishError("A video brief cannot be published on the blog.")
    try:
        # An article's prepared HTML is its body rendered the same way, links tracked.
        prepared = request.html if request is not None and fragment.kind == "article" else None
        html = prepared or render_markdown(body)
    except ValidationError as exc:
        raise PermanentPublishError(f"The article cannot be rendered: {exc.message}") from exc
    hero = next((p for p in story.photos if p.has_alt_text), None)
    post = BlogPost(
        slug=_unique_slug(session, slugify(title)),
        title=title[:300],
        lead=lead,
        body=body,
        html=html,
        hero_photo=hero,
        published_at=now,
        fragment_id=fragment.id,
        delivery_id=delivery.id,
        created_at=now,
        updated_at=now,
    )
    session.add(post)
    session.flush()
    return post


# --- corrections ----------------------------------------------------------------------------------

#: the longest note "what was corrected" shown on a post
MAX_NOTE = 1000


def post_of(session: Session, fragment: Fragment) -> BlogPost | None:
    """The blog post a fragment became (the latest, should it have gone out twice)."""
    post: BlogPost | None = session.scalar(
        select(BlogPost).where(BlogPost.fragment_id == fragment.id).order_by(BlogPost.id.desc())
    )
    return post


def correct_post(
    session: Session,
    actor: User | None,
    fragment: Fragment,
    *,
    title: str | None,
    lead: str | None,
    body: str | None,
    note: str | None,
    now: datetime,
) -> BlogPost:
    """Correct a published blog post in place: same address, new text, and a visible note of
    when and what was corrected (the newsroom's "bijgewerkt"). The fragment keeps the text as a
    new version, so the editor and the archive agree with the post."""
    actor = require_role(actor, Role.EDITOR)
    post = post_of(session, fragment)
    if post is None:
        raise NotFoundError("This fragment has no post on the blog.")
    clean_note = (note or "").strip()
    if not clean_note:
        raise ValidationError("Say what was corrected; readers see it on the post.", field="note")
    if len(clean_note) > MAX_NOTE:
        raise ValidationError("The note is too long (1000 characters at most).", field="note")
    corrections.correct_published_text(session, actor, fragment, title=title, lead=lead, body=body)
    post.title = (fragment.title or fragment.story.title).strip()[:300]
    post.body = fragment.body or ""
    post.lead = _lead_apart(fragment.lead, post.body)
    post.html = render_markdown(post.body)
    post.corrected_at = now
    post.correction_note = clean_note
    post.updated_at = now
    session.flush()
    record_event(session, actor, "blog.correct", post, fragment=fragment.id, note=clean_note)
    return post


# --- reading ------------------------------------------------------------------------------------


def credit(post: BlogPost) -> str | None:
    """The resident whose story this is, by name, when they agreed to be named (and still do)."""
    story = post.fragment.story if post.fragment is not None else None
    if story is None or story.source != StorySource.RESIDENT or not story.contributor_name:
        return None
    if story.consent_withdrawn_at is not None:
        return None
    if any(c.allow_name and c.withdrawn_at is None for c in story.consents):
        return story.contributor_name
    return None


@dataclass(frozen=True)
class PostPage:
    posts: list[BlogPost]
    page: int
    pages: int
    total: int


def _visible(query: Select[Any]) -> Select[Any]:
    """Only posts whose story may still be told: withdrawn consent or an erased story takes the
    post off our own blog (the archive keeps its record for the organisation)."""
    return (
        query.join(Fragment, BlogPost.fragment_id == Fragment.id)
        .join(Story, Fragment.story_id == Story.id)
        .where(Story.consent_withdrawn_at.is_(None))
    )


def hero_allowed(post: BlogPost) -> bool:
    """The hero photo shows only while the story's consent covers photos."""
    if post.hero_photo is None or post.fragment is None:
        return False
    consents = post.fragment.story.consents
    return any(c.allow_photos and c.withdrawn_at is None for c in consents) or not consents


def list_posts(session: Session, page: int = 1, per_page: int = PER_PAGE) -> PostPage:
    """Published posts, newest first; public, so no actor."""
    total = session.scalar(_visible(select(func.count()).select_from(BlogPost))) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    posts = list(
        session.scalars(
            _visible(select(BlogPost))
            .order_by(BlogPost.published_at.desc(), BlogPost.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    return PostPage(posts=posts, page=page, pages=pages, total=total)


def get_post(session: Session, slug: str) -> BlogPost:
    post: BlogPost | None = session.scalar(_visible(select(BlogPost)).where(BlogPost.slug == slug))
    if post is None:
        raise NotFoundError("This blog post does not exist.")
    return post


def _rfc3339(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_feed(
    posts: list[BlogPost], *, base_url: str, title: str, feed_id: str | None = None
) -> bytes:
    """An Atom 1.0 document for ``posts`` (newest first); ids are stable tag-like URNs."""
    root_url = base_url.rstrip("/")
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "id", feed_id or f"{root_url}/blog/")
    sub(feed, "title", title)
    updated = max((p.updated_at for p in posts), default=datetime(2026, 1, 1, tzinfo=UTC))
    sub(feed, "updated", _rfc3339(updated))
    sub(feed, "link", rel="self", href=f"{root_url}/blog/feed.atom", type="application/atom+xml")
    sub(feed, "link", rel="alternate", href=f"{root_url}/blog", type="text/html")
    author = sub(feed, "author")
    sub(author, "name", title)
    for post in posts:
        entry = sub(feed, "entry")
        sub(entry, "id", f"{root_url}/blog/posts/{post.id}")
        sub(entry, "title", post.title)
        sub(entry, "link", rel="alternate", href=f"{root_url}/blog/{post.slug}", type="text/html")
        sub(entry, "published", _rfc3339(post.published_at))
        sub(entry, "updated", _rfc3339(post.updated_at))
        if post.lead:
            sub(entry, "summary", post.lead)
        sub(entry, "content", post.html, type="html")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body
