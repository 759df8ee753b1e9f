"""The publishing engine under a burst: 10,000 fragments falling due within one minute, delivered
to a webhook receiver on 127.0.0.1 by one publisher process, on SQLite and on PostgreSQL.

Reported per backend: drain time (from the last due time until the last post arrived), lateness
after the due time (p50/p99/max) counted at the receiver, lost and duplicated posts, and, as the
baseline measured in the same run, the same 10,000 signed webhook POSTs made without the database
(same adapter, same concurrency) compared with the engine draining 10,000 posts due at once.
Compare the ratios, not the absolute times (docs/performance.md).

Recovery (issue 12, item 15): 200 posts due together, the publisher process SIGKILLed after the
first arrivals and a new one started two seconds later, everything at its defaults (a 300 s lease,
a 5 s tick): max lateness after a crash, next to the same 200 posts without a crash, with lost
posts and true duplicates (one delivery arriving under two webhook-ids).

Run: .venv/bin/python bench/bench_publishing.py  (BENCH_PUBLISHING_N=2000 for a quick look;
BENCH_PUBLISHING_ONLY=recovery for the crash figure alone; PostgreSQL from
PLANNER_TEST_POSTGRES_URL, database planner_bench; skipped when unreachable).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, create_engine, func, insert, select, text, update
from sqlalchemy.engine import make_url

from planner import migrate
from planner.blog.services import BlogPublisher
from planner.channels.models import Channel
from planner.clock import SystemClock
from planner.db import make_engine, make_sessionmaker, write_session
from planner.fragments.models import Fragment, FragmentStatus
from planner.publishing.adapters.webhook import WebhookPublisher, WebhookSettings
from planner.publishing.engine import EngineConfig, publish_due
from planner.publishing.models import Delivery, DeliveryState
from planner.publishing.ports import PublishRequest
from planner.publishing.registry import PublisherRegistry
from planner.publishing.secrets import SecretBox
from planner.stories.models import Story, StorySource

#: the built-in blog, published inside the settling transaction
LOCAL = {"blog": BlogPublisher()}

N = int(os.environ.get("BENCH_PUBLISHING_N", "10000"))
ONLY = os.environ.get("BENCH_PUBLISHING_ONLY", "")
SPREAD = 60.0
CONCURRENCY = 8
SECRET_KEY = "bench-secret-key-" + "b" * 32
WEBHOOK_SECRET = "bench-webhook-secret"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class Receiver:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.first: dict[str, float] = {}
        self.raw = 0
        #: webhook-ids seen per delivery: more than one is a true duplicate
        self.keys: dict[int, set[str]] = {}
        #: seconds each request takes, so a killed publisher has requests in flight
        self.delay = 0.0

    def reset(self) -> None:
        with self.lock:
            self.first.clear()
            self.keys.clear()
            self.raw = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        now = time.time()
        msg_id = self.headers.get("webhook-id", "")
        receiver = self.server.receiver
        if receiver.delay:
            time.sleep(receiver.delay)
        delivery_id = int(json.loads(body)["data"]["delivery_id"])
        with receiver.lock:
            receiver.raw += 1
            receiver.first.setdefault(msg_id, now)
            receiver.keys.setdefault(delivery_id, set()).add(msg_id)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, receiver: Receiver) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.receiver = receiver

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a publisher killed on purpose leaves reset connections behind


def publisher_loop(url: str, stop: Any, ready: Any, interval: float = 0.2) -> None:
    """One publisher process: the engine in a loop, waking at the next due time like the scheduler
    (every `interval` seconds otherwise). Its claimer name is its own, as a scheduler's is."""
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    registry = PublisherRegistry(SecretBox(SECRET_KEY), allow_loopback=True)
    config = EngineConfig(concurrency=CONCURRENCY, batch_size=100)
    clock = SystemClock()
    worker = f"bench:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    ready.set()
    while not stop.is_set():
        report = publish_due(
            factory, clock, registry.build, worker=worker, config=config, local=LOCAL
        )
        pause = interval
        if report.next_due_at is not None:
            pause = min(pause, max(0.0, (report.next_due_at - clock.now()).total_seconds()))
        stop.wait(pause)
    engine.dispose()


