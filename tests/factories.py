"""The records tests need, made the way the application makes them: people, stories, channels,
fragments in any state, deliveries as the planner or the engine leaves them; and the helpers for
tests that run against a committed database (the engine commits between its steps, so the
suite's rollback-per-test session cannot stand in for it).
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from planner.accounts.models import Role, User
from planner.accounts.services import create_user
from planner.channels import services as channel_services
from planner.channels.models import Channel
from planner.db import Base, make_engine, make_sessionmaker
from planner.fragments import services as fragment_services
from planner.fragments.models import Fragment, FragmentStatus
from planner.media.storage import Storage
from planner.publishing.models import Delivery, DeliveryState
from planner.publishing.publisher_settings import configure_publisher
from planner.publishing.secrets import SecretBox
from planner.scheduling.planning import schedule_fragment
from planner.stories.models import Campaign, Story, StorySource, Theme
from planner.stories.photos import PhotoUpload, attach_photos, prepare_photos
from tests.conftest import PASSWORD, make_user
from tests.fakes.mastodon import TOKEN as MASTODON_TOKEN
from tests.fakes.reach import KINDS as REACH_KINDS
from tests.fakes.reach import THREADING as REACH_THREADING
from tests.fakes.reach import Planned, Platforms
from tests.unit.media.sample_images import jpeg

#: the text of the posts the engine tests send
POST_TEXT = "De bibliotheek in Zuiderhaven is vanaf maandag ook op zondag open."
#: the body of the stories the page and calendar tests split
STORY_TEXT = "Mehmet repareert elke week de bankjes in het Havenpark. Dit jaar al veertig."
#: a post that passes every brand check
CLEAN_TEXT = "Nieuwe bankjes in het Havenpark: kom ze zaterdag proberen."
ARTICLE_BODY = "Mehmet repareert elke week de bankjes.\n\nDit jaar waren het er **veertig**."
SECRET_KEY = "engine-test-secret-key-" + "k" * 32
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"contentfabriek-engine-receiver").decode()


# --- people, stories, channels ------------------------------------------------------------------


def second_editor(db: Session) -> User:
    return make_user(db, Role.EDITOR, "second@example.org", "Sam Second")


def story(
    db: Session,
    title: str = "Veertig bankjes",
    themes: list[Theme] | None = None,
    *,
    body: str = STORY_TEXT,
) -> Story:
    made = Story(title=title, body=body, language="nl", source=StorySource.EMPLOYEE)
    made.themes = themes or []
    db.add(made)
    db.flush()
    return made


#: for factories whose ``story`` keyword names an existing story
_new_story = story


def channel(
    db: Session,
    actor: User,
    name: str = "Mastodon",
    *,
    kind_key: str = "mastodon",
    publisher_kind: str = "manual",
    approval_steps: int = 1,
    handle: str | None = None,
    **changes: object,
) -> Channel:
    """A channel added through the channels service, as an editor would."""
    made = channel_services.create_channel(db, actor, name=name, kind_key=kind_key, handle=handle)
    made.publisher_kind = publisher_kind
    made.approval_steps = approval_steps
    for key, value in changes.items():
        setattr(made, key, value)
    db.flush()
    return made


def box() -> SecretBox:
    return SecretBox(SECRET_KEY)


#: the secret key tests.conftest.make_settings gives every app
APP_SECRET = "test-secret-key-" + "x" * 32


def inbox_editor(session: Session, email: str = "sanne@zuiderhaven.test") -> User:
    """An editor made without an app (for tests that run real processes against a database)."""
    return create_user(
        session, None, email=email, name="Sanne Bakker", role=Role.EDITOR, password=PASSWORD
    )


def mastodon_channel(session: Session, base_url: str, name: str = "Mastodon") -> Channel:
    """A Mastodon channel the engine publishes to (and the inbox listens on), at a fake server."""
    made = Channel(
        name=name,
        kind_key="mastodon",
        handle="@zuiderhaven@social.test",
        publisher_kind="mastodon",
        publisher_settings={"base_url": base_url},
        publisher_secret=SecretBox(APP_SECRET).encrypt(MASTODON_TOKEN),
        approval_steps=0,
    )
    session.add(made)
    session.flush()
    return made


def engine_channel(
    session: Session,
    *,
    kind: str = "webhook",
    url: str,
    name: str | None = None,
    settings: dict[str, Any] | None = None,
    secret: str = WEBHOOK_SECRET,
) -> Channel:
    """A channel the engine publishes to (a webhook or WordPress at ``url``), needing no approval."""
    publisher_settings: dict[str, Any]
    if kind == "webhook":
        publisher_settings = {"url": url, "timeout": 2.0}
    elif kind == "wordpress":
        base = url.rsplit("/hook", 1)[0]
        publisher_settings = {"base_url": base, "username": "redactie", "timeout": 1.0}
    else:
        publisher_settings = {}
    publisher_settings.update(settings or {})
    channel = Channel(
        name=name or f"{kind} channel",
        kind_key="mastodon" if kind == "webhook" else "blog",
        publisher_kind=kind,
        publisher_settings=publisher_settings,
        publisher_secret=box().encrypt(secret),
        approval_steps=0,
    )
    session.add(channel)
    session.flush()
    return channel


# --- fragments ----------------------------------------------------------------------------------


def fragment(
    db: Session,
    author: User,
    made_channel: Channel | None = None,
    *,
    submit: bool = True,
    title: str = "Veertig bankjes",
) -> Fragment:
    """A fragment split from a new story, with clean text, submitted for review (committed)."""
    target = made_channel or channel(db, author)
    made = fragment_services.split_story(db, author, story(db, title), [target.id])[0]
    if made.kind == "article":
        fragment_services.update_fragment(
            db, author, made, title=title, lead="Het park is weer af.", body=ARTICLE_BODY
        )
    else:
        fragment_services.update_fragment(db, author, made, parts=[CLEAN_TEXT])
    if submit:
        fragment_services.submit_for_review(db, author, made)
    db.commit()
    return made


def review_fragment(db: Session, author: User, *, steps: int = 1, submit: bool = True) -> Fragment:
    """A clean post by ``author`` on a channel needing ``steps`` approvals, submitted for review
    unless ``submit`` is False (not committed)."""
    made_channel = channel(db, author, f"Mastodon {steps}", approval_steps=steps)
    made = fragment_services.split_story(db, author, story(db, "Bibliotheek"), [made_channel.id])[0]
    fragment_services.update_fragment(db, author, made, parts=[CLEAN_TEXT], expected_version=1)
    if submit:
        fragment_services.submit_for_review(db, author, made)
    return made


def fragment_in_status(
    db: Session,
    editor: User,
    made_channel: Channel,
    *,
    status: FragmentStatus = FragmentStatus.APPROVED,
    story: Story | None = None,
    assignee: User | None = None,
) -> Fragment:
    """A fragment split from a story and put straight into ``status`` (for calendar tests)."""
    made = fragment_services.split_story(db, editor, story or _new_story(db), [made_channel.id])[0]
    made.status = status
    made.assignee = assignee
    db.flush()
    return made


# --- schedules and deliveries -------------------------------------------------------------------


def plan(db: Session, editor: User, made: Fragment, at: datetime, now: datetime) -> Fragment:
    """Schedule through the planner, as every way in does."""
    schedule_fragment(db, editor, made, at, now)
    return made


def delivery(
    db: Session,
    made_fragment: Fragment,
    due_at: datetime,
    state: DeliveryState = DeliveryState.PENDING,
) -> Delivery:
    """A delivery row as the engine leaves it (for the states the web cannot reach by itself)."""
    made = Delivery(
        fragment=made_fragment,
        channel=made_fragment.channel,
        due_at=due_at,
        not_before=due_at,
        state=state,
        fragment_version=made_fragment.version,
    )
    db.add(made)
    db.flush()
    return made


def engine_delivery(
    session: Session,
    made_channel: Channel,
    due_at: datetime,
    *,
    story: Story | None = None,
    text: str = POST_TEXT,
    author: User | None = None,
) -> Delivery:
    """A scheduled fragment with its pending delivery, as the planner leaves them."""
    made_story = story or _new_story(session, "Bibliotheek", body=POST_TEXT)
    fragment = Fragment(
        story=made_story,
        channel=made_channel,
        kind="post",
        parts=[text],
        status=FragmentStatus.SCHEDULED,
        scheduled_at=due_at,
        created_by=author,
    )
    session.add(fragment)
    session.flush()
    delivery = Delivery(
        fragment=fragment,
        channel=made_channel,
        due_at=due_at,
        not_before=due_at,
        state=DeliveryState.PENDING,
        fragment_version=fragment.version,
    )
    session.add(delivery)
    session.flush()
    return delivery


def engine_deliveries(
    session: Session,
    made_channel: Channel,
    made_story: Story,
    due: list[datetime],
    created_at: datetime,
) -> None:
    """Many scheduled fragments and deliveries at once (Core inserts, for bursts and benches)."""
    fragment_rows = [
        {
            "story_id": made_story.id,
            "channel_id": made_channel.id,
            "kind": "post",
            "status": FragmentStatus.SCHEDULED,
            "parts": [f"{POST_TEXT} ({n})"],
            "hashtags": [],
            "scheduled_at": at,
            "version": 1,
            "is_sponsored": False,
            "created_at": created_at,
            "updated_at": created_at,
        }
        for n, at in enumerate(due)
    ]
    ids = list(
        session.scalars(
            insert(Fragment).returning(Fragment.id, sort_by_parameter_order=True), fragment_rows
        )
    )
    session.execute(
        insert(Delivery),
        [
            {
                "fragment_id": fid,
                "channel_id": made_channel.id,
                "due_at": at,
                "not_before": at,
                "state": DeliveryState.PENDING,
                "attempt": 0,
                "idempotency_key": str(uuid.uuid4()),
                "fragment_version": 1,
                "created_at": created_at,
                "updated_at": created_at,
            }
            for fid, at in zip(ids, due, strict=True)
        ],
    )


# --- a burst to the six Reach platforms -------------------------------------------------------

#: the two photos a Reach burst carries (JPEG, so every platform takes every crop)
REACH_PHOTOS = (
    ("De nieuwe leeszaal van de bibliotheek op zondagmiddag", (1600, 1200)),
    ("Kinderen lezen voor op de trap bij de ingang", (1200, 1200)),
)


def reach_channels(session: Session, platforms: Platforms) -> dict[str, Channel]:
    """One channel per Reach platform, set up as an admin does (channel page or API), pointed at
    the platform's fake, needing no approval."""
    admin = create_user(
        session, None, email="beheer@zuiderhaven.test", name="Beheer", role=Role.ADMIN
    )
    made = {}
    for kind in REACH_KINDS:
        channel = channel_services.create_channel(
            session, admin, name=f"Zuiderhaven op {kind}", kind_key=kind
        )
        configure_publisher(
            session, admin, channel, platforms.publisher_input(kind), box(), allow_loopback=True
        )
        made[kind] = channel
    return made


