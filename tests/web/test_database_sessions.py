"""The request session on SQLite: writing requests take the write lock up front, and the races
that remain (a fenced row changed underneath, a lock held too long) become clear answers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from flask import Flask, request
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from planner import create_app, migrate
from planner.db import close_session, make_engine, make_sessionmaker, open_session
from planner.web import runtime
from planner.web.database import db_session, read_only
from tests.conftest import make_settings

ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def sqlite_file(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'locks.db'}"
    migrate.upgrade(url)
    return url


def _other_writer_blocked(path: str) -> bool:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc)
    else:
        other.execute("ROLLBACK")
        return False
    finally:
        other.close()


@pytest.mark.parametrize("write", [True, False])
def test_a_write_session_holds_the_lock_from_its_first_read(sqlite_file: str, write: bool) -> None:
    engine = make_engine(sqlite_file)
    session = open_session(make_sessionmaker(engine), write=write)
    try:
        session.execute(text("SELECT count(*) FROM users")).scalar()
        assert _other_writer_blocked(sqlite_file.removeprefix("sqlite:///")) is write
    finally:
        close_session(session)
    # Released and not inherited by the next user of the pooled connection.
    assert not _other_writer_blocked(sqlite_file.removeprefix("sqlite:///"))
    plain = open_session(make_sessionmaker(engine))
    plain.execute(text("SELECT 1"))
    assert not _other_writer_blocked(sqlite_file.removeprefix("sqlite:///"))
    close_session(plain)
    engine.dispose()


def test_posted_requests_write_under_the_lock_and_reads_do_not(
    sqlite_file: str, tmp_path: Path
) -> None:
    app = create_app(make_settings(tmp_path, database_url=sqlite_file))
    seen: dict[str, bool] = {}

    def probe() -> str:
        db_session().execute(text("SELECT 1"))
        seen[request.method] = _other_writer_blocked(sqlite_file.removeprefix("sqlite:///"))
        return "ok"

    app.add_url_rule("/probe-lock", "probe_lock", probe, methods=["GET", "POST"])
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    assert client.get("/probe-lock").status_code == 200
    assert client.post("/probe-lock").status_code == 200
    assert seen == {"GET": False, "POST": True}
    runtime.session_factory(app).kw["bind"].dispose()


def test_a_posted_read_only_view_takes_no_write_lock(sqlite_file: str, tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, database_url=sqlite_file))
    seen: list[bool] = []

    @read_only
    def probe() -> str:
        db_session().execute(text("SELECT 1"))
        seen.append(_other_writer_blocked(sqlite_file.removeprefix("sqlite:///")))
        return "ok"

    app.add_url_rule("/probe-read", "probe_read", probe, methods=["POST"])
    app.config["WTF_CSRF_ENABLED"] = False
    assert app.test_client().post("/probe-read").status_code == 200
    assert seen == [False]
    runtime.session_factory(app).kw["bind"].dispose()


def test_the_live_check_answers_while_someone_else_holds_the_write_lock(
    sqlite_file: str, tmp_path: Path
) -> None:
    """A check is a read (issue 12, item 10): a long write elsewhere must not make it wait or fail."""
    from planner.accounts.models import Role
    from planner.accounts.services import create_token, create_user

    app = create_app(make_settings(tmp_path, database_url=sqlite_file))
    factory = runtime.session_factory(app)
    with factory.begin() as session:
        user = create_user(session, None, email="e@example.org", name="E", role=Role.EDITOR)
        token = create_token(session, None, user, "check")
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    # Note the token's use first, so the check below writes nothing at all.
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    holder = sqlite3.connect(sqlite_file.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = client.post(
            "/api/v1/check",
            json={"text": "Wij gaan de bankjes in het park vervangen."},
            headers=headers,
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 200, response.get_data(as_text=True)
    runtime.session_factory(app).kw["bind"].dispose()


def test_a_row_changed_underneath_is_a_conflict_not_a_crash(app: Flask) -> None:
    def stale() -> str:
        raise StaleDataError("UPDATE statement on table 'deliveries' expected to update 1 row")

    app.add_url_rule("/stale", "stale", stale)
    app.add_url_rule("/api/v1/stale", "api_stale", stale)
    page = app.test_client().get("/stale", headers=ENGLISH)
    assert page.status_code == 409
    assert "Reload the page" in page.get_data(as_text=True)
    api = app.test_client().get("/api/v1/stale")
    assert api.status_code == 409
    assert api.mimetype == "application/problem+json"


def test_a_busy_database_says_so_and_asks_to_retry(app: Flask) -> None:
    def locked() -> str:
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))

    def broken() -> str:
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))

    app.add_url_rule("/locked", "locked", locked)
    app.add_url_rule("/broken", "broken", broken)
    response = app.test_client().get("/locked", headers=ENGLISH)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Nothing was saved" in response.get_data(as_text=True)
    app.testing = False  # let the other errors reach the generic 500 page as in production
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert app.test_client().get("/broken").status_code == 500