def database_url(backend: str, tmp: Path, name: str = "bench") -> str | None:
    if backend == "sqlite":
        return f"sqlite:///{tmp / f'{name}.db'}"
    base = make_url(os.environ.get("PLANNER_TEST_POSTGRES_URL", PG_DEFAULT))
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = 'planner_bench'")):
                conn.execute(text('CREATE DATABASE "planner_bench"'))
    except Exception as exc:  # a bench without PostgreSQL still reports SQLite
        print(f"PostgreSQL unreachable, skipped: {exc.__class__.__name__}")
        return None
    finally:
        admin.dispose()
    url = base.set(database="planner_bench").render_as_string(hide_password=False)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def seed(url: str, hook: str, count: int) -> None:
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    parked = datetime.now(UTC) + timedelta(days=1)
    with factory.begin() as session:
        channel = Channel(
            name="Bench webhook",
            kind_key="mastodon",
            publisher_kind="webhook",
            publisher_settings={"url": hook, "timeout": 10.0},
            publisher_secret=SecretBox(SECRET_KEY).encrypt(WEBHOOK_SECRET),
            approval_steps=0,
        )
        story = Story(title="Bench", body="Bench", language="nl", source=StorySource.EMPLOYEE)
        session.add_all([channel, story])
        session.flush()
        rows = [
            {
                "story_id": story.id,
                "channel_id": channel.id,
                "kind": "post",
                "status": FragmentStatus.SCHEDULED,
                "parts": [f"Bericht {n} uit Zuiderhaven: de bibliotheek is zondag open."],
                "hashtags": [],
                "scheduled_at": parked,
                "version": 1,
                "is_sponsored": False,
            }
            for n in range(count)
        ]
        ids = list(
            session.scalars(
                insert(Fragment).returning(Fragment.id, sort_by_parameter_order=True), rows
            )
        )
        session.execute(
            insert(Delivery),
            [
                {
                    "fragment_id": fid,
                    "channel_id": channel.id,
                    "due_at": parked,
                    "not_before": parked,
                    "state": DeliveryState.PENDING,
                    "attempt": 0,
                    "idempotency_key": str(uuid.uuid4()),
                    "fragment_version": 1,
                }
                for fid in ids
            ],
        )
    engine.dispose()


def release(url: str, spread: float, lead: float = 1.0) -> tuple[dict[str, float], float]:
    """Make every delivery fall due within `spread` seconds from `lead` seconds on."""
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    start = datetime.now(UTC) + timedelta(seconds=lead)
    with write_session(factory) as session:
        rows = session.execute(select(Delivery.id, Delivery.idempotency_key)).all()
        due = {
            row.id: start + timedelta(seconds=spread * n / len(rows)) for n, row in enumerate(rows)
        }
        session.connection().execute(
            update(Delivery.__table__)
            .where(Delivery.__table__.c.id == bindparam("b_id"))
            .values(due_at=bindparam("b_at"), not_before=bindparam("b_at")),
            [{"b_id": i, "b_at": at} for i, at in due.items()],
        )
    engine.dispose()
    by_key = {row.idempotency_key: due[row.id].timestamp() for row in rows}
    return by_key, start.timestamp()


def sent_count(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        count = conn.scalar(
            select(func.count()).where(Delivery.__table__.c.state == DeliveryState.SENT.value)
        )
    engine.dispose()
    return int(count or 0)


def run_burst(url: str, receiver: Receiver, spread: float) -> dict[str, float]:
    ctx = multiprocessing.get_context("spawn")
    stop, ready = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=publisher_loop, args=(url, stop, ready))
    proc.start()
    if not ready.wait(60):
        raise RuntimeError("publisher process did not start")
    receiver.reset()
    due, start = release(url, spread)
    deadline = time.time() + spread + 600
    while len(receiver.first) < len(due) and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)  # late duplicates, if any, would arrive now
    stop.set()
    proc.join(30)
    lateness = sorted(receiver.first[k] - due[k] for k in due if k in receiver.first)
    quantiles = statistics.quantiles(lateness, n=100) if len(lateness) > 1 else [0.0] * 99
    return {
        "drain": max(receiver.first.values()) - max(due.values()),
        "span": max(receiver.first.values()) - start,
        "p50": quantiles[49],
        "p99": quantiles[98],
        "max": lateness[-1] if lateness else 0.0,
        "early": sum(1 for x in lateness if x < 0),
        "lost": len(due) - len(receiver.first),
        "duplicated": receiver.raw - len(receiver.first),
        "sent_rows": sent_count(url),
    }


CRASH_N = 200
#: the scheduler's default tick (planner.config.Settings.scheduler_interval_seconds)
DEFAULT_TICK = 5.0


def start_publisher(url: str, interval: float) -> tuple[Any, Any]:
    ctx = multiprocessing.get_context("spawn")
    stop, ready = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=publisher_loop, args=(url, stop, ready, interval))
    proc.start()
    if not ready.wait(60):
        raise RuntimeError("publisher process did not start")
    return proc, stop


