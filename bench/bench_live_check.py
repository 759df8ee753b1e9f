"""Latency of the live check over HTTP for a 1,500-word Dutch article.

A real HTTP server on 127.0.0.1 serves the app (demo seeded, a term list and an imported style
package active, so the organisation's whole configuration runs). Measured per request, from the
client's side: the editor's live partial (`POST /fragments/<id>/live`: counter, preview and
checks) and `POST /api/v1/check`, against `GET /healthz` in the same run as the baseline.
Aim: p99 of the live check under 50 ms (see docs/performance.md; compare ratios, not times).
Run: .venv/bin/python bench/bench_live_check.py
"""

from __future__ import annotations

import http.client
import io
import json
import logging
import random
import statistics
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import select
from werkzeug.serving import make_server

from planner import create_app, migrate
from planner.accounts.models import User
from planner.accounts.services import create_token
from planner.brand import services as brand_services
from planner.config import Settings
from planner.db import make_engine, make_sessionmaker, transaction
from planner.demo.seed import seed_demo
from planner.fragments.models import Fragment
from planner.media.storage import FileSystemStorage

WORDS_TARGET = 1_500
REQUESTS = 200
WARMUP = 20

_PROSE = (
    "de het een en van in op met voor naar bij uit over door om als dat die dit wij zij "
    "gemeente inwoners buurt straat park speeltuin fiets afval container wijk markt bibliotheek "
    "vrijwilliger bankje plein school huis haven water brug boom tuin bus trein station zomer "
    "winter feest concert raad wethouder plan project bouw onderhoud veilig schoon groen nieuw "
    "oud mooi groot klein samen elke week jaar dag avond morgen vandaag kinderen ouders buren"
)
VOCABULARY = _PROSE.split()
SPICE = ("klanten", "betreffende", "teneinde", "Zuidhaven", "haven park", "eigenlijk")


def article(seed: int = 5) -> str:
    """About 1,500 Dutch words in Markdown paragraphs, with a few findings sprinkled in."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    words = 0
    while words < WORDS_TARGET:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            n = rng.randint(6, 18)
            chosen = [rng.choice(VOCABULARY) for _ in range(n)]
            if rng.random() < 0.15:
                chosen[rng.randrange(n)] = rng.choice(SPICE)
            sentences.append(" ".join(chosen).capitalize() + ".")
            words += n
        paragraphs.append(" ".join(sentences))
    return "# Nieuws uit Zuiderhaven\n\n" + "\n\n".join(paragraphs) + "\n"


def style_package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "Bench/Vaag.yml",
            "extends: existence\nmessage: \"Vermijd '%s'.\"\nlevel: warning\nignorecase: true\n"
            "tokens:\n  - eigenlijk\n  - best wel\n  - heel erg\n",
        )
    return buffer.getvalue()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def measure(call: Callable[[], int]) -> list[float]:
    for _ in range(WARMUP):
        call()
    times = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        status = call()
        times.append((time.perf_counter() - start) * 1000)
        if status != 200:
            raise SystemExit(f"unexpected HTTP status {status}")
    return times


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-live-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    now = datetime.now(UTC)
    with transaction(make_sessionmaker(engine)) as session:
        seed_demo(session, now, FileSystemStorage(tmp / "media"))
        admin = session.scalar(select(User).where(User.email == "eva@zuiderhaven.example"))
        editor = session.scalar(select(User).where(User.email == "sanne@zuiderhaven.example"))
        assert admin is not None
        assert editor is not None
        brand_services.create_term(
            session, editor, term="Havenpark", forbidden=["haven park", "havenparkje"], now=now
        )
        result = brand_services.import_style_package(
            session, admin, name="Bench", data=style_package(), now=now
        )
        assert result.package is not None, result.report.problems
        token = create_token(session, None, editor, "bench")
        fragment = session.scalar(select(Fragment).where(Fragment.kind == "article"))
        if fragment is None:
            raise SystemExit("the demo has no article fragment")
        fragment_id = fragment.id
    engine.dispose()

    settings = Settings(
        instance_path=tmp / "instance",
        database_url=url,
        secret_key="bench-secret-key-" + "x" * 32,
        media_dir=tmp / "media",
        ratelimit_enabled=False,
    )
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_app(settings)
    # The bench measures the check, not the CSRF token dance of a signed-in browser.
    app.config["WTF_CSRF_ENABLED"] = False
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def request(
        method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, http.client.HTTPResponse]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, data, response

    status, _, response = request(
        "POST",
        "/sign-in",
        urlencode(
            {"email": "sanne@zuiderhaven.example", "password": "zuiderhaven-editor"}
        ).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
    if status != 302 or not cookie:
        raise SystemExit(f"sign-in failed: {status}")

    text = article()
    live_body = urlencode({"body": text}).encode()
    live_headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookie,
        "HX-Request": "true",
    }
    api_body = json.dumps({"text": text, "format": "markdown", "channel": "blog"}).encode()
    api_headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}

    status, page, _ = request("POST", f"/fragments/{fragment_id}/live", live_body, live_headers)
    findings = page.count(b'class="finding finding--')
    if status != 200 or findings == 0:
        raise SystemExit(f"live check failed: {status}, {findings} findings")

    healthz = measure(lambda: request("GET", "/healthz")[0])
    live = measure(
        lambda: request("POST", f"/fragments/{fragment_id}/live", live_body, live_headers)[0]
    )
    api = measure(lambda: request("POST", "/api/v1/check", api_body, api_headers)[0])
    server.shutdown()
    thread.join(timeout=5)

    words = len(text.split())
    print(f"live check over HTTP: {words} words, {findings} findings, {REQUESTS} requests each")
    print(f"{'':34}{'p50 ms':>10}{'p99 ms':>10}{'p50 ×base':>12}")
    base50 = statistics.median(healthz)
    for name, times in (
        ("GET /healthz (baseline)", healthz),
        ("POST /fragments/<id>/live", live),
        ("POST /api/v1/check", api),
    ):
        p50, p99 = statistics.median(times), percentile(times, 99)
        print(f"{name:34}{p50:10.1f}{p99:10.1f}{p50 / base50:12.1f}")
    p99_live = percentile(live, 99)
    verdict = "meets" if p99_live < 50 else "misses"
    print(f"live check p99 {p99_live:.1f} ms {verdict} the aim of < 50 ms")


if __name__ == "__main__":
    main()
