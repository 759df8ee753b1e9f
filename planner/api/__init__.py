"""The JSON API at /api/v1: bearer tokens, problem+json errors, an OpenAPI 3.1 document.

Plumbing like planner.web: features declare their operations on ``api`` (see planner.api.spec)
from their own ``api`` modules, which their ``init_app`` imports; ``init_app`` here attaches the
blueprint once every feature has declared its operations, so the document lists exactly the
routes the app serves. Which user a token belongs to is the accounts feature's to say.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue

from planner.api.spec import Api
from planner.db import utcnow
from planner.web import runtime
from planner.web.database import WRITING_METHODS, db_session
from planner.web.extensions import csrf
from planner.web.problems import problem

#: finds the user a bearer token belongs to, and whether its last use was noted in a transaction
#: of its own; None when unknown or revoked. The accounts feature's ``authenticate_token``, handed
#: in by the composition root so this package needs no feature.
Authenticate = Callable[..., tuple[Any, bool] | None]
_AUTHENTICATE = "planner.api.authenticate"

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
    authenticate: Authenticate = current_app.extensions[_AUTHENTICATE]
    writing = request.method in WRITING_METHODS
    found = authenticate(
        db_session(), token.strip(), utcnow(), writing=writing, apart=runtime.session_factory()
    )
    if found is None:
        return problem(401, "Unauthorized", "The token is unknown or has been revoked.")
    user, noted_apart = found
    if noted_apart:
        # The note was committed in a transaction of its own; end this read transaction so the
        # request sees it and may still write (a SQLite read that began before could not).
        db_session().commit()
    g.api_user = user
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


def init_app(app: Flask, authenticate: Authenticate) -> None:
    """Attach the API; call after every feature's ``init_app`` has declared its operations."""
    app.extensions[_AUTHENTICATE] = authenticate
    # Token-authenticated, never cookie-authenticated: CSRF does not apply.
    csrf.exempt(bp)
    if "api" not in app.blueprints:
        app.register_blueprint(bp)