def in_flight(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        count = conn.scalar(
            select(func.count()).where(Delivery.__table__.c.state == DeliveryState.SENDING.value)
        )
    engine.dispose()
    return int(count or 0)


def run_crash(url: str, receiver: Receiver, *, kill: bool) -> dict[str, float]:
    """CRASH_N posts due together at default settings; with `kill`, the publisher is SIGKILLed
    after the first arrivals and a new one starts two seconds later."""
    proc, stop = start_publisher(url, DEFAULT_TICK)
    receiver.reset()
    receiver.delay = 0.02
    # further ahead than a tick, as a scheduled post is: the tick before it sets a wake-up
    due, _ = release(url, 0.0, lead=DEFAULT_TICK + 1.0)
    orphans = 0
    deadline = time.time() + 120
    if kill:
        while len(receiver.first) < 5 and time.time() < deadline:
            time.sleep(0.01)
        proc.kill()
        proc.join(10)
        orphans = in_flight(url)
        time.sleep(2.0)
        proc, stop = start_publisher(url, DEFAULT_TICK)
    while len(receiver.first) < len(due) and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    stop.set()
    proc.join(30)
    receiver.delay = 0.0
    lateness = [receiver.first[k] - due[k] for k in due if k in receiver.first]
    return {
        "max": max(lateness) if lateness else float("inf"),
        "lost": len(due) - len(receiver.first),
        "true_duplicates": sum(len(keys) - 1 for keys in receiver.keys.values()),
        "resends": receiver.raw - len(receiver.first),
        "orphans": orphans,
    }


def crash_figures(backend: str, url: str, hook: str, receiver: Receiver) -> dict[str, Any]:
    migrate.upgrade(url)
    seed(url, hook, CRASH_N)
    calm = run_crash(url, receiver, kill=False)
    reset_for_backlog(url)
    crash = run_crash(url, receiver, kill=True)
    print(
        f"{backend}: {CRASH_N} due together, publisher killed after the first arrivals and "
        f"restarted 2 s later (default settings, lease 300 s): max lateness after a crash "
        f"{crash['max']:.1f} s (without a crash {calm['max']:.1f} s); {crash['orphans']:.0f} "
        f"claims orphaned, lost {crash['lost']:.0f}, true duplicates "
        f"{crash['true_duplicates']:.0f}, resent with the same key {crash['resends']:.0f}"
    )
    return {"calm": calm, "crash": crash}


def baseline(hook: str, count: int) -> float:
    """The same signed POSTs, same adapter and concurrency, without any database work."""
    publisher = WebhookPublisher(
        WebhookSettings(url=hook, secret=WEBHOOK_SECRET, allow_loopback=True)
    )
    requests = [
        PublishRequest(
            delivery_id=n,
            idempotency_key=f"baseline-{n}",
            attempt=1,
            text=f"Bericht {n} uit Zuiderhaven: de bibliotheek is zondag open.",
        )
        for n in range(count)
    ]
    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(publisher.publish, requests))
    return time.perf_counter() - started


def reset_for_backlog(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            update(Delivery.__table__).values(
                state=DeliveryState.PENDING.value, attempt=0, lease_expires_at=None, sent_at=None
            )
        )
        conn.execute(text("DELETE FROM publications"))
        conn.execute(text("DELETE FROM audit_events"))
    engine.dispose()


def bursts(hook: str, receiver: Receiver, tmp: Path) -> dict[str, Any]:
    """The throughput figures: a burst over a minute and a backlog, against the baseline."""
    print(f"{N:,} deliveries, one publisher process ({CONCURRENCY} concurrent requests)")
    receiver.reset()
    raw_s = baseline(hook, N)
    print(
        f"baseline: {N:,} signed webhook POSTs without a database: {raw_s:.1f} s "
        f"({N / raw_s:,.0f}/s)"
    )
    results: dict[str, Any] = {"baseline_s": raw_s}
    for backend in ("sqlite", "postgresql"):
        url = database_url(backend, tmp)
        if url is None:
            continue
        migrate.upgrade(url)
        seed(url, hook, N)
        burst = run_burst(url, receiver, SPREAD)
        print(
            f"{backend}: due within {SPREAD:.0f} s -> drained {burst['drain']:.2f} s after the "
            f"last due time; lateness p50 {burst['p50'] * 1000:.0f} ms, p99 "
            f"{burst['p99'] * 1000:.0f} ms, max {burst['max'] * 1000:.0f} ms; early "
            f"{burst['early']}, lost {burst['lost']}, duplicated {burst['duplicated']}, "
            f"rows sent {burst['sent_rows']:,}"
        )
        reset_for_backlog(url)
        backlog = run_burst(url, receiver, 0.0)
        ratio = backlog["span"] / raw_s
        print(
            f"{backend}: all due at once -> {backlog['span']:.1f} s ({N / backlog['span']:,.0f}"
            f"/s), {ratio:.1f}x the baseline; lost {backlog['lost']}, duplicated "
            f"{backlog['duplicated']}"
        )
        results[backend] = {"burst": burst, "backlog": backlog, "ratio": ratio}
    return results


def main() -> None:
    receiver = Receiver()
    server = Server(receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{server.server_address[1]}/hook"
    results: dict[str, Any] = {"n": N}
    with tempfile.TemporaryDirectory() as tmp:
        if ONLY != "recovery":
            results.update(bursts(hook, receiver, Path(tmp)))
        for backend in ("sqlite", "postgresql"):
            crash_url = database_url(backend, Path(tmp), "crash")
            if crash_url is not None:
                recovery = crash_figures(backend, crash_url, hook, receiver)
                results.setdefault(backend, {})["recovery"] = recovery
    server.shutdown()
    if os.environ.get("BENCH_JSON"):
        print(json.dumps(results, indent=2))
    failed = any(
        ("burst" in r and (r["burst"]["lost"] or r["burst"]["duplicated"] or r["backlog"]["lost"]))
        or (
            "recovery" in r
            and (
                r["recovery"]["crash"]["lost"]
                or r["recovery"]["crash"]["true_duplicates"]
                or r["recovery"]["crash"]["max"] >= 15.0
            )
        )
        for key, r in results.items()
        if isinstance(r, dict)
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
