"""Live updates fan-out (issue 14): 50 clients hold ``GET /events`` open on gunicorn with two
gthread workers over PostgreSQL; a change is committed 20 times and each client's arrival is
timed. Baseline in the same run: a bare LISTEN connection in this process hearing the database's
own NOTIFY for the same commit, so the ratio shows what the stream adds to what PostgreSQL itself
takes. The target is absolute too: p99 under one second. Then the idle cost of an open stream:
CPU seconds and resident memory of the workers per open stream over a quiet period.
Run: .venv/bin/python bench/bench_sse.py [--backend postgresql|sqlite] [--clients 50]
PostgreSQL: a scratch database on 127.0.0.1:5432 (user postgres; PLANNER_BENCH_POSTGRES_URL to
change), created here and dropped afterwards.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from _servers import free_port, scratch_postgres

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 20
IDLE_SECONDS = 10.0


def _seed(url: str) -> str:
    from planner import migrate
    from planner.accounts.models import Role
    from planner.accounts.services import create_token, create_user
    from planner.db import make_engine, make_sessionmaker, transaction

    migrate.upgrade(url)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        user = create_user(
            session,
            None,
            email="bench@example.org",
            name="Bench",
            role=Role.EDITOR,
            password="bench-password-123",
        )
        token = create_token(session, None, user, "bench")
    engine.dispose()
    return token


@contextmanager
def gunicorn(url: str, tmp: Path, workers: int, threads: int) -> Iterator[tuple[int, int]]:
    """The planner on gunicorn, gthread workers as the README says; yields (port, master pid)."""
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
        "--config",
        "python:planner.gunicorn_conf",
        "-k",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--error-logfile",
        str(tmp / "gunicorn.log"),
        "planner:create_app()",
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (tmp / "gunicorn.log").read_text(errors="replace")[-3000:]
                    raise SystemExit(f"gunicorn did not start:\n{log}") from None
                time.sleep(0.2)
        yield port, process.pid
    finally:
        # Quick shutdown: open streams would hold a graceful one for its whole timeout.
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Client(threading.Thread):
    """One open stream; records when each event id arrived."""

    def __init__(self, port: int, token: str) -> None:
        super().__init__(daemon=True)
        self.port, self.token = port, token
        self.arrived: dict[int, float] = {}
        self.ready = threading.Event()
        self.sock: socket.socket | None = None

    def hang_up(self) -> None:
        # shutdown, not close: close would wait for the reader thread's buffer lock
        if self.sock is not None:
            with suppress(OSError):
                self.sock.shutdown(socket.SHUT_RDWR)

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        conn.request(
            "GET", "/events?timeout=600", headers={"Authorization": f"Bearer {self.token}"}
        )
        self.sock = conn.sock
        response = conn.getresponse()
        try:
            while True:
                line = response.fp.readline()
                if not line:
                    return
                if line.startswith(b"retry:"):
                    self.ready.set()
                elif line.startswith(b"id:"):
                    self.arrived[int(line[3:].strip())] = time.monotonic()
        except (OSError, AttributeError):  # closed by the bench: done
            return


def _workers(master: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True, check=False
    )
    return [int(p) for p in out.stdout.split()]


def _cpu_and_rss(pids: list[int]) -> tuple[float, int]:
    ticks = os.sysconf("SC_CLK_TCK")
    cpu, rss = 0.0, 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu += (int(fields[11]) + int(fields[12])) / ticks
        rss += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    return cpu, rss


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(url: str, clients: int) -> None:
    from sqlalchemy import func, select

    from planner.db import make_engine, make_sessionmaker, write_session
    from planner.live.services import CHANNEL, record_change

    token = _seed(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    baseline_arrivals: dict[int, float] = {}
    stop = threading.Event()

    def listen_bare() -> None:
        if engine.dialect.name != "postgresql":
            return
        import psycopg

        conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            while not stop.is_set():
                for note in conn.notifies(timeout=0.5):
                    baseline_arrivals[int(note.payload)] = time.monotonic()

    with (
        tempfile.TemporaryDirectory() as scratch,
        gunicorn(url, Path(scratch), 2, clients + 8) as (
            port,
            master,
        ),
    ):
        workers = _workers(master)
        _cpu, rss_empty = _cpu_and_rss(workers)
        bare = threading.Thread(target=listen_bare, daemon=True)
        bare.start()
        streams = [Client(port, token) for _ in range(clients)]
        for stream in streams:
            stream.start()
        for stream in streams:
            if not stream.ready.wait(30):
                raise SystemExit("a stream did not open")
        time.sleep(1.5)  # every worker's listener is up
        committed: dict[int, float] = {}
        for _ in range(ROUNDS):
            with write_session(factory) as session:
                event = record_change(session, "calendar", datetime.now(UTC), subject_id=1)
                event_id = event.id
            committed[event_id] = time.monotonic()
            time.sleep(0.25)
        time.sleep(2.0)
        latencies = [
            s.arrived[e] - t for s in streams for e, t in committed.items() if e in s.arrived
        ]
        missing = clients * ROUNDS - len(latencies)
        base = [baseline_arrivals[e] - t for e, t in committed.items() if e in baseline_arrivals]

        cpu_before, rss_open = _cpu_and_rss(workers)
        time.sleep(IDLE_SECONDS)
        cpu_after, _ = _cpu_and_rss(workers)
        stop.set()
        bare.join(timeout=5)
        for stream in streams:
            stream.hang_up()
        with factory() as session:
            logged = session.scalar(select(func.count()).select_from(_table()))

    print(
        f"backend {engine.dialect.name}, {clients} streams on 2 gthread workers, {ROUNDS} changes"
    )
    print(
        f"stream arrival after commit: p50 {statistics.median(latencies) * 1000:.1f} ms, "
        f"p99 {_pct(latencies, 0.99) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms, "
        f"missing {missing}"
    )
    if base:
        p99_base = _pct(base, 0.99)
        print(
            f"baseline (bare LISTEN in this process): p50 {statistics.median(base) * 1000:.1f} ms, "
            f"p99 {p99_base * 1000:.1f} ms; ratio p99 stream/baseline "
            f"{_pct(latencies, 0.99) / max(p99_base, 1e-6):.1f}x"
        )
    print(f"target p99 < 1000 ms: {'met' if _pct(latencies, 0.99) < 1.0 else 'NOT met'}")
    idle_cpu = (cpu_after - cpu_before) / IDLE_SECONDS
    print(
        f"idle: workers use {idle_cpu * 100:.2f} % of a core for {clients} open streams "
        f"({idle_cpu * 100 / clients:.3f} % each); resident memory "
        f"{(rss_open - rss_empty) / clients / 1024:.0f} KiB per stream; "
        f"{logged} change-log rows"
    )
    engine.dispose()


def _table():  # type: ignore[no-untyped-def]
    from planner.live.models import ChangeEvent

    return ChangeEvent.__table__


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    if args.backend == "postgresql":
        with scratch_postgres("bench_sse") as url:
            run(url, args.clients)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{tmp}/bench.db", args.clients)


if __name__ == "__main__":
    main()
