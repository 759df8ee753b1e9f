"""Local stand-ins for channels: real HTTP servers on 127.0.0.1 that record what they receive.

Each fake is a small "app" object with a `respond(request)` method; faults are queued on it and
consumed by the next matching request, so a test reads as "the next post times out".
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from planner.publishing.adapters.webhook import verify_signature


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    #: "hang": keep the connection open without answering; "close": hang up without answering
    action: str | None = None


class FakeApp:
    """Records requests and answers them; subclasses implement `handle`."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.faults: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.release = threading.Event()

    def fail_next(
        self,
        path_prefix: str,
        status: int = 500,
        *,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        action: str | None = None,
        after_handling: bool = False,
        skip: int = 0,
    ) -> None:
        """Answer a coming request under `path_prefix` with a fault instead of the normal reply.

        `skip` lets that many matching requests through first. With `after_handling` the request is
        processed normally first (the remote commits) and only then does the fault happen: the case
        that makes an outcome ambiguous.
        """
        reply = Reply(status, headers or {}, body, action)
        with self.lock:
            self.faults.append(
                {"prefix": path_prefix, "reply": reply, "after": after_handling, "skip": skip}
            )

    def respond(self, request: Recorded) -> Reply:
        with self.lock:
            self.requests.append(request)
            fault = None
            for index, candidate in enumerate(self.faults):
                if request.path.startswith(candidate["prefix"]):
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

    def handle(self, request: Recorded) -> Reply:
        return Reply(200, {"Content-Type": "application/json"}, b"{}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        recorded = Recorded(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        reply = self.server.app.respond(recorded)
        if reply.action == "hang":
            # Bounded so teardown never waits long; the client's own timeout fires first.
            self.server.app.release.wait(10)
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

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, app: FakeApp, context: ssl.SSLContext | None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.app = app
        self.context = context

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        if self.context is not None:
            sock = self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out on purpose leave broken pipes behind; that is the point of the test.
        pass


def _json(status: int, document: Any, headers: dict[str, str] | None = None) -> Reply:
    return Reply(
        status,
        {"Content-Type": "application/json", **(headers or {})},
        json.dumps(document).encode(),
    )


class EchoApp(FakeApp):
    """Answers 200 with what it saw, so tests can check the Host header that arrived."""

    def handle(self, request: Recorded) -> Reply:
        return _json(200, {"host": request.headers.get("host"), "path": request.path})


class WebhookReceiver(FakeApp):
    """A receiver that checks Standard Webhooks signatures and deduplicates by webhook-id."""

    secret = "whsec_" + base64.b64encode(b"contentfabriek-test-receiver-key").decode()

    def __init__(self) -> None:
        super().__init__()
        self.events: list[dict[str, Any]] = []
        self.seen: set[str] = set()

    def handle(self, request: Recorded) -> Reply:
        headers = request.headers
        if not verify_signature(
            self.secret,
            msg_id=headers.get("webhook-id", ""),
            timestamp=headers.get("webhook-timestamp", ""),
            body=request.body,
            signature_header=headers.get("webhook-signature", ""),
        ):
            return _json(401, {"error": "invalid signature"})
        with self.lock:
            msg_id = headers["webhook-id"]
            if msg_id in self.seen:
                return _json(200, {"id": msg_id, "duplicate": True})
            self.seen.add(msg_id)
            self.events.append(json.loads(request.body))
        return _json(200, {"id": msg_id, "url": f"https://receiver.test/events/{msg_id}"})


class FakeMastodon(FakeApp):
    """Enough of Mastodon: instance limits, media with background processing, statuses with
    Idempotency-Key deduplication (as the real server does per account)."""

    token = "mastodon-test-token"
    max_characters = 60
    max_media = 2

    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[dict[str, Any]] = []
        self.by_key: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.instance_fetches = 0

    def handle(self, request: Recorded) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return _json(401, {"error": "The access token is invalid"})
        with self.lock:
            if request.method == "GET" and request.path == "/api/v2/instance":
                self.instance_fetches += 1
                statuses = {
                    "max_characters": self.max_characters,
                    "max_media_attachments": self.max_media,
                    "characters_reserved_per_url": 23,
                }
                return _json(200, {"configuration": {"statuses": statuses}})
            if request.method == "POST" and request.path == "/api/v2/media":
                return self._upload(request)
            if request.method == "GET" and request.path.startswith("/api/v1/media/"):
                item = self.media[request.path.rsplit("/", 1)[1]]
                item["polls"] += 1
                if item["polls"] < 2:
                    return _json(206, {"id": item["id"], "url": None})
                item["url"] = f"https://files.social.test/{item['id']}.png"
                return _json(200, {"id": item["id"], "url": item["url"]})
            if request.method == "POST" and request.path == "/api/v1/statuses":
                return self._post_status(request)
        return _json(404, {"error": "Record not found"})

    def _upload(self, request: Recorded) -> Reply:
        envelope = (
            b"Content-Type: "
            + request.headers["content-type"].encode()
            + b"\r\n\r\n"
            + request.body
        )
        form = BytesParser(policy=policy.HTTP).parsebytes(envelope)
        fields: dict[str, Any] = {}
        for part in form.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[str(name)] = part.get_payload(decode=True)
        media_id = str(len(self.media) + 1)
        self.media[media_id] = {
            "id": media_id,
            "description": fields["description"].decode("utf-8"),
            "sha256": hashlib.sha256(fields["file"]).hexdigest(),
            "polls": 0,
            "url": None,
        }
        return _json(202, {"id": media_id, "url": None})

    def _post_status(self, request: Recorded) -> Reply:
        key = request.headers.get("idempotency-key")
        if key is not None and key in self.by_key:
            return _json(200, self.by_key[key])
        payload = json.loads(request.body)
        if len(payload["status"]) > self.max_characters:
            return _json(422, {"error": "Validation failed: Text character limit exceeded"})
        for media_id in payload.get("media_ids", []):
            if self.media.get(media_id, {}).get("url") is None:
                return _json(
                    422, {"error": "Cannot attach files that have not finished processing"}
                )
        status_id = str(1000 + len(self.statuses))
        status = {
            "id": status_id,
            "url": f"https://social.test/@redactie/{status_id}",
            "content": payload["status"],
            "visibility": payload.get("visibility"),
            "in_reply_to_id": payload.get("in_reply_to_id"),
            "media_ids": payload.get("media_ids", []),
            "idempotency_key": key,
        }
        self.statuses.append(status)
        if key is not None:
            self.by_key[key] = status
        return _json(200, status)


class FakeWordPress(FakeApp):
    """The WordPress REST routes the adapter uses, behind Basic auth with an application password."""

    user = "redactie"
    password = "abcd EFGH 1234 ijkl MNOP 5678"

    def __init__(self) -> None:
        super().__init__()
        self.media: dict[int, dict[str, Any]] = {}
        self.posts: list[dict[str, Any]] = []

    def handle(self, request: Recorded) -> Reply:
        expected = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return _json(401, {"code": "rest_not_logged_in", "message": "Not logged in."})
        with self.lock:
            if request.path == "/wp-json/wp/v2/media":
                disposition = request.headers.get("content-disposition", "")
                if "filename=" not in disposition:
                    return _json(400, {"code": "rest_upload_no_content_disposition"})
                media_id = 10 + len(self.media)
                self.media[media_id] = {
                    "id": media_id,
                    "disposition": disposition,
                    "mime": request.headers.get("content-type"),
                    "sha256": hashlib.sha256(request.body).hexdigest(),
                    "alt_text": "",
                }
                return _json(
                    201, {"id": media_id, "source_url": f"https://blog.test/{media_id}.png"}
                )
            if request.path.startswith("/wp-json/wp/v2/media/"):
                item = self.media[int(request.path.rsplit("/", 1)[1])]
                item["alt_text"] = json.loads(request.body)["alt_text"]
                return _json(200, {"id": item["id"], "alt_text": item["alt_text"]})
            if request.path == "/wp-json/wp/v2/posts":
                post = json.loads(request.body)
                post["id"] = 500 + len(self.posts)
                post["link"] = f"https://blog.test/?p={post['id']}"
                self.posts.append(post)
                return _json(201, post)
        return _json(404, {"code": "rest_no_route"})


APPS: dict[str, type[FakeApp]] = {
    "echo": EchoApp,
    "webhook": WebhookReceiver,
    "mastodon": FakeMastodon,
    "wordpress": FakeWordPress,
}


@dataclass
class RunningServer:
    app: Any
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def serve() -> Iterator[Callable[..., RunningServer]]:
    """Start fake apps on 127.0.0.1 (port 0); everything is shut down after the test."""
    started: list[tuple[_Server, threading.Thread, FakeApp]] = []

    def start(kind: str = "echo", *, context: ssl.SSLContext | None = None) -> RunningServer:
        app = APPS[kind]()
        server = _Server(app, context)
        # A short poll interval keeps shutdown quick; nothing in the tests depends on it.
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        started.append((server, thread, app))
        return RunningServer(app=app, port=server.server_address[1])

    yield start
    for server, thread, app in started:
        app.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class ServerCertificate:
    cert_pem: bytes
    key_pem: bytes
    names: tuple[str, ...]

    def server_context(self, tmp_path: Any) -> ssl.SSLContext:
        cert_file = tmp_path / "cert.pem"
        key_file = tmp_path / "key.pem"
        cert_file.write_bytes(self.cert_pem)
        key_file.write_bytes(self.key_pem)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cadata=self.cert_pem.decode("ascii"))


@pytest.fixture(scope="session")
def certificate() -> ServerCertificate:
    """A self-signed certificate for channel.test and mail.test, trusted only by our clients."""
    names = ("channel.test", "mail.test")
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    return ServerCertificate(
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        names=names,
    )


@pytest.fixture
def loopback_resolver() -> Callable[..., Callable[[str, int], list[str]]]:
    """Build resolvers that know only the given names, all on 127.0.0.1; others fail (NXDOMAIN)."""

    def build(*names: str) -> Callable[[str, int], list[str]]:
        def resolve(host: str, port: int) -> list[str]:
            if host in names:
                return ["127.0.0.1"]
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

        return resolve

    return build
