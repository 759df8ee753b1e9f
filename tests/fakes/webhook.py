"""A webhook receiver on 127.0.0.1 that behaves like a well-behaved Standard Webhooks consumer.

It records every request by webhook-id with its arrival time, answers 401 to a bad signature
(https://www.standardwebhooks.com/ "Verifying webhook authenticity"), deduplicates by webhook-id,
and answers with a fault when a test scripted one, so lost, duplicated, early and late posts can
be counted at the receiving end (docs/publishing.md).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from planner.publishing.adapters.webhook import verify_signature
from tests.factories import WEBHOOK_SECRET


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
    #: every signed payload that arrived, in order
    payloads: list[dict[str, Any]] = field(default_factory=list)
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
            self.payloads.append(payload)
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
