"""A real server on 127.0.0.1 with the demo organisation, and chromium driven by Playwright.

Browser tests skip only when /usr/bin/chromium is missing and PLANNER_REQUIRE_BROWSER is unset.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from planner import create_app, migrate
from planner.db import make_engine, make_sessionmaker, transaction
from planner.web import runtime
from tests.conftest import make_settings

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require_browser() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("PLANNER_REQUIRE_BROWSER"):
        raise RuntimeError("PLANNER_REQUIRE_BROWSER is set but /usr/bin/chromium is missing")
    pytest.skip("chromium is not installed at /usr/bin/chromium (apt-get install chromium)")


class LiveServer:
    def __init__(self, app: Any) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    _require_browser()
    from planner.demo.seed import seed_demo
    from planner.media.storage import FileSystemStorage

    tmp = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{tmp / 'live.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        # the demo photos go where the live app below reads them (make_settings: tmp/media)
        seed_demo(session, datetime.now(UTC), FileSystemStorage(tmp / "media"))
    engine.dispose()
    app = create_app(make_settings(tmp, database_url=url))
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()
    runtime.session_factory(app).kw["bind"].dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


#: reports every Content-Security-Policy violation on the console, where watch_csp hears it
_REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


def watch_csp(context: Any) -> list[str]:
    """Collect the CSP violations of every page of a browser context (issue 12 item 9): a page
    that needs an inline script or eval is broken in production, so the test must fail."""
    violations: list[str] = []

    def _console(message: Any) -> None:
        text = str(message.text)
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            violations.append(text)

    context.add_init_script(_REPORT_CSP)
    context.on("page", lambda pg: pg.on("console", _console))
    return violations


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    violations = watch_csp(context)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()
    assert violations == [], "the page broke the Content-Security-Policy"


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Any, email: str, password: str, language: str = "nl") -> None:
    """Sign in through the form; the live server is shared, so reset the language chosen."""
    page.goto("/sign-in")
    if page.locator("html").get_attribute("lang") != "nl":
        page.get_by_role("button", name="Nederlands").click()
        page.wait_for_load_state()
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/dashboard")
    if page.locator("html").get_attribute("lang") != language:
        label = "Nederlands" if language == "nl" else "English"
        page.get_by_role("button", name=label).click()
        page.wait_for_load_state()


def upload_file(name: str, data: bytes) -> str:
    """A file on disk for ``set_input_files``: Playwright hands a buffer over by fetching a data:
    URL in the page, which the Content-Security-Policy (connect-src 'self') rightly refuses."""
    folder = Path(tempfile.mkdtemp(prefix="upload-"))
    path = folder / name
    path.write_bytes(data)
    return str(path)


class OffsetClock:
    """The real time plus an offset the test moves forward; the server's one "now"."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._offset += delta
