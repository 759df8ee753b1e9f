"""Demo effect: Zuiderhaven's last month as the Effect page would have counted it.

A newcomer should see full charts on the first ``make run``, so the demo adds the posts that went
out in the weeks before (on the channels a municipality posts to by hand, each with its archive
record), gives every publication of the last month a tracked link with a plausible month of clicks
(most on the first days, more on weekdays, from the referrers each channel brings, a few bots
apart), reactions (Mastodon's snapshots; figures Sanne typed in for the other platforms) and a
few goals. Random but repeatable: every publication draws from its own seeded generator.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.channels.models import Channel
from planner.demo.plan import approve_as_editor, mark_published
from planner.demo.publishing import archive_delivery
from planner.effect.links import medium_for, slug
from planner.effect.models import (
    ClickKind,
    Goal,
    GoalMetric,
    ManualMetric,
    ReactionSnapshot,
    TrackedLink,
)
from planner.effect.services import CountKey, record_clicks
from planner.effect.tracking import new_code
from planner.fragments.models import Fragment, FragmentStatus
from planner.publishing.models import Delivery, Publication
from planner.stories.models import Campaign, Story, Theme
from planner.timekeeping.wallclock import local_date, resolve_local

TZ = "Europe/Amsterdam"
SITE = "https://www.zuiderhaven.example"
DAYS = 30

#: (days ago, channel kind, story title starts with, text): what went out before the demo's week
PAST_POSTS = (
    (29, "newsletter", "Zo wordt je afval", "De feestdagen komen eraan: zo halen we uw afval op."),
    (27, "mastodon", "Bewonerspanel", "Denk mee over het fietspad langs de Havenweg!"),
    (25, "facebook", "Nieuwe speeltuin", "De buurtkinderen tekenden mee aan speeltuin De Kreek."),
    (23, "linkedin", "Open dag", "Kijk achter de schermen op onze gemeentewerf."),
    (21, "instagram", "Mehmet", "Mehmet geeft oude bankjes een tweede leven."),
    (19, "mastodon", "Ria helpt", "Hulp nodig met DigiD? Ria zit dinsdag in de bibliotheek."),
    (17, "bluesky", "Wijkagent Karim", "Wijkagent Karim stapt op de fiets."),
    (15, "facebook", "Bewonerspanel", "Het bewonerspanel kwam voor het eerst bij elkaar."),
    (13, "mastodon", "Nieuwe speeltuin", "Nog twee weken, dan is speeltuin De Kreek open."),
    (11, "linkedin", "Mehmet", "Werken bij Zuiderhaven: Mehmet vertelt over zijn vak."),
    (9, "facebook", "Na melding van Fatima", "Dankzij de melding van Fatima: lagere stoepranden."),
    (8, "mastodon", "Zo wordt je afval", "Kerstbomen halen we op in de week na Driekoningen."),
    (6, "newsletter", "Open dag", "In de nieuwsbrief: de open dag op de gemeentewerf."),
)

#: clicks on the first day per channel kind, before the decay over the following days
FIRST_DAY = {
    "newsletter": 140,
    "facebook": 90,
    "mastodon": 55,
    "linkedin": 35,
    "instagram": 20,
    "bluesky": 25,
    "blog": 45,
}
#: where a channel's readers come from (referrer hosts; "" for apps and mail clients)
REFERRERS = {
    "mastodon": ("social.zuiderhaven.example", "mastodon.social", ""),
    "facebook": ("l.facebook.com", "m.facebook.com", ""),
    "linkedin": ("www.linkedin.com", "lnkd.in"),
    "instagram": ("l.instagram.com", ""),
    "bluesky": ("bsky.app", ""),
    "newsletter": ("",),
    "blog": ("www.zuiderhaven.example", "www.google.com", ""),
}


def seed_effect(session: Session, now: datetime) -> None:
    editor = session.scalar(select(User).where(User.email == "sanne@zuiderhaven.example"))
    _past_posts(session, now, editor)
    today = local_date(now, TZ)
    first = today - timedelta(days=DAYS)
    start = resolve_local(datetime.combine(first, time()), TZ)
    publications = session.scalars(
        select(Publication)
        .where(Publication.published_at >= start, Publication.published_at <= now)
        .where(Publication.fragment_id.is_not(None))
        .order_by(Publication.published_at, Publication.id)
    ).all()
    clicks: Counter[CountKey] = Counter()
    for publication in publications:
        rng = random.Random(f"zuiderhaven-{publication.id}")
        link = _link(session, publication)
        _clicks(clicks, rng, link, publication, today)
        _reactions(session, rng, publication, now, editor)
    session.flush()
    if clicks:
        record_clicks(session, clicks)
    _goals(session, today)
    session.flush()


def _past_posts(session: Session, now: datetime, editor: User | None) -> None:
    reviewer = session.scalar(select(User).where(User.email == "daan@zuiderhaven.example"))
    if editor is None or reviewer is None:
        return
    channels = {c.kind_key: c for c in session.scalars(select(Channel))}
    stories = session.scalars(select(Story)).all()
    for days_ago, kind, title, text in PAST_POSTS:
        channel = channels.get(kind)
        story = next((s for s in stories if s.title.startswith(title)), None)
        if channel is None or story is None:
            continue
        day = local_date(now, TZ) - timedelta(days=days_ago)
        at = resolve_local(datetime.combine(day, time(8, 30)), TZ)
        page = f"{SITE}/nieuws/{slug(story.title, 60)}"
        fragment = Fragment(
            story=story,
            channel=channel,
            kind="post",
            # written as the splitter writes links to the own site (the UTM check wants them)
            parts=[f"{text} {page}?utm_source={kind}&utm_medium=social"],
            status=FragmentStatus.DRAFT,
            created_by=editor,
            created_at=at - timedelta(days=3),
            updated_at=at,
        )
        session.add(fragment)
        session.flush()
        # Approved by the second editor and posted by hand, as the demo's week was.
        approve_as_editor(session, fragment, reviewer, at - timedelta(hours=20))
        mark_published(session, fragment, at, editor)
        for delivery in session.scalars(
            select(Delivery).where(Delivery.fragment_id == fragment.id)
        ):
            archive_delivery(session, delivery)
    session.flush()


def _link(session: Session, publication: Publication) -> TrackedLink:
    fragment = session.get(Fragment, publication.fragment_id)
    assert fragment is not None
    story = fragment.story
    campaign = (
        story.campaign.name if story.campaign else (story.themes[0].name if story.themes else "")
    )
    link = TrackedLink(
        code=new_code(session),
        delivery_id=publication.delivery_id,
        fragment_id=fragment.id,
        channel_id=publication.channel_id,
        position=0,
        target_url=f"{SITE}/nieuws/{slug(story.title, 60)}",
        utm_source=slug(publication.channel_name),
        utm_medium=medium_for(publication.channel_kind),
        utm_campaign=slug(campaign, 200),
        utm_content=f"fragment-{fragment.id}",
        created_at=publication.published_at,
    )
    session.add(link)
    session.flush()
    return link


def _clicks(
    clicks: Counter[CountKey],
    rng: random.Random,
    link: TrackedLink,
    publication: Publication,
    today: date,
) -> None:
    kind = publication.channel_kind
    base = FIRST_DAY.get(kind, 30) * rng.uniform(0.6, 1.5)
    hosts = REFERRERS.get(kind, ("",))
    first = local_date(publication.published_at, TZ)
    for age in range((today - first).days + 1):
        day = first + timedelta(days=age)
        expected = base * math.exp(-0.55 * age) * (0.7 if day.weekday() >= 5 else 1.0)
        people = max(0, round(rng.gauss(expected, math.sqrt(expected + 1))))
        for _ in range(people):
            clicks[(link.id, day, rng.choice(hosts), ClickKind.PERSON)] += 1
        bots = rng.randint(2, 6) if age == 0 else rng.randint(0, 1)
        if bots:
            clicks[(link.id, day, "", ClickKind.BOT)] += bots


def _reactions(
    session: Session,
    rng: random.Random,
    publication: Publication,
    now: datetime,
    editor: User | None,
) -> None:
    age = now - publication.published_at
    if publication.channel_kind == "mastodon":
        total = rng.randint(12, 60)
        for moment, after, share in (
            ("1h", timedelta(hours=1), 0.35),
            ("24h", timedelta(hours=24), 0.85),
            ("7d", timedelta(days=7), 1.0),
            ("30d", timedelta(days=30), 1.05),
        ):
            if age < after:
                break
            seen = round(total * share)
            session.add(
                ReactionSnapshot(
                    publication_id=publication.id,
                    fragment_id=publication.fragment_id,
                    moment=moment,
                    due_at=publication.published_at + after,
                    taken_at=publication.published_at + after + timedelta(seconds=4),
                    favourites=round(seen * 0.6),
                    reblogs=round(seen * 0.25),
                    replies=round(seen * 0.15),
                )
            )
    elif publication.channel_kind in ("facebook", "linkedin", "instagram", "bluesky"):
        if age < timedelta(days=2) or editor is None or publication.fragment_id is None:
            return
        reach = rng.randint(600, 4500)
        session.add(
            ManualMetric(
                fragment_id=publication.fragment_id,
                reach=reach,
                reactions=round(reach * rng.uniform(0.01, 0.05)),
                shares=round(reach * rng.uniform(0.002, 0.01)),
                entered_by_id=editor.id,
                entered_by_name=editor.name,
                entered_at=publication.published_at + timedelta(days=2, hours=1),
            )
        )


def _goals(session: Session, today: date) -> None:
    campaign = session.scalar(select(Campaign).where(Campaign.name == "Samen bouwen aan de buurt"))
    if campaign is not None:
        session.add(
            Goal(
                campaign_id=campaign.id,
                metric=GoalMetric.CLICKS,
                target=1500,
                starts_on=campaign.starts_on - timedelta(days=14),
                due_on=campaign.ends_on,
            )
        )
    month_start = today.replace(day=1)
    for name, metric, target in (
        ("Duurzaamheid", GoalMetric.REACTIONS, 600),
        ("Werken bij de gemeente", GoalMetric.CLICKS, 500),
    ):
        theme = session.scalar(select(Theme).where(Theme.name == name))
        if theme is not None:
            session.add(
                Goal(
                    theme_id=theme.id,
                    metric=metric,
                    target=target,
                    starts_on=month_start - timedelta(days=DAYS),
                    due_on=month_start + timedelta(days=60),
                )
            )
