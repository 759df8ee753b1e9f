"""The calendar's use cases against the real database: the window query with its filters,
moves through the publishing workflow (and every refusal), DST at input, slots, reports, feeds
and share links."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import icalendar
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.accounts.models import Role, User
from planner.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from planner.fragments.models import FragmentStatus
from planner.publishing.models import Delivery, DeliveryState
from planner.scheduling import feeds, planning, posting_slots, reports, services
from planner.scheduling.models import FeedScope
from planner.stories.models import Theme
from planner.timekeeping.periods import Period
from planner.timekeeping.wallclock import AmbiguousLocalTimeError, NonexistentLocalTimeError
from tests import factories as make
from tests.conftest import make_user
from tests.factories import MONTH_END, MONTH_START, plan

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
AMS = "Europe/Amsterdam"


def test_calendar_lists_fragments_in_the_window_with_local_times_and_delivery(
    db: Session, editor: User
) -> None:
    channel = make.channel(db, editor)
    inside = plan(
        db,
        editor,
        make.fragment_in_status(db, editor, channel),
        datetime(2026, 12, 1, 9, tzinfo=UTC),
        NOW,
    )
    plan(
        db,
        editor,
        make.fragment_in_status(db, editor, channel),
        datetime(2027, 2, 1, 9, tzinfo=UTC),
        NOW,
    )
    make.fragment_in_status(
        db, editor, channel
    )  # approved, no date: on the list to plan, not the calendar

    entries = services.list_calendar(
        db,
        editor,
        start_at=datetime(2026, 11, 30, tzinfo=UTC),
        end_at=datetime(2027, 1, 4, tzinfo=UTC),
    )

    assert [e.fragment.id for e in entries] == [inside.id]
    assert entries[0].local_start == datetime(2026, 12, 1, 10, 0)  # CET, UTC+1
    assert entries[0].delivery_state == DeliveryState.PENDING


def test_calendar_filters_by_channel_theme_campaign_status_and_person(
    db: Session, editor: User
) -> None:
    mastodon = make.channel(db, editor)
    bluesky = make.channel(db, editor, "Bluesky")
    theme = Theme(name="Groen", target_share=40)
    db.add(theme)
    sanne = make_user(db, Role.EDITOR, "sanne@example.org", "Sanne")
    at = datetime(2026, 12, 2, 9, tzinfo=UTC)
    green = plan(
        db,
        editor,
        make.fragment_in_status(
            db, editor, mastodon, story=make.story(db, "Park", [theme]), assignee=sanne
        ),
        at,
        NOW,
    )
    other = plan(db, editor, make.fragment_in_status(db, editor, bluesky), at, NOW)
    window = {"start_at": NOW, "end_at": NOW + timedelta(days=30)}

    def ids(**filters: object) -> set[int]:
        found = services.list_calendar(
            db,
            editor,
            filters=services.CalendarFilters(**filters),
            **window,  # type: ignore[arg-type]
        )
        return {e.fragment.id for e in found}

    assert ids() == {green.id, other.id}
    assert ids(channel_id=bluesky.id) == {other.id}
    assert ids(theme_id=theme.id) == {green.id}
    assert ids(person_id=sanne.id) == {green.id}
    assert ids(status=FragmentStatus.PUBLISHED) == set()
    assert ids(status=FragmentStatus.SCHEDULED) == {green.id, other.id}


def test_calendar_is_for_editors_and_refuses_huge_windows(
    db: Session, editor: User, contributor: User
) -> None:
    with pytest.raises(PermissionDeniedError):
        services.list_calendar(db, contributor, start_at=NOW, end_at=NOW + timedelta(days=1))
    with pytest.raises(ValidationError, match="100 days"):
        services.list_calendar(db, editor, start_at=NOW, end_at=NOW + timedelta(days=400))


def test_move_writes_the_delivery_and_a_second_move_moves_it(db: Session, editor: User) -> None:
    fragment = make.fragment_in_status(db, editor, make.channel(db, editor))
    first = datetime(2026, 12, 3, 9, tzinfo=UTC)
    planning.move_fragment(db, editor, fragment.id, first, NOW)
    planning.move_fragment(db, editor, fragment.id, first + timedelta(days=2), NOW)

    deliveries = db.scalars(select(Delivery).where(Delivery.fragment_id == fragment.id)).all()
    assert len(deliveries) == 1
    assert deliveries[0].due_at == first + timedelta(days=2)
    assert fragment.status == FragmentStatus.SCHEDULED


def test_moves_are_refused_into_the_past_unapproved_by_the_gate_and_without_the_role(
    db: Session, editor: User, contributor: User
) -> None:
    channel = make.channel(db, editor)
    fragment = make.fragment_in_status(db, editor, channel)
    with pytest.raises(ValidationError, match="future"):
        planning.move_fragment(db, editor, fragment.id, NOW - timedelta(hours=1), NOW)

    draft = make.fragment_in_status(db, editor, channel, status=FragmentStatus.DRAFT)
    with pytest.raises(ConflictError, match="approved"):
        planning.move_fragment(db, editor, draft.id, NOW + timedelta(days=1), NOW)

    too_long = make.fragment_in_status(db, editor, channel)
    too_long.parts = ["Veel te lang. " * 60]
    db.flush()
    with pytest.raises(ConflictError, match="Fix these findings first"):
        planning.move_fragment(db, editor, too_long.id, NOW + timedelta(days=1), NOW)

    with pytest.raises(PermissionDeniedError):
        planning.move_fragment(db, contributor, fragment.id, NOW + timedelta(days=1), NOW)
    with pytest.raises(NotFoundError):
        planning.move_fragment(db, editor, 999_999, NOW + timedelta(days=1), NOW)
    assert fragment.scheduled_at is None


def test_a_local_time_in_the_spring_gap_is_refused(db: Session, editor: User) -> None:
    fragment = make.fragment_in_status(db, editor, make.channel(db, editor))
    with pytest.raises(NonexistentLocalTimeError, match="does not exist"):
        planning.schedule_local(db, editor, fragment.id, datetime(2027, 3, 28, 2, 30), AMS, NOW)
    assert fragment.scheduled_at is None


def test_a_local_time_in_the_autumn_overlap_needs_a_choice(db: Session, editor: User) -> None:
    fragment = make.fragment_in_status(db, editor, make.channel(db, editor))
    clock = datetime(2026, 10, 1, tzinfo=UTC)
    local = datetime(2026, 10, 25, 2, 30)
    with pytest.raises(AmbiguousLocalTimeError, match="occurs twice"):
        planning.schedule_local(db, editor, fragment.id, local, AMS, clock)

    planning.schedule_local(db, editor, fragment.id, local, AMS, clock, fold="later")
    assert fragment.scheduled_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # CET
    planning.schedule_local(db, editor, fragment.id, local, AMS, clock, fold="earlier")
    assert fragment.scheduled_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # CEST


def test_next_free_slot_skips_taken_slots_and_keeps_local_time_across_dst(
    db: Session, editor: User
) -> None:
    channel = make.channel(db, editor)
    posting_slots.add_slot(db, editor, channel.id, 6, time(2, 30))  # Sundays 02:30
    clock = datetime(2027, 3, 20, 12, tzinfo=UTC)
    first = make.fragment_in_status(db, editor, channel)
    second = make.fragment_in_status(db, editor, channel)
    third = make.fragment_in_status(db, editor, channel)

    planning.add_to_next_free_slot(db, editor, first.id, clock)
    planning.add_to_next_free_slot(db, editor, second.id, clock)
    planning.add_to_next_free_slot(db, editor, third.id, clock)

    # 21 March (CET) 02:30; 28 March the gap: the moment clocks jump (03:00 CEST); 4 April CEST.
    assert first.scheduled_at == datetime(2027, 3, 21, 1, 30, tzinfo=UTC)
    assert second.scheduled_at == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
    assert third.scheduled_at == datetime(2027, 4, 4, 0, 30, tzinfo=UTC)


def test_next_free_slot_needs_slots_and_slots_are_unique(db: Session, editor: User) -> None:
    channel = make.channel(db, editor)
    fragment = make.fragment_in_status(db, editor, channel)
    with pytest.raises(ValidationError, match="no posting slots"):
        planning.add_to_next_free_slot(db, editor, fragment.id, NOW)
    posting_slots.add_slot(db, editor, channel.id, 1, time(10, 0))
    with pytest.raises(ConflictError, match="already has a slot"):
        posting_slots.add_slot(db, editor, channel.id, 1, time(10, 0))
    assert [(s.weekday, s.local_time) for s in posting_slots.list_slots(db, editor)] == [
        (1, time(10))
    ]


def test_conflicts_flag_posts_closer_than_the_channel_gap(db: Session, editor: User) -> None:
    channel = make.channel(db, editor, min_gap_minutes=120)
    at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    a = plan(db, editor, make.fragment_in_status(db, editor, channel), at, NOW)
    b = plan(
        db, editor, make.fragment_in_status(db, editor, channel), at + timedelta(minutes=90), NOW
    )
    c = plan(db, editor, make.fragment_in_status(db, editor, channel), at + timedelta(hours=6), NOW)

    entries = services.list_calendar(db, editor, start_at=NOW, end_at=NOW + timedelta(days=10))
    by_id = {e.fragment.id: e for e in entries}
    assert by_id[a.id].conflict_with == [b.id]
    assert by_id[c.id].conflict_with == []
    assert [(x.fragment.id, y.fragment.id) for x, y in services.list_conflicts(entries)] == [
        (a.id, b.id)
    ]


def test_reports_count_cadence_balance_and_workload(db: Session, editor: User) -> None:
    channel = make.channel(db, editor, cadence_per_week=2)
    theme = Theme(name="Groen", target_share=50)
    db.add(theme)
    editor.weekly_hours = 1
    at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    for offset in range(4):
        fragment = make.fragment_in_status(
            db,
            editor,
            channel,
            story=make.story(db, f"S{offset}", [theme] if offset else []),
            assignee=editor,
        )
        plan(db, editor, fragment, at + timedelta(hours=3 * offset), NOW)
    period = Period(datetime(2026, 11, 30).date(), datetime(2026, 12, 6).date(), AMS)

    cadence = reports.cadence_overview(db, editor, period)
    assert [(r.planned, r.status.value) for r in cadence.rows] == [(4, "overload")]

    balance = reports.theme_balance(db, editor, period)
    assert [(r.theme, r.actual_pct, r.status.value) for r in balance.rows] == [
        ("Groen", 75.0, "over")
    ]

    reports.update_effort(db, make_user(db, Role.ADMIN, "a@example.org", "A"), {"post": 30})
    load = reports.workload(db, editor, period)
    mine = [row for row in load.people if row.person == editor.id]
    assert mine[0].hours_needed == 2.0
    assert mine[0].is_overloaded
    assert load.weeks[0].fte == pytest.approx(2 / 36)
    with pytest.raises(PermissionDeniedError):
        reports.update_effort(db, editor, {"post": 10})


def test_feeds_parse_back_with_icalendar_and_revoked_feeds_disappear(
    db: Session, editor: User
) -> None:
    channel = make.channel(db, editor)
    other = make.channel(db, editor, "Bluesky")
    mine = plan(
        db,
        editor,
        make.fragment_in_status(db, editor, channel),
        datetime(2026, 12, 1, 9, tzinfo=UTC),
        NOW,
    )
    plan(
        db,
        editor,
        make.fragment_in_status(db, editor, other),
        datetime(2026, 12, 2, 9, tzinfo=UTC),
        NOW,
    )
    feed, token = feeds.create_feed(
        db, editor, name="Mastodon", scope=FeedScope.CHANNEL, channel_id=channel.id
    )
    assert feed.token_hash != token
    assert token not in feed.token_hash

    found = feeds.find_feed(db, token)
    assert found is not None
    body = feeds.render_feed(db, found, NOW, base_url="http://planner.example")
    calendar = icalendar.Calendar.from_ical(body)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["uid"]) for e in events] == [f"fragment-{mine.id}@contentfabriek"]
    start = events[0].decoded("dtstart")
    assert start.tzinfo is not None
    assert start.astimezone(UTC) == mine.scheduled_at
    assert events[0]["dtstart"].params["TZID"] == AMS
    assert calendar.walk("VTIMEZONE")

    feeds.revoke_feed(db, editor, feed.id, NOW)
    assert feeds.find_feed(db, token) is None
    assert feeds.find_feed(db, "cfk_unknown") is None


def test_share_links_expire_and_can_be_revoked(db: Session, editor: User) -> None:
    share, token = feeds.create_share(db, editor, label="Wethouder", days=7, now=NOW)
    assert feeds.get_open_share(db, token, NOW).id == share.id
    with pytest.raises(NotFoundError):
        feeds.get_open_share(db, token, NOW + timedelta(days=8))
    feeds.revoke_share(db, editor, share.id, NOW)
    with pytest.raises(NotFoundError):
        feeds.get_open_share(db, token, NOW)
    with pytest.raises(ValidationError):
        feeds.create_share(db, editor, label="x", days=365, now=NOW)


def _entry_summary(entry: services.CalendarEntry) -> tuple[object, ...]:
    fragment = entry.fragment
    return (
        fragment.id,
        entry.title,
        fragment.kind,
        fragment.status.value,
        fragment.scheduled_at,
        entry.local_start.isoformat(timespec="minutes"),
        fragment.channel_id,
        fragment.channel.name,
        fragment.channel.colour,
        entry.delivery_state.value if entry.delivery_state else None,
        sorted(entry.conflict_with),
    )


def _row_summary(row: services.CalendarRow) -> tuple[object, ...]:
    return (*row[:-1], list(row.conflicts_with))


def test_calendar_rows_say_what_the_calendar_entries_say_for_every_filter(
    db: Session, editor: User
) -> None:
    month = make.month(db, editor)
    window = {"start_at": MONTH_START, "end_at": MONTH_END}
    for filters in (
        services.CalendarFilters(),
        services.CalendarFilters(channel_id=month.mastodon.id),
        services.CalendarFilters(theme_id=month.theme.id),
        services.CalendarFilters(campaign_id=month.campaign.id),
        services.CalendarFilters(person_id=editor.id),
        services.CalendarFilters(status=FragmentStatus.PUBLISHED),
        services.CalendarFilters(status=FragmentStatus.APPROVED),
    ):
        entries = services.list_calendar(db, editor, filters=filters, **window)  # type: ignore[arg-type]
        rows = services.list_calendar_rows(db, editor, filters=filters, **window)  # type: ignore[arg-type]
        assert [_row_summary(r) for r in rows] == [_entry_summary(e) for e in entries], filters

    rows = services.list_calendar_rows(db, editor, **window)  # type: ignore[arg-type]
    assert sorted(r.id for r in rows) == sorted(month.inside)
    by_local = {(r.local, r.channel_id): r for r in rows}
    # The window's first minute is in it; the night the clocks go forward skips 02:00-03:00.
    assert ("2027-03-01T00:00", month.linkedin.id) in by_local
    assert ("2027-03-28T01:59", month.mastodon.id) in by_local
    assert ("2027-03-28T03:00", month.mastodon.id) in by_local
    # Mastodon's cluster of three, all pairs closer than two hours; published ones never count.
    first, second, third = (
        by_local[(f"2027-03-03T{t}", month.mastodon.id)] for t in ("10:00", "10:30", "11:45")
    )
    assert first.title == "Eerste"
    assert third.title == "Veertig bankjes"  # its own title is empty
    assert list(first.conflicts_with) == sorted([second.id, third.id])
    assert list(second.conflicts_with) == sorted([first.id, third.id])
    published = by_local[("2027-03-03T17:00", month.mastodon.id)]
    assert (published.status, published.delivery_state, published.conflicts_with) == (
        "published",
        "sent",
        (),
    )
    # LinkedIn's gap is 45 minutes: 40 apart conflicts, exactly 45 does not.
    a, b, c = (
        by_local[(f"2027-03-04T{t}", month.linkedin.id)] for t in ("10:00", "10:40", "11:25")
    )
    assert (list(a.conflicts_with), list(b.conflicts_with), list(c.conflicts_with)) == (
        [b.id],
        [a.id],
        [],
    )
    assert [a.delivery_state, b.delivery_state, c.delivery_state] == [
        "needs_check",
        "missed",
        "sending",
    ]
    # Bluesky has no gap; the latest of several deliveries is the one shown.
    twins = [r for r in rows if r.local == "2027-03-05T10:00"]
    assert [(r.conflicts_with, r.delivery_state) for r in twins] == [
        ((), "pending"),
        ((), "cancelled"),
    ]
    assert by_local[("2027-03-03T18:00", month.mastodon.id)].delivery_state == "retrying"
    assert any(r.scheduled_at.microsecond for r in rows)
    assert (
        services.list_calendar_rows(
            db,
            editor,
            filters=services.CalendarFilters(status=FragmentStatus.DRAFT),
            **window,  # type: ignore[arg-type]
        )
        == []
    )
    with pytest.raises(PermissionDeniedError):
        services.list_calendar_rows(db, None, **window)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="100 days"):
        services.list_calendar_rows(db, editor, start_at=NOW, end_at=NOW + timedelta(days=101))
