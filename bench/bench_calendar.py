"""The calendar with 10,000 fragments in the database, served as production serves it: gunicorn
(sync workers) in a process of its own, the load generator in another, on PostgreSQL and SQLite.

Every figure is a ratio against baselines served by the same gunicorn, from the same database, in
the same run (docs/performance.md: the machines are shared and noisy):

1. One busy month (5,000 fragments, each with its delivery), one request at a time: the calendar
   API and the calendar's FullCalendar JSON against a minimal endpoint returning the same rows
   through one SQLAlchemy select (and, for scale, a naive ORM loop that lazy-loads per fragment).
2. The busy month and an ordinary one (500 fragments) under 16 concurrent connections:
   requests/s, p50 and p99 against the same minimal endpoint (aim: at least half its
   throughput), and the calendar API once more with the ETag of its last answer (304s). Rounds
   of base, candidates, base; each ratio is the median over the rounds.
3. Chromium (when installed): time until the month view with 500 events is interactive.

Run: .venv/bin/python bench/bench_calendar.py [--backend postgresql|sqlite] [--rounds 3]
PostgreSQL: a scratch database on 127.0.0.1:5432 (user postgres; PLANNER_BENCH_POSTGRES_URL to
change), created here and dropped afterwards.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from _servers import free_port, scratch_postgres

BUSY_MONTH = date(2027, 3, 1)
CALM_MONTH = date(2027, 5, 1)
BUSY = 5_000
CALM = 500
TOTAL = 10_000
CONNECTIONS = 16
REPEAT = 5
PASSWORD = "bench-password-123"
BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
BASE = "minimal endpoint, one select (base)"
API = "GET /api/v1/calendar"
EVENTS = "GET /calendar/events (FullCalendar)"
API_304 = "GET /api/v1/calendar, If-None-Match"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


# --- the data -------------------------------------------------------------------------------


def _instants(month: date, count: int, salt: int) -> list[datetime]:
    start = datetime(month.year, month.month, 1, 6, tzinfo=UTC)
    # Deterministic spread over the month's days and daytime hours; fragment i goes to channel
    # i % 8, so every channel gets every day.
    return [
        start + timedelta(days=(i + (i // 8) * 5 + salt) % 28, minutes=(i * 37 + salt) % (14 * 60))
        for i in range(count)
    ]


def seed(url: str) -> str:
    """10,000 scheduled fragments with their deliveries; returns an editor's API token."""
    from sqlalchemy import insert, select

    from planner import migrate
    from planner.accounts.models import Role
    from planner.accounts.services import create_token, create_user
    from planner.channels.models import Channel
    from planner.db import make_engine, make_sessionmaker, transaction
    from planner.fragments.models import Fragment, FragmentStatus
    from planner.organisation.services import get_organisation
    from planner.publishing.models import Delivery, DeliveryState
    from planner.stories.models import Story, StorySource

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
    if engine.dialect.name == "postgresql":
        # The planner statistics autovacuum would gather within a minute of such a load; without
        # them the first minute of the run measures a different plan than the rest.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return token


# --- the server under test: gunicorn in a process of its own --------------------------------


def bench_app() -> Any:
    """The app gunicorn serves ('bench_calendar:bench_app()'): the planner as configured by
    PLANNER_* variables, plus the baselines."""
    from planner import create_app

    app = create_app()
    add_baselines(app)
    return app


def add_baselines(app: Any) -> None:
    """Two endpoints returning the same month without the calendar's service layer."""
    from flask import jsonify, request
    from sqlalchemy import select

    from planner.channels.models import Channel
    from planner.fragments.models import Fragment
    from planner.publishing.models import Delivery
    from planner.stories.models import Story
    from planner.web.database import db_session

    def window() -> tuple[datetime, datetime]:
        start = datetime.fromisoformat(request.args["start"]).replace(tzinfo=UTC)
        return start, datetime.fromisoformat(request.args["end"]).replace(tzinfo=UTC)

    @app.get("/bench/minimal")
    def minimal() -> Any:
        start, end = window()
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
        start, end = window()
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


