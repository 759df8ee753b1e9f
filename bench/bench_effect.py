"""The short-link redirect (``GET /l/<code>``) served as production serves it: gunicorn (sync
workers) in a process of its own, 16 concurrent clients in another, on SQLite and PostgreSQL.

Every figure is a ratio against a baseline served by the same gunicorn in the same run
(docs/performance.md): a bare Flask endpoint answering a 302 to a fixed URL, with no database and
no counting. Rounds of base, redirect, base; the ratio is the median over the rounds. Aim
(issue 15): the redirect at >= 0.5x the bare endpoint's throughput, p99 under 20 ms.

Afterwards gunicorn is stopped gracefully (SIGTERM) and the clicks in the database are compared
with the 302s the clients received: no counted click may be lost (the counter writes its buffer
at exit).

Second part: the Effect page's queries (clicks and reactions per day and channel, best stories,
themes, channels against hours, goals) for one month, with a year of counts for 10,000 published
fragments (a link each, counted on the 30 days after publication, one Mastodon snapshot each, on
eight channels): p50 and p99 over repeated runs, against one plain aggregate over the same month's
counters (the floor any such page pays).

Run: .venv/bin/python bench/bench_effect.py [--backend postgresql|sqlite] [--rounds 3]
     [--part redirect|page|both]
PostgreSQL: a scratch database on 127.0.0.1:5432 (user postgres; PLANNER_BENCH_POSTGRES_URL to
change), created here and dropped afterwards.
"""

from __future__ import annotations

import argparse
import http.client
import os
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
from datetime import time as clock_time
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from _servers import free_port, scratch_postgres

CONNECTIONS = 16
LINKS = 200
BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def seed(url: str) -> list[str]:
    """A migrated database with one published fragment and ``LINKS`` tracked links."""
    from sqlalchemy.orm import Session

    from planner import migrate
    from planner.channels.models import Channel
    from planner.db import make_engine
    from planner.effect.models import TrackedLink
    from planner.fragments.models import Fragment, FragmentStatus
    from planner.stories.models import Story, StorySource

    migrate.upgrade(url)
    engine = make_engine(url)
    codes = [f"Bench{n:04d}x" for n in range(LINKS)]
    with Session(engine) as session, session.begin():
        channel = Channel(name="Mastodon", kind_key="mastodon", publisher_kind="manual")
        story = Story(title="Bench", body="Bench", source=StorySource.EMPLOYEE)
        fragment = Fragment(
            story=story, channel=channel, kind="post", parts=["x"], status=FragmentStatus.PUBLISHED
        )
        session.add(fragment)
        session.flush()
        session.add_all(
            TrackedLink(
                code=code,
                fragment_id=fragment.id,
                channel_id=channel.id,
                position=n,
                target_url=f"https://www.zuiderhaven.nl/pagina/{n}",
                utm_source="mastodon",
                utm_medium="social",
                utm_campaign="bench",
                utm_content=f"fragment-{fragment.id}",
            )
            for n, code in enumerate(codes)
        )
    engine.dispose()
    return codes


def clicks_in(url: str) -> int:
    from sqlalchemy import func, select

    from planner.db import make_engine
    from planner.effect.models import ClickCount

    engine = make_engine(url)
    with engine.connect() as conn:
        total = conn.scalar(select(func.coalesce(func.sum(ClickCount.clicks), 0)))
    engine.dispose()
    return int(total or 0)


# --- the server under test ------------------------------------------------------------------


def bench_app() -> Any:
    """The app gunicorn serves ('bench_effect:bench_app()'), plus the bare baseline."""
    from flask import redirect

    from planner import create_app

    app = create_app()

    @app.get("/bench/redirect/<code>")
    def bare(code: str) -> Any:
        return redirect(f"https://www.zuiderhaven.nl/pagina/{code}?utm_source=mastodon", 302)

    return app


@contextmanager
def gunicorn(url: str, tmp: Path, workers: int) -> Iterator[int]:
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
        "--config",
        "python:planner.gunicorn_conf",
        "bench_effect:bench_app()",
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(port, "/healthz")[0] in (200, 503):
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log = (tmp / "gunicorn.log").read_text(errors="replace")[-3000:]
                raise SystemExit(f"gunicorn did not start:\n{log}")
            time.sleep(0.2)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)  # graceful: workers finish and run atexit
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the load generator: another process ----------------------------------------------------


def _get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"User-Agent": AGENT})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        connection.close()


@dataclass
class Load:
    rate: float
    p50: float
    p99: float
    failed: int
    done: int


