"""The loop as people walk it (issue 13), in chromium, in Dutch, on a laptop and on a phone.

A resident sends a story with a photo; Sanne (editor) accepts it, describes the photo, splits it
from the story page, edits the blog article and submits it without pressing "Opslaan" (the typed
text must go along); Daan (second editor) approves it past a warning he lets stand with a reason;
it is scheduled from the calendar, the publishing engine runs, and the post is live on the blog.
Every step leaves a screenshot in test-artifacts/ (loop-<device>-<nn>-<step>.png).

The module runs its own server: a fresh demo database and a clock the test moves forward, so the
planned minute arrives at once; the engine is run by the test (tasks.publish_due), as a tick would.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from planner import create_app, migrate
from planner.db import make_engine, make_sessionmaker, transaction
from planner.demo.seed import DEMO_PEOPLE
from planner.demo.stories import DEMO_INTAKE_TOKEN
from planner.web import runtime
from tests.browser.conftest import (
    LiveServer,
    OffsetClock,
    _require_browser,
    screenshot,
    sign_in,
    upload_file,
)
from tests.conftest import make_settings
from tests.unit.media.sample_images import jpeg

pytestmark = pytest.mark.browser

SANNE = next(p for p in DEMO_PEOPLE if p.name == "Sanne Bakker")
DAAN = next(p for p in DEMO_PEOPLE if p.name == "Daan Visser")
TZ = ZoneInfo("Europe/Amsterdam")
BLOG = "Nieuws op zuiderhaven.nl"
MASTODON = "Mastodon @zuiderhaven"
DEVICES = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
STORIES = {
    "laptop": "Het bankje bij de vijver is weer heel",
    "phone": "De lantaarn in de Kerkstraat brandt weer",
}
BODY = (
    "Vorige week zat er nog een gat in het bankje bij de vijver in het Havenpark. Ik heb het "
    "gemeld via de app.\n\nNu is het bankje gemaakt. Er zitten nieuwe planken op en het is "
    "geverfd. Mijn buurvrouw en ik zitten er weer elke ochtend met een kop koffie. Dank je wel!"
)
#: Sanne's addition: it says "u" where the rest says "je", a warning (never an error)
ADDITION = " Ziet u ook iets wat kapot is? Meld het in de app."
REASON = "Bewust: de oproep spreekt alle lezers aan, ook wie liever 'u' leest."


@dataclass
class WalkServer:
    server: LiveServer
    clock: OffsetClock

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="module")
def walk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WalkServer]:
    _require_browser()
    from planner.demo.seed import seed_demo
    from planner.media.storage import FileSystemStorage

    tmp = tmp_path_factory.mktemp("loop-walk")
    url = f"sqlite:///{tmp / 'live.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        seed_demo(session, datetime.now(UTC), FileSystemStorage(tmp / "media"))
    engine.dispose()
    clock = OffsetClock()
    app = create_app(make_settings(tmp, database_url=url, extra={"clock": clock}))
    server = LiveServer(app)
    server.start()
    try:
        yield WalkServer(server, clock)
    finally:
        server.stop()
        runtime.session_factory(app).kw["bind"].dispose()


#: the phone layout (issue 13 item 3) arrives with branch loopb; the walk at 390 px needs it
#: (verified on loopa merged with loopb: both walks pass). Drop this mark once both are merged.
_PHONE_LAYOUT = Path(__file__).resolve().parents[2] / "static" / "js" / "phone.js"
PHONE = pytest.param(
    "phone",
    marks=pytest.mark.skipif(
        not _PHONE_LAYOUT.exists(), reason="needs the phone layout of issue 13 item 3 (loopb)"
    ),
)


@pytest.fixture(params=["laptop", PHONE])
def device(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def walk_page(browser: Any, walk_server: WalkServer, device: str) -> Iterator[Any]:
    phone = device == "phone"
    context = browser.new_context(
        base_url=walk_server.url,
        locale="nl-NL",
        viewport=DEVICES[device],
        is_mobile=phone,
        has_touch=phone,
    )
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


class Shots:
    """Numbered screenshots of one walk: loop-<device>-<nn>-<step>.png."""

    def __init__(self, page: Any, device: str) -> None:
        self.page = page
        self.device = device
        self.count = 0

    def __call__(self, step: str) -> None:
        self.count += 1
        screenshot(self.page, f"loop-{self.device}-{self.count:02d}-{step}")


def _ahead(clock: OffsetClock, minutes: int) -> datetime:
    """A whole minute at least ``minutes`` after the server's now, in Amsterdam time."""
    soon = clock.now() + timedelta(minutes=minutes)
    whole = datetime.fromtimestamp(math.ceil(soon.timestamp() / 60) * 60, UTC)
    return whole.astimezone(TZ)


