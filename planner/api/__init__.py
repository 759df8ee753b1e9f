"""The JSON API at /api/v1: bearer tokens, problem+json errors, an OpenAPI 3.1 document.

Features declare their operations on ``api`` (see planner.api.spec); importing their
``planner.<feature>.api`` modules registers them before the blueprint is attached.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, g, jsonify, request
from flask.typing import ResponseReturnValue

from planner.api.problems import problem
from planner.api.spec import Api

bp = Blueprint("api", __name__, url_prefix="/api/v1")
api = Api(bp, title="Contentfabriek API", version="1")

#: modules that declare operations on ``api``; each is imported once, at app creation
FEATURE_API_MODULES = (
    "planner.api.me",
    "planner.stories.api",
    "planner.channels.api",
    "planner.fragments.api",
    "planner.brand.api",
    "planner.scheduling.api",
    "planner.publishing.api",
)


@bp.before_request
def _authenticate() -> ResponseReturnValue | None:
    from planner.accounts.services import user_for_token
    from planner.web.database import commit, db_session

    g.api_user = None
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return problem(401, "Unauthorized", "Use 'Authorization: Bearer <token>'.")
    user = user_for_token(db_session(), token.strip())
    if user is None:
        return problem(401, "Unauthorized", "The token is unknown or has been revoked.")
    if db_session().dirty:
        commit()  # last_used_at, at most once a minute per token
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


def init_app(app: Flask) -> None:
    from planner.web.extensions import csrf

    for module in FEATURE_API_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    # Token-authenticated, never cookie-authenticated: CSRF does not apply.
    csrf.exempt(bp)
    if "api" not in app.blueprints:
        app.register_blueprint(bp)