def reach_burst(
    session: Session,
    platforms: Platforms,
    storage: Storage,
    count: int,
    due_at: datetime,
    *,
    threads_on: tuple[str, ...] = REACH_THREADING,
) -> list[Planned]:
    """``count`` scheduled fragments spread in turn over the six platforms, all due at
    ``due_at``: plain posts, a photo with alt text on every fourth, a two-part thread on every
    fifth on the platforms in ``threads_on``, and on Instagram (photos only) a carousel every
    fifth."""
    channels = reach_channels(session, platforms)
    made_story = _new_story(session, "Zondag open", body=POST_TEXT)
    photos = attach_photos(
        session,
        None,
        made_story,
        prepare_photos([PhotoUpload(jpeg(w, h), alt) for alt, (w, h) in REACH_PHOTOS]),
        storage,
    )
    shapes = []
    for n in range(count):
        kind, turn = REACH_KINDS[n % len(REACH_KINDS)], n // len(REACH_KINDS)
        if kind in threads_on and turn % 5 == 2:
            parts = (
                f"Draad {n}, deel 1: de bibliotheek in Zuiderhaven gaat op zondag open.",
                f"Draad {n}, deel 2: kom langs tussen twaalf en vijf, de koffie staat klaar.",
            )
            shapes.append((kind, "thread", parts, []))
            continue
        text = f"Bericht {n} van Zuiderhaven: de bibliotheek is vanaf maandag ook op zondag open."
        if kind == "instagram":
            chosen = photos if turn % 5 == 4 else photos[:1]
        else:
            chosen = photos[:1] if turn % 4 == 1 else []
        shapes.append((kind, "post", (text,), [p.id for p in chosen]))
    fragment_ids = list(
        session.scalars(
            insert(Fragment).returning(Fragment.id, sort_by_parameter_order=True),
            [
                {
                    "story_id": made_story.id,
                    "channel_id": channels[kind].id,
                    "kind": fragment_kind,
                    "status": FragmentStatus.SCHEDULED,
                    "parts": list(parts),
                    "hashtags": [],
                    "photo_ids": photo_ids,
                    "scheduled_at": due_at,
                    "version": 1,
                    "is_sponsored": False,
                    "created_at": due_at,
                    "updated_at": due_at,
                }
                for kind, fragment_kind, parts, photo_ids in shapes
            ],
        )
    )
    delivery_ids = list(
        session.scalars(
            insert(Delivery).returning(Delivery.id, sort_by_parameter_order=True),
            [
                {
                    "fragment_id": fragment_id,
                    "channel_id": channels[kind].id,
                    "due_at": due_at,
                    "not_before": due_at,
                    "state": DeliveryState.PENDING,
                    "attempt": 0,
                    "idempotency_key": str(uuid.uuid4()),
                    "fragment_version": 1,
                    "created_at": due_at,
                    "updated_at": due_at,
                }
                for fragment_id, (kind, _, _, _) in zip(fragment_ids, shapes, strict=True)
            ],
        )
    )
    return [
        Planned(delivery_id, kind, parts, len(photo_ids))
        for delivery_id, (kind, _, parts, photo_ids) in zip(delivery_ids, shapes, strict=True)
    ]


