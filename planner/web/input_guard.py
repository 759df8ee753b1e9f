"""Input no database can store is refused before any view sees it: NUL characters in pages.

PostgreSQL's text columns cannot hold a NUL (U+0000): a form field, a query parameter or a path
token carrying one made the driver raise at the first query, a 500 on every page that takes text,
the public intake and reviewer forms too. Nobody types a NUL, so a page request that carries one
is answered here, once for all of them, with a 400 page that says what is wrong; a NUL in the
path is simply not an address of ours (404). Uploaded files may contain any bytes; their names
may not. The API is left to its own contract: its documented fields refuse a NUL themselves
(patterns and service checks, a 422 problem), and free-form JSON may carry one.
"""

from __future__ import annotations

from flask import Flask, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from planner.web.errors import render_error

NUL = "\x00"
#: parameters no database sees: ``next`` (query or form) is checked by
#: planner.accounts.redirects, which sends a NUL (like any control character) to the dashboard
NEVER_STORED = frozenset({"next"})


def _carries_nul(pairs: list[tuple[str, str]]) -> bool:
    return any(NUL in key or (NUL in value and key not in NEVER_STORED) for key, value in pairs)


def carries_nul() -> bool:
    """Whether the request's text (not its uploaded files' bytes) contains a NUL."""
    if _carries_nul(list(request.args.items(multi=True))):
        return True
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if _carries_nul(list(request.form.items(multi=True))):
            return True
        return any(NUL in (upload.filename or "") for upload in request.files.values())
    return False


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_nul() -> ResponseReturnValue | None:
        if NUL in request.path:
            return render_error(404) if not request.path.startswith("/api/") else None
        if request.path.startswith("/api/") or not carries_nul():
            return None
        return render_error(
            400,
            _(
                "The input contains an invisible NUL character that cannot be stored. "
                "Remove it and send it again."
            ),
        )
