"""Security headers on every response: what a browser may load, frame and pass on.

The Content-Security-Policy allows scripts only from this site's own files (``static/js`` and the
vendored htmx and FullCalendar under ``static/vendor``): no inline script, no ``eval``, no event
handler attributes, so an injected ``<script>`` or ``onerror=`` does nothing. Styles may be
inline (channel colours in ``style=`` attributes, FullCalendar's injected stylesheet); images
and fetches only from here. No page may be framed (``frame-ancestors 'none'`` and, for older
browsers, ``X-Frame-Options: DENY``): the public reviewer page least of all, whose approve button
must not be clickjacked. ``Referrer-Policy: same-origin`` keeps reviewer, intake and feed tokens
in our URLs from leaking to the sites a page links to.

Registered before the database's after-request hook, so it runs after it and a response that
replaced a refused commit carries the headers too.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",  # FullCalendar's icon font is a data: URL
        "connect-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