def load(port: int, prefix: str, codes: list[str], seconds: float) -> Load:
    """CONNECTIONS clients following links one after another for ``seconds``; 302 counts."""
    started = time.perf_counter()
    deadline = started + seconds
    times: list[list[float]] = [[] for _ in range(CONNECTIONS)]
    in_time = [0] * CONNECTIONS
    failures = [0] * CONNECTIONS

    def client(slot: int) -> None:
        n = slot
        while time.perf_counter() < deadline:
            begun = time.perf_counter()
            try:
                status = _get(port, f"{prefix}{codes[n % len(codes)]}")[0]
            except OSError:
                status = 0
            n += CONNECTIONS
            ended = time.perf_counter()
            if status == 302:
                times[slot].append((ended - begun) * 1000)
                in_time[slot] += ended <= deadline
            else:
                failures[slot] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CONNECTIONS)]
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


def run_backend(backend: str, url: str, tmp: Path, args: argparse.Namespace) -> None:
    codes = seed(url)
    pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"))
    ratios, bases, candidates = [], [], []
    followed = 0
    with gunicorn(url, tmp, args.workers) as port:
        followed += pool.submit(load, port, "/l/", codes, 1.0).result().done  # warm-up
        pool.submit(load, port, "/bench/redirect/", codes, 1.0).result()
        for _ in range(args.rounds):
            before = pool.submit(load, port, "/bench/redirect/", codes, args.seconds).result()
            ours = pool.submit(load, port, "/l/", codes, args.seconds).result()
            after = pool.submit(load, port, "/bench/redirect/", codes, args.seconds).result()
            base = (before.rate + after.rate) / 2
            ratios.append(ours.rate / base if base else 0.0)
            bases.append((base, max(before.p99, after.p99)))
            candidates.append(ours)
            followed += ours.done
            if ours.failed:
                print(f"  !! {ours.failed} redirects failed")
    # followed: every 302 the clients received on /l/ (warm-up included)
    counted = clicks_in(url)
    pool.shutdown()
    base_rate = statistics.median(b[0] for b in bases)
    base_p99 = statistics.median(b[1] for b in bases)
    rate = statistics.median(c.rate for c in candidates)
    p99 = statistics.median(c.p99 for c in candidates)
    p50 = statistics.median(c.p50 for c in candidates)
    print(f"== {backend}: {CONNECTIONS} concurrent clients, {args.workers} gunicorn workers")
    print(f"  bare Flask redirect  {base_rate:8.0f} req/s  p99 {base_p99:6.1f} ms")
    print(f"  /l/<code> (counted)  {rate:8.0f} req/s  p50 {p50:5.1f} ms  p99 {p99:6.1f} ms")
    print(
        f"  ratio (median of {args.rounds} rounds): {statistics.median(ratios):.2f}x (aim >= 0.5)"
    )
    print(f"  p99 under 20 ms: {'yes' if p99 < 20 else 'NO'}")
    lost = max(0, followed - counted)
    print(
        f"  302s received by the clients {followed}, clicks in the database after SIGTERM "
        f"{counted}, lost {lost}"
    )


FRAGMENTS = 10_000
YEAR_START = date(2026, 1, 1)


