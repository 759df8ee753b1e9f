"""Which channel crops anyone may fetch: the photos of what went out, or is going out now.

Remote channels (Mastodon, Instagram, a newsletter) fetch our photos by URL, so those crops are
public; every other stored file stays private, and a withdrawn consent takes a photo down again.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.channels.models import Channel
from planner.errors import NotFoundError, ValidationError
from planner.fragments.models import Fragment, FragmentStatus
from planner.media.storage import parse_key
from planner.publishing.models import Delivery, DeliveryState
from planner.stories.models import PhotoVariant
from planner.stories.photos import photos_may_go_out


def public_media_mime(session: Session, key: str) -> str:
    """The MIME type of a channel crop anyone may fetch, or NotFoundError.

    A crop is public while a fragment that chose its photo, on a channel of the crop's kind, is
    being sent or has been published, the photo is described and consent still stands; the key is
    content-addressed, so it cannot be guessed. Everything else stays private (the same 404 as a
    key that does not exist, so nothing leaks about what is stored).
    """
    try:
        key = parse_key(key)
    except ValidationError as exc:
        raise NotFoundError("This media file does not exist.") from exc
    for variant in session.scalars(select(PhotoVariant).where(PhotoVariant.storage_key == key)):
        photo = variant.photo
        if not photo.has_alt_text or not photos_may_go_out(photo.story):
            continue
        candidates = session.scalars(
            select(Fragment)
            .join(Channel, Fragment.channel_id == Channel.id)
            .where(
                Fragment.story_id == photo.story_id,
                Channel.kind_key == variant.channel_kind,
                Fragment.status.in_((FragmentStatus.PUBLISHED, FragmentStatus.SCHEDULED)),
            )
        )
        for fragment in candidates:
            if photo.id not in (fragment.photo_ids or ()):
                continue
            if fragment.status == FragmentStatus.PUBLISHED or session.scalar(
                select(Delivery.id).where(
                    Delivery.fragment_id == fragment.id,
                    Delivery.state == DeliveryState.SENDING,
                )
            ):
                return variant.mime
    raise NotFoundError("This media file does not exist.")
