"""Publishing end to end in chromium (issue #7): an editor approves and schedules two fragments a
minute ahead, the scheduler sends them, and the editor sees the article on the built-in blog, the
post at a webhook receiver on 127.0.0.1, and both marked as published on the calendar.

This module runs its own server (not the shared session ``live_server``): a fresh demo database,
the embedded scheduler ticking every half second, and a clock the test can move forward, so "a
minute ahead" arrives in seconds. The server still refuses times in the past by that clock.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect
from sqlalchemy import select

from planner import create_app, migrate
from planner.db import make_engine, make_sessionmaker, transaction
from planner.demo.seed import DEMO_PEOPLE
from planner.jobs import tasks
from planner.publishing import runtime as publishing_runtime
from planner.publishing.models import Delivery, DeliveryState
from planner.web import runtime
from tests.browser.conftest import (
    LiveServer,
    OffsetClock,
    _require_browser,
    screenshot,
    sign_in,
    watch_csp,
)
from tests.conftest import make_settings
from tests.factories import WEBHOOK_SECRET, wait_for
from tests.fakes.smtp import Mailbox, free_port
from tests.fakes.webhook import Receiver, running_receiver

pytestmark = pytest.mark.browser

ADMIN = next(p for p in DEMO_PEOPLE if p.role.value == "admin")
AUTHOR, REVIEWER = [p for p in DEMO_PEOPLE if p.role.value == "editor"][:2]
TZ = ZoneInfo("Europe/Amsterdam")
ARTICLE_TITLE = "Veertig bankjes in het Havenpark"
#: generous: the scheduler ticks every half second; this only bounds a broken run
DEADLINE = 60.0


@dataclass
class PublishingServer:
    server: LiveServer
    clock: OffsetClock
    receiver: Receiver
    mailbox: Mailbox
    blog_fragment: int
    webhook_fragment: int

    @property
    def url(self) -> str:
        return self.server.url

    def factory(self) -> Any:
        return runtime.session_factory(self.server.app)

    def delivery_states(self) -> dict[int, DeliveryState]:
        with self.factory()() as session:
            rows = session.execute(
                select(Delivery.fragment_id, Delivery.state).where(
                    Delivery.fragment_id.in_([self.blog_fragment, self.webhook_fragment])
                )
            ).all()
        return {row.fragment_id: row.state for row in rows}


def _prepare(app: Any, receiver: Receiver) -> tuple[int, int]:
    """Point the channel of a demo post in review at the receiver (as the admin would on
    /channels/<id>/publishing) and send a new blog article to review, both by the demo author, so
    the reviewer approves both in the browser. Returns (blog fragment id, webhook fragment id)."""
    from planner.accounts.models import User
    from planner.channels.models import Channel
    from planner.db import write_session
    from planner.fragments import services
    from planner.fragments.models import Fragment, FragmentStatus
    from planner.publishing.publisher_settings import PublisherInput, configure_publisher
    from planner.stories.models import Story

    # The scheduler already ticks: take SQLite's write lock up front, as the web's writes do.
    with write_session(runtime.session_factory(app)) as session:
        admin = session.scalar(select(User).where(User.email == ADMIN.email))
        author = session.scalar(select(User).where(User.email == AUTHOR.email))
        post = session.scalars(
            select(Fragment)
            .join(Channel, Channel.id == Fragment.channel_id)
            .where(
                Fragment.status == FragmentStatus.IN_REVIEW,
                Fragment.kind == "post",
                Channel.publisher_kind == "manual",
            )
            .order_by(Fragment.id)
        ).first()
        assert admin is not None
        assert author is not None
        assert post is not None, "the demo has no post in review any more"
        assert post.created_by_id == author.id
        configure_publisher(
            session,
            admin,
            post.channel,
            PublisherInput(kind="webhook", url=receiver.url, secret=WEBHOOK_SECRET),
            publishing_runtime.get(app).secret_box,
            allow_loopback=True,
        )
        # a new article for the blog, written by the author and waiting for review
        blog = session.scalar(select(Channel).where(Channel.publisher_kind == "blog"))
        story = session.scalars(
            select(Story).where(Story.consent_withdrawn_at.is_(None)).order_by(Story.id.desc())
        ).first()
        assert blog is not None
        assert story is not None
        article = services.split_story(session, author, story, [blog.id])[0]
        services.update_fragment(
            session,
            author,
            article,
            title=ARTICLE_TITLE,
            lead="Mehmet repareert elke week de bankjes in het park.",
            body="Dit jaar waren het er **veertig**.\n\nKom ze zaterdag proberen.",
        )
        services.submit_for_review(session, author, article)
        return article.id, post.id


@pytest.fixture(scope="module")
def publishing_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PublishingServer]:
    _require_browser()
    from planner.demo.seed import seed_demo
    from planner.media.storage import FileSystemStorage

    tmp = tmp_path_factory.mktemp("publish-e2e")
    url = f"sqlite:///{tmp / 'live.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        seed_demo(session, datetime.now(UTC), FileSystemStorage(tmp / "media"))
    engine.dispose()
    clock = OffsetClock()
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    with running_receiver() as receiver:
        app = create_app(
            make_settings(
                tmp,
                database_url=url,
                embedded_scheduler=True,
                scheduler_interval_seconds=0.5,
                smtp_host="127.0.0.1",
                smtp_port=smtp.port,
                extra={"clock": clock},
            )
        )
        try:
            blog_fragment, webhook_fragment = _prepare(app, receiver)
            server = LiveServer(app)
            server.start()
            try:
                yield PublishingServer(
                    server, clock, receiver, mailbox, blog_fragment, webhook_fragment
                )
            finally:
                server.stop()
        finally:
            tasks.scheduler_of(app).shutdown(wait=True)
            runtime.session_factory(app).kw["bind"].dispose()
            smtp.stop()


@pytest.fixture
def e2e_page(browser: Any, publishing_server: PublishingServer) -> Iterator[Any]:
    context = browser.new_context(base_url=publishing_server.url, locale="nl-NL")
    violations = watch_csp(context)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()
    assert violations == [], "the page broke the Content-Security-Policy"


def _a_minute_ahead(clock: OffsetClock) -> datetime:
    """The first whole minute at least one minute after the server's now, in local time."""
    soon = clock.now() + timedelta(minutes=1)
    whole = datetime.fromtimestamp(math.ceil(soon.timestamp() / 60) * 60, UTC)
    return whole.astimezone(TZ)


