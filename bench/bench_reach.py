"""The Reach publishers under a burst (issue 16): 1,000 posts spread over Bluesky, Facebook,
Instagram, LinkedIn, Threads and X, all falling due within two seconds, drained by one real
`planner scheduler` process at its default settings, on SQLite and on PostgreSQL.

The platforms are the fakes the tests use (tests/fakes), in this process on 127.0.0.1, with the
channels set up through the publisher settings an admin enters; the application serves the photos
Instagram and Threads download (/media/public). The mix is what a communication team sends:
plain posts, one photo with alt text on every fourth, a two-part thread on every fifth on Bluesky,
Threads and X, and on Instagram (photos only) a carousel every fifth.

Reported per backend, counted at the receiving platforms: lost and duplicated posts, lateness
after the due time (p50/p99/max, to each delivery's first post), the drain (from the last due time
to the last post), and, as the baseline measured in the same run, the same 1,000 publications made
by the same adapters straight from a process of their own (the scheduler's concurrency, no
database, no claims, no archive), against the engine's time from the first due time to the last
post. The platform side (six fakes and the photo server) is one Python process for both, so it
bounds both; compare the ratios, not the absolute times (docs/performance.md).

Run: .venv/bin/python bench/bench_reach.py  (BENCH_REACH_N=300 for a quick look,
BENCH_REACH_SPREAD for the window in seconds; PostgreSQL: a scratch database on 127.0.0.1:5432,
user postgres, PLANNER_BENCH_POSTGRES_URL to change; skipped with the reason when unreachable).
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import types
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select, update
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
# The platform fakes and the burst live with the tests; the bench sends to the same ones. The
# repository's tests folder is a namespace package, and a dependency (spylls) installs a regular
# top-level "tests" package that would win the import, so the folder is named explicitly.
_tests = types.ModuleType("tests")
_tests.__path__ = [str(ROOT / "tests")]
sys.modules["tests"] = _tests

from _servers import scratch_postgres  # noqa: E402

from planner import create_app, migrate  # noqa: E402
from planner.config import Settings  # noqa: E402
from planner.db import make_engine, make_sessionmaker, write_session  # noqa: E402
from planner.jobs.models import SchedulerHeartbeat  # noqa: E402
from planner.media.storage import FileSystemStorage  # noqa: E402
from planner.publishing.engine import EngineConfig  # noqa: E402
from planner.publishing.engine.request import prepare_jobs  # noqa: E402
from planner.publishing.engine.shared import Claim  # noqa: E402
from planner.publishing.models import Delivery, DeliveryState  # noqa: E402
from planner.publishing.registry import PublisherRegistry  # noqa: E402
from tests.factories import SECRET_KEY, box, reach_burst  # noqa: E402
from tests.fakes.reach import KINDS, Count, Planned, count_posts, running_platforms  # noqa: E402

N = int(os.environ.get("BENCH_REACH_N", "1000"))
SPREAD = float(os.environ.get("BENCH_REACH_SPREAD", "2"))
#: the scheduler's defaults (planner.config.Settings)
CONCURRENCY = 8
TICK = 5.0
#: further ahead than one tick, as a scheduled post is: the tick before sets a wake-up for it
LEAD = TICK + 1.0


class MediaSite:
    """The application on 127.0.0.1, for the public photo URLs the platforms download."""

    def __init__(self, url: str, tmp: Path) -> None:
        self.app = create_app(
            Settings(
                instance_path=tmp / "instance",
                database_url=url,
                secret_key=SECRET_KEY,
                media_dir=tmp / "media",
                ratelimit_enabled=False,
                allow_loopback_targets=True,
            )
        )
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


@contextmanager
def scheduler(url: str, tmp: Path, media: Path, base_url: str) -> Iterator[None]:
    """One real `planner scheduler` process at its defaults; up once its heartbeat is written."""
    log_path = tmp / "scheduler.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("planner")), "scheduler"],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={
                **os.environ,
                "PLANNER_DATABASE_URL": url,
                "PLANNER_INSTANCE_PATH": str(tmp / "scheduler"),
                "PLANNER_SECRET_KEY": SECRET_KEY,
                "PLANNER_ALLOW_LOOPBACK_TARGETS": "1",
                "PLANNER_MEDIA_DIR": str(media),
                "PLANNER_BASE_URL": base_url,
            },
        )
        try:
            engine = make_engine(url)
            deadline = time.time() + 60
            while proc.poll() is None and time.time() < deadline:
                with engine.connect() as conn:
                    names = conn.scalars(select(SchedulerHeartbeat.name)).all()
                if any(name.endswith(f":{proc.pid}") for name in names):
                    break
                time.sleep(0.2)
            engine.dispose()
            if proc.poll() is not None or time.time() >= deadline:
                raise RuntimeError(f"the scheduler did not start:\n{log_path.read_text()[-2000:]}")
            yield
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)


def release(url: str, spread: float) -> dict[int, float]:
    """Make the parked burst fall due within `spread` seconds from LEAD seconds on."""
    engine = make_engine(url)
    start = datetime.now(UTC) + timedelta(seconds=LEAD)
    with write_session(make_sessionmaker(engine)) as session:
        ids = list(session.scalars(select(Delivery.id).order_by(Delivery.id)))
        due = {i: start + timedelta(seconds=spread * n / len(ids)) for n, i in enumerate(ids)}
        session.connection().execute(
            update(Delivery.__table__)
            .where(Delivery.__table__.c.id == bindparam("b_id"))
            .values(due_at=bindparam("b_at"), not_before=bindparam("b_at")),
            [{"b_id": i, "b_at": at} for i, at in due.items()],
        )
    engine.dispose()
    return {i: at.timestamp() for i, at in due.items()}


def states(url: str) -> Counter[str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = Counter(DeliveryState(s).value for s in conn.scalars(select(Delivery.state)))
    engine.dispose()
    return found


def baseline_child(url: str, media: str, base_url: str, result: Any) -> None:
    """The same publications without the engine: the requests the engine built, each text made
    new (the platforms refuse a repeat), sent by the same adapters with the same concurrency."""
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    registry = PublisherRegistry(box(), allow_loopback=True)
    with factory() as session:
        ids = list(session.scalars(select(Delivery.id).order_by(Delivery.id)))
    jobs = prepare_jobs(
        factory,
        [Claim(i, 1) for i in ids],
        EngineConfig(base_url=base_url),
        FileSystemStorage(Path(media)),
    )
    publishers = {}
    work = []
    for job in jobs:
        assert job.channel is not None
        assert job.request is not None
        if job.channel.id not in publishers:
            publishers[job.channel.id] = registry.build(job.channel)
        request = job.request
        parts = tuple(f"Nulmeting: {part}" for part in request.parts)
        work.append(
            (
                publishers[job.channel.id],
                replace(
                    request,
                    idempotency_key=f"baseline-{request.idempotency_key}",
                    text="\n\n".join(parts),
                    parts=parts,
                ),
            )
        )
    engine.dispose()
    failures = []

    def send(item: tuple[Any, Any]) -> None:
        try:
            item[0].publish(item[1])
        except Exception as exc:  # counted and shown: a baseline that fails is no baseline
            failures.append(repr(exc))

    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(send, work))
    result.put({"seconds": time.perf_counter() - started, "failures": failures[:3]})


def baseline(url: str, media: Path, base_url: str) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    result = ctx.Queue()
    child = ctx.Process(target=baseline_child, args=(url, str(media), base_url, result))
    child.start()
    measured: dict[str, Any] = result.get(timeout=900)
    child.join(30)
    return measured


def run_backend(backend: str, url: str, tmp: Path) -> dict[str, Any]:
    migrate.upgrade(url)
    media = tmp / "media"
    with running_platforms() as platforms:
        site = MediaSite(url, tmp)
        try:
            factory = make_sessionmaker(make_engine(url))
            parked = datetime.now(UTC) + timedelta(days=1)
            with factory.begin() as session:
                planned = reach_burst(session, platforms, FileSystemStorage(media), N, parked)
            factory.kw["bind"].dispose()
            expected = sum(len(p.parts) for p in planned)
            with scheduler(url, tmp, media, site.url):
                due = release(url, SPREAD)
                deadline = time.time() + LEAD + SPREAD + 600
                while len(platforms.published()) < expected and time.time() < deadline:
                    time.sleep(0.1)
                time.sleep(1.0)  # late duplicates, if any, would arrive now
            count = count_posts(platforms, planned, due)
            arrivals = [post.at for _, post in platforms.published()]
            settled = states(url)
            engine_s = max(arrivals) - min(due.values())
            drain = max(arrivals) - max(due.values())
            measured = baseline(url, media, site.url)
        finally:
            site.stop()
    return report(backend, count, settled, engine_s, drain, measured, planned)


def report(
    backend: str,
    count: Count,
    settled: Counter[str],
    engine_s: float,
    drain: float,
    measured: dict[str, Any],
    planned: list[Planned],
) -> dict[str, Any]:
    shapes = Counter(
        "thread" if len(p.parts) > 1 else ("photos" if p.photos else "text") for p in planned
    )
    ratio = engine_s / measured["seconds"]
    print(
        f"{backend}: {N:,} due within {SPREAD:.0f} s ({shapes['text']} text, {shapes['photos']} "
        f"with photos, {shapes['thread']} threads; {count.planned:,} posts) -> lost "
        f"{count.lost}, duplicated {count.duplicated}, strays {count.strays}; lateness p50 "
        f"{count.quantile(0.5):.2f} s, p99 {count.quantile(0.99):.2f} s, max "
        f"{max(count.lateness, default=float('nan')):.2f} s; drained {drain:.1f} s after the "
        f"last due time; deliveries {dict(settled)}"
    )
    print(
        f"{backend}: engine {engine_s:.1f} s from the first due time to the last post "
        f"({N / engine_s:,.0f} publications/s); baseline, the same adapters without the "
        f"database, {measured['seconds']:.1f} s ({N / measured['seconds']:,.0f}/s): "
        f"{ratio:.2f}x the baseline"
        + (" (bounded by the window: take a larger N)" if engine_s < 1.5 * SPREAD else "")
        + (f"; baseline failures {measured['failures']}" if measured["failures"] else "")
    )
    return {
        "lost": count.lost,
        "duplicated": count.duplicated,
        "strays": count.strays,
        "p50": count.quantile(0.5),
        "p99": count.quantile(0.99),
        "max": max(count.lateness, default=0.0),
        "drain": drain,
        "engine_s": engine_s,
        "baseline_s": measured["seconds"],
        "ratio": ratio,
        "states": dict(settled),
        "all_sent": settled == Counter({DeliveryState.SENT.value: N}),
    }


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per photo download
    print(
        f"{N:,} publications over {', '.join(KINDS)}; one `planner scheduler` at its defaults "
        f"({CONCURRENCY} concurrent requests, a {TICK:.0f} s tick)"
    )
    results: dict[str, Any] = {"n": N}
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_dir = Path(tmp) / "sqlite"
        sqlite_dir.mkdir()
        results["sqlite"] = run_backend(
            "sqlite", f"sqlite:///{sqlite_dir / 'reach.db'}", sqlite_dir
        )
        pg_dir = Path(tmp) / "postgresql"
        pg_dir.mkdir()
        with ExitStack() as stack:
            try:
                url = stack.enter_context(scratch_postgres("planner_bench_reach"))
            except Exception as exc:  # a bench without PostgreSQL still reports SQLite
                reason = str(exc).splitlines()[0]
                print(f"postgresql: unreachable, skipped ({exc.__class__.__name__}: {reason})")
            else:
                results["postgresql"] = run_backend("postgresql", url, pg_dir)
    if os.environ.get("BENCH_JSON"):
        print(json.dumps(results, indent=2))
    failed = any(
        r["lost"] or r["duplicated"] or r["strays"] or not r["all_sent"]
        for r in results.values()
        if isinstance(r, dict)
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
