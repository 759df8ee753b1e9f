"""JSON answers for the calendar's wide reads: the bytes Flask's ``jsonify`` writes, for a fraction
of its cost, and an ETag so that asking again for an unchanged window costs no transfer.

A busy month is thousands of rows; ``json.dumps`` with sorted keys spends about 2 µs on each,
pydantic_core's serialiser a quarter of that. Callers build their dicts with the keys in sorted
order, and every character outside printable ASCII is escaped afterwards as ``json.dumps`` escapes
it, so the body is byte for byte what ``jsonify`` would have sent (the calendar tests compare them).
"""

from __future__ import annotations

import codecs
from functools import cache
from typing import Any

import pydantic_core
from flask import Response, request

_ERRORS = "planner.json_ascii"


def _escape(error: UnicodeError) -> tuple[str, int]:
    """json.dumps' ASCII escapes for a run of characters an ASCII encoding cannot hold."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = []
    for char in error.object[error.start : error.end]:
        code = ord(char)
        if code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:  # outside the BMP: a UTF-16 surrogate pair, as JSON spells it
            code -= 0x10000
            out.append(f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}")
    return "".join(out), error.end


@cache
def _register_escapes() -> str:
    codecs.register_error(_ERRORS, _escape)
    return _ERRORS


def json_bytes(payload: Any) -> bytes:
    """``payload`` as ``jsonify`` writes it (compact, ASCII only, a final newline), provided every
    dict in it already has its keys in sorted order."""
    body = pydantic_core.to_json(payload)
    if not body.isascii():
        body = body.decode().encode("ascii", _register_escapes())
    # DEL is ASCII but json.dumps escapes it too; it can only occur inside a string.
    if b"\x7f" in body:
        body = body.replace(b"\x7f", b"\\u007f")
    return body + b"\n"


def json_response(payload: Any) -> Response:
    """A 200 with the body and its ETag, or a 304 when the client already holds that body."""
    response = Response(json_bytes(payload), mimetype="application/json")
    # Personal data that changes any minute: a client may keep it, but must ask before reuse.
    response.headers["Cache-Control"] = "private, no-cache"
    response.add_etag()
    response.make_conditional(request)  # in place: 304 and no body when the ETag matches
    return response
