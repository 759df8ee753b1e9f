"""Serving stored media files to a browser: streamed, typed, with an ETag and the right caching.

Keys are content-addressed, so the ETag is the hash in the key; photos, crops and blog heroes all
go out through here.
"""

from __future__ import annotations

from flask import Response, request
from werkzeug.wrappers import Response as BaseResponse

from planner.web import runtime


def send_stored(
    key: str, mime: str, *, immutable: bool, download_name: str | None = None
) -> BaseResponse:
    """The bytes behind ``key``; ``immutable`` for a file whose URL names its own content;
    ``download_name`` makes the browser save it under that name instead of showing it."""
    stream = runtime.storage().open(key)
    response = Response(stream, mimetype=mime, direct_passthrough=True)
    if download_name:
        response.headers.set("Content-Disposition", "attachment", filename=download_name)
    response.set_etag(key.rsplit("/", 1)[-1].split(".", 1)[0])
    if immutable:
        # Content-addressed: the bytes behind a key never change. Private: these are not public.
        response.cache_control.private = True
        response.cache_control.max_age = 31_536_000
        response.cache_control.immutable = True
    else:
        # The same URL gets a new crop when the focal point moves: revalidate with the ETag.
        response.cache_control.private = True
        response.cache_control.no_cache = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)
