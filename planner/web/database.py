"""The request's unit of work: one database session per request, committed once at its end.

The request is the one place that commits (house style): a response below 400 commits what the
view's service calls flushed; an error response, an exception, or a view that called
``discard()`` (a refusal shown as a redirect with a message) rolls everything back. A commit that
fails because someone else changed the row (a fenced delivery, a newer version), because the
database refused a duplicate, or because SQLite is busy becomes a clear 409 or 503 instead of a
500, and nothing was saved. Services only flush.

On SQLite a request that may write (POST, PUT, PATCH, DELETE) starts with ``BEGIN IMMEDIATE``
(planner.db.open_session), so two writers wait for each other instead of failing; a POSTed view
that only reads (a check, a preview) is marked ``read_only`` and takes no lock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import (
    Flask,
    Response,
    current_app,
    g,
    get_flashed_messages,
    has_request_context,
    request,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from planner.db import close_session, open_session
from planner.web import runtime

#: requests that may write; on SQLite their transaction takes the write lock from the start
WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_DISCARD = "planner_discard"

#: turns a refused commit into the response to send instead
CommitErrorHandler = Callable[[Exception], Response]


def init_app(app: Flask, on_commit_error: CommitErrorHandler) -> None:
    """``on_commit_error`` turns a refused commit into the response (a page or problem+json)."""

    @app.after_request
    def _commit(response: Response) -> Response:
        session: Session | None = g.get("db_session")
        if session is None or g.get(_DISCARD) or response.status_code >= 400:
            return response
        try:
            session.commit()
        except (StaleDataError, IntegrityError, OperationalError) as exc:
            session.rollback()
            get_flashed_messages()  # a "saved" message must not survive a commit that failed
            return on_commit_error(exc)
        return response

    app.teardown_appcontext(_close_session)


F = TypeVar("F", bound=Callable[..., Any])


def read_only(view: F) -> F:
    """Mark a view that only reads although it is POSTed (a live check, a preview): its request
    does not take SQLite's write lock, so other people's saves never wait for it."""
    setattr(view, "planner_read_only", True)  # noqa: B010 - an attribute Flask keeps on the view
    return view


def _may_write() -> bool:
    if not has_request_context() or request.method not in WRITING_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, "planner_read_only", False)


def db_session() -> Session:
    if "db_session" not in g:
        g.db_session = open_session(runtime.session_factory(), write=_may_write())
    session: Session = g.db_session
    return session


def discard() -> None:
    """Save nothing of this request: a view that shows a refusal as a redirect calls this."""
    setattr(g, _DISCARD, True)


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        close_session(session)
