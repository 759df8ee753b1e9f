"""`pip install .` must give a product whose pages answer, not only importable code.

The repository keeps `templates/`, `static/` and `migrations/` at its top level and the
translations as `.po` files; setup.py maps the folders into the package and compiles the
catalogues. This builds the way a release is built (an sdist, then the wheel from it, both in
build isolation) from a copy of the checkout without its compiled catalogues, installs the wheel
into a fresh virtual environment, and from a directory outside the checkout migrates a new SQLite
database with the installed `planner`, seeds the demo and serves it with the environment's
gunicorn: a page in Dutch, a static file, /healthz and a signed-in page must answer.

The wheel's dependencies come from pip's configured find-links and cache, else from PyPI (reachable
here and in CI). They are pinned to the versions of the environment running this suite, so the
installed product runs on what the rest of the suite tested and pip has nothing to resolve.
"""

from __future__ import annotations

import http.cookiejar
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from importlib import metadata
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from babel.messages.mofile import read_mo

from planner import MIGRATIONS_DIR

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
SHIPPED = {"templates": "_templates", "static": "_static", "migrations": "_migrations"}
# What a clean clone does not have: local state, build output, caches and compiled catalogues.
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "*.pyc",
    "*.mo",
    "instance",
    "test-artifacts",
    "node_modules",
    ".*_cache",
    ".hypothesis",
    ".i18n",
)


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)


def _environment(**extra: str) -> dict[str, str]:
    """This process's environment without anything that points at the checkout or its venv."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PLANNER_", "PYTHON", "VIRTUAL_ENV"))
    }
    return {**env, **extra}


def _run(args: list[str], *, cwd: Path, timeout: float, **env: str) -> str:
    done = subprocess.run(
        args,
        cwd=cwd,
        env=_environment(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(args)} failed ({done.returncode}):\n{output}"
    return output


def _pins(path: Path) -> Path:
    """A pip constraints file with this environment's version of every installed distribution."""
    pins = {
        dist.metadata["Name"].lower(): dist.version
        for dist in metadata.distributions()
        if dist.metadata["Name"] and dist.metadata["Name"].lower() != "contentfabriek"
    }
    path.write_text("".join(f"{name}=={version}\n" for name, version in sorted(pins.items())))
    return path


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(REPO_ROOT, source, ignore=NOT_SOURCE)
    dist = work / "dist"
    _run([sys.executable, "-m", "build", "--outdir", str(dist), str(source)], cwd=work, timeout=300)
    (wheel,) = dist.glob("contentfabriek-*.whl")

    venv = work / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=work, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
    constraints = _pins(work / "constraints.txt")
    _run([*pip, "-c", str(constraints), str(wheel), "gunicorn"], cwd=work, timeout=600)
    return Installed(wheel=wheel, venv=venv)


def test_the_wheel_carries_every_template_static_file_migration_and_compiled_catalogue(
    installed: Installed,
) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
        for folder, inside in SHIPPED.items():
            expected = {
                f"planner/{inside}/{path.relative_to(REPO_ROOT / folder).as_posix()}"
                for path in (REPO_ROOT / folder).rglob("*")
                if path.is_file() and "__pycache__" not in path.parts
            }
            assert expected, folder
            assert expected <= names, sorted(expected - names)
        catalogues = {
            locale: read_mo(io.BytesIO(wheel.read(f"planner/{locale}/LC_MESSAGES/messages.mo")))
            for locale in ("translations/nl", "translations/en")
        }
    dutch = catalogues["translations/nl"].get("Sign in")
    assert dutch is not None
    assert dutch.string == "Inloggen"


@dataclass
class Answer:
    status: int
    headers: Message
    body: bytes
    url: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class Browser:
    """Just enough of a browser: cookies, redirects, Dutch as the preferred language."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def request(self, path: str, form: dict[str, str] | None = None) -> Answer:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(
            self.base + path, data=data, headers={"Accept-Language": "nl"}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return Answer(response.status, response.headers, response.read(), response.url)
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.headers, error.read(), str(error.filename))


@pytest.fixture
def served(installed: Installed, tmp_path: Path) -> Iterator[Browser]:
    """The installed product, migrated and seeded, behind gunicorn; run outside the checkout."""
    env = {
        "PLANNER_DATABASE_URL": f"sqlite:///{tmp_path / 'planner.db'}",
        "PLANNER_INSTANCE_PATH": str(tmp_path / "instance"),
        "PLANNER_SECRET_KEY": "wheel-test-secret",
        "XDG_RUNTIME_DIR": str(tmp_path),  # gunicorn's control socket, not in $HOME
    }
    found = _run(
        [
            installed.bin("python"),
            "-c",
            "import planner; print(planner.TEMPLATES_DIR, planner.STATIC_DIR, planner.MIGRATIONS_DIR,"
            " planner.TRANSLATIONS_DIR, sep='\\n')",
        ],
        cwd=tmp_path,
        timeout=60,
        **env,
    )
    site = installed.venv.resolve()
    for folder in found.split():
        assert Path(folder).is_relative_to(site), found

    migrated = _run([installed.bin("planner"), "db", "upgrade"], cwd=tmp_path, timeout=120, **env)
    assert "Database at head." in migrated
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    with sqlite3.connect(tmp_path / "planner.db") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(head,)]

    seeded = _run(
        [installed.bin("planner"), "demo", "seed", "--if-empty"], cwd=tmp_path, timeout=120, **env
    )
    assert "sanne@zuiderhaven.example        password: zuiderhaven-editor" in seeded, seeded

    log_path = tmp_path / "gunicorn.log"
    # Port 0: the kernel picks a free port and gunicorn's log says which.
    command = [
        installed.bin("gunicorn"),
        *("--workers", "1", "--bind", "127.0.0.1:0"),
        "planner:create_app()",
    ]
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            command,
            cwd=tmp_path,
            env=_environment(**env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        port = None
        deadline = time.monotonic() + 60
        while port is None and server.poll() is None and time.monotonic() < deadline:
            listening = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log_path.read_text())
            port = int(listening.group(1)) if listening else None
            time.sleep(0.1)
        assert port is not None, log_path.read_text()
        yield Browser(f"http://127.0.0.1:{port}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_the_installed_wheel_migrates_and_serves_pages_static_files_and_health(
    served: Browser,
) -> None:
    browser = served
    sign_in = browser.request("/sign-in")
    assert sign_in.status == 200, sign_in.text
    assert "<h1>Inloggen</h1>" in sign_in.text
    assert "Plan, controleer en publiceer de verhalen van je organisatie." in sign_in.text

    css = browser.request("/static/css/app.css")
    assert css.status == 200
    assert css.headers.get_content_type() == "text/css"
    assert css.body == (REPO_ROOT / "static" / "css" / "app.css").read_bytes()

    health = browser.request("/healthz")
    assert health.status == 200, health.text
    assert health.headers.get_content_type() == "application/json"
    assert json.loads(health.body)["database"] == "ok"

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', sign_in.text)
    assert token is not None, sign_in.text
    form = {"csrf_token": token.group(1), "email": "sanne@zuiderhaven.example"}
    dashboard = browser.request("/sign-in", {**form, "password": "zuiderhaven-editor"})
    assert dashboard.status == 200, dashboard.text
    assert urllib.parse.urlsplit(dashboard.url).path == "/dashboard", dashboard.url
    assert "Sanne Bakker" in dashboard.text
    assert "Uitloggen" in dashboard.text