def _sign_out(page: Any) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_load_state()


def _resident_sends(page: Any, title: str, shot: Shots) -> None:
    page.goto(f"/i/{DEMO_INTAKE_TOKEN}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Deel je verhaal")
    page.get_by_label("Je naam").fill("Joyce Peters")
    page.get_by_label("Titel van je verhaal").fill(title)
    page.get_by_label("Je verhaal", exact=True).fill(BODY)
    page.locator("#allow_story").check()
    page.locator("#allow_name").check()
    page.locator("#allow_photos").check()
    page.set_input_files(
        "#photos-0-file",
        files=[upload_file("bankje.jpg", jpeg(1200, 800))],
    )
    shot("intake")
    page.get_by_role("button", name="Verstuur mijn verhaal").click()
    page.wait_for_url(f"**/i/{DEMO_INTAKE_TOKEN}/thanks*")
    shot("intake-thanks")


def _sanne_accepts_describes_and_splits(page: Any, title: str, shot: Shots) -> None:
    sign_in(page, SANNE.email, SANNE.password)
    page.goto("/stories")
    folded = page.locator(".filters-toggle")
    if folded.count():  # on a phone the filters fold behind a button first
        folded.first.click()
    page.get_by_label("Zoeken").fill(title)
    page.get_by_role("button", name="Filteren", exact=True).click()
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_role("button", name="Accepteren").click()
    expect(page.get_by_text("Het verhaal is geaccepteerd.")).to_be_visible()

    photo = page.locator("article.photo").first
    alt_box = photo.locator("textarea[id$='-alt']")
    alt_box.fill("Een gerepareerd houten bankje bij de vijver, met nieuwe planken.")
    alt_box.locator("xpath=ancestor::form").locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#photos .alert--warning")).to_have_count(0)
    shot("story-accepted-with-alt-text")

    # The next step is on the story page itself: its spread box offers splitting.
    spread = page.locator("#spread")
    spread.get_by_role("link", name="Verdelen over kanalen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verhaal opsplitsen")
    page.get_by_label(BLOG).check()
    page.get_by_label(MASTODON).check()
    shot("split")
    page.get_by_role("button", name="Concepten maken").click()
    # An overview of what was made, not silently the first draft.
    expect(page.get_by_text("Er zijn 2 concepten gemaakt.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator(".badge", has_text="nieuw")).to_have_count(2)
    shot("split-overview")
    rows.filter(has_text=BLOG).get_by_role("link").click()
    expect(page.locator(".page-header")).to_contain_text(BLOG)


def _sanne_edits_and_submits_without_saving(page: Any, shot: Shots) -> str:
    body = page.locator("#fragment-form textarea[data-field='body']")
    body.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(ADDITION)
    typed = body.input_value()
    assert typed.endswith(ADDITION)
    # the live check sees the new "u" next to the resident's "je"
    expect(page.locator("#live")).to_contain_text("Kies één aanspreekvorm")

    # Leaving with unsaved edits asks first; staying keeps the text.
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    here = page.url
    page.locator(".page-header").get_by_role("link", name="Verhaal").click()
    page.wait_for_timeout(300)
    page.remove_listener("dialog", answer)
    assert asked == ["beforeunload"]
    assert page.url == here
    assert body.input_value() == typed
    shot("edited-not-saved")

    # Straight to review, without "Opslaan": the typed text goes along.
    page.get_by_role("button", name="Ter beoordeling aanbieden").click()
    expect(
        page.get_by_text("Je wijzigingen zijn opgeslagen en het fragment wacht op beoordeling.")
    ).to_be_visible()
    expect(page.locator(".page-header .badge--in_review")).to_be_visible()
    expect(page.locator("#fragment-form textarea[data-field='body']")).to_have_value(typed)
    shot("submitted")
    fragment_id = page.url.rstrip("/").split("/")[-1].split("#")[0]
    _sign_out(page)
    return fragment_id


def _daan_approves_past_the_warning(page: Any, title: str, fragment_id: str, shot: Shots) -> None:
    sign_in(page, DAAN.email, DAAN.password)
    review = page.locator(".panel", has_text="Wacht op jouw beoordeling")
    review.get_by_role("link", name=f"{title} · {BLOG}").click()
    page.wait_for_url(f"**/fragments/{fragment_id}")
    panel = page.locator("#approval")
    held = panel.locator(".approval__held--warnings")
    expect(held).to_contain_text("Kies één aanspreekvorm")
    held.get_by_label("Reden om haar te laten staan").fill(REASON)
    shot("approve-with-reason")
    panel.get_by_role("button", name="Waarschuwingen laten staan en goedkeuren").click()
    expect(page.get_by_text("Het fragment is goedgekeurd en kan worden ingepland.")).to_be_visible()
    expect(page.locator("#live .finding--acknowledged")).to_contain_text(REASON)
    shot("approved")


def _scheduled_from_the_calendar(page: Any, fragment_id: str, at: datetime, shot: Shots) -> None:
    page.get_by_role("link", name="Kalender").first.click()
    page.wait_for_url("**/calendar**")
    item = page.locator(f'#to-plan li[data-fragment-id="{fragment_id}"]')
    expect(item).to_be_visible()
    shot("calendar-to-plan")
    item.get_by_role("link", name="Inplannen…").click()
    page.get_by_label("Datum").fill(at.date().isoformat())
    page.get_by_label("Tijd").fill(at.strftime("%H:%M"))
    shot("schedule-form")
    page.get_by_role("button", name="Inplannen", exact=True).click()
    page.wait_for_load_state()
    page.goto(f"/fragments/{fragment_id}")
    expect(page.locator(".page-header .badge--scheduled")).to_be_visible()
    expect(page.locator("#scheduled-warning")).to_be_visible()
    shot("scheduled")


def _published(page: Any, srv: WalkServer, fragment_id: str, title: str, shot: Shots) -> None:
    from planner.jobs import tasks

    srv.clock.advance(timedelta(minutes=15))
    report = tasks.publish_due(srv.server.app)
    assert report.sent >= 1, report
    page.goto(f"/fragments/{fragment_id}")
    expect(page.locator(".page-header .badge--published")).to_be_visible()
    expect(page.locator("#fragment-form fieldset[disabled]")).to_have_count(1)
    expect(page.get_by_role("button", name="Opslaan", exact=True)).to_have_count(0)
    live = page.locator("#published").get_by_role("link", name="Bekijk het live bericht")
    expect(live).to_be_visible()
    shot("published-read-only")
    href = live.get_attribute("href") or ""
    page.goto("/blog/" + href.split("/blog/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".blog-post__body")).to_contain_text("Ziet u ook iets wat kapot is?")
    shot("blog-post")


def test_the_loop_as_sanne_and_daan_walk_it(
    walk_page: Any, walk_server: WalkServer, device: str
) -> None:
    page, title = walk_page, STORIES[device]
    shot = Shots(page, device)
    _resident_sends(page, title, shot)
    _sanne_accepts_describes_and_splits(page, title, shot)
    fragment_id = _sanne_edits_and_submits_without_saving(page, shot)

    with runtime.session_factory(walk_server.server.app)() as session:
        from planner.fragments.models import Fragment, FragmentStatus

        stored = session.scalar(select(Fragment).where(Fragment.id == int(fragment_id)))
        assert stored is not None
        assert stored.status == FragmentStatus.IN_REVIEW
        assert (stored.body or "").endswith(ADDITION.strip())

    _daan_approves_past_the_warning(page, title, fragment_id, shot)
    _scheduled_from_the_calendar(page, fragment_id, _ahead(walk_server.clock, 5), shot)
    _published(page, walk_server, fragment_id, title, shot)