# --- a whole month on the calendar ----------------------------------------------------------

# --- a month as the calendar sees it ---------------------------------------------------------

#: March 2027 in Europe/Amsterdam: the clocks go forward at 01:00 UTC on the 28th
MONTH_START = datetime(2027, 2, 28, 23, 0, tzinfo=UTC)  # 1 March 00:00 CET
MONTH_END = datetime(2027, 3, 31, 22, 0, tzinfo=UTC)  # 1 April 00:00 CEST
#: a story title with everything JSON has to escape, and characters beyond ASCII and the BMP
AWKWARD_TITLE = 'Café “De Hoek” 😀 \\ "quoted" \t tab \x7f del \u2028 separator'


@dataclass
class Month:
    mastodon: Channel
    bluesky: Channel
    linkedin: Channel
    theme: Theme
    campaign: Campaign
    #: ids of fragments inside the month's window, outside it, and in it but not on the calendar
    inside: list[int] = field(default_factory=list)
    outside: list[int] = field(default_factory=list)


def month(db: Session, editor: User) -> Month:
    """Sixty-odd fragments in March 2027 on three channels, written straight to the tables.

    Close pairs on a channel with a two-hour gap (clusters of three, two at one instant), a
    channel with a 45-minute gap (40 minutes apart conflicts, 45 does not), one without a gap;
    published and failed fragments among them (they never conflict); every delivery state and
    fragments planned more than once (the latest delivery counts); own titles, empty ones and the
    story's; instants at the window's edges, around the DST change and with microseconds.
    """
    mastodon = channel(db, editor, "Mastodon", colour="#2B90D9")
    bluesky = channel(db, editor, "Bluesky ‘één’", colour="#0A7AFF", min_gap_minutes=0)
    linkedin = channel(db, editor, "LinkedIn", colour="#0A66C2", min_gap_minutes=45)
    theme = Theme(name="Groen", target_share=40)
    campaign = Campaign(name="Lente", starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 31))
    db.add_all([theme, campaign])
    db.flush()
    plain = _new_story(db, "Veertig bankjes")
    awkward = _new_story(db, AWKWARD_TITLE, [theme])
    awkward.campaign_id = campaign.id
    month = Month(mastodon, bluesky, linkedin, theme, campaign)

    def add(
        channel: Channel,
        at: datetime | None,
        *,
        status: FragmentStatus = FragmentStatus.SCHEDULED,
        title: str | None = None,
        story: Story = plain,
        deliveries: tuple[DeliveryState, ...] = (DeliveryState.PENDING,),
        assignee: User | None = None,
        inside: bool = True,
    ) -> None:
        fragment = Fragment(
            story=story,
            channel=channel,
            kind="article" if channel is linkedin else "post",
            status=status,
            parts=["Een bericht uit de buurt."],
            title=title,
            scheduled_at=at,
            assignee=assignee,
            created_by=editor,
        )
        db.add(fragment)
        db.flush()
        for state in deliveries:
            db.add(
                Delivery(
                    fragment=fragment,
                    channel=channel,
                    due_at=at or MONTH_START,
                    not_before=at or MONTH_START,
                    state=state,
                    fragment_version=1,
                )
            )
            db.flush()  # in this order: ids say which delivery is the latest
        (month.inside if inside else month.outside).append(fragment.id)

    day = datetime(2027, 3, 3, 9, 0, tzinfo=UTC)
    # Mastodon (gap 2 h): a cluster of three, all pairs too close; two at one instant; a
    # published and a failed one in the middle of a cluster, which conflict with nothing.
    # (The last of the cluster is written first, so ids do not follow time.)
    add(mastodon, day + timedelta(minutes=105), title="", deliveries=())
    add(mastodon, day, title="Eerste")
    add(mastodon, day + timedelta(minutes=30), story=awkward, deliveries=(DeliveryState.FAILED,))
    add(
        mastodon,
        day + timedelta(hours=6),
        deliveries=(DeliveryState.CANCELLED, DeliveryState.PENDING),
    )
    add(mastodon, day + timedelta(hours=6), story=awkward, assignee=editor)
    add(
        mastodon,
        day + timedelta(hours=7),
        status=FragmentStatus.PUBLISHED,
        deliveries=(DeliveryState.SENT,),
    )
    add(
        mastodon,
        day + timedelta(hours=7, minutes=10),
        status=FragmentStatus.FAILED,
        deliveries=(DeliveryState.FAILED,),
    )
    add(
        mastodon,
        day + timedelta(hours=8),
        deliveries=(DeliveryState.CANCELLED, DeliveryState.CANCELLED, DeliveryState.RETRYING),
    )
    # LinkedIn (gap 45 min): 40 minutes apart conflicts, exactly 45 does not.
    add(
        linkedin,
        day + timedelta(days=1),
        title="Eigen titel ✓",
        deliveries=(DeliveryState.NEEDS_CHECK,),
    )
    add(linkedin, day + timedelta(days=1, minutes=40), deliveries=(DeliveryState.MISSED,))
    add(linkedin, day + timedelta(days=1, minutes=85), deliveries=(DeliveryState.SENDING,))
    # Bluesky (no gap): never a conflict, however close.
    add(bluesky, day + timedelta(days=2), story=awkward)
    add(bluesky, day + timedelta(days=2), deliveries=(DeliveryState.SENT, DeliveryState.CANCELLED))
    # The window's edges (start inclusive, end exclusive), the night the clocks go forward,
    # and an instant with microseconds.
    add(linkedin, MONTH_START, assignee=editor)
    add(linkedin, MONTH_END, inside=False)
    add(linkedin, MONTH_START - timedelta(minutes=1), inside=False)
    add(mastodon, datetime(2027, 3, 28, 0, 59, tzinfo=UTC), story=awkward)
    add(mastodon, datetime(2027, 3, 28, 1, 0, tzinfo=UTC))
    add(bluesky, datetime(2027, 3, 10, 9, 15, 30, 250_000, tzinfo=UTC), title="Microseconden")
    # Not on the calendar: approved without a date, a draft that kept a date.
    add(mastodon, None, status=FragmentStatus.APPROVED, deliveries=(), inside=False)
    add(mastodon, day + timedelta(days=4), status=FragmentStatus.DRAFT, deliveries=(), inside=False)
    # A spread over the month on every channel, with the conflicts it happens to make.
    channels = (mastodon, linkedin, bluesky)
    states = (
        DeliveryState.PENDING,
        DeliveryState.SENT,
        DeliveryState.FAILED,
        DeliveryState.RETRYING,
        DeliveryState.MISSED,
        DeliveryState.NEEDS_CHECK,
    )
    for i in range(45):
        add(
            channels[i % 3],
            datetime(2027, 3, 1, 6, tzinfo=UTC) + timedelta(minutes=i * 877 % (29 * 24 * 60)),
            status=(FragmentStatus.SCHEDULED, FragmentStatus.SCHEDULED, FragmentStatus.PUBLISHED)[
                i % 3 if i % 5 else 0
            ],
            story=awkward if i % 4 == 0 else plain,
            title=f"Bericht {i}" if i % 2 else None,
            deliveries=(states[i % len(states)],) if i % 7 else (),
            assignee=editor if i % 6 == 0 else None,
        )
    db.commit()
    return month


# --- a committed database -----------------------------------------------------------------------


def clear(engine: Engine) -> None:
    """Empty every table (children first), so a committed database can be reused by the next test."""
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))


def live_factory(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


def engine_for(url: str) -> Engine:
    return make_engine(url)


def states(factory: sessionmaker[Session]) -> dict[int, DeliveryState]:
    with factory() as session:
        return dict(session.execute(select(Delivery.id, Delivery.state)).all())


def wait_for(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)