@contextmanager
def gunicorn(url: str, tmp: Path, workers: int) -> Iterator[int]:
    """Serve the planner (and the baselines) with gunicorn; yields its port."""
    port = free_port()
    env = {
        **os.environ,
        "PLANNER_DATABASE_URL": url,
        "PLANNER_INSTANCE_PATH": str(tmp / "instance"),
        "PLANNER_MEDIA_DIR": str(tmp / "media"),
        "PLANNER_SECRET_KEY": "bench-secret-key-" + "x" * 32,
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--pythonpath",
        str(BENCH_DIR),
        "--error-logfile",
        str(tmp / "gunicorn.log"),
    ]
    # The project's own settings (gc.freeze after start-up), when this checkout has them.
    if importlib.util.find_spec("planner.gunicorn_conf") is not None:
        command += ["--config", "python:planner.gunicorn_conf"]
    process = subprocess.Popen([*command, "bench_calendar:bench_app()"], env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(port, "/healthz", {})[0] in (200, 503):
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log = (tmp / "gunicorn.log").read_text(errors="replace")[-3000:]
                raise SystemExit(f"gunicorn did not start:\n{log}")
            time.sleep(0.2)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the load generator: another process ----------------------------------------------------


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, body, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


@dataclass
class Load:
    rate: float
    p50: float
    p99: float
    failed: int
    done: int


def load(port: int, path: str, headers: dict[str, str], connections: int, seconds: float) -> Load:
    """``connections`` clients asking one after another for ``seconds``; runs in its own process.

    Each request opens a connection (gunicorn's sync workers close it after the answer); 200 and
    304 count as answered, anything else as failed. The rate counts the answers that arrived
    within the ``seconds``: a slow endpoint's requests still in flight at the end would otherwise
    stretch its measuring window more than a fast one's.
    """
    started = time.perf_counter()
    deadline = started + seconds
    times: list[list[float]] = [[] for _ in range(connections)]
    in_time = [0] * connections
    failures = [0] * connections

    def client(slot: int) -> None:
        while time.perf_counter() < deadline:
            begun = time.perf_counter()
            try:
                status = _get(port, path, headers)[0]
            except OSError:
                status = 0
            ended = time.perf_counter()
            if status in (200, 304):
                times[slot].append((ended - begun) * 1000)
                in_time[slot] += ended <= deadline
            else:
                failures[slot] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    flat = [t for slot in times for t in slot]
    if not flat:
        return Load(0.0, 0.0, 0.0, sum(failures), 0)
    return Load(
        sum(in_time) / seconds,
        statistics.median(flat),
        percentile(flat, 99),
        sum(failures),
        len(flat),
    )


# --- the run --------------------------------------------------------------------------------


def _sign_in(port: int) -> str:
    """A session cookie for the FullCalendar endpoint, through the real sign-in form."""
    status, page, headers = _get(port, "/sign-in", {})
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.decode())
    if status != 200 or match is None:
        raise SystemExit(f"sign-in page: HTTP {status}")
    cookie = (headers.get("set-cookie") or "").split(";", 1)[0]
    body = urlencode(
        {"email": "bench@example.org", "password": PASSWORD, "csrf_token": match[1]}
    ).encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "POST",
        "/sign-in",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    response = connection.getresponse()
    response.read()
    connection.close()
    cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
    if response.status != 302 or not cookie:
        raise SystemExit(f"sign-in failed: HTTP {response.status}")
    return cookie


def _paths(month: date) -> dict[str, str]:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    api_q = urlencode({"start": month.isoformat(), "end": following.isoformat()})
    web_q = urlencode({"start": f"{month}T00:00:00Z", "end": f"{following}T00:00:00Z"})
    raw_q = urlencode({"start": f"{month}T00:00:00", "end": f"{following}T00:00:00"})
    return {
        BASE: f"/bench/minimal?{raw_q}",
        "naive lazy loading per fragment": f"/bench/naive?{raw_q}",
        API: f"/api/v1/calendar?{api_q}",
        EVENTS: f"/calendar/events?{web_q}",
    }


def run_backend(
    label: str, url: str, tmp: Path, args: argparse.Namespace, pool: ProcessPoolExecutor
) -> dict[str, float]:
    started = time.perf_counter()
    token = seed(url)
    print(f"\n=== {label}: seeded {TOTAL:,} fragments with deliveries", end="")
    print(f" in {time.perf_counter() - started:.1f} s; gunicorn, {args.workers} sync workers")
    ratios: dict[str, float] = {}
    with gunicorn(url, tmp, args.workers) as port:
        api = {"Authorization": f"Bearer {token}"}
        web = {"Cookie": _sign_in(port)}

        def headers(name: str) -> dict[str, str]:
            return web if name == EVENTS else api

        paths = _paths(BUSY_MONTH)
        print(f"\n1. one month with {BUSY:,} fragments, one request at a time (median of {REPEAT})")
        print(f"{'':44}{'rows':>7}{'kB':>7}{'ms':>8}{'× base':>8}")
        base = None
        for name, path in paths.items():
            for _ in range(args.workers * 2):  # every worker warm
                _get(port, path, headers(name))
            times = []
            for _ in range(REPEAT):
                begun = time.perf_counter()
                code, body, _headers = _get(port, path, headers(name))
                times.append((time.perf_counter() - begun) * 1000)
                if code != 200:
                    raise SystemExit(f"{name}: HTTP {code}: {body[:300]!r}")
            median = statistics.median(times)
            base = base or median
            rows = len(json.loads(body))
            print(f"{name:44}{rows:7d}{len(body) / 1000:7.0f}{median:8.0f}{median / base:8.2f}")

        for month, count in ((BUSY_MONTH, BUSY), (CALM_MONTH, CALM)):
            ratios.update(_concurrent(port, month, count, api, web, args, pool))
        if args.browser:
            _browser(port)
    return ratios


