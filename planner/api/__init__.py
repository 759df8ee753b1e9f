"""The JSON API at /api/v1: bearer tokens, problem+json errors, an OpenAPI 3.1 document.

Features declare their operations on ``api`` (see planner.api.spec) from their own ``api`` modules,
which their ``init_app`` imports; ``init_app`` here attaches the blueprint once every feature has
declared its operations, so the document lists exactly the routes the app serves.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, g, jsonify, request
from flask.typing import ResponseReturnValue

from planner.accounts.models import ApiToken
from planner.accounts.services import find_token, note_token_use, token_use_is_stale
from planner.api.spec import Api
from planner.db import utcnow, write_session
from planner.web import runtime
from planner.web.database import WRITING_METHODS, db_session
from planner.web.extensions import csrf
from planner.web.problems import problem

bp = Blueprint("api", __name__, url_prefix="/api/v1")
api = Api(bp, title="Contentfabriek API", version="1")


@bp.before_request
def _authenticate() -> ResponseReturnValue | None:
    g.api_user = None
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return problem(401, "Unauthorized", "Use 'Authorization: Bearer <token>'.")
    row = find_token(db_session(), token.strip())
    if row is None:
        return problem(401, "Unauthorized", "The token is unknown or has been revoked.")
    now = utcnow()
    if token_use_is_stale(row, now):
        _note_use(row, now)
    g.api_user = row.user
    return None


def _note_use(row: ApiToken, now: datetime) -> None:
    """The token's last use, at most once a minute.

    A write request holds the write lock (SQLite) from its first statement and commits the note
    with the rest. A read never commits: noted in its transaction, the note would be lost, tried
    again on every request, and hold the token's row lock (PostgreSQL) until the answer is sent,
    queueing every request with that token. So a read notes it in a short transaction of its own,
    then starts its own afresh: a SQLite read transaction that began before that commit could no
    longer write (the first request of an installation creates the organisation row).
    """
    if request.method in WRITING_METHODS:
        row.last_used_at = now
        return
    with write_session(runtime.session_factory()) as session:
        note_token_use(session, row.id, now)
    db_session().commit()  # nothing to commit: ends the read transaction, keeps what it loaded


#: Features whose operations need more than a JSON body (a multipart upload) amend the generated
#: document here; each hook gets the document and changes it in place.
DOCUMENT_HOOKS: list[Callable[[dict[str, Any]], None]] = []


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    document = api.openapi(request.host_url.rstrip("/"))
    for hook in DOCUMENT_HOOKS:
        hook(document)
    return jsonify(document)


def init_app(app: Flask) -> None:
    """Attach the API; call after every feature's ``init_app`` has declared its operations."""
    # Token-authenticated, never cookie-authenticated: CSRF does not apply.
    csrf.exempt(bp)
    if "api" not in app.blueprints:
        app.register_blueprint(bp)