def seed_year(url: str) -> None:
    """10,000 published fragments over a year, each with a link, 30 days of counts, a snapshot."""
    import random

    from sqlalchemy import insert
    from sqlalchemy.orm import Session

    from planner import migrate
    from planner.channels.models import Channel
    from planner.db import make_engine
    from planner.effect.models import ClickCount, ReactionSnapshot, TrackedLink
    from planner.fragments.models import Fragment
    from planner.publishing.models import Publication
    from planner.stories.models import Story, Theme, story_themes

    migrate.upgrade(url)
    engine = make_engine(url)
    rng = random.Random(15)
    with Session(engine) as session, session.begin():
        kinds = [
            "mastodon",
            "facebook",
            "linkedin",
            "instagram",
            "bluesky",
            "newsletter",
            "blog",
            "x",
        ]
        channels = [Channel(name=f"Kanaal {k}", kind_key=k, publisher_kind="manual") for k in kinds]
        themes = [Theme(name=f"Thema {n}") for n in range(6)]
        session.add_all([*channels, *themes])
        session.flush()
        channel_ids = [c.id for c in channels]
        theme_ids = [t.id for t in themes]
        session.execute(
            insert(Story),
            [
                {
                    "id": n + 1,
                    "title": f"Verhaal {n}",
                    "body": "x",
                    "source": "employee",
                    "language": "nl",
                    "status": "accepted",
                }
                for n in range(FRAGMENTS // 2)
            ],
        )
        session.execute(
            insert(story_themes),
            [{"story_id": n + 1, "theme_id": theme_ids[n % 6]} for n in range(FRAGMENTS // 2)],
        )
        published = [
            datetime.combine(YEAR_START + timedelta(days=rng.randrange(365)), clock_time(8), UTC)
            for _ in range(FRAGMENTS)
        ]
        session.execute(
            insert(Fragment),
            [
                {
                    "id": n + 1,
                    "story_id": n // 2 + 1,
                    "channel_id": channel_ids[n % 8],
                    "kind": "post",
                    "status": "published",
                    "parts": ["x"],
                    "version": 1,
                }
                for n in range(FRAGMENTS)
            ],
        )
        session.execute(
            insert(Publication),
            [
                {
                    "id": n + 1,
                    "fragment_id": n + 1,
                    "channel_id": channel_ids[n % 8],
                    "channel_name": f"Kanaal {kinds[n % 8]}",
                    "channel_kind": kinds[n % 8],
                    "fragment_kind": "post",
                    "fragment_version": 1,
                    "parts": ["x"],
                    "media": [],
                    "approvers": [],
                    "published_at": published[n],
                    "method": "by_hand",
                }
                for n in range(FRAGMENTS)
            ],
        )
        session.execute(
            insert(TrackedLink),
            [
                {
                    "id": n + 1,
                    "code": f"y{n:07d}",
                    "fragment_id": n + 1,
                    "channel_id": channel_ids[n % 8],
                    "position": 0,
                    "target_url": f"https://www.zuiderhaven.nl/{n}",
                    "utm_source": "x",
                    "utm_medium": "social",
                    "utm_campaign": "",
                    "utm_content": f"fragment-{n + 1}",
                }
                for n in range(FRAGMENTS)
            ],
        )
        counts = []
        for n in range(FRAGMENTS):
            day0 = published[n].date()
            for age in range(30):
                counts.append(
                    {
                        "link_id": n + 1,
                        "day": day0 + timedelta(days=age),
                        "referrer_host": "",
                        "kind": "person",
                        "clicks": max(1, 60 >> min(age, 6)),
                    }
                )
        for start in range(0, len(counts), 50_000):
            session.execute(insert(ClickCount), counts[start : start + 50_000])
        session.execute(
            insert(ReactionSnapshot),
            [
                {
                    "publication_id": n + 1,
                    "fragment_id": n + 1,
                    "moment": "24h",
                    "due_at": published[n] + timedelta(hours=24),
                    "taken_at": published[n] + timedelta(hours=24),
                    "favourites": rng.randint(0, 40),
                    "reblogs": rng.randint(0, 10),
                    "replies": rng.randint(0, 8),
                }
                for n in range(FRAGMENTS)
            ],
        )
    if engine.dialect.name == "postgresql":
        # Statistics as autovacuum would have them for tables of this age.
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    engine.dispose()


def run_page(backend: str, url: str, repeat: int) -> None:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from planner.accounts.models import Role, User
    from planner.db import make_engine
    from planner.effect import report, services
    from planner.effect.models import ClickCount, ClickKind

    started = time.perf_counter()
    seed_year(url)
    print(f"== {backend}: Effect page queries, a year of counts for {FRAGMENTS:,} fragments")
    print(f"  seeded in {time.perf_counter() - started:.1f} s")
    engine = make_engine(url)
    period = services.Period(date(2026, 6, 1), date(2026, 6, 30), "Europe/Amsterdam")
    actor = User(email="bench@example.org", name="Bench", role=Role.EDITOR, is_active=True)
    page_times, base_times = [], []
    for _ in range(repeat):
        with Session(engine) as session:
            begun = time.perf_counter()
            session.scalar(
                select(func.sum(ClickCount.clicks)).where(
                    ClickCount.day >= period.start,
                    ClickCount.day <= period.end,
                    ClickCount.kind == ClickKind.PERSON,
                )
            )
            base_times.append((time.perf_counter() - begun) * 1000)
        with Session(engine) as session:
            begun = time.perf_counter()
            # exactly what planner.effect.views.index asks
            report.goal_progress(session, actor, period.timezone, period.end)
            figures = services.figures_per_fragment(session, period)
            report.daily_by_channel(session, actor, period)
            report.best_stories(session, actor, period, figures)
            services.effect_by(session, actor, period, "theme", figures)
            report.channels_against_hours(session, actor, period, figures)
            page_times.append((time.perf_counter() - begun) * 1000)
    engine.dispose()
    base = statistics.median(base_times)
    page = statistics.median(page_times)
    print(f"  one aggregate over the month (base) p50 {base:7.1f} ms")
    print(
        f"  the Effect page's queries            p50 {page:7.1f} ms  "
        f"p99 {percentile(page_times, 99):7.1f} ms  ({page / base:.1f}x the base)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--part", choices=["redirect", "page", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=20, help="runs of the page's queries")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        with tempfile.TemporaryDirectory(prefix="bench-effect-") as folder:
            tmp = Path(folder)
            if args.part in ("redirect", "both"):
                if backend == "sqlite":
                    run_backend(backend, f"sqlite:///{tmp / 'bench.db'}", tmp, args)
                else:
                    with scratch_postgres("bench_effect") as url:
                        run_backend(backend, url, tmp, args)
            if args.part in ("page", "both"):
                if backend == "sqlite":
                    run_page(backend, f"sqlite:///{tmp / 'page.db'}", args.repeat)
                else:
                    with scratch_postgres("bench_effect") as url:
                        run_page(backend, url, args.repeat)


if __name__ == "__main__":
    main()
