"""What the engine and fault tests share: a recording webhook receiver on 127.0.0.1 that can
inject faults, a committed database of either backend, and small factories for scheduled work.

The receiver is the "receiving end" of publishing.md: it records every request by webhook-id with
its arrival time, deduplicates like a well-behaved Standard Webhooks consumer, and answers with a
fault when a test scripted one, so lost, duplicated, early and late posts can be counted there.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from planner.accounts.models import User
from planner.channels.models import Channel
from planner.db import Base, make_engine, make_sessionmaker
from planner.fragments.models import Fragment, FragmentStatus
from planner.publishing.adapters.webhook import verify_signature
from planner.publishing.models import Delivery, DeliveryState
from planner.publishing.secrets import SecretBox
from planner.stories.models import Story, StorySource

SECRET_KEY = "engine-test-secret-key-" + "k" * 32
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"contentfabriek-engine-receiver").decode()
TEXT = "De bibliotheek in Zuiderhaven is vanaf maandag ook op zondag open."


@dataclass
class Arrival:
    msg_id: str
    delivery_id: int
    at: float
    duplicate: bool


#: a fault: (action, status, headers); action "reply" answers with status/headers, "hang_after"
#: handles the request (the remote commits) and then keeps the connection silent, "hang_before"
#: stays silent without handling it
Fault = tuple[str, int, dict[str, str]]


@dataclass
class Receiver:
    """The fake remote's state; `script(msg_id, nth_request)` may return a Fault."""

    secret: str = WEBHOOK_SECRET
    arrivals: list[Arrival] = field(default_factory=list)
    accepted: dict[str, Arrival] = field(default_factory=dict)
    script: Callable[[str, int], Fault | None] | None = None
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def requests_for(self, msg_id: str) -> int:
        with self.lock:
            return sum(1 for a in self.arrivals if a.msg_id == msg_id)

    def raw_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self.lock:
            for arrival in self.arrivals:
                counts[arrival.msg_id] = counts.get(arrival.msg_id, 0) + 1
        return counts

    def handle(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        now = time.time()
        msg_id = headers.get("webhook-id", "")
        if not msg_id:
            return self._handle_plain(now, body)
        if not verify_signature(
            self.secret,
            msg_id=msg_id,
            timestamp=headers.get("webhook-timestamp", ""),
            body=body,
            signature_header=headers.get("webhook-signature", ""),
        ):
            return 401, {}, b'{"error": "bad signature"}'
        payload = json.loads(body)
        with self.lock:
            nth = sum(1 for a in self.arrivals if a.msg_id == msg_id)
            duplicate = msg_id in self.accepted
            arrival = Arrival(msg_id, int(payload["data"]["delivery_id"]), now, duplicate)
            self.arrivals.append(arrival)
            fault = self.script(msg_id, nth) if self.script else None
            if fault is None or fault[0] == "hang_after":
                self.accepted.setdefault(msg_id, arrival)
        if fault is not None:
            action, status, extra = fault
            if action == "reply":
                return status, extra, b'{"error": "scripted"}'
            return -1, {}, b""  # hang
        answer = json.dumps({"id": msg_id, "url": f"https://receiver.test/{msg_id}"}).encode()
        return 200, {"Content-Type": "application/json"}, answer

    def _handle_plain(self, now: float, body: bytes) -> tuple[int, dict[str, str], bytes]:
        """A channel without webhook-ids (WordPress's posts endpoint): record and script only."""
        with self.lock:
            nth = len(self.arrivals)
            msg_id = f"plain-{nth}"
            self.arrivals.append(Arrival(msg_id, -1, now, False))
            fault = self.script(msg_id, nth) if self.script else None
        if fault is not None:
            return (fault[1], fault[2], b"{}") if fault[0] == "reply" else (-1, {}, b"")
        answer = json.dumps({"id": nth + 1, "link": f"https://wp.test/?p={nth + 1}"}).encode()
        return 201, {"Content-Type": "application/json"}, answer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        receiver = self.server.receiver
        if receiver.delay:
            time.sleep(receiver.delay)
        status, headers, answer = receiver.handle(
            {k.lower(): v for k, v in self.headers.items()}, body
        )
        if status < 0:
            receiver.release.wait(5)
            self.close_connection = True
            return
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, receiver: Receiver) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.receiver = receiver

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that time out on purpose leave broken pipes behind


