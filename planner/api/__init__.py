"""The JSON API at /api/v1: bearer tokens, problem+json errors, an OpenAPI 3.1 document.

Features declare their operations on ``api`` (see planner.api.spec) from their own ``api`` modules,
which their ``init_app`` imports; ``init_app`` here attaches the blueprint once every feature has
declared its operations, so the document lists exactly the routes the app serves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, g, jsonify, request
from flask.typing import ResponseReturnValue

from planner.accounts.services import find_token, note_token_use, token_use_is_stale
from planner.api.spec import Api
from planner.db import utcnow, write_session
from planner.web import runtime
from planner.web.database import db_session
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
    # The token's last use, at most once a minute, in a short transaction of its own: written in
    # the request's, a read would hold the token's row lock (every request with that token queued
    # behind it) and a GET, which never commits, would try again on every request.
    now = utcnow()
    if token_use_is_stale(row, now):
        with write_session(runtime.session_factory()) as session:
            note_token_use(session, row.id, now)
    g.api_user = row.user
    return None


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
