"""Preparing: read what each claimed delivery needs, in one read-only transaction, and turn it
into a plain ``PublishRequest`` for the adapter plus the archive record's content.

Withdrawn consent or a fragment changed since it was scheduled cancels the delivery here, before
anything leaves; a version without the approvals its channel needs (from people who did not write
it: planner.approval.services.approval_shortfall) fails it with that reason, whatever raced before;
photos travel as the channel's crop (planner.stories.photos.channel_crop).
This is the one place a fragment's text becomes the outgoing payload, so it is also where the
links in it become tracked short links (``EngineConfig.links``, planner.publishing.engine.links):
the request carries the short links, the archive record the text as sent (``parts``) next to the
text as written (``body``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload, sessionmaker

from planner.approval.models import ApprovalDecision, FragmentApproval
from planner.approval.services import approval_shortfall
from planner.channels.catalogue import find_kind
from planner.channels.models import Channel
from planner.fragments.gate import fragment_photos
from planner.fragments.models import Fragment
from planner.media.storage import Storage, parse_key
from planner.publishing.archive import publication_content
from planner.publishing.engine import kinds
from planner.publishing.engine.links import LinkTracker, Outgoing
from planner.publishing.engine.shared import (
    Claim,
    EngineConfig,
)
from planner.publishing.models import FRAGMENT_DELIVERY, Delivery
from planner.publishing.ports import (
    MediaItem,
    Publisher,
    PublishRequest,
)
from planner.stories.models import Story
from planner.stories.photos import channel_crop, photos_may_go_out

#: how many photos travel with one publication at most
MAX_MEDIA = 4


CONSENT_WITHDRAWN = "Consent for the story was withdrawn; the publication was stopped."


CHANGED_SINCE_SCHEDULED = "The fragment changed after it was scheduled; approve it again."


@dataclass
class Job:
    claim: Claim
    #: None for a registered delivery kind (planner.publishing.engine.kinds)
    fragment_id: int | None
    kind: str
    channel: Channel | None = None
    request: PublishRequest | None = None
    archive: dict[str, Any] = field(default_factory=dict)
    cancel_reason: str | None = None
    #: why the delivery fails without being sent (a version short of approvals)
    refuse_reason: str | None = None
    #: a registered kind's own publisher; None: the channel's
    publisher: Publisher | None = None


UNKNOWN_KIND = "No feature in this process knows how to send this kind of delivery."


def _registered_job(session: Session, delivery: Delivery, claim: Claim) -> Job:
    kind = kinds.find(delivery.kind)
    if kind is None:
        return Job(claim, None, delivery.kind, cancel_reason=UNKNOWN_KIND)
    prepared = kind.prepare(session, delivery, claim)
    return Job(
        claim,
        None,
        prepared.publisher_kind,
        channel=delivery.channel,
        request=prepared.request,
        archive=dict(prepared.archive),
        cancel_reason=prepared.cancel_reason,
        publisher=prepared.publisher,
    )


def _loader(storage: Storage, key: str) -> Callable[[], bytes]:
    def load() -> bytes:
        data: bytes = storage.read(key)
        return data

    return load


def _media(
    factory: sessionmaker[Session],
    story: Story,
    base_url: str,
    storage: Storage | None,
    fragment: Fragment | None = None,
) -> list[MediaItem]:
    """The fragment's chosen photos (none when it chose none), each as the channel's crop.

    The crop is the one the editor's preview shows (planner.stories.photos.channel_crop). The URL
    is public but unguessable (content-addressed) and served only once the fragment is being sent
    or has been published (planner.publishing.public_media).
    """
    if fragment is None or storage is None or not photos_may_go_out(story):
        return []
    kind = find_kind(fragment.channel.kind_key)
    if kind is None or not kind.images:
        return []
    items = []
    for photo in fragment_photos(fragment):
        if not photo.has_alt_text:
            continue  # never publish an image without a description
        crop = channel_crop(factory, photo, fragment.channel.kind_key, storage)
        key, mime = crop.storage_key, crop.mime
        items.append(
            MediaItem(
                alt=photo.alt_text.strip(),
                mime=mime,
                sha256=parse_key(key).split(".", 1)[0],
                url=f"{base_url.rstrip('/')}/media/public/{key}",
                loader=_loader(storage, key),
                filename=key,
            )
        )
    return items[:MAX_MEDIA]


def _render_html(fragment: Fragment) -> str | None:
    if fragment.kind != "article" or not fragment.body:
        return None
    from planner.markup import render_markdown

    return render_markdown(fragment.body)


def _same_start(body: str, lead: str) -> bool:
    return " ".join(body.split()).startswith(" ".join(lead.split()))


def publish_text(fragment: Fragment) -> str:
    """The whole text as it goes out. An article's lead is the opening of its body as the
    splitter drafts it, so it is written once: kept apart only when the body does not start
    with it (an editor wrote a separate lead)."""
    if fragment.kind != "article":
        return fragment.text()
    lead = (fragment.lead or "").strip()
    body = (fragment.body or "").strip()
    if lead and _same_start(body, lead):
        lead = ""
    return "\n\n".join(x for x in (fragment.title, lead, body) if x)


def prepare_jobs(
    factory: sessionmaker[Session],
    claims: Sequence[Claim],
    config: EngineConfig,
    storage: Storage | None,
) -> list[Job]:
    """Read what each claimed delivery needs, in one read-only transaction, into plain values."""
    by_id = {claim.delivery_id: claim for claim in claims}
    jobs = []
    outgoing: list[tuple[Job, Outgoing]] = []
    with factory() as session:
        deliveries = session.scalars(
            select(Delivery)
            .where(Delivery.id.in_(list(by_id)))
            .options(
                joinedload(Delivery.channel),
                joinedload(Delivery.fragment)
                .joinedload(Fragment.story)
                .options(
                    selectinload(Story.photos),
                    selectinload(Story.consents),
                    selectinload(Story.themes),
                    joinedload(Story.campaign),
                ),
            )
        ).unique()
        deliveries_list = list(deliveries)
        approvals: dict[int, list[FragmentApproval]] = {}
        for approval in session.scalars(
            select(FragmentApproval)
            .where(
                FragmentApproval.fragment_id.in_(
                    [d.fragment_id for d in deliveries_list if d.fragment_id is not None]
                ),
                FragmentApproval.decision == ApprovalDecision.APPROVED,
            )
            .options(joinedload(FragmentApproval.approver))
            .order_by(FragmentApproval.id)
        ):
            approvals.setdefault(approval.fragment_id, []).append(approval)
        for delivery in deliveries_list:
            claim = by_id[delivery.id]
            if delivery.kind != FRAGMENT_DELIVERY:
                jobs.append(_registered_job(session, delivery, claim))
                continue
            fragment, channel, story = delivery.fragment, delivery.channel, delivery.fragment.story
            job = Job(claim, fragment.id, channel.publisher_kind, channel=channel)
            jobs.append(job)
            if story.consent_withdrawn_at is not None:
                job.cancel_reason = CONSENT_WITHDRAWN
                continue
            if fragment.version != delivery.fragment_version:
                job.cancel_reason = CHANGED_SINCE_SCHEDULED
                continue
            job.refuse_reason = approval_shortfall(session, fragment, fragment.version)
            if job.refuse_reason is not None:
                continue
            media = _media(factory, story, config.base_url, storage, fragment)
            parts = list(fragment.parts) if fragment.kind in ("post", "thread") else []
            text = publish_text(fragment)
            campaign = story.campaign
            job.request = PublishRequest(
                delivery_id=delivery.id,
                idempotency_key=delivery.idempotency_key,
                attempt=claim.attempt,
                text=text,
                parts=parts,
                title=fragment.title,
                media=media,
                story={"id": story.id, "title": story.title},
                channel={
                    "id": channel.id,
                    "name": channel.name,
                    "kind": channel.kind_key,
                    "handle": channel.handle,
                },
                campaign={"id": campaign.id, "name": campaign.name} if campaign else {},
                html=_render_html(fragment),
                excerpt=fragment.lead or fragment.meta_description,
                hashtags=list(fragment.hashtags or ()),
            )
            job.archive = publication_content(
                fragment,
                channel,
                parts=job.request.parts,
                approvers=[
                    a.archive_label()
                    for a in approvals.get(fragment.id, [])
                    if a.version == fragment.version
                ],
                media=[{"sha256": m.sha256, "alt": m.alt, "mime": m.mime} for m in media],
            )
            if config.links is not None:
                request = job.request
                label = (
                    campaign.name if campaign else (story.themes[0].name if story.themes else "")
                )
                texts = (request.text, *request.parts, request.html or "")
                outgoing.append(
                    (
                        job,
                        Outgoing(
                            delivery.id,
                            fragment.id,
                            channel.id,
                            channel.name,
                            channel.kind_key,
                            label,
                            texts,
                        ),
                    )
                )
        session.expunge_all()
    if config.links is not None:
        for job, values in outgoing:
            _track_links(factory, config.links, job, values)
    return jobs


def _track_links(
    factory: sessionmaker[Session], tracker: LinkTracker, job: Job, outgoing: Outgoing
) -> None:
    """Put the tracker's short links in the request and the archive's text as sent."""
    assert job.request is not None
    texts = list(tracker(factory, outgoing))
    if texts == list(outgoing.texts):
        return
    request = job.request
    count = len(request.parts)
    job.request = replace(
        request,
        text=texts[0],
        parts=texts[1 : 1 + count],
        html=texts[1 + count] if request.html else request.html,
    )
    job.archive["parts"] = list(job.request.parts)
