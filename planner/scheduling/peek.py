"""What the calendar shows of one post when it is clicked: read in one place, so the dialog, its
no-JavaScript page and the tests see the same thing. A read; nothing is written."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.approval import services as approval_services
from planner.approval.models import FragmentApproval
from planner.channels.catalogue import ChannelKind, get_kind
from planner.channels.marks import channel_mark
from planner.channels.preview import PhotoPreview, Preview, render_photos, render_preview
from planner.errors import ValidationError
from planner.fragments import services as fragment_services
from planner.fragments.models import Fragment
from planner.markup import render_markdown
from planner.publishing.models import Delivery


@dataclass(frozen=True, slots=True)
class FragmentPeek:
    fragment: Fragment
    kind: ChannelKind
    mark: str
    #: the first post as the channel shows it (posts and threads)
    preview: Preview | None
    #: how many posts the thread has (1 for anything else)
    parts: int
    #: an article's or newsletter's body as readers see it, sanitised by nh3
    article_html: str | None
    photos: list[PhotoPreview]
    #: the newest delivery, whatever its state
    delivery: Delivery | None
    approvals_needed: int
    approvals: list[FragmentApproval]


def peek_fragment(session: Session, actor: User | None, fragment_id: int) -> FragmentPeek:
    """The post behind a calendar event; editors only (as the calendar)."""
    fragment = fragment_services.get_fragment(session, actor, fragment_id)
    kind = get_kind(fragment.channel.kind_key)
    by_id = {photo.id: photo for photo in fragment.story.photos}
    photos = [by_id[i] for i in dict.fromkeys(fragment.photo_ids or ()) if i in by_id]
    social = fragment.kind in ("post", "thread") and bool(fragment.parts)
    article_html = None
    if fragment.kind == "article":
        try:
            article_html = render_markdown(fragment.body or "")
        except ValidationError:
            article_html = None
    delivery = session.scalar(
        select(Delivery)
        .where(Delivery.fragment_id == fragment.id)
        .order_by(Delivery.id.desc())
        .limit(1)
    )
    return FragmentPeek(
        fragment=fragment,
        kind=kind,
        mark=channel_mark(kind.key),
        preview=render_preview(fragment.parts[0], kind) if social else None,
        parts=len(fragment.parts) if social else 1,
        article_html=article_html,
        photos=render_photos([(p.id, p.alt_text) for p in photos], kind),
        delivery=delivery,
        approvals_needed=approval_services.approvals_needed(fragment),
        approvals=approval_services.current_approvals(session, fragment),
    )
