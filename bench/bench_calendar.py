"""The calendar with 10,000 fragments in the database (SQLite), measured against baselines run
in the same process:

1. One busy month (5,000 fragments, each with its delivery): the calendar API and the calendar's
   JSON events endpoint per request, against (a) the naive ORM loop that lazy-loads channel,
   story and delivery per fragment and (b) a minimal Flask endpoint returning the same rows
   through one SQLAlchemy select.
2. An ordinary month (500 fragments) under 16 concurrent connections: requests/s and p99 of the
   calendar API against the same minimal endpoint (aim: at least half its throughput, p99 under
   100 ms).
3. Chromium (when installed): time until the month view with those 500 events is interactive
   (aim: under 1 s), from navigation start to the last event painted.

Compare the ratios, not the absolute times (docs/performance.md).
Run: .venv/bin/python bench/bench_calendar.py
"""

from __future__ import annotations

import http.client
import json
import logging
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import jsonify
from sqlalchemy import insert, select
from werkzeug.serving import make_server

from planner import create_app, migrate
from planner.accounts.models import Role
from planner.accounts.services import create_token, create_user
from planner.channels.models import Channel
from planner.config import Settings
from planner.db import make_engine, make_sessionmaker, transaction
from planner.fragments.models import Fragment, FragmentStatus
from planner.organisation.services import get_organisation
from planner.publishing.models import Delivery, DeliveryState
from planner.stories.models import Story, StorySource
from planner.web.database import db_session

