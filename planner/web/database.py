"""The request's database session: one per request, closed (and rolled back) at teardown.

Views commit explicitly after their service call succeeds; anything not committed is rolled back,
so a failed request leaves no half-written state.
"""

from __future__ import annotations

from flask import Flask, g, has_request_context, request
from sqlalchemy.orm import Session

from planner.db import close_session, open_session
from planner.web import runtime

#: requests that may write; on SQLite their transaction takes the write lock from the start
WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_close_session)


def db_session() -> Session:
    if "db_session" not in g:
        writing = has_request_context() and request.method in WRITING_METHODS
        g.db_session = open_session(runtime.session_factory(), write=writing)
    session: Session = g.db_session
    return session


def commit() -> None:
    db_session().commit()


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        close_session(session)