@contextmanager
def running_receiver(receiver: Receiver | None = None) -> Iterator[Receiver]:
    receiver = receiver or Receiver()
    server = _Server(receiver)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


# --- database ----------------------------------------------------------------------------------


def clear(engine: Engine) -> None:
    """Empty every table (children first), so a committed database can be reused by the next test."""
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))


def live_factory(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


def engine_for(url: str) -> Engine:
    return make_engine(url)


def box() -> SecretBox:
    return SecretBox(SECRET_KEY)


def make_channel(
    session: Session,
    *,
    kind: str = "webhook",
    url: str,
    name: str | None = None,
    settings: dict[str, Any] | None = None,
    secret: str = WEBHOOK_SECRET,
) -> Channel:
    publisher_settings: dict[str, Any]
    if kind == "webhook":
        publisher_settings = {"url": url, "timeout": 2.0}
    elif kind == "wordpress":
        base = url.rsplit("/hook", 1)[0]
        publisher_settings = {"base_url": base, "username": "redactie", "timeout": 1.0}
    else:
        publisher_settings = {}
    publisher_settings.update(settings or {})
    channel = Channel(
        name=name or f"{kind} channel",
        kind_key="mastodon" if kind == "webhook" else "blog",
        publisher_kind=kind,
        publisher_settings=publisher_settings,
        publisher_secret=box().encrypt(secret),
        approval_steps=0,
    )
    session.add(channel)
    session.flush()
    return channel


def make_story(session: Session, title: str = "Bibliotheek") -> Story:
    story = Story(title=title, body=TEXT, language="nl", source=StorySource.EMPLOYEE)
    session.add(story)
    session.flush()
    return story


def schedule(
    session: Session,
    channel: Channel,
    due_at: datetime,
    *,
    story: Story | None = None,
    text: str = TEXT,
    author: User | None = None,
) -> Delivery:
    """A scheduled fragment with its pending delivery, as workflow.schedule_fragment leaves them."""
    story = story or make_story(session)
    fragment = Fragment(
        story=story,
        channel=channel,
        kind="post",
        parts=[text],
        status=FragmentStatus.SCHEDULED,
        scheduled_at=due_at,
        created_by=author,
    )
    session.add(fragment)
    session.flush()
    delivery = Delivery(
        fragment=fragment,
        channel=channel,
        due_at=due_at,
        not_before=due_at,
        state=DeliveryState.PENDING,
        fragment_version=fragment.version,
    )
    session.add(delivery)
    session.flush()
    return delivery


def bulk_schedule(
    session: Session, channel: Channel, story: Story, due: list[datetime], created_at: datetime
) -> None:
    """Many scheduled fragments and deliveries at once (Core inserts, for bursts and benches)."""
    fragment_rows = [
        {
            "story_id": story.id,
            "channel_id": channel.id,
            "kind": "post",
            "status": FragmentStatus.SCHEDULED,
            "parts": [f"{TEXT} ({n})"],
            "hashtags": [],
            "scheduled_at": at,
            "version": 1,
            "is_sponsored": False,
            "created_at": created_at,
            "updated_at": created_at,
        }
        for n, at in enumerate(due)
    ]
    ids = list(
        session.scalars(
            insert(Fragment).returning(Fragment.id, sort_by_parameter_order=True), fragment_rows
        )
    )
    import uuid

    session.execute(
        insert(Delivery),
        [
            {
                "fragment_id": fid,
                "channel_id": channel.id,
                "due_at": at,
                "not_before": at,
                "state": DeliveryState.PENDING,
                "attempt": 0,
                "idempotency_key": str(uuid.uuid4()),
                "fragment_version": 1,
                "created_at": created_at,
                "updated_at": created_at,
            }
            for fid, at in zip(ids, due, strict=True)
        ],
    )


def states(factory: sessionmaker[Session]) -> dict[int, DeliveryState]:
    with factory() as session:
        return dict(session.execute(select(Delivery.id, Delivery.state)).all())


def wait_for(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)
