"""Small factories for calendar tests: a channel, a story, fragments in a chosen state, and a
whole month of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.channels import services as channel_services
from planner.channels.models import Channel
from planner.fragments import services as fragment_services
from planner.fragments.models import Fragment, FragmentStatus
from planner.publishing.models import Delivery, DeliveryState
from planner.scheduling.planning import schedule_fragment
from planner.stories.models import Campaign, Story, StorySource, Theme

TEXT = "Mehmet repareert elke week de bankjes in het Havenpark. Dit jaar al veertig."


def make_channel(db: Session, editor: User, name: str = "Mastodon", **changes: object) -> Channel:
    channel = channel_services.create_channel(
        db, editor, name=name, kind_key="mastodon", handle="@zuiderhaven@social.example"
    )
    for key, value in changes.items():
        setattr(channel, key, value)
    db.flush()
    return channel


def make_story(
    db: Session, title: str = "Veertig bankjes", themes: list[Theme] | None = None
) -> Story:
    story = Story(title=title, body=TEXT, language="nl", source=StorySource.EMPLOYEE)
    story.themes = themes or []
    db.add(story)
    db.flush()
    return story


def make_fragment(
    db: Session,
    editor: User,
    channel: Channel,
    *,
    status: FragmentStatus = FragmentStatus.APPROVED,
    story: Story | None = None,
    assignee: User | None = None,
) -> Fragment:
    story = story or make_story(db)
    fragment = fragment_services.split_story(db, editor, story, [channel.id])[0]
    fragment.status = status
    fragment.assignee = assignee
    db.flush()
    return fragment


def plan(db: Session, editor: User, fragment: Fragment, at: datetime, now: datetime) -> Fragment:
    schedule_fragment(db, editor, fragment, at, now)
    return fragment


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


def make_month(db: Session, editor: User) -> Month:
    """Sixty-odd fragments in March 2027 on three channels, written straight to the tables.

    Close pairs on a channel with a two-hour gap (clusters of three, two at one instant), a
    channel with a 45-minute gap (40 minutes apart conflicts, 45 does not), one without a gap;
    published and failed fragments among them (they never conflict); every delivery state and
    fragments planned more than once (the latest delivery counts); own titles, empty ones and the
    story's; instants at the window's edges, around the DST change and with microseconds.
    """
    mastodon = make_channel(db, editor, "Mastodon", colour="#2B90D9")
    bluesky = make_channel(db, editor, "Bluesky ‘één’", colour="#0A7AFF", min_gap_minutes=0)
    linkedin = make_channel(db, editor, "LinkedIn", colour="#0A66C2", min_gap_minutes=45)
    theme = Theme(name="Groen", target_share=40)
    campaign = Campaign(name="Lente", starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 31))
    db.add_all([theme, campaign])
    db.flush()
    plain = make_story(db, "Veertig bankjes")
    awkward = make_story(db, AWKWARD_TITLE, [theme])
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
