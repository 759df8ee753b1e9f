"""The HTTP plumbing every fake shares: record requests, inject faults, serve on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.target).query).items()}

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8")).items()}

    def params(self) -> dict[str, str]:
        """Query and form fields together, as the Graph API reads them."""
        fields = dict(self.query)
        if self.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            fields.update(self.form())
        return fields

    def multipart(self) -> dict[str, bytes]:
        envelope = (
            b"Content-Type: " + self.headers["content-type"].encode() + b"\r\n\r\n" + self.body
        )
        message = BytesParser(policy=policy.HTTP).parsebytes(envelope)
        parts: dict[str, bytes] = {}
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            payload = part.get_payload(decode=True)
            parts[name] = payload if isinstance(payload, bytes) else b""
        return parts

    def bearer(self) -> str | None:
        value = self.headers.get("authorization", "")
        return value.removeprefix("Bearer ") if value.startswith("Bearer ") else None


@dataclass(frozen=True)
class Published:
    """One post as the platform stored it: when (this machine's clock, so it compares with due
    times), the words a reader sees, and the platform's id for it."""

    at: float
    text: str
    ref: str


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    #: "hang": keep the connection open without answering; "close": hang up without answering
    action: str | None = None


def json_reply(status: int, document: Any, headers: dict[str, str] | None = None) -> Reply:
    return Reply(
        status,
        {"Content-Type": "application/json", **(headers or {})},
        json.dumps(document).encode(),
    )


class FakeApp:
    """Records requests and answers them; subclasses implement `handle`."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.faults: list[dict[str, Any]] = []
        self.lock = threading.RLock()
        self.release = threading.Event()
        self.url = ""
        #: every post the platform stored, in order: what load and crash tests count
        self.published: list[Published] = []
        #: seconds every answer waits after its request was handled: the platform has already
        #: done the work, so a client that dies meanwhile never learns the outcome
        self.delay = 0.0
        #: answers held open so far ("hang" faults, counted once their request was handled)
        self.held_open = 0

    def record_published(self, text: str, ref: str) -> None:
        with self.lock:
            self.published.append(Published(time.time(), text, ref))

    def fail_next(
        self,
        path_prefix: str,
        status: int = 500,
        *,
        method: str | None = None,
        headers: dict[str, str] | None = None,
        body: bytes | dict[str, Any] = b"",
        action: str | None = None,
        after_handling: bool = False,
        skip: int = 0,
    ) -> None:
        """Answer a coming request under `path_prefix` with a fault instead of the normal reply.

        `skip` lets that many matching requests through first. With `after_handling` the request
        is processed normally first (the platform commits) and only then does the fault happen:
        the case that makes an outcome ambiguous.
        """
        if isinstance(body, dict):
            reply = json_reply(status, body, headers)
        else:
            reply = Reply(status, headers or {}, body)
        reply.action = action
        with self.lock:
            self.faults.append(
                {
                    "prefix": path_prefix,
                    "method": method,
                    "reply": reply,
                    "after": after_handling,
                    "skip": skip,
                }
            )

    def respond(self, request: Request) -> Reply:
        with self.lock:
            self.requests.append(request)
            fault = None
            for index, candidate in enumerate(self.faults):
                if request.path.startswith(candidate["prefix"]) and candidate["method"] in (
                    None,
                    request.method,
                ):
                    if candidate["skip"] > 0:
                        candidate["skip"] -= 1
                    else:
                        fault = self.faults.pop(index)
                    break
        if fault is None:
            return self.handle(request)
        if fault["after"]:
            self.handle(request)
        return fault["reply"]

    def handle(self, request: Request) -> Reply:
        raise NotImplementedError

    def calls(self, method: str, path_prefix: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command,
            target=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        reply = self.server.app.respond(request)
        if self.server.app.delay:
            time.sleep(self.server.app.delay)
        if reply.action == "hang":
            app = self.server.app
            with app.lock:
                app.held_open += 1
            # Bounded so teardown never waits long; the client's own timeout fires first.
            app.release.wait(10)
            self.close_connection = True
            return
        if reply.action == "close":
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, app: FakeApp) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.app = app

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out on purpose leave broken pipes behind; that is the point.
        pass


@contextmanager
def serving(app: FakeApp) -> Iterator[FakeApp]:
    """Run `app` on 127.0.0.1 (a free port) for the duration of the block; `app.url` is set."""
    server = _Server(app)
    app.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield app
    finally:
        app.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