def _concurrent(
    port: int,
    month: date,
    count: int,
    api: dict[str, str],
    web: dict[str, str],
    args: argparse.Namespace,
    pool: ProcessPoolExecutor,
) -> dict[str, float]:
    """Rounds of base, candidates, base: each candidate against the mean of the two bases around
    it, the median over the rounds (the machine's load drifts within a run)."""
    paths = _paths(month)
    print(
        f"\n2. one month with {count:,} fragments, {CONNECTIONS} concurrent connections, "
        f"{args.rounds} rounds of {args.seconds:g} s"
    )
    print(f"{'':44}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'failed':>8}{'× base':>8}")
    etag = _get(port, paths[API], api)[2].get("etag")
    candidates = [(API, paths[API], api), (EVENTS, paths[EVENTS], web)]
    if etag:
        candidates.append((API_304, paths[API], {**api, "If-None-Match": etag}))

    def measure(path: str, sent: dict[str, str]) -> Load:
        for _ in range(args.workers * 2):  # every worker warm
            _get(port, path, sent)
        return pool.submit(load, port, path, sent, CONNECTIONS, args.seconds).result()

    results: dict[str, list[Load]] = {BASE: [measure(paths[BASE], api)]}
    per_round: dict[str, list[float]] = {}
    for _round in range(args.rounds):
        found = {name: measure(path, sent) for name, path, sent in candidates}
        results[BASE].append(measure(paths[BASE], api))
        base_rate = (results[BASE][-2].rate + results[BASE][-1].rate) / 2
        for name, result in found.items():
            results.setdefault(name, []).append(result)
            per_round.setdefault(name, []).append(result.rate / base_rate)
    ratios = {}
    for name, found in results.items():
        ratio = statistics.median(per_round[name]) if name in per_round else 1.0
        print(
            f"{name:44}{statistics.mean(r.rate for r in found):8.1f}"
            f"{statistics.median(r.p50 for r in found):9.1f}{max(r.p99 for r in found):9.0f}"
            f"{sum(r.failed for r in found):8d}{ratio:8.2f}"
        )
        ratios[f"{name}, {count}"] = ratio
    if not etag:
        print(f"{API_304:44}   (the API sends no ETag)")
    verdict = "meets" if ratios[f"{API}, {count}"] >= 0.5 else "misses"
    print(
        f"calendar API: {ratios[f'{API}, {count}']:.2f} × the minimal endpoint (aim ≥ 0.5: {verdict})"
    )
    return ratios


def _browser(port: int) -> None:
    chromium = Path("/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("\n3. chromium: playwright is not installed; skipped")
        return
    if not chromium.exists():
        print("\n3. chromium: /usr/bin/chromium is missing; skipped")
        return
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        page = browser.new_page(
            base_url=f"http://127.0.0.1:{port}", viewport={"width": 1440, "height": 1000}
        )
        page.goto("/sign-in")
        page.fill("input[name=email]", "bench@example.org")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--backend", choices=("postgresql", "sqlite"), action="append", dest="backends"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--seconds", type=float, default=6.0, help="per concurrent measurement")
    parser.add_argument("--rounds", type=int, default=3, help="of the concurrent measurements")
    parser.add_argument("--no-browser", dest="browser", action="store_false")
    args = parser.parse_args()
    backends = args.backends or ["postgresql", "sqlite"]
    summary: dict[str, dict[str, float]] = {}
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        for backend in backends:
            with tempfile.TemporaryDirectory(prefix="bench-calendar-") as name:
                tmp = Path(name)
                browser = args.browser and backend == backends[-1]
                run = argparse.Namespace(**{**vars(args), "browser": browser})
                if backend == "postgresql":
                    with scratch_postgres("bench_calendar") as url:
                        summary[backend] = run_backend("PostgreSQL", url, tmp, run, pool)
                else:
                    url = f"sqlite:///{tmp / 'bench.db'}"
                    summary[backend] = run_backend("SQLite", url, tmp, run, pool)
    print("\nthroughput against the minimal endpoint, 16 connections (aim ≥ 0.5 for the API)")
    for backend, ratios in summary.items():
        shown = ", ".join(
            f"{name}: {value:.2f}" for name, value in ratios.items() if BASE not in name
        )
        print(f"  {backend}: {shown}")


if __name__ == "__main__":
    main()