BUSY_MONTH = date(2027, 3, 1)
CALM_MONTH = date(2027, 5, 1)
BUSY = 5_000
CALM = 500
TOTAL = 10_000
CONCURRENCY = 16
PER_CONNECTION = 15
REPEAT = 5
PASSWORD = "bench-password-123"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def _instants(month: date, count: int, salt: int) -> list[datetime]:
    start = datetime(month.year, month.month, 1, 6, tzinfo=UTC)
    # Deterministic spread over the month's days and daytime hours; fragment i goes to channel
    # i % 8, so every channel gets every day.
    return [
        start + timedelta(days=(i + (i // 8) * 5 + salt) % 28, minutes=(i * 37 + salt) % (14 * 60))
        for i in range(count)
    ]


def seed(url: str) -> tuple[str, str]:
    migrate.upgrade(url)
    engine = make_engine(url)
    now = datetime(2027, 1, 1, tzinfo=UTC)
    with transaction(make_sessionmaker(engine)) as session:
        get_organisation(session)  # the row every installation has after its first start
        editor = create_user(
            session,
            None,
            email="bench@example.org",
            name="Bench Editor",
            role=Role.EDITOR,
            password=PASSWORD,
        )
        channels = [
            Channel(name=f"Kanaal {i}", kind_key="mastodon", colour=f"#{i * 20 + 30:02X}3FC4")
            for i in range(8)
        ]
        session.add_all(channels)
        session.flush()
        stories = [
            {
                "title": f"Verhaal {i}",
                "body": "Een verhaal uit de buurt.",
                "language": "nl",
                "source": StorySource.EMPLOYEE,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(200)
        ]
        session.execute(insert(Story), stories)
        story_ids = list(session.scalars(select(Story.id).order_by(Story.id)))
        other = [
            datetime(2027, 1, 1, 8, tzinfo=UTC) + timedelta(hours=i * 37 % (360 * 24))
            for i in range(TOTAL - BUSY - CALM)
        ]
        other = [at for at in other if at.month not in (BUSY_MONTH.month, CALM_MONTH.month)]
        instants = _instants(BUSY_MONTH, BUSY, 1) + _instants(CALM_MONTH, CALM, 3) + other
        while len(instants) < TOTAL:
            instants.append(datetime(2027, 9, 1, 9, tzinfo=UTC) + timedelta(hours=len(instants)))
        rows = [
            {
                "story_id": story_ids[i % len(story_ids)],
                "channel_id": channels[i % len(channels)].id,
                "kind": "post",
                "status": FragmentStatus.SCHEDULED,
                "parts": [f"Bericht {i} over de buurt."],
                "hashtags": [],
                "scheduled_at": at,
                "created_by_id": editor.id,
                "created_at": now,
                "updated_at": now,
            }
            for i, at in enumerate(instants)
        ]
        session.execute(insert(Fragment), rows)
        fragments = session.execute(
            select(Fragment.id, Fragment.channel_id, Fragment.scheduled_at)
        ).all()
        session.execute(
            insert(Delivery),
            [
                {
                    "fragment_id": fid,
                    "channel_id": cid,
                    "due_at": at,
                    "not_before": at,
                    "state": DeliveryState.PENDING,
                    "fragment_version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for fid, cid, at in fragments
            ],
        )
        token = create_token(session, None, editor, "bench")
    engine.dispose()
    return token, "bench@example.org"


def add_baselines(app: Any) -> None:
    """Two endpoints returning the same month without the calendar's service layer."""

    @app.get("/bench/minimal")
    def minimal() -> Any:
        from flask import request

        start = datetime.fromisoformat(request.args["start"]).replace(tzinfo=UTC)
        end = datetime.fromisoformat(request.args["end"]).replace(tzinfo=UTC)
        rows = db_session().execute(
            select(
                Fragment.id,
                Story.title,
                Fragment.channel_id,
                Channel.name,
                Fragment.kind,
                Fragment.status,
                Fragment.scheduled_at,
            )
            .join(Story, Story.id == Fragment.story_id)
            .join(Channel, Channel.id == Fragment.channel_id)
            .where(Fragment.scheduled_at >= start, Fragment.scheduled_at < end)
            .order_by(Fragment.scheduled_at)
        )
        return jsonify(
            [
                {
                    "id": r[0],
                    "title": r[1],
                    "channel_id": r[2],
                    "channel": r[3],
                    "kind": r[4],
                    "status": r[5].value,
                    "scheduled_at": r[6].isoformat(),
                }
                for r in rows
            ]
        )

    @app.get("/bench/naive")
    def naive() -> Any:
        from flask import request

        start = datetime.fromisoformat(request.args["start"]).replace(tzinfo=UTC)
        end = datetime.fromisoformat(request.args["end"]).replace(tzinfo=UTC)
        session = db_session()
        out = []
        for fragment in session.scalars(
            select(Fragment)
            .where(Fragment.scheduled_at >= start, Fragment.scheduled_at < end)
            .order_by(Fragment.scheduled_at)
        ):
            delivery = session.scalar(
                select(Delivery).where(Delivery.fragment_id == fragment.id).limit(1)
            )
            out.append(
                {
                    "id": fragment.id,
                    "title": fragment.story.title,  # lazy load per fragment
                    "channel": fragment.channel.name,  # lazy load per fragment
                    "kind": fragment.kind,
                    "status": fragment.status.value,
                    "delivery_state": delivery.state.value if delivery else None,
                    "scheduled_at": fragment.scheduled_at.isoformat()
                    if fragment.scheduled_at
                    else None,
                }
            )
        return jsonify(out)


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-calendar-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    started = time.perf_counter()
    token, email = seed(url)
    print(f"seeded {TOTAL:,} fragments with deliveries in {time.perf_counter() - started:.1f} s")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_app(
        Settings(
            instance_path=tmp / "instance",
            database_url=url,
            secret_key="bench-secret-key-" + "x" * 32,
            media_dir=tmp / "media",
            ratelimit_enabled=False,
        )
    )
    app.config["WTF_CSRF_ENABLED"] = False
    # Failed requests are counted in the table; their tracebacks would drown it.
    app.logger.setLevel(logging.CRITICAL)
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    add_baselines(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def get(path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, body

    cookie, _ = _sign_in(port, email)
    api = {"Authorization": f"Bearer {token}"}
    web = {"Cookie": cookie}

    def window(month: date) -> tuple[str, str, str]:
        following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        api_q = urlencode({"start": month.isoformat(), "end": following.isoformat()})
        web_q = urlencode({"start": f"{month}T00:00:00Z", "end": f"{following}T00:00:00Z"})
        raw_q = urlencode({"start": f"{month}T00:00:00", "end": f"{following}T00:00:00"})
        return api_q, web_q, raw_q

    api_q, web_q, raw_q = window(BUSY_MONTH)
    candidates: dict[str, Callable[[], tuple[int, bytes]]] = {
        "minimal Flask + one select (base)": lambda: get(f"/bench/minimal?{raw_q}", api),
        "naive lazy loading per fragment": lambda: get(f"/bench/naive?{raw_q}", api),
        "GET /api/v1/calendar": lambda: get(f"/api/v1/calendar?{api_q}", api),
        "GET /calendar/events (FullCalendar)": lambda: get(f"/calendar/events?{web_q}", web),
    }
    print(
        f"\n1. one month with {BUSY:,} fragments, sequential, ms per request (median of {REPEAT})"
    )
    print(f"{'':40}{'rows':>7}{'ms':>9}{'× base':>9}")
    base = None
    for name, call in candidates.items():
        call()
        times = []
        rows = 0
        for _ in range(REPEAT):
            start = time.perf_counter()
            code, body = call()
            times.append((time.perf_counter() - start) * 1000)
            if code != 200:
                raise SystemExit(f"{name}: HTTP {code}")
            rows = len(json.loads(body))
        median = statistics.median(times)
        base = base or median
        print(f"{name:40}{rows:7d}{median:9.0f}{median / base:9.2f}")

    api_q, web_q, raw_q = window(CALM_MONTH)
    print(f"\n2. one month with {CALM} fragments, {CONCURRENCY} concurrent connections")
    print(f"{'':40}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'failed':>8}")
    results = {}
    for name, path in (
        ("minimal Flask + one select (base)", f"/bench/minimal?{raw_q}"),
        ("GET /api/v1/calendar", f"/api/v1/calendar?{api_q}"),
        ("GET /calendar/events (FullCalendar)", f"/calendar/events?{web_q}"),
    ):
        headers = web if path.startswith("/calendar") else api
        rate, p50, p99, failed = _load(lambda p=path, h=headers: get(p, h))
        results[name] = (rate, p99)
        print(f"{name:40}{rate:8.1f}{p50:9.1f}{p99:9.1f}{failed:8d}")
    base_rate = results["minimal Flask + one select (base)"][0]
    rate, p99 = results["GET /api/v1/calendar"]
    print(
        f"calendar API: {rate / base_rate:.2f} × the minimal endpoint's throughput "
        f"(aim ≥ 0.5: {'meets' if rate / base_rate >= 0.5 else 'misses'}), p99 {p99:.0f} ms "
        f"(aim < 100 ms: {'meets' if p99 < 100 else 'misses'})"
    )

    _browser(port, email)
    server.shutdown()


def _sign_in(port: int, email: str) -> tuple[str, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = urlencode({"email": email, "password": PASSWORD}).encode()
    connection.request(
        "POST", "/sign-in", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    response = connection.getresponse()
    response.read()
    cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
    connection.close()
    if response.status != 302 or not cookie:
        raise SystemExit(f"sign-in failed: {response.status}")
    return cookie, response.status


def _load(call: Callable[[], tuple[int, bytes]]) -> tuple[float, float, float, int]:
    """Requests/s (successful ones), p50 and p99 in ms, and how many requests failed."""
    call()

    def worker() -> tuple[list[float], int]:
        times = []
        failed = 0
        for _ in range(PER_CONNECTION):
            start = time.perf_counter()
            code, _ = call()
            if code == 200:
                times.append((time.perf_counter() - start) * 1000)
            else:
                failed += 1
        return times, failed

    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        results = [f.result() for f in [pool.submit(worker) for _ in range(CONCURRENCY)]]
    elapsed = time.perf_counter() - started
    times = [t for ok, _ in results for t in ok]
    failed = sum(n for _, n in results)
    return len(times) / elapsed, statistics.median(times), percentile(times, 99), failed


def _browser(port: int, email: str) -> None:
    chromium = Path("/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("\n3. chromium: playwright is not installed; skipped")
        return
    if not chromium.exists():
        print("\n3. chromium: /usr/bin/chromium is missing; skipped")
        return
    base = f"http://127.0.0.1:{port}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        page = browser.new_page(base_url=base, viewport={"width": 1440, "height": 1000})
        page.goto("/sign-in")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]:not([name=language])")
        page.wait_for_url("**/dashboard")
        times = []
        for _ in range(REPEAT):
            page.goto(f"/calendar?date={CALM_MONTH.isoformat()}")
            page.wait_for_function(
                "document.querySelectorAll('#calendar .fc-daygrid-event').length > 0"
                " && document.querySelectorAll('#calendar .fc-daygrid-more-link').length > 0"
            )
            times.append(page.evaluate("performance.now()"))
        page.click("#calendar .fc-listMonth-button")
        page.wait_for_function("document.querySelectorAll('#calendar .fc-list-event').length > 0")
        listed = page.evaluate("document.querySelectorAll('#calendar .fc-list-event').length")
        browser.close()
    interactive = statistics.median(times)
    print(f"\n3. chromium: month view with {CALM} events ({listed} in its list view)")
    print(
        f"interactive after {interactive:.0f} ms (median of {REPEAT}; "
        f"aim < 1000 ms: {'meets' if interactive < 1000 else 'misses'})"
    )


if __name__ == "__main__":
    main()
