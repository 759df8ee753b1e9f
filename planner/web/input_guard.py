"""Input no database can store is refused before any view sees it: NUL characters.

PostgreSQL's text columns cannot hold a NUL (U+0000): a form field, a query parameter, a path
token or a JSON string carrying one made the driver raise at the first query, a 500 on every page
that takes text, the public intake and reviewer forms too. Nobody types a NUL, so a request that
carries one is answered here, once for all of them, with a 400 that says what is wrong (a page,
or problem+json under /api/); a NUL in the path is simply not an address of ours (404). Uploaded
files may contain any bytes; their names may not.
"""

from __future__ import annotations

from flask import Flask, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from planner.web.errors import render_error
from planner.web.problems import problem

NUL = "\x00"
#: parameters no database sees: ``next`` (query or form) is checked by
#: planner.accounts.redirects, which sends a NUL (like any control character) to the dashboard
NEVER_STORED = frozenset({"next"})
#: how a NUL is spelled inside a JSON string
_JSON_NUL = (b"\\u0000", b"\\U0000")
_JSON_TYPES = ("application/json", "application/merge-patch+json", "application/problem+json")


def carries_nul() -> bool:
    """Whether the request's text (not its uploaded files' bytes) contains a NUL."""
    if any(
        NUL in key or (NUL in value and key not in NEVER_STORED)
        for key, value in request.args.items(multi=True)
    ):
        return True
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if any(
            NUL in key or (NUL in value and key not in NEVER_STORED)
            for key, value in request.form.items(multi=True)
        ):
            return True
        return any(NUL in (upload.filename or "") for upload in request.files.values())
    if request.mimetype in _JSON_TYPES or request.mimetype.endswith("+json"):
        body = request.get_data(cache=True)
        return b"\x00" in body or any(spelling in body for spelling in _JSON_NUL)
    return False


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_nul() -> ResponseReturnValue | None:
        if NUL in request.path:
            return render_error(404)
        if not carries_nul():
            return None
        message = _(
            "The input contains an invisible NUL character that cannot be stored. "
            "Remove it and send it again."
        )
        if request.path.startswith("/api/"):
            return problem(400, "Bad request", message, type_="nul-character")
        return render_error(400, message)
