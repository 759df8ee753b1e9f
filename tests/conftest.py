"""Fixtures shared by the whole suite: databases built by the migrations, a rollback per test,
an app wired to that transaction, a client, signed-in people, and a frozen clock.

Every database test runs on SQLite and on PostgreSQL. PostgreSQL tests skip only when the server
is unreachable and PLANNER_REQUIRE_POSTGRES is unset.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from planner import connect_reactions, create_app, migrate
from planner.accounts.models import Role, User
from planner.accounts.services import create_user
from planner.clock import FrozenClock
from planner.config import Settings
from planner.db import make_engine

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "correct horse battery"
#: request headers for a page in English, where a test reads the English text
EN = {"Accept-Language": "en"}
#: signs a test client in as a user (the ``login`` fixture)
Login = Callable[[FlaskClient, "User"], FlaskClient]


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def postgres_base_url() -> str:
    return os.environ.get("PLANNER_TEST_POSTGRES_URL", DEFAULT_PG)


def postgres_database(name: str) -> str:
    """URL of a scratch database on the test server, created on first use.

    The suite never touches the configured database itself, only siblings it owns.
    """
    base = make_url(postgres_base_url())
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        if _truthy("PLANNER_REQUIRE_POSTGRES"):
            raise RuntimeError(f"PostgreSQL is required but unreachable: {exc}") from exc
        pytest.skip(f"PostgreSQL unreachable at {base.render_as_string()}: {exc}")
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def reset_postgres(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def fresh_database_url(backend: str, tmp_path: Path, name: str) -> str:
    """An empty database of the given backend (used by migration tests and live servers)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / (name + '.db')}"
    # A prefix of its own lets several test runs share one server without dropping each other's
    # databases (parallel work on one machine); CI uses the default.
    prefix = os.environ.get("PLANNER_TEST_DB_PREFIX", "planner")
    # pytest-xdist runs the suite in several processes: a database per worker.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        prefix = f"{prefix}_{worker}"
    url = postgres_database(f"{prefix}_{name}")
    reset_postgres(url)
    return url


@pytest.fixture(scope="session", autouse=True)
def reactions() -> None:
    """Services tests without an app see the features react to each other as the app does."""
    connect_reactions()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = fresh_database_url(backend, tmp_path_factory.mktemp("db"), "suite")
    eng = make_engine(url)
    migrate.upgrade(url)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # Every session joins the test's transaction through a savepoint, so a commit in a view or a
    # service is real to the code under test and still rolled back after the test.
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    session = session_factory()
    yield session
    session.close()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))


def make_settings(tmp_path: Path, **changes: Any) -> Settings:
    extra = changes.pop("extra", {})
    return Settings(
        instance_path=tmp_path / "instance",
        database_url=changes.pop("database_url", "sqlite://"),
        secret_key="test-secret-key-" + "x" * 32,
        media_dir=tmp_path / "media",
        testing=True,
        ratelimit_enabled=changes.pop("ratelimit_enabled", False),
        allow_loopback_targets=True,
        extra=extra,
        **changes,
    )


@pytest.fixture
def app_factory(
    tmp_path: Path, session_factory: sessionmaker[Session], clock: FrozenClock
) -> Callable[..., Flask]:
    def build(csrf: bool = False, **changes: Any) -> Flask:
        extra = {"session_factory": session_factory, "clock": clock, **changes.pop("extra", {})}
        app = create_app(make_settings(tmp_path, extra=extra, **changes))
        app.config["WTF_CSRF_ENABLED"] = csrf
        return app

    return build


@pytest.fixture
def app(app_factory: Callable[..., Flask]) -> Flask:
    return app_factory()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def make_user(db: Session, role: Role, email: str, name: str) -> User:
    user = create_user(db, None, email=email, name=name, role=role, password=PASSWORD)
    db.commit()
    return user


@pytest.fixture
def admin(db: Session) -> User:
    return make_user(db, Role.ADMIN, "admin@example.org", "Ada Admin")


@pytest.fixture
def editor(db: Session) -> User:
    return make_user(db, Role.EDITOR, "editor@example.org", "Eddie Editor")


@pytest.fixture
def second_editor(db: Session) -> User:
    """A colleague of ``editor``: the second pair of eyes."""
    return make_user(db, Role.EDITOR, "second@example.org", "Sam Second")


@pytest.fixture
def third_editor(db: Session) -> User:
    return make_user(db, Role.EDITOR, "third@example.org", "Tess Third")


@pytest.fixture
def contributor(db: Session) -> User:
    return make_user(db, Role.CONTRIBUTOR, "contributor@example.org", "Cora Contributor")


def sign_in_as(client: FlaskClient, user: User) -> FlaskClient:
    """A signed-in browser: a real session on the server (planner.accounts.sessions), whose key
    the session cookie carries, as signing in through the form leaves it."""
    from planner.accounts.sessions import start_session
    from planner.db import utcnow
    from planner.web import runtime

    with runtime.session_factory(client.application)() as session:
        key = start_session(session, user, utcnow(), remember=False)
        session.commit()
    with client.session_transaction() as sess:
        sess["_user_id"] = key
        sess["_fresh"] = True
    return client


@pytest.fixture
def login() -> Callable[[FlaskClient, User], FlaskClient]:
    return sign_in_as
