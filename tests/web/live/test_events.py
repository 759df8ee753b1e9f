"""``GET /events`` on a real server over a committed database (SQLite: short poll; PostgreSQL:
LISTEN/NOTIFY): a change reaches an open stream, ``Last-Event-ID`` resumes without loss, a
person's own events reach only them, a bearer token works, no sign-in is a 401, and a stream with
``?fragment=`` makes its person present on that fragment."""

from __future__ import annotations

import http.client
import json
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.serving import make_server

from planner import create_app, migrate
from planner.accounts.models import Role, User
from planner.accounts.services import create_token, create_user
from planner.db import write_session
from planner.live import services
from planner.web import runtime
from tests import factories as make
from tests.conftest import PASSWORD, fresh_database_url, make_settings


@dataclass
class Server:
    app: Flask
    host: str
    port: int
    factory: sessionmaker[Session]
    token: str
    other_token: str
    user_id: int
    other_id: int


@pytest.fixture(scope="module")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("events")
    url = fresh_database_url(backend, tmp, "events")
    migrate.upgrade(url)
    app = create_app(make_settings(Path(tmp), database_url=url))
    factory = runtime.session_factory(app)
    with write_session(factory) as session:
        user = create_user(
            session,
            None,
            email="ella@example.org",
            name="Ella Live",
            role=Role.EDITOR,
            password=PASSWORD,
        )
        other = create_user(
            session,
            None,
            email="otto@example.org",
            name="Otto Ander",
            role=Role.EDITOR,
            password=PASSWORD,
        )
        token = create_token(session, None, user, "sse")
        other_token = create_token(session, None, other, "sse")
        ids = (user.id, other.id)
    http_server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http_server.serve_forever, daemon=True)
    thread.start()
    yield Server(app, "127.0.0.1", http_server.server_port, factory, token, other_token, *ids)
    http_server.shutdown()
    thread.join(timeout=5)
    factory.kw["bind"].dispose()


class Stream:
    """An SSE client on its own thread; parsed events land in ``events``."""

    def __init__(self, server: Server, path: str, headers: dict[str, str]) -> None:
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
        self.conn.request("GET", path, headers=headers)
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.thread = threading.Thread(target=self._read, daemon=True)
        if self.status == 200:
            self.thread.start()

    def _read(self) -> None:
        current: dict[str, Any] = {}
        try:
            while True:
                raw = self.response.fp.readline()
                if not raw:
                    return
                line = raw.decode().rstrip("\n")
                if not line:
                    if "data" in current:
                        current["data"] = json.loads(current["data"])
                        current["at"] = time.monotonic()
                        self.events.put(current)
                    current = {}
                elif not line.startswith(":") and ":" in line:
                    key, _, value = line.partition(":")
                    current[key] = value.strip()
        except (OSError, ValueError):
            return

    def next(self, timeout: float = 10.0) -> dict[str, Any]:
        return self.events.get(timeout=timeout)

    def close(self) -> None:
        self.conn.close()


def _record(server: Server, topic: str, **kwargs: Any) -> int:
    with write_session(server.factory) as session:
        return services.record_change(session, topic, datetime.now(UTC), **kwargs).id


def _bearer(token: str, **more: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **more}


def test_a_change_reaches_an_open_stream_and_last_event_id_resumes(server: Server) -> None:
    stream = Stream(server, "/events?timeout=30", _bearer(server.token))
    assert stream.status == 200
    assert stream.response.getheader("Content-Type", "").startswith("text/event-stream")
    time.sleep(0.3)
    started = time.monotonic()
    first = _record(server, "calendar", subject_id=7, data={"status": "scheduled"})
    event = stream.next()
    print(f"change to stream: {event['at'] - started:.3f} s")
    assert event["id"] == str(first)
    assert event["event"] == "calendar"
    assert event["data"]["subject_id"] == 7
    assert event["data"]["mine"] is False
    stream.close()

    # While nobody listens, two more changes; a stream that resumes after the first gets both.
    second = _record(server, "inbox", subject_id=1)
    third = _record(server, "approval", subject_id=2)
    resumed = Stream(
        server, "/events?timeout=30", _bearer(server.token, **{"Last-Event-ID": str(first)})
    )
    got = [resumed.next()["id"], resumed.next()["id"]]
    assert got == [str(second), str(third)]
    resumed.close()


def test_a_persons_own_events_reach_only_them(server: Server) -> None:
    mine = Stream(server, "/events?timeout=30", _bearer(server.token))
    theirs = Stream(server, "/events?timeout=30", _bearer(server.other_token))
    time.sleep(0.3)
    private = _record(server, "notifications", user_id=server.other_id, data={"unread": 3})
    public = _record(server, "calendar", subject_id=9)
    assert theirs.next()["id"] == str(private)
    assert theirs.next()["id"] == str(public)
    assert mine.next()["id"] == str(public)  # the private one was skipped
    mine.close()
    theirs.close()


def test_no_sign_in_is_a_401(server: Server) -> None:
    stream = Stream(server, "/events", {})
    assert stream.status == 401
    stream.close()
    bad = Stream(server, "/events", _bearer("nonsense"))
    assert bad.status == 401
    bad.close()


def test_a_stream_on_a_fragment_page_makes_its_person_present(server: Server) -> None:
    with write_session(server.factory) as session:
        author = session.get(User, server.user_id)
        assert author is not None
        channel = make.channel(session, author)
        fragment = make.fragment_in_status(session, author, channel)
        fragment_id = fragment.id
    watcher = Stream(server, "/events?timeout=30", _bearer(server.other_token))
    time.sleep(0.3)
    stream = Stream(server, f"/events?timeout=30&fragment={fragment_id}", _bearer(server.token))
    event = watcher.next()
    assert event["event"] == "presence"
    assert event["data"]["subject_id"] == fragment_id
    assert event["data"]["actor"] == "Ella Live"
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    conn.request("GET", f"/events/presence/{fragment_id}", headers=_bearer(server.other_token))
    assert json.loads(conn.getresponse().read()) == {"others": ["Ella Live"]}
    conn.close()
    stream.close()
    watcher.close()