def _acknowledge_warnings(page: Any) -> None:
    """The brand gate lets warnings stand with a reason; errors would stop the test here."""
    for _ in range(5):
        pending = page.locator("details.finding__acknowledge")
        if pending.count() == 0:
            return
        item = pending.first
        item.locator("summary").click()
        item.get_by_label("Reason").fill("Bewust zo geschreven voor deze doelgroep.")
        item.get_by_role("button", name="Acknowledge").click()
        expect(page.get_by_text("The warning has been acknowledged.")).to_be_visible()
    raise AssertionError("warnings kept coming back after acknowledging them")


def _approve_and_schedule(page: Any, fragment_id: int, at: datetime, shot: str) -> None:
    page.goto(f"/fragments/{fragment_id}")
    _acknowledge_warnings(page)
    panel = page.locator("#approval")
    panel.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("The fragment is approved and can be scheduled.")).to_be_visible()
    expect(panel.get_by_text(f"Approved by {REVIEWER.name}")).to_be_visible()
    planner = page.locator("#schedule")
    planner.get_by_label("Date").fill(at.date().isoformat())
    planner.get_by_label("Time").fill(at.strftime("%H:%M"))
    planner.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("The fragment is on the calendar.")).to_be_visible()
    expect(page.locator("#schedule").get_by_text("Planned for")).to_be_visible()
    expect(page.locator(".page-header .badge--scheduled")).to_be_visible()
    screenshot(page, shot)


def test_editor_schedules_a_minute_ahead_and_sees_it_published(
    e2e_page: Any, publishing_server: PublishingServer
) -> None:
    page, srv = e2e_page, publishing_server
    with srv.factory()() as session:
        from planner.fragments.models import Fragment

        article = session.get(Fragment, srv.blog_fragment)
        assert article is not None
        assert article.title
        article_title = article.title

    sign_in(page, REVIEWER.email, REVIEWER.password, language="en")
    at = _a_minute_ahead(srv.clock)
    _approve_and_schedule(page, srv.blog_fragment, at, "publish-e2e-approval-blog")
    _approve_and_schedule(page, srv.webhook_fragment, at, "publish-e2e-approval-webhook")
    # Scheduled, not sent: nothing is due yet by the server's clock.
    assert srv.receiver.arrivals == []
    assert set(srv.delivery_states().values()) == {DeliveryState.PENDING}
    with srv.factory()() as session:
        due = session.scalars(
            select(Delivery.due_at).where(
                Delivery.fragment_id.in_([srv.blog_fragment, srv.webhook_fragment])
            )
        ).all()
    assert [d.replace(tzinfo=UTC) if d.tzinfo is None else d for d in due] == [at, at]

    srv.clock.advance(timedelta(minutes=2, seconds=30))
    sent = {srv.blog_fragment: DeliveryState.SENT, srv.webhook_fragment: DeliveryState.SENT}
    assert wait_for(lambda: srv.delivery_states() == sent, DEADLINE), srv.delivery_states()
    # Nothing needs anyone: no mail points at the attention page (review requests may be mailed).
    assert not [m for _, m in srv.mailbox.messages if "/publishing/attention" in m.get_content()]

    # The receiver records only requests whose Standard Webhooks signature verifies (others get
    # a 401 and are not recorded), so one arrival is one validly signed request, sent once.
    arrivals = list(srv.receiver.arrivals)
    assert len(arrivals) == 1, arrivals
    with srv.factory()() as session:
        delivery = session.scalar(
            select(Delivery).where(Delivery.fragment_id == srv.webhook_fragment)
        )
        assert delivery is not None
        assert arrivals[0].delivery_id == delivery.id
        assert arrivals[0].msg_id == delivery.idempotency_key
        assert delivery.remote_url == f"https://receiver.test/{delivery.idempotency_key}"

    page.goto("/blog")
    link = page.get_by_role("link", name=article_title).first
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(article_title)
    screenshot(page, "publish-e2e-blog-post")

    # The calendar shows the organisation's wall clock: near midnight UTC that is already tomorrow.
    page.goto(f"/calendar?date={at.astimezone(TZ).date().isoformat()}")
    # The day view shows every event of the day (the month view folds busy days into "+more").
    page.locator(".fc-timeGridDay-button").click()
    for fragment_id in (srv.blog_fragment, srv.webhook_fragment):
        event = page.locator(f'#calendar a.fc-event[href$="/fragments/{fragment_id}/schedule"]')
        expect(event).to_have_count(1)
        expect(event).to_have_class(re.compile(r"\bcal-event--published\b"))
        expect(event.locator(".cal-event__meta")).to_contain_text("Sent")
    screenshot(page, "publish-e2e-calendar")


def _scheduled_by_services(srv: PublishingServer) -> tuple[int, str, str]:
    """A new post on the webhook channel, written by the author and approved and scheduled a
    minute ahead by the reviewer through the same services the pages use. Returns (fragment id,
    story title, channel name)."""
    from planner.accounts.models import User
    from planner.approval import services as approval_services
    from planner.db import write_session
    from planner.fragments import services
    from planner.fragments.models import Fragment
    from planner.scheduling import planning
    from planner.stories.models import Story

    with write_session(srv.factory()) as session:
        author = session.scalar(select(User).where(User.email == AUTHOR.email))
        reviewer = session.scalar(select(User).where(User.email == REVIEWER.email))
        webhook = session.get(Fragment, srv.webhook_fragment)
        story = session.scalars(
            select(Story).where(Story.consent_withdrawn_at.is_(None)).order_by(Story.id)
        ).first()
        assert author is not None
        assert reviewer is not None
        assert webhook is not None
        assert story is not None
        fragment = services.split_story(session, author, story, [webhook.channel_id])[0]
        services.update_fragment(
            session, author, fragment, parts=["Kom zaterdag naar de open dag."], hashtags=[]
        )
        services.submit_for_review(session, author, fragment)
        now = srv.clock.now()
        approval_services.approve_fragment(session, reviewer, fragment, now)
        planning.schedule_fragment(session, reviewer, fragment, _a_minute_ahead(srv.clock), now)
        return fragment.id, story.title, fragment.channel.name


def test_a_refused_delivery_shows_on_dashboard_and_calendar_and_mails_the_author(
    e2e_page: Any, publishing_server: PublishingServer
) -> None:
    page, srv = e2e_page, publishing_server
    srv.receiver.script = lambda msg_id, nth: ("reply", 422, {})
    fragment_id, story_title, channel_name = _scheduled_by_services(srv)
    before = len(srv.receiver.arrivals)
    srv.clock.advance(timedelta(minutes=2, seconds=30))

    def state() -> DeliveryState | None:
        with srv.factory()() as session:
            return session.scalar(select(Delivery.state).where(Delivery.fragment_id == fragment_id))

    assert wait_for(lambda: state() == DeliveryState.FAILED, DEADLINE), state()
    assert len(srv.receiver.arrivals) == before + 1  # refused for good: not retried

    # the author hears about it by e-mail (the mail goes out right after the settle)
    def failure_mails() -> list[tuple[list[str], Any]]:
        return [
            (to, m) for to, m in srv.mailbox.messages if "/publishing/attention" in m.get_content()
        ]

    assert wait_for(lambda: len(failure_mails()) == 1, DEADLINE), srv.mailbox.messages
    recipients, message = failure_mails()[0]
    assert recipients == [AUTHOR.email]
    assert "/publishing/attention#delivery-" in message.get_content()

    sign_in(page, REVIEWER.email, REVIEWER.password, language="en")
    item = page.get_by_role("link", name=re.compile(rf"^Failed: {re.escape(story_title)} · "))
    expect(item.filter(has_text=channel_name).first).to_be_visible()
    screenshot(page, "publish-e2e-dashboard-failed")
    page.get_by_role("link", name="Retry, mark as posted or cancel").click()
    with srv.factory()() as session:
        delivery_id = session.scalar(select(Delivery.id).where(Delivery.fragment_id == fragment_id))
    card = page.locator(f"#delivery-{delivery_id}")
    expect(card.get_by_text("Publishing failed.")).to_be_visible()
    expect(card.get_by_role("button", name="Try again")).to_be_visible()
    expect(card.get_by_role("button", name="Mark as posted")).to_be_visible()

    day = (srv.clock.now().astimezone(TZ)).date().isoformat()
    page.goto(f"/calendar?date={day}")
    page.locator(".fc-timeGridDay-button").click()
    event = page.locator(f'#calendar a.fc-event[href$="/fragments/{fragment_id}/schedule"]')
    expect(event).to_have_count(1)
    expect(event).to_have_class(re.compile(r"\bcal-event--attention\b"))
    expect(event.locator(".cal-event__mark--attention")).to_have_text("!")
    screenshot(page, "publish-e2e-calendar-failed")
